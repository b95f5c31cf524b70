package portal

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// OpeningHours is one open interval of a weekday, in minutes from local
// midnight: Open inclusive, Close exclusive (1440 = midnight at the end).
type OpeningHours struct {
	Weekday time.Weekday
	Open    int
	Close   int
}

// Calendar is a business-hours calendar: opening hours per weekday, whole
// holidays, in one time zone. Hours are wall-clock times, so a day that
// changes to or from daylight saving time keeps its 9 to 5.
type Calendar struct {
	ID       int64
	Name     string
	TimeZone string
	Hours    []OpeningHours
	// Holidays are local dates, YYYY-MM-DD.
	Holidays []string

	loc      *time.Location
	holidays map[string]bool
	byDay    [7][]OpeningHours
}

// Validate checks the calendar and prepares it for Add and Between.
func (c *Calendar) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return FieldError("name", "Name the calendar.")
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "" || strings.EqualFold(c.TimeZone, "local") {
		return FieldError("time_zone", "Choose a time zone such as Europe/Berlin.")
	}
	c.loc = loc
	c.byDay = [7][]OpeningHours{}
	if len(c.Hours) == 0 {
		return FieldError("hours", "Give the opening hours of at least one day.")
	}
	for _, h := range c.Hours {
		if h.Weekday < 0 || h.Weekday > 6 || h.Open < 0 || h.Close > 1440 || h.Open >= h.Close {
			return FieldError("hours", "Opening hours run from opening to closing time on one day.")
		}
		c.byDay[h.Weekday] = append(c.byDay[h.Weekday], h)
	}
	for d := range c.byDay {
		hs := c.byDay[d]
		sort.Slice(hs, func(i, j int) bool { return hs[i].Open < hs[j].Open })
		for i := 1; i < len(hs); i++ {
			if hs[i].Open < hs[i-1].Close {
				return FieldError("hours", "Opening hours of one day must not overlap.")
			}
		}
	}
	c.holidays = map[string]bool{}
	for _, h := range c.Holidays {
		if _, err := time.Parse("2006-01-02", h); err != nil {
			return FieldError("holidays", fmt.Sprintf("%q is not a date (YYYY-MM-DD).", h))
		}
		c.holidays[h] = true
	}
	sort.Strings(c.Holidays)
	return nil
}

// Location is the calendar's time zone (UTC before Validate).
func (c *Calendar) Location() *time.Location {
	if c.loc == nil {
		return time.UTC
	}
	return c.loc
}

// maxCalendarDays bounds a search through the calendar (ten years).
const maxCalendarDays = 3660

// intervals calls fn with each open interval, in time order, from the local
// day holding t on, until fn returns false.
func (c *Calendar) intervals(t time.Time, fn func(s, e time.Time) bool) {
	loc := c.Location()
	lt := t.In(loc)
	y, m, d := lt.Date()
	for i := 0; i < maxCalendarDays; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		if c.holidays[day.Format("2006-01-02")] {
			continue
		}
		dy, dm, dd := day.Date()
		for _, h := range c.byDay[day.Weekday()] {
			s := time.Date(dy, dm, dd, h.Open/60, h.Open%60, 0, 0, loc)
			e := time.Date(dy, dm, dd, h.Close/60, h.Close%60, 0, 0, loc)
			if !fn(s, e) {
				return
			}
		}
	}
}

// Add returns the moment d of business time after t. A calendar that is
// never open answers t plus ten years.
func (c *Calendar) Add(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	out := t.AddDate(10, 0, 0)
	left := d
	c.intervals(t, func(s, e time.Time) bool {
		if !e.After(t) {
			return true
		}
		if s.Before(t) {
			s = t
		}
		if avail := e.Sub(s); left <= avail {
			out = s.Add(left)
			return false
		} else {
			left -= avail
		}
		return true
	})
	return out.UTC()
}

// Between returns the business time from a to b (0 when b is not after a).
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	var sum time.Duration
	c.intervals(a, func(s, e time.Time) bool {
		if !s.Before(b) {
			return false
		}
		if s.Before(a) {
			s = a
		}
		if e.After(b) {
			e = b
		}
		if e.After(s) {
			sum += e.Sub(s)
		}
		return true
	})
	return sum
}

