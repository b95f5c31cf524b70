package portal

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Case statuses. New, open and on hold wait on staff; pending waits on the
// customer (the SLA clock pauses); solved and closed are done, and a
// customer's message reopens any of them.
const (
	CaseNew     = "new"
	CaseOpen    = "open"
	CasePending = "pending"
	CaseOnHold  = "on_hold"
	CaseSolved  = "solved"
	CaseClosed  = "closed"
)

// CaseStatuses lists the statuses in the order staff see them.
var CaseStatuses = []string{CaseNew, CaseOpen, CasePending, CaseOnHold, CaseSolved, CaseClosed}

// CaseActiveStatuses are the statuses of a case that is not done.
var CaseActiveStatuses = []string{CaseNew, CaseOpen, CasePending, CaseOnHold}

// Case priorities, lowest first.
const (
	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// CasePriorities lists the priorities, lowest first.
var CasePriorities = []string{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Channels a case or an entry came from.
const (
	ChannelPortal = "portal"
	ChannelEmail  = "email"
	ChannelChat   = "chat"
	ChannelAPI    = "api"
	ChannelAgent  = "agent"
	ChannelSystem = "system"
)

// Entry kinds of a case's thread.
const (
	// EntryCustomer is a message from the customer (portal, email or chat).
	EntryCustomer = "customer"
	// EntryReply is an agent's answer, sent to the customer.
	EntryReply = "reply"
	// EntryNote is internal: staff only.
	EntryNote = "note"
	// EntryEvent records an action (by staff or automatic) for the history.
	EntryEvent = "event"
)

// ValidCaseStatus reports whether s is a case status.
func ValidCaseStatus(s string) bool { return contains(CaseStatuses, s) }

// ValidPriority reports whether p is a case priority.
func ValidPriority(p string) bool { return contains(CasePriorities, p) }

// CaseActive reports whether a case in status s is not done.
func CaseActive(s string) bool { return contains(CaseActiveStatuses, s) }

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// RaisePriority returns the next priority up (urgent stays urgent).
func RaisePriority(p string) string {
	for i, x := range CasePriorities {
		if x == p && i+1 < len(CasePriorities) {
			return CasePriorities[i+1]
		}
	}
	return PriorityUrgent
}

// Case is an enquiry from a customer (or a guest's email address), worked by
// staff until it is solved. Its thread is a list of CaseEntry.
type Case struct {
	ID int64
	// Token is random and names the case in its reply address
	// (support+<token>@domain); it is set when the case is created.
	Token          string
	Subject        string
	Status         string
	Priority       string
	Channel        string
	ConversationID *int64
	CustomerID     *int64
	OrderID        *int64
	AssigneeID     *int64
	TeamID         *int64
	Email          string
	Name           string
	// Body is the first message (also the case's first entry).
	Body       string
	Transcript string
	Tags       []string
	// MergedIntoID is set on a case merged into another (then closed).
	MergedIntoID *int64
	// Segment is the customer's RFM segment (issue 17) when the due times
	// were last computed: a segment's SLA policy applies to its cases.
	Segment         string
	FirstResponseAt *time.Time
	LastCustomerAt  *time.Time
	LastAgentAt     *time.Time
	SolvedAt        *time.Time
	// SLA clocks. A due time is nil when its target is met, has none, or
	// is paused (resolution while pending).
	FirstResponseDue *time.Time
	NextResponseFrom *time.Time
	NextResponseDue  *time.Time
	ResolutionDue    *time.Time
	// SLASince is when the resolution clock last started (nil while
	// paused); SLASpent the business time it ran before.
	SLASince *time.Time
	SLASpent time.Duration
	// SLACheckAt is when the escalation pass looks at the case next (nil
	// or past: at the next pass).
	SLACheckAt *time.Time
	// DueAt is the earliest of the due times.
	DueAt     *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time

	// Filled by FindCases for lists: the order's number and the names of
	// the assignee and team ("" when none).
	OrderNumber  string
	AssigneeName string
	TeamName     string
}

// Number is the customer-facing case number.
func (c *Case) Number() string { return fmt.Sprintf("C-%06d", c.ID) }

// ParseCaseNumber reads "C-000123", "c123" or "123" as a case id.
func ParseCaseNumber(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "C-"), "c-"))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "C"), "c")
	if s == "" || len(s) > 18 {
		return 0, false
	}
	var n int64
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int64(r-'0')
	}
	return n, n > 0
}

