package search

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
)

// model holds what the re-ranker needs beyond bleve: each article's analyzed
// units (title, summary, phrasings, body sentences) and corpus statistics.
// It is small next to the index (terms, not postings) and is kept in step
// with it by Upsert, Delete and Rebuild.
type model struct {
	mu       sync.RWMutex
	an       analysis.Analyzer
	arts     map[string]*artModel
	unitDF   map[string]int // units containing a term
	artDF    map[string]int // articles containing a term
	nUnits   int
	totalLen float64
	// visible counts published articles by locale.
	visible map[string]int
	version uint64                 // bumped on every change; invalidates prepared vectors
	conf    func(features) float64 // nil means confidence; set by tuning tests

	// order, when set, holds the same articles analyzed for ordering
	// rather than deciding (see Index.rankLocked): question words kept.
	// put and remove keep it in step.
	order *model

	terms *interner
	// typos files the words of the articles for typo correction (see
	// resolve); shared with the ordering twin, each checking that a word
	// found is one of its own.
	typos *typoIndex
	// ids numbers the terms of the articles for the prepared vectors.
	ids *termIDs
	// cands is the inverted index that picks the candidates of a large
	// knowledge base (see candidateIDs); the deciding model's only.
	cands *postings

	// vis caches visibleIDs' answer for one locale and version.
	visMu sync.Mutex
	vis   struct {
		version uint64
		locale  string
		ids     []string
	}
}

// interner keeps one copy of each term: the units of every article hold
// their terms as strings, and without it each occurrence was an object
// of its own for the garbage collector to mark on every cycle (two
// million for 10,000 articles).
type interner struct {
	mu sync.Mutex
	m  map[string]string
}

func newInterner() *interner { return &interner{m: map[string]string{}} }

// intern replaces each term of ts by its kept copy.
func (in *interner) intern(ts []string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for i, t := range ts {
		if c, ok := in.m[t]; ok {
			ts[i] = c
		} else {
			in.m[t] = t
		}
	}
}

// artModel is one article's analyzed text.
type artModel struct {
	id      string
	visible string // locale if published, else ""
	// What a search hit shows, kept here so that suggestions and
	// Retrieve need not load each hit's stored document from the index.
	title, summary, category string
	units                    []unitTerms
	// tf counts the terms over all units, with bigrams, until the article
	// is inserted in a model; from then on tids and tcnt hold the counts
	// by term number, sorted: a map per article was a tenth of the
	// model's memory and two million strings for the garbage collector
	// to walk at 10,000 articles, and a lookup per query term and
	// candidate hashed the term again (see count).
	tf   map[string]float64
	tids []uint32
	tcnt []float32
	len  float64
	// titleFirst: its first unit is its title (see rank's Title feature),
	// known when it is inserted rather than compared per question.
	titleFirst bool

	slot uint32 // its place in the model's postings, if any
	// xterms is what of the article only the postings index (see
	// postingExtras), by number.
	xterms []xterm

	prepMu  sync.Mutex
	prep    *prepared
	prepVer uint64
	// grams are the character n-grams of its titles and phrasings (see
	// gramSim), built when first needed; guarded by prepMu.
	grams []gramVec
}

type unitTerms struct {
	terms  []string // unigrams then bigrams
	weight float64  // 1 for title, summary, phrasings; less for body sentences
	// src is the text of a title or phrasing: what the confidence's
	// fitting asks the rest of the knowledge base (see calibrate.go).
	src string
}

// Weights of unit kinds: body sentences are evidence, but weaker than the
// questions an editor wrote as phrasings.
const (
	weightPhrasing = 1.0
	weightBody     = 0.7
	maxBodyUnits   = 12
)

func newModel(an analysis.Analyzer) *model {
	return &model{an: an, arts: map[string]*artModel{}, unitDF: map[string]int{}, artDF: map[string]int{}, visible: map[string]int{}, terms: newInterner(), typos: newTypoIndex(), ids: newTermIDs()}
}

// newRetrievalModel returns the model Retrieve uses: one that decides,
// analyzed as the index is, with its ordering twin.
func newRetrievalModel(im *mapping.IndexMappingImpl) *model {
	m := newModel(im.AnalyzerNamed(AnalyzerEnglish))
	m.order = newModel(im.AnalyzerNamed(analyzerRank))
	m.order.terms = m.terms // mostly the same words
	m.cands = newPostings()
	m.order.typos = m.typos
	return m
}

// analyzeQuery returns the terms of a text with word bigrams appended, so
// that "credit limit" and "credit score" differ by more than one word.
func (m *model) analyzeQuery(s string) []string {
	return withBigrams(analyzeTerms(m.an, s))
}

