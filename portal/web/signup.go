package web

import (
	"errors"
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
	if err == nil {
		if u.PasswordHash, err = auth.HashPassword(pw); err != nil {
			return err
		}
		err = s.store.CreateUser(c.UserContext(), u)
	}
	var pe *portal.Error
	if errors.As(err, &pe) && pe.Code == portal.EINVALID {
		form.Error, form.Fields = pe.Message, pe.Fields
		return s.render(c, fiber.StatusBadRequest, "signup", "Create account", form)
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
