package search

import (
	"context"
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// fuzzyCache keeps the fuzzy expansions of words (the terms of a field's
// dictionary within the allowed edit distance) for one snapshot of the
// index. Bleve builds a Levenshtein automaton for every word of every
// fuzzy clause of every query, three fields each: on a 10,000-article
// help centre that was a third of Retrieve's time. A knowledge base's
// questions use a bounded set of words, so the expansions repeat; they are
// the same as long as the index is, and bleve gives the same snapshot to
// every search until a write (or a merge) replaces it.
type fuzzyCache struct {
	mu     sync.Mutex
	reader index.IndexReader // the snapshot the entries are for
	m      map[fuzzyKey]fuzzyExpansion
}

type fuzzyKey struct {
	field, term string
	fuzziness   int
	prefix      string
}

type fuzzyExpansion struct {
	terms     []string
	distances []uint8
}

// maxFuzzyCache bounds the entries kept; past it the cache starts afresh.
const maxFuzzyCache = 1 << 16

func newFuzzyCache() *fuzzyCache { return &fuzzyCache{m: map[fuzzyKey]fuzzyExpansion{}} }

func (c *fuzzyCache) get(r index.IndexReader, k fuzzyKey) (fuzzyExpansion, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reader != r {
		return fuzzyExpansion{}, false
	}
	e, ok := c.m[k]
	return e, ok
}

// reset drops every entry (after a write).
func (c *fuzzyCache) reset() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
	c.reader = nil
}

func (c *fuzzyCache) put(r index.IndexReader, k fuzzyKey, e fuzzyExpansion) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reader != r || len(c.m) >= maxFuzzyCache {
		clear(c.m)
		c.reader = r
	}
	c.m[k] = e
}

// fuzzyMatchQuery is bleve's MatchQuery with automatic fuzziness and a
// prefix, its words' expansions kept in a fuzzyCache: the same analysis,
// the same clauses and the same scores.
type fuzzyMatchQuery struct {
	text, field string
	prefix      int
	boost       float64
	cache       *fuzzyCache
}

func (q *fuzzyMatchQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	an := m.AnalyzerNamed(m.AnalyzerNameForPath(q.field))
	if an == nil {
		return nil, fmt.Errorf("no analyzer for field %s", q.field)
	}
	tokens := an.Analyze([]byte(q.text))
	if len(tokens) == 0 {
		return bleve.NewMatchNoneQuery().Searcher(ctx, i, m, options)
	}
	tqs := make([]query.Query, len(tokens))
	for k, t := range tokens {
		tqs[k] = &fuzzyTermQuery{term: string(t.Term), field: q.field, prefix: q.prefix, boost: q.boost, cache: q.cache}
	}
	d := bleve.NewDisjunctionQuery(tqs...)
	d.SetMin(1)
	d.SetBoost(q.boost)
	return d.Searcher(ctx, i, m, options)
}

// fuzzyTermQuery is bleve's FuzzyQuery with automatic fuzziness
// (searcher.NewAutoFuzzySearcher), its expansion kept in a fuzzyCache.
type fuzzyTermQuery struct {
	term, field string
	prefix      int
	boost       float64
	cache       *fuzzyCache
}

func (q *fuzzyTermQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	fuzziness := searcher.GetAutoFuzziness(q.term)
	ir, ok := i.(index.IndexReaderFuzzy)
	if fuzziness == 0 || !ok {
		return searcher.NewAutoFuzzySearcher(ctx, i, q.term, q.prefix, q.field, q.boost, options)
	}
	// As bleve: the prefix ends at the first rune boundary at or after
	// q.prefix bytes.
	prefixTerm := q.term
	for k := range q.term {
		if k >= q.prefix {
			prefixTerm = q.term[:k]
			break
		}
	}
	key := fuzzyKey{field: q.field, term: q.term, fuzziness: fuzziness, prefix: prefixTerm}
	e, ok := q.cache.get(i, key)
	if !ok {
		var err error
		if e, err = expandFuzzy(ir, key); err != nil {
			return nil, err
		}
		q.cache.put(i, key, e)
	}
	if len(e.terms) == 0 || (len(e.terms) == 1 && e.terms[0] == q.term) {
		return searcher.NewTermSearcher(ctx, i, q.term, q.field, q.boost, options)
	}
	return searcher.NewMultiTermSearcherBoosted(ctx, i, e.terms, q.field, q.boost, e.distances, options, true)
}

// expandFuzzy lists the terms of the field's dictionary within the edit
// distance of the word, as bleve's fuzzy searcher does.
func expandFuzzy(ir index.IndexReaderFuzzy, k fuzzyKey) (e fuzzyExpansion, err error) {
	fd, _, err := ir.FieldDictFuzzyAutomaton(k.field, k.term, k.fuzziness, k.prefix)
	if err != nil {
		return e, err
	}
	defer func() {
		if cerr := fd.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	tfd, err := fd.Next()
	for err == nil && tfd != nil {
		e.terms = append(e.terms, tfd.Term)
		e.distances = append(e.distances, tfd.EditDistance)
		if n := searcher.DisjunctionMaxClauseCount; n != 0 && len(e.terms) > n {
			return e, fmt.Errorf("TooManyClauses over field: `%s` [%d > maxClauseCount, which is set to %d]", k.field, len(e.terms), n)
		}
		tfd, err = fd.Next()
	}
	return e, err
}
