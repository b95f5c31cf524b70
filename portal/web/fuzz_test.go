package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/sqlite"
)

// FuzzChatFrameText: a chat frame that passes the text check decodes
// (when it is JSON) into strings every store can keep; the check never
// panics.
func FuzzChatFrameText(f *testing.F) {
	for _, s := range []string{`{"type":"hello"}`, `{"type":"send","id":"1","text":"a\u0000b"}`, `{"type":"send","text":"\\u0000"}`, `{"text":"\\\u0000"}`,
		"{\"text\":\"caf\xc3\"}", `{"text":"\ud800"}`, `{"type":"leave_message","email":"a@b.c","name":"Zoë","text":"€"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !validJSONText(b) {
			return
		}
		var fr bot.InFrame
		if json.Unmarshal(b, &fr) != nil {
			return
		}
		for _, s := range []string{fr.Type, fr.ID, fr.Text, fr.Email, fr.Name, fr.Comment, fr.Status} {
			if !portal.ValidText(s) {
				t.Fatalf("frame %q passed the check but decodes to %q", b, s)
			}
		}
	})
}

// FuzzFormDecoding: whatever a form or query string holds, the answer is
// never a 500 (hostile text is refused at the edge with 400).
func FuzzFormDecoding(f *testing.F) {
	st, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(f.TempDir(), "fd.db")})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	srv, err := New(TestConfig(f, Config{Store: st, Secret: []byte("0123456789abcdef0123456789abcdef")}))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	for _, s := range []string{"number=A-1&contact=x%40example.com", "number=%00&contact=%FF", "a=%zz&&=&b", "number=" + string(bytes.Repeat([]byte("é"), 300)), "%", "=%c3"} {
		f.Add(s, "q=caf%C3%A9")
	}
	f.Fuzz(func(t *testing.T, body, query string) {
		req := httptest.NewRequest("POST", "/track", bytes.NewReader([]byte(body)))
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := srv.App.Test(req, -1)
		if err != nil {
			return // refused by the HTTP parser itself
		}
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("body %q query %q: status %d", body, query, res.StatusCode)
		}
		req = httptest.NewRequest("GET", "/help/search", nil)
		req.URL.RawQuery = query
		if res, err := srv.App.Test(req, -1); err == nil {
			res.Body.Close()
			if res.StatusCode >= 500 {
				t.Fatalf("search query %q: status %d", query, res.StatusCode)
			}
		}
	})
}