// SLAPolicy sets a priority's targets in business time on a calendar; a
// zero target means none. A policy with a Segment applies to the cases of
// the customers in that RFM segment (issue 17's customer analysis), in
// place of the priority's policy for everyone else.
type SLAPolicy struct {
	Priority string
	// Segment is "" for the default policy of the priority.
	Segment       string
	CalendarID    int64
	FirstResponse time.Duration
	NextResponse  time.Duration
	Resolution    time.Duration
}

// Validate checks a policy.
func (p *SLAPolicy) Validate() error {
	if !ValidPriority(p.Priority) {
		return FieldError("priority", "Choose a priority.")
	}
	p.Segment = strings.TrimSpace(p.Segment)
	if len(p.Segment) > 60 {
		return FieldError("segment", "Choose a customer segment.")
	}
	for _, d := range []time.Duration{p.FirstResponse, p.NextResponse, p.Resolution} {
		if d < 0 || d > 365*24*time.Hour {
			return FieldError("targets", "Targets are between 0 and a year of business time.")
		}
	}
	if p.CalendarID == 0 {
		return FieldError("calendar_id", "Choose a calendar.")
	}
	return nil
}

// SLASettings are the policies by priority and the calendars by id.
type SLASettings struct {
	// Policies are the default policies by priority.
	Policies map[string]SLAPolicy
	// Segments are the policies of customer segments: segment, then
	// priority. A priority a segment has no policy for uses the default.
	Segments  map[string]map[string]SLAPolicy
	Calendars map[int64]*Calendar
	// Generation counts the changes of policies and calendars; a case
	// records the generation its due times were computed under, so that
	// the open cases computed under an older one are found and brought up
	// to date.
	Generation int64
}

// SegmentPolicies lists the segment policies, by segment and priority.
func (s *SLASettings) SegmentPolicies() []SLAPolicy {
	var out []SLAPolicy
	if s == nil {
		return out
	}
	for _, m := range s.Segments {
		for _, p := range m {
			out = append(out, p)
		}
	}
	rank := map[string]int{}
	for i, p := range CasePriorities {
		rank[p] = i
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Segment != out[j].Segment {
			return out[i].Segment < out[j].Segment
		}
		return rank[out[i].Priority] < rank[out[j].Priority]
	})
	return out
}

// DefaultCalendar is the calendar of the normal priority's policy, else
// the calendar with the lowest id; nil when there is none.
func (s *SLASettings) DefaultCalendar() *Calendar {
	if s == nil {
		return nil
	}
	if p, ok := s.Policies[PriorityNormal]; ok && s.Calendars[p.CalendarID] != nil {
		return s.Calendars[p.CalendarID]
	}
	var out *Calendar
	for id, c := range s.Calendars {
		if out == nil || id < out.ID {
			out = c
		}
	}
	return out
}

// alwaysOpen is the calendar of a priority without policy.
var alwaysOpen = func() *Calendar {
	c := &Calendar{Name: "Always", TimeZone: "UTC"}
	for d := time.Sunday; d <= time.Saturday; d++ {
		c.Hours = append(c.Hours, OpeningHours{Weekday: d, Open: 0, Close: 1440})
	}
	_ = c.Validate()
	return c
}()

// For returns the default policy and calendar of a priority (no targets
// and an always-open calendar when there is none).
func (s *SLASettings) For(priority string) (SLAPolicy, *Calendar) {
	return s.ForSegment(priority, "")
}

// ForSegment returns the policy and calendar of a priority for a customer
// in segment: the segment's own policy when it has one for the priority,
// else the priority's default.
func (s *SLASettings) ForSegment(priority, segment string) (SLAPolicy, *Calendar) {
	if s == nil {
		return SLAPolicy{Priority: priority}, alwaysOpen
	}
	p, ok := s.Segments[segment][priority]
	if segment == "" || !ok {
		p, ok = s.Policies[priority]
	}
	if !ok {
		return SLAPolicy{Priority: priority}, alwaysOpen
	}
	if cal := s.Calendars[p.CalendarID]; cal != nil {
		return p, cal
	}
	return p, alwaysOpen
}

// Policy returns the policy and calendar that apply to the case: of its
// priority and its customer's segment.
func (c *Case) Policy(set *SLASettings) (SLAPolicy, *Calendar) {
	return set.ForSegment(c.Priority, c.Segment)
}

