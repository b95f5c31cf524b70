package web

import (
	"github.com/gofiber/fiber/v2"
)

// handleEditorPreview renders Markdown for the editor's live preview, with
// the same renderer and sanitizer as the article page.
func (s *Server) handleEditorPreview(c *fiber.Ctx) error {
	var in struct {
		Markdown string `json:"markdown"`
	}
	if err := c.BodyParser(&in); err != nil {
		in.Markdown = c.FormValue("markdown")
	}
	return c.JSON(fiber.Map{"html": string(s.md.Render(in.Markdown))})
}
