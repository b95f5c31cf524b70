package search

import (
	"math"
	"slices"
	"unicode"
	"unicode/utf8"
)

// The confidence reads, besides the ranking's score, how closely the
// question as typed resembles the answered article's own titles and
// phrasings letter by letter: character 3- to 5-grams within each word,
// lower-cased but neither stemmed nor stripped of stop words, with
// sublinear term frequency. Real questions are misspelt, truncated and
// inflected ("pliiows", "recieved", "delivred"); the ranking's analysis
// stems and corrects them, which finds the article but also makes a
// question that only shares a stem with it look as close as one that
// says what its phrasings say. (Measured with the grams weighted by their
// rarity among the knowledge base's phrasings instead: hint3-sofmattress
// about as good, clinc150-banking worse on one seed in two; the plain
// weights need no statistics of the knowledge base.)

// gramVec is a bag of character n-grams: gram hashes, sorted, and their
// L2-normalised weights. 32-bit hashes: two grams of one phrasing seldom
// collide, and the vectors of articles that were answered are kept.
type gramVec struct {
	h []uint32
	w []float32
}

// Gram lengths.
const (
	gramMin = 3
	gramMax = 5
)

// newGramVec returns the character n-grams of s's words, each word padded
// with a space on both sides. (Hashes sorted and counted in place rather
// than in a map: it is computed for every question answered.)
func newGramVec(s string) gramVec {
	hs := make([]uint32, 0, 3*len(s))
	word := make([]rune, 0, 32)
	flush := func() {
		if len(word) == 0 {
			return
		}
		rs := append(append([]rune{' '}, word...), ' ')
		for n := gramMin; n <= gramMax; n++ {
			for i := 0; i+n <= len(rs); i++ {
				hs = append(hs, gramHash(rs[i:i+n]))
			}
		}
		word = word[:0]
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			word = append(word, unicode.ToLower(r))
		} else {
			flush()
		}
	}
	flush()
	slices.Sort(hs)
	v := gramVec{h: make([]uint32, 0, len(hs))}
	var norm float64
	for i := 0; i < len(hs); {
		j := i + 1
		for j < len(hs) && hs[j] == hs[i] {
			j++
		}
		x := 1 + math.Log(float64(j-i))
		v.h = append(v.h, hs[i])
		v.w = append(v.w, float32(x))
		norm += x * x
		i = j
	}
	if norm > 0 {
		norm = math.Sqrt(norm)
		for i := range v.w {
			v.w[i] = float32(float64(v.w[i]) / norm)
		}
	}
	v.h, v.w = slices.Clip(v.h), slices.Clip(v.w)
	return v
}

// gramHash is the 32-bit FNV-1a hash of the gram's UTF-8 bytes.
func gramHash(rs []rune) uint32 {
	const offset, prime = 2166136261, 16777619
	h := uint32(offset)
	var buf [utf8.UTFMax]byte
	for _, r := range rs {
		k := utf8.EncodeRune(buf[:], r)
		for _, b := range buf[:k] {
			h ^= uint32(b)
			h *= prime
		}
	}
	return h
}

// dot is the cosine of two gram vectors (both normalised).
func (v gramVec) dot(u gramVec) float64 {
	var s float64
	i, j := 0, 0
	for i < len(v.h) && j < len(u.h) {
		switch {
		case v.h[i] < u.h[j]:
			i++
		case v.h[i] > u.h[j]:
			j++
		default:
			s += float64(v.w[i]) * float64(u.w[j])
			i++
			j++
		}
	}
	return s
}

// gramSim returns the largest cosine of q to the article's titles and
// phrasings. Their gram vectors are built the first time they are asked
// for (only articles that come first need them) and kept: they depend on
// the article's text alone.
func (a *artModel) gramSim(q gramVec) float64 {
	a.prepMu.Lock()
	if a.grams == nil {
		a.grams = []gramVec{}
		for _, u := range a.units {
			if u.src != "" {
				a.grams = append(a.grams, newGramVec(u.src))
			}
		}
	}
	gs := a.grams
	a.prepMu.Unlock()
	var best float64
	for _, g := range gs {
		best = max(best, q.dot(g))
	}
	return best
}

// gramSimOf is gramSim of the article id of m, 0 when m does not hold it.
func (m *model) gramSimOf(id string, q gramVec) float64 {
	m.mu.RLock()
	a := m.arts[id]
	m.mu.RUnlock()
	if a == nil {
		return 0
	}
	return a.gramSim(q)
}