// qword is one analyzed word of a question: its term (stemmed, normalised)
// and the word as typed, lower-cased.
type qword struct{ term, raw string }

// analyzeQuestion analyzes a question keeping each term's typed word, which
// tells a misspelling from a real word the knowledge base does not use.
func (m *model) analyzeQuestion(s string) []qword {
	toks := m.an.Analyze([]byte(s))
	out := make([]qword, 0, len(toks))
	for _, t := range toks {
		raw := ""
		if t.Start >= 0 && t.Start < t.End && t.End <= len(s) {
			raw = strings.ToLower(s[t.Start:t.End])
			raw = strings.TrimSuffix(strings.TrimSuffix(raw, "'s"), "’s")
		}
		out = append(out, qword{term: string(t.Term), raw: raw})
	}
	return out
}

func withBigrams(ts []string) []string {
	n := len(ts)
	for i := 0; i+1 < n; i++ {
		ts = append(ts, ts[i]+"_"+ts[i+1])
	}
	return ts
}

func (m *model) analyzeDoc(d Doc) *artModel {
	a := &artModel{id: d.ID, tf: map[string]float64{}, title: d.Title, summary: d.Summary, category: d.Category}
	if d.Published {
		a.visible = d.Locale
	}
	// All units' terms go in one slice that the units share: a slice per
	// unit was an object per unit for the garbage collector.
	var flat []string
	var ends []int
	var weights []float64
	var srcs []string
	add := func(s string, w float64, keep bool) {
		ts := m.analyzeQuery(s)
		if len(ts) == 0 {
			return
		}
		flat = append(flat, ts...)
		ends = append(ends, len(flat))
		weights = append(weights, w)
		if !keep {
			s = ""
		}
		srcs = append(srcs, s)
	}
	add(d.Title, weightPhrasing, true)
	add(d.Summary, weightPhrasing, false)
	for _, p := range d.Phrasings {
		add(p, weightPhrasing, true)
	}
	for i, s := range sentences(d.Body) {
		if i == maxBodyUnits {
			break
		}
		add(s, weightBody, false)
	}
	flat = slices.Clip(flat)
	m.terms.intern(flat)
	a.units = make([]unitTerms, len(ends))
	start := 0
	for i, end := range ends {
		a.units[i] = unitTerms{terms: flat[start:end:end], weight: weights[i], src: srcs[i]}
		start = end
	}
	for _, t := range flat {
		a.tf[t]++
	}
	a.len = float64(len(flat))
	return a
}

// sentences splits plain or Markdown text at sentence ends and line breaks.
func sentences(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i, r := range rs {
		end := r == '\n' || ((r == '.' || r == '?' || r == '!') && (i+1 == len(rs) || unicode.IsSpace(rs[i+1])))
		if end {
			if t := strings.TrimSpace(string(rs[start : i+1])); t != "" {
				out = append(out, t)
			}
			start = i + 1
		}
	}
	if t := strings.TrimSpace(string(rs[start:])); t != "" {
		out = append(out, t)
	}
	return out
}

