package search

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// termStats gives document frequencies over articles (see idf).
type termStats interface {
	units() int
	df(term string) int
}

// vec is a sparse, L2-normalised vector.
type vec map[string]float64

// sortedKeys returns v's keys in order. Sums over a vector go in this
// order, not the map's, which Go randomises: a float sum depends on the
// order of its terms, and the same index must give the same scores, order
// and fitted threshold bit for bit, run after run.
func sortedKeys(v vec) []string {
	ks := make([]string, 0, len(v))
	for k := range v {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func normalise(v vec) vec {
	var n float64
	for _, k := range sortedKeys(v) {
		n += v[k] * v[k]
	}
	if n == 0 {
		return v
	}
	n = math.Sqrt(n)
	for k, w := range v {
		v[k] = w / n
	}
	return v
}

// dot sums over the smaller vector's keys in order (see sortedKeys); the
// terms that are not zero, those of keys in both, come in the same order
// whichever vector is iterated, so dot(a, b) == dot(b, a) exactly.
func dot(a, b vec) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	var s float64
	for _, k := range sortedKeys(a) {
		if w, ok := b[k]; ok {
			s += a[k] * w
		}
	}
	return s
}

// idf is a smoothed inverse document frequency over articles; unseen
// terms get the largest weight, so a query full of words the knowledge
// base never uses scores low against everything. It is counted over
// articles, not over their phrasings: a word every phrasing of one article
// repeats is what sets that article apart, not a common word.
func idf(st termStats, term string) float64 {
	n := float64(st.units())
	return math.Log(1 + (n+1)/(float64(st.df(term))+0.5))
}

// wordVec builds a TF-IDF vector with sublinear term frequency.
func wordVec(st termStats, terms []string) vec {
	tf := map[string]float64{}
	for _, t := range terms {
		tf[t]++
	}
	v := make(vec, len(tf))
	for t, f := range tf {
		v[t] = (1 + math.Log(f)) * idf(st, t)
	}
	return normalise(v)
}

// charVec builds a vector of character trigrams of the analyzed unigrams,
// each padded with spaces, so "recieved" still shares most grams with
// "received". Grams are weighted by the IDF of their term.
func charVec(st termStats, terms []string) vec {
	v := vec{}
	for _, t := range terms {
		if isBigram(t) {
			continue
		}
		w := idf(st, t)
		r := []rune(" " + t + " ")
		for i := 0; i+3 <= len(r); i++ {
			v[string(r[i:i+3])] += w
		}
	}
	return normalise(v)
}

func isBigram(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] == '_' {
			return true
		}
	}
	return false
}

// unitRep is the vector form of one unit or query.
type unitRep struct {
	words, chars vec
}

func newUnitRep(st termStats, terms []string) unitRep {
	return unitRep{words: wordVec(st, terms), chars: charVec(st, terms)}
}

// Blend of the word-level and character-level cosines.
const wordShare = 0.6

func unitSim(q, u unitRep) float64 {
	return wordShare*dot(q.words, u.words) + (1-wordShare)*dot(q.chars, u.chars)
}

// prepared caches an article's vectors for one version of the corpus
// statistics, in term numbers (see termIDs): one word and one trigram
// vector per unit, and the article's centroids. It holds no pointers
// but its slices' (none the garbage collector needs to look into), so
// that every article's may be kept.
type prepared struct {
	words, chars svec
	weights      []float64
	centW, centC svec
	// head holds the numbers of the terms of the title, summary and
	// phrasings, sorted: what the article is about, not what its body
	// mentions (see rerank.go and hasHead).
	head []uint32
}

// hasHead reports whether term number id is in the article's head.
func (p *prepared) hasHead(id uint32) bool {
	_, ok := slices.BinarySearch(p.head, id)
	return ok
}

// prepare returns the article's vectors, rebuilding them when the corpus
// statistics changed since they were built. m.mu must be read-locked.
func (m *model) prepare(a *artModel) *prepared {
	a.prepMu.Lock()
	defer a.prepMu.Unlock()
	if a.prep != nil && a.prepVer == m.version {
		return a.prep
	}
	p := m.prepareNumbered(a)
	a.prep, a.prepVer = p, m.version
	return p
}

// ranked is a candidate article with its calibrated confidence.
type ranked struct {
	id     string
	conf   float64
	oconf  float64 // the ordering model's score, when one ordered
	feats  features
	ofeats features // the ordering model's features
	rprob  float64  // the second stage's share (rerank.go), when one ran
	gsim   float64  // gramSim to the question, set by the fitting only
	// pos is the article's place among the candidates in id order, the
	// same for both analyses of one question (see score).
	pos int32
}

