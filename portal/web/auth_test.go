package web_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/web"
	"github.com/gofiber/fiber/v2"
)

func TestSignIn(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		t.Run("WrongPasswordIs401", func(t *testing.T) {
			c := newClient(t, srv)
			c.get("/login")
			res := c.post("/login", url.Values{"email": {"ada@example.com"}, "password": {"wrong password"}})
			wantStatus(t, res, 401)
			wantBody(t, res, "The email or password is not right.")
			if _, ok := c.cookies["fd_session"]; ok {
				t.Fatal("session cookie set after a wrong password")
			}
		})
		t.Run("UnknownAccountLooksTheSame", func(t *testing.T) {
			c := newClient(t, srv)
			c.get("/login")
			res := c.post("/login", url.Values{"email": {"ghost@example.com"}, "password": {"whatever"}})
			wantStatus(t, res, 401)
			wantBody(t, res, "The email or password is not right.")
		})
		t.Run("RightPasswordStartsSession", func(t *testing.T) {
			c := newClient(t, srv)
			c.login("ADA@example.com")
			res := c.get("/account")
			wantStatus(t, res, 200)
			wantBody(t, res, "Your account")
			wantBody(t, res, "You have no orders yet.")
		})
		t.Run("NextStaysOnSite", func(t *testing.T) {
			c := newClient(t, srv)
			c.get("/login")
			res := c.post("/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse"}, "next": {"//evil.example/x"}})
			wantStatus(t, res, 303)
			if loc := res.Header.Get("Location"); loc != "/account" {
				t.Fatalf("Location=%q, want /account", loc)
			}
		})
		t.Run("MissingCSRFIs403", func(t *testing.T) {
			c := newClient(t, srv)
			c.get("/login")
			res := c.post("/login", url.Values{"_csrf": {""}, "email": {"ada@example.com"}, "password": {"correct horse"}})
			wantStatus(t, res, 403)
			res = c.post("/login", url.Values{"_csrf": {"forged"}, "email": {"ada@example.com"}, "password": {"correct horse"}})
			wantStatus(t, res, 403)
		})
		t.Run("SignedInFormNeedsSessionToken", func(t *testing.T) {
			c := newClient(t, srv)
			c.get("/login")
			guestToken := c.csrf
			c.login("ada@example.com")
			res := c.post("/account/profile", url.Values{"_csrf": {guestToken}, "name": {"Hijacked"}})
			wantStatus(t, res, 403)
			c.get("/account")
			res = c.post("/account/profile", url.Values{"name": {"Ada Lovelace"}, "time_zone": {"Europe/London"}})
			wantStatus(t, res, 303)
			wantBody(t, c.get("/account"), "Profile saved.")
		})
		t.Run("LogoutEndsSession", func(t *testing.T) {
			c := newClient(t, srv)
			c.login("ada@example.com")
			tok := c.cookies["fd_session"]
			c.get("/account")
			wantStatus(t, c.post("/logout", url.Values{}), 303)
			c.cookies["fd_session"] = tok // a stolen copy of the cookie
			res := c.get("/account")
			wantStatus(t, res, 303)
		})
	})
}

func TestSignInRateLimit(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		c := newClient(t, srv)
		c.get("/login")
		for i := 0; i < 5; i++ {
			wantStatus(t, c.post("/login", url.Values{"email": {"ada@example.com"}, "password": {"guess"}}), 401)
		}
		res := c.post("/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse"}})
		wantStatus(t, res, 429)
		if ra := res.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("Retry-After=%q", ra)
		}
		wantBody(t, res, "Too many failed sign-in attempts")
		// Another account from the same IP is not locked out by ada's failures.
		MustUser(t, s, portal.RoleCustomer, "bob@example.com")
		c.login("bob@example.com")
	})
}

var signupLink = regexp.MustCompile(`http://portal\.test/signup/confirm\?token=(\S+)`)

// signupToken returns the token of the newest sign-up link mailed to addr.
func signupToken(tb testing.TB, s portal.Store, addr string) string {
	tb.Helper()
	es, err := s.FindEmails(ctx(), addr, 10)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range es {
		if m := signupLink.FindStringSubmatch(e.Body); m != nil {
			tok, _ := url.QueryUnescape(m[1])
			return tok
		}
	}
	tb.Fatalf("no sign-up link mailed to %s (%d emails)", addr, len(es))
	return ""
}

