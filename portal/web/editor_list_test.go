package web_test

import (
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

func TestEditorArticleListShowsCategories(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleEditor, "editor@example.com")
		cat := &portal.Category{Name: "Delivery"}
		if err := s.CreateCategory(ctx(), cat); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateArticle(ctx(), &portal.Article{Title: "How long does delivery take?", CategoryID: &cat.ID, Status: portal.ArticlePublished}); err != nil {
			t.Fatal(err)
		}
		s.CreateArticle(ctx(), &portal.Article{Title: "Uncategorised draft"})
		c := newClient(t, srv)
		c.login("editor@example.com")
		res := c.get("/editor/articles")
		wantStatus(t, res, 200)
		wantBody(t, res, "How long does delivery take?")
		wantBody(t, res, "<td>Delivery</td>")
		wantBody(t, res, "Uncategorised draft")
	})
}
