package portal

import (
	"strings"
	"unicode/utf8"
)

// Truncate cuts s to at most n bytes at a character boundary: cutting
// inside a character leaves invalid UTF-8, which PostgreSQL refuses.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// ValidText reports whether s is valid UTF-8 without NUL characters: text
// either store can keep (PostgreSQL refuses both).
func ValidText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
