package search

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
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
		res, err = ix.bi.SearchInContext(ctx, ix.searchRequest(q, size, typing(false)))
		if err == nil && res.Total == 0 && tt.hasTypoCandidate() {
			res, err = ix.bi.SearchInContext(ctx, ix.searchRequest(q, size, typing(true)))
		}
	} else {
		res, err = ix.bi.SearchInContext(ctx, ix.searchRequest(q, size, filtered(textQuery(q.Text), filter)))
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
