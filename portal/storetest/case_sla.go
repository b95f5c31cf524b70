package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// testCaseSLASegments checks SLA targets per customer segment and that a
// change of targets, calendars or segments reaches the open cases' due
// times.
func testCaseSLASegments(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	bob := MustCreateUser(t, s, portal.RoleCustomer, "bob@example.com")
	agent := MustCreateUser(t, s, portal.RoleAgent, "agent@example.com")
	// Monday 2 March 2026, 09:00 UTC; the default calendar is Monday to
	// Friday 9 to 17 UTC, a normal case's first response 8 business hours.
	monday := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c.t = monday
	at := func(h, m int) time.Time { return monday.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	recomputeAll := func(t *testing.T) int {
		t.Helper()
		total := 0
		for {
			n, err := s.RecomputeSLA(ctx(), 2)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return total
			}
			total += n
		}
	}
	champions := portal.SLAPolicy{Priority: portal.PriorityNormal, Segment: "Champions", CalendarID: 1, FirstResponse: time.Hour, NextResponse: time.Hour, Resolution: 4 * time.Hour}
	if err := s.SaveSLAPolicy(ctx(), champions); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SaveCustomerSegments(ctx(), map[int64]string{ada.ID: "Champions", bob.ID: "Lost", 999999: "Loyal"}); err != nil || n != 3 {
		t.Fatalf("saved %d segments, %v; want 3 (an unknown customer is skipped, not an error)", n, err)
	}
	set, err := s.SLASettings(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := set.Segments["Champions"][portal.PriorityNormal]; !ok || p.FirstResponse != time.Hour || len(set.Policies) != 4 {
		t.Fatalf("settings %+v", set)
	}
	if p, _ := set.ForSegment(portal.PriorityHigh, "Champions"); p.Segment != "" || p.FirstResponse != 2*time.Hour {
		t.Fatalf("a priority without segment targets takes the default: %+v", p)
	}

	adaCase := MustCreateCase(t, s, &portal.Case{CustomerID: &ada.ID, Email: ada.Email, Body: "Where is my sofa?"})
	bobCase := MustCreateCase(t, s, &portal.Case{CustomerID: &bob.ID, Email: bob.Email, Body: "Where is my lamp?"})
	guest := MustCreateCase(t, s, &portal.Case{Email: "guest@example.com", Body: "Do you ship to Norway?"})
	t.Run("CreatedUnderTheCustomersSegment", func(t *testing.T) {
		got := mustCase(t, s, adaCase.ID)
		if got.Segment != "Champions" {
			t.Fatalf("segment %q, want Champions", got.Segment)
		}
		wantTime(t, "champion's first response due", got.FirstResponseDue, at(1, 0))
		wantTime(t, "champion's resolution due", got.ResolutionDue, at(4, 0))
		got = mustCase(t, s, bobCase.ID)
		if got.Segment != "Lost" {
			t.Fatalf("segment %q, want Lost", got.Segment)
		}
		wantTime(t, "default first response due", got.FirstResponseDue, at(8, 0))
		wantTime(t, "guest's first response due", mustCase(t, s, guest.ID).FirstResponseDue, at(8, 0))
		if left, _, err := s.SLARecomputeProgress(ctx()); err != nil || left != 0 {
			t.Fatalf("%d left to recompute, %v; want 0", left, err)
		}
	})

	t.Run("ChangedTargetsReachOpenCases", func(t *testing.T) {
		champions.FirstResponse = 30 * time.Minute
		if err := s.SaveSLAPolicy(ctx(), champions); err != nil {
			t.Fatal(err)
		}
		left, open, err := s.SLARecomputeProgress(ctx())
		if err != nil || left != 3 || open != 3 {
			t.Fatalf("progress %d of %d, %v; want 3 of 3", left, open, err)
		}
		before := mustCase(t, s, bobCase.ID)
		c.t = c.t.Add(time.Second)
		if n := recomputeAll(t); n != 3 {
			t.Fatalf("recomputed %d, want 3", n)
		}
		wantTime(t, "champion's first response due", mustCase(t, s, adaCase.ID).FirstResponseDue, at(0, 30))
		if after := mustCase(t, s, bobCase.ID); !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Fatal("a case whose due times did not move was marked changed")
		}
		if left, _, _ := s.SLARecomputeProgress(ctx()); left != 0 {
			t.Fatalf("%d left after the recompute", left)
		}
		// The escalation pass looks at the moved case again.
		sla, err := s.FindSLACases(ctx(), c.t)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, x := range sla {
			if x.ID == adaCase.ID {
				found = x.Segment == "Champions"
			}
		}
		if !found {
			t.Fatal("recomputed case not due an escalation check, or without its segment")
		}
	})

	t.Run("ChangedSegmentsReachOpenCases", func(t *testing.T) {
		if n, err := s.SaveCustomerSegments(ctx(), map[int64]string{ada.ID: "Loyal", bob.ID: "Champions"}); err != nil || n != 2 {
			t.Fatalf("changed %d, %v; want 2", n, err)
		}
		if n, err := s.SaveCustomerSegments(ctx(), map[int64]string{ada.ID: "Loyal", bob.ID: "Champions"}); err != nil || n != 0 {
			t.Fatalf("the same segments again changed %d, %v", n, err)
		}
		if left, _, _ := s.SLARecomputeProgress(ctx()); left != 2 {
			t.Fatalf("%d left, want the two cases of the customers who moved", left)
		}
		recomputeAll(t)
		got := mustCase(t, s, adaCase.ID)
		if got.Segment != "Loyal" {
			t.Fatalf("segment %q, want Loyal", got.Segment)
		}
		wantTime(t, "first response due after leaving Champions", got.FirstResponseDue, at(8, 0))
		got = mustCase(t, s, bobCase.ID)
		wantTime(t, "first response due as a champion", got.FirstResponseDue, at(0, 30))
		es, _ := s.FindCaseEntries(ctx(), bobCase.ID, true)
		if last := es[len(es)-1]; last.Kind != portal.EntryEvent || !strings.Contains(last.Body, "Lost → Champions") {
			t.Fatalf("history ends with %+v, want the segment change", last)
		}
	})

	t.Run("ACaseChangeTakesTheCurrentSegment", func(t *testing.T) {
		if _, err := s.SaveCustomerSegments(ctx(), map[int64]string{ada.ID: "Champions", bob.ID: "Champions"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddCaseEntry(ctx(), &portal.CaseEntry{CaseID: adaCase.ID, Kind: portal.EntryNote, AuthorID: &agent.ID, Body: "VIP"}, "", nil); err != nil {
			t.Fatal(err)
		}
		got := mustCase(t, s, adaCase.ID)
		if got.Segment != "Champions" {
			t.Fatalf("segment %q after a change, want Champions", got.Segment)
		}
		wantTime(t, "first response due", got.FirstResponseDue, at(0, 30))
		if left, _, _ := s.SLARecomputeProgress(ctx()); left != 0 {
			t.Fatalf("%d left; the change brought the case up to date", left)
		}
	})

	t.Run("ChangedCalendarReachesOpenCases", func(t *testing.T) {
		cal := set.Calendars[1]
		cal.Hours = nil
		for d := time.Monday; d <= time.Friday; d++ {
			cal.Hours = append(cal.Hours, portal.OpeningHours{Weekday: d, Open: 9 * 60, Close: 12 * 60}, portal.OpeningHours{Weekday: d, Open: 13 * 60, Close: 17 * 60})
		}
		if err := s.SaveCalendar(ctx(), cal); err != nil {
			t.Fatal(err)
		}
		recomputeAll(t)
		// 8 business hours from Monday 09:00 with a lunch break: 7 on
		// Monday, the 8th on Tuesday from 09:00.
		wantTime(t, "guest's first response due", mustCase(t, s, guest.ID).FirstResponseDue, at(25, 0))
	})

	t.Run("RemovedSegmentTargets", func(t *testing.T) {
		wantCode(t, s.DeleteSLAPolicy(ctx(), portal.PriorityNormal, ""), portal.EINVALID)
		wantCode(t, s.DeleteSLAPolicy(ctx(), portal.PriorityHigh, "Champions"), portal.ENOTFOUND)
		if err := s.DeleteSLAPolicy(ctx(), portal.PriorityNormal, "Champions"); err != nil {
			t.Fatal(err)
		}
		// Nodes recomputing at once share the work and each case is done once.
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n, err := s.RecomputeSLA(ctx(), 1)
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		if left, _, _ := s.SLARecomputeProgress(ctx()); left != 0 {
			t.Fatalf("%d left after concurrent recomputes", left)
		}
		wantTime(t, "first response due without segment targets", mustCase(t, s, bobCase.ID).FirstResponseDue, at(25, 0))
	})

	t.Run("DoneCasesAreLeftAlone", func(t *testing.T) {
		if _, err := s.UpdateCase(ctx(), guest.ID, portal.CaseUpdate{Status: ptr(portal.CaseSolved)}, agent, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSLAPolicy(ctx(), portal.SLAPolicy{Priority: portal.PriorityNormal, CalendarID: 1, FirstResponse: time.Hour}); err != nil {
			t.Fatal(err)
		}
		if left, open, _ := s.SLARecomputeProgress(ctx()); left != 2 || open != 2 {
			t.Fatalf("progress %d of %d, want 2 of 2 (the solved case is not recomputed)", left, open)
		}
		if n := recomputeAll(t); n != 2 {
			t.Fatalf("recomputed %d, want 2", n)
		}
		if got := mustCase(t, s, guest.ID); got.DueAt != nil {
			t.Fatalf("solved case has a due time %v", got.DueAt)
		}
	})
}

// testFireEscalations fires escalations in batches from racing callers
// with overlapping batches: every (case, key) acts exactly once, a case
// named twice in a batch sees the first action's change, and an action's
// failure leaves the whole batch unfired.
func testFireEscalations(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	var ids []int64
	for i := 0; i < 12; i++ {
		ids = append(ids, MustCreateCase(t, s, &portal.Case{Email: "esc@example.com", Body: "help"}).ID)
	}
	var fires []portal.EscalationFire
	for _, id := range ids {
		fires = append(fires, portal.EscalationFire{CaseID: id, Key: "r1:fr"}, portal.EscalationFire{CaseID: id, Key: "r2:fr"})
	}
	raise := func(i int, tx portal.CaseTx) error {
		return tx.Update(portal.CaseUpdate{Priority: ptr(portal.RaisePriority(tx.Case().Priority))}, "Automatic escalation:")
	}
	// A failing action: nothing of its batch fires.
	_, err := s.FireEscalations(ctx(), fires[:4], func(i int, tx portal.CaseTx) error {
		if i == 3 {
			return portal.Errorf(portal.EINVALID, "no")
		}
		return raise(i, tx)
	})
	wantCode(t, err, portal.EINVALID)
	if got := mustCase(t, s, ids[0]); got.Priority != portal.PriorityNormal {
		t.Fatalf("priority %s after a failed batch, want normal", got.Priority)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := map[portal.EscalationFire]int{}
	for w := 0; w < 4; w++ {
		// Each caller fires an overlapping window, in its own order.
		part := append([]portal.EscalationFire(nil), fires[w*4:]...)
		if w%2 == 1 {
			for i, j := 0, len(part)-1; i < j; i, j = i+1, j-1 {
				part[i], part[j] = part[j], part[i]
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fired, err := s.FireEscalations(ctx(), part, raise)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for i, ok := range fired {
				if ok {
					count[part[i]]++
				}
			}
		}()
	}
	wg.Wait()
	for _, f := range fires {
		if count[f] != 1 {
			t.Fatalf("%+v fired %d times, want once", f, count[f])
		}
	}
	// Both rules of a case acted, the second on the first's result.
	for _, id := range ids {
		if got := mustCase(t, s, id); got.Priority != portal.PriorityUrgent {
			t.Fatalf("case %d priority %s, want urgent (normal raised twice)", id, got.Priority)
		}
	}
	if fired, err := s.FireEscalations(ctx(), fires, raise); err != nil || len(fired) != len(fires) {
		t.Fatal(fired, err)
	} else {
		for i, ok := range fired {
			if ok {
				t.Fatalf("%+v fired again", fires[i])
			}
		}
	}
}
