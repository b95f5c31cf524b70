package web

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	fws "github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
)

const (
	sessionCookie = "fd_session"
	anonCookie    = "fd_anon"
	flashCookie   = "fd_flash"
	localsUser    = "user"
	localsSession = "session"
)

func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic", "path", c.Path(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return c.Next()
}

// observe records metrics and logs each request once it is answered.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.App.ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := c.Route().Path
	if status == fiber.StatusNotFound && route == "/" && c.Path() != "/" {
		route = "unmatched"
	}
	d := time.Since(start)
	s.metrics.observe(c.Method(), route, status, d)
	if status >= 500 {
		s.log.Warn("request", "method", c.Method(), "path", c.Path(), "status", status, "duration_ms", d.Milliseconds())
	} else {
		s.log.Debug("request", "method", c.Method(), "path", c.Path(), "status", status, "duration_ms", d.Milliseconds())
	}
	return nil
}

// securityHeaders sets a CSP without inline script and the usual hardening.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	if s.cfg.NodeName != "" {
		c.Set("X-Frontdesk-Node", s.cfg.NodeName)
	}
	if fws.IsWebSocketUpgrade(c) {
		// These govern documents, not a socket's 101; and fasthttp keeps
		// an upgrade's request context (its response headers included)
		// for as long as the socket lives: about 1.5 KiB per chat socket.
		return c.Next()
	}
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.secure(c) {
		c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	return c.Next()
}

// secure reports whether cookies must be Secure: the request came over TLS
// or the public base URL is https.
func (s *Server) secure(c *fiber.Ctx) bool {
	return c.Protocol() == "https" || strings.HasPrefix(s.cfg.BaseURL, "https://")
}

func (s *Server) setCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	ck := &fiber.Cookie{Name: name, Value: value, Path: "/", HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secure(c)}
	if maxAge > 0 {
		ck.Expires = s.now().Add(maxAge)
		ck.MaxAge = int(maxAge.Seconds())
	} else if maxAge < 0 {
		ck.Expires = time.Unix(0, 0)
		ck.MaxAge = -1
	}
	c.Cookie(ck)
}

// loadSession puts the signed-in user, if any, in the request.
func (s *Server) loadSession(c *fiber.Ctx) error {
	tok := c.Cookies(sessionCookie)
	if tok == "" {
		return c.Next()
	}
	ctx := c.UserContext()
	now := s.now()
	id := auth.HashToken(tok)
	sess, u, ok := s.sessions.get(id, now)
	if !ok {
		var err error
		sess, u, err = s.store.FindSessionUser(ctx, id, now)
		if portal.IsNotFound(err) {
			s.setCookie(c, sessionCookie, "", -1)
			return c.Next()
		} else if err != nil {
			return err
		}
		if u.DisabledAt != nil {
			s.store.DeleteSession(ctx, sess.ID)
			s.setCookie(c, sessionCookie, "", -1)
			return c.Next()
		}
		// Slide the expiry at most once an hour, not on every request.
		if now.Sub(sess.LastSeenAt) > time.Hour {
			if err := s.store.TouchSession(ctx, sess.ID, now, now.Add(s.cfg.SessionTTL)); err != nil {
				s.log.Warn("touch session", "err", err)
			}
			sess.LastSeenAt, sess.ExpiresAt = now, now.Add(s.cfg.SessionTTL)
		}
		s.sessions.put(sess, u, now)
	}
	c.Locals(localsUser, u)
	c.Locals(localsSession, sess)
	c.SetUserContext(portal.NewContextWithUser(ctx, u))
	return c.Next()
}

func currentUser(c *fiber.Ctx) *portal.User {
	u, _ := c.Locals(localsUser).(*portal.User)
	return u
}

func currentSession(c *fiber.Ctx) *portal.Session {
	s, _ := c.Locals(localsSession).(*portal.Session)
	return s
}

