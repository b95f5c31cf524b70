package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// handleChatPage is the standalone chat, for phones and for linking from
// other sites; the widget fills it.
func (s *Server) handleChatPage(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "chat", "Chat with us", fiber.Map{"Question": c.Query("q")})
}

// handleAgentConsole is the agents' live console; agent.js drives it over
// /ws/agent.
func (s *Server) handleAgentConsole(c *fiber.Ctx) error {
	return s.render(c, fiber.StatusOK, "agent", "Agent console", nil)
}

// handleChatHistory lists a customer's chats and cases.
func (s *Server) handleChatHistory(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	convs, _, err := s.store.FindConversations(ctx, portal.ConversationFilter{CustomerID: &u.ID, Limit: 20})
	if err != nil {
		return err
	}
	type chatView struct {
		Conv     *portal.Conversation
		Messages []*portal.Message
	}
	var chats []chatView
	for _, cv := range convs {
		msgs, err := s.store.FindMessages(ctx, cv.ID, 0, false, 200)
		if err != nil {
			return err
		}
		if len(msgs) > 0 {
			chats = append(chats, chatView{cv, msgs})
		}
	}
	cases, _, err := s.store.FindCases(ctx, portal.CaseFilter{CustomerID: &u.ID, Limit: 20})
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "chat_history", "Your chats", fiber.Map{"Chats": chats, "Cases": cases})
}

// handleCaseList shows open cases left when nobody could chat.
func (s *Server) handleCaseList(c *fiber.Ctx) error {
	status := c.Query("status", portal.CaseOpen)
	if status == "all" {
		status = ""
	}
	cases, total, err := s.store.FindCases(c.UserContext(), portal.CaseFilter{Status: status, Limit: 50})
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "cases", "Cases", fiber.Map{"Cases": cases, "Total": total, "Status": c.Query("status", portal.CaseOpen)})
}

// handleCaseReply emails an agent's answer to the customer and keeps it
// in their history.
func (s *Server) handleCaseReply(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return portal.Errorf(portal.ENOTFOUND, "Case not found.")
	}
	u := currentUser(c)
	r := &portal.CaseReply{CaseID: id, AuthorID: u.ID, Body: c.FormValue("body")}
	err = s.store.AddCaseReply(c.UserContext(), r, func(cs *portal.Case) *portal.Email {
		return &portal.Email{To: cs.Email, Subject: "Re: your message (case " + cs.Number() + ")",
			Body: fmt.Sprintf("Hello %s,\n\n%s\n\n%s\nCase %s. Reply in your account: %s/account/chats\n", firstNonEmpty(cs.Name, "there"), r.Body, firstNonEmpty(u.Name, "Customer service"), cs.Number(), s.cfg.BaseURL)}
	})
	if err != nil {
		if portal.ErrorCode(err) == portal.EINVALID {
			s.setFlash(c, "error", portal.ErrorMessage(err))
			return c.Redirect("/agent/cases", fiber.StatusSeeOther)
		}
		return err
	}
	s.audit(c, "case.reply", "case", strconv.FormatInt(id, 10), "")
	s.setFlash(c, "ok", "Reply sent by email.")
	return c.Redirect("/agent/cases", fiber.StatusSeeOther)
}

func (s *Server) handleChatSettingsPage(c *fiber.Ctx) error {
	set, err := s.store.ChatSettings(c.UserContext())
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "chat_settings", "Chat settings", fiber.Map{"Settings": set, "Days": weekdays(set.Days)})
}

type weekday struct {
	N       int
	Name    string
	Checked bool
}

func weekdays(open []int) []weekday {
	names := []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	out := make([]weekday, 7)
	for i, n := range names {
		out[i] = weekday{N: i, Name: n}
		for _, d := range open {
			if d == i {
				out[i].Checked = true
			}
		}
	}
	return out
}

func (s *Server) handleChatSettingsSave(c *fiber.Ctx) error {
	set := portal.ChatSettings{AlwaysOpen: c.FormValue("always_open") == "1", TimeZone: strings.TrimSpace(c.FormValue("time_zone"))}
	set.OpenHour, _ = strconv.Atoi(c.FormValue("open_hour"))
	set.CloseHour, _ = strconv.Atoi(c.FormValue("close_hour"))
	args := c.Context().PostArgs()
	for _, v := range args.PeekMulti("days") {
		if d, err := strconv.Atoi(string(v)); err == nil {
			set.Days = append(set.Days, d)
		}
	}
	if err := s.store.SaveChatSettings(c.UserContext(), set); err != nil {
		if portal.ErrorCode(err) == portal.EINVALID {
			return s.render(c, fiber.StatusBadRequest, "chat_settings", "Chat settings", fiber.Map{"Settings": set, "Days": weekdays(set.Days), "Error": portal.ErrorMessage(err)})
		}
		return err
	}
	s.audit(c, "chat.settings", "settings", "chat", "")
	s.setFlash(c, "ok", "Chat settings saved.")
	return c.Redirect("/admin/chat", fiber.StatusSeeOther)
}
