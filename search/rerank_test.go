package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// TestRerankerLearnsWhatAnswers: when the first stage puts a sibling first
// and only a field-aware signal (the question's rarest word in the
// article) marks the article that answers, the second stage learns to put
// that article first.
func TestRerankerLearnsWhatAnswers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	list := func() ([]ranked, int) {
		out := make([]ranked, 6)
		right := r.IntN(3)
		for i := range out {
			out[i].id = fmt.Sprint(i)
			out[i].oconf = 0.9 - 0.1*float64(i) + 0.02*r.Float64()
			out[i].ofeats.Nearest = out[i].oconf
			if i == right {
				out[i].ofeats.TopCov = 1
			}
		}
		return out, right
	}
	var lists []rankList
	for i := 0; i < 300; i++ {
		rk, right := list()
		lists = append(lists, newRankList(rk, rk[right].id))
	}
	rr := fitReranker(lists)
	if rr == nil {
		t.Fatal("no second stage learnt from 300 questions")
	}
	first := 0
	for i := 0; i < 200; i++ {
		rk, right := list()
		want := rk[right].id
		rr.reorder(rk)
		if rk[0].id == want {
			first++
		}
		if rk[0].rprob < rk[1].rprob {
			t.Fatalf("reordered list not by share: %v", rk)
		}
	}
	if first < 190 {
		t.Errorf("answering article first for %d of 200 questions, want >= 190", first)
	}
	if fitReranker(lists[:rerankMinLists-1]) != nil {
		t.Errorf("learnt from %d questions, fewer than rerankMinLists", rerankMinLists-1)
	}
}

// TestSecondStageOrdersSuggestionsToo: building an index learns the second
// stage, and the suggestions' order (ordering) is the results page's
// (score) for the same candidates.
func TestSecondStageOrdersSuggestionsToo(t *testing.T) {
	docs := GenerateKB(9, 40)
	ix := mustIndex(t, docs...)
	cal := ix.cal.Load()
	if cal == nil || cal.rerank == nil {
		t.Fatal("no second stage learnt for 40 articles")
	}
	var ids []string
	for _, d := range docs {
		if d.Published {
			ids = append(ids, d.ID)
		}
	}
	differ := 0
	for _, q := range GenerateQueries(9, docs, 40) {
		s := ix.m.score(q, ids, cal)
		o := ix.m.ordering(q, ids, cal)
		for i := 0; i < min(5, len(s)); i++ {
			if s[i].id != o[i].id {
				t.Errorf("%q: results page %s at %d, suggestions %s", q, s[i].id, i, o[i].id)
				break
			}
		}
		first := ix.m.score(q, ids, &calibrator{mean: cal.mean, scale: cal.scale, w: cal.w, b: cal.b})
		if first[0].id != s[0].id {
			differ++
		}
	}
	t.Logf("second stage changed the first answer of %d of 40 questions", differ)
}

// BenchmarkRetrieveSecondStage measures Retrieve on questions never asked
// before (no cache) on a development set, with and without the second
// stage, in CPU time per question (hint3, where the stage is kept):
// go test ./search -run '^$' -bench RetrieveSecondStage -benchtime 2000x
func BenchmarkRetrieveSecondStage(b *testing.B) {
	docs, qs, err := LoadEvalSet(filepath.Join(evalDir, "hint3-sofmattress"))
	if err != nil {
		b.Skip(err)
	}
	ix, err := NewMemory(Config{CacheSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Rebuild(context.Background(), docs); err != nil {
		b.Fatal(err)
	}
	two := ix.cal.Load()
	if two == nil || two.rerank == nil {
		b.Skip("no second stage kept on this knowledge base")
	}
	one := *two
	one.rerank = nil
	for _, c := range []struct {
		name string
		cal  *calibrator
	}{{"first-stage", &one}, {"two-stage", two}} {
		b.Run(c.name, func(b *testing.B) {
			ix.cal.Store(c.cal)
			ctx := context.Background()
			reportCPU(b)
			for i := 0; b.Loop(); i++ {
				// A number makes every question new to any cache.
				q := fmt.Sprintf("%s %d", qs[i%len(qs)].Query, i)
				if _, err := ix.Retrieve(ctx, Question{Text: q}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
