package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/frontdesk/frontdesk/portal"
)

const caseColList = `id, token, subject, status, priority, channel, conversation_id, customer_id, order_id, assignee_id, team_id, email, name, body, transcript, tags, merged_into_id, segment,
first_response_at, last_customer_at, last_agent_at, solved_at, first_response_due, next_response_from, next_response_due, resolution_due, sla_since, sla_spent, due_at, created_at, updated_at`

// caseCols returns the case columns, each prefixed with p (an alias and a dot, or "").
func caseCols(p string) string {
	if p == "" {
		return caseColList
	}
	parts := strings.Split(caseColList, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

func scanCase(r Row, extra ...any) (*portal.Case, error) {
	var c portal.Case
	var tags string
	var spent int64
	dest := []any{&c.ID, &c.Token, &c.Subject, &c.Status, &c.Priority, &c.Channel, &c.ConversationID, &c.CustomerID, &c.OrderID, &c.AssigneeID, &c.TeamID,
		&c.Email, &c.Name, &c.Body, &c.Transcript, &tags, &c.MergedIntoID, &c.Segment,
		&c.FirstResponseAt, &c.LastCustomerAt, &c.LastAgentAt, &c.SolvedAt, &c.FirstResponseDue, &c.NextResponseFrom, &c.NextResponseDue, &c.ResolutionDue,
		&c.SLASince, &spent, &c.DueAt, &c.CreatedAt, &c.UpdatedAt}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	c.Tags = strings.Fields(tags)
	c.SLASpent = time.Duration(spent) * time.Second
	return &c, nil
}

func joinTags(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return " " + strings.Join(tags, " ") + " "
}

func newCaseToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return hex.EncodeToString(b)
}

// validateEntry checks an entry before it is stored.
func validateEntry(e *portal.CaseEntry) error {
	e.Body = strings.TrimSpace(e.Body)
	e.MessageID = strings.Trim(strings.TrimSpace(e.MessageID), "<>")
	switch e.Kind {
	case portal.EntryCustomer, portal.EntryReply, portal.EntryNote, portal.EntryEvent:
	default:
		return portal.FieldError("kind", "Unknown kind of entry.")
	}
	if e.Body == "" {
		if e.Kind == portal.EntryNote {
			return portal.FieldError("body", "Write a note.")
		}
		return portal.FieldError("body", "Write a message.")
	}
	if len(e.Body) > portal.MaxCaseTextLen {
		return portal.FieldError("body", "Message is too long.")
	}
	if len(e.MessageID) > 500 || len(e.InReplyTo) > 2000 || len(e.References) > 8000 {
		return portal.FieldError("message_id", "Message headers are too long.")
	}
	if e.Channel == "" {
		e.Channel = portal.ChannelAgent
		if e.Kind == portal.EntryCustomer {
			e.Channel = portal.ChannelPortal
		} else if e.Kind == portal.EntryEvent {
			e.Channel = portal.ChannelSystem
		}
	}
	if len(e.AuthorName) > 200 {
		e.AuthorName = e.AuthorName[:200]
	}
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func insertEntry(ctx context.Context, q Querier, e *portal.CaseEntry) error {
	err := q.QueryRow(ctx, `INSERT INTO case_entries (case_id, kind, channel, author_id, author_name, body, message_id, in_reply_to, refs, quoted, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.CaseID, e.Kind, e.Channel, e.AuthorID, e.AuthorName, e.Body, nullString(e.MessageID), e.InReplyTo, e.References, e.Quoted, e.CreatedAt).Scan(&e.ID)
	if err != nil {
		return err
	}
	return insertEntryAttachments(ctx, q, e)
}

func (s *Store) entryErr(err error) error {
	if err != nil && s.db.IsUniqueViolation(err) {
		return portal.Errorf(portal.ECONFLICT, "This message is already stored.")
	}
	return err
}

func enqueueEmails(ctx context.Context, q Querier, emails []*portal.Email, now time.Time) error {
	for _, e := range emails {
		if e == nil {
			continue
		}
		e.CreatedAt, e.NextAttemptAt = now, now
		if err := insertEmail(ctx, q, e); err != nil {
			return err
		}
	}
	return nil
}

// slaSettings loads the policies and calendars (a few rows).
func slaSettings(ctx context.Context, q Querier) (*portal.SLASettings, error) {
	set := &portal.SLASettings{Policies: map[string]portal.SLAPolicy{}, Segments: map[string]map[string]portal.SLAPolicy{}, Calendars: map[int64]*portal.Calendar{}}
	if err := q.QueryRow(ctx, `SELECT generation FROM sla_generation WHERE id = 1`).Scan(&set.Generation); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT id, name, time_zone, hours, holidays FROM sla_calendars ORDER BY id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c portal.Calendar
		var hours, hol string
		if err := rows.Scan(&c.ID, &c.Name, &c.TimeZone, &hours, &hol); err != nil {
			rows.Close()
			return nil, err
		}
		var hs [][3]int
		if err := json.Unmarshal([]byte(hours), &hs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("calendar %d hours: %w", c.ID, err)
		}
		for _, h := range hs {
			c.Hours = append(c.Hours, portal.OpeningHours{Weekday: time.Weekday(h[0]), Open: h[1], Close: h[2]})
		}
		if err := json.Unmarshal([]byte(hol), &c.Holidays); err != nil {
			rows.Close()
			return nil, fmt.Errorf("calendar %d holidays: %w", c.ID, err)
		}
		if err := c.Validate(); err != nil {
			rows.Close()
			return nil, fmt.Errorf("calendar %d: %w", c.ID, err)
		}
		set.Calendars[c.ID] = &c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.Query(ctx, `SELECT priority, segment, calendar_id, first_response_minutes, next_response_minutes, resolution_minutes FROM sla_policies`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p portal.SLAPolicy
		var fr, nr, res int64
		if err := rows.Scan(&p.Priority, &p.Segment, &p.CalendarID, &fr, &nr, &res); err != nil {
			return nil, err
		}
		p.FirstResponse, p.NextResponse, p.Resolution = time.Duration(fr)*time.Minute, time.Duration(nr)*time.Minute, time.Duration(res)*time.Minute
		if p.Segment == "" {
			set.Policies[p.Priority] = p
			continue
		}
		if set.Segments[p.Segment] == nil {
			set.Segments[p.Segment] = map[string]portal.SLAPolicy{}
		}
		set.Segments[p.Segment][p.Priority] = p
	}
	return set, rows.Err()
}

// CreateCase stores a case, its first entry and its emails together.
func (s *Store) CreateCase(ctx context.Context, c *portal.Case, first *portal.CaseEntry, mail portal.CaseMail) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if first == nil {
		first = &portal.CaseEntry{Kind: portal.EntryCustomer, Channel: c.Channel, AuthorID: c.CustomerID, AuthorName: c.Name, Body: c.Body}
	}
	if err := validateEntry(first); err != nil {
		return err
	}
	now := s.now()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	c.CreatedAt = c.CreatedAt.UTC().Truncate(time.Microsecond)
	c.UpdatedAt = now
	first.CreatedAt = c.CreatedAt
	c.Token = newCaseToken()
	err := s.db.InTx(ctx, func(q Querier) error {
		set, err := s.slaSettingsIn(ctx, q)
		if err != nil {
			return err
		}
		if first.Kind == portal.EntryCustomer {
			c.LastCustomerAt = &first.CreatedAt
		}
		if c.Segment, err = customerSegment(ctx, q, c.CustomerID); err != nil {
			return err
		}
		c.StartSLA(set)
		if first.Kind == portal.EntryReply {
			c.AgentReplied(first.CreatedAt, set)
		}
		err = q.QueryRow(ctx, `INSERT INTO cases (token, subject, status, priority, channel, conversation_id, customer_id, order_id, assignee_id, team_id, email, name, body, transcript, tags, segment, sla_generation,
			first_response_at, last_customer_at, last_agent_at, first_response_due, next_response_from, next_response_due, resolution_due, sla_since, sla_spent, due_at, sla_check_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Token, c.Subject, c.Status, c.Priority, c.Channel, c.ConversationID, c.CustomerID, c.OrderID, c.AssigneeID, c.TeamID, c.Email, c.Name, c.Body, c.Transcript, joinTags(c.Tags), c.Segment, set.Generation,
			c.FirstResponseAt, c.LastCustomerAt, c.LastAgentAt, c.FirstResponseDue, c.NextResponseFrom, c.NextResponseDue, c.ResolutionDue, c.SLASince, int64(c.SLASpent/time.Second), c.DueAt, checkNow, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
		if err != nil {
			return err
		}
		first.CaseID = c.ID
		if err := s.entryErr(insertEntry(ctx, q, first)); err != nil {
			return err
		}
		if mail != nil {
			return enqueueEmails(ctx, q, mail(c, first), now)
		}
		return nil
	})
	return wrap("create case", err)
}

// lockCase reads a case for update in q: the no-op UPDATE takes the row's
// write lock on PostgreSQL (SQLite has one writer anyway). The case takes
// its customer's current segment, so that a change computes its due times
// under that segment's policy.
func lockCase(ctx context.Context, q Querier, id int64) (*portal.Case, error) {
	c, err := scanCase(q.QueryRow(ctx, `UPDATE cases SET updated_at = updated_at WHERE id = ? RETURNING `+caseColList, id))
	if err != nil {
		return nil, notFound(err, "Case")
	}
	if c.Segment, err = customerSegment(ctx, q, c.CustomerID); err != nil {
		return nil, err
	}
	return c, nil
}

// customerSegment is the customer's segment in the latest analysis ("" for
// a guest or a customer the analysis has not scored).
func customerSegment(ctx context.Context, q Querier, customerID *int64) (string, error) {
	if customerID == nil {
		return "", nil
	}
	var seg string
	err := q.QueryRow(ctx, `SELECT segment FROM customer_segments WHERE customer_id = ?`, *customerID).Scan(&seg)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return seg, err
}

// writeCase stores every field a change may touch, with due times computed
// under set (whose generation it records).
func writeCase(ctx context.Context, q Querier, c *portal.Case, set *portal.SLASettings, now time.Time) error {
	c.UpdatedAt = now
	c.RecomputeSLA(set)
	_, err := q.Exec(ctx, `UPDATE cases SET subject = ?, status = ?, priority = ?, order_id = ?, assignee_id = ?, team_id = ?, tags = ?, merged_into_id = ?,
		first_response_at = ?, last_customer_at = ?, last_agent_at = ?, solved_at = ?, first_response_due = ?, next_response_from = ?, next_response_due = ?, resolution_due = ?,
		sla_since = ?, sla_spent = ?, due_at = ?, sla_check_at = ?, segment = ?, sla_generation = ?, updated_at = ? WHERE id = ?`,
		c.Subject, c.Status, c.Priority, c.OrderID, c.AssigneeID, c.TeamID, joinTags(c.Tags), c.MergedIntoID,
		c.FirstResponseAt, c.LastCustomerAt, c.LastAgentAt, c.SolvedAt, c.FirstResponseDue, c.NextResponseFrom, c.NextResponseDue, c.ResolutionDue,
		c.SLASince, int64(c.SLASpent/time.Second), c.DueAt, checkNow, c.Segment, set.Generation, c.UpdatedAt, c.ID)
	return err
}

// FindCase returns a case by id, with the order number and the names of
// assignee and team as FindCases gives them (in one query: the mail
// intake reads a case per message).
func (s *Store) FindCase(ctx context.Context, id int64) (*portal.Case, error) {
	var on, an, tn string
	c, err := scanCase(s.db.QueryRow(ctx, `SELECT `+caseCols("c.")+`, COALESCE(o.number, ''), COALESCE(u.name, ''), COALESCE(t.name, '') FROM cases c
		LEFT JOIN orders o ON o.id = c.order_id LEFT JOIN users u ON u.id = c.assignee_id LEFT JOIN teams t ON t.id = c.team_id WHERE c.id = ?`, id), &on, &an, &tn)
	if err != nil {
		return nil, wrap("find case", notFound(err, "Case"))
	}
	c.OrderNumber, c.AssigneeName, c.TeamName = on, an, tn
	return c, nil
}

// FindCaseByToken returns the case of a reply token.
func (s *Store) FindCaseByToken(ctx context.Context, token string) (*portal.Case, error) {
	var id int64
	if err := s.db.QueryRow(ctx, `SELECT id FROM cases WHERE token = ?`, strings.ToLower(strings.TrimSpace(token))).Scan(&id); err != nil {
		return nil, wrap("find case by token", notFound(err, "Case"))
	}
	return s.FindCase(ctx, id)
}

// FindCaseByMessageID returns the case of an entry's Message-ID.
func (s *Store) FindCaseByMessageID(ctx context.Context, messageID string) (*portal.Case, error) {
	var id int64
	if err := s.db.QueryRow(ctx, `SELECT case_id FROM case_entries WHERE message_id = ?`, strings.Trim(strings.TrimSpace(messageID), "<>")).Scan(&id); err != nil {
		return nil, wrap("find case by message id", notFound(err, "Case"))
	}
	return s.FindCase(ctx, id)
}

// FindCases returns a page of cases with the order number and the names of
// assignee and team.
func (s *Store) FindCases(ctx context.Context, f portal.CaseFilter) ([]*portal.Case, int, error) {
	var w where
	if f.ID != nil {
		w.add("c.id = ?", *f.ID)
	}
	if f.CustomerID != nil {
		w.add("c.customer_id = ?", *f.CustomerID)
	}
	if f.Email != nil {
		w.add("c.email = ?", portal.NormalizeEmail(*f.Email))
	}
	if f.OrderID != nil {
		w.add("c.order_id = ?", *f.OrderID)
	}
	if f.AssigneeID != nil {
		w.add("c.assignee_id = ?", *f.AssigneeID)
	}
	if f.Unassigned {
		w.add("c.assignee_id IS NULL")
	}
	if f.TeamID != nil {
		w.add("c.team_id = ?", *f.TeamID)
	}
	statuses := f.Statuses
	if f.Status != "" {
		statuses = append(statuses, f.Status)
	}
	if sameSet(statuses, portal.CaseActiveStatuses) {
		// Spelled as the partial indexes' predicate (migration 012).
		w.add(activeCases)
	} else if len(statuses) > 0 {
		w.add("c.status IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(statuses)), ", ")+")", anys(statuses)...)
	}
	if f.Priority != "" {
		w.add("c.priority = ?", f.Priority)
	}
	if f.Tag != "" {
		w.add("c.tags LIKE ?", "% "+likeEscape(strings.ToLower(f.Tag))+" %")
	}
	order := " ORDER BY c.id DESC"
	if f.DueBefore != nil {
		w.add("c.due_at < ?", f.DueBefore.UTC())
		order = " ORDER BY c.due_at, c.id"
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if len(q) > 200 {
			return nil, 0, portal.FieldError("q", "Search is too long.")
		}
		s.caseSearch(&w, q)
	}
	from := ` FROM cases c`
	// SQLite, without statistics, would read the active cases through
	// the status index and sort them; the partial index of migration 012
	// gives them in order.
	if s.db.Dialect() == "sqlite" && sameSet(statuses, portal.CaseActiveStatuses) && f.ID == nil && f.CustomerID == nil && f.Email == nil && f.OrderID == nil &&
		f.AssigneeID == nil && !f.Unassigned && f.TeamID == nil && f.Priority == "" && f.Tag == "" && f.DueBefore == nil && strings.TrimSpace(f.Query) == "" {
		from += ` INDEXED BY cases_active_id`
	} else if s.db.Dialect() == "sqlite" && sameSet(statuses, portal.CaseActiveStatuses) && f.DueBefore != nil && f.AssigneeID == nil && !f.Unassigned && f.TeamID == nil && strings.TrimSpace(f.Query) == "" {
		// Likewise "breaching soon": the active cases by due time.
		from += ` INDEXED BY cases_active_due`
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+from+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count cases", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+caseCols("c.")+`, COALESCE(o.number, ''), COALESCE(u.name, ''), COALESCE(t.name, '')`+from+`
		LEFT JOIN orders o ON o.id = c.order_id LEFT JOIN users u ON u.id = c.assignee_id LEFT JOIN teams t ON t.id = c.team_id`+w.String()+order+` LIMIT ? OFFSET ?`,
		append(w.args, limit(f.Limit, 20, 500), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find cases", err)
	}
	defer rows.Close()
	var out []*portal.Case
	for rows.Next() {
		var on, an, tn string
		c, err := scanCase(rows, &on, &an, &tn)
		if err != nil {
			return nil, 0, wrap("scan case", err)
		}
		c.OrderNumber, c.AssigneeName, c.TeamName = on, an, tn
		out = append(out, c)
	}
	return out, total, wrap("find cases", rows.Err())
}

// caseSearch adds the condition for a search: a case number finds the
// case, an address (with @) the customer's cases, anything else an order
// number or words of the subject, the customer's name or the messages.
func (s *Store) caseSearch(w *where, q string) {
	lq := strings.ToLower(q)
	if id, ok := portal.ParseCaseNumber(q); ok && strings.HasPrefix(lq, "c") {
		w.add("c.id = ?", id)
		return
	} else if ok {
		// Digits: a case number or an order number. IN over a union
		// keeps both on their indexes, where OR would scan.
		w.add("c.id IN (SELECT CAST(? AS BIGINT) UNION ALL SELECT k.id FROM cases k JOIN orders o ON o.id = k.order_id WHERE o.number = ?)", id, q)
		return
	}
	if strings.Contains(q, "@") {
		e := portal.NormalizeEmail(q)
		w.add("c.email >= ? AND c.email < ?", e, e+"\uffff")
		return
	}
	words := searchWords(lq)
	if len(words) == 0 {
		w.add("c.id IN (SELECT k.id FROM cases k JOIN orders o ON o.id = k.order_id WHERE o.number = ?)", q)
		return
	}
	// The words, the last one as a prefix: "sof" finds "sofa".
	if s.db.Dialect() == "postgres" {
		tsq := strings.Join(words, " & ") + ":*"
		w.add(`c.id IN (SELECT k.id FROM cases k JOIN orders o ON o.id = k.order_id WHERE o.number = ?
			UNION SELECT case_id FROM case_entries WHERE kind <> 'event' AND to_tsvector('simple', body) @@ to_tsquery('simple', ?)
			UNION SELECT id FROM cases WHERE to_tsvector('simple', subject || ' ' || name) @@ to_tsquery('simple', ?))`, q, tsq, tsq)
		return
	}
	match := `"` + strings.Join(words, `" "`) + `"*`
	w.add(`c.id IN (SELECT k.id FROM cases k JOIN orders o ON o.id = k.order_id WHERE o.number = ?
		UNION SELECT e.case_id FROM case_entries e WHERE e.id IN (SELECT rowid FROM case_entries_fts WHERE case_entries_fts MATCH ?)
		UNION SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)`, q, match, match)
}

// searchWords splits a search into words of letters and digits (at most
// ten), so that neither full-text syntax can be injected.
func searchWords(q string) []string {
	ws := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(ws) > 10 {
		ws = ws[:10]
	}
	return ws
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// activeCases is the predicate of the partial indexes of migration 012.
const activeCases = "c.status IN ('new', 'open', 'pending', 'on_hold')"

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, x := range a {
		seen[x] = true
	}
	for _, x := range b {
		if !seen[x] {
			return false
		}
	}
	return len(seen) == len(b)
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// FindCaseEntries returns a case's thread with attachments.
func (s *Store) FindCaseEntries(ctx context.Context, caseID int64, internal bool) ([]*portal.CaseEntry, error) {
	cond := ""
	if !internal {
		cond = ` AND kind IN ('customer', 'reply')`
	}
	rows, err := s.db.Query(ctx, `SELECT id, case_id, kind, channel, author_id, author_name, body, COALESCE(message_id, ''), in_reply_to, refs, quoted, created_at FROM case_entries WHERE case_id = ?`+cond+` ORDER BY id`, caseID)
	if err != nil {
		return nil, wrap("find case entries", err)
	}
	out, err := collect(rows, func(r Row) (*portal.CaseEntry, error) {
		var e portal.CaseEntry
		err := r.Scan(&e.ID, &e.CaseID, &e.Kind, &e.Channel, &e.AuthorID, &e.AuthorName, &e.Body, &e.MessageID, &e.InReplyTo, &e.References, &e.Quoted, &e.CreatedAt)
		return &e, err
	})
	if err != nil {
		return nil, wrap("find case entries", err)
	}
	byID := map[int64]*portal.CaseEntry{}
	for _, e := range out {
		byID[e.ID] = e
	}
	rows, err = s.db.Query(ctx, `SELECT `+attCols+` FROM case_attachments WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, wrap("find case attachments", err)
	}
	atts, err := collect(rows, scanAttachment)
	if err != nil {
		return nil, wrap("find case attachments", err)
	}
	for _, a := range atts {
		if e := byID[a.EntryID]; e != nil {
			e.Attachments = append(e.Attachments, a)
		}
	}
	return out, nil
}

const attCols = `id, case_id, entry_id, filename, content_type, size, storage_key, created_at`

func scanAttachment(r Row) (*portal.CaseAttachment, error) {
	var a portal.CaseAttachment
	err := r.Scan(&a.ID, &a.CaseID, &a.EntryID, &a.Filename, &a.ContentType, &a.Size, &a.StorageKey, &a.CreatedAt)
	return &a, err
}

// AddCaseAttachment records a stored file of an entry; the case is the entry's.
func (s *Store) AddCaseAttachment(ctx context.Context, a *portal.CaseAttachment) error {
	a.Filename = strings.TrimSpace(a.Filename)
	if a.Filename == "" || len(a.Filename) > 255 || a.ContentType == "" || len(a.ContentType) > 255 || a.StorageKey == "" || a.Size < 0 {
		return portal.FieldError("attachment", "The attachment needs a name, a type and a stored file.")
	}
	a.CreatedAt = s.now()
	err := s.db.QueryRow(ctx, `INSERT INTO case_attachments (case_id, entry_id, filename, content_type, size, storage_key, created_at)
		SELECT case_id, id, ?, ?, ?, ?, ? FROM case_entries WHERE id = ? RETURNING id, case_id`,
		a.Filename, a.ContentType, a.Size, a.StorageKey, a.CreatedAt, a.EntryID).Scan(&a.ID, &a.CaseID)
	return wrap("add case attachment", notFound(err, "Entry"))
}

// FindCaseAttachment returns an attachment.
func (s *Store) FindCaseAttachment(ctx context.Context, id int64) (*portal.CaseAttachment, error) {
	a, err := scanAttachment(s.db.QueryRow(ctx, `SELECT `+attCols+` FROM case_attachments WHERE id = ?`, id))
	if err != nil {
		return nil, wrap("find case attachment", notFound(err, "Attachment"))
	}
	return a, nil
}

// AddCaseEntry appends an entry and applies its effect on the case.
func (s *Store) AddCaseEntry(ctx context.Context, e *portal.CaseEntry, status string, mail portal.CaseMail) (*portal.Case, error) {
	if err := validateEntry(e); err != nil {
		return nil, err
	}
	if status != "" && !portal.ValidCaseStatus(status) {
		return nil, portal.FieldError("status", "Choose a status.")
	}
	now := s.now()
	e.CreatedAt = now
	var out *portal.Case
	err := s.db.InTx(ctx, func(q Querier) error {
		c, err := lockCase(ctx, q, e.CaseID)
		if err != nil {
			return err
		}
		if c.MergedIntoID != nil {
			if c, err = lockCase(ctx, q, *c.MergedIntoID); err != nil {
				return err
			}
			e.CaseID = c.ID
		}
		set, err := s.slaSettingsIn(ctx, q)
		if err != nil {
			return err
		}
		before := c.Status
		switch e.Kind {
		case portal.EntryCustomer:
			c.CustomerWrote(now, set)
		case portal.EntryReply:
			c.AgentReplied(now, set)
			if status == "" && c.Status == portal.CaseNew {
				status = portal.CaseOpen
			}
		}
		if status != "" && status != c.Status {
			c.SetStatus(status, now, set)
		}
		if err := s.entryErr(insertEntry(ctx, q, e)); err != nil {
			return err
		}
		if c.Status != before {
			ev := &portal.CaseEntry{CaseID: c.ID, Kind: portal.EntryEvent, Channel: portal.ChannelSystem, AuthorID: e.AuthorID, AuthorName: e.AuthorName,
				Body: fmt.Sprintf("Status: %s → %s", portal.Label(before), portal.Label(c.Status)), CreatedAt: now}
			if e.Kind == portal.EntryCustomer {
				ev.AuthorID, ev.AuthorName, ev.Body = nil, "", "Reopened by the customer's message: "+portal.Label(before)+" → "+portal.Label(c.Status)
			}
			if err := insertEntry(ctx, q, ev); err != nil {
				return err
			}
		}
		if err := writeCase(ctx, q, c, set, now); err != nil {
			return err
		}
		out = c
		if mail != nil {
			return enqueueEmails(ctx, q, mail(c, e), now)
		}
		return nil
	})
	if err != nil {
		return nil, wrap("add case entry", err)
	}
	return out, nil
}

// applyUpdate changes c by u at now and returns the words of each change.
func applyUpdate(ctx context.Context, q Querier, c *portal.Case, u portal.CaseUpdate, set *portal.SLASettings, now time.Time) ([]string, error) {
	var changes []string
	if u.Subject != nil {
		sub := strings.TrimSpace(*u.Subject)
		if sub == "" || len(sub) > 200 {
			return nil, portal.FieldError("subject", "A subject has 1 to 200 characters.")
		}
		if sub != c.Subject {
			changes = append(changes, "Subject: "+sub)
			c.Subject = sub
		}
	}
	if u.Priority != nil && *u.Priority != c.Priority {
		if !portal.ValidPriority(*u.Priority) {
			return nil, portal.FieldError("priority", "Choose a priority.")
		}
		changes = append(changes, fmt.Sprintf("Priority: %s → %s", portal.Label(c.Priority), portal.Label(*u.Priority)))
		c.Priority = *u.Priority
		c.RecomputeSLA(set)
	}
	if u.Status != nil && *u.Status != c.Status {
		if !portal.ValidCaseStatus(*u.Status) {
			return nil, portal.FieldError("status", "Choose a status.")
		}
		changes = append(changes, fmt.Sprintf("Status: %s → %s", portal.Label(c.Status), portal.Label(*u.Status)))
		c.SetStatus(*u.Status, now, set)
	}
	if u.AssigneeID != nil {
		var id *int64
		name := "nobody"
		if *u.AssigneeID != 0 {
			var role string
			err := q.QueryRow(ctx, `SELECT name, role FROM users WHERE id = ?`, *u.AssigneeID).Scan(&name, &role)
			if err != nil || portal.Role(role) == portal.RoleCustomer {
				return nil, portal.FieldError("assignee_id", "Choose a member of staff.")
			}
			id = u.AssigneeID
		}
		if !eqID(id, c.AssigneeID) {
			changes = append(changes, "Assigned to "+name)
			c.AssigneeID = id
		}
	}
	if u.TeamID != nil {
		var id *int64
		name := "no team"
		if *u.TeamID != 0 {
			if err := q.QueryRow(ctx, `SELECT name FROM teams WHERE id = ?`, *u.TeamID).Scan(&name); err != nil {
				return nil, portal.FieldError("team_id", "Choose a team.")
			}
			id = u.TeamID
		}
		if !eqID(id, c.TeamID) {
			changes = append(changes, "Team: "+name)
			c.TeamID = id
		}
	}
	if u.OrderID != nil {
		var id *int64
		if *u.OrderID != 0 {
			var cust *int64
			if err := q.QueryRow(ctx, `SELECT customer_id FROM orders WHERE id = ?`, *u.OrderID).Scan(&cust); err != nil {
				return nil, portal.FieldError("order_id", "Choose an order.")
			}
			id = u.OrderID
		}
		if !eqID(id, c.OrderID) {
			changes = append(changes, "Order changed")
			c.OrderID = id
		}
	}
	if u.Tags != nil || len(u.AddTags) > 0 || len(u.RemoveTags) > 0 {
		tags := c.Tags
		if u.Tags != nil {
			tags = *u.Tags
		}
		tags = append(append([]string{}, tags...), u.AddTags...)
		drop := map[string]bool{}
		for _, t := range u.RemoveTags {
			drop[strings.ToLower(strings.TrimSpace(t))] = true
		}
		var kept []string
		for _, t := range tags {
			if !drop[strings.ToLower(strings.TrimSpace(t))] {
				kept = append(kept, t)
			}
		}
		norm, err := portal.NormalizeTags(kept)
		if err != nil {
			return nil, err
		}
		if joinTags(norm) != joinTags(c.Tags) {
			changes = append(changes, "Tags: "+strings.Join(norm, ", "))
			if len(norm) == 0 {
				changes[len(changes)-1] = "Tags removed"
			}
			c.Tags = norm
		}
	}
	return changes, nil
}

func eqID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func actorOf(u *portal.User) (*int64, string) {
	if u == nil {
		return nil, ""
	}
	return &u.ID, u.Name
}

func (s *Store) updateIn(ctx context.Context, q Querier, id int64, u portal.CaseUpdate, actor *portal.User, set *portal.SLASettings, now time.Time) (*portal.Case, bool, error) {
	c, err := lockCase(ctx, q, id)
	if err != nil {
		return nil, false, err
	}
	changes, err := applyUpdate(ctx, q, c, u, set, now)
	if err != nil || len(changes) == 0 {
		return c, false, err
	}
	aid, aname := actorOf(actor)
	ch := portal.ChannelAgent
	if actor == nil {
		ch = portal.ChannelSystem
	}
	if err := insertEntry(ctx, q, &portal.CaseEntry{CaseID: c.ID, Kind: portal.EntryEvent, Channel: ch, AuthorID: aid, AuthorName: aname, Body: strings.Join(changes, "; "), CreatedAt: now}); err != nil {
		return nil, false, err
	}
	return c, true, writeCase(ctx, q, c, set, now)
}

// UpdateCase changes a case and records the change.
func (s *Store) UpdateCase(ctx context.Context, id int64, u portal.CaseUpdate, actor *portal.User, mail portal.CaseMail) (*portal.Case, error) {
	now := s.now()
	var out *portal.Case
	err := s.db.InTx(ctx, func(q Querier) error {
		set, err := s.slaSettingsIn(ctx, q)
		if err != nil {
			return err
		}
		c, changed, err := s.updateIn(ctx, q, id, u, actor, set, now)
		if err != nil {
			return err
		}
		out = c
		if changed && mail != nil {
			return enqueueEmails(ctx, q, mail(c, nil), now)
		}
		return nil
	})
	if err != nil {
		return nil, wrap("update case", err)
	}
	return out, nil
}

// BulkUpdateCases changes many cases in one transaction.
func (s *Store) BulkUpdateCases(ctx context.Context, ids []int64, u portal.CaseUpdate, actor *portal.User) (int, error) {
	if len(ids) == 0 {
		return 0, portal.FieldError("ids", "Choose at least one case.")
	}
	if len(ids) > 500 {
		return 0, portal.FieldError("ids", "Change at most 500 cases at once.")
	}
	now := s.now()
	n := 0
	err := s.db.InTx(ctx, func(q Querier) error {
		set, err := s.slaSettingsIn(ctx, q)
		if err != nil {
			return err
		}
		n = 0
		for _, id := range ids {
			_, changed, err := s.updateIn(ctx, q, id, u, actor, set, now)
			if err != nil {
				return err
			}
			if changed {
				n++
			}
		}
		return nil
	})
	return n, wrap("bulk update cases", err)
}

// MergeCase moves one case's thread into another and closes it.
func (s *Store) MergeCase(ctx context.Context, fromID, intoID int64, actor *portal.User) error {
	if fromID == intoID {
		return portal.FieldError("into", "A case cannot be merged into itself.")
	}
	now := s.now()
	err := s.db.InTx(ctx, func(q Querier) error {
		set, err := s.slaSettingsIn(ctx, q)
		if err != nil {
			return err
		}
		from, err := lockCase(ctx, q, fromID)
		if err != nil {
			return err
		}
		into, err := lockCase(ctx, q, intoID)
		if err != nil {
			return portal.FieldError("into", "No such case to merge into.")
		}
		if from.MergedIntoID != nil || into.MergedIntoID != nil {
			return portal.Errorf(portal.ECONFLICT, "A merged case cannot be merged again.")
		}
		if _, err := q.Exec(ctx, `UPDATE case_entries SET case_id = ? WHERE case_id = ?`, into.ID, from.ID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE case_attachments SET case_id = ? WHERE case_id = ?`, into.ID, from.ID); err != nil {
			return err
		}
		aid, aname := actorOf(actor)
		for _, ev := range []*portal.CaseEntry{
			{CaseID: into.ID, Body: fmt.Sprintf("Case %s merged into this case", from.Number())},
			{CaseID: from.ID, Body: fmt.Sprintf("Merged into case %s", into.Number())},
		} {
			ev.Kind, ev.Channel, ev.AuthorID, ev.AuthorName, ev.CreatedAt = portal.EntryEvent, portal.ChannelAgent, aid, aname, now
			if err := insertEntry(ctx, q, ev); err != nil {
				return err
			}
		}
		from.MergedIntoID = &into.ID
		from.SetStatus(portal.CaseClosed, now, set)
		from.Tags = append(from.Tags, "merged")
		if into.LastCustomerAt == nil || (from.LastCustomerAt != nil && from.LastCustomerAt.After(*into.LastCustomerAt)) {
			into.LastCustomerAt = from.LastCustomerAt
		}
		if err := writeCase(ctx, q, from, set, now); err != nil {
			return err
		}
		return writeCase(ctx, q, into, set, now)
	})
	return wrap("merge case", err)
}

// FindTeams lists the teams with their members.
func (s *Store) FindTeams(ctx context.Context) ([]*portal.Team, error) {
	rows, err := s.db.Query(ctx, `SELECT id, name, lead_id, created_at FROM teams ORDER BY name`)
	if err != nil {
		return nil, wrap("find teams", err)
	}
	teams, err := collect(rows, func(r Row) (*portal.Team, error) {
		var t portal.Team
		return &t, r.Scan(&t.ID, &t.Name, &t.LeadID, &t.CreatedAt)
	})
	if err != nil {
		return nil, wrap("find teams", err)
	}
	byID := map[int64]*portal.Team{}
	for _, t := range teams {
		byID[t.ID] = t
	}
	rows, err = s.db.Query(ctx, `SELECT team_id, user_id FROM team_members ORDER BY team_id, user_id`)
	if err != nil {
		return nil, wrap("find team members", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tid, uid int64
		if err := rows.Scan(&tid, &uid); err != nil {
			return nil, wrap("find team members", err)
		}
		if t := byID[tid]; t != nil {
			t.MemberIDs = append(t.MemberIDs, uid)
		}
	}
	return teams, wrap("find team members", rows.Err())
}

// SaveTeam creates (ID 0) or updates a team and sets its members.
func (s *Store) SaveTeam(ctx context.Context, t *portal.Team) error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" || len(t.Name) > 100 {
		return portal.FieldError("name", "A team's name has 1 to 100 characters.")
	}
	err := s.db.InTx(ctx, func(q Querier) error {
		staff := func(id int64, field string) error {
			var role string
			if err := q.QueryRow(ctx, `SELECT role FROM users WHERE id = ?`, id).Scan(&role); err != nil || portal.Role(role) == portal.RoleCustomer {
				return portal.FieldError(field, "Choose members of staff.")
			}
			return nil
		}
		if t.LeadID != nil {
			if err := staff(*t.LeadID, "lead_id"); err != nil {
				return err
			}
		}
		if t.ID == 0 {
			t.CreatedAt = s.now()
			if err := q.QueryRow(ctx, `INSERT INTO teams (name, lead_id, created_at) VALUES (?, ?, ?) RETURNING id`, t.Name, t.LeadID, t.CreatedAt).Scan(&t.ID); err != nil {
				return err
			}
		} else {
			n, err := q.Exec(ctx, `UPDATE teams SET name = ?, lead_id = ? WHERE id = ?`, t.Name, t.LeadID, t.ID)
			if err != nil {
				return err
			}
			if n == 0 {
				return portal.Errorf(portal.ENOTFOUND, "Team not found.")
			}
		}
		if _, err := q.Exec(ctx, `DELETE FROM team_members WHERE team_id = ?`, t.ID); err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, uid := range t.MemberIDs {
			if seen[uid] {
				continue
			}
			seen[uid] = true
			if err := staff(uid, "members"); err != nil {
				return err
			}
			if _, err := q.Exec(ctx, `INSERT INTO team_members (team_id, user_id) VALUES (?, ?)`, t.ID, uid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && s.db.IsUniqueViolation(err) {
		return portal.FieldError("name", "A team with this name exists.")
	}
	return wrap("save team", err)
}

// DeleteTeam removes a team; its cases keep their assignee.
func (s *Store) DeleteTeam(ctx context.Context, id int64) error {
	return s.execOne(ctx, "delete team", "Team not found.", `DELETE FROM teams WHERE id = ?`, id)
}

// SLASettings returns the policies and calendars.
func (s *Store) SLASettings(ctx context.Context) (*portal.SLASettings, error) {
	set, err := slaSettings(ctx, s.db)
	return set, wrap("sla settings", err)
}

// SaveSLAPolicy stores a priority's targets.
func (s *Store) SaveSLAPolicy(ctx context.Context, p portal.SLAPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	var one int
	if err := s.db.QueryRow(ctx, `SELECT 1 FROM sla_calendars WHERE id = ?`, p.CalendarID).Scan(&one); err != nil {
		return wrap("save sla policy", notFound(err, "Calendar"))
	}
	err := s.db.InTx(ctx, func(q Querier) error {
		if _, err := q.Exec(ctx, `INSERT INTO sla_policies (priority, segment, calendar_id, first_response_minutes, next_response_minutes, resolution_minutes) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (priority, segment) DO UPDATE SET calendar_id = excluded.calendar_id, first_response_minutes = excluded.first_response_minutes,
		next_response_minutes = excluded.next_response_minutes, resolution_minutes = excluded.resolution_minutes`,
			p.Priority, p.Segment, p.CalendarID, int64(p.FirstResponse/time.Minute), int64(p.NextResponse/time.Minute), int64(p.Resolution/time.Minute)); err != nil {
			return err
		}
		return nextSLAGeneration(ctx, q)
	})
	return wrap("save sla policy", err)
}

// DeleteSLAPolicy removes a segment's policy of a priority; its cases
// take the priority's default targets. The defaults cannot be removed.
func (s *Store) DeleteSLAPolicy(ctx context.Context, priority, segment string) error {
	if strings.TrimSpace(segment) == "" {
		return portal.FieldError("segment", "The targets for everyone cannot be removed; set them to 0 for none.")
	}
	err := s.db.InTx(ctx, func(q Querier) error {
		n, err := q.Exec(ctx, `DELETE FROM sla_policies WHERE priority = ? AND segment = ?`, priority, segment)
		if err != nil {
			return err
		}
		if n == 0 {
			return portal.Errorf(portal.ENOTFOUND, "No such targets.")
		}
		return nextSLAGeneration(ctx, q)
	})
	return wrap("delete sla policy", err)
}

// nextSLAGeneration counts a change of the SLA settings: every open case
// computed under an older generation is now due a recompute.
func nextSLAGeneration(ctx context.Context, q Querier) error {
	_, err := q.Exec(ctx, `UPDATE sla_generation SET generation = generation + 1 WHERE id = 1`)
	return err
}

// SaveCalendar creates (ID 0) or updates a calendar. A change makes the
// open cases due a recompute (RecomputeSLA).
func (s *Store) SaveCalendar(ctx context.Context, c *portal.Calendar) error {
	if err := c.Validate(); err != nil {
		return err
	}
	hs := make([][3]int, len(c.Hours))
	for i, h := range c.Hours {
		hs[i] = [3]int{int(h.Weekday), h.Open, h.Close}
	}
	hours, _ := json.Marshal(hs)
	hol := c.Holidays
	if hol == nil {
		hol = []string{}
	}
	holidays, _ := json.Marshal(hol)
	var err error
	if c.ID == 0 {
		err = s.db.QueryRow(ctx, `INSERT INTO sla_calendars (name, time_zone, hours, holidays) VALUES (?, ?, ?, ?) RETURNING id`, c.Name, c.TimeZone, string(hours), string(holidays)).Scan(&c.ID)
	} else {
		err = s.db.InTx(ctx, func(q Querier) error {
			n, err := q.Exec(ctx, `UPDATE sla_calendars SET name = ?, time_zone = ?, hours = ?, holidays = ? WHERE id = ?`, c.Name, c.TimeZone, string(hours), string(holidays), c.ID)
			if err != nil {
				return err
			}
			if n == 0 {
				return portal.Errorf(portal.ENOTFOUND, "Calendar not found.")
			}
			return nextSLAGeneration(ctx, q)
		})
	}
	if err != nil && s.db.IsUniqueViolation(err) {
		return portal.FieldError("name", "A calendar with this name exists.")
	}
	return wrap("save calendar", err)
}

// FindEscalationRules lists the rules.
func (s *Store) FindEscalationRules(ctx context.Context) ([]*portal.EscalationRule, error) {
	rows, err := s.db.Query(ctx, `SELECT id, metric, percent, action, team_id, user_id, enabled FROM escalation_rules ORDER BY metric, percent, id`)
	if err != nil {
		return nil, wrap("find escalation rules", err)
	}
	out, err := collect(rows, func(r Row) (*portal.EscalationRule, error) {
		var e portal.EscalationRule
		var en int64
		err := r.Scan(&e.ID, &e.Metric, &e.Percent, &e.Action, &e.TeamID, &e.UserID, &en)
		e.Enabled = en != 0
		return &e, err
	})
	return out, wrap("find escalation rules", err)
}

// SaveEscalationRule creates (ID 0) or updates a rule.
func (s *Store) SaveEscalationRule(ctx context.Context, r *portal.EscalationRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	en := 0
	if r.Enabled {
		en = 1
	}
	if r.TeamID != nil {
		var one int
		if err := s.db.QueryRow(ctx, `SELECT 1 FROM teams WHERE id = ?`, *r.TeamID).Scan(&one); err != nil {
			return portal.FieldError("team_id", "Choose a team.")
		}
	}
	if r.UserID != nil {
		var role string
		if err := s.db.QueryRow(ctx, `SELECT role FROM users WHERE id = ?`, *r.UserID).Scan(&role); err != nil || portal.Role(role) == portal.RoleCustomer {
			return portal.FieldError("user_id", "Choose a member of staff.")
		}
	}
	if err := s.resetSLAChecks(ctx); err != nil {
		return err
	}
	if r.ID == 0 {
		return wrap("save escalation rule", s.db.QueryRow(ctx, `INSERT INTO escalation_rules (metric, percent, action, team_id, user_id, enabled) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			r.Metric, r.Percent, r.Action, r.TeamID, r.UserID, en).Scan(&r.ID))
	}
	return s.execOne(ctx, "save escalation rule", "Rule not found.", `UPDATE escalation_rules SET metric = ?, percent = ?, action = ?, team_id = ?, user_id = ?, enabled = ? WHERE id = ?`,
		r.Metric, r.Percent, r.Action, r.TeamID, r.UserID, en, r.ID)
}

// resetSLAChecks makes the next pass look at every running case (the
// rules changed).
func (s *Store) resetSLAChecks(ctx context.Context) error {
	_, err := s.db.Exec(ctx, `UPDATE cases SET sla_check_at = ? WHERE sla_check_at > ?`, checkNow, checkNow)
	return wrap("reset sla checks", err)
}

// DeleteEscalationRule removes a rule.
func (s *Store) DeleteEscalationRule(ctx context.Context, id int64) error {
	if err := s.resetSLAChecks(ctx); err != nil {
		return err
	}
	return s.execOne(ctx, "delete escalation rule", "Rule not found.", `DELETE FROM escalation_rules WHERE id = ?`, id)
}

// checkNow is the check time that means "at the next pass".
var checkNow = time.Unix(0, 0).UTC()

// FindSLACases returns the running cases due a check.
func (s *Store) FindSLACases(ctx context.Context, now time.Time) ([]*portal.Case, error) {
	hint := ""
	if s.db.Dialect() == "sqlite" {
		hint = " INDEXED BY cases_active_check"
	}
	rows, err := s.db.Query(ctx, `SELECT id, status, priority, segment, assignee_id, team_id, created_at, first_response_due, next_response_from, next_response_due, resolution_due, sla_since, sla_spent, due_at, sla_check_at, updated_at
		FROM cases c`+hint+` WHERE `+activeCases+` AND sla_check_at <= ? AND due_at IS NOT NULL`, now.UTC())
	if err != nil {
		return nil, wrap("find sla cases", err)
	}
	out, err := collect(rows, func(r Row) (*portal.Case, error) {
		var c portal.Case
		var spent int64
		err := r.Scan(&c.ID, &c.Status, &c.Priority, &c.Segment, &c.AssigneeID, &c.TeamID, &c.CreatedAt, &c.FirstResponseDue, &c.NextResponseFrom, &c.NextResponseDue, &c.ResolutionDue, &c.SLASince, &spent, &c.DueAt, &c.SLACheckAt, &c.UpdatedAt)
		c.SLASpent = time.Duration(spent) * time.Second
		return &c, err
	})
	return out, wrap("find sla cases", err)
}

// SetSLAChecks stores the next check times, in one transaction, each only
// if the case was not changed since it was read.
func (s *Store) SetSLAChecks(ctx context.Context, checks []portal.SLACheck) error {
	if len(checks) == 0 {
		return nil
	}
	if s.db.Dialect() == "postgres" {
		// One statement per 10,000 cases rather than a round trip each:
		// the first pass after a start sets every running case's check.
		for lo := 0; lo < len(checks); lo += 10000 {
			part := checks[lo:min(lo+10000, len(checks))]
			ids, upd, next := make([]int64, len(part)), make([]time.Time, len(part)), make([]time.Time, len(part))
			for i, c := range part {
				ids[i], upd[i], next[i] = c.CaseID, c.UpdatedAt.UTC(), c.Next.UTC()
			}
			if _, err := s.db.Exec(ctx, `UPDATE cases c SET sla_check_at = v.next
				FROM unnest(CAST(? AS BIGINT[]), CAST(? AS TIMESTAMPTZ[]), CAST(? AS TIMESTAMPTZ[])) AS v (id, upd, next)
				WHERE c.id = v.id AND c.updated_at = v.upd`, ids, upd, next); err != nil {
				return wrap("set sla checks", err)
			}
		}
		return nil
	}
	err := s.db.InTx(ctx, func(q Querier) error {
		for _, c := range checks {
			if _, err := q.Exec(ctx, `UPDATE cases SET sla_check_at = ? WHERE id = ? AND updated_at = ?`, c.Next.UTC(), c.CaseID, c.UpdatedAt.UTC()); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("set sla checks", err)
}

// caseTx is an escalation's view of its transaction.
type caseTx struct {
	ctx context.Context
	q   Querier
	c   *portal.Case
	set *portal.SLASettings
	now time.Time
}

func (t *caseTx) Case() *portal.Case { return t.c }

func (t *caseTx) Event(body string) error {
	return insertEntry(t.ctx, t.q, &portal.CaseEntry{CaseID: t.c.ID, Kind: portal.EntryEvent, Channel: portal.ChannelSystem, Body: body, CreatedAt: t.now})
}

func (t *caseTx) Update(u portal.CaseUpdate, event string) error {
	changes, err := applyUpdate(t.ctx, t.q, t.c, u, t.set, t.now)
	if err != nil {
		return err
	}
	if len(changes) > 0 {
		event = strings.TrimSpace(event + " " + strings.Join(changes, "; "))
	}
	if err := t.Event(event); err != nil {
		return err
	}
	return writeCase(t.ctx, t.q, t.c, t.set, t.now)
}

func (t *caseTx) Notify(userIDs []int64, body string) error {
	return notifyIn(t.ctx, t.q, userIDs, &t.c.ID, body, t.now)
}

func (t *caseTx) Enqueue(e *portal.Email) error {
	return enqueueEmails(t.ctx, t.q, []*portal.Email{e}, t.now)
}

// FireEscalation runs act once per case and key across all nodes: the
// key's row and act's changes commit together, and a second node's insert
// of the same key waits for the first and then finds it.
func (s *Store) FireEscalation(ctx context.Context, caseID int64, key string, act func(tx portal.CaseTx) error) (bool, error) {
	now := s.now()
	fired := false
	err := s.db.InTx(ctx, func(q Querier) error {
		n, err := q.Exec(ctx, `INSERT INTO case_escalations (case_id, key, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, caseID, key, now)
		if err != nil || n == 0 {
			return err
		}
		c, err := lockCase(ctx, q, caseID)
		if err != nil {
			return err
		}
		set, err := s.slaSettingsIn(ctx, q)
		if err != nil {
			return err
		}
		fired = true
		return act(&caseTx{ctx: ctx, q: q, c: c, set: set, now: now})
	})
	if err != nil {
		return false, wrap("fire escalation", err)
	}
	return fired, nil
}

// FireEscalations fires many escalations in one transaction. The keys are
// inserted first, in (case, key) order, and only the rows this transaction
// inserted act, again in case order; every node takes its locks in the
// same order, so two nodes passing at once wait for each other rather
// than deadlock, and a key another node holds is skipped once it commits.
func (s *Store) FireEscalations(ctx context.Context, fires []portal.EscalationFire, act func(i int, tx portal.CaseTx) error) ([]bool, error) {
	fired := make([]bool, len(fires))
	if len(fires) == 0 {
		return fired, nil
	}
	order := make([]int, len(fires))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		fa, fb := fires[order[a]], fires[order[b]]
		if fa.CaseID != fb.CaseID {
			return fa.CaseID < fb.CaseID
		}
		return fa.Key < fb.Key
	})
	now := s.now()
	const chunk = 300
	err := s.db.InTx(ctx, func(q Querier) error {
		for i := range fired {
			fired[i] = false
		}
		inserted := map[portal.EscalationFire]bool{}
		for lo := 0; lo < len(order); lo += chunk {
			part := order[lo:min(lo+chunk, len(order))]
			args := make([]any, 0, 3*len(part))
			for _, i := range part {
				args = append(args, fires[i].CaseID, fires[i].Key, now)
			}
			rows, err := q.Query(ctx, `INSERT INTO case_escalations (case_id, key, created_at) VALUES `+
				strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(part)), ", ")+` ON CONFLICT DO NOTHING RETURNING case_id, key`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var f portal.EscalationFire
				if err := rows.Scan(&f.CaseID, &f.Key); err != nil {
					rows.Close()
					return err
				}
				inserted[f] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if len(inserted) == 0 {
			return nil
		}
		set, err := s.slaSettingsIn(ctx, q)
		if err != nil {
			return err
		}
		for _, i := range order {
			if !inserted[fires[i]] {
				continue
			}
			delete(inserted, fires[i]) // a pair named twice acts once
			c, err := lockCase(ctx, q, fires[i].CaseID)
			if err != nil {
				return err
			}
			fired[i] = true
			if err := act(i, &caseTx{ctx: ctx, q: q, c: c, set: set, now: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap("fire escalations", err)
	}
	return fired, nil
}

// ClaimJob records a once-only job.
func (s *Store) ClaimJob(ctx context.Context, key, node string) (bool, error) {
	n, err := s.db.Exec(ctx, `INSERT INTO job_runs (key, node, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, key, node, s.now())
	return n == 1, wrap("claim job", err)
}

// notifyIn stores the alerts in one statement (outside a transaction,
// one commit rather than one per person).
func notifyIn(ctx context.Context, q Querier, userIDs []int64, caseID *int64, body string, now time.Time) error {
	seen := map[int64]bool{}
	var args []any
	for _, id := range userIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		args = append(args, id, caseID, body, now)
	}
	for lo := 0; lo < len(args); lo += 4 * 200 {
		part := args[lo:min(lo+4*200, len(args))]
		if _, err := q.Exec(ctx, `INSERT INTO staff_notifications (user_id, case_id, body, created_at) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", len(part)/4), ", "), part...); err != nil {
			return err
		}
	}
	return nil
}

// NotifyStaff stores console alerts.
func (s *Store) NotifyStaff(ctx context.Context, userIDs []int64, caseID *int64, body string) error {
	return wrap("notify staff", notifyIn(ctx, s.db, userIDs, caseID, body, s.now()))
}

// FindStaffNotifications returns a user's newest alerts and how many are unread.
func (s *Store) FindStaffNotifications(ctx context.Context, userID int64, n int) ([]*portal.StaffNotification, int, error) {
	var unread int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM staff_notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&unread); err != nil {
		return nil, 0, wrap("count staff notifications", err)
	}
	rows, err := s.db.Query(ctx, `SELECT id, user_id, case_id, body, created_at, read_at FROM staff_notifications WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, limit(n, 20, 200))
	if err != nil {
		return nil, 0, wrap("find staff notifications", err)
	}
	out, err := collect(rows, func(r Row) (*portal.StaffNotification, error) {
		var x portal.StaffNotification
		return &x, r.Scan(&x.ID, &x.UserID, &x.CaseID, &x.Body, &x.CreatedAt, &x.ReadAt)
	})
	return out, unread, wrap("find staff notifications", err)
}

// MarkStaffNotificationsRead marks a user's alerts read.
func (s *Store) MarkStaffNotificationsRead(ctx context.Context, userID int64) error {
	_, err := s.db.Exec(ctx, `UPDATE staff_notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, s.now(), userID)
	return wrap("mark staff notifications read", err)
}
