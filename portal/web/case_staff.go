package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/casework"
	"github.com/gofiber/fiber/v2"
)

// casesPerPage is the length of a page of the staff's case views.
const casesPerPage = 25

// breachingWindow is how far ahead "breaching soon" looks.
const breachingWindow = 2 * time.Hour

// caseView is one of the staff's views: a name and its words.
type caseViewTab struct {
	Value   portal.CaseView
	Label   string
	Current bool
}

// caseListFilter builds the filter of a view, a search and the filters.
func (s *Server) caseListFilter(c *fiber.Ctx, view portal.CaseView) (portal.CaseFilter, error) {
	u := currentUser(c)
	f := portal.CaseFilter{Query: strings.TrimSpace(c.Query("q"))}
	switch view {
	case portal.ViewMine:
		f.AssigneeID, f.Statuses = &u.ID, portal.CaseActiveStatuses
	case portal.ViewUnassigned:
		f.Unassigned, f.Statuses = true, portal.CaseActiveStatuses
	case portal.ViewBreaching:
		due := s.now().Add(breachingWindow)
		f.DueBefore, f.Statuses = &due, portal.CaseActiveStatuses
	case portal.ViewOpen:
		f.Statuses = portal.CaseActiveStatuses
	case portal.ViewAll:
	default:
		return f, portal.Errorf(portal.EINVALID, "Unknown view.")
	}
	if st := c.Query("status"); st != "" {
		if !portal.ValidCaseStatus(st) {
			return f, portal.Errorf(portal.EINVALID, "Unknown status.")
		}
		f.Statuses = []string{st}
	}
	if p := c.Query("priority"); p != "" {
		if !portal.ValidPriority(p) {
			return f, portal.Errorf(portal.EINVALID, "Unknown priority.")
		}
		f.Priority = p
	}
	if t := c.Query("team"); t != "" {
		id, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return f, portal.Errorf(portal.EINVALID, "Unknown team.")
		}
		f.TeamID = &id
	}
	f.Tag = strings.ToLower(strings.TrimSpace(c.Query("tag")))
	return f, nil
}

// handleCaseList shows a view of the cases (mine, unassigned, breaching
// soon, all open, all), searchable, with each case's SLA state.
func (s *Server) handleCaseList(c *fiber.Ctx) error {
	ctx := c.UserContext()
	view := portal.CaseView(c.Query("view", string(portal.ViewOpen)))
	f, err := s.caseListFilter(c, view)
	if err != nil {
		return err
	}
	page := pageParam(c)
	f.Limit, f.Offset = casesPerPage, (page-1)*casesPerPage
	cases, total, err := s.store.FindCases(ctx, f)
	if err != nil {
		return err
	}
	set, err := s.store.SLASettings(ctx)
	if err != nil {
		return err
	}
	staff, err := s.staffUsers(c)
	if err != nil {
		return err
	}
	teams, err := s.store.FindTeams(ctx)
	if err != nil {
		return err
	}
	_, unread, err := s.store.FindStaffNotifications(ctx, currentUser(c).ID, 1)
	if err != nil {
		return err
	}
	var tabs []caseViewTab
	for _, v := range []caseViewTab{{portal.ViewMine, "Mine", false}, {portal.ViewUnassigned, "Unassigned", false}, {portal.ViewBreaching, "Breaching soon", false}, {portal.ViewOpen, "All open", false}, {portal.ViewAll, "All", false}} {
		v.Current = v.Value == view
		tabs = append(tabs, v)
	}
	return s.render(c, fiber.StatusOK, "agent_cases", "Cases", fiber.Map{
		"Rows": caseRows(cases, s.now(), set), "Total": total, "Tabs": tabs, "View": view, "Q": f.Query,
		"Status": c.Query("status"), "Priority": c.Query("priority"), "Tag": f.Tag, "Team": c.Query("team"),
		"Statuses": portal.CaseStatuses, "Priorities": portal.CasePriorities, "Staff": staff, "Teams": teams,
		"Pager": newPager(c, page, casesPerPage, total), "Unread": unread, "Back": c.OriginalURL(),
	})
}

