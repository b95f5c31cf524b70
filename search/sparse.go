package search

import "math/bits"

// termIDs numbers the terms (words and bigrams) and the character
// trigrams of a model's articles, so that an article's prepared vectors
// are slices of numbers rather than maps keyed by strings: a tenth of the
// memory, nothing for the garbage collector to walk, and a dot product
// without hashing strings. Numbers are given when an article brings a
// term the model did not have (insertLocked, under the model's write
// lock) and never taken back, so while a model is read-locked every term
// of its articles has one, and a query's term without one is in no
// article.
type termIDs struct {
	words map[string]uint32
	grams map[string]uint32
	// gramFlat lists each term's trigram numbers in order, repeats kept
	// (charVec counts a repeated trigram twice), none for a bigram: term
	// k's are gramFlat[gramEnds[k-1]:gramEnds[k]]. Preparing an article's
	// vectors then looks up no trigram string (see prepareNumbered).
	gramFlat []uint32
	gramEnds []uint32
}

func newTermIDs() *termIDs {
	return &termIDs{words: map[string]uint32{}, grams: map[string]uint32{}}
}

// add numbers a term and, for a word, its trigrams (see charVec).
func (ids *termIDs) add(t string) {
	if _, ok := ids.words[t]; ok {
		return
	}
	ids.words[t] = uint32(len(ids.words))
	if !isBigram(t) {
		r := []rune(" " + t + " ")
		for i := 0; i+3 <= len(r); i++ {
			g := string(r[i : i+3])
			id, ok := ids.grams[g]
			if !ok {
				id = uint32(len(ids.grams))
				ids.grams[g] = id
			}
			ids.gramFlat = append(ids.gramFlat, id)
		}
	}
	ids.gramEnds = append(ids.gramEnds, uint32(len(ids.gramFlat)))
}

// gramsOf returns the trigram numbers of term number id.
func (ids *termIDs) gramsOf(id uint32) []uint32 {
	var lo uint32
	if id > 0 {
		lo = ids.gramEnds[id-1]
	}
	return ids.gramFlat[lo:ids.gramEnds[id]]
}

// svec is a sparse vector in term numbers: the entries of several
// vectors share its slices, vector k being ids[ends[k-1]:ends[k]].
type svec struct {
	ids  []uint32
	ws   []float64
	ends []int32
}

// append adds v as the next vector, in its keys' order (dot products sum
// in the vector's order: see sortedKeys); terms without a number are left
// out (no article has them).
func (s *svec) append(v vec, ids map[string]uint32) {
	for _, t := range sortedKeys(v) {
		if id, ok := ids[t]; ok {
			s.ids = append(s.ids, id)
			s.ws = append(s.ws, v[t])
		}
	}
	s.ends = append(s.ends, int32(len(s.ids)))
}

// span returns the bounds of vector k.
func (s *svec) span(k int) (int32, int32) {
	var lo int32
	if k > 0 {
		lo = s.ends[k-1]
	}
	return lo, s.ends[k]
}

// qvec is a query's vector, made for many dot products with articles'
// vectors: a bitmap of its term numbers turns away most entries of the
// other vector with one load, and a small open-addressing table gives the
// weight of the rest.
type qvec struct {
	bits  [16]uint64
	keys  []uint32 // term number + 1; 0 is an empty slot
	ws    []float64
	shift uint8
}

func newQvec(v vec, ids map[string]uint32) *qvec {
	n := 8
	for n < 2*len(v) {
		n *= 2
	}
	q := &qvec{keys: make([]uint32, n), ws: make([]float64, n), shift: uint8(32 - bits.TrailingZeros(uint(n)))}
	for t, w := range v {
		id, ok := ids[t]
		if !ok {
			continue
		}
		q.bits[(id>>6)&15] |= 1 << (id & 63)
		for i := q.slot(id); ; i = (i + 1) & uint32(n-1) {
			if q.keys[i] == 0 {
				q.keys[i], q.ws[i] = id+1, w
				break
			}
		}
	}
	return q
}

func (q *qvec) slot(id uint32) uint32 { return (id * 2654435769) >> q.shift }

func (q *qvec) weight(id uint32) float64 {
	if q.bits[(id>>6)&15]&(1<<(id&63)) == 0 {
		return 0
	}
	mask := uint32(len(q.keys) - 1)
	for i := q.slot(id); ; i = (i + 1) & mask {
		switch q.keys[i] {
		case id + 1:
			return q.ws[i]
		case 0:
			return 0
		}
	}
}

// dot is the dot product of q with vector k of s.
func (q *qvec) dot(s *svec, k int) float64 {
	lo, hi := s.span(k)
	var sum float64
	for i := lo; i < hi; i++ {
		if w := q.weight(s.ids[i]); w != 0 {
			sum += w * s.ws[i]
		}
	}
	return sum
}
