package search

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Query is an FAQ search request.
type Query struct {
	// Text is what the user typed.
	Text string
	// Locale restricts results to one locale; empty means the index's
	// default locale.
	Locale string
	// Category, when set, restricts results to one category.
	Category string
	// AsYouType treats the last word as unfinished and prefix-matches it.
	AsYouType bool
	// From and Size page through the hits. Size 0 means 10.
	From, Size int
	// NoHighlight skips building fragments (faster, e.g. for suggestions).
	NoHighlight bool
	// CountOnly returns no hits, only Total: how many the results page
	// would list for Text (AsYouType is ignored). Suggestions use it for
	// their "See all N results".
	CountOnly bool
}

// Hit is one article found by Search.
type Hit struct {
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Summary  string  `json:"summary,omitempty"`
	Category string  `json:"category,omitempty"`
	Score    float64 `json:"score"`
	// Highlights maps "title", "summary" or "body" to HTML fragments: the
	// text is escaped and matches are wrapped in <mark>.
	Highlights map[string][]string `json:"highlights,omitempty"`
}

// CategoryCount is one facet value: how many hits fall in a category.
type CategoryCount struct {
	Category string `json:"category"`
	Count    int    `json:"count"`
}

// Result is a page of FAQ search hits.
type Result struct {
	Total      uint64          `json:"total"`
	Hits       []Hit           `json:"hits"`
	Categories []CategoryCount `json:"categories,omitempty"`
	Took       time.Duration   `json:"took"`
}

// Searcher is anything that answers FAQ search queries; the benchmark
// driver takes one so that other backends can be measured the same way.
type Searcher interface {
	Search(ctx context.Context, q Query) (Result, error)
}

var _ Searcher = (*Index)(nil)

// Search runs an FAQ search over published articles of the query's locale,
// with highlights, category facets and paging.
func (ix *Index) Search(ctx context.Context, q Query) (Result, error) {
	start := time.Now()
	size := q.Size
	if size <= 0 {
		size = 10
	}
	if strings.TrimSpace(q.Text) == "" {
		return Result{Hits: []Hit{}}, nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if q.CountOnly {
		q.AsYouType, q.NoHighlight, q.From, size = false, true, 0, 0
	}
	var tt typed
	text := q.Text
	if q.AsYouType {
		tt = parseTyping(ix.m.an, q.Text)
		text = tt.key()
	}
	key := cacheKey(q, text, ix.locale(q.Locale), size)
	if res, ok := ix.cache.get(key); ok {
		// Hits are shared with the cache: hand out a copy of the slice.
		res.Hits = append([]Hit(nil), res.Hits...)
		res.Took = time.Since(start)
		return res, nil
	}
	gen := ix.cache.generation()
	filter := filterQuery(ix.locale(q.Locale), q.Category)
	var res *bleve.SearchResult
	var err error
	if q.AsYouType {
		// The as-you-type fields hold published articles only: with one
		// locale and no category, they need no filter.
		typing := func(relaxed bool) query.Query {
			tq := typingQuery(tt, relaxed, ix.m.knows)
			if q.Category == "" && ix.m.onlyLocale(ix.locale(q.Locale)) {
				return tq
			}
			return filtered(tq, filter)
		}
		// The suggestions shown are the typing query's best candidates
		// in the order of the one ranking (see Retrieve).
		cands := q
		cands.From, cands.NoHighlight = 0, true
		n := max(q.From, 0) + size
		res, err = ix.bi.SearchInContext(ctx, ix.searchRequest(cands, n, typing(false)))
		if err == nil && res.Total == 0 && tt.hasTypoCandidate() {
			res, err = ix.bi.SearchInContext(ctx, ix.searchRequest(cands, n, typing(true)))
		}
		if err == nil {
			ix.orderTyping(res, q.Text, max(q.From, 0), size)
		}
	} else {
		res, err = ix.rankedSearch(ctx, q, size, filter)
	}
	if err != nil {
		return Result{}, fmt.Errorf("search: query: %w", err)
	}
	var tm *typingMatcher
	if q.AsYouType && !q.NoHighlight {
		tm = newTypingMatcher(ix.m.an, tt)
	}
	out := Result{Total: res.Total, Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		hit := Hit{ID: h.ID, Score: h.Score}
		if h.Fields != nil {
			hit.Title, _ = h.Fields[fTitle].(string)
			hit.Summary, _ = h.Fields[fSummary].(string)
			hit.Category, _ = h.Fields[fCategory].(string)
		} else if hit.Title, hit.Summary, hit.Category, err = ix.display(ctx, h.ID); err != nil {
			return Result{}, fmt.Errorf("search: query: %w", err)
		}
		if tm != nil {
			for f, v := range map[string]string{fTitle: hit.Title, fSummary: hit.Summary} {
				if frag, ok := tm.highlight(v); ok {
					if hit.Highlights == nil {
						hit.Highlights = map[string][]string{}
					}
					hit.Highlights[f] = []string{frag}
				}
			}
		}
		if len(h.Fragments) > 0 {
			hit.Highlights = map[string][]string{}
			for f, frags := range h.Fragments {
				hit.Highlights[f] = frags
			}
		}
		out.Hits = append(out.Hits, hit)
	}
	if fr := res.Facets[fCategory]; fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			out.Categories = append(out.Categories, CategoryCount{Category: t.Term, Count: t.Count})
		}
	}
	out.Took = time.Since(start)
	if ix.cache != nil {
		cached := out
		cached.Hits = append([]Hit(nil), out.Hits...)
		ix.cache.put(key, cached, gen)
	}
	return out, nil
}