// slaRunning reports whether the clocks run in status s: not while the
// case waits on the customer (pending) or is done.
func slaRunning(s string) bool { return s == CaseNew || s == CaseOpen || s == CaseOnHold }

// StartSLA starts a new case's clocks at its CreatedAt.
func (c *Case) StartSLA(set *SLASettings) {
	t := c.CreatedAt
	c.SLASpent = 0
	c.SLASince = nil
	if slaRunning(c.Status) {
		c.SLASince = &t
	}
	c.RecomputeSLA(set)
}

// SetStatus changes the status at t, pausing the resolution clock when the
// case waits on the customer or is done and resuming it when it is worked
// again.
func (c *Case) SetStatus(status string, t time.Time, set *SLASettings) {
	_, cal := c.Policy(set)
	running := slaRunning(status)
	if c.SLASince != nil && !running {
		c.SLASpent += cal.Between(*c.SLASince, t)
		c.SLASince = nil
	} else if c.SLASince == nil && running {
		c.SLASince = &t
	}
	if status == CaseSolved || status == CaseClosed {
		if c.SolvedAt == nil {
			c.SolvedAt = &t
		}
	} else {
		c.SolvedAt = nil
	}
	c.Status = status
	c.RecomputeSLA(set)
}

// CustomerWrote records a customer's message at t: it reopens the case and
// starts the next-response clock (once there was a first response).
func (c *Case) CustomerWrote(t time.Time, set *SLASettings) {
	c.LastCustomerAt = &t
	if c.FirstResponseAt != nil && c.NextResponseFrom == nil {
		c.NextResponseFrom = &t
	}
	status := c.Status
	if status != CaseNew {
		status = CaseOpen
	}
	c.SetStatus(status, t, set)
}

// AgentReplied records an agent's reply at t: it meets the first and next
// response targets.
func (c *Case) AgentReplied(t time.Time, set *SLASettings) {
	c.LastAgentAt = &t
	if c.FirstResponseAt == nil {
		c.FirstResponseAt = &t
	}
	c.NextResponseFrom = nil
	c.RecomputeSLA(set)
}

// RecomputeSLA sets the due times from the clocks' state and the policy of
// the case's priority.
func (c *Case) RecomputeSLA(set *SLASettings) {
	pol, cal := c.Policy(set)
	c.FirstResponseDue, c.NextResponseDue, c.ResolutionDue, c.DueAt = nil, nil, nil, nil
	if !slaRunning(c.Status) {
		return
	}
	if c.FirstResponseAt == nil && pol.FirstResponse > 0 {
		c.FirstResponseDue = ptrTime(cal.Add(c.CreatedAt, pol.FirstResponse))
	}
	if c.NextResponseFrom != nil && pol.NextResponse > 0 {
		c.NextResponseDue = ptrTime(cal.Add(*c.NextResponseFrom, pol.NextResponse))
	}
	if c.SLASince != nil && pol.Resolution > 0 {
		c.ResolutionDue = ptrTime(cal.Add(*c.SLASince, pol.Resolution-c.SLASpent))
	}
	for _, d := range []*time.Time{c.FirstResponseDue, c.NextResponseDue, c.ResolutionDue} {
		if d != nil && (c.DueAt == nil || d.Before(*c.DueAt)) {
			c.DueAt = ptrTime(*d)
		}
	}
}

func ptrTime(t time.Time) *time.Time { t = t.UTC(); return &t }

// SLATrigger returns when the case reaches percent of the target of
// metric, and a key naming that target's instance (a next response
// target starts anew with each customer message); ok is false when the
// target does not run now.
func (c *Case) SLATrigger(set *SLASettings, metric string, percent int) (at time.Time, key string, ok bool) {
	pol, cal := c.Policy(set)
	share := func(d time.Duration) time.Duration { return d * time.Duration(percent) / 100 }
	switch metric {
	case MetricFirstResponse:
		if c.FirstResponseDue == nil {
			return time.Time{}, "", false
		}
		return cal.Add(c.CreatedAt, share(pol.FirstResponse)), "fr", true
	case MetricNextResponse:
		if c.NextResponseDue == nil || c.NextResponseFrom == nil {
			return time.Time{}, "", false
		}
		return cal.Add(*c.NextResponseFrom, share(pol.NextResponse)), fmt.Sprintf("nr%d", c.NextResponseFrom.Unix()), true
	case MetricResolution:
		if c.ResolutionDue == nil || c.SLASince == nil {
			return time.Time{}, "", false
		}
		return cal.Add(*c.SLASince, share(pol.Resolution)-c.SLASpent), "res", true
	}
	return time.Time{}, "", false
}

