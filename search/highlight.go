package search

import (
	"html"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
)

// typingMatcher decides which words of a suggestion to mark while the user
// types: those whose stem is one of the finished words' stems, and those
// starting with the unfinished last word. It runs on the few hits shown,
// so bleve need not read term locations for every match.
type typingMatcher struct {
	an     analysis.Analyzer
	terms  map[string]bool
	prefix string
}

func newTypingMatcher(an analysis.Analyzer, text string) *typingMatcher {
	full, last := splitLastWord(text)
	tm := &typingMatcher{an: an, terms: map[string]bool{}}
	for _, t := range analyzeTerms(an, full) {
		tm.terms[t] = true
	}
	if len([]rune(last)) >= 2 && !isStopWord(last) {
		tm.prefix = last
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
	toks := tm.an.Analyze([]byte(s))
	var b strings.Builder
	pos, found := 0, false
	for _, t := range toks {
		if t.Start < pos || t.End > len(s) {
			continue
		}
		match := tm.terms[string(t.Term)]
		if !match && tm.prefix != "" {
			match = strings.HasPrefix(strings.ToLower(s[t.Start:t.End]), tm.prefix)
		}
		if !match {
			continue
		}
		if t.Start >= maxFragment {
			break
		}
		found = true
		b.WriteString(html.EscapeString(s[pos:t.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(s[t.Start:t.End]))
		b.WriteString("</mark>")
		pos = t.End
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

func utf8Start(c byte) bool { return c < 0x80 || c >= 0xC0 }