// features are the per-article signals the confidence is built from; all
// lie in [0,1] whatever the size of the knowledge base, which is what makes
// one threshold serve every knowledge base.
type features struct {
	Nearest   float64 `json:"nearest"`   // similarity to the closest unit
	Nearest3  float64 `json:"nearest3"`  // mean similarity to the 3 closest units
	Centroid  float64 `json:"centroid"`  // word cosine to the article's centroid
	CharCent  float64 `json:"char_cent"` // trigram cosine to the centroid
	BM25      float64 `json:"bm25"`      // article BM25 over its best possible value
	Posterior float64 `json:"posterior"` // naive-Bayes share among candidates
	Coverage  float64 `json:"coverage"`  // share of the query's IDF mass the article contains
	// Query-level signals, the same for every candidate.
	Unknown float64 `json:"unknown"` // share of the query's IDF mass in words the KB never uses
	Words   float64 `json:"words"`   // content words in the query, 1/(1+n)
	// Margin is the first-stage score over the best other candidate's
	// (negative below the best).
	Margin float64 `json:"margin"`
	Stage1 float64 `json:"stage1"`
	// Field-aware signals for the second stage (rerank.go).
	HeadCov float64 `json:"head_cov"` // Coverage by title, summary and phrasings only
	Title   float64 `json:"title"`    // similarity to the title
	TopCov  float64 `json:"top_cov"`  // the query's rarest word is in the article
	Bigrams float64 `json:"bigrams"`  // share of the query's word pairs in the article
	// Votes is the article's share of the similarity of the knowledge
	// base's knnVotes units closest to the query, whatever their article.
	Votes float64 `json:"votes"`
}

// knnVotes is how many of the closest units across candidates vote: as
// many as the second stage orders candidates.
const knnVotes = 10