// handleCaseStaffView shows a case to staff: the whole thread with notes
// and history, the SLA state, and the forms to work it.
func (s *Server) handleCaseStaffView(c *fiber.Ctx) error {
	ctx := c.UserContext()
	cs, err := s.store.FindCase(ctx, caseIDParam(c))
	if err != nil {
		return err
	}
	entries, err := s.store.FindCaseEntries(ctx, cs.ID, true)
	if err != nil {
		return err
	}
	set, err := s.store.SLASettings(ctx)
	if err != nil {
		return err
	}
	staff, err := s.staffUsers(c)
	if err != nil {
		return err
	}
	teams, err := s.store.FindTeams(ctx)
	if err != nil {
		return err
	}
	pol, _ := cs.Policy(set)
	return s.render(c, fiber.StatusOK, "agent_case", "Case "+cs.Number(), fiber.Map{
		"Row": caseRow{Case: cs, SLA: cs.SLAStateAt(s.now(), set)}, "Entries": entries, "Staff": staff, "Teams": teams,
		"Statuses": portal.CaseStatuses, "Priorities": portal.CasePriorities, "Policy": pol, "Tags": strings.Join(cs.Tags, ", "),
		"Files": s.cfg.Attachments != nil,
	})
}

func caseURL(id int64) string { return "/agent/cases/" + strconv.FormatInt(id, 10) }

// handleCaseReply sends an agent's answer to the customer by email and
// keeps it in the case; the status may change with it.
func (s *Server) handleCaseReply(c *fiber.Ctx) error {
	id := caseIDParam(c)
	u := currentUser(c)
	atts, err := s.caseUploads(c)
	if err != nil {
		return s.backWithError(c, err, caseURL(id))
	}
	// The files are recorded with the reply and sent with its email.
	cs, _, err := s.cases.Reply(c.UserContext(), u, id, c.FormValue("body"), c.FormValue("status"), atts)
	if err != nil {
		return s.backWithError(c, err, caseURL(id))
	}
	s.audit(c, "case.reply", "case", strconv.FormatInt(cs.ID, 10), "")
	s.setFlash(c, "ok", "Reply sent to "+cs.Email+".")
	return c.Redirect(caseURL(cs.ID), fiber.StatusSeeOther)
}

// handleCaseNote adds an internal note.
func (s *Server) handleCaseNote(c *fiber.Ctx) error {
	id := caseIDParam(c)
	u := currentUser(c)
	_, err := s.store.AddCaseEntry(c.UserContext(), &portal.CaseEntry{CaseID: id, Kind: portal.EntryNote, Channel: portal.ChannelAgent, AuthorID: &u.ID, AuthorName: u.Name, Body: c.FormValue("body")}, "", nil)
	if err != nil {
		return s.backWithError(c, err, caseURL(id))
	}
	s.setFlash(c, "ok", "Note added.")
	return c.Redirect(caseURL(id), fiber.StatusSeeOther)
}

// caseUpdateForm reads the fields of a properties or bulk form; empty
// fields change nothing.
func caseUpdateForm(c *fiber.Ctx) (portal.CaseUpdate, error) {
	var u portal.CaseUpdate
	if v := c.FormValue("status"); v != "" {
		u.Status = &v
	}
	if v := c.FormValue("priority"); v != "" {
		u.Priority = &v
	}
	var err error
	if u.AssigneeID, err = optionalID(c.FormValue("assignee")); err != nil {
		return u, portal.FieldError("assignee", "Choose a member of staff.")
	}
	if u.TeamID, err = optionalID(c.FormValue("team")); err != nil {
		return u, portal.FieldError("team", "Choose a team.")
	}
	if c.Request().PostArgs().Has("tags") {
		tags, err := portal.ParseTags(c.FormValue("tags"))
		if err != nil {
			return u, err
		}
		u.Tags = &tags
	}
	if v := strings.TrimSpace(c.FormValue("add_tag")); v != "" {
		tags, err := portal.ParseTags(v)
		if err != nil {
			return u, err
		}
		u.AddTags = tags
	}
	if v := strings.TrimSpace(c.FormValue("remove_tag")); v != "" {
		u.RemoveTags = strings.Fields(strings.ReplaceAll(v, ",", " "))
	}
	if c.Request().PostArgs().Has("subject") {
		v := c.FormValue("subject")
		u.Subject = &v
	}
	return u, nil
}

