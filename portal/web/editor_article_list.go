package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

func (s *Server) handleEditorArticleList(c *fiber.Ctx) error {
	page := pageParam(c)
	f := editorArticleFilter(c)
	f.Limit, f.Offset = perPage, (page-1)*perPage
	ctx := c.UserContext()
	arts, total, err := s.store.FindArticles(ctx, f)
	if err != nil {
		return err
	}
	cats, err := s.store.FindCategories(ctx)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "editor_articles", "Articles", fiber.Map{
		"Articles": arts, "Pager": newPager(c, page, perPage, total), "Total": total, "Categories": cats, "CategoryNames": categoryNames(cats),
		"Query": f.Query, "Status": c.Query("status"), "Category": c.Query("category"), "Locale": f.Locale,
		"Statuses": []portal.ArticleStatus{portal.ArticleDraft, portal.ArticleInReview, portal.ArticlePublished, portal.ArticleArchived},
	})
}

// categoryNames maps category IDs to "Parent › Child" labels.
func categoryNames(cats []*portal.Category) map[int64]string {
	byID := map[int64]*portal.Category{}
	for _, c := range cats {
		byID[c.ID] = c
	}
	out := map[int64]string{}
	for _, c := range cats {
		name := c.Name
		for p, hops := c.ParentID, 0; p != nil && byID[*p] != nil && hops < 20; p, hops = byID[*p].ParentID, hops+1 {
			name = byID[*p].Name + " › " + name
		}
		out[c.ID] = name
	}
	return out
}
