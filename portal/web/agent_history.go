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
	// Votes are the customer's votes on the bot's answers.
	Votes portal.AnswerVoteCount
}

// agentScore is one agent's satisfaction figures.
type agentScore struct {
	Name    string
	Rated   int
	Average float64
}

// historyForm is the staff history's search, as typed.
type historyForm struct {
	Q, Customer, Order, From, To, State, Agent, Rating, Voted string
}

// MoreSet reports whether a filter folded under "More filters" on phones
// is in use: the fold then stays open, so that the search shows what it
// searched by.
func (f historyForm) MoreSet() bool {
	return f.From != "" || f.To != "" || f.State != "" || f.Agent != "" || f.Rating != "" || f.Voted != ""
}

const historyPerPage = 25

// handleAgentHistory lists every chat for staff, newest first, searchable
// by text, customer, order number, dates, state, agent, rating and the
// customers' votes on the bot's answers, with the customers' satisfaction
// per agent and with the bot.
func (s *Server) handleAgentHistory(c *fiber.Ctx) error {
	ctx := c.UserContext()
	form := historyForm{Q: c.Query("q"), Customer: c.Query("customer"), Order: c.Query("order"), From: c.Query("from"), To: c.Query("to"),
		State: c.Query("state"), Agent: c.Query("agent"), Rating: c.Query("rating"), Voted: c.Query("voted")}
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
	ids := make([]int64, len(convs))
	for i, cv := range convs {
		ids[i] = cv.ID
	}
	var votes map[int64]portal.AnswerVoteCount
	if len(ids) > 0 {
		if votes, err = s.store.CountAnswerVotes(ctx, ids); err != nil {
			return err
		}
	}
	rows := make([]historyRow, 0, len(convs))
	for _, cv := range convs {
		r := historyRow{Conv: cv, Customer: "Guest", Votes: votes[cv.ID]}
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
	all, err := s.store.CountAnswerVotes(ctx, nil)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "agent_history", "Chat history", fiber.Map{"Rows": rows, "Total": total, "Form": form,
		"Staff": staff, "Scores": scores, "BotVotes": all[0], "VoteChoices": voteChoices, "States": []portal.ConversationState{portal.ConvBot, portal.ConvQueued, portal.ConvAgent, portal.ConvClosed},
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
	f.Voted = portal.VoteFilter(form.Voted)
	if !f.Voted.Valid() {
		return f, portal.FieldError("voted", "Unknown choice of votes.")
	}
	return f, nil
}

// voteChoices are the history's choices of votes on the bot's answers.
var voteChoices = []struct{ Value, Label string }{
	{string(portal.VotedAny), "Voted on"},
	{string(portal.VotedHelpful), "Voted helpful"},
	{string(portal.VotedNotHelpful), "Voted not helpful"},
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
// notes included, with its rating and the customer's vote beside each
// bot answer voted on.
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
	votes, err := s.store.AnswerVotes(ctx, cv.ID)
	if err != nil {
		return err
	}
	row := historyRow{Conv: cv, Customer: "Guest"}
	// marks: the vote beside each answer voted on, by seq.
	marks := make(map[int64]string, len(votes))
	for seq, helpful := range votes {
		if helpful {
			row.Votes.Helpful++
			marks[seq] = "helpful"
		} else {
			row.Votes.NotHelpful++
			marks[seq] = "not-helpful"
		}
	}
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
	return s.render(c, fiber.StatusOK, "agent_chat", "Chat with "+row.Customer, fiber.Map{"Row": row, "Customer": customer, "Messages": msgs, "More": more, "Votes": marks})
}
