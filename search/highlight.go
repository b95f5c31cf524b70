package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
)

// typingMatcher decides which words of a suggestion to mark while the user
// types: those whose stem is one of the finished words' stems, and those
// starting with the unfinished last word. It runs on the few hits shown,
// so bleve need not read term locations for every match. It splits text
// into words itself and runs only the analyzer's token filters on each
// distinct word, once: the tokenizer allocated more than the search.
type typingMatcher struct {
	an      analysis.Analyzer
	filters []analysis.TokenFilter // nil: analyze whole texts with an
	terms   map[string]bool
	prefix  string

	tok    analysis.Token
	stream analysis.TokenStream
	seen   map[string]bool // lower-cased word -> marked
}

func newTypingMatcher(an analysis.Analyzer, t typed) *typingMatcher {
	tm := &typingMatcher{an: an, terms: make(map[string]bool, len(t.terms)), prefix: t.prefix, seen: map[string]bool{}}
	for _, x := range t.terms {
		tm.terms[x] = true
	}
	if da, ok := an.(*analysis.DefaultAnalyzer); ok {
		tm.filters = da.TokenFilters
		tm.stream = analysis.TokenStream{&tm.tok}
	}
	return tm
}

// maxFragment is the longest highlighted text shown, as bleve's default
// fragmenter does.
const maxFragment = 200

// highlight returns s HTML-escaped with matches wrapped in <mark>, and
// whether anything matched.
func (tm *typingMatcher) highlight(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	var b strings.Builder
	pos, found := 0, false
	mark := func(start, end int) {
		found = true
		b.WriteString(html.EscapeString(s[pos:start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(s[start:end]))
		b.WriteString("</mark>")
		pos = end
	}
	if tm.filters == nil {
		for _, t := range tm.an.Analyze([]byte(s)) {
			if t.Start < pos || t.End > len(s) {
				continue
			}
			if t.Start >= maxFragment {
				break
			}
			if tm.terms[string(t.Term)] || (tm.prefix != "" && strings.HasPrefix(strings.ToLower(s[t.Start:t.End]), tm.prefix)) {
				mark(t.Start, t.End)
			}
		}
	} else {
		for start := 0; start < len(s) && start < maxFragment; {
			ws, we := nextWord(s, start)
			if ws < 0 || ws >= maxFragment {
				break
			}
			if tm.matches(strings.ToLower(s[ws:we])) {
				mark(ws, we)
			}
			start = we
		}
	}
	if !found {
		return "", false
	}
	rest := s[pos:]
	if len(s) > maxFragment && pos < maxFragment {
		rest = s[pos:maxFragment]
		for len(rest) > 0 && !utf8Start(rest[len(rest)-1]) {
			rest = rest[:len(rest)-1]
		}
		rest += "…"
	}
	b.WriteString(html.EscapeString(rest))
	return b.String(), true
}

// matches reports whether a lower-cased word is to be marked: it is no
// stop word, and its term is a finished word's or it starts with the
// unfinished one.
func (tm *typingMatcher) matches(w string) bool {
	if m, ok := tm.seen[w]; ok {
		return m
	}
	tm.tok = analysis.Token{Term: append(tm.tok.Term[:0], w...), Type: analysis.AlphaNumeric}
	ts := tm.stream[:1]
	for _, f := range tm.filters {
		ts = f.Filter(ts)
	}
	m := len(ts) > 0 && (tm.terms[string(ts[0].Term)] || (tm.prefix != "" && strings.HasPrefix(w, tm.prefix)))
	tm.seen[w] = m
	return m
}

// nextWord returns the bounds of the first word of s at or after i, or
// -1: a run of letters and digits, with apostrophes inside it ("customer's",
// "don't") and dots or commas between digits ("3.5").
func nextWord(s string, i int) (int, int) {
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) }
	start := -1
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if isWord(r) {
			start = i
			break
		}
		i += n
	}
	if start < 0 {
		return -1, -1
	}
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if isWord(r) {
			i += n
			continue
		}
		if r == '\'' || r == '’' || r == '.' || r == ',' {
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			next, _ := utf8.DecodeRuneInString(s[i+n:])
			inner := isWord(next) && (r == '\'' || r == '’' || unicode.IsDigit(prev) && unicode.IsDigit(next))
			if inner {
				i += n
				continue
			}
		}
		break
	}
	return start, i
}

func utf8Start(c byte) bool { return c < 0x80 || c >= 0xC0 }
