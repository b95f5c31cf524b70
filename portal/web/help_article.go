package web

import (
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/kb"
	"github.com/frontdesk/frontdesk/search"
	"github.com/gofiber/fiber/v2"
)

func (s *Server) handleHelpArticle(c *fiber.Ctx) error {
	id, ok := articleRefID(c.Params("ref"))
	if !ok {
		return portal.Errorf(portal.ENOTFOUND, "Article not found.")
	}
	ctx := c.UserContext()
	a, err := s.findPublished(ctx, id)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.Query("q"))
	if q != "" {
		// Opened from a search: the search found something worth opening.
		s.logSearch(c, &portal.SearchLogEntry{Query: q, Hits: 1, ArticleID: &a.ID, Source: "open"})
	}
	if err := s.store.CountArticleView(ctx, a.ID); err != nil {
		s.log.Warn("count article view", "article_id", a.ID, "err", err)
	}
	var category *portal.Category
	if a.CategoryID != nil {
		cats, err := s.store.FindCategories(ctx)
		if err != nil {
			return err
		}
		for _, x := range cats {
			if x.ID == *a.CategoryID {
				category = x
			}
		}
	}
	var related []search.Match
	if r, err := s.kb.Retrieve(ctx, search.Question{Text: a.Title, Locale: a.Locale, Limit: 5}); err == nil {
		for _, m := range r.Matches {
			if m.ID != kb.DocID(a.ID) && len(related) < 4 {
				related = append(related, m)
			}
		}
	}
	ask := q
	if ask == "" {
		ask = a.Title
	}
	return s.render(c, fiber.StatusOK, "help_article", a.Title, fiber.Map{
		"Article": a, "Body": s.md.Render(a.Body), "Category": category, "Related": related, "Query": q,
		"AskURL": askURL(ask), "VoteURL": "/help/articles/" + strconv.FormatInt(a.ID, 10) + "/vote", "Voted": c.Query("voted"),
	})
}
