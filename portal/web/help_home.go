package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// categoryNode is a category with its published article count and children.
type categoryNode struct {
	*portal.Category
	Count    int
	Children []*categoryNode
}

// categoryTree nests categories under their parents, keeping the store order.
func categoryTree(cats []*portal.Category, counts map[int64]int) []*categoryNode {
	nodes := map[int64]*categoryNode{}
	for _, c := range cats {
		nodes[c.ID] = &categoryNode{Category: c, Count: counts[c.ID]}
	}
	var roots []*categoryNode
	for _, c := range cats {
		n := nodes[c.ID]
		if c.ParentID != nil && nodes[*c.ParentID] != nil {
			p := nodes[*c.ParentID]
			p.Children = append(p.Children, n)
			continue
		}
		roots = append(roots, n)
	}
	return roots
}

// helpCategories returns the category tree with published article counts.
func (s *Server) helpCategories(c *fiber.Ctx, locale string) ([]*categoryNode, error) {
	ctx := c.UserContext()
	cats, err := s.store.FindCategories(ctx)
	if err != nil {
		return nil, err
	}
	pub := portal.ArticlePublished
	arts, _, err := s.store.FindArticles(ctx, portal.ArticleFilter{Status: &pub, Locale: locale, Limit: 10000})
	if err != nil {
		return nil, err
	}
	counts := map[int64]int{}
	for _, a := range arts {
		if a.CategoryID != nil {
			counts[*a.CategoryID]++
		}
	}
	return categoryTree(cats, counts), nil
}

func (s *Server) handleHelpHome(c *fiber.Ctx) error {
	locale := localeOf(c)
	pub := portal.ArticlePublished
	top, _, err := s.store.FindArticles(c.UserContext(), portal.ArticleFilter{Status: &pub, Locale: locale, Order: "views", Limit: 6})
	if err != nil {
		return err
	}
	tree, err := s.helpCategories(c, locale)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "help_home", "Help centre", fiber.Map{"Top": articleLinks(top), "Categories": tree})
}

// articleLink is an article as lists show it.
type articleLink struct {
	*portal.Article
	URL string
}

func articleLinks(arts []*portal.Article) []articleLink {
	out := make([]articleLink, len(arts))
	for i, a := range arts {
		out[i] = articleLink{Article: a, URL: articleURL(a)}
	}
	return out
}
