package kb_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/kb"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/search"
)

func mustService(tb testing.TB, st kb.Store, dir string) *kb.Service {
	tb.Helper()
	ix, err := search.Open(dir, search.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	svc, err := kb.New(kb.Config{Store: st, Index: ix})
	if err != nil {
		tb.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return svc
}

func hits(tb testing.TB, svc *kb.Service, q string) []string {
	tb.Helper()
	res, err := svc.Index().Search(context.Background(), search.Query{Text: q})
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func TestIndexFollowsEdits(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "fd.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pub := &portal.Article{Title: "How do I return a sofa?", Summary: "Within 30 days.", Status: portal.ArticlePublished}
	draft := &portal.Article{Title: "Secret sofa sale next week", Summary: "Not yet."}
	for _, a := range []*portal.Article{pub, draft} {
		if err := st.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	svc := mustService(t, st, dir)
	if got := hits(t, svc, "sofa"); len(got) != 1 || got[0] != kb.DocID(pub.ID) {
		t.Fatalf("start: hits=%v, want only the published article", got)
	}
	t.Run("PublishIsSearchableAtOnce", func(t *testing.T) {
		draft.Status = portal.ArticlePublished
		if err := st.UpdateArticle(ctx, draft, "published"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Sync(ctx, draft.ID); err != nil {
			t.Fatal(err)
		}
		if got := hits(t, svc, "secret sale"); len(got) != 1 || got[0] != kb.DocID(draft.ID) {
			t.Fatalf("hits=%v", got)
		}
	})
	t.Run("EditChangesWhatIsFound", func(t *testing.T) {
		draft.Title = "Winter clearance event"
		if err := st.UpdateArticle(ctx, draft, ""); err != nil {
			t.Fatal(err)
		}
		if err := svc.Sync(ctx, draft.ID); err != nil {
			t.Fatal(err)
		}
		if got := hits(t, svc, "clearance"); len(got) != 1 {
			t.Fatalf("new title: hits=%v", got)
		}
	})
	t.Run("UnpublishRemoves", func(t *testing.T) {
		draft.Status = portal.ArticleArchived
		if err := st.UpdateArticle(ctx, draft, "archived"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Sync(ctx, draft.ID); err != nil {
			t.Fatal(err)
		}
		if got := hits(t, svc, "clearance"); len(got) != 0 {
			t.Fatalf("archived still found: %v", got)
		}
	})
	t.Run("OtherNodesCatchUp", func(t *testing.T) {
		// A second node with its own index sees a save made elsewhere.
		other := mustService(t, st, t.TempDir())
		pub.Title = "How do I return an armchair?"
		if err := st.UpdateArticle(ctx, pub, ""); err != nil {
			t.Fatal(err)
		}
		if got := hits(t, other, "armchair"); len(got) != 0 {
			t.Fatalf("found before catch-up: %v", got)
		}
		if err := other.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		if got := hits(t, other, "armchair"); len(got) != 1 {
			t.Fatalf("after catch-up: hits=%v", got)
		}
	})
	t.Run("RestartFindsIndexFresh", func(t *testing.T) {
		if err := svc.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		svc.Index().Close()
		again := mustService(t, st, dir)
		if got := hits(t, again, "armchair"); len(got) != 1 {
			t.Fatalf("after restart: hits=%v", got)
		}
	})
}

// TestEditorThresholdOnEveryNode: a threshold an editor stores is applied
// by every node (at start, and when Follow next runs), and a reset brings
// back the fitted one.
func TestEditorThresholdOnEveryNode(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "fd.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := &portal.Article{Title: "How do I return a sofa?", Summary: "Within 30 days.", Status: portal.ArticlePublished}
	if err := st.CreateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	one, two := mustService(t, st, t.TempDir()), mustService(t, st, t.TempDir())
	decide := func(svc *kb.Service) search.Decision {
		t.Helper()
		r, err := svc.Retrieve(ctx, search.Question{Text: "How do I return a sofa?"})
		if err != nil {
			t.Fatal(err)
		}
		return r.Decision
	}
	if got := decide(two); got != search.DecisionAnswer {
		t.Fatalf("before: %s, want answer", got)
	}
	if err := st.SetKBThreshold(ctx, &portal.KBThreshold{Locale: "en", Threshold: 1}); err != nil {
		t.Fatal(err)
	}
	// The node that saved applies at once; the other when it catches up
	// (on the bus message ApplyThresholds sends, or Follow's next round).
	if err := one.ApplyThresholds(ctx); err != nil {
		t.Fatal(err)
	}
	if got := decide(two); got != search.DecisionAnswer {
		t.Fatalf("other node before catching up: %s, want answer", got)
	}
	if err := two.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	for _, svc := range []*kb.Service{one, two} {
		if got := decide(svc); got != search.DecisionHandoff {
			t.Errorf("at threshold 1: %s, want handoff", got)
		}
		if cur, fitted, chosen := svc.Threshold("en"); cur != 1 || !chosen || fitted == 1 {
			t.Errorf("threshold=%.3f fitted=%.3f chosen=%v", cur, fitted, chosen)
		}
	}
	// A node started later applies it from the start.
	if got := decide(mustService(t, st, t.TempDir())); got != search.DecisionHandoff {
		t.Errorf("new node: %s, want handoff", got)
	}
	if err := st.ResetKBThreshold(ctx, "en"); err != nil {
		t.Fatal(err)
	}
	if err := two.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := decide(two); got != search.DecisionAnswer {
		t.Errorf("after reset: %s, want answer", got)
	}
}
