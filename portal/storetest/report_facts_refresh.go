package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
)

// testReportFactsLargeRefresh builds the facts, then changes more items
// than a report refreshes itself (new chats over two weeks, an agent's
// reply to built chats, a case reply), so that the marked facts are
// refreshed in the background and the day blocks packed once at its end,
// and checks that the report from the facts then equals the report from
// the items.
func testReportFactsLargeRefresh(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	a := MustCreateUser(t, s, portal.RoleAgent, "la@example.com")
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	c.t = start
	var built []*portal.Conversation
	for i := range 6 {
		c.t = start.Add(time.Duration(i) * 5 * time.Hour)
		cv := &portal.Conversation{VisitorID: "v", Subject: "help"}
		if err := s.CreateConversation(ctx(), cv); err != nil {
			t.Fatal(err)
		}
		built = append(built, cv)
	}
	c.t = start.Add(time.Hour)
	k := MustCreateCase(t, s, &portal.Case{Channel: portal.ChannelEmail, Email: "l@example.com", Body: "help"})

	keeper := analytics.NewFactKeeper(s, nil)
	factsReady(t, keeper, "built: facts not ready")

	// More changed items than a report refreshes itself, and than a
	// refresh takes on in batches (it packs every day once instead).
	n := max(analytics.SyncRefreshLimit, analytics.RefreshAllAbove) + 100
	for i := range n {
		c.t = start.Add(time.Duration(i) * 10 * time.Minute)
		if err := s.CreateConversation(ctx(), &portal.Conversation{VisitorID: "v", Subject: "more"}); err != nil {
			t.Fatal(err)
		}
	}
	c.t = start.Add(time.Duration(n) * 10 * time.Minute)
	for _, cv := range built {
		if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: cv.ID, Author: portal.AuthorAgent, AuthorID: &a.ID, Body: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddCaseEntry(ctx(), &portal.CaseEntry{CaseID: k.ID, Kind: portal.EntryReply, Channel: portal.ChannelAgent, AuthorID: &a.ID, Body: "done"}, "", nil); err != nil {
		t.Fatal(err)
	}
	st, err := keeper.Prepare(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if st.Ready || !st.Refreshing {
		t.Fatalf("after %d changes: ready %v refreshing %v, want a background refresh", n+len(built)+1, st.Ready, st.Refreshing)
	}
	st = factsReady(t, keeper, "refreshed: facts not ready")

	from, to := start.AddDate(0, 0, -1), start.AddDate(0, 0, 21)
	for _, f := range []portal.SupportFilter{{From: from, To: to}, {From: from, To: to, AgentID: a.ID}} {
		cnt := factsMatchItems(t, s, st, f, c.Now(), fmt.Sprintf("agent %d", f.AgentID), false)
		if cnt.chatFacts != cnt.chats {
			t.Errorf("agent %d: %d chat facts for %d chats", f.AgentID, cnt.chatFacts, cnt.chats)
		}
	}
	if rows, err := s.ConversationStats(ctx(), portal.SupportFilter{From: from, To: to}); err != nil || len(rows) != n+len(built) {
		t.Fatalf("%d chats in the range (err %v), want %d", len(rows), err, n+len(built))
	}
	if ds, err := s.DirtyReportFacts(ctx(), 1); err != nil || len(ds) != 0 {
		t.Fatalf("marks left after the refresh: %v (err %v)", ds, err)
	}
}
