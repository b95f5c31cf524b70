package search

import (
	"math"
	"testing"
)

// TestGramSimToleratesMisspellings: a misspelt or inflected word stays
// close to the word it stands for, and far from another word.
func TestGramSimToleratesMisspellings(t *testing.T) {
	sim := func(a, b string) float64 { return newGramVec(a).dot(newGramVec(b)) }
	if got := sim("Where is my order?", "where is my order"); math.Abs(got-1) > 1e-6 {
		t.Errorf("same words: %.3f, want 1", got)
	}
	if got := sim("", "where is my order"); got != 0 {
		t.Errorf("empty question: %.3f, want 0", got)
	}
	for _, tt := range []struct{ typed, meant, other string }{
		{"need pliiows", "I need pillows", "I need a refund"},
		{"order not recieved", "my order was not received", "my order was cancelled"},
		{"deliverd late", "delivered late", "paid late"},
	} {
		near, far := sim(tt.typed, tt.meant), sim(tt.typed, tt.other)
		if near <= far {
			t.Errorf("%q: %.3f to %q, %.3f to %q: want closer to the first", tt.typed, near, tt.meant, far, tt.other)
		}
	}
}

// TestConfidenceReadsGramSim: the fitted confidence weighs how closely the
// question resembles the answered article's phrasings letter by letter:
// the closer, the more confident.
func TestConfidenceReadsGramSim(t *testing.T) {
	ix := mustIndex(t, GenerateKB(5, 40)...)
	c := ix.cal.Load()
	if c == nil {
		t.Fatal("no confidence fitted")
	}
	if got, want := len(c.w), 2; got != want {
		t.Fatalf("%d features, want %d", got, want)
	}
	if lo, hi := c.prob(calFeatures(0.3, 0.2)), c.prob(calFeatures(0.3, 0.8)); hi <= lo {
		t.Errorf("confidence %.3f at gram similarity 0.8, %.3f at 0.2: want higher", hi, lo)
	}
}
