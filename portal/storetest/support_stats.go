package storetest

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

func testSupportStats(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	agent := MustCreateUser(t, s, portal.RoleAgent, "agent@example.com")
	t0 := c.t
	at := func(d time.Duration) { c.t = t0.Add(d) }
	conv := func() *portal.Conversation {
		t.Helper()
		cv := &portal.Conversation{VisitorID: "v", Subject: "help"}
		if err := s.CreateConversation(ctx(), cv); err != nil {
			t.Fatal(err)
		}
		return cv
	}
	msg := func(id int64, author string, agentID *int64) {
		t.Helper()
		if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: id, Author: author, AuthorID: agentID, Body: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	update := func(id int64, u portal.ConversationUpdate) {
		t.Helper()
		if _, err := s.UpdateConversation(ctx(), id, u); err != nil {
			t.Fatal(err)
		}
	}
	closed, queued, agentState := portal.ConvClosed, portal.ConvQueued, portal.ConvAgent
	five, two, fails := 5, 2, 2
	comment := "slow"

	// 1: answered by the bot, closed and rated 5.
	at(0)
	c1 := conv()
	msg(c1.ID, portal.AuthorCustomer, nil)
	msg(c1.ID, portal.AuthorBot, nil)
	update(c1.ID, portal.ConversationUpdate{State: &closed})
	update(c1.ID, portal.ConversationUpdate{Rating: &five})
	// 2: handed off after 5 minutes, an agent answers 10 minutes later.
	at(time.Hour)
	c2 := conv()
	at(time.Hour + 5*time.Minute)
	update(c2.ID, portal.ConversationUpdate{State: &queued})
	at(time.Hour + 12*time.Minute)
	update(c2.ID, portal.ConversationUpdate{State: &agentState, AgentID: &agent.ID})
	// An internal note is not a response: the customer never sees it.
	if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: c2.ID, Author: portal.AuthorAgent, AuthorID: &agent.ID, Body: "checking the order", Internal: true}); err != nil {
		t.Fatal(err)
	}
	at(time.Hour + 15*time.Minute)
	msg(c2.ID, portal.AuthorAgent, &agent.ID)
	at(time.Hour + 20*time.Minute)
	msg(c2.ID, portal.AuthorAgent, &agent.ID)
	update(c2.ID, portal.ConversationUpdate{State: &closed})
	update(c2.ID, portal.ConversationUpdate{Rating: &two, RatingComment: &comment})
	// 3: the bot fails twice and the customer leaves a message.
	at(2 * time.Hour)
	c3 := conv()
	msg(c3.ID, portal.AuthorBot, nil)
	msg(c3.ID, portal.AuthorBot, nil)
	update(c3.ID, portal.ConversationUpdate{BotFailures: &fails})
	at(2*time.Hour + 30*time.Minute)
	if err := s.CreateCase(ctx(), &portal.Case{ConversationID: &c3.ID, Email: "x@example.com", Body: "call me"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	// 4: three days later, outside the range.
	at(72 * time.Hour)
	conv()

	got, err := s.ConversationStats(ctx(), portal.SupportFilter{From: t0, To: t0.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d conversations, want 3: %+v", len(got), got)
	}
	g1, g2, g3 := got[0], got[1], got[2]
	if g1.ID != c1.ID || g1.QueuedAt != nil || g1.BotMessages != 1 || g1.Rating == nil || *g1.Rating != 5 || g1.ClosedAt == nil || g1.CaseAt != nil {
		t.Errorf("bot-answered chat = %+v", g1)
	}
	if g2.QueuedAt == nil || !g2.QueuedAt.Equal(t0.Add(time.Hour+5*time.Minute)) || g2.FirstAgentAt == nil ||
		!g2.FirstAgentAt.Equal(t0.Add(time.Hour+15*time.Minute)) || g2.AgentID == nil || *g2.AgentID != agent.ID ||
		g2.Rating == nil || *g2.Rating != 2 || g2.RatingComment != "slow" {
		t.Errorf("handed-off chat = %+v", g2)
	}
	if g3.BotFailures != 2 || g3.BotMessages != 2 || g3.CaseAt == nil || !g3.CaseAt.Equal(t0.Add(2*time.Hour+30*time.Minute)) || g3.FirstAgentAt != nil {
		t.Errorf("chat with a case = %+v", g3)
	}
	// By agent and by team: only chat 2 had an agent.
	other := MustCreateUser(t, s, portal.RoleAgent, "other@example.com")
	team := &portal.Team{Name: "Chat", MemberIDs: []int64{other.ID, agent.ID}}
	lone := &portal.Team{Name: "Lone", MemberIDs: []int64{other.ID}}
	for _, tm := range []*portal.Team{team, lone} {
		if err := s.SaveTeam(ctx(), tm); err != nil {
			t.Fatal(err)
		}
	}
	// Chat 2 then goes to the other agent: it still counts for the agent
	// who answered it. Chat 5, handed to the other agent and not yet
	// answered, counts for them.
	update(c2.ID, portal.ConversationUpdate{AgentID: &other.ID})
	at(3 * time.Hour)
	c5 := conv()
	update(c5.ID, portal.ConversationUpdate{State: &queued})
	update(c5.ID, portal.ConversationUpdate{State: &agentState, AgentID: &other.ID})
	for _, tc := range []struct {
		name string
		f    portal.SupportFilter
		want []int64
	}{
		{"agent", portal.SupportFilter{AgentID: agent.ID}, []int64{c2.ID}}, {"other agent", portal.SupportFilter{AgentID: other.ID}, []int64{c5.ID}},
		{"team", portal.SupportFilter{TeamID: team.ID}, []int64{c2.ID, c5.ID}}, {"team without the agent", portal.SupportFilter{TeamID: lone.ID}, []int64{c5.ID}},
	} {
		tc.f.From, tc.f.To = t0, t0.Add(24*time.Hour)
		rows, err := s.ConversationStats(ctx(), tc.f)
		var ids []int64
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if err != nil || !equalIDs(ids, tc.want) {
			t.Errorf("%s: conversations %v (%v), want %v", tc.name, ids, err, tc.want)
		}
	}
	if _, err := s.ConversationStats(ctx(), portal.SupportFilter{From: t0, To: t0}); portal.ErrorCode(err) != portal.EINVALID {
		t.Errorf("empty range: err = %v, want EINVALID", err)
	}

	// Searches: one with no hits, one with hits and no click, one opened,
	// and one outside the range.
	art := int64(7)
	for i, e := range []portal.SearchLogEntry{
		{Query: "lost parcel", Hits: 0}, {Query: "returns", Hits: 3}, {Query: "delivery", Hits: 2, ArticleID: &art}, {Query: "late", Hits: 0},
	} {
		at(time.Duration(i) * time.Hour)
		if i == 3 {
			at(48 * time.Hour)
		}
		e.Locale, e.Source = "en", "faq"
		if err := s.RecordSearch(ctx(), &e); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.SearchStats(ctx(), portal.SupportFilter{From: t0, To: t0.Add(24 * time.Hour)})
	if err != nil || st != (portal.SearchStats{Searches: 3, NoResult: 1, NoClick: 1}) {
		t.Errorf("search stats = %+v, %v", st, err)
	}
	if st, err := s.SearchStats(ctx(), portal.SupportFilter{From: t0.Add(-48 * time.Hour), To: t0}); err != nil || st != (portal.SearchStats{}) {
		t.Errorf("empty period = %+v, %v", st, err)
	}

	// Deflection, in a week of its own: Ada opens an article and chats an
	// hour later (not deflected); opens another and a case follows 30 hours
	// later (outside the 24-hour window: deflected); Bob opens one and never
	// writes (deflected); a guest's open cannot be followed (not counted).
	w0 := t0.Add(7 * 24 * time.Hour)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada.d@example.com")
	bob := MustCreateUser(t, s, portal.RoleCustomer, "bob.d@example.com")
	open1 := func(d time.Duration, user *portal.User) {
		t.Helper()
		c.t = w0.Add(d)
		e := &portal.SearchLogEntry{Query: "q", Locale: "en", Source: "faq", Hits: 1, ArticleID: &art}
		if user != nil {
			e.UserID = &user.ID
		}
		if err := s.RecordSearch(ctx(), e); err != nil {
			t.Fatal(err)
		}
	}
	open1(0, ada)
	c.t = w0.Add(time.Hour)
	if err := s.CreateConversation(ctx(), &portal.Conversation{VisitorID: "a", CustomerID: &ada.ID}); err != nil {
		t.Fatal(err)
	}
	open1(2*time.Hour, ada)
	c.t = w0.Add(32 * time.Hour)
	if err := s.CreateCase(ctx(), &portal.Case{CustomerID: &ada.ID, Email: ada.Email, Body: "later"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	open1(3*time.Hour, bob)
	open1(4*time.Hour, nil)
	d, err := s.DeflectionStats(ctx(), portal.SupportFilter{From: w0, To: w0.Add(24 * time.Hour)}, 24*time.Hour)
	if err != nil || d != (portal.DeflectionStats{Opened: 3, Deflected: 2}) {
		t.Errorf("deflection = %+v, %v; want 3 opened, 2 deflected", d, err)
	}
	d, err = s.DeflectionStats(ctx(), portal.SupportFilter{From: w0, To: w0.Add(24 * time.Hour)}, 48*time.Hour)
	if err != nil || d != (portal.DeflectionStats{Opened: 3, Deflected: 1}) {
		t.Errorf("48-hour deflection = %+v, %v; want 3 opened, 1 deflected", d, err)
	}
}
