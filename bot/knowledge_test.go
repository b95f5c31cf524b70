package bot_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/search"
)

// Articles read from the store may be kept between answers, but a save
// that reaches the index reaches the bot's answers too.
func TestStoreKnowledgeFollowsSaves(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "t.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := *articles[1]
	if err := st.CreateArticle(ctx, &a); err != nil {
		t.Fatal(err)
	}
	ix, err := search.NewMemory(search.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Rebuild(ctx, []search.Doc{bot.DocFromArticle(&a)}); err != nil {
		t.Fatal(err)
	}
	k := bot.NewStoreKnowledge(ix, st)
	id := bot.DocFromArticle(&a).ID
	summary := func() string {
		t.Helper()
		got, ok := k.Article(id)
		if !ok {
			return "(none)"
		}
		return got.Summary
	}
	for i := 0; i < 2; i++ {
		if got, want := summary(), a.Summary; got != want {
			t.Fatalf("read %d: summary=%q, want %q", i, got, want)
		}
	}

	a.Summary = "Standard delivery now takes 2 working days."
	if err := st.UpdateArticle(ctx, &a, "faster"); err != nil {
		t.Fatal(err)
	}
	if err := ix.Upsert(ctx, bot.DocFromArticle(&a)); err != nil {
		t.Fatal(err)
	}
	if got, want := summary(), a.Summary; got != want {
		t.Fatalf("after edit: summary=%q, want %q", got, want)
	}

	a.Status = portal.ArticleDraft
	if err := st.UpdateArticle(ctx, &a, "unpublish"); err != nil {
		t.Fatal(err)
	}
	if err := ix.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := summary(); got != "(none)" {
		t.Fatalf("after unpublishing: summary=%q, want none", got)
	}
}
