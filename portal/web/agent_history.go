package web

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// historyRow is one chat in the staff history.
type historyRow struct {
	Conv     *portal.Conversation
	Customer string
	Agent    string
}

// agentScore is one agent's satisfaction figures.
type agentScore struct {
	Name    string
	Rated   int
	Average float64
}

// historyForm is the staff history's search, as typed.
type historyForm struct {
	Q, Customer, Order, From, To, State, Agent, Rating string
}

const historyPerPage = 25

// handleAgentHistory lists every chat for staff, newest first, searchable
// by text, customer, order number, dates, state, agent and rating, with
// the customers' satisfaction per agent.
func (s *Server) handleAgentHistory(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := historyForm{Q: c.Query("q"), Customer: c.Query("customer"), Order: c.Query("order"), From: c.Query("from"), To: c.Query("to"),
		State: c.Query("state"), Agent: c.Query("agent"), Rating: c.Query("rating")}
	f, err := historyFilter(form, zoneOf(currentUser(c)))
	if err != nil {
		return err
	}
	page := pageParam(c)
	f.Limit, f.Offset = historyPerPage, (page-1)*historyPerPage
	convs, total, err := s.store.FindConversations(ctx, f)
	if err != nil {
		return err
	}
	staff, _, err := s.store.FindUsers(ctx, portal.UserFilter{Roles: []portal.Role{portal.RoleAgent, portal.RoleAdmin}, Limit: 500})
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, u := range staff {
		names[u.ID] = firstNonEmpty(u.Name, u.Email)
	}
	rows := make([]historyRow, 0, len(convs))
	for _, cv := range convs {
		r := historyRow{Conv: cv, Customer: "Guest"}
		if cv.CustomerID != nil {
			if u, err := s.store.FindUserByID(ctx, *cv.CustomerID); err == nil {
				r.Customer = firstNonEmpty(u.Name, u.Email)
			}
		}
		if cv.AgentID != nil {
			r.Agent = names[*cv.AgentID]
		}
		rows = append(rows, r)
	}
	ratings, err := s.store.AgentRatings(ctx)
	if err != nil {
		return err
	}
	scores := make([]agentScore, 0, len(ratings))
	for _, r := range ratings {
		scores = append(scores, agentScore{Name: firstNonEmpty(names[r.AgentID], "Former staff"), Rated: r.Rated, Average: r.Average()})
	}
	return s.render(c, fiber.StatusOK, "agent_history", "Chat history", fiber.Map{"Rows": rows, "Total": total, "Form": form,
		"Staff": staff, "Scores": scores, "States": []portal.ConversationState{portal.ConvBot, portal.ConvQueued, portal.ConvAgent, portal.ConvClosed},
		"Pager": newPager(c, page, historyPerPage, total), "RatingChoices": []int{5, 4, 3, 2, 1}})
}

// historyFilter turns the search form into a filter; bad input is a clear
// EINVALID.
func historyFilter(form historyForm, zone *time.Location) (portal.ConversationFilter, error) {
	f := portal.ConversationFilter{Text: clip(form.Q, 200), Customer: clip(form.Customer, 200), OrderNumber: clip(form.Order, 64)}
	day := func(field, v string, next bool) (*time.Time, error) {
		if v == "" {
			return nil, nil
		}
		t, err := time.ParseInLocation("2006-01-02", v, zone)
		if err != nil {
			return nil, portal.FieldError(field, "Give dates as YYYY-MM-DD.")
		}
		if next {
			t = t.AddDate(0, 0, 1)
		}
		return &t, nil
	}
	var err error
	if f.From, err = day("from", form.From, false); err != nil {
		return f, err
	}
	if f.To, err = day("to", form.To, true); err != nil {
		return f, err
	}
	if form.State != "" {
		st := portal.ConversationState(form.State)
		if !st.Valid() {
			return f, portal.FieldError("state", "Unknown state.")
		}
		f.States = []portal.ConversationState{st}
	}
	if form.Agent != "" {
		id, err := strconv.ParseInt(form.Agent, 10, 64)
		if err != nil || id <= 0 {
			return f, portal.FieldError("agent", "Unknown agent.")
		}
		f.AgentID = &id
	}
	switch form.Rating {
	case "":
	case "any":
		f.Rated = true
	default:
		r, err := strconv.Atoi(form.Rating)
		if err != nil || r < 1 || r > 5 {
			return f, portal.FieldError("rating", "Ratings go from 1 to 5.")
		}
		f.Rating = &r
	}
	return f, nil
}

// clip trims s and cuts it at max bytes on a rune boundary.
func clip(s string, max int) string {
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

// handleAgentHistoryView shows one chat's transcript to staff, internal
// notes included, with its rating.
func (s *Server) handleAgentHistoryView(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return portal.Errorf(portal.ENOTFOUND, "Chat not found.")
	}
	cv, err := s.store.FindConversation(ctx, id)
	if err != nil {
		return err
	}
	msgs, err := s.store.FindMessages(ctx, cv.ID, 0, true, maxTranscript+1)
	if err != nil {
		return err
	}
	more := len(msgs) > maxTranscript
	if more {
		msgs = msgs[:maxTranscript]
	}
	row := historyRow{Conv: cv, Customer: "Guest"}
	var customer *portal.User
	if cv.CustomerID != nil {
		if u, err := s.store.FindUserByID(ctx, *cv.CustomerID); err == nil {
			customer, row.Customer = u, firstNonEmpty(u.Name, u.Email)
		}
	}
	if cv.AgentID != nil {
		if u, err := s.store.FindUserByID(ctx, *cv.AgentID); err == nil {
			row.Agent = firstNonEmpty(u.Name, u.Email)
		}
	}
	return s.render(c, fiber.StatusOK, "agent_chat", "Chat with "+row.Customer, fiber.Map{"Row": row, "Customer": customer, "Messages": msgs, "More": more})
}
