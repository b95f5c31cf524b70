package web

import (
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

func (s *Server) handleEditorArticleList(c *fiber.Ctx) error {
	page := pageParam(c)
	f := portal.ArticleFilter{Query: strings.TrimSpace(c.Query("q")), Locale: c.Query("locale"), Limit: perPage, Offset: (page - 1) * perPage}
	f.Query = portal.Truncate(f.Query, 200)
	if st := portal.ArticleStatus(c.Query("status")); st.Valid() {
		f.Status = &st
	}
	if id, err := strconv.ParseInt(c.Query("category"), 10, 64); err == nil {
		f.CategoryID = &id
	}
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