func TestSignUp(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "taken@example.com")
		tests := []struct {
			name, email, password, want string
		}{
			{"BadEmail", "not-an-email", "long enough pw", "Enter a valid email address"},
			{"ShortPassword", "new@example.com", "short", "Use at least 10 characters."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := newClient(t, srv)
				c.get("/signup")
				res := c.post("/signup", url.Values{"email": {tt.email}, "password": {tt.password}})
				wantStatus(t, res, 400)
				wantBody(t, res, tt.want)
			})
		}
		t.Run("CreatesCustomerAfterConfirmAndSignsIn", func(t *testing.T) {
			c := newClient(t, srv)
			c.get("/signup")
			res := c.post("/signup", url.Values{"email": {"new@example.com"}, "name": {"New <b>Person</b>"}, "password": {"long enough pw"}, "time_zone": {"Europe/Paris"}})
			wantStatus(t, res, 200)
			wantBody(t, res, "we sent a link to finish creating your account")
			if _, err := s.FindUserByEmail(ctx(), "new@example.com"); !portal.IsNotFound(err) {
				t.Fatalf("account created before the address was confirmed: %v", err)
			}
			tok := signupToken(t, s, "new@example.com")
			// Opening the link (as mail scanners do) creates nothing.
			res = c.get("/signup/confirm?token=" + url.QueryEscape(tok))
			wantStatus(t, res, 200)
			wantBody(t, res, "Create my account")
			if _, err := s.FindUserByEmail(ctx(), "new@example.com"); !portal.IsNotFound(err) {
				t.Fatalf("GET of the link created the account: %v", err)
			}
			wantStatus(t, c.post("/signup/confirm", url.Values{"token": {tok}}), 303)
			res = c.get("/account")
			wantStatus(t, res, 200)
			wantBody(t, res, "New &lt;b&gt;Person&lt;/b&gt;")
			u, err := s.FindUserByEmail(ctx(), "new@example.com")
			if err != nil || u.Role != portal.RoleCustomer || u.TimeZone != "Europe/Paris" || u.PasswordHash == "long enough pw" {
				t.Fatalf("user %+v, %v", u, err)
			}
			// The link works once.
			other := newClient(t, srv)
			other.get("/signup/confirm?token=" + url.QueryEscape(tok))
			res = other.post("/signup/confirm", url.Values{"token": {tok}})
			wantStatus(t, res, 400)
			wantBody(t, res, "invalid, already used or has expired")
			wantStatus(t, other.get("/account"), 303)
			// The password given at sign-up signs in.
			other.get("/login")
			wantStatus(t, other.post("/login", url.Values{"email": {"new@example.com"}, "password": {"long enough pw"}}), 303)
		})
		t.Run("TamperedLinkRejected", func(t *testing.T) {
			c := newClient(t, srv)
			c.get("/signup")
			wantStatus(t, c.post("/signup", url.Values{"email": {"tamper@example.com"}, "password": {"long enough pw"}}), 200)
			tok := signupToken(t, s, "tamper@example.com")
			c.get("/signup/confirm?token=" + url.QueryEscape(tok))
			res := c.post("/signup/confirm", url.Values{"token": {tok + "x"}})
			wantStatus(t, res, 400)
			wantBody(t, res, "invalid, already used or has expired")
			res = c.get("/signup/confirm")
			wantStatus(t, res, 400)
			wantBody(t, res, "incomplete")
			if _, err := s.FindUserByEmail(ctx(), "tamper@example.com"); !portal.IsNotFound(err) {
				t.Fatalf("tampered link created the account: %v", err)
			}
		})
	})
}

