package web_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// TestUnknownURLsAnswer404: a URL no route matches is 404 for everyone,
// under a protected prefix too (not a sign-in redirect or 403 that tells
// which prefixes exist); known pages keep their checks; /api/ answers JSON.
func TestUnknownURLsAnswer404(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		guest, cust := newClient(t, srv), newClient(t, srv)
		cust.login("ada@example.com")
		for _, p := range []string{"/nope", "/account/nope", "/admin/nope", "/staff/nope", "/editor/nope", "/agent/nope", "/ws/nope"} {
			wantStatus(t, guest.get(p), 404)
			wantStatus(t, cust.get(p), 404)
		}
		wantStatus(t, guest.get("/account"), 303)
		wantStatus(t, cust.get("/admin/staff"), 403)
		res := guest.get("/api/v1/nope")
		wantStatus(t, res, 404)
		var body struct{ Error struct{ Code string } }
		if err := json.Unmarshal([]byte(res.body), &body); err != nil || body.Error.Code != "not_found" {
			t.Fatalf("unknown API URL answered %q", res.body)
		}
	})
}

// TestOversizedHeadersAnswer431: headers beyond the read buffer are the
// client's fault: 431, not a 500 with an error logged.
func TestOversizedHeadersAnswer431(t *testing.T) {
	cs := mustChatServer(t)
	c, err := net.Dial("tcp", strings.TrimPrefix(cs.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("x", 8<<10))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got, want := res.StatusCode, 431; got != want {
		t.Fatalf("status=%d, want %d", got, want)
	}
}

// TestPasswordResetEndsOtherLinks: using one reset link makes the other
// links the account was sent stop working.
func TestPasswordResetEndsOtherLinks(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		c := newClient(t, srv)
		var links []string
		for i := 0; i < 2; i++ {
			c.get("/password/forgot")
			wantStatus(t, c.post("/password/forgot", url.Values{"email": {"ada@example.com"}}), 200)
		}
		mails, err := s.FindEmails(ctx(), "ada@example.com", 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mails {
			if i := strings.Index(m.Body, "token="); i >= 0 {
				tok := m.Body[i+len("token="):]
				if j := strings.IndexAny(tok, " \r\n"); j >= 0 {
					tok = tok[:j]
				}
				tok, _ = url.QueryUnescape(tok)
				links = append(links, tok)
			}
		}
		if len(links) != 2 {
			t.Fatalf("reset links sent: %d, want 2", len(links))
		}
		for i, tok := range links {
			c.get("/password/reset?token=" + url.QueryEscape(tok))
			res := c.post("/password/reset", url.Values{"token": {tok}, "password": {"a brand new password"}, "confirm": {"a brand new password"}})
			if want := []int{303, 400}[i]; res.StatusCode != want {
				t.Fatalf("link %d: status %d, want %d; %.300s", i+1, res.StatusCode, want, res.body)
			}
		}
	})
}

// TestWrongCurrentPasswordsThrottled: guesses at the current password on
// the account page share the account's sign-in limit.
func TestWrongCurrentPasswordsThrottled(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		c := newClient(t, srv)
		c.login("ada@example.com")
		c.get("/account")
		for i := 0; i < 5; i++ {
			wantStatus(t, c.post("/account/password", url.Values{"current": {"guess"}, "new_password": {"a brand new password"}}), 400)
		}
		wantStatus(t, c.post("/account/password", url.Values{"current": {"guess"}, "new_password": {"a brand new password"}}), 429)
		wantStatus(t, c.post("/account/password", url.Values{"current": {"correct horse"}, "new_password": {"a brand new password"}}), 429)
	})
}
