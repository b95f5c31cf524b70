package analytics

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// berlin is Monday to Friday 9 to 17 in Berlin, with 9 March 2026 a holiday.
func berlin(t *testing.T) *portal.SLASettings {
	t.Helper()
	cal := &portal.Calendar{ID: 2, Name: "Berlin", TimeZone: "Europe/Berlin", Holidays: []string{"2026-03-09"}}
	for d := time.Monday; d <= time.Friday; d++ {
		cal.Hours = append(cal.Hours, portal.OpeningHours{Weekday: d, Open: 9 * 60, Close: 17 * 60})
	}
	if err := cal.Validate(); err != nil {
		t.Fatal(err)
	}
	return &portal.SLASettings{
		Policies:  map[string]portal.SLAPolicy{portal.PriorityNormal: {Priority: portal.PriorityNormal, CalendarID: 2, FirstResponse: time.Hour, Resolution: 8 * time.Hour}},
		Calendars: map[int64]*portal.Calendar{2: cal},
	}
}

func TestSummarizeCasesAcrossAWeekendAndAHoliday(t *testing.T) {
	set := berlin(t)
	if set.DefaultCalendar() == nil || set.DefaultCalendar().Name != "Berlin" {
		t.Fatalf("default calendar = %+v", set.DefaultCalendar())
	}
	loc := set.DefaultCalendar().Location()
	local := func(d, h, m int) *time.Time { x := time.Date(2026, 3, d, h, m, 0, 0, loc); return &x }
	cs := []portal.CaseStat{
		// Friday 16:30, answered Tuesday 9:20 (Monday is a holiday): 50
		// business minutes, within the hour; solved Tuesday 12:00 with
		// 3.5 business hours on the clock.
		{ID: 1, CreatedAt: *local(6, 16, 30), Channel: "email", Priority: "normal", Status: portal.CaseSolved,
			FirstResponseAt: local(10, 9, 20), SolvedAt: local(10, 12, 0), SLASpent: 3*time.Hour + 30*time.Minute},
		// Friday 10:00, answered 11:30: 90 minutes, late.
		{ID: 2, CreatedAt: *local(6, 10, 0), Channel: "portal", Priority: "normal", Status: portal.CaseOpen,
			FirstResponseAt: local(6, 11, 30), SLASince: local(6, 10, 0)},
		// A low-priority case has no policy: always-open clock, no targets.
		{ID: 3, CreatedAt: *local(6, 12, 0), Channel: "api", Priority: "low", Status: portal.CaseNew, SLASince: local(6, 12, 0)},
	}
	from := time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)
	// Wednesday 11 March, 9:00 UTC (10:00 in Berlin).
	now := time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)
	p := SummarizeCases(cs, from, from.AddDate(0, 0, 1), false, time.UTC, set, now)
	if p.Opened != 3 || p.Responded != 2 || p.FirstResponseMedian != 50*time.Minute || p.FirstResponseP90 != 90*time.Minute {
		t.Errorf("first responses: %+v", p)
	}
	if p.FirstResponseDecided != 2 || p.FirstResponseMet != 1 || p.FirstResponseAttainment() != 0.5 {
		t.Errorf("first-response SLA: %d of %d", p.FirstResponseMet, p.FirstResponseDecided)
	}
	// Case 1 took Friday 16:30-17:00 and Tuesday 9:00-12:00 to solve. Case
	// 2's 8 hours ran out on Tuesday (Friday 7 h, Tuesday 8 h).
	if p.Solved != 1 || p.ResolutionMedian != 3*time.Hour+30*time.Minute || p.ResolutionDecided != 2 || p.ResolutionMet != 1 {
		t.Errorf("resolution: solved %d median %v, %d of %d met", p.Solved, p.ResolutionMedian, p.ResolutionMet, p.ResolutionDecided)
	}
	// The chat's times in business hours on the same calendar: a chat
	// handed off Friday 16:55 Berlin and answered Tuesday 9:05 waited 10
	// minutes; closed Tuesday 9:30, it took 1 h 5 min since 16:25.
	chats := []portal.ConversationStat{{ID: 1, CreatedAt: *local(6, 16, 25), QueuedAt: local(6, 16, 55), FirstAgentAt: local(10, 9, 5), ClosedAt: local(10, 9, 30)}}
	s := SummarizeSupport(chats, from, from.AddDate(0, 0, 1), false, time.UTC, set.DefaultCalendar())
	if !s.BusinessHours || s.BusinessWaitMedian != 10*time.Minute || s.BusinessResolutionMedian != time.Hour+5*time.Minute {
		t.Errorf("chat in business hours: %v wait %v close %v", s.BusinessHours, s.BusinessWaitMedian, s.BusinessResolutionMedian)
	}
}
