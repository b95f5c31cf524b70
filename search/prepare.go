package search

import (
	"math"
	"slices"
	"sync"
)

// prepScratch is prepareNumbered's working space: dense accumulators by
// term and trigram number, and the numbers touched, so that an article's
// vectors are summed without a map (and without a string per trigram).
// Entries are zero between uses: every weight added is positive, so zero
// means untouched.
type prepScratch struct {
	wAcc, gAcc   []float64 // one unit's term counts, then trigram weights
	cwAcc, cgAcc []float64 // the article's centroids
	wSeen, gSeen []uint32  // numbers touched in wAcc, gAcc (in order)
	cwSeen       []uint32
	cgSeen       []uint32
	terms        []string // wSeen's terms
	flat         []uint32 // the numbers of the article's terms, unit after unit
}

var prepScratches = sync.Pool{New: func() any { return new(prepScratch) }}

func growZero(s []float64, n int) []float64 {
	if len(s) >= n {
		return s
	}
	return make([]float64, n+n/4)
}

// prepareNumbered builds an article's vectors (see prepared) straight in
// term numbers: the vectors newUnitRep makes, entry for entry, in the
// order the terms first occur rather than a map's. m.mu must be
// read-locked.
func (m *model) prepareNumbered(a *artModel) *prepared {
	ids := m.ids
	sc := prepScratches.Get().(*prepScratch)
	defer prepScratches.Put(sc)
	sc.wAcc = growZero(sc.wAcc, len(ids.words))
	sc.cwAcc = growZero(sc.cwAcc, len(ids.words))
	sc.gAcc = growZero(sc.gAcc, len(ids.grams))
	sc.cgAcc = growZero(sc.cgAcc, len(ids.grams))

	sc.flat = sc.flat[:0]
	for _, u := range a.units {
		for _, t := range u.terms {
			id, ok := ids.words[t]
			if !ok {
				// Not numbered: no article has it, which cannot be for an
				// article's own term; the map-built vectors handle it.
				return m.prepareByMaps(a)
			}
			sc.flat = append(sc.flat, id)
		}
	}

	p := &prepared{weights: make([]float64, 0, len(a.units))}
	var head []uint32
	var words, chars svec
	off := 0
	for _, u := range a.units {
		uids := sc.flat[off : off+len(u.terms)]
		off += len(u.terms)
		// Word vector: TF-IDF with sublinear term frequency (wordVec).
		sc.wSeen, sc.terms = sc.wSeen[:0], sc.terms[:0]
		for k, t := range u.terms {
			id := uids[k]
			if sc.wAcc[id] == 0 {
				sc.wSeen = append(sc.wSeen, id)
				sc.terms = append(sc.terms, t)
			}
			sc.wAcc[id]++
			if u.weight == weightPhrasing {
				head = append(head, id)
			}
		}
		for k, id := range sc.wSeen {
			sc.wAcc[id] = (1 + math.Log(sc.wAcc[id])) * idf(m, sc.terms[k])
		}
		sc.cwSeen = words.appendUnit(sc.wAcc, sc.wSeen, sc.cwAcc, sc.cwSeen, u.weight)

		// Trigram vector, weighted by the IDF of the word (charVec).
		sc.gSeen = sc.gSeen[:0]
		for k, t := range u.terms {
			gs := ids.gramsOf(uids[k])
			if len(gs) == 0 {
				continue // a bigram
			}
			w := idf(m, t)
			for _, g := range gs {
				if sc.gAcc[g] == 0 {
					sc.gSeen = append(sc.gSeen, g)
				}
				sc.gAcc[g] += w
			}
		}
		sc.cgSeen = chars.appendUnit(sc.gAcc, sc.gSeen, sc.cgAcc, sc.cgSeen, u.weight)
		p.weights = append(p.weights, u.weight)
	}
	p.centW = centroid(sc.cwAcc, sc.cwSeen)
	p.centC = centroid(sc.cgAcc, sc.cgSeen)
	sc.cwSeen, sc.cgSeen = sc.cwSeen[:0], sc.cgSeen[:0]
	p.words, p.chars = words.clip(), chars.clip()
	slices.Sort(head)
	p.head = slices.Clip(slices.Compact(head))
	return p
}