// rank scores candidate articles against analyzed query terms, into dst's
// array when it is large enough (nil: a new one). m.mu must be read-locked.
func (m *model) rank(qwords []qword, ids []string, dst []ranked) []ranked {
	arts := make([]*artModel, 0, len(ids))
	for _, id := range ids {
		if a := m.arts[id]; a != nil {
			arts = append(arts, a)
		}
	}
	if len(arts) == 0 || len(qwords) == 0 {
		return nil
	}
	// In the order of their ids, not the candidates' (bleve's may list
	// equal scores either way): the naive-Bayes posterior sums over them.
	slices.SortFunc(arts, func(x, y *artModel) int { return strings.Compare(x.id, y.id) })
	qi := m.resolve(qwords, arts)
	qterms := qi.terms
	sc := rankScratches.Get().(*rankScratch)
	defer rankScratches.Put(sc)
	m.queryVecs(sc, qterms)
	qw, qc := &sc.words, &sc.chars
	uq := uniq(qterms)
	top, nBi := rarest(m, uq)

	// Article-level BM25, normalised by the score of a perfect match.
	n := float64(len(m.arts))
	avg := m.totalLen / math.Max(n, 1)
	const k1, b = 1.2, 0.75
	aidf := func(t string) float64 {
		df := float64(m.artDF[t])
		return math.Log(1 + (n-df+0.5)/(df+0.5))
	}
	var maxBM float64
	for _, t := range uq {
		maxBM += aidf(t) * (k1 + 1)
	}
	vocab := float64(len(m.artDF))
	// What each query term weighs is the same for every article.
	type qterm struct {
		t         string
		uni       bool    // a word, not a bigram: counts for coverage
		idf, aidf float64 // idf(m, t) and aidf(t)
		known     bool    // some article uses it
		id        uint32  // its number, if it has one (hasID)
		hasID     bool
	}
	qts := make([]qterm, len(uq))
	for k, t := range uq {
		id, hasID := m.ids.words[t]
		qts[k] = qterm{t: t, uni: !isBigram(t), idf: idf(m, t), aidf: aidf(t), known: m.artDF[t] > 0, id: id, hasID: hasID}
	}

	topID, topOK := m.ids.words[top]
	topOK = topOK && top != ""
	feats := slices.Grow(sc.feats[:0], len(arts))[:len(arts)]
	lls := slices.Grow(sc.lls[:0], len(arts))[:len(arts)]
	sc.feats, sc.lls = feats, lls
	maxLL := math.Inf(-1)
	type vote struct {
		sim float64
		art int
	}
	votes := make([]vote, 0, knnVotes)
	for i, a := range arts {
		p := m.prepare(a)
		// The knnVotes units closest to the query, closest first: all
		// that the features and votes read of the units' similarities.
		var top [knnVotes]float64
		n := 0
		var titleW, titleC float64
		for j, w := range p.weights {
			dw, dc := qw.dot(&p.words, j), qc.dot(&p.chars, j)
			if j == 0 {
				titleW, titleC = dw, dc
			}
			s := w * (wordShare*dw + (1-wordShare)*dc)
			if n == knnVotes && s <= top[n-1] {
				continue
			}
			if n < knnVotes {
				n++
			}
			k := n - 1
			for ; k > 0 && top[k-1] < s; k-- {
				top[k] = top[k-1]
			}
			top[k] = s
		}
		sims := top[:n]
		// The knnVotes closest so far, closest first; of equal ones the
		// first found (articles in id order) stays ahead.
		for _, s := range sims[:min(knnVotes, len(sims))] {
			if len(votes) == knnVotes && s <= votes[knnVotes-1].sim {
				break // sims are sorted: no later one gets in
			}
			j := len(votes)
			for j > 0 && votes[j-1].sim < s {
				j--
			}
			if len(votes) < knnVotes {
				votes = append(votes, vote{})
			}
			copy(votes[j+1:], votes[j:len(votes)-1])
			votes[j] = vote{s, i}
		}
		var f features
		if len(sims) > 0 {
			f.Nearest = sims[0]
			k := min(3, len(sims))
			for _, s := range sims[:k] {
				f.Nearest3 += s / float64(k)
			}
		}
		f.Centroid = qw.dot(&p.centW, 0)
		f.CharCent = qc.dot(&p.centC, 0)
		var bm, ll, covHit, covAll, headHit, biHit float64
		var llMiss float64
		llMissOK := false
		for _, q := range qts {
			var tf float64
			if q.hasID {
				tf = a.count(q.id)
			}
			if q.uni {
				covAll += q.idf
				if tf > 0 {
					covHit += q.idf
				}
				if q.hasID && p.hasHead(q.id) {
					headHit += q.idf
				}
			} else if tf > 0 {
				biHit++
			}
			if tf > 0 {
				// A term the article lacks adds +0 to bm.
				bm += q.aidf * tf * (k1 + 1) / (tf + k1*(1-b+b*a.len/math.Max(avg, 1)))
			}
			if q.known {
				if tf > 0 {
					ll += math.Log((tf + nbAlpha) / (a.len + nbAlpha*vocab))
				} else {
					// The same for every term the article lacks
					// (0+nbAlpha is nbAlpha exactly): one logarithm.
					if !llMissOK {
						llMiss, llMissOK = math.Log(nbAlpha/(a.len+nbAlpha*vocab)), true
					}
					ll += llMiss
				}
			}
		}
		if maxBM > 0 {
			f.BM25 = bm / maxBM
		}
		if covAll > 0 {
			f.Coverage = covHit / covAll
			f.HeadCov = headHit / covAll
		}
		if nBi > 0 {
			f.Bigrams = biHit / float64(nBi)
		}
		if topOK && a.count(topID) > 0 {
			f.TopCov = 1
		}
		if a.titleFirst {
			f.Title = wordShare*titleW + (1-wordShare)*titleC
		}
		lls[i] = ll
		maxLL = max(maxLL, ll)
		f.Unknown = qi.unknown
		f.Words = 1 / (1 + float64(qi.words))
		feats[i] = f
	}
	var vsum float64
	for _, v := range votes {
		vsum += v.sim
	}
	if vsum > 0 {
		for _, v := range votes {
			feats[v.art].Votes += v.sim / vsum
		}
	}
	var z float64
	for _, ll := range lls {
		z += math.Exp(ll - maxLL)
	}
	confs := lls // each log-likelihood is read before its confidence replaces it
	order := sc.order[:0]
	for i := range feats {
		feats[i].Posterior = math.Exp(lls[i]-maxLL) / z
		if m.conf != nil {
			confs[i] = m.conf(feats[i])
		} else {
			confs[i] = confidence(feats[i])
		}
		order = append(order, int32(i))
	}
	// Ids are unique: the order is total, whatever the sort. The
	// candidates' numbers are sorted rather than their ranked structs
	// (a tenth of the bytes to move).
	slices.SortFunc(order, func(x, y int32) int {
		if c := cmp.Compare(confs[y], confs[x]); c != 0 {
			return c
		}
		return strings.Compare(arts[x].id, arts[y].id)
	})
	sc.order = order
	out := slices.Grow(dst[:0], len(arts))[:len(arts)]
	for k, i := range order {
		out[k] = ranked{id: arts[i].id, conf: confs[i], feats: feats[i], pos: i}
	}
	return out
}

// nbAlpha is the additive smoothing of the naive-Bayes term model.
const nbAlpha = 0.1

// confidence blends the similarity signals (how close the question is to
// what the article covers) and scales them by the article's naive-Bayes
// share (how clearly it beats the other candidates).
func confidence(f features) float64 {
	sim := 0.15*f.Nearest + 0.15*f.Nearest3 + 0.2*f.Centroid + 0.2*f.CharCent + 0.3*f.BM25
	return sim * (0.5 + 0.5*f.Posterior)
}

