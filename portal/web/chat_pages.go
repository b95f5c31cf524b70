package web

import (
	"context"
	"fmt"
	"html/template"
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

// handleChatHistory lists a customer's chats and the messages they left,
// newest first, paginated; each opens its own page.
func (s *Server) handleChatHistory(c *fiber.Ctx) error {
	return s.historyPage(c, []string{portal.HistoryChat, portal.HistoryCase}, "No chats yet. Questions? Start a chat and we answer at once.",
		"chat_history", "Your chats", func(items template.HTML) any { return fiber.Map{"Items": items} })
}

// maxTranscript is the most messages a transcript page shows.
const maxTranscript = 1000

// handleChatView shows the transcript of one of the customer's chats.
func (s *Server) handleChatView(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	cv, err := s.store.FindConversation(ctx, id)
	if portal.ErrorCode(err) == portal.ENOTFOUND || err == nil && (cv.CustomerID == nil || *cv.CustomerID != u.ID) {
		return portal.Errorf(portal.ENOTFOUND, "Chat not found.")
	}
	if err != nil {
		return err
	}
	msgs, err := s.store.FindMessages(ctx, cv.ID, 0, false, maxTranscript+1)
	if err != nil {
		return err
	}
	more := len(msgs) > maxTranscript
	if more {
		msgs = msgs[:maxTranscript]
	}
	return s.render(c, fiber.StatusOK, "chat_view", "Your chat", fiber.Map{"Conv": cv, "Messages": msgs, "More": more})
}

func (s *Server) handleChatSettingsPage(c *fiber.Ctx) error {
	set, err := s.store.ChatSettings(c.UserContext())
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "chat_settings", "Chat settings", fiber.Map{"Settings": set, "Days": weekdays(set.Days), "Canned": cannedText(set.CannedOrDefault())})
}

// cannedText and parseCanned carry quick replies in one text box, a
// reply a line: "shortcut: text".
func cannedText(rs []portal.CannedResponse) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Shortcut + ": " + r.Text + "\n")
	}
	return b.String()
}

func parseCanned(text string) ([]portal.CannedResponse, error) {
	out := []portal.CannedResponse{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		short, reply, ok := strings.Cut(line, ":")
		if !ok {
			return out, portal.FieldError("canned", fmt.Sprintf("Line %d: write the shortcut, a colon, then the reply.", i+1))
		}
		out = append(out, portal.CannedResponse{Shortcut: strings.TrimPrefix(strings.TrimSpace(short), "/"), Text: reply})
	}
	return out, nil
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

// saveChatSettings stores the settings through the chat engine, which
// tells every node (each keeps the business hours it answers from).
func (s *Server) saveChatSettings(ctx context.Context, set portal.ChatSettings) error {
	if s.cfg.Chat == nil {
		return s.store.SaveChatSettings(ctx, set)
	}
	return s.cfg.Chat.SaveSettings(ctx, set)
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
	canned := c.FormValue("canned")
	var err error
	if set.Canned, err = parseCanned(canned); err == nil {
		err = s.saveChatSettings(c.UserContext(), set)
	}
	if err != nil {
		if portal.ErrorCode(err) == portal.EINVALID {
			return s.render(c, fiber.StatusBadRequest, "chat_settings", "Chat settings", fiber.Map{"Settings": set, "Days": weekdays(set.Days), "Canned": canned, "Error": portal.ErrorMessage(err)})
		}
		return err
	}
	s.audit(c, "chat.settings", "settings", "chat", "")
	s.setFlash(c, "ok", "Chat settings saved.")
	return c.Redirect("/admin/chat", fiber.StatusSeeOther)
}
