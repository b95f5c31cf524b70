package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// articleEditPage is what the editor form shows.
type articleEditPage struct {
	Article    *portal.Article
	IsNew      bool
	Tags       string
	Phrasings  string
	Categories []*portal.Category
	Names      map[int64]string
	Error      string
	Fields     map[string]string
	// Conflict is set when someone else saved first: the editor's text
	// stays in the form; Latest is what is stored now.
	Conflict  *articleConflict
	Votes     portal.VoteCounts
	Preview   any
	PublicURL string
}

type articleConflict struct {
	Latest *portal.Article
	Diff   []diffLine
}

func (s *Server) renderArticleEdit(c *fiber.Ctx, status int, p *articleEditPage) error {
	cats, err := s.store.FindCategories(c.UserContext())
	if err != nil {
		return err
	}
	p.Categories, p.Names = cats, categoryNames(cats)
	p.Tags = strings.Join(p.Article.Tags, ", ")
	p.Phrasings = strings.Join(p.Article.Phrasings, "\n")
	p.Preview = s.md.Render(p.Article.Body)
	if p.Article.ID != 0 && p.Article.Status == portal.ArticlePublished {
		p.PublicURL = articleURL(p.Article)
	}
	title := "New article"
	if !p.IsNew {
		title = "Edit: " + p.Article.Title
	}
	return s.render(c, status, "editor_article", title, p)
}

func (s *Server) handleEditorArticleNew(c *fiber.Ctx) error {
	a := &portal.Article{Locale: "en", Status: portal.ArticleDraft, Title: c.Query("title")}
	if q := strings.TrimSpace(c.Query("title")); q != "" {
		a.Phrasings = []string{q}
	}
	return s.renderArticleEdit(c, fiber.StatusOK, &articleEditPage{Article: a, IsNew: true})
}

// articleFromForm reads the editor form onto a.
func articleFromForm(c *fiber.Ctx, a *portal.Article) {
	a.Title = c.FormValue("title")
	a.Summary = strings.TrimSpace(c.FormValue("summary"))
	a.Body = strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")
	a.Locale = strings.TrimSpace(c.FormValue("locale"))
	a.Tags = splitList(c.FormValue("tags"), ",")
	a.Phrasings = splitList(c.FormValue("phrasings"), "\n")
	a.CategoryID = nil
	if id, err := strconv.ParseInt(c.FormValue("category_id"), 10, 64); err == nil && id > 0 {
		a.CategoryID = &id
	}
	a.Version, _ = strconv.Atoi(c.FormValue("version"))
}

func splitList(s, sep string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r", ""), sep) {
		if p = strings.TrimSpace(p); p != "" && !seen[strings.ToLower(p)] {
			seen[strings.ToLower(p)] = true
			out = append(out, p)
		}
	}
	return out
}

// statusFor maps a form button to the status it sets and the revision note.
func statusFor(action string, cur portal.ArticleStatus) (portal.ArticleStatus, string) {
	switch action {
	case "publish":
		return portal.ArticlePublished, "published"
	case "unpublish":
		return portal.ArticleDraft, "unpublished"
	case "review":
		return portal.ArticleInReview, "sent to review"
	case "archive":
		return portal.ArticleArchived, "archived"
	}
	return cur, "saved"
}

func (s *Server) handleEditorArticleCreate(c *fiber.Ctx) error {
	a := &portal.Article{}
	articleFromForm(c, a)
	a.Status, _ = statusFor(c.FormValue("action"), portal.ArticleDraft)
	a.AuthorID = userID(c)
	if err := s.store.CreateArticle(c.UserContext(), a); err != nil {
		if portal.ErrorCode(err) == portal.EINVALID {
			return s.renderArticleEdit(c, fiber.StatusBadRequest, &articleEditPage{Article: a, IsNew: true, Error: portal.ErrorMessage(err), Fields: fieldsOf(err)})
		}
		return err
	}
	s.syncIndex(c, a.ID)
	s.audit(c, "article.create", "article", strconv.FormatInt(a.ID, 10), fmt.Sprintf("%s (%s)", a.Title, a.Status))
	s.setFlash(c, "ok", "Article created.")
	return c.Redirect(fmt.Sprintf("/editor/articles/%d", a.ID), fiber.StatusSeeOther)
}

func (s *Server) handleEditorArticleEdit(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	a, err := s.findArticle(c.UserContext(), id)
	if err != nil {
		return err
	}
	votes, err := s.store.CountVotes(c.UserContext(), a.ID)
	if err != nil {
		return err
	}
	return s.renderArticleEdit(c, fiber.StatusOK, &articleEditPage{Article: a, Votes: votes})
}

func (s *Server) handleEditorArticleSave(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	ctx := c.UserContext()
	cur, err := s.findArticle(ctx, id)
	if err != nil {
		return err
	}
	a := *cur
	articleFromForm(c, &a)
	var note string
	a.Status, note = statusFor(c.FormValue("action"), cur.Status)
	a.AuthorID = userID(c)
	err = s.store.UpdateArticle(ctx, &a, note)
	switch portal.ErrorCode(err) {
	case "":
	case portal.EINVALID:
		return s.renderArticleEdit(c, fiber.StatusBadRequest, &articleEditPage{Article: &a, Error: portal.ErrorMessage(err), Fields: fieldsOf(err)})
	case portal.ECONFLICT:
		// Keep the editor's text; show what changed in the stored version.
		latest, lerr := s.findArticle(ctx, id)
		if lerr != nil {
			return lerr
		}
		page := &articleEditPage{Article: &a, Error: portal.ErrorMessage(err),
			Conflict: &articleConflict{Latest: latest, Diff: diffArticles(latest.Title, latest.Summary, latest.Body, a.Title, a.Summary, a.Body)}}
		// Saving again from here overwrites the latest version on purpose.
		a.Version = latest.Version
		return s.renderArticleEdit(c, fiber.StatusConflict, page)
	default:
		return err
	}
	s.syncIndex(c, a.ID)
	action := "article.save"
	if a.Status != cur.Status {
		action = "article." + c.FormValue("action")
	}
	s.audit(c, action, "article", strconv.FormatInt(a.ID, 10), fmt.Sprintf("%s v%d", a.Title, a.Version))
	s.setFlash(c, "ok", fmt.Sprintf("Version %d %s.", a.Version, note))
	return c.Redirect(fmt.Sprintf("/editor/articles/%d", a.ID), fiber.StatusSeeOther)
}

func fieldsOf(err error) map[string]string {
	if pe, ok := err.(*portal.Error); ok {
		return pe.Fields
	}
	return nil
}
