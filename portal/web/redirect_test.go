package web

import (
	"net/url"
	"strings"
	"testing"
)

// browserResolve is what a browser makes of a Location header: it drops
// tabs and line breaks, reads backslashes as slashes, and resolves the
// result against the page.
func browserResolve(loc string) (*url.URL, error) {
	loc = strings.NewReplacer("\t", "", "\r", "", "\n", "", "\\", "/").Replace(strings.Trim(loc, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
	base, _ := url.Parse("https://portal.test/login")
	ref, err := url.Parse(loc)
	if err != nil {
		return nil, err
	}
	return base.ResolveReference(ref), nil
}

func TestSafeNextStaysOnSite(t *testing.T) {
	for _, next := range []string{
		"/\t/evil.example", "/\r/evil.example", "/\n/evil.example", "/\\evil.example", "/\\/evil.example",
		"//evil.example", "https://evil.example", "/\t\\evil.example", "javascript:alert(1)", "\t//evil.example",
		"/ /\t/evil.example", "/a\\..\\..\\/evil.example",
	} {
		if got := safeNext(next, "/account"); got != "/account" {
			t.Errorf("safeNext(%q) = %q, want the default", next, got)
		}
	}
	for _, next := range []string{"/account/orders/A-1", "/help/search?q=caf%C3%A9", "/account#chats", "/configure/sofa?x=1&y=2"} {
		if got := safeNext(next, "/account"); got != next {
			t.Errorf("safeNext(%q) = %q, want it kept", next, got)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/account", "/\t/evil.example", "/\\evil.example", "//x", "/%09/evil", "/a?b=c#d", "/\u2028/x", "https://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next, "/")
		u, err := browserResolve(got)
		if err != nil || u.Host != "portal.test" || u.Scheme != "https" {
			t.Fatalf("safeNext(%q) = %q leaves the site (%v, %v)", next, got, u, err)
		}
	})
}
