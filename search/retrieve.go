package search

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Question is a retrieval request from FAQ search or the chat bot.
type Question struct {
	// Text is the question as the customer wrote it.
	Text string
	// Locale restricts to one locale; empty means the default locale.
	Locale string
	// Limit is how many matches to return. Default: 5.
	Limit int
}

// Match is one article that may answer a question.
type Match struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Summary  string `json:"summary,omitempty"`
	Category string `json:"category,omitempty"`
	// Confidence is a normalised score in [0,1], comparable across
	// questions and knowledge bases (unlike raw BM25 scores).
	Confidence float64 `json:"confidence"`
}

// Decision says what to do with a question.
type Decision string

// Decisions.
const (
	// DecisionAnswer: the best match is good enough to answer with.
	DecisionAnswer Decision = "answer"
	// DecisionHandoff: no article covers the question well enough; a
	// person should take it.
	DecisionHandoff Decision = "handoff"
)

// Retrieval is the answer to a Question: ranked matches and the decision.
type Retrieval struct {
	Matches  []Match  `json:"matches"`
	Decision Decision `json:"decision"`
	// Confidence is the best match's confidence, 0 without matches: how
	// well the knowledge base covers the question, the best any article
	// reaches (see rankLocked).
	Confidence float64 `json:"confidence"`
}

// Best returns the top match and whether there is one.
func (r Retrieval) Best() (Match, bool) {
	if len(r.Matches) == 0 {
		return Match{}, false
	}
	return r.Matches[0], true
}

// Retrieve finds the articles that best answer a question and decides
// whether to answer with the best one or hand off to a person. FAQ search
// and the chat bot both call it, and Evaluate measures exactly it.
//
// A large knowledge base's candidates are the best by BM25 over the
// model's own postings (stemmed, typo-tolerant, title, summary and
// phrasings boosted: see model.candidateIDs); a small one's are all its
// published articles. A re-ranker then compares the question with each candidate's phrasings,
// title and summary one by one and as a whole, and calibrates the result
// into a confidence in [0,1]. It reads the question twice: for whether
// any article covers it, and for which one answers it best.
func (ix *Index) Retrieve(ctx context.Context, q Question) (Retrieval, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 5
	}
	out := Retrieval{Matches: []Match{}, Decision: DecisionHandoff}
	if strings.TrimSpace(q.Text) == "" {
		return out, nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	key := retrievalKey(q.Text, ix.locale(q.Locale), limit)
	if res, ok := ix.retrievals.get(key); ok {
		// Matches are shared with the cache: hand out a copy.
		res.Matches = append([]Match(nil), res.Matches...)
		return res, nil
	}
	gen := ix.retrievals.generation()
	ranked, err := ix.rankLocked(ctx, q.Text, ix.locale(q.Locale))
	if err != nil {
		return Retrieval{}, err
	}
	threshold := ix.threshold(ix.locale(q.Locale))
	for _, r := range ranked {
		if len(out.Matches) == limit {
			break
		}
		// What a match shows is looked up for those returned only.
		m := Match{ID: r.id, Confidence: r.conf}
		if m.Title, m.Summary, m.Category, err = ix.display(ctx, r.id); err != nil {
			return Retrieval{}, fmt.Errorf("search: retrieve: %w", err)
		}
		out.Matches = append(out.Matches, m)
	}
	if len(out.Matches) > 0 {
		out.Confidence = out.Matches[0].Confidence
		if out.Confidence >= threshold {
			out.Decision = DecisionAnswer
		}
	}
	if ix.retrievals != nil {
		cached := out
		cached.Matches = append([]Match(nil), out.Matches...)
		ix.retrievals.put(key, cached, gen)
	}
	return out, nil
}

// exhaustiveMax is the size up to which a knowledge base is re-ranked
// whole rather than through bleve's candidates.
const exhaustiveMax = 200

