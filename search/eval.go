package search

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"time"
)

// EvalResult holds the figures of one evaluation run.
type EvalResult struct {
	Articles int `json:"articles"`
	Queries  int `json:"queries"`
	// InScopeTop1, MRR10 and Recall5 are over queries with an expected
	// article: best match right, mean reciprocal rank in the top 10, and
	// expected article in the top 5.
	InScopeTop1 float64 `json:"in_scope_top1"`
	MRR10       float64 `json:"mrr10"`
	Recall5     float64 `json:"recall5"`
	// OOSRecall is the share of out-of-scope queries handed off.
	OOSRecall float64 `json:"oos_recall"`
	// OverallAccuracy is the share of all queries answered with the
	// expected article or, when out of scope, handed off.
	OverallAccuracy float64 `json:"overall_accuracy"`
	// P50Ms and P99Ms are Retrieve latencies in milliseconds.
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
	// ECE is the expected calibration error of the confidence read as the
	// probability that the best match is the right answer (for an
	// out-of-scope query no answer is right), over Reliability's bins.
	ECE float64 `json:"ece"`
	// Reliability is the reliability table behind ECE: per confidence
	// bin, how many queries fell in it, their mean confidence and how
	// often the best match was right.
	Reliability []ReliabilityBin `json:"reliability"`
	// Threshold is the hand-off threshold Retrieve used: fitted on the
	// knowledge base (see calibrate.go) unless configured.
	Threshold float64 `json:"threshold"`

	// Outcomes has one entry per query, for error analysis; it is left
	// out of the JSON figures.
	Outcomes []EvalOutcome `json:"-"`
}

// ReliabilityBin is one row of a reliability table: the queries whose
// confidence fell in [Lo, Hi).
type ReliabilityBin struct {
	Lo         float64 `json:"lo"`
	Hi         float64 `json:"hi"`
	Count      int     `json:"n"`
	Confidence float64 `json:"confidence"` // mean confidence
	Accuracy   float64 `json:"accuracy"`   // share whose best match was right
}

// reliabilityBins is the number of equal-width confidence bins of the
// reliability table and ECE.
const reliabilityBins = 10

// calibration computes the reliability table and the expected calibration
// error of confidences against whether the best match was right.
func calibration(conf []float64, right []bool) ([]ReliabilityBin, float64) {
	bins := make([]ReliabilityBin, reliabilityBins)
	sumC := make([]float64, reliabilityBins)
	hits := make([]int, reliabilityBins)
	for i := range bins {
		bins[i].Lo = round4(float64(i) / reliabilityBins)
		bins[i].Hi = round4(float64(i+1) / reliabilityBins)
	}
	for i, c := range conf {
		b := min(max(int(c*reliabilityBins), 0), reliabilityBins-1)
		bins[b].Count++
		sumC[b] += c
		if right[i] {
			hits[b]++
		}
	}
	var ece float64
	out := bins[:0]
	for i, b := range bins {
		if b.Count == 0 {
			continue
		}
		mc := sumC[i] / float64(b.Count)
		acc := float64(hits[i]) / float64(b.Count)
		ece += float64(b.Count) / float64(max(len(conf), 1)) * math.Abs(mc-acc)
		b.Confidence, b.Accuracy = round4(mc), round4(acc)
		out = append(out, b)
	}
	return out, round4(ece)
}

// EvalOutcome is what Retrieve did with one labelled query.
type EvalOutcome struct {
	Query      EvalQuery
	Got        string // best match ID, empty when there was none
	Decision   Decision
	Confidence float64
	Correct    bool
}

// Evaluate indexes articles in a fresh in-memory index and runs every
// query through Retrieve, the same call FAQ search and the bot make, with
// the default configuration.
func Evaluate(ctx context.Context, articles []Doc, queries []EvalQuery) (EvalResult, error) {
	return EvaluateConfig(ctx, Config{}, articles, queries)
}

// EvaluateConfig is Evaluate with an explicit index configuration.
func EvaluateConfig(ctx context.Context, cfg Config, articles []Doc, queries []EvalQuery) (EvalResult, error) {
	ix, err := NewMemory(cfg)
	if err != nil {
		return EvalResult{}, fmt.Errorf("evaluate: %w", err)
	}
	defer ix.Close()
	docs := make([]Doc, len(articles))
	for i, a := range articles {
		a.Published = true
		a.Locale = ""
		docs[i] = a
	}
	if err := ix.Rebuild(ctx, docs); err != nil {
		return EvalResult{}, fmt.Errorf("evaluate: %w", err)
	}
	if cfg.confidence != nil {
		ix.m.conf = cfg.confidence
	}
	runs := make([]evalRun, 0, len(queries))
	lat := make([]float64, 0, len(queries))
	for _, q := range queries {
		start := time.Now()
		r, err := ix.Retrieve(ctx, Question{Text: q.Query, Limit: 10})
		if err != nil {
			return EvalResult{}, fmt.Errorf("evaluate: query %s: %w", q.ID, err)
		}
		lat = append(lat, float64(time.Since(start).Microseconds())/1000)
		run := evalRun{q: q, decision: r.Decision, confidence: r.Confidence}
		for _, m := range r.Matches {
			run.ranked = append(run.ranked, m.ID)
		}
		runs = append(runs, run)
	}
	res := scoreRuns(runs)
	res.Articles = len(docs)
	res.Threshold = round4(ix.threshold(ix.cfg.DefaultLocale))
	res.P50Ms = percentile(lat, 50)
	res.P99Ms = percentile(lat, 99)
	return res, nil
}

