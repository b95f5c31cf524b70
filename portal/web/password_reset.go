package web

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/gofiber/fiber/v2"
)

const resetTTL = time.Hour

type forgotForm struct {
	Email, Error string
	Sent         bool
}

func (s *Server) handlePasswordForgotPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "password_forgot", "Reset your password", forgotForm{})
}

// handlePasswordForgot emails a reset link through the outbox. The answer is
// the same whether or not the account exists, so it reveals nothing.
func (s *Server) handlePasswordForgot(c *fiber.Ctx) error {
	form := forgotForm{Email: strings.TrimSpace(c.FormValue("email"))}
	email := portal.NormalizeEmail(form.Email)
	if err := portal.ValidateEmail(email); err != nil {
		form.Error = portal.ErrorMessage(err)
		return s.render(c, fiber.StatusBadRequest, "password_forgot", "Reset your password", form)
	}
	if err := s.limit(c, "forgot:ip:"+c.IP(), 20, time.Hour); err != nil {
		return err
	}
	ctx := c.UserContext()
	// Past 5 an hour for one address, stop sending but answer the same.
	n, _, err := s.store.HitRate(ctx, "forgot:acct:"+email, time.Hour, s.now())
	if err != nil {
		return err
	}
	u, err := s.store.FindUserByEmail(ctx, email)
	if err == nil && u.DisabledAt == nil && n <= 5 {
		tok := auth.NewToken()
		now := s.now()
		if err := s.store.CreatePasswordReset(ctx, &portal.PasswordReset{TokenHash: auth.HashToken(tok), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(resetTTL)}); err != nil {
			return err
		}
		link := s.cfg.BaseURL + "/password/reset?token=" + url.QueryEscape(tok)
		body := fmt.Sprintf("Hello%s,\n\nSomeone asked to reset the password of your Frontdesk account. If it was you, open this link within one hour to choose a new password:\n\n%s\n\nIf it was not you, ignore this email: your password stays as it is.\n", namePart(u), link)
		if err := s.store.EnqueueEmail(ctx, &portal.Email{To: u.Email, Subject: "Reset your Frontdesk password", Body: body}); err != nil {
			return err
		}
	} else if err != nil && !portal.IsNotFound(err) {
		return err
	}
	form.Sent = true
	return s.render(c, fiber.StatusOK, "password_forgot", "Reset your password", form)
}

func namePart(u *portal.User) string {
	if u.Name == "" {
		return ""
	}
	return " " + u.Name
}

// tokenForm is a page acting on an emailed link's token (a password
// reset, a sign-up confirmation), with the error to show on it.
type tokenForm struct {
	Token, Error string
}

func (s *Server) handlePasswordResetPage(c *fiber.Ctx) error {
	tok := c.Query("token")
	if tok == "" {
		return portal.Errorf(portal.EINVALID, "This reset link is incomplete. Open the link from the email again, or ask for a new one.")
	}
	return s.render(c, fiber.StatusOK, "password_reset", "Choose a new password", tokenForm{Token: tok})
}

func (s *Server) handlePasswordReset(c *fiber.Ctx) error {
	form := tokenForm{Token: c.FormValue("token")}
	pw := c.FormValue("password")
	if err := auth.ValidatePassword(pw); err != nil {
		form.Error = portal.ErrorMessage(err)
		return s.render(c, fiber.StatusBadRequest, "password_reset", "Choose a new password", form)
	}
	ctx := c.UserContext()
	uid, err := s.store.ConsumePasswordReset(ctx, auth.HashToken(form.Token), s.now())
	var pe *portal.Error
	if errors.As(err, &pe) && pe.Code == portal.EINVALID {
		form.Error = pe.Message
		return s.render(c, fiber.StatusBadRequest, "password_reset", "Choose a new password", form)
	} else if err != nil {
		return err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := s.store.SetPasswordHash(ctx, uid, hash); err != nil {
		return err
	}
	// Whoever knew the old password is signed out everywhere.
	if err := s.store.DeleteUserSessions(ctx, uid, ""); err != nil {
		return err
	}
	s.revoke(ctx, revocation{UserID: uid})
	s.setFlash(c, "ok", "Your password is changed. Sign in with the new one.")
	return c.Redirect("/login", fiber.StatusSeeOther)
}
