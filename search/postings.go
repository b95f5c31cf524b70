package search

import (
	"cmp"
	"container/heap"
	"math"
	"slices"
	"strings"
	"sync"
)

// postings is the deciding model's inverted index over its own analyzed
// articles: for every term number (see termIDs), the articles that use the
// term and how much. On a knowledge base too large to re-rank whole it
// picks the candidates the model then scores (see model.candidateIDs),
// where bleve's search did: bleve scored every matching document of five
// fields twice (exact and fuzzy), built a Levenshtein automaton for every
// new word and allocated a match per hit; this adds a few numbers per
// posting. It holds the articles' raw weighted term counts, which do not
// depend on the corpus statistics: a write changes only the postings of
// the articles written (the weights are computed per question).
//
// The weighted count of a term in an article sums its occurrences in the
// article's units, each counted at the unit's weight times headBoost for
// the title, summary and phrasings: what an editor wrote to say what the
// article is about counts more than what its body mentions, as bleve's
// field boosts had it.
type postings struct {
	lists [][]posting // by term number
	// xwords numbers the terms that only the postings know (an
	// article's tags and late body, see postingExtras) and xlists holds
	// their postings; a term the model numbers later keeps the postings
	// it had here, and a question reads both lists.
	xwords map[string]uint32
	xlists [][]posting
	// By slot number: the article (nil for a free slot), the locale it
	// is published in ("" for a draft) and its weighted length; apart,
	// so that a question's loops read only what they need.
	arts []*artModel
	vis  []string
	lens []float32
	free []uint32 // slots of removed articles, for the next insert
	// totalLen is the sum of the live articles' weighted lengths.
	totalLen float64
	live     int
}

type posting struct {
	slot uint32
	tf   float32 // weighted count
}

// headBoost is how much more a term of the title, summary or phrasings
// counts than one of the body.
const headBoost = 3

// weightTag is what a term of an article's tags counts: a little more
// than one of its body, well below its title and phrasings, as bleve's
// field boosts had it (body 1, tags 1.5, summary 2, phrasings 3, title 4).
const weightTag = 1.0

// xBit marks an extra term's number (see postings.xwords) among an
// article's xids.
const xBit = 1 << 31

func newPostings() *postings { return &postings{xwords: map[string]uint32{}} }

// postingExtras returns the weighted counts of what bleve indexed of an
// article and the model does not keep, for the postings only: its tags
// (words and word pairs), and its body past the sentences the model
// keeps (maxBodyUnits), word by word. A question answered only by a tag
// or a late paragraph then finds its article in a large knowledge base
// too; the model, which decides, still weighs what it keeps.
func (m *model) postingExtras(d Doc) map[string]float32 {
	var out map[string]float32
	add := func(ts []string, w float32) {
		if out == nil && len(ts) > 0 {
			out = map[string]float32{}
		}
		for _, t := range ts {
			out[t] += w
		}
	}
	for _, t := range d.Tags {
		add(m.analyzeQuery(t), weightTag)
	}
	if ss := sentences(d.Body); len(ss) > maxBodyUnits {
		for _, s := range ss[maxBodyUnits:] {
			add(analyzeTerms(m.an, s), weightBody)
		}
	}
	return out
}

// xterm is a term of what only the postings index of an article: the
// model's number of a term it knows, else the postings' own with xBit;
// and its weighted count.
type xterm struct {
	id uint32
	n  float32
}

// numberExtras numbers an article's extra terms (see postingExtras), in
// order of their numbers: a term of the model, or of the article's own
// units (own, which the model numbers as it inserts the article), by the
// model's number; any other by the postings' own. The model's lock must
// be held.
func (p *postings) numberExtras(xtf map[string]float32, own map[string]float64, ids *termIDs) []xterm {
	out := make([]xterm, 0, len(xtf))
	for t, n := range xtf {
		if own[t] > 0 {
			ids.add(t)
		}
		id, ok := ids.words[t]
		if !ok {
			x, ok := p.xwords[t]
			if !ok {
				x = uint32(len(p.xwords))
				p.xwords[t] = x
				p.xlists = append(p.xlists, nil)
			}
			id = x | xBit
		}
		out = append(out, xterm{id, n})
	}
	slices.SortFunc(out, func(x, y xterm) int { return cmp.Compare(x.id, y.id) })
	return out
}

