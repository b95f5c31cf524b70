package portal

import (
	"testing"
	"time"
)

func mustCalendar(t *testing.T, tz string, hours []OpeningHours, holidays ...string) *Calendar {
	t.Helper()
	c := &Calendar{Name: tz, TimeZone: tz, Hours: hours, Holidays: holidays}
	if err := c.Validate(); err != nil {
		t.Fatalf("calendar %s: %v", tz, err)
	}
	return c
}

func weekdays(open, close int) []OpeningHours {
	var hs []OpeningHours
	for d := time.Monday; d <= time.Friday; d++ {
		hs = append(hs, OpeningHours{Weekday: d, Open: open, Close: close})
	}
	return hs
}

func at(t *testing.T, tz, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCalendarAdd(t *testing.T) {
	berlin := mustCalendar(t, "Europe/Berlin", weekdays(9*60, 17*60), "2026-12-25", "2026-12-28")
	ny := mustCalendar(t, "America/New_York", weekdays(9*60, 17*60))
	night := mustCalendar(t, "UTC", []OpeningHours{
		{Weekday: time.Monday, Open: 22 * 60, Close: 1440}, {Weekday: time.Tuesday, Open: 0, Close: 6 * 60},
	})
	split := mustCalendar(t, "UTC", []OpeningHours{{Weekday: time.Monday, Open: 14 * 60, Close: 18 * 60}, {Weekday: time.Monday, Open: 8 * 60, Close: 12 * 60}})
	for _, tc := range []struct {
		name  string
		cal   *Calendar
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"within the day", berlin, at(t, "Europe/Berlin", "2026-03-02 10:00"), 2 * time.Hour, at(t, "Europe/Berlin", "2026-03-02 12:00")},
		{"crosses midnight into the next morning", berlin, at(t, "Europe/Berlin", "2026-03-02 16:00"), 2 * time.Hour, at(t, "Europe/Berlin", "2026-03-03 10:00")},
		{"before opening starts at opening", berlin, at(t, "Europe/Berlin", "2026-03-02 06:00"), time.Hour, at(t, "Europe/Berlin", "2026-03-02 10:00")},
		{"Friday afternoon crosses the weekend", berlin, at(t, "Europe/Berlin", "2026-03-06 16:00"), 3 * time.Hour, at(t, "Europe/Berlin", "2026-03-09 11:00")},
		{"Saturday starts on Monday", berlin, at(t, "Europe/Berlin", "2026-03-07 12:00"), 30 * time.Minute, at(t, "Europe/Berlin", "2026-03-09 09:30")},
		{"exactly at closing ends at closing", berlin, at(t, "Europe/Berlin", "2026-03-02 09:00"), 8 * time.Hour, at(t, "Europe/Berlin", "2026-03-02 17:00")},
		// Clocks go forward on Sunday 29 March 2026 in Berlin: Monday
		// still opens at 9 local, which is 7 UTC, not 8.
		{"over the spring DST change", berlin, at(t, "Europe/Berlin", "2026-03-27 16:00"), 2 * time.Hour, time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)},
		// Clocks go back on Sunday 25 October 2026.
		{"over the autumn DST change", berlin, at(t, "Europe/Berlin", "2026-10-23 16:00"), 2 * time.Hour, time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC)},
		{"holidays are skipped", berlin, at(t, "Europe/Berlin", "2026-12-24 16:00"), 2 * time.Hour, at(t, "Europe/Berlin", "2026-12-29 10:00")},
		{"New York 9 to 5 from a Berlin morning", ny, at(t, "Europe/Berlin", "2026-03-02 10:00"), time.Hour, at(t, "America/New_York", "2026-03-02 10:00")},
		// The US changes on 8 March 2026, Europe three weeks later: New
		// York's 9:00 is 13:00 UTC on the 9th.
		{"New York after its own DST change", ny, at(t, "America/New_York", "2026-03-06 16:30"), time.Hour, time.Date(2026, 3, 9, 13, 30, 0, 0, time.UTC)},
		{"night shift across midnight", night, time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC), 3 * time.Hour, time.Date(2026, 3, 3, 2, 0, 0, 0, time.UTC)},
		{"two intervals in a day", split, time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC), 2 * time.Hour, time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)},
		{"zero target is now", berlin, at(t, "Europe/Berlin", "2026-03-07 12:00"), 0, at(t, "Europe/Berlin", "2026-03-07 12:00")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cal.Add(tc.start, tc.d); !got.Equal(tc.want) {
				t.Fatalf("Add(%v, %v)=%v, want %v", tc.start, tc.d, got, tc.want.UTC())
			}
			if tc.d > 0 {
				if got := tc.cal.Between(tc.start, tc.want); got != tc.d {
					t.Fatalf("Between(%v, %v)=%v, want %v", tc.start, tc.want, got, tc.d)
				}
			}
		})
	}
}

func TestCalendarValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Calendar
	}{
		{"no name", Calendar{TimeZone: "UTC", Hours: weekdays(0, 60)}},
		{"unknown zone", Calendar{Name: "x", TimeZone: "Mars/Base", Hours: weekdays(0, 60)}},
		{"no hours", Calendar{Name: "x", TimeZone: "UTC"}},
		{"closing before opening", Calendar{Name: "x", TimeZone: "UTC", Hours: weekdays(600, 500)}},
		{"past midnight", Calendar{Name: "x", TimeZone: "UTC", Hours: weekdays(600, 1500)}},
		{"overlapping", Calendar{Name: "x", TimeZone: "UTC", Hours: []OpeningHours{{1, 0, 600}, {1, 500, 700}}}},
		{"bad holiday", Calendar{Name: "x", TimeZone: "UTC", Hours: weekdays(0, 60), Holidays: []string{"24.12.2026"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorCode(tc.c.Validate()); got != EINVALID {
				t.Fatalf("code=%q, want invalid", got)
			}
		})
	}
}

// TestCaseClock walks a case through its life on a Berlin calendar with an
// 8 h first response, 4 h next response and 16 h resolution target.
func TestCaseClock(t *testing.T) {
	berlin := mustCalendar(t, "Europe/Berlin", weekdays(9*60, 17*60), "2026-03-04")
	berlin.ID = 1
	set := &SLASettings{
		Policies:  map[string]SLAPolicy{PriorityNormal: {Priority: PriorityNormal, CalendarID: 1, FirstResponse: 8 * time.Hour, NextResponse: 4 * time.Hour, Resolution: 16 * time.Hour}},
		Calendars: map[int64]*Calendar{1: berlin},
	}
	b := func(s string) time.Time { return at(t, "Europe/Berlin", s) }
	c := &Case{Status: CaseNew, Priority: PriorityNormal, CreatedAt: b("2026-03-02 15:00")} // Monday
	c.StartSLA(set)
	steps := []struct {
		name                      string
		do                        func()
		firstDue, nextDue, resDue string // "" = none
		spent                     time.Duration
		status                    string
	}{
		{"new", func() {}, "2026-03-03 15:00", "", "2026-03-05 15:00", 0, CaseNew},
		{"agent replies and waits on the customer: paused", func() {
			c.AgentReplied(b("2026-03-02 16:00"), set)
			c.SetStatus(CasePending, b("2026-03-02 16:00"), set)
		}, "", "", "", time.Hour, CasePending},
		// Tuesday 10:00: 15 h left; Wednesday is a holiday.
		{"customer answers: resumes, next response runs", func() { c.CustomerWrote(b("2026-03-03 10:00"), set) },
			"", "2026-03-03 14:00", "2026-03-05 17:00", time.Hour, CaseOpen},
		{"on hold keeps the clock running", func() { c.SetStatus(CaseOnHold, b("2026-03-03 11:00"), set) },
			"", "2026-03-03 14:00", "2026-03-05 17:00", time.Hour, CaseOnHold},
		{"solved stops every clock", func() { c.SetStatus(CaseSolved, b("2026-03-03 12:00"), set) },
			"", "", "", 3 * time.Hour, CaseSolved},
		// Reopened Friday 9:00 with 13 h left: Friday 8, Monday 5.
		{"customer reopens", func() { c.CustomerWrote(b("2026-03-06 09:00"), set) },
			"", "2026-03-03 14:00", "2026-03-09 14:00", 3 * time.Hour, CaseOpen},
	}
	for _, st := range steps {
		st.do()
		check := func(what string, got *time.Time, want string) {
			if want == "" {
				if got != nil {
					t.Fatalf("%s: %s=%v, want none", st.name, what, got)
				}
				return
			}
			if got == nil || !got.Equal(b(want)) {
				t.Fatalf("%s: %s=%v, want %s Berlin", st.name, what, got, want)
			}
		}
		check("first response due", c.FirstResponseDue, st.firstDue)
		check("next response due", c.NextResponseDue, st.nextDue)
		check("resolution due", c.ResolutionDue, st.resDue)
		if c.SLASpent != st.spent || c.Status != st.status {
			t.Fatalf("%s: spent=%v status=%s, want %v %s", st.name, c.SLASpent, c.Status, st.spent, st.status)
		}
	}
	// The next response started on Tuesday is overdue on Friday.
	s := c.SLAStateAt(b("2026-03-06 09:30"), set)
	if s.Metric != MetricNextResponse || !s.Overdue || s.Label() != "Overdue by 2 d 19 h" {
		t.Fatalf("state %+v %q", s, s.Label())
	}
	c.AgentReplied(b("2026-03-06 09:30"), set)
	s = c.SLAStateAt(b("2026-03-06 10:00"), set)
	if s.Metric != MetricResolution || s.Overdue || s.Left != 12*time.Hour || s.Label() != "12 h left" {
		t.Fatalf("state %+v %q", s, s.Label())
	}
	at80, key, ok := c.SLATrigger(set, MetricResolution, 80)
	// 80% of 16 h = 12.8 h, 3 h spent: 9.8 h from Friday 9:00 = Monday 10:48.
	if !ok || key != "res" || !at80.Equal(b("2026-03-09 10:48")) {
		t.Fatalf("trigger %v %q %v", at80, key, ok)
	}
}