// centroid normalises the accumulated centroid acc over the numbers in
// seen into a one-vector svec, and zeroes acc.
func centroid(acc []float64, seen []uint32) svec {
	var n float64
	for _, id := range seen {
		n += acc[id] * acc[id]
	}
	n = math.Sqrt(n)
	s := svec{ids: make([]uint32, 0, len(seen)), ws: make([]float32, 0, len(seen)), ends: []int32{int32(len(seen))}}
	for _, id := range seen {
		w := acc[id]
		if n != 0 {
			w /= n
		}
		acc[id] = 0
		s.ids = append(s.ids, id)
		s.ws = append(s.ws, float32(w))
	}
	return s
}

// clip returns s with its slices at their length: kept for every
// article, spare capacity would be memory for nothing.
func (s svec) clip() svec {
	return svec{ids: slices.Clip(s.ids), ws: slices.Clip(s.ws), ends: slices.Clip(s.ends)}
}

// prepareByMaps builds an article's vectors through newUnitRep's maps: the
// definition prepareNumbered follows (and is tested against), and its
// fallback for a term without a number.
func (m *model) prepareByMaps(a *artModel) *prepared {
	p := &prepared{weights: make([]float64, 0, len(a.units))}
	centW, centC := vec{}, vec{}
	for _, u := range a.units {
		if u.weight == weightPhrasing {
			for _, t := range u.terms {
				if id, ok := m.ids.words[t]; ok {
					p.head = append(p.head, id)
				}
			}
		}
		r := newUnitRep(m, u.terms)
		p.words.append(r.words, m.ids.words)
		p.chars.append(r.chars, m.ids.grams)
		p.weights = append(p.weights, u.weight)
		for k, w := range r.words {
			centW[k] += w * u.weight
		}
		for k, w := range r.chars {
			centC[k] += w * u.weight
		}
	}
	p.centW.append(normalise(centW), m.ids.words)
	p.centC.append(normalise(centC), m.ids.grams)
	slices.Sort(p.head)
	p.head = slices.Compact(p.head)
	return p
}

// prepareAll prepares every article's vectors for the model's current
// statistics (and its ordering twin's), so that no question pays for a
// candidate's first preparation: on a 10,000-article help centre that was
// a quarter of a new question's time, until every article had come up.
// It locks the model one article at a time, so searches and writes go on
// meanwhile; a write (which makes every vector stale) ends it early.
func (m *model) prepareAll() {
	for _, mm := range []*model{m, m.order} {
		if mm == nil {
			continue
		}
		mm.mu.RLock()
		ver := mm.version
		arts := make([]*artModel, 0, len(mm.arts))
		for _, a := range mm.arts {
			arts = append(arts, a)
		}
		mm.mu.RUnlock()
		for _, a := range arts {
			mm.mu.RLock()
			if mm.version != ver {
				mm.mu.RUnlock()
				return
			}
			mm.prepare(a)
			mm.mu.RUnlock()
		}
	}
}

// appendUnit appends one unit to v: the weights in acc at the numbers in
// seen (in that order), scaled to unit length. It zeroes them in acc for the
// next unit and adds them, times weight, to the article's centroid
// accumulator cacc, whose touched numbers it returns with cseen.
func (v *svec) appendUnit(acc []float64, seen []uint32, cacc []float64, cseen []uint32, weight float64) []uint32 {
	var n float64
	for _, id := range seen {
		n += acc[id] * acc[id]
	}
	n = math.Sqrt(n)
	for _, id := range seen {
		w := acc[id]
		if n != 0 {
			w /= n
		}
		acc[id] = 0
		v.ids = append(v.ids, id)
		v.ws = append(v.ws, float32(w))
		if cacc[id] == 0 {
			cseen = append(cseen, id)
		}
		cacc[id] += w * weight
	}
	v.ends = append(v.ends, int32(len(v.ids)))
	return cseen
}
