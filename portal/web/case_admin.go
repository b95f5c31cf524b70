package web

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// calendarDay is one weekday row of the calendar form.
type calendarDay struct {
	Weekday time.Weekday
	Name    string
	// Hours are the day's open intervals as the form shows them,
	// "09:00-12:00, 13:00-17:00"; "" when closed.
	Hours string
}

// calendarView is a calendar as the form shows it.
type calendarView struct {
	*portal.Calendar
	Days     []calendarDay
	Holidays string
}

// clockText words minutes from midnight as "09:30" (1440 as "24:00").
func clockText(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// parseDayHours reads a weekday's open intervals as the calendar form
// takes them: "09:00-12:00, 13:00-17:00" (also with "–" or " to "), ""
// for closed. Each interval starts before it ends and none overlaps
// another; the error says which.
func parseDayHours(d time.Weekday, v string) ([]portal.OpeningHours, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	bad := func(msg string) error { return portal.FieldError("hours", d.String()+": "+msg) }
	var out []portal.OpeningHours
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		norm := strings.NewReplacer("–", "-", "—", "-", " to ", "-").Replace(part)
		a, b, ok := strings.Cut(norm, "-")
		if !ok {
			return nil, bad(fmt.Sprintf("write %q as opening and closing time, like 09:00-17:00.", part))
		}
		open, ok1 := parseClock(a)
		cl, ok2 := parseClock(b)
		if !ok1 || !ok2 {
			return nil, bad(fmt.Sprintf("%q is not two times of day (HH:MM, 00:00 to 24:00).", part))
		}
		if open >= cl {
			return nil, bad(fmt.Sprintf("%s-%s ends before it starts; give hours past midnight on the next day.", clockText(open), clockText(cl)))
		}
		out = append(out, portal.OpeningHours{Weekday: d, Open: open, Close: cl})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Open < out[j].Open })
	for i := 1; i < len(out); i++ {
		if out[i].Open < out[i-1].Close {
			return nil, bad(fmt.Sprintf("%s-%s and %s-%s overlap.", clockText(out[i-1].Open), clockText(out[i-1].Close), clockText(out[i].Open), clockText(out[i].Close)))
		}
	}
	if len(out) > 12 {
		return nil, bad("at most 12 intervals a day.")
	}
	return out, nil
}

func newCalendarView(c *portal.Calendar) calendarView {
	v := calendarView{Calendar: c, Holidays: strings.Join(c.Holidays, "\n")}
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		day := calendarDay{Weekday: d, Name: d.String()}
		var hs []portal.OpeningHours
		for _, h := range c.Hours {
			if h.Weekday == d {
				hs = append(hs, h)
			}
		}
		sort.Slice(hs, func(i, j int) bool { return hs[i].Open < hs[j].Open })
		var parts []string
		for _, h := range hs {
			parts = append(parts, clockText(h.Open)+"-"+clockText(h.Close))
		}
		day.Hours = strings.Join(parts, ", ")
		v.Days = append(v.Days, day)
	}
	return v
}

// policyView is a priority's policy in minutes, as the form shows it.
type policyView struct {
	Priority                                string
	Segment                                 string
	CalendarID                              int64
	FirstResponse, NextResponse, Resolution int64
}

func newPolicyView(p portal.SLAPolicy) policyView {
	return policyView{p.Priority, p.Segment, p.CalendarID, int64(p.FirstResponse / time.Minute), int64(p.NextResponse / time.Minute), int64(p.Resolution / time.Minute)}
}

// validSegment reports whether seg names a segment of the customer analysis.
func validSegment(seg string) bool {
	for _, s := range analytics.Segments {
		if s == seg {
			return true
		}
	}
	return false
}

