package search

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestScoreRuns(t *testing.T) {
	q := func(id, expect string) EvalQuery { return EvalQuery{ID: id, Query: id, Expect: expect} }
	runs := []evalRun{
		{q: q("1", "a"), ranked: []string{"a", "b"}, decision: DecisionAnswer, confidence: 0.95},                     // right, answered
		{q: q("2", "a"), ranked: []string{"b", "a"}, decision: DecisionAnswer, confidence: 0.85},                     // rank 2, wrong answer
		{q: q("3", "c"), ranked: []string{"c"}, decision: DecisionHandoff, confidence: 0.15},                         // right but handed off
		{q: q("4", "d"), ranked: []string{"x", "y", "z", "w", "v", "d"}, decision: DecisionAnswer, confidence: 0.05}, // rank 6
		{q: q("5", ""), ranked: []string{"a"}, decision: DecisionHandoff, confidence: 0.05},                          // oos, handed off
		{q: q("6", ""), ranked: []string{"a"}, decision: DecisionAnswer, confidence: 0.95},                           // oos, answered
	}
	got := scoreRuns(runs)
	got.Outcomes = nil
	want := EvalResult{
		Queries:         6,
		InScopeTop1:     0.5,                               // 1 and 3
		MRR10:           round4((1 + 0.5 + 1 + 1.0/6) / 4), // ranks 1,2,1,6
		Recall5:         0.75,                              // all but 4
		OOSRecall:       0.5,                               // 5
		OverallAccuracy: round4(2.0 / 6),                   // 1 and 5
		// Best match right: 1 and 3. Bins: 4 and 5 (0.05, none right),
		// 3 (0.15, right), 2 (0.85, wrong), 1 and 6 (0.95, one right).
		Reliability: []ReliabilityBin{
			{Lo: 0, Hi: 0.1, Count: 2, Confidence: 0.05, Accuracy: 0},
			{Lo: 0.1, Hi: 0.2, Count: 1, Confidence: 0.15, Accuracy: 1},
			{Lo: 0.8, Hi: 0.9, Count: 1, Confidence: 0.85, Accuracy: 0},
			{Lo: 0.9, Hi: 1, Count: 2, Confidence: 0.95, Accuracy: 0.5},
		},
		ECE: round4((2*0.05 + 0.85 + 0.85 + 2*0.45) / 6),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("scoreRuns=%+v, want %+v", got, want)
	}
}

func TestEvalJSON(t *testing.T) {
	b, err := json.Marshal(EvalResult{Articles: 1, Outcomes: []EvalOutcome{{}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"articles":1,"queries":0,"in_scope_top1":0,"mrr10":0,"recall5":0,"oos_recall":0,"overall_accuracy":0,"p50_ms":0,"p99_ms":0,"ece":0,"reliability":null,"threshold":0}`
	if got := string(b); got != want {
		t.Fatalf("json=%s, want %s", got, want)
	}
}

func TestReadEvalFormats(t *testing.T) {
	docs, err := ReadArticles(strings.NewReader(`{"id": "a", "title": "A", "body": "", "phrasings": ["p1", "p2"], "category": "c"}` + "\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].ID != "a" || len(docs[0].Phrasings) != 2 || !docs[0].Published {
		t.Fatalf("docs=%+v", docs)
	}
	qs, err := ReadQueries(strings.NewReader(`{"id": "1", "query": "q", "expect": "a"}
{"id": "2", "query": "r", "expect": null}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []EvalQuery{{"1", "q", "a"}, {"2", "r", ""}}; len(qs) != 2 || qs[0] != want[0] || qs[1] != want[1] {
		t.Fatalf("queries=%+v, want %+v", qs, want)
	}
}

func TestEvaluateTiny(t *testing.T) {
	res, err := Evaluate(context.Background(), testDocs[:3], []EvalQuery{
		{ID: "1", Query: "where is my parcel", Expect: "delivery"},
		{ID: "2", Query: "what is the capital of peru"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.OverallAccuracy, 1.0; got != want {
		t.Fatalf("overall_accuracy=%v, want %v (%+v)", got, want, res.Outcomes)
	}
}
