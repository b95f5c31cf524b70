package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

func (s *Server) handleEditorGapList(c *fiber.Ctx) error {
	days := c.QueryInt("days", 30)
	if days < 1 || days > 365 {
		days = 30
	}
	f := portal.GapFilter{Since: s.now().Add(-time.Duration(days) * 24 * time.Hour), Limit: 50}
	ctx := c.UserContext()
	gaps, err := s.store.FindContentGaps(ctx, f)
	if err != nil {
		return err
	}
	unhelpful, err := s.store.FindUnhelpfulArticles(ctx, portal.GapFilter{Since: f.Since, Limit: 20})
	if err != nil {
		return err
	}
	chat, err := s.store.FindUnansweredQuestions(ctx, portal.GapFilter{Since: f.Since, Limit: 20})
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "editor_gaps", "Content gaps", fiber.Map{"Gaps": gaps, "Unhelpful": unhelpful, "Chat": chat, "Days": days})
}

// handleEditorGapDraft turns a question nobody could answer into a draft
// article: the question becomes its title and first phrasing.
func (s *Server) handleEditorGapDraft(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.FormValue("query"))
	if q == "" {
		return portal.FieldError("query", "Choose a question.")
	}
	q = portal.Truncate(q, 300)
	title := q
	if r, n := utf8.DecodeRuneInString(title); n > 0 {
		title = string(unicode.ToUpper(r)) + title[n:]
	}
	a := &portal.Article{Title: title, Phrasings: []string{q}, Status: portal.ArticleDraft, AuthorID: userID(c)}
	// One draft per gap: a second click (or a double submit) opens the
	// draft the first one made.
	created, err := s.store.DraftFromGap(c.UserContext(), q, a)
	if err != nil {
		return err
	}
	if !created {
		s.setFlash(c, "ok", "This question already has an article: here it is.")
		return c.Redirect(fmt.Sprintf("/editor/articles/%d", a.ID), fiber.StatusSeeOther)
	}
	s.audit(c, "article.create", "article", strconv.FormatInt(a.ID, 10), "draft from content gap: "+q)
	s.setFlash(c, "ok", "Draft created from the question. Write the answer, then publish.")
	return c.Redirect(fmt.Sprintf("/editor/articles/%d", a.ID), fiber.StatusSeeOther)
}
