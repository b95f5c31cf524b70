package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// SaveCustomerSegments replaces the stored segments with segs (customer
// id to segment; a customer left out has none) and marks the open cases of
// every customer whose segment changed for a recompute. It writes only
// the differences, so the daily refit of an unchanged analysis costs one
// read.
func (s *Store) SaveCustomerSegments(ctx context.Context, segs map[int64]string) (int, error) {
	old := map[int64]string{}
	rows, err := s.db.Query(ctx, `SELECT customer_id, segment FROM customer_segments`)
	if err != nil {
		return 0, wrap("save customer segments", err)
	}
	for rows.Next() {
		var id int64
		var seg string
		if err := rows.Scan(&id, &seg); err != nil {
			rows.Close()
			return 0, wrap("save customer segments", err)
		}
		old[id] = seg
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, wrap("save customer segments", err)
	}
	var upsert, gone []int64
	for id, seg := range segs {
		if seg != "" && old[id] != seg {
			upsert = append(upsert, id)
		}
	}
	for id := range old {
		if segs[id] == "" {
			gone = append(gone, id)
		}
	}
	if len(upsert) == 0 && len(gone) == 0 {
		return 0, nil
	}
	sort.Slice(upsert, func(i, j int) bool { return upsert[i] < upsert[j] })
	sort.Slice(gone, func(i, j int) bool { return gone[i] < gone[j] })
	const batch = 400
	err = s.db.InTx(ctx, func(q Querier) error {
		for i := 0; i < len(upsert); i += batch {
			part := upsert[i:min(i+batch, len(upsert))]
			args := make([]any, 0, 2*len(part))
			for _, id := range part {
				args = append(args, id, segs[id])
			}
			// Customers deleted meanwhile are skipped (no foreign-key failure).
			_, err := q.Exec(ctx, `INSERT INTO customer_segments (customer_id, segment)
				SELECT v.column1, v.column2 FROM (`+valuesList(len(part))+`) v WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = v.column1)
				ON CONFLICT (customer_id) DO UPDATE SET segment = excluded.segment`, args...)
			if err != nil {
				return err
			}
		}
		for i := 0; i < len(gone); i += batch {
			part := gone[i:min(i+batch, len(gone))]
			args := make([]any, len(part))
			for j, id := range part {
				args[j] = id
			}
			if _, err := q.Exec(ctx, `DELETE FROM customer_segments WHERE customer_id IN (`+placeholders(len(part))+`)`, args...); err != nil {
				return err
			}
		}
		// One statement marks the open cases whose segment is no longer
		// their customer's.
		_, err := q.Exec(ctx, `UPDATE cases SET sla_generation = -1 WHERE status IN ('new', 'open', 'pending', 'on_hold') AND customer_id IS NOT NULL
			AND segment <> COALESCE((SELECT g.segment FROM customer_segments g WHERE g.customer_id = cases.customer_id), '')`)
		return err
	})
	if err != nil {
		return 0, wrap("save customer segments", err)
	}
	return len(upsert) + len(gone), nil
}

// valuesList is "VALUES (?, ?), (?, ?)..." for n rows of two columns,
// with the casts PostgreSQL needs to type them.
func valuesList(n int) string {
	var b strings.Builder
	b.WriteString("VALUES ")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(CAST(? AS BIGINT), CAST(? AS TEXT))")
	}
	return b.String()
}

// RecomputeSLA brings up to limit open cases whose due times were computed
// under older SLA settings, or under a segment their customer has left,
// up to date, and returns how many it looked at. Each changed case is due
// a look by the escalation pass; a case whose segment changed its targets
// says so in its history. Nodes running it at once share the work (on
// PostgreSQL each takes rows the others have not locked).
func (s *Store) RecomputeSLA(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		limit = 500
	}
	now := s.now()
	n := 0
	err := s.db.InTx(ctx, func(q Querier) error {
		n = 0
		set, err := s.slaSettingsIn(ctx, q)
		if err != nil {
			return err
		}
		from, lock := "cases c", ""
		if s.db.Dialect() == "postgres" {
			lock = " FOR UPDATE OF c SKIP LOCKED"
		} else {
			from += " INDEXED BY cases_active_sla_generation"
		}
		rows, err := q.Query(ctx, `SELECT `+caseCols("c.")+`, COALESCE(g.segment, '') FROM `+from+` LEFT JOIN customer_segments g ON g.customer_id = c.customer_id
			WHERE `+activeCases+` AND c.sla_generation < ? ORDER BY c.sla_generation LIMIT ?`+lock, set.Generation, limit)
		if err != nil {
			return err
		}
		type stale struct {
			c   *portal.Case
			seg string
		}
		var cs []stale
		for rows.Next() {
			var seg string
			c, err := scanCase(rows, &seg)
			if err != nil {
				rows.Close()
				return err
			}
			cs = append(cs, stale{c, seg})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var w slaWrites
		for _, x := range cs {
			c := x.c
			before := []*time.Time{c.FirstResponseDue, c.NextResponseDue, c.ResolutionDue}
			oldSeg := c.Segment
			c.Segment = x.seg
			c.RecomputeSLA(set)
			moved := !sameTimes(before, []*time.Time{c.FirstResponseDue, c.NextResponseDue, c.ResolutionDue})
			if !moved && oldSeg == c.Segment {
				w.same = append(w.same, c.ID)
				continue
			}
			w.changed = append(w.changed, c)
			if oldSeg != c.Segment && moved {
				body := fmt.Sprintf("Customer segment: %s → %s; the segment's SLA targets apply.", segmentName(oldSeg), segmentName(c.Segment))
				if err := insertEntry(ctx, q, &portal.CaseEntry{CaseID: c.ID, Kind: portal.EntryEvent, Channel: portal.ChannelSystem, Body: body, CreatedAt: now}); err != nil {
					return err
				}
			}
		}
		if err := s.writeSLA(ctx, q, w, set.Generation, now); err != nil {
			return err
		}
		n = len(cs)
		return nil
	})
	return n, wrap("recompute sla", err)
}

