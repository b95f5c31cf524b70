package web_test

import (
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
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

func TestSignUp(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "taken@example.com")
		tests := []struct {
			name, email, password, want string
		}{
			{"BadEmail", "not-an-email", "long enough pw", "Enter a valid email address"},
			{"ShortPassword", "new@example.com", "short", "Use at least 10 characters."},
			{"TakenEmail", "Taken@example.com", "long enough pw", "already exists"},
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
		t.Run("CreatesCustomerAndSignsIn", func(t *testing.T) {
			c := newClient(t, srv)
			c.get("/signup")
			res := c.post("/signup", url.Values{"email": {"new@example.com"}, "name": {"New <b>Person</b>"}, "password": {"long enough pw"}, "time_zone": {"Europe/Paris"}})
			wantStatus(t, res, 303)
			res = c.get("/account")
			wantStatus(t, res, 200)
			wantBody(t, res, "New &lt;b&gt;Person&lt;/b&gt;")
			u, err := s.FindUserByEmail(ctx(), "new@example.com")
			if err != nil || u.Role != portal.RoleCustomer || u.TimeZone != "Europe/Paris" {
				t.Fatalf("user %+v, %v", u, err)
			}
		})
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
		res, err = hc.PostForm(base+"/signup", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if got, want := res.StatusCode, 413; got != want {
			t.Fatalf("status=%d, want %d: %s", got, want, body)
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
		if got, want := res.StatusCode, 303; got != want {
			t.Fatalf("normal signup status=%d, want %d", got, want)
		}
	})
}
