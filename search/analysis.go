package search

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/edgengram"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Analyzer names used by the index mapping.
const (
	// AnalyzerEnglish tokenizes, lower-cases, drops English stop words and
	// stems with the Snowball English stemmer. Used for every text field.
	AnalyzerEnglish = "fd_en"
	// AnalyzerPrefix tokenizes, lower-cases and drops stop words, without
	// stemming (a stemmed form, "deliveri", is no prefix of what is
	// typed), then indexes every prefix of each word from 2 to
	// maxPrefixLen letters: the unfinished word typed is then one term to
	// look up, where a prefix query walked the dictionary and merged the
	// postings of every word it starts.
	AnalyzerPrefix = "fd_prefix"
	prefixFilter   = "fd_edge"
	stopMapName    = "fd_stop"
	// analyzerRank is AnalyzerEnglish keeping questionWords, for the
	// re-ranker's ordering model (see model.order).
	analyzerRank = "fd_rank"
	rankStopName = "fd_rank_stop"
	wordDotsName = "fd_dots"
)

// maxPrefixLen is the longest word prefix AnalyzerPrefix indexes; a
// longer unfinished word is looked up by its first maxPrefixLen letters.
const maxPrefixLen = 20

// mappingVersion changes whenever the mapping or analysis changes, so that
// an index built by an older binary is seen as stale and rebuilt.
const mappingVersion = "fd-search-v11"

// stopWords is a deliberately short list: the usual English list drops
// words such as "not", "no", "when" or "where" that decide the meaning of a
// support question ("not received", "where is my order").
var stopWords = []string{
	"a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "by", "with",
	"from", "as", "is", "am", "are", "was", "were", "be", "been", "being",
	"i", "me", "my", "mine", "we", "us", "our", "you", "your", "u", "ur",
	"it", "its", "this", "that", "these", "those", "there", "here",
	"do", "does", "did", "doing", "done", "have", "has", "had",
	"can", "could", "would", "should", "will", "shall", "may", "might", "must",
	"please", "pls", "plz", "kindly", "hi", "hello", "hey", "hai", "thanks", "thank",
	"so", "just", "also", "too", "very", "really", "then", "than",
	"what", "whats", "which", "who", "whom", "how", "about", "if", "any", "some",
	"want", "need", "like", "know", "tell", "let", "get", "go",
	"he", "she", "him", "her", "they", "them", "their", "his", "hers",
	"s", "t", "d", "ll", "m", "re", "ve",
	// contractions the tokenizer keeps whole (the negative ones become
	// "not" before this list: see normWords)
	"i'm", "i've", "i'll", "i'd", "you're", "you've", "you'll", "you'd",
	"we're", "we've", "we'll", "they're", "they've", "he's", "she's",
	// fillers and forms of address
	"ok", "okay", "yes", "yeah", "sir", "madam", "dear", "oh",
}

// questionWords are stop words that AnalyzerRank keeps. They say nothing
// of whether the knowledge base covers a question, but they tell apart
// questions on one topic: "how do I get my rewards" (redeem them) from
// "what rewards do I have" (their balance).
var questionWords = map[string]bool{
	"what": true, "which": true, "who": true, "how": true,
	"get": true, "want": true, "need": true, "know": true, "tell": true, "let": true, "go": true,
}

