package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

func (s *Server) handleHelpCategory(c *fiber.Ctx) error {
	ctx := c.UserContext()
	cats, err := s.store.FindCategories(ctx)
	if err != nil {
		return err
	}
	var cat *portal.Category
	var children []*portal.Category
	for _, x := range cats {
		if x.Slug == c.Params("slug") {
			cat = x
		}
	}
	if cat == nil {
		return portal.Errorf(portal.ENOTFOUND, "Category not found.")
	}
	for _, x := range cats {
		if x.ParentID != nil && *x.ParentID == cat.ID {
			children = append(children, x)
		}
	}
	pub := portal.ArticlePublished
	arts, _, err := s.store.FindArticles(ctx, portal.ArticleFilter{Status: &pub, CategoryID: &cat.ID, Locale: localeOf(c), Order: "views", Limit: 200})
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "help_category", cat.Name, fiber.Map{"Category": cat, "Children": children, "Articles": articleLinks(arts)})
}
