package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
)

// testReportFacts builds chats and cases, lets a FactKeeper build the
// support report's facts, and checks that the report summed from the
// facts equals the report summed from the items directly, for every
// filter, and again after edits: a new message, a reassignment, a rating,
// a vote, a reply to a case and a change of the calendar (which rebuilds
// the facts in the background).
func testReportFacts(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	a := MustCreateUser(t, s, portal.RoleAgent, "fa@example.com")
	b := MustCreateUser(t, s, portal.RoleAgent, "fb@example.com")
	team := &portal.Team{Name: "Facts", MemberIDs: []int64{b.ID}}
	if err := s.SaveTeam(ctx(), team); err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)
	at := func(tm time.Time) { c.t = tm }
	conv := func(when time.Time) *portal.Conversation {
		t.Helper()
		at(when)
		cv := &portal.Conversation{VisitorID: "v", Subject: "help"}
		if err := s.CreateConversation(ctx(), cv); err != nil {
			t.Fatal(err)
		}
		return cv
	}
	msg := func(when time.Time, id int64, author string, by *int64) {
		t.Helper()
		at(when)
		if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: id, Author: author, AuthorID: by, Body: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	update := func(when time.Time, id int64, u portal.ConversationUpdate) {
		t.Helper()
		at(when)
		if _, err := s.UpdateConversation(ctx(), id, u); err != nil {
			t.Fatal(err)
		}
	}
	closed, queued, agentState := portal.ConvClosed, portal.ConvQueued, portal.ConvAgent
	// A bot chat; a chat handed off Friday 16:50 and answered by a on
	// Monday; a chat with a left message; a chat waiting for a person.
	c1 := conv(friday.Add(10 * time.Hour))
	msg(friday.Add(10*time.Hour), c1.ID, portal.AuthorCustomer, nil)
	msg(friday.Add(10*time.Hour+time.Minute), c1.ID, portal.AuthorBot, nil)
	update(friday.Add(10*time.Hour+2*time.Minute), c1.ID, portal.ConversationUpdate{State: &closed})
	c2 := conv(friday.Add(16*time.Hour + 40*time.Minute))
	update(friday.Add(16*time.Hour+50*time.Minute), c2.ID, portal.ConversationUpdate{State: &queued})
	update(friday.Add(72*time.Hour+9*time.Hour), c2.ID, portal.ConversationUpdate{State: &agentState, AgentID: &a.ID})
	msg(friday.Add(72*time.Hour+9*time.Hour+5*time.Minute), c2.ID, portal.AuthorAgent, &a.ID)
	update(friday.Add(72*time.Hour+10*time.Hour), c2.ID, portal.ConversationUpdate{State: &closed})
	c3 := conv(friday.Add(11 * time.Hour))
	msg(friday.Add(11*time.Hour), c3.ID, portal.AuthorBot, nil)
	at(friday.Add(11*time.Hour + 5*time.Minute))
	if err := s.CreateCase(ctx(), &portal.Case{ConversationID: &c3.ID, Email: "x@example.com", Body: "call me"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	c4 := conv(friday.Add(12 * time.Hour))
	update(friday.Add(12*time.Hour+time.Minute), c4.ID, portal.ConversationUpdate{State: &queued})
	// Cases: one answered by b and solved, one urgent by email with no
	// answer, one assigned to a.
	open1 := func(when time.Time, k *portal.Case) *portal.Case {
		t.Helper()
		at(when)
		k.Email, k.Body = "cus@example.com", "help"
		return MustCreateCase(t, s, k)
	}
	entry := func(when time.Time, k *portal.Case, kind string, by *portal.User, status string) {
		t.Helper()
		at(when)
		e := &portal.CaseEntry{CaseID: k.ID, Kind: kind, Channel: portal.ChannelEmail, Body: "and?"}
		if by != nil {
			e.AuthorID, e.Channel = &by.ID, portal.ChannelAgent
		}
		if _, err := s.AddCaseEntry(ctx(), e, status, nil); err != nil {
			t.Fatal(err)
		}
	}
	k1 := open1(friday.Add(15*time.Hour), &portal.Case{Channel: portal.ChannelPortal})
	entry(friday.Add(16*time.Hour), k1, portal.EntryReply, b, "")
	entry(friday.Add(16*time.Hour+30*time.Minute), k1, portal.EntryCustomer, nil, "")
	k2 := open1(friday.Add(16*time.Hour+50*time.Minute), &portal.Case{Channel: portal.ChannelEmail, Priority: portal.PriorityUrgent, TeamID: &team.ID})
	k3 := open1(friday.Add(9*time.Hour), &portal.Case{Channel: portal.ChannelAPI, AssigneeID: &a.ID})
	at(friday.Add(96 * time.Hour)) // Tuesday: the urgent case's first response is overdue

	keeper := analytics.NewFactKeeper(s, nil)
	from, to := friday.AddDate(0, 0, -7), friday.AddDate(0, 0, 7)
	check := func(step string) {
		t.Helper()
		st := factsReady(t, keeper, step+": facts not ready after a rebuild")
		for _, f := range []portal.SupportFilter{
			{From: from, To: to},
			{From: from, To: to, AgentID: a.ID},
			{From: from, To: to, AgentID: b.ID},
			{From: from, To: to, TeamID: team.ID},
			{From: from, To: to, Channels: []string{portal.ChannelEmail, portal.ChannelAPI}},
		} {
			name := fmt.Sprintf("%s, agent %d team %d channels %v", step, f.AgentID, f.TeamID, f.Channels)
			n := factsMatchItems(t, s, st, f, c.Now(), name, false, true)
			if n.chats != n.chatFacts || n.cases != n.caseFacts {
				t.Errorf("%s: %d chat facts for %d chats, %d case facts for %d cases", name, n.chatFacts, n.chats, n.caseFacts, n.cases)
			}
		}
	}
	check("built")
	// The figures the edits change, so that a stale fact would show.
	sum := func() (analytics.SupportPeriod, analytics.CasePeriod) {
		t.Helper()
		facts, err := s.ChatFacts(ctx(), portal.SupportFilter{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		cfacts, err := s.CaseFacts(ctx(), portal.SupportFilter{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		return analytics.SummarizeChatFacts(facts, from, to, false, time.UTC, true), analytics.SummarizeCaseFacts(cfacts, from, to, false, time.UTC, c.Now())
	}

	// An agent answers the waiting chat: its wait and handler change.
	msg(friday.Add(96*time.Hour+time.Minute), c4.ID, portal.AuthorAgent, &b.ID)
	check("after a new message")
	if p, _ := sum(); p.Unanswered != 0 || p.Waited != 2 {
		t.Errorf("after a new message: unanswered %d waited %d, want 0 and 2", p.Unanswered, p.Waited)
	}
	// The unanswered case goes to b, then b answers it.
	if _, err := s.UpdateCase(ctx(), k3.ID, portal.CaseUpdate{AssigneeID: &b.ID}, nil, nil); err != nil {
		t.Fatal(err)
	}
	check("after a reassignment")
	entry(friday.Add(96*time.Hour+2*time.Minute), k2, portal.EntryReply, a, "")
	check("after a case reply")
	if _, k := sum(); k.Responded != 2 {
		t.Errorf("after a case reply: responded %d, want 2", k.Responded)
	}
	// Ratings and a vote.
	five, comment := 5, "quick"
	update(friday.Add(96*time.Hour+3*time.Minute), c2.ID, portal.ConversationUpdate{Rating: &five, RatingComment: &comment})
	check("after a rating")
	if p, _ := sum(); p.Rated != 1 || len(p.Comments) != 1 {
		t.Errorf("after a rating: rated %d comments %d, want 1 and 1", p.Rated, len(p.Comments))
	}
	if err := s.VoteAnswer(ctx(), &portal.AnswerVote{ConversationID: c1.ID, Seq: 2, Helpful: false}); err != nil {
		t.Fatal(err)
	}
	check("after a vote")
	if p, _ := sum(); p.BotOnly != 0 {
		t.Errorf("after a not-helpful vote: bot only %d, want 0", p.BotOnly)
	}
	// A calendar change: open Saturday too. The facts are rebuilt.
	set, err := s.SLASettings(ctx())
	if err != nil {
		t.Fatal(err)
	}
	cal := *set.DefaultCalendar()
	cal.Hours = append(append([]portal.OpeningHours(nil), cal.Hours...), portal.OpeningHours{Weekday: time.Saturday, Open: 9 * 60, Close: 17 * 60})
	_, before := sum()
	if err := s.SaveCalendar(ctx(), &cal); err != nil {
		t.Fatal(err)
	}
	check("after a calendar change")
	if _, after := sum(); after.FirstResponseP90 == before.FirstResponseP90 {
		t.Errorf("after opening on Saturdays: first response P90 %v as before; want it longer", after.FirstResponseP90)
	}
	_ = k1
}

// factsReady prepares the keeper's facts and, when they are not ready,
// waits for its rebuild or refresh and prepares them again; still not
// ready fails the test with msg.
func factsReady(t *testing.T, keeper *analytics.FactKeeper, msg string) analytics.FactsStatus {
	t.Helper()
	st, err := keeper.Prepare(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if !st.Ready {
		if err := keeper.Wait(ctx()); err != nil {
			t.Fatal(err)
		}
		if st, err = keeper.Prepare(ctx()); err != nil {
			t.Fatal(err)
		}
		if !st.Ready {
			t.Fatal(msg)
		}
	}
	return st
}

// factCounts are how many items and facts a filter found.
type factCounts struct{ chats, chatFacts, cases, caseFacts int }

// factsMatchItems checks that the support report of filter f summed from
// the facts equals the one summed from the items: the chats by day and by
// each of weeklies, the cases by day.
func factsMatchItems(t *testing.T, s portal.Store, st analytics.FactsStatus, f portal.SupportFilter, now time.Time, name string, weeklies ...bool) factCounts {
	t.Helper()
	hours, _ := analytics.ReportHours(st.SLA, st.Chat)
	rows, err := s.ConversationStats(ctx(), f)
	if err != nil {
		t.Fatal(err)
	}
	facts, err := s.ChatFacts(ctx(), f)
	if err != nil {
		t.Fatal(err)
	}
	for _, weekly := range weeklies {
		want := analytics.SummarizeSupport(rows, f.From, f.To, weekly, time.UTC, hours)
		got := analytics.SummarizeChatFacts(facts, f.From, f.To, weekly, time.UTC, hours != nil)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: chats from facts\n%+v\nwant\n%+v", name, got, want)
		}
	}
	cases, err := s.CaseStats(ctx(), f)
	if err != nil {
		t.Fatal(err)
	}
	cfacts, err := s.CaseFacts(ctx(), f)
	if err != nil {
		t.Fatal(err)
	}
	want := analytics.SummarizeCases(cases, f.From, f.To, false, time.UTC, st.SLA, now)
	if got := analytics.SummarizeCaseFacts(cfacts, f.From, f.To, false, time.UTC, now); !reflect.DeepEqual(got, want) {
		t.Errorf("%s: cases from facts\n%+v\nwant\n%+v", name, got, want)
	}
	return factCounts{chats: len(rows), chatFacts: len(facts), cases: len(cases), caseFacts: len(cfacts)}
}
