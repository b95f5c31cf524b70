package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/web"
)

// eachStore runs fn against a SQLite store and, when configured, a PostgreSQL one.
func eachStore(t *testing.T, fn func(t *testing.T, s portal.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "fd.db")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		s, err := postgres.Open(context.Background(), postgres.Config{URL: pgtest.URL(t), MaxConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s)
	})
}

// MustServer builds the app on store.
func MustServer(tb testing.TB, s portal.Store) *web.Server {
	tb.Helper()
	srv, err := web.New(web.TestConfig(tb, web.Config{Store: s, BaseURL: "http://portal.test", BodyLimit: 64 << 10}))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	return srv
}

var testHash = func() string {
	h, err := auth.HashPasswordWith("correct horse", auth.Params{MemoryKiB: 1024, Time: 1, Threads: 1})
	if err != nil {
		panic(err)
	}
	return h
}()

// MustUser creates a user whose password is "correct horse".
func MustUser(tb testing.TB, s portal.Store, role portal.Role, email string) *portal.User {
	tb.Helper()
	u := &portal.User{Email: email, Name: "T", Role: role, PasswordHash: testHash}
	if err := s.CreateUser(context.Background(), u); err != nil {
		tb.Fatal(err)
	}
	return u
}

// client is a browser-like client: it keeps cookies and the CSRF token.
type client struct {
	tb      testing.TB
	srv     *web.Server
	cookies map[string]string
	csrf    string
}

func newClient(tb testing.TB, srv *web.Server) *client {
	return &client{tb: tb, srv: srv, cookies: map[string]string{}}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

type response struct {
	*http.Response
	body string
}

func (c *client) do(req *http.Request) *response {
	c.tb.Helper()
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := c.srv.App.Test(req, 10_000)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	if m := csrfMeta.FindStringSubmatch(string(b)); m != nil {
		c.csrf = m[1]
	}
	return &response{res, string(b)}
}

func (c *client) get(path string) *response {
	c.tb.Helper()
	return c.do(httptest.NewRequest("GET", path, nil))
}

// post submits a form, adding the CSRF token unless the form has one.
func (c *client) post(path string, form url.Values) *response {
	c.tb.Helper()
	if _, ok := form["_csrf"]; !ok {
		if c.csrf == "" {
			c.get("/")
		}
		form.Set("_csrf", c.csrf)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) login(email string) {
	c.tb.Helper()
	c.get("/login")
	res := c.post("/login", url.Values{"email": {email}, "password": {"correct horse"}})
	if res.StatusCode != 303 {
		c.tb.Fatalf("login %s: status=%d body=%s", email, res.StatusCode, res.body)
	}
}

func wantStatus(tb testing.TB, res *response, want int) {
	tb.Helper()
	if res.StatusCode != want {
		tb.Fatalf("status=%d, want %d; body: %.400s", res.StatusCode, want, res.body)
	}
}

func wantBody(tb testing.TB, res *response, substr string) {
	tb.Helper()
	if !strings.Contains(res.body, substr) {
		tb.Fatalf("body lacks %q: %.600s", substr, res.body)
	}
}

func ctx() context.Context { return context.Background() }

func mustOrder(tb testing.TB, s portal.Store, u *portal.User, number string) *portal.Order {
	tb.Helper()
	o := &portal.Order{Number: number, CustomerID: u.ID, Email: u.Email, Status: portal.OrderShipped, PaymentStatus: portal.PaymentPaid,
		Currency: "EUR", SubtotalMinor: 1000, TotalMinor: 1000, PlacedAt: time.Now(),
		Items: []portal.OrderItem{{SKU: "S1", Name: "Secret teapot", Quantity: 1, UnitPriceMinor: 1000, TotalMinor: 1000}}}
	if err := s.CreateOrder(ctx(), o); err != nil {
		tb.Fatal(err)
	}
	return o
}

// waitFor polls cond for up to five seconds.
func waitFor(tb testing.TB, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatal("condition not met within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ptrRole(r portal.Role) *portal.Role { return &r }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestNewBuildsNothing: web.New takes every piece from its config and names
// the one missing rather than building a default.
func TestNewBuildsNothing(t *testing.T) {
	st, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "fd.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	full := web.TestConfig(t, web.Config{Store: st})
	for _, tc := range []struct {
		name string
		drop func(*web.Config)
	}{
		{"Bus", func(c *web.Config) { c.Bus = nil }},
		{"KB", func(c *web.Config) { c.KB = nil }},
		{"Tracking", func(c *web.Config) { c.Tracking = nil }},
		{"TrackLookup", func(c *web.Config) { c.TrackLookup = nil }},
		{"Analytics", func(c *web.Config) { c.Analytics = nil }},
		{"Cases", func(c *web.Config) { c.Cases = nil }},
	} {
		cfg := full
		tc.drop(&cfg)
		if _, err := web.New(cfg); err == nil || !strings.Contains(err.Error(), "Config."+tc.name+" is required") {
			t.Errorf("without %s: %v", tc.name, err)
		}
	}
	srv, err := web.New(full)
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
}
