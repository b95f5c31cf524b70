package search

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/frontdesk/frontdesk/internal/loadgen"
)

// prepTestKBs are the knowledge bases the preparation tests run on: the
// demo help centre (ranked whole) and a generated one past exhaustiveMax
// (ranked through bleve's candidates).
// Built once for the tests of this file, which put back what they change.
func prepTestKBs(tb testing.TB) map[string]*Index {
	tb.Helper()
	prepKBsOnce.Do(func() { prepKBs, prepKBsErr = buildPrepTestKBs() })
	if prepKBsErr != nil {
		tb.Fatal(prepKBsErr)
	}
	return prepKBs
}

var (
	prepKBsOnce sync.Once
	prepKBs     map[string]*Index
	prepKBsErr  error
)

func buildPrepTestKBs() (map[string]*Index, error) {
	out := map[string]*Index{}
	for name, docs := range map[string][]Doc{"demo": demoDocs(), "generated": GenerateKB(3, exhaustiveMax+50)} {
		ix, err := NewMemory(Config{})
		if err != nil {
			return nil, err
		}
		if err := ix.Rebuild(context.Background(), docs); err != nil {
			return nil, err
		}
		out[name] = ix
	}
	return out, nil
}

// sameSvec fails unless vector k of a and of b have the same entries, in
// any order, with weights equal up to rounding (they are kept as float32:
// two float64 sums a rounding apart may round to neighbouring float32s).
func sameSvec(t *testing.T, what string, a, b *svec, k int) {
	t.Helper()
	alo, ahi := a.span(k)
	blo, bhi := b.span(k)
	if ahi-alo != bhi-blo {
		t.Fatalf("%s: %d entries, want %d", what, ahi-alo, bhi-blo)
	}
	want := map[uint32]float64{}
	for i := blo; i < bhi; i++ {
		want[b.ids[i]] = float64(b.ws[i])
	}
	for i := alo; i < ahi; i++ {
		w, ok := want[a.ids[i]]
		if !ok || math.Abs(w-float64(a.ws[i])) > 1e-6 {
			t.Fatalf("%s: term %d weighs %v, want %v (present %v)", what, a.ids[i], a.ws[i], w, ok)
		}
	}
}

func samePrepared(t *testing.T, id string, got, want *prepared) {
	t.Helper()
	if !slices.Equal(got.weights, want.weights) {
		t.Fatalf("%s: unit weights %v, want %v", id, got.weights, want.weights)
	}
	for k := range want.weights {
		sameSvec(t, id+" words", &got.words, &want.words, k)
		sameSvec(t, id+" trigrams", &got.chars, &want.chars, k)
	}
	sameSvec(t, id+" word centroid", &got.centW, &want.centW, 0)
	sameSvec(t, id+" trigram centroid", &got.centC, &want.centC, 0)
	if !slices.Equal(got.head, want.head) {
		t.Fatalf("%s: head %v, want %v", id, got.head, want.head)
	}
}

// The vectors built straight in term numbers are the map-built ones.
func TestPrepareNumberedIsPrepareByMaps(t *testing.T) {
	for name, ix := range prepTestKBs(t) {
		t.Run(name, func(t *testing.T) {
			for _, m := range []*model{ix.m, ix.m.order} {
				m.mu.RLock()
				for id, a := range m.arts {
					samePrepared(t, id, m.prepareNumbered(a), m.prepareByMaps(a))
				}
				m.mu.RUnlock()
			}
		})
	}
}

// After a rebuild every article's vectors are prepared, for the final
// statistics (not those of the fitting, which takes phrasings and
// articles out), so no question pays for preparing them.
func TestRebuildLeavesEveryArticlePrepared(t *testing.T) {
	for name, ix := range prepTestKBs(t) {
		t.Run(name, func(t *testing.T) {
			for _, m := range []*model{ix.m, ix.m.order} {
				m.mu.RLock()
				for id, a := range m.arts {
					a.prepMu.Lock()
					p, ver := a.prep, a.prepVer
					a.prepMu.Unlock()
					if p == nil || ver != m.version {
						t.Fatalf("%s: not prepared after the rebuild", id)
					}
					samePrepared(t, id, p, m.prepareByMaps(a))
				}
				m.mu.RUnlock()
			}
		})
	}
}

