package web

import "github.com/gofiber/fiber/v2"

type tile struct{ Href, Label, Text string }

func (s *Server) handleHome(c *fiber.Ctx) error {
	var tiles []tile
	if u := currentUser(c); u != nil {
		for _, n := range navFor(u, "") {
			if n.Href != "/account" {
				tiles = append(tiles, tile{Href: n.Href, Label: n.Label})
			}
		}
	}
	return s.render(c, fiber.StatusOK, "home", "", fiber.Map{"Tiles": tiles})
}
