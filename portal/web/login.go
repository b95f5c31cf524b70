package web

import (
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/gofiber/fiber/v2"
)

type loginForm struct {
	Email, Next, Error string
}

func (s *Server) handleLoginPage(c *fiber.Ctx) error {
	if u := currentUser(c); u != nil {
		return c.Redirect(homeFor(u), fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, "login", "Sign in", loginForm{Next: safeNext(c.Query("next"), "")})
}

// handleLogin signs a user in. Failures count per account and per IP; past
// the limit the answer is 429 with Retry-After, whether or not the password
// is right, so guessing cannot continue.
func (s *Server) handleLogin(c *fiber.Ctx) error {
	form := loginForm{Email: strings.TrimSpace(c.FormValue("email")), Next: safeNext(c.FormValue("next"), "")}
	pw := c.FormValue("password")
	ctx := c.UserContext()
	email := portal.NormalizeEmail(form.Email)
	keys := []struct {
		key   string
		limit int
	}{{"login:acct:" + email, s.cfg.LoginAccountLimit}, {"login:ip:" + c.IP(), s.cfg.LoginIPLimit}}
	now := s.now()
	// Every attempt counts before the password is checked, atomically, so
	// that parallel attempts cannot all pass a limit read before any was
	// counted; an attempt that turns out right is taken back.
	limited := false
	var end time.Time
	for _, k := range keys {
		n, e, err := s.store.HitRate(ctx, k.key, s.cfg.LoginWindow, now)
		if err != nil {
			return err
		}
		if n > k.limit {
			limited, end = true, e
		}
	}
	if limited {
		wait := int(end.Sub(now).Seconds()) + 1
		c.Set(fiber.HeaderRetryAfter, itoa(wait))
		form.Error = "Too many failed sign-in attempts. Try again in " + humanDuration(end.Sub(now)) + ", or reset your password."
		return s.render(c, fiber.StatusTooManyRequests, "login", "Sign in", form)
	}
	u, err := s.store.FindUserByEmail(ctx, email)
	ok := false
	switch {
	case portal.IsNotFound(err):
		auth.CheckDummy(pw)
	case err != nil:
		return err
	default:
		ok = auth.CheckPassword(u.PasswordHash, pw) && u.DisabledAt == nil
	}
	if !ok {
		form.Error = "The email or password is not right."
		return s.render(c, fiber.StatusUnauthorized, "login", "Sign in", form)
	}
	for _, k := range keys {
		if err := s.store.UndoRate(ctx, k.key, s.cfg.LoginWindow, now); err != nil {
			return err
		}
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(safeNext(form.Next, homeFor(u)), fiber.StatusSeeOther)
}

// startSession creates a fresh session (never reusing a guest's token).
func (s *Server) startSession(c *fiber.Ctx, u *portal.User) error {
	tok := auth.NewToken()
	now := s.now()
	sess := &portal.Session{ID: auth.HashToken(tok), UserID: u.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.cfg.SessionTTL), UserAgent: c.Get(fiber.HeaderUserAgent), IP: c.IP()}
	if err := s.store.CreateSession(c.UserContext(), sess); err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, tok, s.cfg.SessionTTL)
	// A guest's open chat in this browser carries on in the account.
	if s.cfg.Chat != nil && u.Role == portal.RoleCustomer {
		if err := s.cfg.Chat.Adopt(c.UserContext(), s.visitorID(c), u); err != nil {
			s.log.Error("attach guest chat to account", "user_id", u.ID, "err", err)
		}
	}
	return nil
}

func (s *Server) handleLogout(c *fiber.Ctx) error {
	if sess := currentSession(c); sess != nil {
		if err := s.store.DeleteSession(c.UserContext(), sess.ID); err != nil {
			return err
		}
		s.revoke(c.UserContext(), revocation{SessionID: sess.ID})
	}
	s.setCookie(c, sessionCookie, "", -1)
	// The next person at this browser is a new guest: they must not find
	// the chats of the visitor id used while signed in.
	if s.visitorID(c) != "" {
		s.newVisitor(c)
	}
	s.setFlash(c, "ok", "You are signed out.")
	return c.Redirect("/", fiber.StatusSeeOther)
}

// homeFor is where a role lands after signing in.
func homeFor(u *portal.User) string {
	switch u.Role {
	case portal.RoleAgent:
		return "/staff/customers"
	case portal.RoleEditor:
		return "/editor/articles"
	case portal.RoleAdmin:
		return "/admin/staff"
	case portal.RoleManager:
		return "/reports/customers"
	}
	return "/account"
}

func humanDuration(d time.Duration) string {
	if d < time.Minute {
		return "a minute"
	}
	m := int(d.Round(time.Minute).Minutes())
	if m == 1 {
		return "1 minute"
	}
	return itoa(m) + " minutes"
}
