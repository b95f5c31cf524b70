package search

import (
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Field boosts: an editor's title and phrasings say what an article is
// about; the summary less directly; the body mentions many things.
var fieldBoosts = []struct {
	field string
	boost float64
	fuzzy bool // typo tolerance on this field
}{
	{fTitle, 4, true},
	{fPhrasings, 3, true},
	{fSummary, 2, true},
	{fTags, 1.5, false},
	{fBody, 1, false},
}

// textQuery builds the scoring part of a full-text query: per field, an
// exact (stemmed) match and a weaker fuzzy match for typos.
func textQuery(text string) query.Query { return cachedTextQuery(text, nil) }

// cachedTextQuery is textQuery with its fuzzy expansions kept in fc
// (none when nil): the same query, cheaper on words seen before.
func cachedTextQuery(text string, fc *fuzzyCache) query.Query {
	var qs []query.Query
	for _, f := range fieldBoosts {
		m := bleve.NewMatchQuery(text)
		m.SetField(f.field)
		m.SetBoost(f.boost)
		qs = append(qs, m)
		if f.fuzzy && fc != nil {
			// As below.
			qs = append(qs, &fuzzyMatchQuery{text: text, field: f.field, prefix: 1, boost: f.boost * 0.3, cache: fc})
		} else if f.fuzzy {
			fz := bleve.NewMatchQuery(text)
			fz.SetField(f.field)
			// One edit for words of 3-5 letters, two from 6 ("retrun").
			fz.SetAutoFuzziness(true)
			fz.SetPrefix(1)
			fz.SetBoost(f.boost * 0.3)
			qs = append(qs, fz)
		}
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// splitLastWord splits "where is my ord" into "where is my" and "ord". A
// text ending in a space has no unfinished word.
func splitLastWord(text string) (string, string) {
	if text == "" || unicode.IsSpace(rune(text[len(text)-1])) {
		return text, ""
	}
	i := strings.LastIndexFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return text[:i+1], strings.ToLower(text[i+1:])
}

// filterQuery restricts to published articles of one locale and, if set,
// one category.
func filterQuery(locale, category string) query.Query {
	vis := bleve.NewTermQuery(locale)
	vis.SetField(fVisible)
	if category == "" {
		return vis
	}
	c := bleve.NewTermQuery(category)
	c.SetField(fCategory)
	return bleve.NewConjunctionQuery(vis, c)
}

func filtered(text query.Query, filter query.Query) query.Query {
	bq := bleve.NewBooleanQuery()
	bq.AddMust(text)
	bq.AddMust(filter)
	return bq
}

// typed is what search-as-you-type makes of a text: the terms of its
// finished words and its unfinished last word. Texts that differ only by a
// trailing space, stop word or single letter make the same typed, hence
// the same search: its key is what Search caches results under.
type typed struct {
	terms []string // finished words, analyzed (stemmed, stop words dropped), each once
	// prefix is the unfinished word, lower-cased, or "" when it says too
	// little to filter on: one letter, a stop word, or two letters alone
	// (which would match a large share of a big knowledge base).
	prefix string
}

func parseTyping(an analysis.Analyzer, text string) typed {
	full, last := splitLastWord(text)
	t := typed{terms: uniq(analyzeTerms(an, full))}
	if n := len([]rune(last)); !isStopWord(last) && (n >= 3 || (n == 2 && len(t.terms) > 0)) {
		t.prefix = last
	}
	return t
}

func (t typed) key() string {
	var b strings.Builder
	for _, x := range t.terms {
		b.WriteString(x)
		b.WriteByte(0)
	}
	b.WriteByte(1)
	b.WriteString(t.prefix)
	return b.String()
}

// hasTypoCandidate reports whether a finished word is long enough for
// typingQuery's fuzzy variants, without which its relaxed form is the
// strict one again.
func (t typed) hasTypoCandidate() bool {
	for _, x := range t.terms {
		if len(x) >= 4 {
			return true
		}
	}
	return len([]rune(t.prefix)) >= 4
}

// typingQuery is the query run while the user types. Every finished word
// must appear in the title, phrasings or summary, and the unfinished last
// word as a prefix there (one term of the prefix field, see
// AnalyzerPrefix). With relaxed set, each word the knowledge base does not
// know may also match with one typo and one clause may miss; it is what
// Search falls back to when the strict form finds nothing, unless no word
// was long enough for a typo. Both stay selective, hence fast on large
// bases.
func typingQuery(t typed, relaxed bool, known func(string) bool) query.Query {
	var clauses []query.Query
	for _, x := range t.terms {
		tq := bleve.NewTermQuery(x)
		tq.SetField(fTyping)
		// A word the knowledge base uses is no typo: fuzzy variants of
		// every word made the relaxed query costly.
		if relaxed && len(x) >= 4 && (known == nil || !known(x)) {
			fq := bleve.NewFuzzyQuery(x)
			fq.SetField(fTyping)
			fq.SetFuzziness(1)
			// Typos rarely hit the first two letters; a longer fixed
			// prefix keeps the expansion small.
			fq.SetPrefix(2)
			fq.SetBoost(0.3)
			clauses = append(clauses, bleve.NewDisjunctionQuery(tq, fq))
			continue
		}
		clauses = append(clauses, tq)
	}
	if t.prefix != "" {
		p := t.prefix
		if r := []rune(p); len(r) > maxPrefixLen {
			p = string(r[:maxPrefixLen])
		}
		pq := bleve.NewTermQuery(p)
		pq.SetField(fTypingPrefix)
		if n := len([]rune(t.prefix)); relaxed && n >= 4 && (known == nil || !known(t.prefix)) {
			// The unfinished word may be a finished one with a typo
			// ("pasword", "retrun"): as the results page forgives.
			fq := bleve.NewFuzzyQuery(t.prefix)
			fq.SetField(fTyping)
			fq.SetFuzziness(1)
			if n >= 6 {
				fq.SetFuzziness(2)
			}
			fq.SetPrefix(1)
			fq.SetBoost(0.3)
			clauses = append(clauses, bleve.NewDisjunctionQuery(pq, fq))
		} else {
			clauses = append(clauses, pq)
		}
	}
	switch {
	case len(clauses) == 0:
		return bleve.NewMatchNoneQuery()
	case relaxed && len(clauses) >= 2:
		// One word may miss, as on the results page ("forgot pasword"
		// finds the password articles that never say "forgot").
		d := bleve.NewDisjunctionQuery(clauses...)
		d.SetMin(float64(len(clauses) - 1))
		return d
	default:
		return bleve.NewConjunctionQuery(clauses...)
	}
}

func isStopWord(w string) bool {
	for _, s := range stopWords {
		if s == w {
			return true
		}
	}
	return false
}