// handleCaseUpdate changes a case's status, priority, assignee, team,
// tags or subject.
func (s *Server) handleCaseUpdate(c *fiber.Ctx) error {
	id := caseIDParam(c)
	upd, err := caseUpdateForm(c)
	if err != nil {
		return s.backWithError(c, err, caseURL(id))
	}
	if _, err := s.store.UpdateCase(c.UserContext(), id, upd, currentUser(c), nil); err != nil {
		return s.backWithError(c, err, caseURL(id))
	}
	s.audit(c, "case.update", "case", strconv.FormatInt(id, 10), "")
	s.setFlash(c, "ok", "Case updated.")
	return c.Redirect(caseURL(id), fiber.StatusSeeOther)
}

// handleCaseBulk applies one change to the chosen cases of a view.
func (s *Server) handleCaseBulk(c *fiber.Ctx) error {
	back := c.FormValue("back")
	if !strings.HasPrefix(back, "/agent/cases") {
		back = "/agent/cases"
	}
	var ids []int64
	for _, v := range c.Request().PostArgs().PeekMulti("ids") {
		id, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return s.backWithError(c, portal.Errorf(portal.EINVALID, "Choose cases from the list."), back)
		}
		ids = append(ids, id)
	}
	upd, err := caseUpdateForm(c)
	if err != nil {
		return s.backWithError(c, err, back)
	}
	if upd.Status == nil && upd.Priority == nil && upd.AssigneeID == nil && upd.TeamID == nil && len(upd.AddTags) == 0 && len(upd.RemoveTags) == 0 {
		return s.backWithError(c, portal.Errorf(portal.EINVALID, "Choose a change to make."), back)
	}
	n, err := s.store.BulkUpdateCases(c.UserContext(), ids, upd, currentUser(c))
	if err != nil {
		if portal.ErrorCode(err) == portal.ENOTFOUND {
			err = portal.Errorf(portal.EINVALID, "A chosen case no longer exists; nothing was changed.")
		}
		return s.backWithError(c, err, back)
	}
	s.audit(c, "case.bulk", "case", "", fmt.Sprintf("%d cases", n))
	s.setFlash(c, "ok", fmt.Sprintf("%d %s changed.", n, pluralWord(n, "case", "cases")))
	return c.Redirect(back, fiber.StatusSeeOther)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// handleCaseMerge merges this case into another (by number).
func (s *Server) handleCaseMerge(c *fiber.Ctx) error {
	id := caseIDParam(c)
	into, ok := portal.ParseCaseNumber(c.FormValue("into"))
	if !ok {
		return s.backWithError(c, portal.FieldError("into", "Give the number of the case to merge into, like C-000123."), caseURL(id))
	}
	if err := s.store.MergeCase(c.UserContext(), id, into, currentUser(c)); err != nil {
		if portal.ErrorCode(err) == portal.ENOTFOUND {
			return err
		}
		return s.backWithError(c, err, caseURL(id))
	}
	s.audit(c, "case.merge", "case", strconv.FormatInt(id, 10), strconv.FormatInt(into, 10))
	s.setFlash(c, "ok", "Merged.")
	return c.Redirect(caseURL(into), fiber.StatusSeeOther)
}