// SLAReached reports whether the case has used percent of the target of
// metric at now, with the key of that target's instance (see SLATrigger);
// ok is false when the target does not run. When not reached, next is
// the earliest moment it could be (business time runs no faster than the
// wall clock), for the next look. It looks only from now to the due time,
// so a case opened long ago costs no more than a new one.
func (c *Case) SLAReached(set *SLASettings, metric string, percent int, now time.Time) (key string, reached bool, next time.Time, ok bool) {
	pol, cal := c.Policy(set)
	var due *time.Time
	var target time.Duration
	switch metric {
	case MetricFirstResponse:
		due, target, key = c.FirstResponseDue, pol.FirstResponse, "fr"
	case MetricNextResponse:
		if c.NextResponseFrom != nil {
			due, target, key = c.NextResponseDue, pol.NextResponse, fmt.Sprintf("nr%d", c.NextResponseFrom.Unix())
		}
	case MetricResolution:
		due, target, key = c.ResolutionDue, pol.Resolution, "res"
	}
	if due == nil {
		return "", false, time.Time{}, false
	}
	if percent <= 100 {
		if !now.Before(*due) {
			return key, true, time.Time{}, true
		}
		// The due time lies inside an open interval, so business time
		// is left until it whenever now is before it.
		left, keep := cal.Between(now, *due), target*time.Duration(100-percent)/100
		if left <= keep {
			return key, true, time.Time{}, true
		}
		return key, false, now.Add(left - keep), true
	}
	after := target * time.Duration(percent-100) / 100
	if now.Before(due.Add(after)) {
		return key, false, due.Add(after), true
	}
	at := cal.Add(*due, after)
	return key, !at.After(now), at, true
}

// SLAState is what a person reads about a case's nearest target.
type SLAState struct {
	// Metric is the nearest running target ("" when none runs).
	Metric  string
	Due     time.Time
	Overdue bool
	// Left is the business time left (when not overdue), or the time
	// since the due time (when overdue).
	Left time.Duration
	// Soon is true when less than a quarter of the target is left.
	Soon bool
}

// Label is "2 h 10 min left", "Overdue by 35 min" or "".
func (s SLAState) Label() string {
	if s.Metric == "" {
		return ""
	}
	if s.Overdue {
		return "Overdue by " + HumanDuration(s.Left)
	}
	return HumanDuration(s.Left) + " left"
}

// MetricLabel names the target: "First response", "Next response", "Resolution".
func (s SLAState) MetricLabel() string { return Label(s.Metric) }

// SLAStateAt returns the state of the case's nearest target at now.
func (c *Case) SLAStateAt(now time.Time, set *SLASettings) SLAState {
	pol, cal := c.Policy(set)
	var st SLAState
	for _, m := range []struct {
		name   string
		due    *time.Time
		target time.Duration
	}{{MetricFirstResponse, c.FirstResponseDue, pol.FirstResponse}, {MetricNextResponse, c.NextResponseDue, pol.NextResponse}, {MetricResolution, c.ResolutionDue, pol.Resolution}} {
		if m.due == nil || (st.Metric != "" && !m.due.Before(st.Due)) {
			continue
		}
		st = SLAState{Metric: m.name, Due: *m.due}
		if now.After(*m.due) {
			st.Overdue, st.Left, st.Soon = true, now.Sub(*m.due), true
		} else {
			st.Left = cal.Between(now, *m.due)
			st.Soon = st.Left*4 < m.target
		}
	}
	return st
}

// HumanDuration words d as "3 d 2 h", "2 h 10 min" or "5 min".
func HumanDuration(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	m := int(d / time.Minute)
	days, hours, mins := m/1440, m/60%24, m%60
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%d d %d h", days, hours)
	case days > 0:
		return fmt.Sprintf("%d d", days)
	case hours > 0 && mins > 0:
		return fmt.Sprintf("%d h %d min", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%d h", hours)
	}
	return fmt.Sprintf("%d min", mins)
}
