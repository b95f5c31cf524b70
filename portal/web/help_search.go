package web

import (
	"html/template"
	"net/url"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/kb"
	"github.com/frontdesk/frontdesk/search"
	"github.com/gofiber/fiber/v2"
)

const searchPerPage = 10

// searchHit is a search result as pages and the API show it.
type searchHit struct {
	ID         string              `json:"id"`
	Title      string              `json:"title"`
	Summary    string              `json:"summary"`
	Category   string              `json:"category,omitempty"`
	URL        string              `json:"url"`
	Score      float64             `json:"score"`
	Highlights map[string][]string `json:"highlights,omitempty"`
	// TitleHTML and SummaryHTML carry the <mark>ed fragments for pages.
	TitleHTML   template.HTML `json:"-"`
	SummaryHTML template.HTML `json:"-"`
}

// faqResult is one page of FAQ search results.
type faqResult struct {
	Query string `json:"query"`
	Total uint64 `json:"total"`
	// AllTotal, with as_you_type, is how many results the results page
	// lists for the same text (its "See all N results").
	AllTotal   *uint64                `json:"all_total,omitempty"`
	Hits       []searchHit            `json:"hits"`
	Categories []search.CategoryCount `json:"categories,omitempty"`
	TookMs     float64                `json:"took_ms"`
}

// faqSearch runs one FAQ search; the results page and the API share it.
func (s *Server) faqSearch(c *fiber.Ctx, text, category string, page int, asYouType bool) (*faqResult, error) {
	text = strings.TrimSpace(text)
	// As the bot cuts a question (bot.maxQuestion), so that both rank the
	// same text; in runes, never inside a character.
	if r := []rune(text); len(r) > 300 {
		text = string(r[:300])
	}
	out := &faqResult{Query: text, Hits: []searchHit{}}
	if text == "" {
		return out, nil
	}
	res, err := s.kb.Search(c.UserContext(), search.Query{Text: text, Locale: localeOf(c), Category: category, AsYouType: asYouType,
		From: (page - 1) * searchPerPage, Size: searchPerPage})
	if err != nil {
		return nil, err
	}
	out.Total, out.Categories, out.TookMs = res.Total, res.Categories, float64(res.Took.Microseconds())/1000
	if asYouType && page == 1 {
		all, err := s.kb.Search(c.UserContext(), search.Query{Text: text, Locale: localeOf(c), Category: category, CountOnly: true})
		if err != nil {
			return nil, err
		}
		out.AllTotal = &all.Total
	}
	for _, h := range res.Hits {
		sh := searchHit{ID: h.ID, Title: h.Title, Summary: h.Summary, Category: h.Category, Score: h.Score, Highlights: h.Highlights}
		if _, ok := kb.ArticleID(h.ID); ok {
			sh.URL = "/help/articles/" + h.ID + "?" + url.Values{"q": {text}}.Encode()
		}
		sh.TitleHTML = template.HTML(template.HTMLEscapeString(h.Title))
		if f := h.Highlights["title"]; len(f) > 0 {
			sh.TitleHTML = s.md.Highlight(f[0])
		}
		sh.SummaryHTML = template.HTML(template.HTMLEscapeString(h.Summary))
		if f := h.Highlights["summary"]; len(f) > 0 {
			sh.SummaryHTML = s.md.Highlight(strings.Join(f, " … "))
		} else if f := h.Highlights["body"]; len(f) > 0 && h.Summary == "" {
			sh.SummaryHTML = s.md.Highlight(strings.Join(f, " … "))
		}
		out.Hits = append(out.Hits, sh)
	}
	return out, nil
}

// logSearch records a search for the content-gap report; failures are logged only.
func (s *Server) logSearch(c *fiber.Ctx, e *portal.SearchLogEntry) {
	if strings.TrimSpace(e.Query) == "" {
		return
	}
	e.UserID, e.Locale = userID(c), localeOf(c)
	if err := s.store.RecordSearch(c.UserContext(), e); err != nil {
		s.log.Warn("record search", "err", err)
	}
}

func (s *Server) handleHelpSearch(c *fiber.Ctx) error {
	q := c.Query("q")
	category := c.Query("category")
	page := pageParam(c)
	res, err := s.faqSearch(c, q, category, page, false)
	if err != nil {
		return err
	}
	data := fiber.Map{"Result": res, "Category": category, "AskURL": askURL(res.Query)}
	if res.Query != "" && page == 1 && category == "" {
		s.logSearch(c, &portal.SearchLogEntry{Query: res.Query, Hits: int(res.Total), Source: "faq"})
	}
	if res.Query != "" && res.Total == 0 {
		// Empty state: what the re-ranker thinks is closest, then popular articles.
		if r, err := s.kb.Retrieve(c.UserContext(), search.Question{Text: res.Query, Locale: localeOf(c), Limit: 3}); err == nil {
			data["Suggestions"] = r.Matches
		}
		pub := portal.ArticlePublished
		top, _, err := s.store.FindArticles(c.UserContext(), portal.ArticleFilter{Status: &pub, Locale: localeOf(c), Order: "views", Limit: 5})
		if err != nil {
			return err
		}
		data["Popular"] = articleLinks(top)
	}
	pg := newPager(c, page, searchPerPage, int(min(res.Total, 1000)))
	data["Pager"] = pg
	title := "Search help"
	if res.Query != "" {
		title = "Results for “" + res.Query + "”"
	}
	return s.render(c, fiber.StatusOK, "help_search", title, data)
}

// askURL opens the chat with the question filled in.
func askURL(q string) string {
	if q == "" {
		return "/chat"
	}
	return "/chat?" + url.Values{"q": {q}}.Encode()
}
