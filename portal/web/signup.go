package web

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/gofiber/fiber/v2"
)

type signupForm struct {
	Name, Email, Error string
	Fields             map[string]string
}

func (s *Server) handleSignupPage(c *fiber.Ctx) error {
	if u := currentUser(c); u != nil {
		return c.Redirect(homeFor(u), fiber.StatusSeeOther)
	}
	return s.render(c, fiber.StatusOK, "signup", "Create account", signupForm{})
}

// signupTTL is how long a sign-up link works.
const signupTTL = 24 * time.Hour

// handleSignup answers valid input the same way whether or not the address
// has an account, so that sign-up does not reveal who is a customer: a new
// address is mailed a link that creates the account, a taken one is mailed a
// note with links to sign in and to reset the password. Both paths hash the
// password and queue one email, so their timing matches too.
func (s *Server) handleSignup(c *fiber.Ctx) error {
	form := signupForm{Name: strings.TrimSpace(c.FormValue("name")), Email: strings.TrimSpace(c.FormValue("email"))}
	if err := s.limit(c, "signup:ip:"+c.IP(), 20, time.Hour); err != nil {
		return err
	}
	pw := c.FormValue("password")
	tz := strings.TrimSpace(c.FormValue("time_zone"))
	if _, err := time.LoadLocation(tz); err != nil || len(tz) > 64 {
		tz = ""
	}
	u := &portal.User{Email: form.Email, Name: form.Name, Role: portal.RoleCustomer, TimeZone: tz}
	err := u.Validate()
	if err == nil {
		err = auth.ValidatePassword(pw)
	}
	var pe *portal.Error
	if errors.As(err, &pe) && pe.Code == portal.EINVALID {
		form.Error, form.Fields = pe.Message, pe.Fields
		return s.render(c, fiber.StatusBadRequest, "signup", "Create account", form)
	} else if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	now := s.now()
	// Past 5 an hour for one address, stop sending but answer the same.
	n, _, err := s.store.HitRate(ctx, "signup:addr:"+u.Email, time.Hour, now)
	if err != nil {
		return err
	}
	existing, err := s.store.FindUserByEmail(ctx, u.Email)
	switch {
	case err != nil && !portal.IsNotFound(err):
		return err
	case n > 5:
	case err == nil:
		if existing.DisabledAt == nil {
			body := fmt.Sprintf("Hello%s,\n\nSomeone tried to create a Frontdesk account with this address, but it already has one, so nothing was changed. If it was you, sign in here:\n\n%s\n\nIf you forgot your password, choose a new one here:\n\n%s\n\nIf it was not you, ignore this email: your account stays as it is.\n",
				namePart(existing), s.cfg.BaseURL+"/login", s.cfg.BaseURL+"/password/forgot")
			if err := s.store.EnqueueEmail(ctx, &portal.Email{To: existing.Email, Subject: "Your Frontdesk account already exists", Body: body}); err != nil {
				return err
			}
		}
	default:
		tok := auth.NewToken()
		if err := s.store.CreatePendingSignup(ctx, &portal.PendingSignup{TokenHash: auth.HashToken(tok), Email: u.Email, Name: u.Name,
			PasswordHash: hash, TimeZone: u.TimeZone, CreatedAt: now, ExpiresAt: now.Add(signupTTL)}); err != nil {
			return err
		}
		link := s.cfg.BaseURL + "/signup/confirm?token=" + url.QueryEscape(tok)
		body := fmt.Sprintf("Hello%s,\n\nTo finish creating your Frontdesk account, open this link within 24 hours:\n\n%s\n\nIf you did not sign up, ignore this email: no account is created.\n", namePart(u), link)
		if err := s.store.EnqueueEmail(ctx, &portal.Email{To: u.Email, Subject: "Finish creating your Frontdesk account", Body: body}); err != nil {
			return err
		}
	}
	return s.render(c, fiber.StatusOK, "signup_sent", "Check your email", nil)
}

// handleSignupConfirmPage shows a button rather than confirming at once, so
// that mail scanners that open links do not use them up.
func (s *Server) handleSignupConfirmPage(c *fiber.Ctx) error {
	tok := c.Query("token")
	if tok == "" {
		return portal.Errorf(portal.EINVALID, "This sign-up link is incomplete. Open the link from the email again, or sign up again.")
	}
	return s.render(c, fiber.StatusOK, "signup_confirm", "Finish creating your account", tokenForm{Token: tok})
}

func (s *Server) handleSignupConfirm(c *fiber.Ctx) error {
	form := tokenForm{Token: c.FormValue("token")}
	u, err := s.store.ConfirmSignup(c.UserContext(), auth.HashToken(form.Token), s.now())
	var pe *portal.Error
	if errors.As(err, &pe) && pe.Code == portal.EINVALID {
		form.Error = pe.Message
		return s.render(c, fiber.StatusBadRequest, "signup_confirm", "Finish creating your account", form)
	} else if err != nil {
		return err
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	s.setFlash(c, "ok", "Welcome! Your account is ready.")
	return c.Redirect("/account", fiber.StatusSeeOther)
}

// limit counts one event for key and fails with 429 past max in window.
func (s *Server) limit(c *fiber.Ctx, key string, max int, window time.Duration) error {
	now := s.now()
	n, end, err := s.store.HitRate(c.UserContext(), key, window, now)
	if err != nil {
		return err
	}
	if n > max {
		return &retryAfterError{
			err:     portal.Errorf(portal.ETOOMANY, "Too many requests. Try again in %s.", humanDuration(end.Sub(now))),
			seconds: int(end.Sub(now).Seconds()) + 1,
		}
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
