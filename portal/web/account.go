package web

import (
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/gofiber/fiber/v2"
)

type accountPage struct {
	Statuses                    []notifyChoice
	Orders                      []*portal.Order
	OrderTotal                  int
	ProfileError, PasswordError string
}

func (s *Server) loadAccountPage(c *fiber.Ctx) (*accountPage, error) {
	u := currentUser(c)
	orders, total, err := s.store.FindOrders(c.UserContext(), portal.OrderFilter{CustomerID: &u.ID, Limit: 10})
	if err != nil {
		return nil, err
	}
	chosen, err := s.store.NotifyStatuses(c.UserContext(), u.ID)
	if err != nil {
		return nil, err
	}
	on := map[portal.ShipmentStatus]bool{}
	for _, st := range chosen {
		on[st] = true
	}
	var choices []notifyChoice
	for _, st := range portal.ShipmentStatuses {
		if st != portal.StatusPending {
			choices = append(choices, notifyChoice{Status: st, On: on[st]})
		}
	}
	return &accountPage{Orders: orders, OrderTotal: total, Statuses: choices}, nil
}

type notifyChoice struct {
	Status portal.ShipmentStatus
	On     bool
}

func (s *Server) handleAccount(c *fiber.Ctx) error {
	page, err := s.loadAccountPage(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "account", "Your account", page)
}

func (s *Server) handleProfileUpdate(c *fiber.Ctx) error {
	u := currentUser(c)
	name := strings.TrimSpace(c.FormValue("name"))
	tz := strings.TrimSpace(c.FormValue("time_zone"))
	phone := strings.TrimSpace(c.FormValue("phone"))
	phone = portal.Truncate(phone, 40)
	_, err := s.store.UpdateUser(c.UserContext(), u.ID, portal.UserUpdate{Name: &name, TimeZone: &tz, Phone: &phone})
	if portal.ErrorCode(err) == portal.EINVALID {
		page, lerr := s.loadAccountPage(c)
		if lerr != nil {
			return lerr
		}
		page.ProfileError = portal.ErrorMessage(err)
		return s.render(c, fiber.StatusBadRequest, "account", "Your account", page)
	} else if err != nil {
		return err
	}
	s.revoke(c.UserContext(), revocation{UserID: u.ID})
	s.setFlash(c, "ok", "Profile saved.")
	return c.Redirect("/account", fiber.StatusSeeOther)
}

func (s *Server) handlePasswordChange(c *fiber.Ctx) error {
	u := currentUser(c)
	fail := func(msg string) error {
		page, err := s.loadAccountPage(c)
		if err != nil {
			return err
		}
		page.PasswordError = msg
		return s.render(c, fiber.StatusBadRequest, "account", "Your account", page)
	}
	// Guesses at the current password (from a session left open, say)
	// share the account's sign-in limit, counted before the check.
	ctx := c.UserContext()
	key, now := "login:acct:"+portal.NormalizeEmail(u.Email), s.now()
	n, end, err := s.store.HitRate(ctx, key, s.cfg.LoginWindow, now)
	if err != nil {
		return err
	}
	if n > s.cfg.LoginAccountLimit {
		return &retryAfterError{err: portal.Errorf(portal.ETOOMANY, "Too many wrong passwords. Try again in %s, or reset your password.", humanDuration(end.Sub(now))),
			seconds: int(end.Sub(now).Seconds()) + 1}
	}
	if !auth.CheckPassword(u.PasswordHash, c.FormValue("current")) {
		return fail("Your current password is not right.")
	}
	if err := s.store.UndoRate(ctx, key, s.cfg.LoginWindow, now); err != nil {
		return err
	}
	pw := c.FormValue("new_password")
	if err := auth.ValidatePassword(pw); err != nil {
		return fail(portal.ErrorMessage(err))
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := s.store.SetPasswordHash(ctx, u.ID, hash); err != nil {
		return err
	}
	if err := s.store.DeleteUserSessions(ctx, u.ID, currentSession(c).ID); err != nil {
		return err
	}
	s.revoke(ctx, revocation{UserID: u.ID})
	s.setFlash(c, "ok", "Password changed. Your other devices are signed out.")
	return c.Redirect("/account", fiber.StatusSeeOther)
}