// Validate checks and normalises a case before it is stored.
func (c *Case) Validate() error {
	c.Email = NormalizeEmail(c.Email)
	c.Name = strings.TrimSpace(c.Name)
	c.Body = strings.TrimSpace(c.Body)
	c.Subject = strings.TrimSpace(c.Subject)
	if err := ValidateEmail(c.Email); err != nil {
		return err
	}
	if c.Body == "" {
		return FieldError("body", "Write your message.")
	}
	if len(c.Body) > MaxCaseTextLen {
		return FieldError("body", "Message is too long.")
	}
	if len(c.Name) > 200 {
		return FieldError("name", "Name is too long.")
	}
	if len(c.Subject) > 200 {
		return FieldError("subject", "Subject is too long.")
	}
	if c.Subject == "" {
		c.Subject = Excerpt(c.Body, 80)
	}
	if c.Status == "" {
		c.Status = CaseNew
	}
	if !ValidCaseStatus(c.Status) {
		return FieldError("status", "Choose a status.")
	}
	if c.Priority == "" {
		c.Priority = PriorityNormal
	}
	if !ValidPriority(c.Priority) {
		return FieldError("priority", "Choose a priority.")
	}
	if c.Channel == "" {
		c.Channel = ChannelPortal
	}
	tags, err := NormalizeTags(c.Tags)
	if err != nil {
		return err
	}
	c.Tags = tags
	return nil
}

// MaxCaseTextLen bounds a case entry's text (an email can be long).
const MaxCaseTextLen = 64 << 10

// Excerpt returns s on one line, cut at a word boundary to at most n bytes.
func Excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := strings.ToValidUTF8(s[:n], "")
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

// NormalizeTags lowercases, deduplicates and sorts tags; a tag is letters,
// digits, '-' and '_' (at most 40 bytes, at most 20 tags).
func NormalizeTags(tags []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		if len(t) > 40 {
			return nil, FieldError("tags", "A tag is at most 40 characters.")
		}
		for _, r := range t {
			if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127 && r != '\u00a0') {
				return nil, FieldError("tags", "Tags use letters, digits, - and _ only.")
			}
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) > 20 {
		return nil, FieldError("tags", "At most 20 tags.")
	}
	sort.Strings(out)
	return out, nil
}

// ParseTags splits a comma- or space-separated list of tags.
func ParseTags(s string) ([]string, error) {
	return NormalizeTags(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }))
}

// CaseEntry is one item of a case's thread: a customer message from any
// channel, an agent's reply, an internal note or an event.
type CaseEntry struct {
	ID     int64
	CaseID int64
	// Kind is EntryCustomer, EntryReply, EntryNote or EntryEvent.
	Kind string
	// Channel is where it came from: ChannelPortal, ChannelEmail, ...
	Channel    string
	AuthorID   *int64
	AuthorName string
	Body       string
	// Email threading: MessageID (without angle brackets) is unique
	// across all entries when set; InReplyTo and References as received
	// or sent.
	MessageID  string
	InReplyTo  string
	References string
	// Quoted is the history quoted below an emailed answer, kept apart
	// from Body so that pages can fold it away.
	Quoted      string
	CreatedAt   time.Time
	Attachments []*CaseAttachment
}

// Public reports whether the customer sees the entry.
func (e *CaseEntry) Public() bool { return e.Kind == EntryCustomer || e.Kind == EntryReply }

// CaseAttachment is a file attached to an entry. StorageKey names the
// stored bytes (a path relative to the attachments directory).
type CaseAttachment struct {
	ID          int64
	CaseID      int64
	EntryID     int64
	Filename    string
	ContentType string
	Size        int64
	StorageKey  string
	CreatedAt   time.Time
}

// CaseView is one of the staff's saved views.
type CaseView string

// The staff's views.
const (
	ViewMine       CaseView = "mine"
	ViewUnassigned CaseView = "unassigned"
	ViewBreaching  CaseView = "breaching"
	ViewOpen       CaseView = "open"
	ViewAll        CaseView = "all"
)

// CaseFilter selects cases, newest first (by due time for ViewBreaching).
type CaseFilter struct {
	ID         *int64
	CustomerID *int64
	Email      *string
	OrderID    *int64
	AssigneeID *int64
	TeamID     *int64
	// Unassigned selects cases with no assignee.
	Unassigned bool
	// Statuses selects any of these; empty means any status. Status is
	// the older single form.
	Statuses []string
	Status   string
	Priority string
	Tag      string
	// DueBefore selects active cases with a due time before it (breaching
	// soon or breached), earliest first.
	DueBefore *time.Time
	// Query searches: a case number, an order number, a customer's email
	// or name, or words of the subject and messages.
	Query  string
	Offset int
	Limit  int
}