// handleChatToCase turns a chat into a case assigned to the agent, with
// the transcript, the customer and (for a guest) the address given.
func (s *Server) handleChatToCase(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := currentUser(c)
	conv, err := s.store.FindConversation(ctx, caseIDParam(c))
	if err != nil {
		return err
	}
	back := "/agent/history/" + strconv.FormatInt(conv.ID, 10)
	msgs, err := s.store.FindMessages(ctx, conv.ID, 0, true, maxTranscript)
	if err != nil {
		return err
	}
	var transcript, said strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&transcript, "[%s] %s: %s\n", m.CreatedAt.Format(time.RFC3339), portal.Label(m.Author), m.Body)
		if m.Author == portal.AuthorCustomer && said.Len() < 4000 {
			said.WriteString(m.Body + "\n")
		}
	}
	cs := &portal.Case{Channel: portal.ChannelChat, ConversationID: &conv.ID, AssigneeID: &u.ID, Subject: conv.Subject, Transcript: transcript.String(),
		Email: strings.TrimSpace(c.FormValue("email")), Body: strings.TrimSpace(c.FormValue("body"))}
	verified := false
	if conv.CustomerID != nil {
		cust, err := s.store.FindUserByID(ctx, *conv.CustomerID)
		if err != nil {
			return err
		}
		cs.CustomerID, cs.Email, cs.Name, verified = &cust.ID, cust.Email, cust.Name, true
	}
	if cs.Email == "" {
		return s.backWithError(c, portal.FieldError("email", "This chat's customer is a guest: give the address to answer to."), back)
	}
	if cs.Body == "" {
		cs.Body = strings.TrimSpace(said.String())
	}
	if cs.Body == "" {
		cs.Body = "Follow-up of chat " + strconv.FormatInt(conv.ID, 10) + "."
	}
	if len(cs.Body) > portal.MaxCaseTextLen {
		cs.Body = strings.ToValidUTF8(cs.Body[:portal.MaxCaseTextLen], "")
	}
	if cs.Subject == "" {
		cs.Subject = portal.Excerpt(cs.Body, 80)
	}
	if err := s.cases.Open(ctx, cs, nil, verified); err != nil {
		return s.backWithError(c, err, back)
	}
	s.audit(c, "case.from_chat", "case", strconv.FormatInt(cs.ID, 10), strconv.FormatInt(conv.ID, 10))
	s.setFlash(c, "ok", "Case "+cs.Number()+" opened from the chat and assigned to you.")
	return c.Redirect(caseURL(cs.ID), fiber.StatusSeeOther)
}

// handleStaffAlerts lists the signed-in member of staff's alerts.
func (s *Server) handleStaffAlerts(c *fiber.Ctx) error {
	ns, unread, err := s.store.FindStaffNotifications(c.UserContext(), currentUser(c).ID, 50)
	if err != nil {
		return err
	}
	if c.Query("format") == "json" {
		type item struct {
			ID     int64     `json:"id"`
			CaseID *int64    `json:"case_id,omitempty"`
			Body   string    `json:"body"`
			At     time.Time `json:"at"`
			Unread bool      `json:"unread"`
		}
		items := []item{}
		for _, n := range ns {
			items = append(items, item{n.ID, n.CaseID, n.Body, n.CreatedAt, n.ReadAt == nil})
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(fiber.Map{"unread": unread, "alerts": items})
	}
	return s.render(c, fiber.StatusOK, "agent_alerts", "Alerts", fiber.Map{"Alerts": ns, "Unread": unread})
}

// handleStaffAlertsRead marks the alerts read.
func (s *Server) handleStaffAlertsRead(c *fiber.Ctx) error {
	u := currentUser(c)
	if err := s.store.MarkStaffNotificationsRead(c.UserContext(), u.ID); err != nil {
		return err
	}
	// The agent's consoles (on every node) show the count again: none.
	b, _ := json.Marshal(casework.Alert{UserIDs: []int64{u.ID}})
	if err := s.bus.Publish(c.UserContext(), casework.AlertTopic, b); err != nil {
		s.log.Warn("publish alerts read", "err", err)
	}
	return c.Redirect("/agent/alerts", fiber.StatusSeeOther)
}
