package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Chat facts' flags, one bit each.
const (
	chatQueued = 1 << iota
	chatAfterFailures
	chatHasCase
	chatBotOnly
	chatUnanswered
)

// Case facts' flags.
const (
	caseAnswered = 1 << iota
	caseMerged
)

// ReportFactsState reads the one state row (zero when none yet).
func (s *Store) ReportFactsState(ctx context.Context) (portal.ReportFactsState, error) {
	var st portal.ReportFactsState
	err := s.db.QueryRow(ctx, `SELECT fingerprint, built, updated_at FROM report_facts_state WHERE id = 1`).Scan(&st.Fingerprint, &st.Built, &st.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return portal.ReportFactsState{}, nil
	}
	return st, wrap("report facts state", err)
}

// SetReportFactsState writes the state row.
func (s *Store) SetReportFactsState(ctx context.Context, st portal.ReportFactsState) error {
	_, err := s.db.Exec(ctx, `INSERT INTO report_facts_state (id, fingerprint, built, updated_at) VALUES (1, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, built = excluded.built, updated_at = excluded.updated_at`, st.Fingerprint, st.Built, s.now())
	return wrap("set report facts state", err)
}

// ClaimReportFactsRefresh takes the refresh lease in one statement; on a
// store without facts yet it creates the state row (unbuilt) holding it.
func (s *Store) ClaimReportFactsRefresh(ctx context.Context, holder string, now, until time.Time) (bool, error) {
	n, err := s.db.Exec(ctx, `INSERT INTO report_facts_state (id, fingerprint, built, updated_at, refresh_holder, refresh_until) VALUES (1, '', ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET refresh_holder = excluded.refresh_holder, refresh_until = excluded.refresh_until
	WHERE report_facts_state.refresh_holder = '' OR report_facts_state.refresh_holder = excluded.refresh_holder
	OR report_facts_state.refresh_until IS NULL OR report_facts_state.refresh_until < ?`, false, now, holder, until, now)
	return n == 1, wrap("claim report facts refresh", err)
}

// ReleaseReportFactsRefresh frees holder's refresh lease.
func (s *Store) ReleaseReportFactsRefresh(ctx context.Context, holder string) error {
	_, err := s.db.Exec(ctx, `UPDATE report_facts_state SET refresh_holder = '', refresh_until = NULL WHERE id = 1 AND refresh_holder = ?`, holder)
	return wrap("release report facts refresh", err)
}

// DirtyReportFacts lists up to limit items the triggers marked.
func (s *Store) DirtyReportFacts(ctx context.Context, limit int) ([]portal.DirtyFact, error) {
	rows, err := s.db.Query(ctx, `SELECT kind, item_id, n FROM report_fact_dirty ORDER BY kind, item_id LIMIT ?`, limit)
	if err != nil {
		return nil, wrap("dirty report facts", err)
	}
	defer rows.Close()
	var out []portal.DirtyFact
	for rows.Next() {
		var d portal.DirtyFact
		if err := rows.Scan(&d.Kind, &d.ID, &d.N); err != nil {
			return nil, wrap("dirty report facts", err)
		}
		out = append(out, d)
	}
	return out, wrap("dirty report facts", rows.Err())
}

// ClearDirtyReportFacts deletes the marks that still have the count read.
func (s *Store) ClearDirtyReportFacts(ctx context.Context, ds []portal.DirtyFact) error {
	return wrap("clear dirty report facts", s.db.InTx(ctx, func(q Querier) error {
		for _, d := range ds {
			if _, err := q.Exec(ctx, `DELETE FROM report_fact_dirty WHERE kind = ? AND item_id = ? AND n = ?`, d.Kind, d.ID, d.N); err != nil {
				return err
			}
		}
		return nil
	}))
}

