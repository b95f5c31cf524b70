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
	pre   bool // prefix matching on this field's _exact twin
}{
	{fTitle, 4, true, true},
	{fPhrasings, 3, true, true},
	{fSummary, 2, true, true},
	{fTags, 1.5, false, false},
	{fBody, 1, false, false},
}

// textQuery builds the scoring part of a query: per field, an exact
// (stemmed) match, a weaker fuzzy match for typos, and, while typing, a
// prefix match on the last, unfinished word.
func textQuery(text string, asYouType bool) query.Query {
	full, last := text, ""
	if asYouType {
		full, last = splitLastWord(text)
	}
	var qs []query.Query
	for _, f := range fieldBoosts {
		if strings.TrimSpace(full) != "" {
			m := bleve.NewMatchQuery(full)
			m.SetField(f.field)
			m.SetBoost(f.boost)
			qs = append(qs, m)
			if f.fuzzy {
				fz := bleve.NewMatchQuery(full)
				fz.SetField(f.field)
				fz.SetFuzziness(1)
				fz.SetPrefix(1)
				fz.SetBoost(f.boost * 0.3)
				qs = append(qs, fz)
			}
		}
		if last != "" && f.pre {
			p := bleve.NewPrefixQuery(last)
			p.SetField(f.field + exactSuffix)
			p.SetBoost(f.boost * 0.8)
			qs = append(qs, p)
			// A finished word typed so far also matches in stemmed form.
			m := bleve.NewMatchQuery(last)
			m.SetField(f.field)
			m.SetBoost(f.boost * 0.5)
			qs = append(qs, m)
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
	pub := bleve.NewBoolFieldQuery(true)
	pub.SetField(fPublished)
	loc := bleve.NewTermQuery(locale)
	loc.SetField(fLocale)
	qs := []query.Query{pub, loc}
	if category != "" {
		c := bleve.NewTermQuery(category)
		c.SetField(fCategory)
		qs = append(qs, c)
	}
	return bleve.NewConjunctionQuery(qs...)
}

func filtered(text query.Query, filter query.Query) query.Query {
	bq := bleve.NewBooleanQuery()
	bq.AddMust(text)
	bq.AddMust(filter)
	return bq
}

// typingFields are searched while the user types: the body matches too
// many half-typed words to be useful for suggestions.
var typingFields = fieldBoosts[:3]

// typingQuery is the query run while the user types. Every finished word
// (stemmed, stop words dropped) must appear in the title, phrasings or
// summary, and the unfinished last word as a prefix there. With relaxed
// set, each word may also match with one typo and one clause may miss; it
// is what Search falls back to when the strict form finds nothing. Both
// stay selective, hence fast on large bases.
func typingQuery(an analysis.Analyzer, text string, relaxed bool) query.Query {
	full, last := splitLastWord(text)
	var clauses []query.Query
	for _, t := range uniq(analyzeTerms(an, full)) {
		var any []query.Query
		for _, f := range typingFields {
			tq := bleve.NewTermQuery(t)
			tq.SetField(f.field)
			tq.SetBoost(f.boost)
			any = append(any, tq)
			if relaxed && len(t) >= 4 {
				fq := bleve.NewFuzzyQuery(t)
				fq.SetField(f.field)
				fq.SetFuzziness(1)
				fq.SetPrefix(1)
				fq.SetBoost(f.boost * 0.3)
				any = append(any, fq)
			}
		}
		clauses = append(clauses, bleve.NewDisjunctionQuery(any...))
	}
	// A one-letter or stop-word tail says too little to filter on.
	if len([]rune(last)) >= 2 && !isStopWord(last) {
		var any []query.Query
		for _, f := range typingFields {
			p := bleve.NewPrefixQuery(last)
			p.SetField(f.field + exactSuffix)
			p.SetBoost(f.boost)
			any = append(any, p)
		}
		clauses = append(clauses, bleve.NewDisjunctionQuery(any...))
	}
	switch {
	case len(clauses) == 0:
		return bleve.NewMatchNoneQuery()
	case relaxed:
		d := bleve.NewDisjunctionQuery(clauses...)
		d.SetMin(float64(max(1, len(clauses)-1)))
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