// insert adds an article's postings; ids must number all its terms.
func (p *postings) insert(a *artModel, ids *termIDs) {
	var s uint32
	if n := len(p.free); n > 0 {
		s, p.free = p.free[n-1], p.free[:n-1]
	} else {
		s = uint32(len(p.arts))
		p.arts, p.vis, p.lens = append(p.arts, nil), append(p.vis, ""), append(p.lens, 0)
	}
	a.slot = s
	tf := make(map[uint32]float32, len(a.tids))
	var order []uint32 // terms in the order they first occur
	var n float64
	for _, u := range a.units {
		w := u.weight
		if w == weightPhrasing {
			w *= headBoost
		}
		for _, t := range u.terms {
			id := ids.words[t]
			if _, ok := tf[id]; !ok {
				order = append(order, id)
			}
			tf[id] += float32(w)
			n += w
		}
	}
	for _, x := range a.xterms {
		id, c := x.id, x.n
		n += float64(c)
		if id&xBit != 0 {
			x := id &^ xBit
			p.xlists[x] = append(p.xlists[x], posting{slot: s, tf: c})
			continue
		}
		if _, ok := tf[id]; !ok {
			order = append(order, id)
		}
		tf[id] += c
	}
	for _, id := range order {
		if int(id) >= len(p.lists) {
			p.lists = append(p.lists, make([][]posting, int(id)+1-len(p.lists))...)
		}
		p.lists[id] = append(p.lists[id], posting{slot: s, tf: tf[id]})
	}
	p.arts[s], p.vis[s], p.lens[s] = a, a.visible, float32(n)
	p.totalLen += float64(float32(n))
	p.live++
}

// remove takes an article's postings out.
func (p *postings) remove(a *artModel) {
	s := a.slot
	if int(s) >= len(p.arts) || p.arts[s] != a {
		return
	}
	drop := func(lists [][]posting, id uint32) {
		if int(id) >= len(lists) {
			return
		}
		l := lists[id]
		for i := range l {
			if l[i].slot == s {
				// Order within a list does not matter: each article
				// has one entry per term.
				l[i] = l[len(l)-1]
				lists[id] = l[:len(l)-1]
				return
			}
		}
	}
	for _, id := range a.tids {
		drop(p.lists, id)
	}
	for _, x := range a.xterms {
		if id := x.id; id&xBit != 0 {
			drop(p.xlists, id&^xBit)
		} else {
			drop(p.lists, id) // none left when a.tids has it too
		}
	}
	p.totalLen -= float64(p.lens[s])
	p.live--
	p.arts[s], p.vis[s], p.lens[s] = nil, "", 0
	p.free = append(p.free, s)
}

// candScratch is a question's working space: scores by slot (zero between
// uses) and the slots touched.
type candScratch struct {
	acc     []float64
	touched []uint32
}

var candScratches = sync.Pool{New: func() any { return new(candScratch) }}

// BM25's parameters, as bleve's.
const bm25K1, bm25B = 1.2, 0.75

// fuzzyShare is what a word of the knowledge base within a typo of a
// question's word the knowledge base does not know counts, against the
// word itself (bleve's fuzzy clauses were boosted 0.3).
const fuzzyShare = 0.3

