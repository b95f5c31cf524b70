package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

func addEntry(s portal.Store, e *portal.CaseEntry) error {
	_, err := s.AddCaseEntry(ctx(), e, "", nil)
	return err
}

// MustCreateCase stores a customer's case or fails the test.
func MustCreateCase(tb testing.TB, s portal.Store, c *portal.Case) *portal.Case {
	tb.Helper()
	if err := s.CreateCase(ctx(), c, nil, nil); err != nil {
		tb.Fatalf("create case: %v", err)
	}
	return c
}

func mustCase(tb testing.TB, s portal.Store, id int64) *portal.Case {
	tb.Helper()
	c, err := s.FindCase(ctx(), id)
	if err != nil {
		tb.Fatalf("find case %d: %v", id, err)
	}
	return c
}

func wantTime(tb testing.TB, what string, got *time.Time, want time.Time) {
	tb.Helper()
	if got == nil || !got.Equal(want) {
		tb.Fatalf("%s=%v, want %v", what, got, want)
	}
}

func testCases(t *testing.T, open Opener) {
	// The clock starts on Sunday 2026-03-01 09:30 UTC; the default calendar
	// is Monday to Friday 9 to 17 UTC and a normal case's targets are 8 h
	// first response, 8 h next response and 40 h resolution.
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	agent := MustCreateUser(t, s, portal.RoleAgent, "agent@example.com")
	agent2 := MustCreateUser(t, s, portal.RoleAgent, "agent2@example.com")
	monday := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

	t.Run("CreateWithEmailAndFirstEntry", func(t *testing.T) {
		conv := MustCreateConversation(t, s, "v-case", nil)
		cs := &portal.Case{ConversationID: &conv.ID, Channel: portal.ChannelChat, Email: "Guest@Example.com", Name: "Guest", Body: "Call me back", Transcript: "customer: hi"}
		err := s.CreateCase(ctx(), cs, nil, func(c *portal.Case, e *portal.CaseEntry) []*portal.Email {
			return []*portal.Email{{To: c.Email, Subject: "We got your message: case " + c.Number(), Body: e.Body}}
		})
		if err != nil {
			t.Fatal(err)
		}
		if cs.ID == 0 || cs.Status != portal.CaseNew || cs.Priority != portal.PriorityNormal || len(cs.Token) != 32 || cs.Subject != "Call me back" {
			t.Fatalf("case %+v", cs)
		}
		wantTime(t, "first response due", cs.FirstResponseDue, monday.Add(8*time.Hour))
		wantTime(t, "resolution due", cs.ResolutionDue, monday.AddDate(0, 0, 4).Add(8*time.Hour))
		wantTime(t, "due", cs.DueAt, monday.Add(8*time.Hour))
		mails, _ := s.FindEmails(ctx(), "guest@example.com", 10)
		if len(mails) != 1 || !strings.Contains(mails[0].Subject, cs.Number()) || mails[0].Body != "Call me back" {
			t.Fatalf("emails %+v", mails)
		}
		got, err := s.FindCaseByToken(ctx(), strings.ToUpper(cs.Token))
		if err != nil || got.ID != cs.ID || got.Email != "guest@example.com" || *got.ConversationID != conv.ID {
			t.Fatalf("by token %+v %v", got, err)
		}
		_, err = s.FindCaseByToken(ctx(), "nope")
		wantCode(t, err, portal.ENOTFOUND)
		es, err := s.FindCaseEntries(ctx(), cs.ID, false)
		if err != nil || len(es) != 1 || es[0].Kind != portal.EntryCustomer || es[0].Channel != portal.ChannelChat || es[0].Body != "Call me back" {
			t.Fatalf("entries %+v %v", es, err)
		}
		// A failing email rolls the case back.
		err = s.CreateCase(ctx(), &portal.Case{Email: "x@example.com", Body: "b"}, nil, func(*portal.Case, *portal.CaseEntry) []*portal.Email {
			return []*portal.Email{{To: "not an address"}}
		})
		wantCode(t, err, portal.EINVALID)
		if _, n, _ := s.FindCases(ctx(), portal.CaseFilter{Email: ptr("x@example.com")}); n != 0 {
			t.Fatal("case stored without its email")
		}
		wantCode(t, s.CreateCase(ctx(), &portal.Case{Email: "x@example.com"}, nil, nil), portal.EINVALID)
		wantCode(t, s.CreateCase(ctx(), &portal.Case{Email: "x@example.com", Body: "b", Priority: "meh"}, nil, nil), portal.EINVALID)
	})

	t.Run("EmailThreading", func(t *testing.T) {
		cs := &portal.Case{Channel: portal.ChannelEmail, Email: "mailer@example.com", Subject: "Broken lamp", Body: "It flickers."}
		first := &portal.CaseEntry{Kind: portal.EntryCustomer, Channel: portal.ChannelEmail, Body: "It flickers.", MessageID: "<m1@example.com>"}
		if err := s.CreateCase(ctx(), cs, first, nil); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindCaseByMessageID(ctx(), "m1@example.com")
		if err != nil || got.ID != cs.ID {
			t.Fatalf("by message id %+v %v", got, err)
		}
		// The same Message-ID twice is stored once, in a new case or a reply.
		wantCode(t, s.CreateCase(ctx(), &portal.Case{Email: "mailer@example.com", Body: "again"}, &portal.CaseEntry{Kind: portal.EntryCustomer, Body: "again", MessageID: "m1@example.com"}, nil), portal.ECONFLICT)
		_, err = s.AddCaseEntry(ctx(), &portal.CaseEntry{CaseID: cs.ID, Kind: portal.EntryCustomer, Channel: portal.ChannelEmail, Body: "again", MessageID: "<m1@example.com>", InReplyTo: "<r@x>"}, "", nil)
		wantCode(t, err, portal.ECONFLICT)
		if _, n, _ := s.FindCases(ctx(), portal.CaseFilter{Email: ptr("mailer@example.com")}); n != 1 {
			t.Fatalf("%d cases, want 1", n)
		}
		if es, _ := s.FindCaseEntries(ctx(), cs.ID, true); len(es) != 1 {
			t.Fatalf("entries %d, want 1", len(es))
		}
		// Attachments belong to an entry and its case.
		es, _ := s.FindCaseEntries(ctx(), cs.ID, true)
		a := &portal.CaseAttachment{EntryID: es[0].ID, Filename: "lamp.jpg", ContentType: "image/jpeg", Size: 3, StorageKey: "ab/cd"}
		if err := s.AddCaseAttachment(ctx(), a); err != nil || a.CaseID != cs.ID {
			t.Fatalf("attachment %+v %v", a, err)
		}
		wantCode(t, s.AddCaseAttachment(ctx(), &portal.CaseAttachment{EntryID: es[0].ID + 999, Filename: "x", ContentType: "x", StorageKey: "x"}), portal.ENOTFOUND)
		if got, err := s.FindCaseAttachment(ctx(), a.ID); err != nil || got.StorageKey != "ab/cd" {
			t.Fatalf("find attachment %+v %v", got, err)
		}
		es, _ = s.FindCaseEntries(ctx(), cs.ID, false)
		if len(es[0].Attachments) != 1 || es[0].Attachments[0].Filename != "lamp.jpg" {
			t.Fatalf("entry attachments %+v", es[0].Attachments)
		}
	})

	t.Run("ReplyPendingReopenAndClocks", func(t *testing.T) {
		c.t = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // Monday 10:00
		cs := MustCreateCase(t, s, &portal.Case{CustomerID: &ada.ID, Email: ada.Email, Body: "Where is my sofa?", Channel: portal.ChannelPortal})
		c.t = c.t.Add(time.Hour)
		note := &portal.CaseEntry{CaseID: cs.ID, Kind: portal.EntryNote, AuthorID: &agent.ID, AuthorName: "Agent", Body: "Checking with the carrier."}
		got, err := s.AddCaseEntry(ctx(), note, "", nil)
		if err != nil || got.Status != portal.CaseNew || got.FirstResponseAt != nil {
			t.Fatalf("note changed the case %+v %v", got, err)
		}
		c.t = c.t.Add(time.Hour) // 12:00
		got, err = s.AddCaseEntry(ctx(), &portal.CaseEntry{CaseID: cs.ID, Kind: portal.EntryReply, AuthorID: &agent.ID, AuthorName: "Agent", Body: "It ships Friday. Does that suit you?"}, portal.CasePending,
			func(c *portal.Case, e *portal.CaseEntry) []*portal.Email {
				return []*portal.Email{{To: c.Email, Subject: "Re: " + c.Subject, Body: e.Body}}
			})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != portal.CasePending || got.FirstResponseAt == nil || got.FirstResponseDue != nil || got.ResolutionDue != nil || got.SLASince != nil || got.SLASpent != 2*time.Hour || got.DueAt != nil {
			t.Fatalf("after reply %+v", got)
		}
		if mails, _ := s.FindEmails(ctx(), ada.Email, 10); len(mails) == 0 || mails[0].Body != "It ships Friday. Does that suit you?" {
			t.Fatalf("reply email %+v", mails)
		}
		// Waiting on the customer pauses the clock across the night.
		c.t = time.Date(2026, 3, 3, 9, 30, 0, 0, time.UTC) // Tuesday 9:30
		got, err = s.AddCaseEntry(ctx(), &portal.CaseEntry{CaseID: cs.ID, Kind: portal.EntryCustomer, AuthorID: &ada.ID, Body: "Friday is fine."}, "", nil)
		if err != nil || got.Status != portal.CaseOpen {
			t.Fatalf("customer reply did not reopen: %+v %v", got, err)
		}
		// 8 h from Tuesday 9:30: 7.5 h on Tuesday, 0.5 h on Wednesday.
		wantTime(t, "next response due", got.NextResponseDue, time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC))
		// 38 h of 40 left from Tuesday 9:30: Tue 7.5, Wed 8, Thu 8, Fri 8, Mon 6.5.
		wantTime(t, "resolution due", got.ResolutionDue, time.Date(2026, 3, 9, 15, 30, 0, 0, time.UTC))
		es, _ := s.FindCaseEntries(ctx(), cs.ID, false)
		for _, e := range es {
			if !e.Public() {
				t.Fatalf("customer sees %s entry", e.Kind)
			}
		}
		all, _ := s.FindCaseEntries(ctx(), cs.ID, true)
		if len(all) <= len(es) {
			t.Fatalf("internal entries %d, public %d", len(all), len(es))
		}
		var reopened bool
		for _, e := range all {
			reopened = reopened || (e.Kind == portal.EntryEvent && strings.Contains(e.Body, "Reopened"))
		}
		if !reopened {
			t.Fatal("no history event for the reopening")
		}
		// Solving stops every clock; a customer's message reopens it.
		got, err = s.UpdateCase(ctx(), cs.ID, portal.CaseUpdate{Status: ptr(portal.CaseSolved)}, agent, nil)
		if err != nil || got.Status != portal.CaseSolved || got.SolvedAt == nil || got.DueAt != nil {
			t.Fatalf("solve %+v %v", got, err)
		}
		got, _ = s.AddCaseEntry(ctx(), &portal.CaseEntry{CaseID: cs.ID, Kind: portal.EntryCustomer, Body: "One more thing."}, "", nil)
		if got.Status != portal.CaseOpen || got.SolvedAt != nil || got.DueAt == nil {
			t.Fatalf("after reopen %+v", got)
		}
		_, err = s.AddCaseEntry(ctx(), &portal.CaseEntry{CaseID: cs.ID + 999, Kind: portal.EntryReply, Body: "x"}, "", nil)
		wantCode(t, err, portal.ENOTFOUND)
		_, err = s.AddCaseEntry(ctx(), &portal.CaseEntry{CaseID: cs.ID, Kind: portal.EntryReply, Body: "  "}, "", nil)
		wantCode(t, err, portal.EINVALID)
		_, err = s.AddCaseEntry(ctx(), &portal.CaseEntry{CaseID: cs.ID, Kind: portal.EntryReply, Body: "x"}, "bogus", nil)
		wantCode(t, err, portal.EINVALID)
	})

	t.Run("UpdateBulkMergeViewsSearch", func(t *testing.T) {
		c.t = time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
		bob := MustCreateUser(t, s, portal.RoleCustomer, "bob@example.com")
		order := MustCreateOrder(t, s, bob, "NW-77123", c.t)
		team := &portal.Team{Name: "Deliveries", LeadID: &agent2.ID, MemberIDs: []int64{agent.ID, agent2.ID}}
		if err := s.SaveTeam(ctx(), team); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.SaveTeam(ctx(), &portal.Team{Name: "Deliveries"}), portal.EINVALID)
		wantCode(t, s.SaveTeam(ctx(), &portal.Team{Name: "X", MemberIDs: []int64{bob.ID}}), portal.EINVALID)
		var ids []int64
		for i := 0; i < 5; i++ {
			c.t = c.t.Add(time.Minute)
			cs := MustCreateCase(t, s, &portal.Case{CustomerID: &bob.ID, Email: bob.Email, Name: "Bob Builder", Body: "Parcel number " + string(rune('a'+i)) + " is late"})
			ids = append(ids, cs.ID)
		}
		got, err := s.UpdateCase(ctx(), ids[0], portal.CaseUpdate{Priority: ptr(portal.PriorityUrgent), AssigneeID: &agent.ID, TeamID: &team.ID, OrderID: &order.ID, Tags: &[]string{"Delivery", "late"}}, agent, nil)
		if err != nil || got.Priority != portal.PriorityUrgent || *got.AssigneeID != agent.ID || *got.TeamID != team.ID || strings.Join(got.Tags, ",") != "delivery,late" {
			t.Fatalf("update %+v %v", got, err)
		}
		// Urgent: 30 min first response from Wednesday 9:01.
		wantTime(t, "urgent first response due", got.FirstResponseDue, c.t.Add(-4*time.Minute).Add(30*time.Minute))
		_, err = s.UpdateCase(ctx(), ids[0], portal.CaseUpdate{AssigneeID: &bob.ID}, agent, nil)
		wantCode(t, err, portal.EINVALID)
		_, err = s.UpdateCase(ctx(), ids[0], portal.CaseUpdate{TeamID: ptr(int64(9999))}, agent, nil)
		wantCode(t, err, portal.EINVALID)
		_, err = s.UpdateCase(ctx(), ids[0]+999, portal.CaseUpdate{Priority: ptr(portal.PriorityLow)}, agent, nil)
		wantCode(t, err, portal.ENOTFOUND)

		n, err := s.BulkUpdateCases(ctx(), ids[1:3], portal.CaseUpdate{AssigneeID: &agent2.ID, AddTags: []string{"bulk"}}, agent)
		if err != nil || n != 2 {
			t.Fatalf("bulk n=%d %v", n, err)
		}
		// All or nothing: one bad id leaves every case as it was.
		_, err = s.BulkUpdateCases(ctx(), []int64{ids[3], ids[0] + 999}, portal.CaseUpdate{Status: ptr(portal.CaseOnHold)}, agent)
		wantCode(t, err, portal.ENOTFOUND)
		if mustCase(t, s, ids[3]).Status != portal.CaseNew {
			t.Fatal("bulk update half applied")
		}

		mine, total, err := s.FindCases(ctx(), portal.CaseFilter{AssigneeID: &agent2.ID, Statuses: portal.CaseActiveStatuses})
		if err != nil || total != 2 || len(mine) != 2 || mine[0].AssigneeName == "" {
			t.Fatalf("mine %d %+v %v", total, mine, err)
		}
		_, unassigned, _ := s.FindCases(ctx(), portal.CaseFilter{Unassigned: true, Statuses: portal.CaseActiveStatuses, Email: ptr(bob.Email)})
		if unassigned != 2 {
			t.Fatalf("unassigned=%d, want 2", unassigned)
		}
		soon := c.t.Add(time.Hour)
		breaching, _, _ := s.FindCases(ctx(), portal.CaseFilter{DueBefore: &soon, Statuses: portal.CaseActiveStatuses, Email: ptr(bob.Email)})
		if len(breaching) == 0 || breaching[0].ID != ids[0] {
			t.Fatalf("breaching soon %+v", breaching)
		}
		page, total, _ := s.FindCases(ctx(), portal.CaseFilter{Email: ptr(bob.Email), Limit: 2, Offset: 2})
		if total != 5 || len(page) != 2 || page[0].ID != ids[2] {
			t.Fatalf("page %d %+v", total, page)
		}
		for _, tc := range []struct {
			q    string
			want int64
		}{
			{mustCase(t, s, ids[2]).Number(), ids[2]},
			{"NW-77123", ids[0]},
			{"parcel number c", ids[2]},
			{"BOB@example", 0},
			{"bob build", 0},
			{"late parcel number c", ids[2]},
			{"100% sure", -1},
		} {
			got, n, err := s.FindCases(ctx(), portal.CaseFilter{Query: tc.q})
			if err != nil {
				t.Fatalf("search %q: %v", tc.q, err)
			}
			switch {
			case tc.want == 0 && n != 5:
				t.Fatalf("search %q found %d, want 5", tc.q, n)
			case tc.want == -1 && n != 0:
				t.Fatalf("search %q found %d, want 0", tc.q, n)
			case tc.want > 0 && (n != 1 || got[0].ID != tc.want):
				t.Fatalf("search %q found %d %+v, want case %d", tc.q, n, got, tc.want)
			}
		}
		if got, _, _ := s.FindCases(ctx(), portal.CaseFilter{Tag: "bulk"}); len(got) != 2 {
			t.Fatalf("tag filter %d", len(got))
		}
		if got, _ := s.FindCase(ctx(), ids[0]); got.OrderNumber != "NW-77123" || got.TeamName != "Deliveries" {
			t.Fatalf("joined names %+v", got)
		}

		// Merge moves the thread and closes the merged case; its later
		// messages go to the case it was merged into.
		if err := s.MergeCase(ctx(), ids[4], ids[3], agent); err != nil {
			t.Fatal(err)
		}
		from := mustCase(t, s, ids[4])
		if from.Status != portal.CaseClosed || from.MergedIntoID == nil || *from.MergedIntoID != ids[3] {
			t.Fatalf("merged case %+v", from)
		}
		e := &portal.CaseEntry{CaseID: ids[4], Kind: portal.EntryCustomer, Body: "late reply"}
		into, err := s.AddCaseEntry(ctx(), e, "", nil)
		if err != nil || into.ID != ids[3] || e.CaseID != ids[3] {
			t.Fatalf("entry to merged case went to %+v %v", into, err)
		}
		es, _ := s.FindCaseEntries(ctx(), ids[3], false)
		if len(es) != 3 {
			t.Fatalf("merged thread has %d public entries, want 3", len(es))
		}
		wantCode(t, s.MergeCase(ctx(), ids[3], ids[3], agent), portal.EINVALID)
		wantCode(t, s.MergeCase(ctx(), ids[4], ids[2], agent), portal.ECONFLICT)
	})

	t.Run("SettingsRulesEscalationOnce", func(t *testing.T) {
		set, err := s.SLASettings(ctx())
		if err != nil || len(set.Policies) != 4 || len(set.Calendars) != 1 {
			t.Fatalf("defaults %+v %v", set, err)
		}
		cal := &portal.Calendar{Name: "Sydney", TimeZone: "Australia/Sydney", Hours: []portal.OpeningHours{{Weekday: time.Monday, Open: 480, Close: 1200}}, Holidays: []string{"2026-12-25"}}
		if err := s.SaveCalendar(ctx(), cal); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.SaveCalendar(ctx(), &portal.Calendar{Name: "Bad", TimeZone: "Mars/Base", Hours: cal.Hours}), portal.EINVALID)
		wantCode(t, s.SaveCalendar(ctx(), &portal.Calendar{Name: "Bad", TimeZone: "UTC", Hours: cal.Hours, Holidays: []string{"25.12."}}), portal.EINVALID)
		if err := s.SaveSLAPolicy(ctx(), portal.SLAPolicy{Priority: portal.PriorityLow, CalendarID: cal.ID, FirstResponse: time.Hour, Resolution: 10 * time.Hour}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.SaveSLAPolicy(ctx(), portal.SLAPolicy{Priority: "meh", CalendarID: cal.ID}), portal.EINVALID)
		set, _ = s.SLASettings(ctx())
		if p := set.Policies[portal.PriorityLow]; p.CalendarID != cal.ID || p.FirstResponse != time.Hour || set.Calendars[cal.ID].Holidays[0] != "2026-12-25" {
			t.Fatalf("saved policy %+v", p)
		}
		r := &portal.EscalationRule{Metric: portal.MetricResolution, Percent: 50, Action: portal.ActionAssignUser, UserID: &agent2.ID, Enabled: true}
		if err := s.SaveEscalationRule(ctx(), r); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.SaveEscalationRule(ctx(), &portal.EscalationRule{Metric: "x", Percent: 50, Action: portal.ActionNotifyLead}), portal.EINVALID)
		rules, _ := s.FindEscalationRules(ctx())
		if len(rules) != 4 {
			t.Fatalf("%d rules, want 4", len(rules))
		}
		if err := s.DeleteEscalationRule(ctx(), r.ID); err != nil {
			t.Fatal(err)
		}

		cs := MustCreateCase(t, s, &portal.Case{Email: "esc@example.com", Body: "help"})
		due := func() *portal.Case {
			t.Helper()
			sla, err := s.FindSLACases(ctx(), c.t)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range sla {
				if x.ID == cs.ID {
					return x
				}
			}
			return nil
		}
		got := due()
		if got == nil || got.DueAt == nil {
			t.Fatal("new case not due a check")
		}
		// A check time in the future keeps it out of passes until then...
		if err := s.SetSLAChecks(ctx(), []portal.SLACheck{{CaseID: cs.ID, UpdatedAt: got.UpdatedAt, Next: c.t.Add(time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		if due() != nil {
			t.Fatal("case checked again before its check time")
		}
		// ...unless the case changes; and a check read before a change
		// does not overwrite it.
		c.t = c.t.Add(time.Second)
		if _, err := s.UpdateCase(ctx(), cs.ID, portal.CaseUpdate{Tags: &[]string{"x"}}, agent, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSLAChecks(ctx(), []portal.SLACheck{{CaseID: cs.ID, UpdatedAt: got.UpdatedAt, Next: c.t.Add(time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		if due() == nil {
			t.Fatal("changed case not due a check")
		}
		// Eight goroutines race to fire one key: it fires once.
		var wg sync.WaitGroup
		var mu sync.Mutex
		fired := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.FireEscalation(ctx(), cs.ID, "r1:fr", func(tx portal.CaseTx) error {
					if err := tx.Update(portal.CaseUpdate{Priority: ptr(portal.RaisePriority(tx.Case().Priority))}, "First response target reached:"); err != nil {
						return err
					}
					return tx.Notify([]int64{agent2.ID}, "Case "+tx.Case().Number()+" needs a first response")
				})
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					fired++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if fired != 1 {
			t.Fatalf("fired %d times, want 1", fired)
		}
		if got := mustCase(t, s, cs.ID); got.Priority != portal.PriorityHigh {
			t.Fatalf("priority %s, want high", got.Priority)
		}
		ns, unread, err := s.FindStaffNotifications(ctx(), agent2.ID, 10)
		if err != nil || unread != 1 || len(ns) != 1 || *ns[0].CaseID != cs.ID {
			t.Fatalf("notifications %+v %d %v", ns, unread, err)
		}
		if err := s.MarkStaffNotificationsRead(ctx(), agent2.ID); err != nil {
			t.Fatal(err)
		}
		if _, unread, _ := s.FindStaffNotifications(ctx(), agent2.ID, 10); unread != 0 {
			t.Fatalf("unread %d after marking read", unread)
		}
		if ok, _ := s.ClaimJob(ctx(), "digest:2026-03-04", "a"); !ok {
			t.Fatal("first claim failed")
		}
		if ok, _ := s.ClaimJob(ctx(), "digest:2026-03-04", "b"); ok {
			t.Fatal("second claim succeeded")
		}
	})
}