// handleCaseSettings shows the admin's case settings: SLA policies per
// priority, business-hours calendars, teams and escalation rules.
func (s *Server) handleCaseSettings(c *fiber.Ctx) error {
	ctx := c.UserContext()
	set, err := s.store.SLASettings(ctx)
	if err != nil {
		return err
	}
	var pols, segPols []policyView
	for _, p := range portal.CasePriorities {
		pol, _ := set.For(p)
		pol.Priority = p
		pols = append(pols, newPolicyView(pol))
	}
	for _, p := range set.SegmentPolicies() {
		segPols = append(segPols, newPolicyView(p))
	}
	left, open, err := s.cases.RecomputeProgress(ctx)
	if err != nil {
		return err
	}
	var cals []calendarView
	for _, c := range set.Calendars {
		cals = append(cals, newCalendarView(c))
	}
	sort.Slice(cals, func(i, j int) bool { return cals[i].ID < cals[j].ID })
	teams, err := s.store.FindTeams(ctx)
	if err != nil {
		return err
	}
	rules, err := s.store.FindEscalationRules(ctx)
	if err != nil {
		return err
	}
	staff, err := s.staffUsers(c)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, u := range staff {
		names[u.ID] = firstNonEmpty(u.Name, u.Email)
	}
	teamNames := map[int64]string{}
	for _, t := range teams {
		teamNames[t.ID] = t.Name
	}
	return s.render(c, fiber.StatusOK, "admin_cases", "Case settings", fiber.Map{
		"Policies": pols, "SegmentPolicies": segPols, "Segments": analytics.Segments, "Priorities": portal.CasePriorities,
		"Recompute": fiber.Map{"Left": left, "Open": open, "Done": open - left}, "Calendars": cals, "NewCalendar": newCalendarView(&portal.Calendar{TimeZone: "UTC"}), "Teams": teams, "Rules": rules,
		"Staff": staff, "Names": names, "TeamNames": teamNames,
		"Metrics": []string{portal.MetricFirstResponse, portal.MetricNextResponse, portal.MetricResolution},
		"Actions": []string{portal.ActionNotifyLead, portal.ActionRaisePriority, portal.ActionAssignTeam, portal.ActionAssignUser},
	})
}

const caseSettingsURL = "/admin/cases"

func formMinutes(c *fiber.Ctx, key string) (time.Duration, error) {
	v := strings.TrimSpace(c.FormValue(key))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, portal.FieldError(key, "Give targets in whole minutes, 0 for none.")
	}
	return time.Duration(n) * time.Minute, nil
}

// handleSLAPolicySave stores a priority's targets, for everyone or for a
// customer segment, and brings the open cases' due times up to date.
func (s *Server) handleSLAPolicySave(c *fiber.Ctx) error {
	p := portal.SLAPolicy{Priority: c.FormValue("priority"), Segment: c.FormValue("segment")}
	var err error
	if p.Segment != "" && !validSegment(p.Segment) {
		return s.backWithError(c, portal.FieldError("segment", "Choose a customer segment from the list."), caseSettingsURL)
	}
	cal, _ := strconv.ParseInt(c.FormValue("calendar"), 10, 64)
	p.CalendarID = cal
	if p.FirstResponse, err = formMinutes(c, "first_response"); err == nil {
		if p.NextResponse, err = formMinutes(c, "next_response"); err == nil {
			p.Resolution, err = formMinutes(c, "resolution")
		}
	}
	if err == nil {
		err = s.store.SaveSLAPolicy(c.UserContext(), p)
	}
	if err != nil {
		if portal.ErrorCode(err) == portal.ENOTFOUND {
			err = portal.FieldError("calendar", "Choose a calendar.")
		}
		return s.backWithError(c, err, caseSettingsURL)
	}
	who := ""
	if p.Segment != "" {
		who = " (" + p.Segment + ")"
	}
	s.audit(c, "sla.policy", "sla_policy", p.Priority, p.Segment)
	return s.slaChanged(c, "Targets for "+portal.Label(p.Priority)+who+" saved.")
}

// slaChanged brings the open cases' due times up to date after a change
// of targets or calendars (the rest in the background when there are
// many) and says so.
func (s *Server) slaChanged(c *fiber.Ctx, saved string) error {
	left, err := s.cases.SLAChanged(c.UserContext())
	if err != nil {
		return err
	}
	if left > 0 {
		saved += fmt.Sprintf(" The due times of %d open cases are being updated; this page shows the progress.", left)
	} else {
		saved += " Open cases' due times are up to date."
	}
	s.setFlash(c, "ok", saved)
	return c.Redirect(caseSettingsURL, fiber.StatusSeeOther)
}

// handleSLAPolicyDelete removes a segment's targets of a priority: its
// customers' cases take the priority's targets for everyone.
func (s *Server) handleSLAPolicyDelete(c *fiber.Ctx) error {
	priority, segment := c.FormValue("priority"), c.FormValue("segment")
	if !portal.ValidPriority(priority) || !validSegment(segment) {
		return s.backWithError(c, portal.FieldError("segment", "Choose a segment's targets to remove."), caseSettingsURL)
	}
	if err := s.store.DeleteSLAPolicy(c.UserContext(), priority, segment); err != nil {
		return s.backWithError(c, err, caseSettingsURL)
	}
	s.audit(c, "sla.policy.delete", "sla_policy", priority, segment)
	return s.slaChanged(c, "Targets for "+portal.Label(priority)+" ("+segment+") removed.")
}

func parseClock(v string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(v), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm != 0 {
		return 0, false
	}
	return hh*60 + mm, true
}

