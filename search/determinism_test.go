package search

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The same articles give the same index bit for bit, whatever the run and
// whatever the order they come in: every match's confidence, the order of
// the matches and the fitted hand-off threshold. Go randomises the order of
// map iteration on each loop, so a float sum taken in a map's order (a
// vector's norm, a dot product) differs in its last bits from one build to
// the next, and a question near the threshold, or a tie between two
// phrasings the fitting sorts, came out differently from run to run.
func TestIndexIsDeterministic(t *testing.T) {
	dir := filepath.Join(evalDir, "hint3-sofmattress")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no eval sets: %v", err)
	}
	docs, qs, err := LoadEvalSet(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Every third question keeps the test quick; there are over a hundred.
	var texts []string
	for i, q := range qs {
		if i%3 == 0 {
			texts = append(texts, q.Query)
		}
	}
	sameIndexWhateverTheOrder(t, docs, texts)
}

// A knowledge base larger than exhaustiveMax takes its candidates from
// bleve: they too must be the same from one build to the next.
func TestLargeIndexIsDeterministic(t *testing.T) {
	docs := GenerateKB(5, exhaustiveMax+40)
	var texts []string
	for i, d := range docs {
		if i%8 == 0 {
			texts = append(texts, d.Title)
			if len(d.Phrasings) > 0 {
				texts = append(texts, d.Phrasings[len(d.Phrasings)-1])
			}
		}
	}
	texts = append(texts, oodSentences()[:20]...)
	sameIndexWhateverTheOrder(t, docs, texts)
}

// sameIndexWhateverTheOrder builds an index of docs three times, twice
// as given and once reversed, and fails unless every question gets the
// same matches with the same confidences and the threshold is the same.
func sameIndexWhateverTheOrder(t *testing.T, docs []Doc, texts []string) {
	t.Helper()
	reversed := slices.Clone(docs)
	slices.Reverse(reversed)

	type run struct {
		threshold float64
		matches   [][]Match
	}
	build := func(docs []Doc) run {
		t.Helper()
		ctx := context.Background()
		ix, err := NewMemory(Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		if err := ix.Rebuild(ctx, docs); err != nil {
			t.Fatal(err)
		}
		if ix.cal.Load() == nil {
			t.Fatal("no confidence fitted: the test would not cover the fitting")
		}
		r := run{threshold: ix.threshold(ix.cfg.DefaultLocale)}
		for _, q := range texts {
			res, err := ix.Retrieve(ctx, Question{Text: q, Limit: len(docs)})
			if err != nil {
				t.Fatal(err)
			}
			r.matches = append(r.matches, res.Matches)
		}
		return r
	}
	want := build(docs)
	for _, c := range []struct {
		name string
		docs []Doc
	}{{"again", docs}, {"reversed", reversed}} {
		got := build(c.docs)
		if got.threshold != want.threshold {
			t.Errorf("%s: threshold %v, first build %v", c.name, got.threshold, want.threshold)
		}
		for i, q := range texts {
			g, w := got.matches[i], want.matches[i]
			if len(g) != len(w) {
				t.Fatalf("%s: %q: %d matches, first build %d", c.name, q, len(g), len(w))
			}
			for k := range w {
				if g[k].ID != w[k].ID || g[k].Confidence != w[k].Confidence {
					t.Errorf("%s: %q: match %d is %s at %v, first build %s at %v",
						c.name, q, k, g[k].ID, g[k].Confidence, w[k].ID, w[k].Confidence)
					break
				}
			}
		}
	}
}