// put adds or replaces an article; d.Locale must be set.
func (m *model) put(d Doc) {
	if m.order != nil {
		m.order.put(d)
	}
	a := m.analyzeDoc(d)
	var xtf map[string]float32
	if m.cands != nil {
		xtf = m.postingExtras(d)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeLocked(d.ID)
	if xtf != nil {
		a.xterms = m.cands.numberExtras(xtf, a.tf, m.ids)
	}
	m.insertLocked(a)
	m.version++
}

// insertLocked adds an analyzed article; m.mu must be locked and the
// article absent.
func (m *model) insertLocked(a *artModel) {
	m.arts[a.id] = a
	a.titleFirst = len(a.units) > 0 && a.title != "" && a.units[0].src == a.title
	if a.tf != nil {
		for t := range a.tf {
			if m.artDF[t] == 0 {
				m.typos.add(t)
				m.ids.add(t)
			}
			m.artDF[t]++
		}
		a.compactTerms(m.ids)
	} else {
		// Taken out and put back (see takeArticleOut): its terms are
		// numbered already.
		for _, id := range a.tids {
			t := m.ids.names[id]
			if m.artDF[t] == 0 {
				m.typos.add(t)
			}
			m.artDF[t]++
		}
	}
	if m.cands != nil {
		m.cands.insert(a, m.ids)
	}
	for _, u := range a.units {
		for _, t := range uniq(u.terms) {
			m.unitDF[t]++
		}
	}
	m.nUnits += len(a.units)
	m.totalLen += a.len
	if a.visible != "" {
		m.visible[a.visible]++
	}
}

// compactTerms moves the article's term counts from tf to tids and tcnt;
// ids must number every term.
func (a *artModel) compactTerms(ids *termIDs) {
	type tc struct {
		id uint32
		n  float32
	}
	tcs := make([]tc, 0, len(a.tf))
	for t, n := range a.tf {
		tcs = append(tcs, tc{ids.words[t], float32(n)})
	}
	slices.SortFunc(tcs, func(x, y tc) int { return cmp.Compare(x.id, y.id) })
	a.tids, a.tcnt = make([]uint32, len(tcs)), make([]float32, len(tcs))
	for i, c := range tcs {
		a.tids[i], a.tcnt[i] = c.id, c.n
	}
	a.tf = nil
}

// count returns how many times term number id occurs in the article.
func (a *artModel) count(id uint32) float64 {
	if i, ok := slices.BinarySearch(a.tids, id); ok {
		return float64(a.tcnt[i])
	}
	return 0
}

// without returns a copy of the article without its units whose text is
// in srcs, and how many it dropped.
func (a *artModel) without(srcs map[string]bool) (*artModel, int) {
	b := &artModel{id: a.id, visible: a.visible, title: a.title, summary: a.summary, category: a.category, tf: map[string]float64{},
		xterms: a.xterms}
	// The kept titles' and phrasings' gram vectors (see gramSim), if
	// built: the fitting takes phrasings out of an article for each of
	// its questions, and rebuilding them each time was a third of it.
	a.prepMu.Lock()
	grams := a.grams
	a.prepMu.Unlock()
	if grams != nil {
		b.grams = []gramVec{}
	}
	n, g := 0, 0
	for _, u := range a.units {
		if u.src != "" {
			g++
		}
		if u.src != "" && srcs[u.src] {
			n++
			continue
		}
		if grams != nil && u.src != "" {
			b.grams = append(b.grams, grams[g-1])
		}
		b.units = append(b.units, u)
		for _, t := range u.terms {
			b.tf[t]++
		}
		b.len += float64(len(u.terms))
	}
	return b, n
}

// display returns the title, summary and category of an article, and
// whether the model holds it.
func (m *model) display(id string) (title, summary, category string, ok bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a := m.arts[id]
	if a == nil {
		return "", "", "", false
	}
	return a.title, a.summary, a.category, true
}

// visibleIDs returns the ids of the articles published in locale, sorted:
// the candidates of a knowledge base re-ranked whole. The slice is shared:
// callers must not change it.
func (m *model) visibleIDs(locale string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	m.visMu.Lock()
	defer m.visMu.Unlock()
	if m.vis.ids != nil && m.vis.version == m.version && m.vis.locale == locale {
		return m.vis.ids
	}
	ids := make([]string, 0, m.visible[locale])
	for id, a := range m.arts {
		if a.visible == locale {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	// A copy: the caller's string may be backed by a buffer it reuses.
	m.vis.version, m.vis.locale, m.vis.ids = m.version, strings.Clone(locale), ids
	return ids
}

// knows reports whether any article uses a term.
func (m *model) knows(term string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.artDF[term] > 0
}

// onlyLocale reports whether every published article is in locale.
func (m *model) onlyLocale(locale string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.visible) <= 1 && (len(m.visible) == 0 || m.visible[locale] > 0)
}

func (m *model) remove(id string) {
	if m.order != nil {
		m.order.remove(id)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeLocked(id)
	m.version++
}

func (m *model) removeLocked(id string) {
	a, ok := m.arts[id]
	if !ok {
		return
	}
	delete(m.arts, id)
	if m.cands != nil {
		m.cands.remove(a)
	}
	for _, tid := range a.tids {
		t := m.ids.names[tid]
		if m.artDF[t]--; m.artDF[t] <= 0 {
			delete(m.artDF, t)
		}
	}
	for _, u := range a.units {
		for _, t := range uniq(u.terms) {
			if m.unitDF[t]--; m.unitDF[t] <= 0 {
				delete(m.unitDF, t)
			}
		}
	}
	m.nUnits -= len(a.units)
	m.totalLen -= a.len
	if a.visible != "" {
		if m.visible[a.visible]--; m.visible[a.visible] <= 0 {
			delete(m.visible, a.visible)
		}
	}
}

func uniq(ts []string) []string {
	seen := make(map[string]struct{}, len(ts))
	out := ts[:0:0]
	for _, t := range ts {
		if _, ok := seen[t]; !ok {
			seen[t] = struct{}{}
			out = append(out, t)
		}
	}
	return out
}

// The model is its own termStats, at article level.
func (m *model) units() int         { return len(m.arts) }
func (m *model) df(term string) int { return m.artDF[term] }