// CaseUpdate changes a case; nil fields stay as they are. Each change is
// written to the case's history as an event.
type CaseUpdate struct {
	Status   *string
	Priority *string
	// AssigneeID and TeamID: a pointer to 0 clears.
	AssigneeID *int64
	TeamID     *int64
	Tags       *[]string
	// AddTags and RemoveTags change tags without replacing them (bulk).
	AddTags    []string
	RemoveTags []string
	Subject    *string
	OrderID    *int64
}

// CaseMail builds the emails to queue with a change, once the case and the
// entry (nil when there is none) are stored; it may return none. They
// are queued in the same transaction.
type CaseMail func(c *Case, e *CaseEntry) []*Email

// Team is a group of staff a case can be routed to; its lead is told of
// escalations.
type Team struct {
	ID        int64
	Name      string
	LeadID    *int64
	MemberIDs []int64
	CreatedAt time.Time
}

// StaffNotification is an alert in the agent console.
type StaffNotification struct {
	ID        int64
	UserID    int64
	CaseID    *int64
	Body      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Escalation rule metrics and actions.
const (
	MetricFirstResponse = "first_response"
	MetricNextResponse  = "next_response"
	MetricResolution    = "resolution"

	ActionRaisePriority = "raise_priority"
	ActionAssignTeam    = "assign_team"
	ActionAssignUser    = "assign_user"
	ActionNotifyLead    = "notify_lead"
)

// EscalationRule acts when a case has used Percent of a target (100 = at
// breach).
type EscalationRule struct {
	ID      int64
	Metric  string
	Percent int
	Action  string
	TeamID  *int64
	UserID  *int64
	Enabled bool
}

// Validate checks a rule.
func (r *EscalationRule) Validate() error {
	if !contains([]string{MetricFirstResponse, MetricNextResponse, MetricResolution}, r.Metric) {
		return FieldError("metric", "Choose a target.")
	}
	if r.Percent < 1 || r.Percent > 1000 {
		return FieldError("percent", "The share is between 1 and 1000 percent.")
	}
	switch r.Action {
	case ActionRaisePriority, ActionNotifyLead:
	case ActionAssignTeam:
		if r.TeamID == nil {
			return FieldError("team_id", "Choose a team.")
		}
	case ActionAssignUser:
		if r.UserID == nil {
			return FieldError("user_id", "Choose a person.")
		}
	default:
		return FieldError("action", "Choose an action.")
	}
	return nil
}

// CaseService stores cases, their threads, teams, SLA settings,
// escalations and staff alerts.
//
// For the email side (inbound and outbound): CreateCase opens a case with
// its first entry; AddCaseEntry adds a customer message, reply or note and
// applies its effect on status and SLA clocks; FindCaseByToken finds the
// case of a reply address; FindCaseByMessageID finds the case of an
// In-Reply-To or References id; AddCaseAttachment records a stored file.
type CaseService interface {
	// CreateCase stores c (Token, Status, Priority and SLA due times are
	// set here) with first as its first entry (nil: a customer entry made
	// from c.Body on c.Channel) and the emails mail builds, all in one
	// transaction. An entry whose MessageID is already stored fails with
	// ECONFLICT and nothing is stored.
	CreateCase(ctx context.Context, c *Case, first *CaseEntry, mail CaseMail) error
	// FindCase returns a case by id (ENOTFOUND).
	FindCase(ctx context.Context, id int64) (*Case, error)
	// FindCaseByToken returns the case whose reply token is token (ENOTFOUND).
	FindCaseByToken(ctx context.Context, token string) (*Case, error)
	// FindCaseByMessageID returns the case holding the entry with this
	// Message-ID, angle brackets optional (ENOTFOUND).
	FindCaseByMessageID(ctx context.Context, messageID string) (*Case, error)
	// FindCases returns a page of cases and the total.
	FindCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	// FindCaseEntries returns a case's thread, oldest first, with
	// attachments; internal includes notes and events.
	FindCaseEntries(ctx context.Context, caseID int64, internal bool) ([]*CaseEntry, error)
	// AddCaseEntry appends e to its case and applies it: a customer
	// message reopens the case and starts the next-response clock; a
	// reply meets the first and next response targets and sets status
	// (empty: open, when new); a note changes nothing. status, when not
	// empty, sets the case's status too. A duplicate MessageID is
	// ECONFLICT and nothing is stored. It returns the case as updated.
	AddCaseEntry(ctx context.Context, e *CaseEntry, status string, mail CaseMail) (*Case, error)
	// UpdateCase applies u, writing each change as an event by actor
	// (nil: automatic), and returns the case.
	UpdateCase(ctx context.Context, id int64, u CaseUpdate, actor *User, mail CaseMail) (*Case, error)
	// BulkUpdateCases applies u to each case, all or nothing; returns how many changed.
	BulkUpdateCases(ctx context.Context, ids []int64, u CaseUpdate, actor *User) (int, error)
	// MergeCase moves from's thread into into and closes from.
	MergeCase(ctx context.Context, fromID, intoID int64, actor *User) error
	// AddCaseAttachment records a stored file of an entry.
	AddCaseAttachment(ctx context.Context, a *CaseAttachment) error
	// FindCaseAttachment returns an attachment (ENOTFOUND).
	FindCaseAttachment(ctx context.Context, id int64) (*CaseAttachment, error)

	FindTeams(ctx context.Context) ([]*Team, error)
	SaveTeam(ctx context.Context, t *Team) error
	DeleteTeam(ctx context.Context, id int64) error

	// SLASettings returns the policies (one per priority) and calendars.
	SLASettings(ctx context.Context) (*SLASettings, error)
	// SaveSLAPolicy stores the targets of a priority, for everyone or
	// (Segment) for one customer segment. Like SaveCalendar, it makes the
	// open cases due a recompute (RecomputeSLA).
	SaveSLAPolicy(ctx context.Context, p SLAPolicy) error
	// DeleteSLAPolicy removes a segment's targets of a priority.
	DeleteSLAPolicy(ctx context.Context, priority, segment string) error
	SaveCalendar(ctx context.Context, c *Calendar) error
	// SaveCustomerSegments stores each customer's segment from the latest
	// customer analysis (those left out have none) and makes the open
	// cases of customers whose segment changed due a recompute; it returns
	// how many customers changed.
	SaveCustomerSegments(ctx context.Context, segs map[int64]string) (int, error)
	// RecomputeSLA recomputes the due times of up to limit open cases due
	// a recompute (computed under older settings or another segment) and
	// returns how many it did; 0 means none is left.
	RecomputeSLA(ctx context.Context, limit int) (int, error)
	// SLARecomputeProgress returns how many open cases wait for a
	// recompute, and how many are open (0, 0 when none waits).
	SLARecomputeProgress(ctx context.Context) (left, open int, err error)

	FindEscalationRules(ctx context.Context) ([]*EscalationRule, error)
	SaveEscalationRule(ctx context.Context, r *EscalationRule) error
	DeleteEscalationRule(ctx context.Context, id int64) error
	// FindSLACases returns the SLA clocks (id, status, priority, assignee,
	// team and due times only) of the running cases due a check at now:
	// changed since the last pass, or past the check time a pass set.
	FindSLACases(ctx context.Context, now time.Time) ([]*Case, error)
	// SetSLAChecks records when each case needs its next check, unless the
	// case changed since it was read.
	SetSLAChecks(ctx context.Context, checks []SLACheck) error
	// FireEscalation runs act in a transaction once per (case, key) across
	// all nodes: it returns false without calling act when the key has
	// fired before.
	FireEscalation(ctx context.Context, caseID int64, key string, act func(tx CaseTx) error) (bool, error)
	// FireEscalations is FireEscalation for many (case, key) pairs in one
	// transaction, all or nothing: act(i, tx) runs for each pair i that
	// has not fired before, and fired[i] tells which did. A case named
	// twice sees the first action's changes in the second.
	FireEscalations(ctx context.Context, fires []EscalationFire, act func(i int, tx CaseTx) error) (fired []bool, err error)
	// ClaimJob records that the job key ran; false when it already had.
	ClaimJob(ctx context.Context, key, node string) (bool, error)

	// NotifyStaff stores alerts for users about a case.
	NotifyStaff(ctx context.Context, userIDs []int64, caseID *int64, body string) error
	FindStaffNotifications(ctx context.Context, userID int64, limit int) ([]*StaffNotification, int, error)
	MarkStaffNotificationsRead(ctx context.Context, userID int64) error
}

// EscalationFire names one escalation to fire once: a rule reaching a
// target instance of a case.
type EscalationFire struct {
	CaseID int64
	Key    string
}

// SLACheck is when the escalation pass should look at a case again.
type SLACheck struct {
	CaseID int64
	// UpdatedAt is the case's as read; the check is stored only if the
	// case has not changed since.
	UpdatedAt time.Time
	Next      time.Time
}

// CaseTx is what an escalation may do inside its transaction.
type CaseTx interface {
	Case() *Case
	Update(u CaseUpdate, event string) error
	Event(body string) error
	Notify(userIDs []int64, body string) error
	Enqueue(e *Email) error
}
