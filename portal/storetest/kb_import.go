package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

func testArticleImport(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	revisions := func(id int64) int {
		t.Helper()
		revs, err := s.FindArticleRevisions(ctx(), id)
		if err != nil {
			t.Fatal(err)
		}
		return len(revs)
	}
	items := func() []portal.ArticleImport {
		return []portal.ArticleImport{
			{Category: "Returns", Article: &portal.Article{Slug: "returns", Title: "Returns", Summary: "30 days.", Phrasings: []string{"send back"}, Tags: []string{"refund", "returns"}, Locale: "de"}},
			{Category: "", Article: &portal.Article{Slug: "old", Title: "Old policy", Status: portal.ArticleArchived}},
			{Category: "Returns", Article: &portal.Article{Slug: "wip", Title: "Exchanges", Status: portal.ArticleDraft}},
		}
	}
	first := items()
	if err := s.ImportArticles(ctx(), first); err != nil {
		t.Fatal(err)
	}
	for _, it := range first {
		if it.Outcome != portal.ImportCreated {
			t.Fatalf("first import: %s %s", it.Article.Slug, it.Outcome)
		}
	}
	ret := mustFindArticle(t, s, first[0].Article.ID)
	if ret.Status != portal.ArticlePublished || ret.Locale != "de" || !slices.Equal(ret.Tags, []string{"refund", "returns"}) || ret.CategoryID == nil {
		t.Fatalf("imported %+v", ret)
	}
	if a := mustFindArticle(t, s, first[1].Article.ID); a.Status != portal.ArticleArchived || a.CategoryID != nil {
		t.Fatalf("archived import %+v", a)
	}

	t.Run("UnchangedWritesNoRevision", func(t *testing.T) {
		c.t = c.t.Add(1e9)
		again := items()
		if err := s.ImportArticles(ctx(), again); err != nil {
			t.Fatal(err)
		}
		for i, it := range again {
			if it.Outcome != portal.ImportUnchanged || it.Article.ID != first[i].Article.ID {
				t.Fatalf("second import: %s %s (id %d)", it.Article.Slug, it.Outcome, it.Article.ID)
			}
			if n := revisions(it.Article.ID); n != 1 {
				t.Fatalf("%s has %d revisions after an unchanged import", it.Article.Slug, n)
			}
		}
		if a := mustFindArticle(t, s, first[0].Article.ID); a.Version != 1 || !a.UpdatedAt.Equal(ret.UpdatedAt) {
			t.Fatalf("unchanged article saved again: %+v", a)
		}
	})
	t.Run("ChangesAreRevisionsAndStatusIsKeptWhenNotGiven", func(t *testing.T) {
		next := items()
		next[0].Article.Tags = []string{"refund"}
		next[0].Article.Status = "" // keep
		next[2].Article.Status = portal.ArticlePublished
		if err := s.ImportArticles(ctx(), next); err != nil {
			t.Fatal(err)
		}
		if next[0].Outcome != portal.ImportUpdated || next[1].Outcome != portal.ImportUnchanged || next[2].Outcome != portal.ImportUpdated {
			t.Fatalf("outcomes %s %s %s", next[0].Outcome, next[1].Outcome, next[2].Outcome)
		}
		a := mustFindArticle(t, s, first[0].Article.ID)
		if a.Version != 2 || a.Status != portal.ArticlePublished || !slices.Equal(a.Tags, []string{"refund"}) || revisions(a.ID) != 2 {
			t.Fatalf("updated %+v", a)
		}
		if w := mustFindArticle(t, s, first[2].Article.ID); w.Status != portal.ArticlePublished || w.PublishedAt == nil {
			t.Fatalf("published by import %+v", w)
		}
	})
	t.Run("AnInvalidItemImportsNothing", func(t *testing.T) {
		bad := items()
		bad[0].Article.Summary = "changed"
		bad[1].Article.Status = "gone"
		bad = append(bad, portal.ArticleImport{Article: &portal.Article{Slug: "new", Title: " "}})
		err := s.ImportArticles(ctx(), bad)
		var be *portal.BulkError
		if !errors.As(err, &be) || len(be.Items) != 2 || be.Items[1] == "" || be.Items[3] == "" {
			t.Fatalf("err %v", err)
		}
		if a := mustFindArticle(t, s, first[0].Article.ID); a.Summary != "30 days." {
			t.Fatalf("half imported: %+v", a)
		}
	})
}