// TestSLAReachedAgreesWithTrigger: the cheap check the escalation pass uses
// answers as the trigger time does, before and after it.
func TestSLAReachedAgreesWithTrigger(t *testing.T) {
	berlin := mustCalendar(t, "Europe/Berlin", weekdays(9*60, 17*60), "2026-03-04")
	berlin.ID = 1
	set := &SLASettings{
		Policies:  map[string]SLAPolicy{PriorityNormal: {Priority: PriorityNormal, CalendarID: 1, FirstResponse: 8 * time.Hour, NextResponse: 4 * time.Hour, Resolution: 16 * time.Hour}},
		Calendars: map[int64]*Calendar{1: berlin},
	}
	c := &Case{Status: CaseOpen, Priority: PriorityNormal, CreatedAt: at(t, "Europe/Berlin", "2026-03-02 15:00")}
	c.StartSLA(set)
	for _, metric := range []string{MetricFirstResponse, MetricResolution} {
		for _, p := range []int{25, 80, 100, 150} {
			trig, key, ok := c.SLATrigger(set, metric, p)
			if !ok {
				t.Fatalf("%s %d: no trigger", metric, p)
			}
			for _, d := range []time.Duration{-time.Minute, 0, time.Minute, 72 * time.Hour} {
				now := trig.Add(d)
				k, reached, next, ok := c.SLAReached(set, metric, p, now)
				if !reached && (next.After(trig) || !next.After(now)) {
					t.Fatalf("%s at %d%%: next look %v is not between now %v and the trigger %v", metric, p, next, now, trig)
				}
				if !ok || k != key || reached != (d >= 0) {
					t.Fatalf("%s at %d%%, trigger %v, now %v: reached=%v key=%q, want %v %q", metric, p, trig, now, reached, k, d >= 0, key)
				}
			}
		}
	}
}

// TestSegmentTargets checks which policy a case takes: its segment's for
// its priority when there is one, else the priority's default, in the
// calendar of the policy taken.
func TestSegmentTargets(t *testing.T) {
	berlin := mustCalendar(t, "Europe/Berlin", weekdays(9*60, 17*60))
	berlin.ID = 1
	sydney := mustCalendar(t, "Australia/Sydney", weekdays(8*60, 20*60))
	sydney.ID = 2
	set := &SLASettings{
		Policies: map[string]SLAPolicy{
			PriorityNormal: {Priority: PriorityNormal, CalendarID: 1, FirstResponse: 8 * time.Hour},
			PriorityHigh:   {Priority: PriorityHigh, CalendarID: 1, FirstResponse: 2 * time.Hour},
		},
		Segments: map[string]map[string]SLAPolicy{
			"Champions":       {PriorityNormal: {Priority: PriorityNormal, Segment: "Champions", CalendarID: 2, FirstResponse: time.Hour}},
			"Can't lose them": {PriorityHigh: {Priority: PriorityHigh, Segment: "Can't lose them", CalendarID: 1, FirstResponse: 30 * time.Minute}},
		},
		Calendars: map[int64]*Calendar{1: berlin, 2: sydney},
	}
	// Monday 2 March 2026, 10:00 in Berlin (09:00 UTC, 20:00 in Sydney).
	created := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, priority, segment string
		wantFirst               time.Duration
		wantDue                 time.Time
	}{
		{"segment with targets for the priority", PriorityNormal, "Champions", time.Hour, time.Date(2026, 3, 2, 22, 0, 0, 0, time.UTC)}, // Sydney opens Tuesday 08:00 (21:00 UTC Monday)
		{"segment without targets for the priority", PriorityHigh, "Champions", 2 * time.Hour, time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)},
		{"other segment's targets", PriorityHigh, "Can't lose them", 30 * time.Minute, time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)},
		{"no segment", PriorityNormal, "", 8 * time.Hour, time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)},
		{"segment with no targets at all", PriorityNormal, "Lost", 8 * time.Hour, time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)},
		{"priority without any policy", PriorityLow, "Champions", 0, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol, _ := set.ForSegment(tc.priority, tc.segment)
			if pol.FirstResponse != tc.wantFirst {
				t.Fatalf("first response target %v, want %v", pol.FirstResponse, tc.wantFirst)
			}
			c := &Case{Status: CaseNew, Priority: tc.priority, Segment: tc.segment, CreatedAt: created}
			c.StartSLA(set)
			if tc.wantDue.IsZero() {
				if c.FirstResponseDue != nil {
					t.Fatalf("first response due %v, want none", c.FirstResponseDue)
				}
				return
			}
			if c.FirstResponseDue == nil || !c.FirstResponseDue.Equal(tc.wantDue) {
				t.Fatalf("first response due %v, want %v", c.FirstResponseDue, tc.wantDue)
			}
		})
	}
	if got := set.SegmentPolicies(); len(got) != 2 || got[0].Segment != "Can't lose them" {
		t.Fatalf("segment policies %+v", got)
	}
}
