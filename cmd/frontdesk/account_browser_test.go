package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// signIn fills the sign-in form as a person would.
func (p *page) signIn(email, password string) {
	p.t.Helper()
	p.visit("/login")
	p.run("sign in",
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	p.submit(`form[action="/login"] button[type=submit]`)
}

func (p *page) signOut() {
	p.t.Helper()
	p.openMenu()
	p.submit(`form[action="/logout"] button`)
	p.waitText(".flash", "You are signed out.")
	p.check()
}

func TestBrowserAccounts(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			t.Parallel() // each store has its own server and browser
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			for _, vp := range viewports {
				t.Run(vp.name, func(t *testing.T) {
					t.Run("SignInAsEachRoleAndOut", func(t *testing.T) {
						for _, tc := range []struct{ email, lands, heading string }{
							{"customer@example.com", "/account", "Your account"},
							{"agent@example.com", "/staff/customers", "Customers"},
							{"editor@example.com", "/editor/articles", "FAQ articles"},
							{"admin@example.com", "/admin/staff", "Staff accounts"},
						} {
							p := b.newPage(t, srv, vp)
							p.signIn(tc.email, "demo")
							if got := p.location(); got != tc.lands {
								t.Fatalf("%s landed on %q, want %q", tc.email, got, tc.lands)
							}
							if got := p.text("main h1"); got != tc.heading {
								t.Fatalf("%s sees heading %q, want %q", tc.email, got, tc.heading)
							}
							p.check()
							p.signOut()
						}
					})
					t.Run("CustomerOpensAnOrder", func(t *testing.T) {
						p := b.newPage(t, srv, vp)
						p.signIn("customer@example.com", "demo")
						p.submit(`main .list a`)
						if h := p.text("main h1"); !strings.HasPrefix(h, "Order NW-") {
							t.Fatalf("order heading %q", h)
						}
						p.check()
					})
					t.Run("WrongPasswordShowsError", func(t *testing.T) {
						p := b.newPage(t, srv, vp)
						p.signIn("editor@example.com", "not the password")
						p.waitText(".error", "The email or password is not right.")
						p.check()
					})
					t.Run("SignUp", func(t *testing.T) {
						p := b.newPage(t, srv, vp)
						email := fmt.Sprintf("new.%s.%d@example.com", vp.name, time.Now().UnixNano())
						p.visit("/signup")
						p.run("bad sign-up",
							chromedp.SendKeys(chromedp.ID("email"), "nope"),
							chromedp.SendKeys(chromedp.ID("password"), "short"))
						p.submit(`form[action="/signup"] button`)
						p.waitText(".error", "valid email")
						p.check()
						p.run("sign up",
							chromedp.Clear(chromedp.ID("email")),
							chromedp.SendKeys(chromedp.ID("email"), email),
							chromedp.SendKeys(chromedp.ID("name"), "Nia Newcomer"),
							chromedp.SendKeys(chromedp.ID("password"), "a long new password"))
						p.submit(`form[action="/signup"] button`)
						p.waitText("main", "Check your email: we sent a link to finish creating your account")
						p.check()
						link := waitMailLink(t, srv, email, signupEmlLink)
						p.run("open sign-up link", chromedp.Navigate(link), chromedp.WaitReady(`form[action="/signup/confirm"] button`))
						p.check()
						p.submit(`form[action="/signup/confirm"] button`)
						p.waitText(".flash", "Welcome!")
						if got := p.location(); got != "/account" {
							t.Fatalf("after sign-up at %q", got)
						}
						tz := get(p, "tz", chromedp.Value(chromedp.ID("time_zone")))
						if tz == "" {
							t.Fatal("browser time zone not stored at sign-up")
						}
						p.check()
						p.signOut()
					})
					t.Run("PasswordResetThroughOutbox", func(t *testing.T) {
						p := b.newPage(t, srv, vp)
						email := fmt.Sprintf("reset.%s@example.com", vp.name)
						p.visit("/signup")
						p.run("sign up", chromedp.SendKeys(chromedp.ID("email"), email), chromedp.SendKeys(chromedp.ID("password"), "first password 1"))
						p.submit(`form[action="/signup"] button`)
						p.waitText("main", "Check your email")
						confirm := waitMailLink(t, srv, email, signupEmlLink)
						p.run("open sign-up link", chromedp.Navigate(confirm), chromedp.WaitReady(`form[action="/signup/confirm"] button`))
						p.submit(`form[action="/signup/confirm"] button`)
						p.waitText(".flash", "Welcome!")
						p.signOut()
						p.visit("/login")
						p.submit(`a[href="/password/forgot"]`)
						p.check()
						p.run("ask for link", chromedp.SendKeys(chromedp.ID("email"), email))
						p.submit(`main form button`)
						p.waitText("main", "If an account exists")
						p.check()
						link := waitResetLink(t, srv, email)
						p.run("open link", chromedp.Navigate(link), chromedp.WaitReady(chromedp.ID("password")))
						p.check()
						p.run("new password", chromedp.SendKeys(chromedp.ID("password"), "second password 2"))
						p.submit(`main form button`)
						p.waitText(".flash", "Your password is changed")
						p.signIn(email, "second password 2")
						if got := p.location(); got != "/account" {
							t.Fatalf("sign-in with new password landed on %q", got)
						}
					})
				})
			}
		})
	}
}

var (
	emlLink       = regexp.MustCompile(`http://\S+/password/reset\?token=\S+`)
	signupEmlLink = regexp.MustCompile(`http://\S+/signup/confirm\?token=\S+`)
)

// waitResetLink polls the outbox directory for the reset email the worker wrote.
func waitResetLink(t *testing.T, srv *testServer, to string) string {
	t.Helper()
	return waitMailLink(t, srv, to, emlLink)
}

// waitMailLink polls the outbox directory for an email to to with a link
// matching re, and returns the link.
func waitMailLink(t *testing.T, srv *testServer, to string, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(srv.DataDir, "outbox", "*.eml"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			if strings.Contains(string(b), "To: "+to+"\r\n") {
				if m := re.FindString(string(b)); m != "" {
					return m
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no email for %s with a link like %s in the outbox", to, re)
	return ""
}