func rankStopWords() []string {
	var out []string
	for _, w := range stopWords {
		if !questionWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// buildMapping returns the index mapping: one "article" document type.
func buildMapping() (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	for _, sl := range []struct {
		name  string
		words []string
	}{{stopMapName, stopWords}, {rankStopName, rankStopWords()}} {
		tokens := make([]interface{}, len(sl.words))
		for i, w := range sl.words {
			tokens[i] = w
		}
		if err := im.AddCustomTokenMap(sl.name, map[string]interface{}{
			"type": tokenmap.Name, "tokens": tokens,
		}); err != nil {
			return nil, fmt.Errorf("mapping: stop words: %w", err)
		}
		if err := im.AddCustomTokenFilter(sl.name, map[string]interface{}{
			"type": stop.Name, "stop_token_map": sl.name,
		}); err != nil {
			return nil, fmt.Errorf("mapping: stop filter: %w", err)
		}
	}
	if err := im.AddCustomTokenFilter(abbrevFilterName, map[string]interface{}{
		"type": mapFilterType, "map": abbrevMap(),
	}); err != nil {
		return nil, fmt.Errorf("mapping: abbreviation filter: %w", err)
	}
	if err := im.AddCustomTokenFilter(normFilterName, map[string]interface{}{
		"type": mapFilterType, "map": normMap(),
	}); err != nil {
		return nil, fmt.Errorf("mapping: normalisation filter: %w", err)
	}
	if err := im.AddCustomTokenFilter(stemFilterName, map[string]interface{}{
		"type": stemFilterType, "synonyms": synonymStems(),
	}); err != nil {
		return nil, fmt.Errorf("mapping: stem filter: %w", err)
	}
	if err := im.AddCustomCharFilter(wordDotsName, map[string]interface{}{
		"type": dotsFilterType,
	}); err != nil {
		return nil, fmt.Errorf("mapping: char filter: %w", err)
	}
	if err := im.AddCustomAnalyzer(AnalyzerEnglish, map[string]interface{}{
		"type":         custom.Name,
		"tokenizer":    unicode.Name,
		"char_filters": []interface{}{wordDotsName},
		"token_filters": []interface{}{en.PossessiveName, abbrevFilterName, lowercase.Name, normFilterName, stopMapName,
			stemFilterName, stopMapName},
	}); err != nil {
		return nil, fmt.Errorf("mapping: english analyzer: %w", err)
	}
	if err := im.AddCustomAnalyzer(analyzerRank, map[string]interface{}{
		"type":         custom.Name,
		"tokenizer":    unicode.Name,
		"char_filters": []interface{}{wordDotsName},
		"token_filters": []interface{}{en.PossessiveName, abbrevFilterName, lowercase.Name, normFilterName, rankStopName,
			stemFilterName, rankStopName},
	}); err != nil {
		return nil, fmt.Errorf("mapping: rank analyzer: %w", err)
	}
	if err := im.AddCustomTokenFilter(prefixFilter, map[string]interface{}{
		"type": edgengram.Name, "min": float64(2), "max": float64(maxPrefixLen),
	}); err != nil {
		return nil, fmt.Errorf("mapping: prefix filter: %w", err)
	}
	if err := im.AddCustomAnalyzer(AnalyzerPrefix, map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []interface{}{lowercase.Name, stopMapName, prefixFilter},
	}); err != nil {
		return nil, fmt.Errorf("mapping: prefix analyzer: %w", err)
	}
	im.DefaultAnalyzer = AnalyzerEnglish
	im.TypeField = "type"
	im.DefaultType = typeArticle

	text := func(name, analyzer string, store, vectors bool) *mapping.FieldMapping {
		fm := mapping.NewTextFieldMapping()
		fm.Name = name
		fm.Analyzer = analyzer
		fm.Store = store
		fm.IncludeTermVectors = vectors
		fm.IncludeInAll = false
		// Doc values serve sorting and facets, never done on text; they
		// cost index time and space.
		fm.DocValues = false
		return fm
	}
	kw := func(store, docValues bool) *mapping.FieldMapping {
		fm := mapping.NewKeywordFieldMapping()
		fm.Analyzer = keyword.Name
		fm.Store = store
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		fm.DocValues = docValues
		return fm
	}
	boolean := func() *mapping.FieldMapping {
		fm := mapping.NewBooleanFieldMapping()
		fm.IncludeInAll = false
		fm.DocValues = false
		return fm
	}

	art := mapping.NewDocumentStaticMapping()
	// Highlighted fields keep term vectors; phrasings are stored for
	// reloading the re-ranker's model.
	for _, f := range []string{fTitle, fSummary, fBody} {
		art.AddFieldMappingsAt(f, text(f, AnalyzerEnglish, true, true))
	}
	art.AddFieldMappingsAt(fPhrasings, text(fPhrasings, AnalyzerEnglish, true, false))
	art.AddFieldMappingsAt(fTags, text(fTags, AnalyzerEnglish, false, false))
	// What search-as-you-type looks at, title, phrasings and summary, is
	// also indexed as one field, stemmed and by word prefixes, so that each
	// typed word costs one posting list instead of one per field.
	art.AddFieldMappingsAt(fTyping, text(fTyping, AnalyzerEnglish, false, false))
	art.AddFieldMappingsAt(fTypingPrefix, text(fTypingPrefix, AnalyzerPrefix, false, false))
	art.AddFieldMappingsAt(fCategory, kw(true, true))
	art.AddFieldMappingsAt(fLocale, kw(false, false))
	art.AddFieldMappingsAt(fPublished, boolean())
	// Published articles carry their locale in fVisible, drafts nothing:
	// what customers may see is one term, not a conjunction of two.
	art.AddFieldMappingsAt(fVisible, kw(true, false))
	im.AddDocumentMapping(typeArticle, art)

	if err := im.Validate(); err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	return im, nil
}

// Field and type names in the index.
const (
	typeArticle = "article"

	fTitle     = "title"
	fSummary   = "summary"
	fBody      = "body"
	fPhrasings = "phrasings"
	fTags      = "tags"
	fCategory  = "category"
	fLocale    = "locale"
	fPublished = "published"
	fVisible   = "visible"

	fTyping       = "typing"
	fTypingPrefix = "typing_prefix"
)

// analyzeTerms runs an analyzer and returns the terms in order.
func analyzeTerms(a analysis.Analyzer, s string) []string {
	if s == "" {
		return nil
	}
	ts := a.Analyze([]byte(s))
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	return out
}