// ClearAllReportFacts empties the facts and the dirty marks.
func (s *Store) ClearAllReportFacts(ctx context.Context) error {
	return wrap("clear report facts", s.db.InTx(ctx, func(q Querier) error {
		for _, t := range []string{"report_fact_dirty", "report_chat_facts", "report_case_facts", "report_fact_days"} {
			if _, err := q.Exec(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		return nil
	}))
}

// ReportItemIDs lists conversation and case ids after the given ones.
func (s *Store) ReportItemIDs(ctx context.Context, afterChat, afterCase int64, limit int) (chats, cases []int64, err error) {
	read := func(q string, after int64) ([]int64, error) {
		rows, err := s.db.Query(ctx, q, after, limit)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
	if chats, err = read(`SELECT id FROM conversations WHERE id > ? ORDER BY id LIMIT ?`, afterChat); err != nil {
		return nil, nil, wrap("report item ids", err)
	}
	cases, err = read(`SELECT id FROM cases WHERE id > ? ORDER BY id LIMIT ?`, afterCase)
	return chats, cases, wrap("report item ids", err)
}

// nanos stores a duration (nil: NULL).
func nanos(d *time.Duration) any {
	if d == nil {
		return nil
	}
	return int64(*d)
}

// durationOf reads a stored duration.
func durationOf(n *int64) *time.Duration {
	if n == nil {
		return nil
	}
	d := time.Duration(*n)
	return &d
}

// PutReportFacts writes the given items' facts and removes the gone ones'
// in one transaction.
func (s *Store) PutReportFacts(ctx context.Context, chats []portal.ChatFact, cases []portal.CaseFact, goneChats, goneCases []int64) error {
	return wrap("put report facts", s.putReportFacts(ctx, chats, cases, goneChats, goneCases, true))
}

// LoadReportFacts writes facts and removes the gone ones' without packing
// their days.
func (s *Store) LoadReportFacts(ctx context.Context, chats []portal.ChatFact, cases []portal.CaseFact, goneChats, goneCases []int64) error {
	return wrap("load report facts", s.putReportFacts(ctx, chats, cases, goneChats, goneCases, false))
}

// PackReportFactDays writes every day's blocks, a month of days at a time.
func (s *Store) PackReportFactDays(ctx context.Context) error {
	var first, last *time.Time
	if err := s.db.QueryRow(ctx, `SELECT MIN(m), MAX(n) FROM (SELECT MIN(created_at) AS m, MAX(created_at) AS n FROM report_chat_facts
		UNION ALL SELECT MIN(created_at), MAX(created_at) FROM report_case_facts) x`).Scan(&first, &last); err != nil {
		return wrap("pack report fact days", err)
	}
	// Blocks of days before the first fact or after the last (their items
	// gone) are dropped.
	if first == nil {
		_, err := s.db.Exec(ctx, `DELETE FROM report_fact_days`)
		return wrap("pack report fact days", err)
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM report_fact_days WHERE day < ? OR day > ?`, dayOf(*first), dayOf(*last)); err != nil {
		return wrap("pack report fact days", err)
	}
	for d := dayOf(*first); d <= dayOf(*last); d += 31 {
		days := map[factDay]bool{}
		for i := d; i < d+31 && i <= dayOf(*last); i++ {
			days[factDay{portal.FactChat, i}] = true
			days[factDay{portal.FactCase, i}] = true
		}
		if err := s.db.InTx(ctx, func(q Querier) error { return writeFactDays(ctx, q, days) }); err != nil {
			return wrap("pack report fact days", err)
		}
	}
	return nil
}

func (s *Store) putReportFacts(ctx context.Context, chats []portal.ChatFact, cases []portal.CaseFact, goneChats, goneCases []int64, pack bool) error {
	return s.db.InTx(ctx, func(q Querier) error {
		del := func(table, col string, ids []int64) error {
			for len(ids) > 0 {
				n := min(len(ids), 500)
				if _, err := q.Exec(ctx, `DELETE FROM `+table+` WHERE `+col+` IN (`+placeholders(n)+`)`, anyIDs(ids[:n])...); err != nil {
					return err
				}
				ids = ids[n:]
			}
			return nil
		}
		// The days whose blocks change: the items' days before and after.
		days := map[factDay]bool{}
		if pack {
			for _, c := range chats {
				days[factDay{portal.FactChat, dayOf(c.CreatedAt)}] = true
			}
			for _, c := range cases {
				days[factDay{portal.FactCase, dayOf(c.CreatedAt)}] = true
			}
			ids := append([]int64(nil), goneChats...)
			for _, c := range chats {
				ids = append(ids, c.ID)
			}
			if err := oldDays(ctx, q, portal.FactChat, "report_chat_facts", "conversation_id", ids, days); err != nil {
				return err
			}
			ids = append(ids[:0], goneCases...)
			for _, c := range cases {
				ids = append(ids, c.ID)
			}
			if err := oldDays(ctx, q, portal.FactCase, "report_case_facts", "case_id", ids, days); err != nil {
				return err
			}
		}
		// Upserts, so that two nodes refreshing the same item do not clash.
		if err := del("report_chat_facts", "conversation_id", goneChats); err != nil {
			return err
		}
		if err := del("report_case_facts", "case_id", goneCases); err != nil {
			return err
		}
		const chatCols = 11
		for len(chats) > 0 {
			n := min(len(chats), 80)
			var args []any
			for _, c := range chats[:n] {
				flags := 0
				for bit, on := range map[int]bool{chatQueued: c.Queued, chatAfterFailures: c.AfterFailures, chatHasCase: c.HasCase, chatBotOnly: c.BotOnly, chatUnanswered: c.Unanswered} {
					if on {
						flags |= bit
					}
				}
				var commentAt any
				if c.Comment != "" {
					commentAt = c.CommentAt
				}
				args = append(args, c.ID, c.CreatedAt, c.HandlerID, flags, nanos(c.Wait), nanos(c.BusinessWait), nanos(c.Resolution), nanos(c.BusinessResolution),
					c.Rating, c.Comment, commentAt)
			}
			if _, err := q.Exec(ctx, `INSERT INTO report_chat_facts (conversation_id, created_at, handler_id, flags, wait_ns, business_wait_ns,
				resolution_ns, business_resolution_ns, rating, comment, comment_at) VALUES `+valueRows(n, chatCols)+`
				ON CONFLICT (conversation_id) DO UPDATE SET created_at = excluded.created_at, handler_id = excluded.handler_id, flags = excluded.flags,
				wait_ns = excluded.wait_ns, business_wait_ns = excluded.business_wait_ns, resolution_ns = excluded.resolution_ns,
				business_resolution_ns = excluded.business_resolution_ns, rating = excluded.rating, comment = excluded.comment, comment_at = excluded.comment_at`, args...); err != nil {
				return err
			}
			chats = chats[n:]
		}
		const caseCols = 15
		for len(cases) > 0 {
			n := min(len(cases), 60)
			var args []any
			for _, c := range cases[:n] {
				flags := 0
				if c.Answered {
					flags |= caseAnswered
				}
				if c.Merged {
					flags |= caseMerged
				}
				args = append(args, c.ID, c.CreatedAt, c.Channel, c.HandlerID, c.TeamID, flags,
					nanos(c.FirstResponse), int(c.FirstResponseSLA), c.FirstResponseDue, c.NextMet, c.NextBreached, c.NextDue,
					nanos(c.Resolution), int(c.ResolutionSLA), c.ResolutionDue)
			}
			if _, err := q.Exec(ctx, `INSERT INTO report_case_facts (case_id, created_at, channel, handler_id, team_id, flags,
				first_response_ns, first_response_sla, first_response_due, next_met, next_breached, next_due,
				resolution_ns, resolution_sla, resolution_due) VALUES `+valueRows(n, caseCols)+`
				ON CONFLICT (case_id) DO UPDATE SET created_at = excluded.created_at, channel = excluded.channel, handler_id = excluded.handler_id,
				team_id = excluded.team_id, flags = excluded.flags, first_response_ns = excluded.first_response_ns,
				first_response_sla = excluded.first_response_sla, first_response_due = excluded.first_response_due, next_met = excluded.next_met,
				next_breached = excluded.next_breached, next_due = excluded.next_due, resolution_ns = excluded.resolution_ns,
				resolution_sla = excluded.resolution_sla, resolution_due = excluded.resolution_due`, args...); err != nil {
				return err
			}
			cases = cases[n:]
		}
		return writeFactDays(ctx, q, days)
	})
}

// valueRows is n rows of cols placeholders for a multi-row INSERT.
func valueRows(n, cols int) string {
	row := "(" + placeholders(cols) + ")"
	b := make([]byte, 0, n*(len(row)+2))
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, row...)
	}
	return string(b)
}

// chatFactRows reads chat facts by a condition on the table.
func chatFactRows(ctx context.Context, q Querier, where string, args ...any) ([]portal.ChatFact, error) {
	rows, err := q.Query(ctx, `SELECT conversation_id, created_at, handler_id, flags, wait_ns, business_wait_ns, resolution_ns, business_resolution_ns,
		rating, comment, comment_at FROM report_chat_facts WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []portal.ChatFact
	for rows.Next() {
		var c portal.ChatFact
		var flags int
		var wait, bwait, res, bres *int64
		var commentAt *time.Time
		if err := rows.Scan(&c.ID, &c.CreatedAt, &c.HandlerID, &flags, &wait, &bwait, &res, &bres, &c.Rating, &c.Comment, &commentAt); err != nil {
			return nil, err
		}
		c.Queued, c.AfterFailures, c.HasCase = flags&chatQueued != 0, flags&chatAfterFailures != 0, flags&chatHasCase != 0
		c.BotOnly, c.Unanswered = flags&chatBotOnly != 0, flags&chatUnanswered != 0
		c.Wait, c.BusinessWait, c.Resolution, c.BusinessResolution = durationOf(wait), durationOf(bwait), durationOf(res), durationOf(bres)
		if commentAt != nil {
			c.CommentAt = *commentAt
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// caseFactRows reads case facts by a condition on the table.
func caseFactRows(ctx context.Context, q Querier, where string, args ...any) ([]portal.CaseFact, error) {
	rows, err := q.Query(ctx, `SELECT case_id, created_at, channel, handler_id, team_id, flags, first_response_ns, first_response_sla, first_response_due,
		next_met, next_breached, next_due, resolution_ns, resolution_sla, resolution_due FROM report_case_facts WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []portal.CaseFact
	for rows.Next() {
		var c portal.CaseFact
		var flags, frSLA, resSLA int
		var frt, res *int64
		if err := rows.Scan(&c.ID, &c.CreatedAt, &c.Channel, &c.HandlerID, &c.TeamID, &flags, &frt, &frSLA, &c.FirstResponseDue,
			&c.NextMet, &c.NextBreached, &c.NextDue, &res, &resSLA, &c.ResolutionDue); err != nil {
			return nil, err
		}
		c.Answered, c.Merged = flags&caseAnswered != 0, flags&caseMerged != 0
		c.FirstResponse, c.Resolution = durationOf(frt), durationOf(res)
		c.FirstResponseSLA, c.ResolutionSLA = portal.SLAOutcome(frSLA), portal.SLAOutcome(resSLA)
		out = append(out, c)
	}
	return out, rows.Err()
}

// teamMembers is the set of a team's members (nil for team 0).
func (s *Store) teamMembers(ctx context.Context, team int64) (map[int64]bool, error) {
	if team == 0 {
		return nil, nil
	}
	rows, err := s.db.Query(ctx, `SELECT user_id FROM team_members WHERE team_id = ?`, team)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// ChatFacts reads the range's chat facts from the days' blocks, filtered by
// who handled them (see SupportFilter), in day order.
func (s *Store) ChatFacts(ctx context.Context, f portal.SupportFilter) ([]portal.ChatFact, error) {
	if f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From) {
		return nil, portal.Errorf(portal.EINVALID, "Choose a date range that ends after it starts.")
	}
	members, err := s.teamMembers(ctx, f.TeamID)
	if err != nil {
		return nil, wrap("chat facts", err)
	}
	blocks, n, err := s.chatDays(ctx, f.From, f.To)
	if err != nil {
		return nil, wrap("chat facts", err)
	}
	out := make([]portal.ChatFact, 0, n)
	for _, b := range blocks {
		for i := range b {
			c := &b[i]
			if c.CreatedAt.Before(f.From) || !c.CreatedAt.Before(f.To) {
				continue
			}
			if f.AgentID != 0 && (c.HandlerID == nil || *c.HandlerID != f.AgentID) {
				continue
			}
			if members == nil || c.HandlerID != nil && members[*c.HandlerID] {
				out = append(out, *c)
			}
		}
	}
	return out, nil
}

// CaseFacts reads the range's case facts from the days' blocks, filtered
// like CaseStats, in day order.
func (s *Store) CaseFacts(ctx context.Context, f portal.SupportFilter) ([]portal.CaseFact, error) {
	if f.From.IsZero() || f.To.IsZero() || !f.To.After(f.From) {
		return nil, portal.Errorf(portal.EINVALID, "Choose a date range that ends after it starts.")
	}
	members, err := s.teamMembers(ctx, f.TeamID)
	if err != nil {
		return nil, wrap("case facts", err)
	}
	blocks, n, err := s.caseDays(ctx, f.From, f.To)
	if err != nil {
		return nil, wrap("case facts", err)
	}
	out := make([]portal.CaseFact, 0, n)
	for _, b := range blocks {
		for i := range b {
			c := &b[i]
			if c.CreatedAt.Before(f.From) || !c.CreatedAt.Before(f.To) {
				continue
			}
			if len(f.Channels) > 0 && !slices.Contains(f.Channels, c.Channel) {
				continue
			}
			if f.AgentID != 0 && (c.HandlerID == nil || *c.HandlerID != f.AgentID) {
				continue
			}
			// Before a reply, the case's team, or with none its
			// assignee's teams; after, the teams of who replied first.
			switch {
			case members == nil:
			case !c.Answered && c.TeamID != nil:
				if *c.TeamID != f.TeamID {
					continue
				}
			case c.HandlerID == nil || !members[*c.HandlerID]:
				continue
			}
			out = append(out, *c)
		}
	}
	return out, nil
}