// queryInfo is a question resolved against the knowledge base.
type queryInfo struct {
	terms   []string // unigrams, typos corrected, then bigrams
	unknown float64  // share of the content words' IDF mass the KB never uses
	words   int      // content words (numbers aside)
}

// resolve maps a question's words onto the knowledge base's vocabulary. A
// word the KB uses is kept. A word it does not use is, if it is an English
// word (or a number), kept as it is: a real word no article uses is a sign
// that the question is about something else. Otherwise it is taken for a
// typo and replaced by the closest word of the candidate articles (edit
// distance 1, or 2 for long words), if any; the word as typed is tried
// when its stem is not close to any.
func (m *model) resolve(qwords []qword, arts []*artModel) queryInfo {
	var qi queryInfo
	uni := make([]string, 0, len(qwords))
	var all, unknown float64
	for _, w := range qwords {
		t := w.term
		numeric := hasDigit(w.raw)
		if !numeric {
			qi.words++
		}
		if m.artDF[t] == 0 && !numeric {
			known := false
			if w.raw == "" || normWords[w.raw] != "" {
				// a word of its own or a known shorthand
			} else if isEnglishWord(w.raw) {
				// A real word, not a typo; unless one edit from a word
				// of the knowledge base that sounds the same ("prize"
				// for "price", "trail" for "trial").
				if len(w.raw) >= 5 {
					if c := m.closestWithin(t, arts, 1); c != "" && soundex(c) == soundex(t) {
						t, known = c, true
					}
				}
			} else if c := m.closest(t, arts); c != "" {
				t, known = c, true
			} else if c := m.closest(w.raw, arts); c != "" {
				// The stemmer can mangle a typo beyond recognition
				// ("mattres" stems to "mattr"); as typed, it may still
				// be close to a word of the knowledge base.
				t, known = c, true
			}
			if !known {
				unknown += idf(m, t)
			}
		}
		if !numeric {
			all += idf(m, t)
		}
		uni = append(uni, t)
	}
	if all > 0 {
		qi.unknown = unknown / all
	}
	qi.terms = withBigrams(uni)
	return qi
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// closest returns the word of the candidate articles closest to t, or ""
// when none is within the edit distance allowed for t's length.
func (m *model) closest(t string, arts []*artModel) string {
	n := len([]rune(t))
	if n < 4 {
		return ""
	}
	maxD := 1
	if n >= 7 {
		maxD = 2
	}
	return m.closestWithin(t, arts, maxD)
}

// closestWithin is closest with the largest edit distance given. The
// typo index proposes the words of the knowledge base that may be close;
// of those within maxD that one of the candidate articles uses, the
// nearest wins, then the one in most units, then the first in order.
func (m *model) closestWithin(t string, arts []*artModel, maxD int) string {
	best, bestD, bestDF := "", maxD+1, 0
	all := len(arts) == len(m.arts) // every article is a candidate
	m.typos.near(t, maxD, func(w string) {
		if m.artDF[w] == 0 {
			return // no article uses it any more
		}
		d := editDistance(t, w, maxD)
		if d > bestD || d > maxD {
			return
		}
		df := m.unitDF[w]
		if !(d < bestD || df > bestDF || df == bestDF && w < best) {
			return
		}
		if !all && !usedBy(arts, m.ids.words[w]) {
			return
		}
		best, bestD, bestDF = w, d, df
	})
	return best
}

// usedBy reports whether one of arts uses the term numbered id.
func usedBy(arts []*artModel, id uint32) bool {
	for _, a := range arts {
		if a.count(id) > 0 {
			return true
		}
	}
	return false
}

// editDistance is the optimal-string-alignment distance of a and b
// (Levenshtein with a swap of two adjacent letters counted as one edit, the
// commonest typing slip: "egro", "trail"), or limit+1 once it is certain
// to exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// soundex is the American Soundex code of a lower-case word: its first
// letter and the digits of the consonant sounds after it, three at most.
// Two words with one code sound alike. Letters outside a-z are skipped.
func soundex(w string) string {
	const codes = "01230120022455012623010202" // a..z
	out := make([]byte, 0, 4)
	var last byte
	for i := 0; i < len(w) && len(out) < 4; i++ {
		c := w[i]
		if c < 'a' || c > 'z' {
			continue
		}
		d := codes[c-'a']
		if len(out) == 0 {
			out = append(out, c-'a'+'A')
			last = d
			continue
		}
		switch {
		case c == 'h' || c == 'w':
			// no sound of their own, and no break between equal codes
		case d == '0':
			last = 0 // a vowel separates two equal codes
		case d != last:
			out = append(out, d)
			last = d
		}
	}
	if len(out) == 0 {
		return ""
	}
	for len(out) < 4 {
		out = append(out, '0')
	}
	return string(out)
}