// handleCalendarSave creates or changes a calendar.
func (s *Server) handleCalendarSave(c *fiber.Ctx) error {
	cal := &portal.Calendar{Name: c.FormValue("name"), TimeZone: strings.TrimSpace(c.FormValue("time_zone"))}
	cal.ID, _ = strconv.ParseInt(c.FormValue("id"), 10, 64)
	for d := time.Sunday; d <= time.Saturday; d++ {
		v := c.FormValue(fmt.Sprintf("hours_%d", d))
		if ov, cv := strings.TrimSpace(c.FormValue(fmt.Sprintf("open_%d", d))), strings.TrimSpace(c.FormValue(fmt.Sprintf("close_%d", d))); v == "" && (ov != "" || cv != "") {
			v = ov + "-" + cv // the one-interval form of before
		}
		hs, err := parseDayHours(d, v)
		if err != nil {
			return s.backWithError(c, err, caseSettingsURL)
		}
		cal.Hours = append(cal.Hours, hs...)
	}
	for _, h := range strings.Fields(strings.ReplaceAll(c.FormValue("holidays"), ",", " ")) {
		cal.Holidays = append(cal.Holidays, h)
	}
	if err := s.store.SaveCalendar(c.UserContext(), cal); err != nil {
		return s.backWithError(c, err, caseSettingsURL)
	}
	s.audit(c, "sla.calendar", "sla_calendar", strconv.FormatInt(cal.ID, 10), cal.Name)
	return s.slaChanged(c, "Calendar "+cal.Name+" saved.")
}

// handleTeamSave creates or changes a team.
func (s *Server) handleTeamSave(c *fiber.Ctx) error {
	t := &portal.Team{Name: c.FormValue("name")}
	t.ID, _ = strconv.ParseInt(c.FormValue("id"), 10, 64)
	lead, err := optionalID(c.FormValue("lead"))
	if err != nil {
		return s.backWithError(c, portal.FieldError("lead", "Choose a lead."), caseSettingsURL)
	}
	if lead != nil && *lead != 0 {
		t.LeadID = lead
	}
	for _, v := range c.Request().PostArgs().PeekMulti("members") {
		id, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return s.backWithError(c, portal.FieldError("members", "Choose members from the list."), caseSettingsURL)
		}
		t.MemberIDs = append(t.MemberIDs, id)
	}
	if err := s.store.SaveTeam(c.UserContext(), t); err != nil {
		return s.backWithError(c, err, caseSettingsURL)
	}
	s.audit(c, "team.save", "team", strconv.FormatInt(t.ID, 10), t.Name)
	s.setFlash(c, "ok", "Team "+t.Name+" saved.")
	return c.Redirect(caseSettingsURL, fiber.StatusSeeOther)
}

// handleTeamDelete removes a team.
func (s *Server) handleTeamDelete(c *fiber.Ctx) error {
	id := caseIDParam(c)
	if err := s.store.DeleteTeam(c.UserContext(), id); err != nil {
		return err
	}
	s.audit(c, "team.delete", "team", strconv.FormatInt(id, 10), "")
	s.setFlash(c, "ok", "Team deleted.")
	return c.Redirect(caseSettingsURL, fiber.StatusSeeOther)
}

// handleRuleSave creates an escalation rule.
func (s *Server) handleRuleSave(c *fiber.Ctx) error {
	r := &portal.EscalationRule{Metric: c.FormValue("metric"), Action: c.FormValue("action"), Enabled: true}
	r.Percent, _ = strconv.Atoi(strings.TrimSpace(c.FormValue("percent")))
	var err error
	if r.Action == portal.ActionAssignTeam {
		if r.TeamID, err = optionalID(c.FormValue("team")); err != nil || r.TeamID != nil && *r.TeamID == 0 {
			r.TeamID = nil
		}
	}
	if r.Action == portal.ActionAssignUser {
		if r.UserID, err = optionalID(c.FormValue("user")); err != nil || r.UserID != nil && *r.UserID == 0 {
			r.UserID = nil
		}
	}
	if err := s.store.SaveEscalationRule(c.UserContext(), r); err != nil {
		return s.backWithError(c, err, caseSettingsURL)
	}
	s.audit(c, "escalation.save", "escalation_rule", strconv.FormatInt(r.ID, 10), "")
	s.setFlash(c, "ok", "Escalation rule added.")
	return c.Redirect(caseSettingsURL, fiber.StatusSeeOther)
}

// handleRuleDelete removes an escalation rule.
func (s *Server) handleRuleDelete(c *fiber.Ctx) error {
	id := caseIDParam(c)
	if err := s.store.DeleteEscalationRule(c.UserContext(), id); err != nil {
		return err
	}
	s.audit(c, "escalation.delete", "escalation_rule", strconv.FormatInt(id, 10), "")
	s.setFlash(c, "ok", "Escalation rule deleted.")
	return c.Redirect(caseSettingsURL, fiber.StatusSeeOther)
}
