package storetest

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
)

// testCaseStats builds four cases around a weekend on the default calendar
// (Monday to Friday 9 to 17 UTC; targets normal 8 h first response and
// 40 h resolution, urgent 30 min and 4 h) and checks the store's rows, its
// filters and the report's figures computed from them.
func testCaseStats(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	friday := time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)
	monday := friday.AddDate(0, 0, 3)
	at := func(tm time.Time) { c.t = tm }
	a := MustCreateUser(t, s, portal.RoleAgent, "a@example.com")
	b := MustCreateUser(t, s, portal.RoleAgent, "b@example.com")
	returns := &portal.Team{Name: "Returns", MemberIDs: []int64{a.ID}}
	billing := &portal.Team{Name: "Billing", MemberIDs: []int64{b.ID}}
	for _, tm := range []*portal.Team{returns, billing} {
		if err := s.SaveTeam(ctx(), tm); err != nil {
			t.Fatal(err)
		}
	}
	open1 := func(when time.Time, k *portal.Case) *portal.Case {
		t.Helper()
		at(when)
		k.Email, k.Body = "cus@example.com", "help"
		return MustCreateCase(t, s, k)
	}
	reply := func(when time.Time, k *portal.Case, by *portal.User, status string) {
		t.Helper()
		at(when)
		if _, err := s.AddCaseEntry(ctx(), &portal.CaseEntry{CaseID: k.ID, Kind: portal.EntryReply, Channel: portal.ChannelAgent, AuthorID: &by.ID, Body: "on it"}, status, nil); err != nil {
			t.Fatal(err)
		}
	}
	setStatus := func(when time.Time, k *portal.Case, status string) {
		t.Helper()
		at(when)
		if _, err := s.UpdateCase(ctx(), k.ID, portal.CaseUpdate{Status: &status}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	// K1 (contact form, normal, assigned to a): opened Friday 16:00,
	// answered Monday 10:00 (2 business hours across the weekend), solved
	// Monday 11:00 (3 business hours).
	k1 := open1(friday.Add(16*time.Hour), &portal.Case{Channel: portal.ChannelPortal, AssigneeID: &a.ID})
	// K2 (email, urgent, team billing): opened Friday 16:50, answered
	// Monday 9:21 (31 business minutes: late for a 30-minute target),
	// never solved.
	k2 := open1(friday.Add(16*time.Hour+50*time.Minute), &portal.Case{Channel: portal.ChannelEmail, Priority: portal.PriorityUrgent, TeamID: &billing.ID})
	// K3 (API, normal, assigned to b, no team): opened Friday 16:30, set
	// pending at 16:45 without an answer.
	k3 := open1(friday.Add(16*time.Hour+30*time.Minute), &portal.Case{Channel: portal.ChannelAPI, AssigneeID: &b.ID})
	setStatus(friday.Add(16*time.Hour+45*time.Minute), k3, portal.CasePending)
	// K4 (chat): a duplicate, merged into K3 on Tuesday.
	k4 := open1(friday.Add(17*time.Hour), &portal.Case{Channel: portal.ChannelChat})
	reply(monday.Add(9*time.Hour+21*time.Minute), k2, b, "")
	reply(monday.Add(10*time.Hour), k1, a, "")
	setStatus(monday.Add(11*time.Hour), k1, portal.CaseSolved)
	// K2's customer writes again on Monday at 9:30 and gets an answer at
	// 10:00 (30 business minutes: within urgent's 60), then at 15:00 and
	// gets none (due at 16:00: breached by Tuesday noon). A note in
	// between is no answer.
	write := func(when time.Time, k *portal.Case, kind string, by *portal.User) {
		t.Helper()
		at(when)
		e := &portal.CaseEntry{CaseID: k.ID, Kind: kind, Channel: portal.ChannelEmail, Body: "and?"}
		if by != nil {
			e.AuthorID, e.Channel = &by.ID, portal.ChannelAgent
		}
		if _, err := s.AddCaseEntry(ctx(), e, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	write(monday.Add(9*time.Hour+30*time.Minute), k2, portal.EntryCustomer, nil)
	write(monday.Add(9*time.Hour+40*time.Minute), k2, portal.EntryNote, b)
	write(monday.Add(10*time.Hour), k2, portal.EntryReply, b)
	write(monday.Add(15*time.Hour), k2, portal.EntryCustomer, nil)
	write(monday.Add(15*time.Hour+5*time.Minute), k2, portal.EntryCustomer, nil)
	// K1 is handed to b and K2 moves to team returns after they were
	// answered: the report still counts them for whoever replied first.
	if _, err := s.UpdateCase(ctx(), k1.ID, portal.CaseUpdate{AssigneeID: &b.ID}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateCase(ctx(), k2.ID, portal.CaseUpdate{TeamID: &returns.ID}, nil, nil); err != nil {
		t.Fatal(err)
	}
	// K5: the week after, outside the range.
	open1(monday.AddDate(0, 0, 7), &portal.Case{Channel: portal.ChannelPortal})
	at(monday.Add(24*time.Hour + 11*time.Hour))
	if err := s.MergeCase(ctx(), k4.ID, k3.ID, nil); err != nil {
		t.Fatal(err)
	}

	day := portal.SupportFilter{From: friday, To: friday.AddDate(0, 0, 1)}
	ids := func(f portal.SupportFilter) []int64 {
		t.Helper()
		rows, err := s.CaseStats(ctx(), f)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    func(f portal.SupportFilter) portal.SupportFilter
		want []int64
	}{
		{"all", func(f portal.SupportFilter) portal.SupportFilter { return f }, []int64{k1.ID, k2.ID, k3.ID, k4.ID}},
		{"email", func(f portal.SupportFilter) portal.SupportFilter { f.Channels = []string{"email"}; return f }, []int64{k2.ID}},
		{"portal and api", func(f portal.SupportFilter) portal.SupportFilter { f.Channels = []string{"portal", "api"}; return f }, []int64{k1.ID, k3.ID}},
		// Who replied first (a to K1, b to K2), or before a reply the
		// assignee (b has K3).
		{"agent a", func(f portal.SupportFilter) portal.SupportFilter { f.AgentID = a.ID; return f }, []int64{k1.ID}},
		{"agent b", func(f portal.SupportFilter) portal.SupportFilter { f.AgentID = b.ID; return f }, []int64{k2.ID, k3.ID}},
		// A team's members' first replies; before a reply the team's
		// cases and those with no team assigned to a member.
		{"team returns", func(f portal.SupportFilter) portal.SupportFilter { f.TeamID = returns.ID; return f }, []int64{k1.ID}},
		{"team billing", func(f portal.SupportFilter) portal.SupportFilter { f.TeamID = billing.ID; return f }, []int64{k2.ID, k3.ID}},
		{"team billing by email", func(f portal.SupportFilter) portal.SupportFilter {
			f.TeamID, f.Channels = billing.ID, []string{"email"}
			return f
		}, []int64{k2.ID}},
	} {
		if got := ids(tc.f(day)); !equalIDs(got, tc.want) {
			t.Errorf("%s: cases %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, err := s.CaseStats(ctx(), portal.SupportFilter{From: friday, To: friday}); portal.ErrorCode(err) != portal.EINVALID {
		t.Errorf("empty range: err = %v, want EINVALID", err)
	}

	rows, err := s.CaseStats(ctx(), day)
	if err != nil {
		t.Fatal(err)
	}
	r1 := rows[0]
	if r1.Channel != "portal" || r1.Priority != "normal" || r1.Status != portal.CaseSolved || r1.Merged || r1.FirstResponseAt == nil ||
		!r1.FirstResponseAt.Equal(monday.Add(10*time.Hour)) || r1.SolvedAt == nil || r1.SLASpent != 3*time.Hour {
		t.Errorf("solved case row = %+v", r1)
	}
	if w := rows[1].NextResponses; len(w) != 2 || !w[0].From.Equal(monday.Add(9*time.Hour+30*time.Minute)) || w[0].At == nil ||
		!w[0].At.Equal(monday.Add(10*time.Hour)) || !w[1].From.Equal(monday.Add(15*time.Hour)) || w[1].At != nil {
		t.Errorf("K2's next-response waits = %+v", w)
	}
	if len(r1.NextResponses) != 0 {
		t.Errorf("K1's next-response waits = %+v, want none", r1.NextResponses)
	}
	if !rows[3].Merged || rows[2].Status != portal.CasePending || rows[2].SLASpent != 15*time.Minute {
		t.Errorf("rows = %+v", rows)
	}

	// The report's figures on Tuesday at noon.
	set, err := s.SLASettings(ctx())
	if err != nil {
		t.Fatal(err)
	}
	p := analytics.SummarizeCases(rows, day.From, day.To, false, time.UTC, set, monday.Add(24*time.Hour+12*time.Hour))
	for _, x := range []struct {
		name      string
		got, want any
	}{
		{"opened", p.Opened, 4}, {"by channel", p.ByChannel, map[string]int{"portal": 1, "email": 1, "api": 1, "chat": 1}},
		{"responded", p.Responded, 2},
		// First responses: K2 31 min, K1 2 h (Friday 16-17 and Monday 9-10).
		{"first response median", p.FirstResponseMedian, 31 * time.Minute}, {"first response p90", p.FirstResponseP90, 2 * time.Hour},
		// K1 met its target; K2 was late; K3's passed unanswered on Monday 16:30.
		{"first response decided", p.FirstResponseDecided, 3}, {"first response met", p.FirstResponseMet, 1},
		{"solved", p.Solved, 1}, {"resolution median", p.ResolutionMedian, 3 * time.Hour},
		// K1 solved in 3 h of 40; K2's 4 h ran out on Monday; K3's clock
		// is paused at 15 minutes (undecided); K4 is merged.
		{"resolution decided", p.ResolutionDecided, 2}, {"resolution met", p.ResolutionMet, 1},
		{"bucket opened", p.Buckets[0].Opened, 4}, {"bucket first response breached", p.Buckets[0].FirstResponseBreached, 2},
		{"bucket first response median", p.Buckets[0].FirstResponseMedian, 31 * time.Minute},
		// K2's two waits: one answered in time, one breached; K3's
		// customer never wrote again.
		{"next response decided", p.NextResponseDecided, 2}, {"next response met", p.NextResponseMet, 1},
		{"bucket next response met", p.Buckets[0].NextResponseMet, 1}, {"bucket next response breached", p.Buckets[0].NextResponseBreached, 1},
	} {
		if !equalAny(x.got, x.want) {
			t.Errorf("%s = %v, want %v", x.name, x.got, x.want)
		}
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalAny(a, b any) bool {
	if m, ok := a.(map[string]int); ok {
		w := b.(map[string]int)
		if len(m) != len(w) {
			return false
		}
		for k, v := range m {
			if w[k] != v {
				return false
			}
		}
		return true
	}
	return a == b
}