// TestSignUpRevealsNoAccount: a taken address and a new one get the same
// answer byte for byte (CSRF tokens aside); the taken one is mailed a note,
// not a link, and nothing is created for it.
func TestSignUpRevealsNoAccount(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		ada := MustUser(t, s, portal.RoleCustomer, "taken@example.com")
		answer := func(email string) *response {
			c := newClient(t, srv)
			c.get("/signup")
			res := c.post("/signup", url.Values{"email": {email}, "name": {"Someone"}, "password": {"long enough pw"}})
			res.body = csrfMeta.ReplaceAllString(res.body, "")
			res.body = regexp.MustCompile(`name="_csrf" value="[^"]*"`).ReplaceAllString(res.body, "")
			return res
		}
		taken, fresh := answer("Taken@example.com"), answer("fresh@example.com")
		if taken.StatusCode != fresh.StatusCode || taken.body != fresh.body {
			t.Fatalf("answers differ:\ntaken %d: %s\nnew %d: %s", taken.StatusCode, taken.body, fresh.StatusCode, fresh.body)
		}
		for _, h := range []string{"Location", "Content-Type"} {
			if taken.Header.Get(h) != fresh.Header.Get(h) {
				t.Fatalf("header %s differs: %q vs %q", h, taken.Header.Get(h), fresh.Header.Get(h))
			}
		}
		wantStatus(t, taken, 200)
		wantBody(t, taken, "Check your email: we sent a link to finish creating your account")
		u, err := s.FindUserByEmail(ctx(), "taken@example.com")
		if err != nil || u.ID != ada.ID || u.Name != ada.Name || u.PasswordHash != ada.PasswordHash {
			t.Fatalf("taken account changed: %+v, %v", u, err)
		}
		es, err := s.FindEmails(ctx(), "taken@example.com", 10)
		if err != nil || len(es) != 1 {
			t.Fatalf("taken address got %d emails, %v", len(es), err)
		}
		if signupLink.MatchString(es[0].Body) || !strings.Contains(es[0].Body, "http://portal.test/login") || !strings.Contains(es[0].Body, "http://portal.test/password/forgot") {
			t.Fatalf("note to the taken address: %q", es[0].Body)
		}
		signupToken(t, s, "fresh@example.com")
	})
}

// TestSignUpLinkExpires: a link older than a day creates nothing.
func TestSignUpLinkExpires(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		srv, err := web.New(web.TestConfig(t, web.Config{Store: s, BaseURL: "http://portal.test", BodyLimit: 64 << 10, Now: clock}))
		if err != nil {
			t.Fatal(err)
		}
		c := newClient(t, srv)
		c.get("/signup")
		wantStatus(t, c.post("/signup", url.Values{"email": {"late@example.com"}, "password": {"long enough pw"}}), 200)
		tok := signupToken(t, s, "late@example.com")
		mu.Lock()
		now = now.Add(25 * time.Hour)
		mu.Unlock()
		c.get("/signup/confirm?token=" + url.QueryEscape(tok))
		res := c.post("/signup/confirm", url.Values{"token": {tok}})
		wantStatus(t, res, 400)
		wantBody(t, res, "invalid, already used or has expired")
		if _, err := s.FindUserByEmail(ctx(), "late@example.com"); !portal.IsNotFound(err) {
			t.Fatalf("expired link created the account: %v", err)
		}
	})
}

// TestSignUpMailLimit: past 5 sign-ups an hour for one address, no more
// email goes to it, and the answer stays the same.
func TestSignUpMailLimit(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "taken@example.com")
		for _, addr := range []string{"taken@example.com", "flood@example.com"} {
			for i := 0; i < 8; i++ {
				c := newClient(t, srv)
				c.get("/signup")
				res := c.post("/signup", url.Values{"email": {addr}, "password": {"long enough pw"}})
				wantStatus(t, res, 200)
				wantBody(t, res, "we sent a link to finish creating your account")
			}
			if es, err := s.FindEmails(ctx(), addr, 20); err != nil || len(es) != 5 {
				t.Fatalf("%s got %d emails, want 5 (%v)", addr, len(es), err)
			}
		}
	})
}

var resetLink = regexp.MustCompile(`http://portal\.test/password/reset\?token=(\S+)`)

