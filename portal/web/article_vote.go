package web

import (
	"strconv"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// handleArticleVote records "Was this helpful?"; it works without script
// (the form posts and redirects) and answers JSON to fetch.
func (s *Server) handleArticleVote(c *fiber.Ctx) error {
	id, ok := articleRefID(c.Params("ref"))
	if !ok {
		return portal.Errorf(portal.ENOTFOUND, "Article not found.")
	}
	a, err := s.findPublished(c.UserContext(), id)
	if err != nil {
		return err
	}
	var helpful bool
	switch c.FormValue("helpful") {
	case "yes":
		helpful = true
	case "no":
	default:
		return portal.FieldError("helpful", "Answer yes or no.")
	}
	v := &portal.Vote{ArticleID: a.ID, Helpful: helpful, Comment: c.FormValue("comment"), UserID: userID(c)}
	if err := s.store.RecordVote(c.UserContext(), v); err != nil {
		return err
	}
	if c.Get("X-CSRF-Token") != "" {
		return c.JSON(fiber.Map{"ok": true})
	}
	s.setFlash(c, "ok", "Thank you for your feedback.")
	return c.Redirect(articleURL(a)+"?voted="+strconv.FormatBool(helpful)+"#feedback", fiber.StatusSeeOther)
}
