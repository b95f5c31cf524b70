package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/gofiber/fiber/v2"
)

var staffRoles = []portal.Role{portal.RoleAgent, portal.RoleEditor, portal.RoleManager, portal.RoleAdmin}

type staffForm struct{ Email, Name string }

func (s *Server) renderStaffList(c *fiber.Ctx, status int, form staffForm, errMsg string) error {
	page := pageParam(c)
	users, total, err := s.store.FindUsers(c.UserContext(), portal.UserFilter{Roles: staffRoles, Limit: perPage, Offset: (page - 1) * perPage})
	if err != nil {
		return err
	}
	return s.render(c, status, "admin_staff", "Staff", fiber.Map{"Users": users, "Pager": newPager(c, page, perPage, total), "Form": form, "Error": errMsg, "Roles": staffRoles})
}

func (s *Server) handleStaffList(c *fiber.Ctx) error {
	return s.renderStaffList(c, fiber.StatusOK, staffForm{}, "")
}

func (s *Server) handleStaffCreate(c *fiber.Ctx) error {
	form := staffForm{Email: strings.TrimSpace(c.FormValue("email")), Name: strings.TrimSpace(c.FormValue("name"))}
	role := portal.Role(c.FormValue("role"))
	if !role.IsStaff() {
		return s.renderStaffList(c, fiber.StatusBadRequest, form, "Choose a staff role: agent, editor or admin.")
	}
	pw := c.FormValue("password")
	u := &portal.User{Email: form.Email, Name: form.Name, Role: role}
	err := auth.ValidatePassword(pw)
	if err == nil {
		if u.PasswordHash, err = auth.HashPassword(pw); err != nil {
			return err
		}
		err = s.store.CreateUser(c.UserContext(), u)
	}
	if portal.ErrorCode(err) == portal.EINVALID {
		return s.renderStaffList(c, fiber.StatusBadRequest, form, portal.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	s.audit(c, "user.create", "user", strconv.FormatInt(u.ID, 10), fmt.Sprintf("%s as %s", u.Email, u.Role))
	s.setFlash(c, "ok", "Added "+u.Email+" as "+string(u.Role)+".")
	return c.Redirect("/admin/staff", fiber.StatusSeeOther)
}

func (s *Server) handleStaffToggle(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return portal.Errorf(portal.ENOTFOUND, "User not found.")
	}
	me := currentUser(c)
	if id == me.ID {
		return portal.Errorf(portal.EINVALID, "You cannot disable your own account.")
	}
	ctx := c.UserContext()
	u, err := s.store.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	if !u.Role.IsStaff() {
		return portal.Errorf(portal.ENOTFOUND, "User not found.")
	}
	disable := c.Params("action") == "disable"
	if _, err := s.store.UpdateUser(ctx, id, portal.UserUpdate{Disabled: &disable}); err != nil {
		return err
	}
	if disable {
		if err := s.store.DeleteUserSessions(ctx, id, ""); err != nil {
			return err
		}
	}
	s.revoke(ctx, revocation{UserID: id})
	s.audit(c, "user."+c.Params("action"), "user", strconv.FormatInt(id, 10), u.Email)
	s.setFlash(c, "ok", fmt.Sprintf("%s is %sd.", u.Email, c.Params("action")))
	return c.Redirect("/admin/staff", fiber.StatusSeeOther)
}

// handleStaffRole moves a member of staff to another staff role.
func (s *Server) handleStaffRole(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	if id == currentUser(c).ID {
		return portal.Errorf(portal.EINVALID, "You cannot change your own role; ask another admin.")
	}
	role := portal.Role(c.FormValue("role"))
	if !role.IsStaff() {
		return portal.Errorf(portal.EINVALID, "Choose a staff role: agent, editor or admin.")
	}
	ctx := c.UserContext()
	u, err := s.store.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	if !u.Role.IsStaff() {
		return portal.Errorf(portal.ENOTFOUND, "User not found.")
	}
	if _, err := s.store.UpdateUser(ctx, id, portal.UserUpdate{Role: &role}); err != nil {
		return err
	}
	s.revoke(ctx, revocation{UserID: id})
	s.audit(c, "user.role", "user", c.Params("id"), fmt.Sprintf("%s: %s -> %s", u.Email, u.Role, role))
	s.setFlash(c, "ok", fmt.Sprintf("%s is now %s.", u.Email, role))
	return c.Redirect("/admin/staff", fiber.StatusSeeOther)
}

func (s *Server) handleAuditList(c *fiber.Ctx) error {
	page := pageParam(c)
	entries, total, err := s.store.FindAudit(c.UserContext(), portal.AuditFilter{Limit: 50, Offset: (page - 1) * 50})
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "admin_audit", "Audit log", fiber.Map{"Entries": entries, "Pager": newPager(c, page, 50, total)})
}
