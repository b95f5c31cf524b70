// Package casework runs the case workflow around the store: opening a case
// with the customer's acknowledgement and the staff's alerts, replies both
// ways, and the background loop that evaluates SLA targets, fires
// escalation rules and sends the managers' daily digest. Every node runs
// the loop; each escalation and digest happens once across the nodes (the
// store's fire-once keys decide).
package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Store is what the workflow needs.
type Store interface {
	portal.CaseService
	FindUserByID(ctx context.Context, id int64) (*portal.User, error)
	FindUsers(ctx context.Context, f portal.UserFilter) ([]*portal.User, int, error)
}

// Config configures a Service. Zero values mean the documented defaults.
type Config struct {
	Store Store
	// BaseURL prefixes links in emails.
	BaseURL string
	// Node names this node in job claims.
	Node string
	// Interval between escalation passes; default 30s.
	Interval time.Duration
	// DigestHour is the UTC hour (0 to 23) after which the day's digest
	// is sent; nil means 7.
	DigestHour *int
	Logger     *slog.Logger
	Now        func() time.Time
	// SupportAddress (support@domain), when set, makes replies come from
	// the case's reply address support+<token>@domain with a stored
	// Message-ID and In-Reply-To and References naming the thread, so the
	// customer's answer by email comes back into the case.
	SupportAddress string
	// SenderName is the display name of replies' From.
	SenderName string
	// Bus, when set, carries each staff alert (AlertTopic) to the agent
	// consoles of every node once it is stored, and wakes every node's
	// loop to recompute due times after a change of SLA settings
	// (SLATopic).
	Bus portal.Bus
	// RecomputeBatch is how many cases one recompute transaction takes;
	// default 500.
	RecomputeBatch int
}

// AlertTopic is the bus topic of staff alerts: an Alert as JSON, published
// after the alert is stored, so a console that misses one finds it in the
// count it reads on connecting.
const AlertTopic = "staff_alert"

// Alert is a staff alert on the bus.
type Alert struct {
	UserIDs []int64 `json:"u"`
	CaseID  int64   `json:"c,omitempty"`
	Body    string  `json:"b"`
}

// notify stores an alert for users and announces it on the bus.
func (s *Service) notify(ctx context.Context, userIDs []int64, caseID *int64, body string) error {
	if len(userIDs) == 0 {
		return nil
	}
	if err := s.store.NotifyStaff(ctx, userIDs, caseID, body); err != nil {
		return err
	}
	s.announce(ctx, userIDs, caseID, body)
	return nil
}

// announce publishes stored alerts on the bus (best effort: the consoles
// read the count again when they connect).
func (s *Service) announce(ctx context.Context, userIDs []int64, caseID *int64, body string) {
	if s.cfg.Bus == nil || len(userIDs) == 0 {
		return
	}
	a := Alert{UserIDs: userIDs, Body: body}
	if caseID != nil {
		a.CaseID = *caseID
	}
	b, _ := json.Marshal(a)
	if err := s.cfg.Bus.Publish(ctx, AlertTopic, b); err != nil {
		s.log.Warn("publish staff alert", "err", err)
	}
}

