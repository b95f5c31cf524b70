package search

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// TestFitLogisticIsCalibrated: on outcomes drawn from a known logistic
// curve, the fitted probabilities match the outcomes' frequencies.
func TestFitLogisticIsCalibrated(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var ss []calSample
	for i := 0; i < 4000; i++ {
		x := r.Float64()*6 - 3
		y := 0.0
		if r.Float64() < 1/(1+math.Exp(-(2*x-1))) {
			y = 1
		}
		ss = append(ss, calSample{x: []float64{x}, y: y, w: 1})
	}
	c := fitLogistic(ss, calRidge)
	conf := make([]float64, len(ss))
	right := make([]bool, len(ss))
	for i, s := range ss {
		conf[i], right[i] = c.prob(s.x), s.y == 1
	}
	if _, ece := calibration(conf, right); ece > 0.03 {
		t.Errorf("ece=%.4f, want <= 0.03", ece)
	}
	for _, x := range []float64{-2, 0.5, 2} {
		want := 1 / (1 + math.Exp(-(2*x - 1)))
		if got := c.prob([]float64{x}); math.Abs(got-want) > 0.05 {
			t.Errorf("p(%g)=%.3f, want %.3f", x, got, want)
		}
	}
}

// TestConfidenceFittedPerKnowledgeBase: building an index fits its
// confidence; the knowledge base's own questions then score well above
// general sentences, the threshold lies between, and a small knowledge base
// falls back to the uncalibrated score.
func TestConfidenceFittedPerKnowledgeBase(t *testing.T) {
	docs := GenerateKB(5, 40)
	ix := mustIndex(t, docs...)
	c := ix.cal.Load()
	if c == nil {
		t.Fatal("no confidence fitted for 40 articles")
	}
	if c.threshold <= 0 || c.threshold >= 1 {
		t.Fatalf("threshold=%.3f, want in (0,1)", c.threshold)
	}
	ctx := context.Background()
	mean := func(texts []string) (float64, int) {
		var sum float64
		answered := 0
		for _, q := range texts {
			r, err := ix.Retrieve(ctx, Question{Text: q})
			if err != nil {
				t.Fatal(err)
			}
			sum += r.Confidence
			if r.Decision == DecisionAnswer {
				answered++
			}
		}
		return sum / float64(len(texts)), answered
	}
	own, ownAnswered := mean(GenerateQueries(5, docs, 60))
	ood, oodAnswered := mean(oodSentences()[:60])
	if own < ood+0.3 {
		t.Errorf("mean confidence: own questions %.3f, general sentences %.3f: want a clear gap", own, ood)
	}
	if ownAnswered < 40 || oodAnswered > 6 {
		t.Errorf("answered %d/60 own questions and %d/60 general sentences", ownAnswered, oodAnswered)
	}

	small := mustIndex(t, docs[:3]...)
	if small.cal.Load() != nil || small.threshold(DefaultLocale) != uncalibratedThreshold {
		t.Errorf("3 articles: fitted %v, threshold %.3f; want the uncalibrated score", small.cal.Load() != nil, small.threshold(DefaultLocale))
	}
}

// TestLargeKnowledgeBaseRefitsInBackground: a write to a large knowledge
// base returns before the confidence is refitted; the refit then replaces
// it while questions are answered.
func TestLargeKnowledgeBaseRefitsInBackground(t *testing.T) {
	docs := GenerateKB(9, 20)
	ix, err := NewMemory(Config{refitUnits: 100})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Rebuild(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	ix.m.mu.RLock()
	units := ix.m.nUnits
	ix.m.mu.RUnlock()
	if units <= 100 {
		t.Fatalf("%d units: too few for a background refit", units)
	}
	before := ix.cal.Load()
	if before == nil {
		t.Fatal("no confidence fitted")
	}
	ctx := context.Background()
	d := docs[0]
	d.Phrasings = append(d.Phrasings, "a brand new way to ask this")
	if err := ix.Upsert(ctx, d); err != nil {
		t.Fatal(err)
	}
	qs := GenerateQueries(9, docs, 20)
	deadline := time.Now().Add(2 * time.Minute)
	for i := 0; ix.cal.Load() == before || ix.refitting.Load(); i++ {
		if time.Now().After(deadline) {
			t.Fatal("confidence not refitted within 2 minutes")
		}
		if _, err := ix.Retrieve(ctx, Question{Text: qs[i%len(qs)]}); err != nil {
			t.Fatal(err)
		}
		runtime.Gosched()
	}
	if c := ix.cal.Load(); c.threshold <= 0 || c.threshold >= 1 {
		t.Fatalf("refitted threshold %.3f", c.threshold)
	}
}
