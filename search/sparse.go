package search

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
	// names lists the terms by number.
	names []string
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
	ids.names = append(ids.names, t)
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
	ws   []float32
	ends []int32
}

// append adds v as the next vector, in its keys' order (dot products sum
// in the vector's order: see sortedKeys); terms without a number are left
// out (no article has them).
func (s *svec) append(v vec, ids map[string]uint32) {
	for _, t := range sortedKeys(v) {
		if id, ok := ids[t]; ok {
			s.ids = append(s.ids, id)
			s.ws = append(s.ws, float32(v[t]))
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

// dvec is a query's vector held densely by term number, for the many dot
// products of a question with its candidates' vectors: one load per entry
// of the other vector, where a bitmap and a hash table took several. Its
// slice comes from a pooled scratch and is sized to the model's terms;
// touched lists the numbers set, so that it is zeroed for the next use.
type dvec struct {
	w       []float64
	touched []uint32
}

// reset zeroes the entries set and makes room for n numbers.
func (d *dvec) reset(n int) {
	for _, id := range d.touched {
		d.w[id] = 0
	}
	d.touched = d.touched[:0]
	if len(d.w) < n {
		d.w = make([]float64, n+n/4)
	}
}

func (d *dvec) set(id uint32, w float64) {
	d.w[id] = w
	d.touched = append(d.touched, id)
}

// dot is the dot product of d with vector k of s, summed in s's order (see
// sortedKeys).
func (d *dvec) dot(s *svec, k int) float64 {
	lo, hi := s.span(k)
	var sum float64
	for i := lo; i < hi; i++ {
		if id := s.ids[i]; int(id) < len(d.w) {
			if w := d.w[id]; w != 0 {
				sum += w * float64(s.ws[i])
			}
		}
	}
	return sum
}
