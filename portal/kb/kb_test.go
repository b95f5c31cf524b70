package kb_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

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

// slowThresholds holds its first KBThresholds answer until released, as a
// catch-up whose read of the store is slow.
type slowThresholds struct {
	kb.Store
	read, release chan struct{}
	once          sync.Once
}

func (s *slowThresholds) KBThresholds(ctx context.Context) ([]portal.KBThreshold, error) {
	ts, err := s.Store.KBThresholds(ctx)
	first := false
	s.once.Do(func() { first = true })
	if first {
		close(s.read)
		<-s.release
	}
	return ts, err
}

// TestThresholdCatchUpNeverUndoesASave: a catch-up that read the stored
// thresholds before an editor's reset must not apply its stale copy after
// the reset's own apply (the editor would see "fitted threshold again"
// while the bot still hands everything off).
func TestThresholdCatchUpNeverUndoesASave(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "fd.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateArticle(ctx, &portal.Article{Title: "How do I return a sofa?", Summary: "Within 30 days.", Status: portal.ArticlePublished}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetKBThreshold(ctx, &portal.KBThreshold{Locale: "en", Threshold: 1}); err != nil {
		t.Fatal(err)
	}
	svc := mustService(t, st, t.TempDir())
	slow := &slowThresholds{Store: st, read: make(chan struct{}), release: make(chan struct{})}
	svc2, err := kb.New(kb.Config{Store: slow, Index: svc.Index()})
	if err != nil {
		t.Fatal(err)
	}
	// The catch-up reads {en: 1} and stalls.
	caughtUp := make(chan error, 1)
	go func() { caughtUp <- svc2.CatchUp(ctx) }()
	<-slow.read
	// The editor resets; the saving request applies.
	if err := st.ResetKBThreshold(ctx, "en"); err != nil {
		t.Fatal(err)
	}
	applied := make(chan error, 1)
	go func() { applied <- svc2.ApplyThresholds(ctx) }()
	select {
	case err := <-applied:
		// Applied before the stale catch-up finished: the catch-up must
		// then not be allowed to overwrite it (it will, without the lock).
		applied <- err
	case <-time.After(200 * time.Millisecond):
	}
	close(slow.release)
	if err := <-caughtUp; err != nil {
		t.Fatal(err)
	}
	if err := <-applied; err != nil {
		t.Fatal(err)
	}
	if cur, _, chosen := svc2.Threshold("en"); chosen {
		t.Errorf("after the reset the bot still uses the editor's %.2f", cur)
	}
}
