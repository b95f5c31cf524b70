package search

import (
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/frontdesk/frontdesk/internal/loadgen"
)

// TestQueryVecsAreUnitReps checks that the query vectors rank builds in
// term numbers are newUnitRep's, weight for weight to the last bit (the
// scores, order and fitted threshold must not move), on both analyses
// of both test knowledge bases, one scratch reused across the questions.
func TestQueryVecsAreUnitReps(t *testing.T) {
	qs := loadgen.NewQuestions()
	texts := []string{
		"where is my order", "refund refund refund", "pasword retrun mattres",
		"café über naïve résumé", "\xff\xfe broken bytes", "zzqx blorf 12345 NW-10000345",
		"us shipping to the US", "a", "",
	}
	for i := 0; i < 300; i++ {
		texts = append(texts, qs.Text(i))
	}
	for name, ix := range prepTestKBs(t) {
		for _, m := range []*model{ix.m, ix.m.order} {
			if m == nil {
				continue
			}
			m.mu.RLock()
			arts := make([]*artModel, 0, len(m.arts))
			for _, a := range m.arts {
				arts = append(arts, a)
			}
			sc := new(rankScratch)
			for _, text := range texts {
				terms := m.resolve(m.analyzeQuestion(text), arts).terms
				m.queryVecs(sc, terms)
				want := newUnitRep(m, terms)
				sameDense(t, name+" words of "+text, &sc.words, want.words, m.ids.words)
				sameDense(t, name+" trigrams of "+text, &sc.chars, want.chars, m.ids.grams)
			}
			m.mu.RUnlock()
		}
	}
}

// sameDense fails unless d holds exactly v's entries that have a number,
// bit for bit, and nothing else.
func sameDense(t *testing.T, what string, d *dvec, v vec, ids map[string]uint32) {
	t.Helper()
	n := 0
	for k, w := range v {
		id, ok := ids[k]
		if !ok {
			continue
		}
		if w != 0 {
			n++
		}
		if got := d.w[id]; math.Float64bits(got) != math.Float64bits(w) {
			t.Fatalf("%s: %q weighs %v, want %v", what, k, got, w)
		}
	}
	nonzero := 0
	for _, w := range d.w {
		if w != 0 {
			nonzero++
		}
	}
	if nonzero != n {
		t.Fatalf("%s: %d weights set, want %d", what, nonzero, n)
	}
}

// TestConcurrentRetrievalsAgree asks the same unseen questions from
// several goroutines at once (run under -race): the pooled scratch of
// each question is its own, so each answer is the one asked alone.
func TestConcurrentRetrievalsAgree(t *testing.T) {
	ix := prepTestKBs(t)["demo"]
	qs := loadgen.NewQuestions()
	const n = 60
	want := make([][]Match, n)
	for i := range want {
		r := ix.m.score(qs.Text(900_000+i), ix.m.visibleIDs(ix.cfg.DefaultLocale), ix.cal.Load())
		want[i] = matchesOf(r)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4*n)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				got := matchesOf(ix.m.score(qs.Text(900_000+i), ix.m.visibleIDs(ix.cfg.DefaultLocale), ix.cal.Load()))
				if !slices.Equal(got, want[i]) {
					errs <- qs.Text(900_000 + i)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for q := range errs {
		t.Errorf("%q: concurrent ranking differs from the one alone", q)
	}
}

// matchesOf is the ids and confidences of a ranking.
func matchesOf(rs []ranked) []Match {
	out := make([]Match, len(rs))
	for i, r := range rs {
		out[i] = Match{ID: r.id, Confidence: r.conf}
	}
	return out
}