// Retrieve ranks and scores the bench questions as it does with the
// map-built vectors.
func TestRetrieveSameWithMapBuiltVectors(t *testing.T) {
	qs := loadgen.NewQuestions()
	ctx := context.Background()
	for name, ix := range prepTestKBs(t) {
		t.Run(name, func(t *testing.T) {
			texts := make([]string, 150)
			for i := range texts {
				texts[i] = qs.Text(5_000_000 + i)
			}
			retrieve := func() [][]ranked {
				var out [][]ranked
				for _, q := range texts {
					r, err := ix.candidates(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, r)
				}
				return out
			}
			got := retrieve()
			// Swap in the map-built vectors, and put the others back after.
			kept := map[*artModel]*prepared{}
			for _, m := range []*model{ix.m, ix.m.order} {
				m.mu.RLock()
				for _, a := range m.arts {
					p := m.prepareByMaps(a)
					a.prepMu.Lock()
					kept[a], a.prep = a.prep, p
					a.prepMu.Unlock()
				}
				m.mu.RUnlock()
			}
			want := retrieve()
			for a, p := range kept {
				a.prepMu.Lock()
				a.prep = p
				a.prepMu.Unlock()
			}
			for i := range want {
				if len(got[i]) != len(want[i]) {
					t.Fatalf("%q: %d ranked, want %d", texts[i], len(got[i]), len(want[i]))
				}
				for k := range want[i] {
					g, w := got[i][k], want[i][k]
					if math.Abs(g.conf-w.conf) > 1e-9 || (g.id != w.id && math.Abs(g.conf-w.conf) > 0) {
						t.Fatalf("%q #%d: %s at %v, want %s at %v", texts[i], k, g.id, g.conf, w.id, w.conf)
					}
				}
			}
		})
	}
}

// A write makes every article's vectors stale; on a knowledge base refitted
// in the background the refit prepares them again, while questions are
// answered.
func TestBackgroundRefitPreparesAgain(t *testing.T) {
	docs := GenerateKB(9, 20)
	ix, err := NewMemory(Config{refitUnits: 100})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	ctx := context.Background()
	if err := ix.Rebuild(ctx, docs); err != nil {
		t.Fatal(err)
	}
	d := docs[0]
	d.Phrasings = append(d.Phrasings, "a brand new way to ask this")
	if err := ix.Upsert(ctx, d); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for ix.refitting.Load() {
		if time.Now().After(deadline) {
			t.Fatal("not refitted within 2 minutes")
		}
		if _, err := ix.Retrieve(ctx, Question{Text: "how do I track my order"}); err != nil {
			t.Fatal(err)
		}
		runtime.Gosched()
	}
	for _, m := range []*model{ix.m, ix.m.order} {
		m.mu.RLock()
		for id, a := range m.arts {
			a.prepMu.Lock()
			ok := a.prep != nil && a.prepVer == m.version
			a.prepMu.Unlock()
			if !ok {
				t.Errorf("%s: not prepared after the refit", id)
			}
		}
		m.mu.RUnlock()
	}
}

// A knowledge base re-ranked whole takes as candidates the articles the
// model holds as published in the locale: those bleve's filter finds,
// through writes.
func TestVisibleIDsAreTheFilteredArticles(t *testing.T) {
	docs := []Doc{
		{ID: "1", Title: "Track your order", Body: "Open Your account.", Locale: "en", Published: true},
		{ID: "2", Title: "Returns", Body: "Send it back.", Locale: "en", Published: true},
		{ID: "3", Title: "Rücksendung", Body: "Zurückschicken.", Locale: "de", Published: true},
		{ID: "4", Title: "Draft about refunds", Body: "Not yet.", Locale: "en"},
	}
	ix := mustIndex(t, docs...)
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		for _, loc := range []string{"en", "de", "fr"} {
			res, err := ix.bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(filterQuery(loc, ""), 100, 0, false))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, h := range res.Hits {
				want = append(want, h.ID)
			}
			slices.Sort(want)
			if got := ix.m.visibleIDs(loc); !slices.Equal(got, want) {
				t.Errorf("%s, %s: %v, want %v", when, loc, got, want)
			}
		}
	}
	check("built")
	docs[3].Published = true
	if err := ix.Upsert(ctx, docs[3]); err != nil {
		t.Fatal(err)
	}
	check("draft published")
	if err := ix.Delete(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	check("article deleted")
}
