package search

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"unicode/utf8"
)

// rankScratch is rank's working space for one question: the query's
// vectors by term number and the per-candidate figures, kept between
// questions so that a question allocates little beyond its answer.
type rankScratch struct {
	words, chars dvec
	sorted       []string
	wts          []float64
	grams        []qgram
	runes        []rune
	buf          []byte
	feats        []features
	lls          []float64
	order        []int32
}

// qgram is one trigram occurrence of a query: its runes (for the order
// of the vector's keys, see sortedKeys), the IDF of its word and its
// number, if it has one.
type qgram struct {
	key [3]rune
	w   float64
	id  uint32
	ok  bool
}

var rankScratches = sync.Pool{New: func() any { return new(rankScratch) }}

// queryVecs sets sc.words and sc.chars to the vectors newUnitRep(m,
// terms) makes, bit for bit, straight in term numbers: no map per
// question and no string per trigram. The weights are summed and
// normalised in the order normalise sums them, that of the keys as
// strings (for trigrams, of their runes, which is the same order);
// entries without a number are in no article and only count for the
// norm. m.mu must be read-locked.
func (m *model) queryVecs(sc *rankScratch, terms []string) {
	ids := m.ids
	sc.words.reset(len(ids.names))
	sc.chars.reset(len(ids.grams))

	// Words: TF-IDF with sublinear term frequency (wordVec).
	sorted := append(sc.sorted[:0], terms...)
	slices.Sort(sorted)
	uniq, wts := sorted[:0], sc.wts[:0]
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j] == sorted[i] {
			j++
		}
		t := sorted[i]
		wts = append(wts, (1+math.Log(float64(j-i)))*idf(m, t))
		uniq = append(uniq, t)
		i = j
	}
	n := norm(wts)
	for k, t := range uniq {
		if id, ok := ids.words[t]; ok {
			w := wts[k]
			if n != 0 {
				w /= n
			}
			sc.words.set(id, w)
		}
	}
	clear(sorted) // no strings kept alive by the pool
	sc.sorted, sc.wts = sorted[:0], wts[:0]

	// Trigrams of the padded words, weighted by the word's IDF (charVec).
	grams, r := sc.grams[:0], sc.runes
	for _, t := range terms {
		if isBigram(t) {
			continue
		}
		w := idf(m, t)
		r = append(r[:0], ' ')
		for _, c := range t {
			r = append(r, c)
		}
		r = append(r, ' ')
		var gs []uint32
		if tid, ok := ids.words[t]; ok {
			gs = ids.gramsOf(tid)
		}
		for i := 0; i+3 <= len(r); i++ {
			g := qgram{key: [3]rune{r[i], r[i+1], r[i+2]}, w: w}
			if len(gs) == len(r)-2 {
				g.id, g.ok = gs[i], true
			} else {
				b := utf8.AppendRune(utf8.AppendRune(utf8.AppendRune(sc.buf[:0], g.key[0]), g.key[1]), g.key[2])
				g.id, g.ok = ids.grams[string(b)]
				sc.buf = b
			}
			grams = append(grams, g)
		}
	}
	sc.runes = r
	// Stable: a trigram's weights add up in the order of its words, as
	// charVec's += adds them.
	slices.SortStableFunc(grams, func(x, y qgram) int {
		for i := range x.key {
			if c := cmp.Compare(x.key[i], y.key[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	runs := grams[:0]
	for i := 0; i < len(grams); {
		g := grams[i]
		var s float64
		j := i
		for ; j < len(grams) && grams[j].key == g.key; j++ {
			s += grams[j].w
		}
		g.w = s
		runs = append(runs, g)
		i = j
	}
	wts = sc.wts[:0]
	for _, g := range runs {
		wts = append(wts, g.w)
	}
	n = norm(wts)
	for _, g := range runs {
		if g.ok {
			w := g.w
			if n != 0 {
				w /= n
			}
			sc.chars.set(g.id, w)
		}
	}
	sc.grams, sc.wts = grams[:0], wts[:0]
}

// norm is the L2 norm of ws summed in their order, as normalise sums.
func norm(ws []float64) float64 {
	var n float64
	for _, w := range ws {
		n += w * w
	}
	return math.Sqrt(n)
}