// Service runs the case workflow.
type Service struct {
	cfg   Config
	store Store
	log   *slog.Logger
	now   func() time.Time

	// kick wakes the loop for a recompute of due times (settings or
	// segments changed).
	kick chan struct{}

	mu sync.Mutex
	// fired remembers, per case, the keys this node saw fired, so that a
	// pass does not try them again.
	fired map[int64]map[string]bool
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Interval == 0 {
		cfg.Interval = 30 * time.Second
	}
	if cfg.DigestHour == nil {
		h := 7
		cfg.DigestHour = &h
	}
	if cfg.RecomputeBatch <= 0 {
		cfg.RecomputeBatch = 500
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Service{cfg: cfg, store: cfg.Store, log: cfg.Logger, now: cfg.Now, fired: map[int64]map[string]bool{}, kick: make(chan struct{}, 1)}
}

// CaseURL is the customer's page of a case.
func (s *Service) CaseURL(c *portal.Case) string {
	return fmt.Sprintf("%s/account/cases/%d", s.cfg.BaseURL, c.ID)
}

// StaffURL is the staff's page of a case.
func (s *Service) StaffURL(c *portal.Case) string {
	return fmt.Sprintf("%s/agent/cases/%d", s.cfg.BaseURL, c.ID)
}

// recipients are the staff to alert about a case: the assignee, else the
// team's members, else every agent.
func (s *Service) recipients(ctx context.Context, c *portal.Case) ([]*portal.User, error) {
	if c.AssigneeID != nil {
		u, err := s.store.FindUserByID(ctx, *c.AssigneeID)
		if err != nil {
			return nil, err
		}
		return []*portal.User{u}, nil
	}
	if c.TeamID != nil {
		teams, err := s.store.FindTeams(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range teams {
			if t.ID != *c.TeamID {
				continue
			}
			var out []*portal.User
			for _, id := range t.MemberIDs {
				if u, err := s.store.FindUserByID(ctx, id); err == nil && u.DisabledAt == nil {
					out = append(out, u)
				}
			}
			if len(out) > 0 {
				return out, nil
			}
		}
	}
	us, _, err := s.store.FindUsers(ctx, portal.UserFilter{Roles: []portal.Role{portal.RoleAgent}, Limit: 200})
	var out []*portal.User
	for _, u := range us {
		if u.DisabledAt == nil {
			out = append(out, u)
		}
	}
	return out, err
}

func ids(us []*portal.User) []int64 {
	out := make([]int64, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

// Expectation words when the customer can expect an answer, from the
// case's first or next response due time in the calendar's zone.
func Expectation(c *portal.Case, set *portal.SLASettings) string {
	due := c.FirstResponseDue
	if due == nil {
		due = c.NextResponseDue
	}
	if due == nil {
		return "We will answer as soon as we can."
	}
	_, cal := c.Policy(set)
	return "We will answer by " + due.In(cal.Location()).Format("Monday 2 January, 15:04 MST") + " at the latest."
}

// Open stores a new case with the customer's acknowledgement (the case
// number and when to expect an answer) and alerts the staff by email and
// in the console. verified tells whether the address is known to be the
// customer's: a stranger's address gets no copy of the message.
func (s *Service) Open(ctx context.Context, c *portal.Case, first *portal.CaseEntry, verified bool) error {
	staff, err := s.recipients(ctx, c)
	if err != nil {
		return err
	}
	set, err := s.store.SLASettings(ctx)
	if err != nil {
		return err
	}
	err = s.store.CreateCase(ctx, c, first, func(c *portal.Case, _ *portal.CaseEntry) []*portal.Email {
		subject := "We got your message (case " + c.Number() + ")"
		var body string
		if verified {
			body = fmt.Sprintf("Hello %s,\n\nThank you for your message. Your case number is %s.\n%s\n\nFollow it and answer us in your account: %s\n\nYour message:\n%s\n",
				firstNonEmpty(c.Name, "there"), c.Number(), Expectation(c, set), s.CaseURL(c), c.Body)
		} else {
			body = fmt.Sprintf("Hello,\n\nSomeone left us a message on our website and gave this address for the answer. The case number is %s.\n%s We will answer by email.\n\nIf this was not you, you can ignore this email.\n",
				c.Number(), Expectation(c, set))
		}
		ack := &portal.Email{To: c.Email, Subject: subject, Body: body}
		if s.cfg.SupportAddress != "" {
			// From the case's reply address and in the thread of the
			// customer's email (when it came by email), so that answering
			// the acknowledgement adds to the case; marked as automatic
			// (RFC 3834) so that an autoresponder does not answer it.
			var thread []*portal.CaseEntry
			if first != nil {
				thread = append(thread, first)
			}
			portal.ThreadEmail(ack, c, s.cfg.SupportAddress, firstNonEmpty(s.cfg.SenderName, "Customer service"),
				portal.NewMessageID(portal.AddressDomain(s.cfg.SupportAddress)), thread)
			ack.AutoSubmitted = "auto-replied"
		}
		out := []*portal.Email{ack}
		for _, u := range staff {
			out = append(out, &portal.Email{To: u.Email, Subject: "New case " + c.Number() + ": " + c.Subject,
				Body: fmt.Sprintf("A new case from %s (%s), priority %s.\n\n%s\n\nOpen it: %s\n", firstNonEmpty(c.Name, c.Email), c.Email, portal.Label(c.Priority), c.Body, s.StaffURL(c))})
		}
		return out
	})
	if err != nil {
		return err
	}
	if err := s.notify(ctx, ids(staff), &c.ID, "New case "+c.Number()+": "+c.Subject); err != nil {
		s.log.Error("notify staff", "case_id", c.ID, "err", err)
	}
	return nil
}

// CustomerMessage adds a customer's message to a case (reopening it) and
// alerts the assignee or team.
func (s *Service) CustomerMessage(ctx context.Context, e *portal.CaseEntry) (*portal.Case, error) {
	e.Kind = portal.EntryCustomer
	before, err := s.store.FindCase(ctx, e.CaseID)
	if err != nil {
		return nil, err
	}
	staff, err := s.recipients(ctx, before)
	if err != nil {
		return nil, err
	}
	c, err := s.store.AddCaseEntry(ctx, e, "", func(c *portal.Case, e *portal.CaseEntry) []*portal.Email {
		var out []*portal.Email
		for _, u := range staff {
			out = append(out, &portal.Email{To: u.Email, Subject: "Customer replied on case " + c.Number() + ": " + c.Subject,
				Body: fmt.Sprintf("%s wrote:\n\n%s\n\nOpen the case: %s\n", firstNonEmpty(c.Name, c.Email), e.Body, s.StaffURL(c))})
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	if err := s.notify(ctx, ids(staff), &c.ID, "Customer replied on case "+c.Number()); err != nil {
		s.log.Error("notify staff", "case_id", c.ID, "err", err)
	}
	return c, nil
}

// MaxEmailAttachments is the most a reply's email carries in files, in
// total; the files beyond are linked (the customer downloads them in
// their account) instead of attached.
const MaxEmailAttachments = 10 << 20

// Reply adds an agent's reply and emails it to the customer; status, when
// not empty, sets the case's status with it. atts are the reply's files,
// already stored (casefiles): they are recorded with the reply and
// attached to the email up to MaxEmailAttachments in total, the others
// linked. It returns the case and the reply's entry.
func (s *Service) Reply(ctx context.Context, agent *portal.User, caseID int64, body, status string, atts []*portal.CaseAttachment) (*portal.Case, *portal.CaseEntry, error) {
	e := &portal.CaseEntry{CaseID: caseID, Kind: portal.EntryReply, Channel: portal.ChannelAgent, AuthorID: &agent.ID, AuthorName: agent.Name, Body: body, Attachments: atts}
	var thread []*portal.CaseEntry
	if s.cfg.SupportAddress != "" {
		e.MessageID = portal.NewMessageID(portal.AddressDomain(s.cfg.SupportAddress))
		var err error
		if thread, err = s.store.FindCaseEntries(ctx, caseID, false); err != nil && !portal.IsNotFound(err) {
			return nil, nil, err
		}
	}
	c, err := s.store.AddCaseEntry(ctx, e, status, func(c *portal.Case, e *portal.CaseEntry) []*portal.Email {
		files, linked := s.emailFiles(c, e.Attachments)
		m := &portal.Email{To: c.Email, Subject: "Re: " + c.Subject + " (case " + c.Number() + ")", Attachments: files,
			Body: fmt.Sprintf("Hello %s,\n\n%s\n%s\n%s\nCase %s. Reply to this email, or answer us in your account: %s\n", firstNonEmpty(c.Name, "there"), e.Body, linked, firstNonEmpty(agent.Name, "Customer service"), c.Number(), s.CaseURL(c))}
		if s.cfg.SupportAddress != "" {
			portal.ThreadEmail(m, c, s.cfg.SupportAddress, firstNonEmpty(s.cfg.SenderName, "Customer service"), e.MessageID, thread)
		}
		return []*portal.Email{m}
	})
	return c, e, err
}

// emailFiles splits a reply's files into those the email carries (in
// order, while the total stays within MaxEmailAttachments) and the text
// naming the others, with a link for a customer with an account.
func (s *Service) emailFiles(c *portal.Case, atts []*portal.CaseAttachment) ([]portal.OutgoingFile, string) {
	var files []portal.OutgoingFile
	var total int64
	var b strings.Builder
	for _, a := range atts {
		if total+a.Size <= MaxEmailAttachments {
			total += a.Size
			files = append(files, portal.OutgoingFile{Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, StorageKey: a.StorageKey})
			continue
		}
		if b.Len() == 0 {
			b.WriteString("\nToo large to send by email")
			if c.CustomerID != nil {
				b.WriteString(", in your account:\n")
			} else {
				b.WriteString(" (reply to this email and we will find another way):\n")
			}
		}
		if c.CustomerID != nil {
			fmt.Fprintf(&b, "- %s: %s/files/%d\n", a.Filename, s.CaseURL(c), a.ID)
		} else {
			fmt.Fprintf(&b, "- %s\n", a.Filename)
		}
	}
	return files, b.String()
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// PassResult counts what an escalation pass did.
type PassResult struct {
	Evaluated int
	Fired     int
}

// Pass evaluates every case whose clocks run against the enabled rules and
// fires each rule whose share of its target is reached, once per case and
// target across all nodes.
func (s *Service) Pass(ctx context.Context) (PassResult, error) {
	var res PassResult
	now := s.now()
	rules, err := s.store.FindEscalationRules(ctx)
	if err != nil {
		return res, err
	}
	var enabled []*portal.EscalationRule
	for _, r := range rules {
		if r.Enabled {
			enabled = append(enabled, r)
		}
	}
	set, err := s.store.SLASettings(ctx)
	if err != nil {
		return res, err
	}
	cases, err := s.store.FindSLACases(ctx, now)
	if err != nil {
		return res, err
	}
	res.Evaluated = len(cases)
	// First every case against every rule; then the reached ones fire
	// in batches, a transaction each (one per escalation made the first
	// pass after a start, with thousands reached, take seconds).
	type reach struct {
		c *portal.Case
		r *portal.EscalationRule
	}
	var due []reach
	var fires []portal.EscalationFire
	nextOf := make([]time.Time, len(cases))
	for ci, c := range cases {
		// With nothing to reach, look again in a day (any change of the
		// case or of the rules makes it sooner).
		next := now.Add(24 * time.Hour)
		for _, r := range enabled {
			key, reached, at, ok := c.SLAReached(set, r.Metric, r.Percent, now)
			if !ok {
				continue
			}
			if !reached {
				if at.Before(next) {
					next = at
				}
				continue
			}
			key = fmt.Sprintf("r%d:%s", r.ID, key)
			if s.seen(c.ID, key) {
				continue
			}
			due = append(due, reach{c, r})
			fires = append(fires, portal.EscalationFire{CaseID: c.ID, Key: key})
		}
		nextOf[ci] = next
	}
	acted := map[int64]bool{}
	leads := &leadFinder{s: s}
	for lo := 0; lo < len(fires); lo += fireBatch {
		hi := min(lo+fireBatch, len(fires))
		told := make([]*Alert, hi-lo) // the console alerts the actions stored, announced once committed
		fired, err := s.store.FireEscalations(ctx, fires[lo:hi], func(i int, tx portal.CaseTx) error {
			told[i] = nil
			return s.act(ctx, tx, due[lo+i].r, leads, &told[i])
		})
		if err != nil {
			return res, err
		}
		for i, ok := range fired {
			f := fires[lo+i]
			s.markSeen(f.CaseID, f.Key)
			if !ok {
				continue
			}
			if told[i] != nil {
				s.announce(ctx, told[i].UserIDs, &f.CaseID, told[i].Body)
			}
			res.Fired++
			acted[f.CaseID] = true
		}
	}
	var checks []portal.SLACheck
	for ci, c := range cases {
		if !acted[c.ID] {
			checks = append(checks, portal.SLACheck{CaseID: c.ID, UpdatedAt: c.UpdatedAt, Next: nextOf[ci]})
		}
	}
	if err := s.store.SetSLAChecks(ctx, checks); err != nil {
		return res, err
	}
	return res, nil
}

// fireBatch is how many escalations fire in one transaction.
const fireBatch = 200

func (s *Service) seen(id int64, key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fired[id][key]
}

func (s *Service) markSeen(id int64, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The store keeps each key once anyway; this only saves a
	// transaction per pass, so forget all now and then.
	if len(s.fired) > 100000 {
		s.fired = map[int64]map[string]bool{}
	}
	if s.fired[id] == nil {
		s.fired[id] = map[string]bool{}
	}
	s.fired[id][key] = true
}

// leadFinder finds, once per pass, the people an escalation notifies: the
// lead of the case's team, or the managers when there is none.
type leadFinder struct {
	s        *Service
	teams    map[int64]*portal.Team
	managers []*portal.User
	loaded   bool
}

func (l *leadFinder) find(ctx context.Context, teamID *int64) ([]*portal.User, error) {
	if !l.loaded {
		ts, err := l.s.store.FindTeams(ctx)
		if err != nil {
			return nil, err
		}
		l.teams = map[int64]*portal.Team{}
		for _, t := range ts {
			l.teams[t.ID] = t
		}
		l.managers, _, err = l.s.store.FindUsers(ctx, portal.UserFilter{Roles: []portal.Role{portal.RoleManager}, Limit: 100})
		if err != nil {
			return nil, err
		}
		l.loaded = true
	}
	if teamID != nil {
		if t := l.teams[*teamID]; t != nil && t.LeadID != nil {
			u, err := l.s.store.FindUserByID(ctx, *t.LeadID)
			if err == nil && u.DisabledAt == nil {
				return []*portal.User{u}, nil
			}
		}
	}
	return l.managers, nil
}

// act performs a rule's action inside its fire-once transaction.
func (s *Service) act(ctx context.Context, tx portal.CaseTx, r *portal.EscalationRule, leads *leadFinder, told **Alert) error {
	c := tx.Case()
	why := fmt.Sprintf("%s target %d%% used.", portal.Label(r.Metric), r.Percent)
	if r.Percent >= 100 {
		why = fmt.Sprintf("%s target breached.", portal.Label(r.Metric))
		if r.Percent > 100 {
			why = fmt.Sprintf("%s target breached (%d%%).", portal.Label(r.Metric), r.Percent)
		}
	}
	switch r.Action {
	case portal.ActionRaisePriority:
		if c.Priority == portal.PriorityUrgent {
			return tx.Event("Automatic escalation: " + why + " Priority is already urgent.")
		}
		p := portal.RaisePriority(c.Priority)
		return tx.Update(portal.CaseUpdate{Priority: &p}, "Automatic escalation: "+why)
	case portal.ActionAssignTeam:
		return tx.Update(portal.CaseUpdate{TeamID: r.TeamID}, "Automatic escalation: "+why)
	case portal.ActionAssignUser:
		return tx.Update(portal.CaseUpdate{AssigneeID: r.UserID}, "Automatic escalation: "+why)
	case portal.ActionNotifyLead:
		to, err := leads.find(ctx, c.TeamID)
		if err != nil {
			return err
		}
		if len(to) == 0 {
			return tx.Event("Automatic escalation: " + why + " Nobody to notify: the case has no team lead and there is no manager.")
		}
		var names []string
		msg := fmt.Sprintf("Case %s: %s", c.Number(), why)
		for _, u := range to {
			names = append(names, firstNonEmpty(u.Name, u.Email))
			if err := tx.Enqueue(&portal.Email{To: u.Email, Subject: "Escalation: case " + c.Number() + " (" + portal.Label(c.Priority) + ")",
				Body: fmt.Sprintf("%s\n\nOpen the case: %s\n", msg, s.StaffURL(c))}); err != nil {
				return err
			}
		}
		if err := tx.Notify(ids(to), msg); err != nil {
			return err
		}
		*told = &Alert{UserIDs: ids(to), Body: msg}
		return tx.Event("Automatic escalation: " + why + " Notified " + strings.Join(names, ", ") + ".")
	}
	return nil
}

// Digest sends the day's digest of unresolved and breached cases to the
// managers, once a day across all nodes, after DigestHour UTC. It reports
// whether this call sent it.
func (s *Service) Digest(ctx context.Context) (bool, error) {
	now := s.now().UTC()
	if now.Hour() < *s.cfg.DigestHour {
		return false, nil
	}
	managers, _, err := s.store.FindUsers(ctx, portal.UserFilter{Roles: []portal.Role{portal.RoleManager}, Limit: 100})
	if err != nil {
		return false, err
	}
	ok, err := s.store.ClaimJob(ctx, "case-digest:"+now.Format("2006-01-02"), s.cfg.Node)
	if err != nil || !ok {
		return false, err
	}
	_, open, err := s.store.FindCases(ctx, portal.CaseFilter{Statuses: portal.CaseActiveStatuses, Limit: 1})
	if err != nil {
		return false, err
	}
	breached, nBreached, err := s.store.FindCases(ctx, portal.CaseFilter{Statuses: portal.CaseActiveStatuses, DueBefore: &now, Limit: 50})
	if err != nil {
		return false, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Cases on %s\n\nUnresolved: %d\nPast an SLA target: %d\n", now.Format("Monday 2 January 2006"), open, nBreached)
	if len(breached) > 0 {
		b.WriteString("\nPast their target, longest first:\n")
		sort.SliceStable(breached, func(i, j int) bool { return breached[i].DueAt.Before(*breached[j].DueAt) })
		for _, c := range breached {
			fmt.Fprintf(&b, "- %s %s (%s, %s), due %s, %s\n", c.Number(), c.Subject, portal.Label(c.Priority), portal.Label(c.Status),
				c.DueAt.Format("2 Jan 15:04 MST"), firstNonEmpty(c.AssigneeName, "unassigned"))
		}
		if nBreached > len(breached) {
			fmt.Fprintf(&b, "… and %d more.\n", nBreached-len(breached))
		}
	}
	fmt.Fprintf(&b, "\nAll cases: %s/agent/cases\n", s.cfg.BaseURL)
	for _, m := range managers {
		if m.DisabledAt != nil {
			continue
		}
		if err := s.notify(ctx, []int64{m.ID}, nil, fmt.Sprintf("Daily digest: %d unresolved, %d past target", open, nBreached)); err != nil {
			return true, err
		}
		if err := s.enqueue(ctx, &portal.Email{To: m.Email, Subject: fmt.Sprintf("Cases today: %d unresolved, %d past target", open, nBreached), Body: b.String()}); err != nil {
			return true, err
		}
	}
	return true, nil
}

// Enqueuer queues an email; the store implements it.
type Enqueuer interface {
	EnqueueEmail(ctx context.Context, e *portal.Email) error
}

func (s *Service) enqueue(ctx context.Context, e *portal.Email) error {
	if q, ok := s.store.(Enqueuer); ok {
		return q.EnqueueEmail(ctx, e)
	}
	return fmt.Errorf("casework: the store cannot queue email")
}

// Run passes every Interval and sends the digest when due, until ctx ends.
// Before each pass it brings the due times of open cases up to date with
// changed SLA settings or segments; a change on any node wakes it at once.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	var wake <-chan portal.BusMessage
	if s.cfg.Bus != nil {
		ch, unsub := portal.SubscribeChan(s.cfg.Bus, SLATopic, 1)
		defer unsub()
		wake = ch
	}
	for {
		// Cases another node holds are skipped; look again soon when
		// some are left.
		var again <-chan time.Time
		if _, err := s.Recompute(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("recompute case due times", "err", err)
		} else if left, _, err := s.store.SLARecomputeProgress(ctx); err == nil && left > 0 {
			again = time.After(time.Second)
		}
		if _, err := s.Pass(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("case escalation pass", "err", err)
		}
		if _, err := s.Digest(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("case digest", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		case <-wake:
		case <-again:
		}
	}
}

// SLATopic is the bus topic that tells every node's loop that SLA
// settings or customer segments changed: each starts recomputing the open
// cases' due times at once (the store shares the work out).
const SLATopic = "sla_changed"

// Recompute brings the due times of every open case computed under older
// SLA settings or another customer segment up to date, a batch at a time,
// and returns how many cases it recomputed.
func (s *Service) Recompute(ctx context.Context) (int, error) {
	total := 0
	for ctx.Err() == nil {
		n, err := s.store.RecomputeSLA(ctx, s.cfg.RecomputeBatch)
		total += n
		if err != nil || n < s.cfg.RecomputeBatch {
			return total, err
		}
	}
	return total, ctx.Err()
}

// SLAChanged is called after a change of SLA policies or calendars: it
// recomputes a first batch of open cases at once and wakes the loop of
// this node and, over the bus, of every other node for the rest. It
// returns how many open cases are left to do (the settings page shows the
// progress).
func (s *Service) SLAChanged(ctx context.Context) (int, error) {
	if _, err := s.store.RecomputeSLA(ctx, s.cfg.RecomputeBatch); err != nil {
		return 0, err
	}
	// More than a batch, or cases another node's transaction held.
	left, _, err := s.store.SLARecomputeProgress(ctx)
	if err != nil || left == 0 {
		return 0, err
	}
	s.wake(ctx)
	return left, nil
}

// wake starts the recompute on this node and announces it to the others.
func (s *Service) wake(ctx context.Context) {
	select {
	case s.kick <- struct{}{}:
	default:
	}
	if s.cfg.Bus != nil {
		if err := s.cfg.Bus.Publish(ctx, SLATopic, []byte("{}")); err != nil {
			s.log.Warn("publish sla change", "err", err)
		}
	}
}

// ApplySegments stores the customers' segments from a new customer
// analysis (customer id to segment) and, when any changed, has the open
// cases of those customers recomputed under their segment's targets.
func (s *Service) ApplySegments(ctx context.Context, segs map[int64]string) error {
	n, err := s.store.SaveCustomerSegments(ctx, segs)
	if err != nil {
		return err
	}
	if n > 0 {
		s.log.Info("customer segments changed", "customers", n)
		s.wake(ctx)
	}
	return nil
}

// RecomputeProgress returns how many open cases wait for new due times,
// of how many open cases (0, 0 when none waits).
func (s *Service) RecomputeProgress(ctx context.Context) (left, open int, err error) {
	return s.store.SLARecomputeProgress(ctx)
}
