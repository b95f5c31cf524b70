package loadgen

import (
	"embed"
	"strings"
	"unicode/utf8"
)

// The question files and their licences: questions/LICENSES.md.
//
//go:embed questions/*.txt
var questionFiles embed.FS

// Questions yields questions for the chat benchmark that never repeat
// within a run: real support queries (questions/*.txt: CLINC150 banking,
// HINT3 SOFMattress, the demo retailer's questions), each with variations
// a person would make (a greeting before it, a word after it, a typo in
// its longest word). Question i is base question i mod N with variation
// i / N, so the first Cap() questions are all different.
type Questions struct {
	base []string
}

var (
	questionPrefixes = []string{"", "Hi, ", "Hello, ", "Hey, ", "Good morning, ", "Good evening, ", "Quick question: ",
		"Sorry to bother you, ", "Excuse me, ", "Can you help? ", "I need help: ", "Question: ", "Hi there, ",
		"Dear support, ", "One more thing: ", "Please help, "}
	questionSuffixes = []string{"", "?", " please", " thanks", " thank you", ", thanks in advance", " asap", " today",
		" right now", "??", " :)", " - urgent"}
)

// typo modes: none, swap two neighbouring letters, drop one, double one.
const typoModes = 4

// NewQuestions loads the embedded question sets.
func NewQuestions() *Questions {
	q := &Questions{}
	seen := map[string]bool{}
	entries, _ := questionFiles.ReadDir("questions")
	for _, e := range entries {
		b, _ := questionFiles.ReadFile("questions/" + e.Name())
		for _, line := range strings.Split(string(b), "\n") {
			// The suffixes add the punctuation ("?", "??"): without
			// this, "X?" + "?" would be "X" + "??".
			line = strings.TrimRight(strings.TrimSpace(line), "?!. ")
			if k := strings.ToLower(line); letters(line) >= 3 && !seen[k] {
				seen[k] = true
				q.base = append(q.base, line)
			}
		}
	}
	return q
}

// letters counts the ASCII letters of s: lines like "?" or "ok" are no
// question to vary.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			n++
		}
	}
	return n
}

// Len is the number of base questions.
func (q *Questions) Len() int { return len(q.base) }

// Cap is the number of different questions Text gives before repeating.
func (q *Questions) Cap() int {
	return len(q.base) * len(questionPrefixes) * len(questionSuffixes) * typoModes
}

// Base returns base question i mod Len (no variation), for the mode that
// repeats a few questions.
func (q *Questions) Base(i int) string { return q.base[i%len(q.base)] }

// Text returns question i (taken modulo Cap).
func (q *Questions) Text(i int) string {
	i %= q.Cap()
	if i < 0 {
		i += q.Cap()
	}
	text := q.base[i%len(q.base)]
	v := i / len(q.base)
	typo := v % typoModes
	v /= typoModes
	suffix := questionSuffixes[v%len(questionSuffixes)]
	prefix := questionPrefixes[v/len(questionSuffixes)]
	if typo > 0 {
		text = withTypo(text, typo)
	}
	if prefix != "" && text != "" {
		// "Hi, where is..." but keep "I" and acronyms capitalised.
		r, n := utf8.DecodeRuneInString(text)
		if r >= 'A' && r <= 'Z' && n < len(text) {
			if r2, _ := utf8.DecodeRuneInString(text[n:]); r2 >= 'a' && r2 <= 'z' {
				text = string(r+'a'-'A') + text[n:]
			}
		}
	}
	return prefix + text + suffix
}

// withTypo changes the longest word of s: mode 1 swaps its first two
// different neighbouring letters, 2 drops its second letter, 3 doubles
// its last letter. Each mode changes the text, and differently from the
// others (same length but different, one shorter, one longer).
func withTypo(s string, mode int) string {
	words := strings.Fields(s)
	best := -1
	for i, w := range words {
		if best < 0 || len(w) > len(words[best]) {
			best = i
		}
	}
	if best < 0 {
		return s
	}
	w := []byte(words[best])
	switch mode {
	case 1:
		swapped := false
		for j := 0; j+1 < len(w); j++ {
			if w[j] != w[j+1] && w[j] < utf8.RuneSelf && w[j+1] < utf8.RuneSelf {
				w[j], w[j+1] = w[j+1], w[j]
				swapped = true
				break
			}
		}
		if !swapped { // "aa", "é": no swap possible; add a letter in front
			w = append([]byte{'x'}, w...)
			w = append(w, 'x') // two longer: differs from mode 3
		}
	case 2:
		if len(w) >= 2 && w[1] < utf8.RuneSelf {
			w = append(w[:1], w[2:]...)
		} else {
			w = w[:0] // drop the word: shorter
		}
	case 3:
		w = append(w, w[len(w)-1])
	}
	words[best] = string(w)
	return strings.Join(words, " ")
}