// evalRun is what Retrieve returned for one labelled query.
type evalRun struct {
	q          EvalQuery
	ranked     []string // match IDs, best first
	decision   Decision
	confidence float64
}

// scoreRuns computes the quality figures of an evaluation.
func scoreRuns(runs []evalRun) EvalResult {
	res := EvalResult{Queries: len(runs)}
	var inScope, oos, top1, rec5, handedOff, correct int
	var mrr float64
	confs := make([]float64, 0, len(runs))
	rights := make([]bool, 0, len(runs))
	for _, r := range runs {
		o := EvalOutcome{Query: r.q, Decision: r.decision, Confidence: r.confidence}
		if len(r.ranked) > 0 {
			o.Got = r.ranked[0]
		}
		if r.q.Expect == "" {
			oos++
			if r.decision == DecisionHandoff {
				handedOff++
				o.Correct = true
			}
		} else {
			inScope++
			if o.Got == r.q.Expect {
				top1++
			}
			for i, id := range r.ranked {
				if i == 10 {
					break
				}
				if id == r.q.Expect {
					mrr += 1 / float64(i+1)
					if i < 5 {
						rec5++
					}
					break
				}
			}
			o.Correct = o.Got == r.q.Expect && r.decision == DecisionAnswer
		}
		if o.Correct {
			correct++
		}
		confs = append(confs, r.confidence)
		rights = append(rights, r.q.Expect != "" && o.Got == r.q.Expect)
		res.Outcomes = append(res.Outcomes, o)
	}
	res.InScopeTop1 = ratio(top1, inScope)
	res.MRR10 = round4(mrr / math.Max(float64(inScope), 1))
	res.Recall5 = ratio(rec5, inScope)
	res.OOSRecall = ratio(handedOff, oos)
	res.OverallAccuracy = ratio(correct, len(runs))
	res.Reliability, res.ECE = calibration(confs, rights)
	return res
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return round4(float64(n) / float64(d))
}

func round4(x float64) float64 { return math.Round(x*10000) / 10000 }

// percentile returns the nearest-rank percentile p of xs (milliseconds),
// sorting xs in place.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	i := int(math.Ceil(p/100*float64(len(xs)))) - 1
	i = min(max(i, 0), len(xs)-1)
	return math.Round(xs[i]*1000) / 1000
}

// WriteSummary prints an evaluation result for people.
func WriteSummary(w io.Writer, name string, r EvalResult) error {
	_, err := fmt.Fprintf(w, `%s: %d articles, %d queries
  overall accuracy   %5.1f%%  (right answer, or hand-off when out of scope)
  in-scope top-1     %5.1f%%
  in-scope MRR@10    %.3f
  in-scope recall@5  %5.1f%%
  out-of-scope handed off %5.1f%%
  latency p50 %.2f ms, p99 %.2f ms
`, name, r.Articles, r.Queries, 100*r.OverallAccuracy, 100*r.InScopeTop1, r.MRR10,
		100*r.Recall5, 100*r.OOSRecall, r.P50Ms, r.P99Ms)
	if err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if _, err := fmt.Fprintf(w, "  hand-off below confidence %.3f (fitted on the knowledge base)\n  calibration: expected calibration error %.3f\n    confidence     queries  mean conf  right\n", r.Threshold, r.ECE); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	for _, b := range r.Reliability {
		if _, err := fmt.Fprintf(w, "    [%.1f, %.1f)  %7d  %9.3f  %5.3f\n", b.Lo, b.Hi, b.Count, b.Confidence, b.Accuracy); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
	}
	return nil
}

// WriteFailures prints every query the evaluation got wrong: the query, the
// article expected (or "hand-off"), what was answered (or "hand-off") and
// the confidence.
func WriteFailures(w io.Writer, r EvalResult) error {
	n := 0
	for _, o := range r.Outcomes {
		if o.Correct {
			continue
		}
		n++
		want := o.Query.Expect
		if want == "" {
			want = "(hand-off)"
		}
		got := o.Got
		if o.Decision != DecisionAnswer || got == "" {
			got = "(hand-off; best " + orNone(o.Got) + ")"
		}
		if _, err := fmt.Fprintf(w, "MISS %q\n  expected %s\n  answered %s  confidence %.3f\n", o.Query.Query, want, got, o.Confidence); err != nil {
			return fmt.Errorf("write failures: %w", err)
		}
	}
	if _, err := fmt.Fprintf(w, "%d misses of %d queries\n", n, len(r.Outcomes)); err != nil {
		return fmt.Errorf("write failures: %w", err)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