func segmentName(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func sameTimes(a, b []*time.Time) bool {
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) || a[i] != nil && !a[i].Equal(*b[i]) {
			return false
		}
	}
	return true
}

// SLARecomputeProgress returns how many open cases wait for a recompute,
// of how many open cases.
func (s *Store) SLARecomputeProgress(ctx context.Context) (left, open int, err error) {
	var gen int64
	if err := s.db.QueryRow(ctx, `SELECT generation FROM sla_generation WHERE id = 1`).Scan(&gen); err != nil {
		return 0, 0, wrap("sla recompute progress", err)
	}
	hint := ""
	if s.db.Dialect() == "sqlite" {
		hint = " INDEXED BY cases_active_sla_generation"
	}
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM cases c`+hint+` WHERE `+activeCases+` AND c.sla_generation < ?`, gen).Scan(&left); err != nil {
		return 0, 0, wrap("sla recompute progress", err)
	}
	if left == 0 {
		return 0, 0, nil
	}
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM cases c WHERE `+activeCases).Scan(&open); err != nil {
		return 0, 0, wrap("sla recompute progress", err)
	}
	return left, open, nil
}

// slaCache is the SLA settings as last read, with what says they are
// still current: the settings generation (every change of a policy or a
// calendar counts it up) and the newest calendar's id (a new calendar
// does not).
type slaCache struct {
	gen, maxCalendar int64
	set              *portal.SLASettings
}

// slaSettingsIn returns the SLA settings for a change of cases in q: the
// cached ones while current (one small query instead of three; every case
// change and every inbound email reads them), else read afresh. Callers
// must not change what it returns.
func (s *Store) slaSettingsIn(ctx context.Context, q Querier) (*portal.SLASettings, error) {
	var gen, maxCal int64
	if err := q.QueryRow(ctx, `SELECT generation, COALESCE((SELECT MAX(id) FROM sla_calendars), 0) FROM sla_generation WHERE id = 1`).Scan(&gen, &maxCal); err != nil {
		return nil, err
	}
	if c := s.sla.Load(); c != nil && c.gen == gen && c.maxCalendar == maxCal {
		return c.set, nil
	}
	set, err := slaSettings(ctx, q)
	if err != nil {
		return nil, err
	}
	if set.Generation == gen {
		s.sla.Store(&slaCache{gen: gen, maxCalendar: maxCal, set: set})
	}
	return set, nil
}

// slaWrites are a recompute's changes: cases whose due times or segment
// changed, and those that only take the new generation.
type slaWrites struct {
	changed []*portal.Case
	same    []int64
}

// writeSLA stores a recompute's changes: on PostgreSQL in two statements
// over unnest arrays, elsewhere a statement per case (SQLite's are calls
// in the process, not round trips).
func (s *Store) writeSLA(ctx context.Context, q Querier, w slaWrites, gen int64, now time.Time) error {
	if s.db.Dialect() == "postgres" {
		if len(w.same) > 0 {
			if _, err := q.Exec(ctx, `UPDATE cases SET sla_generation = ? WHERE id = ANY(CAST(? AS BIGINT[]))`, gen, w.same); err != nil {
				return err
			}
		}
		if len(w.changed) == 0 {
			return nil
		}
		n := len(w.changed)
		ids, segs := make([]int64, n), make([]string, n)
		fr, nr, res, due := make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
		for i, c := range w.changed {
			ids[i], segs[i], fr[i], nr[i], res[i], due[i] = c.ID, c.Segment, c.FirstResponseDue, c.NextResponseDue, c.ResolutionDue, c.DueAt
		}
		_, err := q.Exec(ctx, `UPDATE cases c SET segment = v.seg, first_response_due = v.fr, next_response_due = v.nr, resolution_due = v.res, due_at = v.due,
			sla_generation = ?, sla_check_at = ?, updated_at = ?
			FROM unnest(CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TIMESTAMPTZ[]), CAST(? AS TIMESTAMPTZ[]), CAST(? AS TIMESTAMPTZ[]), CAST(? AS TIMESTAMPTZ[]))
			AS v (id, seg, fr, nr, res, due) WHERE c.id = v.id`, gen, checkNow, now, ids, segs, fr, nr, res, due)
		return err
	}
	for _, id := range w.same {
		if _, err := q.Exec(ctx, `UPDATE cases SET sla_generation = ? WHERE id = ?`, gen, id); err != nil {
			return err
		}
	}
	for _, c := range w.changed {
		if _, err := q.Exec(ctx, `UPDATE cases SET segment = ?, first_response_due = ?, next_response_due = ?, resolution_due = ?, due_at = ?, sla_generation = ?, sla_check_at = ?, updated_at = ? WHERE id = ?`,
			c.Segment, c.FirstResponseDue, c.NextResponseDue, c.ResolutionDue, c.DueAt, gen, checkNow, now, c.ID); err != nil {
			return err
		}
	}
	return nil
}