func (ix *Index) searchRequest(q Query, size int, qq query.Query) *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(qq, size, max(q.From, 0), false)
	// Suggestions take what they show from the re-ranker's model: loading
	// a hit's stored fields decodes its whole document, body included.
	if !q.AsYouType {
		req.Fields = []string{fTitle, fSummary, fCategory}
	}
	// While typing, the few suggestions shown are highlighted by
	// typingMatcher: bleve's highlighter would read term locations for
	// every match.
	if !q.NoHighlight && !q.AsYouType {
		req.Highlight = bleve.NewHighlightWithStyle("html")
		req.Highlight.Fields = []string{fTitle, fSummary, fBody}
	}
	// Suggestions while typing do not show facets; skipping them saves
	// visiting every hit's category.
	if !q.AsYouType {
		req.AddFacet(fCategory, bleve.NewFacetRequest(fCategory, 20))
	}
	return req
}

// orderTyping puts the suggestions found while typing (bleve's best, as
// many as to the end of the page asked for) in the order of the one
// ranking, and keeps the page. At every size: the re-ranker's vectors are
// compact (term numbers, see termIDs), so preparing those of the few
// articles a keystroke finds costs little and keeps nothing for the
// garbage collector to walk.
func (ix *Index) orderTyping(res *bleve.SearchResult, text string, from, size int) {
	if len(res.Hits) > 1 {
		ids := make([]string, len(res.Hits))
		byID := make(map[string]*search.DocumentMatch, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
			byID[h.ID] = h
		}
		ranked := ix.m.ordering(text, ids, ix.cal.Load())
		hits := make(search.DocumentMatchCollection, 0, len(res.Hits))
		for _, r := range ranked {
			hits = append(hits, byID[r.id])
			delete(byID, r.id)
		}
		for _, h := range res.Hits {
			if _, ok := byID[h.ID]; ok {
				hits = append(hits, h)
			}
		}
		res.Hits = hits
	}
	res.Hits = res.Hits[min(from, len(res.Hits)):min(from+size, len(res.Hits))]
}