// csrfKey is what a CSRF token is bound to: the session, or for guests a
// random cookie set on their first page view.
func (s *Server) csrfKey(c *fiber.Ctx, create bool) string {
	if sess := currentSession(c); sess != nil {
		return "s:" + sess.ID
	}
	anon := c.Cookies(anonCookie)
	if anon == "" {
		if !create {
			return ""
		}
		anon = auth.NewToken()
		s.setCookie(c, anonCookie, anon, 365*24*time.Hour)
		c.Request().Header.SetCookie(anonCookie, anon)
	}
	return "a:" + anon
}

func (s *Server) sign(msg string) string { return s.signer.sign(msg) }

// csrfToken returns the token forms and scripts must send back.
func (s *Server) csrfToken(c *fiber.Ctx) string {
	return s.sign("csrf|" + s.csrfKey(c, true))
}

// checkCSRF rejects state-changing requests made with a browser session
// (or guest cookie) that do not carry the matching token. Requests that
// authenticate otherwise (API tokens, signed webhooks) carry no cookies to
// abuse and are exempt.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if strings.HasPrefix(c.Path(), "/api/") && c.Cookies(sessionCookie) == "" && c.Cookies(anonCookie) == "" {
		return c.Next()
	}
	key := s.csrfKey(c, false)
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = c.FormValue("_csrf")
	}
	if key == "" || !hmac.Equal([]byte(got), []byte(s.sign("csrf|"+key))) {
		return portal.Errorf(portal.EFORBIDDEN, "This form has expired or did not come from this site. Go back, reload the page and try again.")
	}
	return c.Next()
}

// requireRole lets through signed-in users with one of roles. Guests are
// sent to sign in (or get 401 from the API); other roles get 403.
func (s *Server) requireRole(roles ...portal.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := currentUser(c)
		if u == nil {
			if isAPI(c) {
				return portal.Errorf(portal.EUNAUTHORIZED, "Sign in first.")
			}
			return c.Redirect("/login?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		for _, r := range roles {
			if u.Role == r {
				return c.Next()
			}
		}
		return portal.Errorf(portal.EFORBIDDEN, "You do not have access to this page.")
	}
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// setFlash shows a message on the next page rendered.
func (s *Server) setFlash(c *fiber.Ctx, kind, msg string) {
	v := base64.RawURLEncoding.EncodeToString([]byte(kind + "|" + msg))
	s.setCookie(c, flashCookie, v+"."+s.sign("flash|"+v), 5*time.Minute)
}

func (s *Server) takeFlash(c *fiber.Ctx) *flash {
	raw := c.Cookies(flashCookie)
	if raw == "" {
		return nil
	}
	s.setCookie(c, flashCookie, "", -1)
	v, sig, ok := strings.Cut(raw, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign("flash|"+v))) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil
	}
	kind, msg, _ := strings.Cut(string(b), "|")
	return &flash{Kind: kind, Message: msg}
}

// safeNext keeps post-login redirects on this site: a path, never
// another host. Browsers drop tabs and line breaks from URLs and read a
// backslash as a slash, so "/\t/evil.example" or "/\\evil.example" would
// leave the site: any control character or backslash is refused, and what
// remains must parse with no scheme and no host.
func safeNext(next, def string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || len(next) > 2048 {
		return def
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r < 0xa0) {
			return def
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return def
	}
	return next
}

// pager builds links for page-numbered lists.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

func newPager(c *fiber.Ctx, page, perPage, total int) *pager {
	pages := (total + perPage - 1) / perPage
	if pages < 1 {
		pages = 1
	}
	p := &pager{Page: page, Pages: pages}
	link := func(n int) string {
		q := url.Values{}
		c.Context().QueryArgs().VisitAll(func(k, v []byte) { q.Set(string(k), string(v)) })
		q.Set("page", strconv.Itoa(n))
		return c.Path() + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return p
}

// pageParam reads ?page=, defaulting to 1.
func pageParam(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("page", "1"))
	if err != nil || n < 1 {
		return 1
	}
	if n > 100000 {
		return 100000
	}
	return n
}
