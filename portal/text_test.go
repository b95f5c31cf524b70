package portal_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/portal"
)

func TestTruncateKeepsCharactersWhole(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 2, "ab"},
		{strings.Repeat("a", 199) + "€x", 200, strings.Repeat("a", 199)},
		{strings.Repeat("M", 299) + "é", 300, strings.Repeat("M", 299)},
		{"€", 2, ""},
		{"é", 0, ""},
	} {
		got := portal.Truncate(tc.in, tc.n)
		if got != tc.want || !utf8.ValidString(got) || len(got) > tc.n {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func FuzzTruncate(f *testing.F) {
	f.Add("a€b", 2)
	f.Add("ééé", 3)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 1<<16 {
			return
		}
		got := portal.Truncate(s, n)
		if len(got) > n || !strings.HasPrefix(s, got) {
			t.Fatalf("Truncate(%q, %d) = %q", s, n, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Truncate(%q, %d) = %q: invalid UTF-8", s, n, got)
		}
	})
}
