package web_test

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
)

func TestSupportReport(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		agent := MustUser(t, s, portal.RoleAgent, "agent@example.com")
		MustUser(t, s, portal.RoleManager, "boss@example.com")
		MustUser(t, s, portal.RoleEditor, "editor@example.com")
		MustUser(t, s, portal.RoleCustomer, "cus@example.com")
		mk := func() *portal.Conversation {
			cv := &portal.Conversation{VisitorID: "v", Subject: "q"}
			if err := s.CreateConversation(ctx(), cv); err != nil {
				t.Fatal(err)
			}
			return cv
		}
		say := func(id int64, author string, by *int64) {
			if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: id, Author: author, AuthorID: by, Body: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		// One chat the bot settles, one handed to an agent and rated 1 with
		// a comment that must be escaped.
		c1 := mk()
		say(c1.ID, portal.AuthorBot, nil)
		c2 := mk()
		q, closed, one := portal.ConvQueued, portal.ConvClosed, 1
		note := "<b>too slow</b>"
		if _, err := s.UpdateConversation(ctx(), c2.ID, portal.ConversationUpdate{State: &q}); err != nil {
			t.Fatal(err)
		}
		withAgent := portal.ConvAgent
		if _, err := s.UpdateConversation(ctx(), c2.ID, portal.ConversationUpdate{State: &withAgent, AgentID: &agent.ID}); err != nil {
			t.Fatal(err)
		}
		say(c2.ID, portal.AuthorAgent, &agent.ID)
		s.UpdateConversation(ctx(), c2.ID, portal.ConversationUpdate{State: &closed})
		if _, err := s.UpdateConversation(ctx(), c2.ID, portal.ConversationUpdate{Rating: &one, RatingComment: &note}); err != nil {
			t.Fatal(err)
		}

		for _, who := range []string{"agent@example.com", "editor@example.com", "cus@example.com"} {
			c := newClient(t, srv)
			c.login(who)
			wantStatus(t, c.get("/reports/support"), 403)
			wantStatus(t, c.get("/reports/support.csv"), 403)
		}
		c := newClient(t, srv)
		c.login("boss@example.com")
		res := c.get("/reports/support")
		wantStatus(t, res, 200)
		for _, want := range []string{"Support report", "Median time to close a chat", "50.0% (1)", "1.00 of 5 (1 ratings)", "&lt;b&gt;too slow&lt;/b&gt;", `<svg class="chart"`} {
			wantBody(t, res, want)
		}
		if strings.Contains(res.body, "<b>too slow</b>") {
			t.Fatal("comment not escaped")
		}
		today, recs := todaysSupportCSV(t, c)
		if len(recs) != 2 || recs[1][0] != today || recs[1][1] != "2" || recs[1][2] != "1" || recs[1][3] != "1" {
			t.Fatalf("csv = %q", recs)
		}
		// Filtered to the agent: only the chat the agent owned.
		res = c.get("/reports/support.csv?from=" + today + "&to=" + today + "&agent=" + itoa(agent.ID))
		wantStatus(t, res, 200)
		if recs, _ := csv.NewReader(strings.NewReader(res.body)).ReadAll(); len(recs) != 2 || recs[1][1] != "1" || recs[1][3] != "1" {
			t.Fatalf("agent csv = %q", recs)
		}
		if err := s.RecordSearch(ctx(), &portal.SearchLogEntry{Query: "where is my refund", Locale: "en", Source: "faq"}); err != nil {
			t.Fatal(err)
		}
		// The default SLA calendar measures business hours, though the
		// chat is always open.
		res = c.get("/reports/support")
		wantBody(t, res, "Median wait in business hours")
		wantBody(t, res, "the SLA calendar “Business hours” (UTC)")
		wantBody(t, res, "No cases were opened in these periods")
		wantBody(t, res, "Help-centre searches")
		wantBody(t, res, "not followed by a chat or case within 24 hours")
		wantBody(t, res, "where is my refund")
		wantBody(t, res, "Hand-offs answered within 5 business minutes (target)")
		wantBody(t, c.get("/reports/support?target=30"), "Hand-offs answered within 30 business minutes (target)")
		// A team of the agent: its chats; another agent's team has none.
		other := MustUser(t, s, portal.RoleAgent, "other@example.com")
		team := &portal.Team{Name: "Returns", MemberIDs: []int64{agent.ID}}
		empty := &portal.Team{Name: "Billing", MemberIDs: []int64{other.ID}}
		for _, tm := range []*portal.Team{team, empty} {
			if err := s.SaveTeam(ctx(), tm); err != nil {
				t.Fatal(err)
			}
		}
		day := "from=" + today + "&to=" + today
		if recs := readCSV(t, c.get("/reports/support.csv?"+day+"&team="+itoa(team.ID))); len(recs) != 2 || recs[1][1] != "1" || recs[1][3] != "1" {
			t.Fatalf("team csv = %q", recs)
		}
		if recs := readCSV(t, c.get("/reports/support.csv?"+day+"&team="+itoa(empty.ID))); len(recs) != 2 || recs[1][1] != "0" {
			t.Fatalf("other team's csv = %q", recs)
		}
		wantBody(t, c.get("/reports/support?team="+itoa(empty.ID)), "No chats in these periods")
		// Cases by channel: one from the contact form, one by email.
		for _, ch := range []string{portal.ChannelPortal, portal.ChannelEmail} {
			if err := s.CreateCase(ctx(), &portal.Case{Email: "cus@example.com", Body: "where is it", Channel: ch}, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		if recs := readCSV(t, c.get("/reports/support.csv?"+day)); recs[0][4] != "cases_opened" || recs[0][11] != "next_response_sla_met" || recs[0][12] != "next_response_sla_breached" || recs[1][1] != "2" || recs[1][4] != "2" {
			t.Fatalf("all channels csv = %q", recs)
		}
		recs = readCSV(t, c.get("/reports/support.csv?"+day+"&channel=email"))
		if recs[1][1] != "" || recs[1][4] != "1" {
			t.Fatalf("email csv = %q (no chat figures, one case)", recs)
		}
		res = c.get("/reports/support?channel=email")
		wantBody(t, res, "The chat is not among the chosen channels.")
		wantBody(t, res, "Median first response (business hours)")
		wantBody(t, res, "First response within the SLA")
		wantBody(t, res, "Next responses within the SLA")
		wantBody(t, res, `value="email" checked`)
		if strings.Contains(res.body, `value="portal" checked`) {
			t.Fatal("an unchosen channel is ticked")
		}
		wantBody(t, c.get("/reports/support"), "… from the contact form")
		for _, bad := range []string{"team=returns", "team=" + itoa(team.ID+100), "channel=fax", "target=0", "target=soon", "agent=me", "agent=-1", "from=yesterday", "to=2026-13-01", "from=2026-05-02&to=2026-05-01", "from=2020-01-01&to=2026-01-01", "by=hour"} {
			wantStatus(t, c.get("/reports/support?"+bad), 400)
			wantStatus(t, c.get("/reports/support.csv?"+bad), 400)
		}
	})
}

func readCSV(t *testing.T, res *response) [][]string {
	t.Helper()
	wantStatus(t, res, 200)
	recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestSupportReportWhileManyItemsRefresh: when more items changed than a
// page refreshes itself, the page reads the facts as they are and says
// they may lag; once the background refresh is done, the figures are
// exact again and the note is gone.
func TestSupportReportWhileManyItemsRefresh(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleManager, "boss@example.com")
		c := newClient(t, srv)
		c.login("boss@example.com")
		factsReady := func() {
			t.Helper()
			deadline := time.Now().Add(time.Minute)
			for {
				res := c.get("/reports/support/facts")
				wantStatus(t, res, 200)
				if strings.Contains(res.body, `"ready":true`) {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("facts not ready: %s", res.body)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		factsReady()
		n := analytics.SyncRefreshLimit + 50
		for i := 0; i < n; i++ {
			if err := s.CreateConversation(ctx(), &portal.Conversation{VisitorID: "v", Subject: "q"}); err != nil {
				t.Fatal(err)
			}
		}
		res := c.get("/reports/support")
		wantStatus(t, res, 200)
		wantBody(t, res, "may lag behind those changes")
		factsReady()
		res = c.get("/reports/support")
		wantStatus(t, res, 200)
		if strings.Contains(res.body, "may lag behind") {
			t.Error("the lag note is still shown once the facts are up to date")
		}
		_, recs := todaysSupportCSV(t, c)
		if len(recs) != 2 || recs[1][1] != itoa(int64(n)) {
			t.Fatalf("after the refresh: csv = %q, want %d conversations", recs, n)
		}
	})
}

// todaysSupportCSV downloads today's support report as CSV, by day.
func todaysSupportCSV(t *testing.T, c *client) (today string, recs [][]string) {
	t.Helper()
	today = time.Now().UTC().Format("2006-01-02")
	res := c.get("/reports/support.csv?by=day&from=" + today + "&to=" + today)
	wantStatus(t, res, 200)
	recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return today, recs
}