func TestPasswordReset(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		old := newClient(t, srv)
		old.login("ada@example.com")

		c := newClient(t, srv)
		c.get("/password/forgot")
		res := c.post("/password/forgot", url.Values{"email": {"ada@example.com"}})
		wantStatus(t, res, 200)
		wantBody(t, res, "If an account exists for that address")
		res = c.post("/password/forgot", url.Values{"email": {"ghost@example.com"}})
		wantBody(t, res, "If an account exists for that address")
		if es, _ := s.FindEmails(ctx(), "ghost@example.com", 10); len(es) != 0 {
			t.Fatal("email sent to an unknown address")
		}
		es, err := s.FindEmails(ctx(), "ada@example.com", 10)
		if err != nil || len(es) != 1 {
			t.Fatalf("outbox: %d emails, %v", len(es), err)
		}
		m := resetLink.FindStringSubmatch(es[0].Body)
		if m == nil {
			t.Fatalf("no reset link in %q", es[0].Body)
		}
		tok, _ := url.QueryUnescape(m[1])
		wantStatus(t, c.get("/password/reset?token="+url.QueryEscape(tok)), 200)
		wantStatus(t, c.post("/password/reset", url.Values{"token": {tok}, "password": {"short"}}), 400)
		wantStatus(t, c.post("/password/reset", url.Values{"token": {tok}, "password": {"brand new password"}}), 303)
		res = c.post("/password/reset", url.Values{"token": {tok}, "password": {"another new password"}})
		wantStatus(t, res, 400)
		wantBody(t, res, "invalid or has expired")
		// The old session is gone; the new password works, the old one not.
		wantStatus(t, old.get("/account"), 303)
		c.get("/login")
		wantStatus(t, c.post("/login", url.Values{"email": {"ada@example.com"}, "password": {"correct horse"}}), 401)
		res = c.post("/login", url.Values{"email": {"ada@example.com"}, "password": {"brand new password"}})
		wantStatus(t, res, 303)
	})
}

func TestPasswordChange(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		other := newClient(t, srv)
		other.login("ada@example.com")
		c := newClient(t, srv)
		c.login("ada@example.com")
		c.get("/account")
		res := c.post("/account/password", url.Values{"current": {"wrong"}, "new_password": {"a whole new one"}})
		wantStatus(t, res, 400)
		wantBody(t, res, "current password is not right")
		wantStatus(t, c.post("/account/password", url.Values{"current": {"correct horse"}, "new_password": {"a whole new one"}}), 303)
		wantStatus(t, c.get("/account"), 200)
		wantStatus(t, other.get("/account"), 303)
	})
}

func TestRequestLimits(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go srv.App.Listener(ln)
		t.Cleanup(func() { srv.App.Shutdown() })
		base := "http://" + ln.Addr().String()
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := hc.Get(base + "/signup")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		tok := csrfMeta.FindStringSubmatch(string(page))[1]
		form := url.Values{"_csrf": {tok}, "email": {"big@example.com"}, "password": {"long enough pw"}, "name": {strings.Repeat("x", 100<<10)}}
		// The server answers 413 as soon as it sees the length and closes
		// the connection; a client still writing the body may see a broken
		// pipe instead of the answer. Retry those; any answer must be 413.
		for try := 1; ; try++ {
			res, err = hc.PostForm(base+"/signup", form)
			if err != nil {
				if try < 5 && (errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)) {
					continue
				}
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if got, want := res.StatusCode, 413; got != want {
				t.Fatalf("status=%d, want %d: %s", got, want, body)
			}
			break
		}
		if _, err := s.FindUserByEmail(ctx(), "big@example.com"); !portal.IsNotFound(err) {
			t.Fatalf("oversized signup stored a user: %v", err)
		}
		form.Set("name", "Small")
		res, err = hc.PostForm(base+"/signup", form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got, want := res.StatusCode, 200; got != want {
			t.Fatalf("normal signup status=%d, want %d", got, want)
		}
	})
}

// TestRequestValuesOutliveTheRequest: a value read from a request (here a
// query parameter) and kept after it stays what it was when the same
// connection carries the next request. Without fiber's Immutable the
// string pointed into the request buffer the next request overwrote.
func TestRequestValuesOutliveTheRequest(t *testing.T) {
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "fd.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	// An app with the server's own configuration (its routes end in a
	// catch-all, so a test route goes on a twin).
	app := fiber.New(MustServer(t, s).App.Config())
	var kept []string
	app.Get("/test/keep", func(c *fiber.Ctx) error {
		kept = append(kept, c.Query("locale"), c.Get("X-Keep"))
		return c.SendString("ok")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for _, v := range []string{"de", "en"} {
		fmt.Fprintf(conn, "GET /test/keep?locale=%s HTTP/1.1\r\nHost: portal.test\r\nX-Keep: %s\r\n\r\n", v, v)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("status %d", res.StatusCode)
		}
	}
	if len(kept) != 4 || kept[0] != "de" || kept[1] != "de" || kept[2] != "en" || kept[3] != "en" {
		t.Errorf("values kept from the two requests on one connection: %q, want de and en", kept)
	}
}