// candidateIDs returns the ids of bleve's best size matches of q. Which
// articles make the cut must not depend on how the index happened to
// number its documents (bleve lists equal scores in that order), for the
// same articles must give the same answers whatever the build: when the
// last one taken scores the same as the first one left, the search is
// asked again best score first, equal scores by id. (Always asking so cost
// a fifth more CPU per question on a 10,000-article help centre.)
func candidateIDs(ctx context.Context, bi bleve.Index, q query.Query, size int) ([]string, error) {
	req := bleve.NewSearchRequestOptions(q, size+1, 0, false)
	res, err := bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	hits := res.Hits
	if len(hits) > size {
		if hits[size-1].Score == hits[size].Score {
			req = bleve.NewSearchRequestOptions(q, size, 0, false)
			req.SortBy([]string{"-_score", "_id"})
			if res, err = bi.SearchInContext(ctx, req); err != nil {
				return nil, err
			}
			hits = res.Hits
		}
		hits = hits[:min(size, len(hits))]
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids, nil
}

// rankLocked gathers candidates for a question and re-ranks them: every
// published article of the locale in a small knowledge base, the best by
// the model's postings in a large one (see model.candidateIDs). ix.mu must
// be read-locked.
func (ix *Index) rankLocked(ctx context.Context, text, locale string) ([]ranked, error) {
	ix.m.mu.RLock()
	n := len(ix.m.arts)
	ix.m.mu.RUnlock()
	if n <= exhaustiveMax {
		// A small knowledge base is re-ranked whole: no article is lost
		// because the question shares no word with it. The model knows
		// which articles are published in the locale (as bleve's
		// filterQuery finds them), without a search per question.
		ids := ix.m.visibleIDs(locale)
		if len(ids) == 0 {
			return nil, nil
		}
		return ix.m.score(text, ids, ix.cal.Load()), nil
	}
	ids := ix.m.candidateIDs(text, locale, ix.cfg.Candidates)
	if len(ids) == 0 {
		return nil, nil
	}
	return ix.m.score(text, ids, ix.cal.Load()), nil
}

// ordering ranks candidate articles as score does, without their
// confidence: suggestions while typing need only the order. cal's second
// stage, when there is one, orders them as it orders score's.
func (m *model) ordering(text string, ids []string, cal *calibrator) []ranked {
	o := m.order
	if o == nil {
		o = m
	}
	o.mu.RLock()
	out := o.rank(o.analyzeQuestion(text), ids, nil)
	o.mu.RUnlock()
	if cal != nil && cal.rerank != nil {
		for i := range out {
			out[i].oconf, out[i].ofeats = out[i].conf, out[i].feats
		}
		cal.rerank.reorder(out)
	}
	return out
}

// score ranks candidate articles for a question with both analyses and
// sets each one's calibrated confidence (see calibrator; nil keeps the
// uncalibrated blend).
//
// Two questions, two analyses. Whether the knowledge base covers the
// question is for its content words, read strictly (a real word no article
// uses is evidence against); which article answers it best is for the
// ordering model, which also weighs question words and forgives real-word
// typos. The first match carries the knowledge base's confidence; the others
// their own.
func (m *model) score(text string, ids []string, cal *calibrator) []ranked {
	// With an ordering twin, the deciding analysis's list is only read
	// for its figures: it goes back to the pool once they are copied.
	var buf *[]ranked
	if m.order != nil {
		buf = rankedBufs.Get().(*[]ranked)
	}
	m.mu.RLock()
	best := m.rank(m.analyzeQuestion(text), ids, deref(buf))
	m.mu.RUnlock()
	if len(best) == 0 {
		return nil
	}
	out := best
	for i := range out {
		out[i].oconf = out[i].conf
		out[i].ofeats = out[i].feats
	}
	if o := m.order; o != nil {
		o.mu.RLock()
		ordered := o.rank(o.analyzeQuestion(text), ids, nil)
		o.mu.RUnlock()
		if len(ordered) > 0 {
			// Each article's deciding figures, found by its place among
			// the candidates: both analyses have the same articles.
			at := make([]int32, len(best))
			for k, r := range best {
				at[r.pos] = int32(k)
			}
			var byID map[string]int
			for i := range ordered {
				var d ranked
				if p := ordered[i].pos; int(p) < len(at) && best[at[p]].id == ordered[i].id {
					d = best[at[p]]
				} else {
					// Not so (an article in one analysis only): by id.
					if byID == nil {
						byID = make(map[string]int, len(best))
						for k, r := range best {
							byID[r.id] = k
						}
					}
					if k, ok := byID[ordered[i].id]; ok {
						d = best[k]
					}
				}
				ordered[i].oconf, ordered[i].ofeats = ordered[i].conf, ordered[i].feats
				ordered[i].conf, ordered[i].feats = d.conf, d.feats
			}
			ordered[0].conf = best[0].conf
			out = ordered
			clear(best)
			*buf = best[:0]
			rankedBufs.Put(buf)
		}
	}
	if cal != nil {
		cal.apply(out, func(id string) float64 { return m.gramSimOf(id, newGramVec(text)) })
	}
	return out
}

// candidates is rankLocked for tests.
func (ix *Index) candidates(ctx context.Context, text string) ([]ranked, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.rankLocked(ctx, text, ix.cfg.DefaultLocale)
}

// rankedBufs holds the deciding analysis's lists that score has done with.
var rankedBufs = sync.Pool{New: func() any { return new([]ranked) }}

func deref(p *[]ranked) []ranked {
	if p == nil {
		return nil
	}
	return *p
}