// candidateIDs returns the ids of the size articles published in locale
// that best match text by BM25 over the postings, best first, equal scores
// by id. The question's words and word pairs count; a word no article uses
// (but a number) may be a typo, even when it is an English word ("trail"
// for "trial"): it is replaced, at fuzzyShare, by the words of the
// knowledge base within the edit distance bleve's fuzzy search allowed
// (one for words of three to five letters, two from six: "pasword",
// "retrun"), as typed and as analyzed. The model then decides whether it
// was one (see resolve).
func (m *model) candidateIDs(text, locale string, size int) []string {
	qwords := m.analyzeQuestion(text)
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.cands
	if p == nil || p.live == 0 || size <= 0 {
		return nil
	}
	// A term's postings: those under the model's number of it, and those
	// under the postings' own (a term first seen in a tag or late body).
	type qterm struct {
		l, x []posting
		w    float64
	}
	var qts []qterm
	seen := map[string]int{}
	add := func(t string, w float64) {
		var q qterm
		if id, ok := m.ids.words[t]; ok && int(id) < len(p.lists) {
			q.l = p.lists[id]
		}
		if x, ok := p.xwords[t]; ok {
			q.x = p.xlists[x]
		}
		if len(q.l)+len(q.x) == 0 {
			return
		}
		if k, ok := seen[t]; ok {
			qts[k].w += w
			return
		}
		seen[t] = len(qts)
		q.w = w
		qts = append(qts, q)
	}
	terms := make([]string, 0, len(qwords))
	for _, w := range qwords {
		terms = append(terms, w.term)
		if m.artDF[w.term] > 0 || hasDigit(w.raw) {
			add(w.term, 1)
			continue
		}
		// A word the model's articles do not use: perhaps one of a
		// tag or a late paragraph, perhaps a typo.
		add(w.term, 1)
		if w.raw != "" && normWords[w.raw] != "" {
			continue
		}
		for _, t := range m.typoNeighbours(w.term, w.raw) {
			add(t, fuzzyShare)
		}
	}
	for i := 0; i+1 < len(terms); i++ {
		add(terms[i]+"_"+terms[i+1], 1)
	}
	if len(qts) == 0 {
		return nil
	}

	sc := candScratches.Get().(*candScratch)
	defer candScratches.Put(sc)
	if len(sc.acc) < len(p.arts) {
		sc.acc = make([]float64, len(p.arts)+len(p.arts)/4)
	}
	acc, touched := sc.acc, sc.touched[:0]
	n := float64(p.live)
	avg := p.totalLen / math.Max(n, 1)
	for _, q := range qts {
		df := float64(len(q.l) + len(q.x))
		w := q.w * math.Log(1+(n-df+0.5)/(df+0.5)) * (bm25K1 + 1)
		for _, l := range [2][]posting{q.l, q.x} {
			for _, e := range l {
				tf := float64(e.tf)
				norm := bm25K1 * (1 - bm25B + bm25B*float64(p.lens[e.slot])/avg)
				if acc[e.slot] == 0 {
					touched = append(touched, e.slot)
				}
				acc[e.slot] += w * tf / (tf + norm)
			}
		}
	}
	// The best size, by a heap whose root is the worst kept.
	h := &candHeap{}
	for _, s := range touched {
		score := acc[s]
		acc[s] = 0
		// Most fall short of the worst kept: they are turned away
		// before their article is looked at.
		if len(h.hits) == size && score < h.hits[0].score {
			continue
		}
		if p.vis[s] != locale {
			continue // a draft, another locale or a free slot
		}
		c := candHit{score: score, a: p.arts[s]}
		if len(h.hits) < size {
			heap.Push(h, c)
		} else if better(c, h.hits[0]) {
			h.hits[0] = c
			heap.Fix(h, 0)
		}
	}
	sc.touched = touched[:0]
	out := make([]string, len(h.hits))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(candHit).a.id
	}
	return out
}

// typoNeighbours returns the words of the knowledge base within a typo of
// an unknown word, as analyzed (term) or as typed (raw), in a fixed order.
func (m *model) typoNeighbours(term, raw string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range []string{term, raw} {
		n := len([]rune(t))
		if n < 3 || seen[t] {
			continue
		}
		seen[t] = true
		maxD := 1
		if n >= 6 {
			maxD = 2
		}
		var found []string
		m.typos.near(t, maxD, func(w string) {
			if m.artDF[w] > 0 && !seen[w] && editDistance(t, w, maxD) <= maxD {
				seen[w] = true
				found = append(found, w)
			}
		})
		// near's order follows the typo index's hash chains; sort for a
		// deterministic sum.
		slices.Sort(found)
		out = append(out, found...)
	}
	return out
}

type candHit struct {
	score float64
	a     *artModel
}

// better orders candidates: higher score first, equal scores by id.
func better(x, y candHit) bool {
	if x.score != y.score {
		return x.score > y.score
	}
	return strings.Compare(x.a.id, y.a.id) < 0
}

// candHeap keeps the worst of the best candidates at its root.
type candHeap struct{ hits []candHit }

func (h *candHeap) Len() int           { return len(h.hits) }
func (h *candHeap) Less(i, j int) bool { return better(h.hits[j], h.hits[i]) }
func (h *candHeap) Swap(i, j int)      { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *candHeap) Push(x any)         { h.hits = append(h.hits, x.(candHit)) }
func (h *candHeap) Pop() any {
	n := len(h.hits)
	x := h.hits[n-1]
	h.hits = h.hits[:n-1]
	return x
}
