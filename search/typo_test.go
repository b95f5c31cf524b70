package search

import (
	"math/rand/v2"
	"testing"
)

// bruteClosest is closestWithin as it was before the typo index: the edit
// distance to every word of every candidate article.
func (m *model) bruteClosest(t string, arts []*artModel, maxD int) string {
	best, bestD, bestDF := "", maxD+1, 0
	for _, a := range arts {
		for _, id := range a.tids {
			w := m.ids.names[id]
			if isBigram(w) {
				continue
			}
			d := editDistance(t, w, maxD)
			if d < bestD || (d == bestD && m.unitDF[w] > bestDF) || (d == bestD && m.unitDF[w] == bestDF && w < best) {
				best, bestD, bestDF = w, d, m.unitDF[w]
			}
		}
	}
	if bestD <= maxD {
		return best
	}
	return ""
}

// TestTypoIndexFindsWhatComparingEveryWordFinds: the typo index corrects
// a word to the same word of the candidate articles as comparing it with
// each of their words, for every kind of slip at distance 1 and 2, for
// all articles and for a few of them, and after articles left.
func TestTypoIndexFindsWhatComparingEveryWordFinds(t *testing.T) {
	docs := GenerateKB(3, 120)
	ix := mustIndex(t, docs...)
	m := ix.m
	var vocab []string
	for w := range m.artDF {
		if !isBigram(w) {
			vocab = append(vocab, w)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const letters = "abcdefghijklmnopqrstuvwxyzé"
	slip := func(w string) string {
		r := []rune(w)
		if len(r) == 0 {
			return "x"
		}
		i := rng.IntN(len(r))
		switch rng.IntN(4) {
		case 0: // substitute
			r[i] = []rune(letters)[rng.IntN(27)]
		case 1: // delete
			r = append(r[:i], r[i+1:]...)
		case 2: // insert
			r = append(r[:i], append([]rune{[]rune(letters)[rng.IntN(27)]}, r[i:]...)...)
		default: // swap
			if i+1 < len(r) {
				r[i], r[i+1] = r[i+1], r[i]
			}
		}
		return string(r)
	}
	check := func(arts []*artModel, n int) {
		t.Helper()
		for k := 0; k < n; k++ {
			w := vocab[rng.IntN(len(vocab))]
			q := slip(w)
			if rng.IntN(2) == 0 {
				q = slip(q)
			}
			for maxD := 1; maxD <= 2; maxD++ {
				got, want := m.closestWithin(q, arts, maxD), m.bruteClosest(q, arts, maxD)
				if got != want {
					t.Fatalf("closestWithin(%q, %d articles, %d)=%q, want %q", q, len(arts), maxD, got, want)
				}
			}
		}
	}
	m.mu.RLock()
	var all []*artModel
	for _, a := range m.arts {
		all = append(all, a)
	}
	check(all, 1000)
	check(all[:20], 1000)
	m.mu.RUnlock()
	// Words of articles removed stay filed but are no longer proposed.
	var gone []string
	for _, a := range all[:60] {
		gone = append(gone, a.id)
	}
	for _, id := range gone {
		m.remove(id)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var left []*artModel
	for _, a := range m.arts {
		left = append(left, a)
	}
	check(left, 1000)
}