// rankedSearch is the results page's search: every published article that
// shares a word (or a typo of one) with the text, in the order of the one
// ranking (Retrieve's: its best match first, then its other candidates),
// then by bleve's score. When Retrieve would answer with an article that
// shares no word with the text, that article comes first too.
func (ix *Index) rankedSearch(ctx context.Context, q Query, size int, filter query.Query) (*bleve.SearchResult, error) {
	locale := ix.locale(q.Locale)
	from := max(q.From, 0)
	tq := filtered(cachedTextQuery(q.Text, ix.fuzzy), filter)
	ix.m.mu.RLock()
	n := len(ix.m.arts)
	ix.m.mu.RUnlock()
	k := from + size + ix.cfg.Candidates
	if n <= exhaustiveMax {
		k = max(k, n)
	}
	if q.CountOnly {
		k = 0
	}
	// The set: ids, total and facets.
	req := bleve.NewSearchRequestOptions(tq, k, 0, false)
	if !q.CountOnly {
		req.AddFacet(fCategory, bleve.NewFacetRequest(fCategory, 20))
	}
	set, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	ranked, err := ix.rankLocked(ctx, q.Text, locale)
	if err != nil {
		return nil, err
	}
	// Retrieve's answer, when it would answer, is on the page even if
	// it shares no word with the text.
	var answer string
	if len(ranked) > 0 && ranked[0].conf >= ix.threshold(locale) {
		if _, _, c, ok := ix.m.display(ranked[0].id); ok && (q.Category == "" || c == q.Category) {
			answer = ranked[0].id
		}
	}
	inSet := make(map[string]bool, len(set.Hits))
	for _, h := range set.Hits {
		inSet[h.ID] = true
	}
	if answer != "" && !inSet[answer] {
		if q.CountOnly {
			// Without ids, whether the answer is in the set is asked
			// of the index.
			one := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(tq, bleve.NewDocIDQuery([]string{answer})), 0, 0, false)
			r, err := ix.bi.SearchInContext(ctx, one)
			if err != nil {
				return nil, err
			}
			if r.Total == 0 {
				set.Total++
			}
			return set, nil
		}
		set.Total++
	}
	if q.CountOnly {
		return set, nil
	}
	order := make([]string, 0, len(set.Hits)+1)
	seen := map[string]bool{}
	for i, r := range ranked {
		if inSet[r.id] || (i == 0 && r.id == answer) {
			order = append(order, r.id)
			seen[r.id] = true
		}
	}
	for _, h := range set.Hits {
		if !seen[h.ID] {
			order = append(order, h.ID)
		}
	}
	page := order[min(from, len(order)):min(from+size, len(order))]
	// The page's fields and highlights.
	hits := make(search.DocumentMatchCollection, 0, len(page))
	if len(page) > 0 {
		req := ix.searchRequest(q, len(page), bleve.NewConjunctionQuery(tq, bleve.NewDocIDQuery(page)))
		req.Facets = nil
		pr, err := ix.bi.SearchInContext(ctx, req)
		if err != nil {
			return nil, err
		}
		byID := make(map[string]*search.DocumentMatch, len(pr.Hits))
		for _, h := range pr.Hits {
			byID[h.ID] = h
		}
		for _, id := range page {
			h := byID[id]
			if h == nil {
				// The answer outside the set: shown without highlights.
				h = &search.DocumentMatch{ID: id, Score: ranked[0].conf}
			}
			hits = append(hits, h)
		}
	}
	set.Hits = hits
	return set, nil
}

// threshold is the confidence at or above which Retrieve answers in a
// locale: the configured one, else an editor's (SetThresholds), else the
// one fitted on the knowledge base.
func (ix *Index) threshold(locale string) float64 {
	if ix.cfg.MinConfidence > 0 {
		return ix.cfg.MinConfidence
	}
	if o := ix.overrides.Load(); o != nil {
		if t, ok := (*o)[locale]; ok {
			return t
		}
	}
	return ix.FittedThreshold()
}

// FittedThreshold is the hand-off threshold fitted on the knowledge base
// when its index was built (see calibrate.go).
func (ix *Index) FittedThreshold() float64 {
	if c := ix.cal.Load(); c != nil {
		return c.threshold
	}
	return uncalibratedThreshold
}

// Threshold returns the confidence at or above which Retrieve answers in
// a locale ("" for the default one), and whether an editor chose it.
func (ix *Index) Threshold(locale string) (float64, bool) {
	locale = ix.locale(locale)
	o := ix.overrides.Load()
	_, chosen := (*o)[locale]
	return ix.threshold(locale), chosen && ix.cfg.MinConfidence == 0
}

// SetThresholds sets the hand-off thresholds editors chose, by locale,
// replacing the previous ones; a locale without one uses the fitted
// threshold. It reports whether anything changed.
func (ix *Index) SetThresholds(byLocale map[string]float64) bool {
	next := make(map[string]float64, len(byLocale))
	for l, t := range byLocale {
		next[ix.locale(l)] = min(max(t, 0), 1)
	}
	if old := ix.overrides.Load(); old != nil && maps.Equal(*old, next) {
		return false
	}
	ix.overrides.Store(&next)
	// Decisions change, and with them the results page, which shows
	// Retrieve's answer first.
	ix.retrievals.clear()
	ix.cache.clear()
	return true
}
