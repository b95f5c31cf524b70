package portal

import (
	"bytes"
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

// ValidJSONText reports whether a JSON document is valid UTF-8 and holds
// no NUL, raw or escaped (\u0000: encoding/json decodes it into strings).
func ValidJSONText(b []byte) bool {
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+1 < len(b) && b[i+1] == 'u' && i+6 <= len(b) && string(b[i+2:i+6]) == "0000" {
			return false
		}
		i++ // skip the escaped character (an escaped backslash too)
	}
	return true
}
