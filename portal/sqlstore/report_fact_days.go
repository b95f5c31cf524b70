package sqlstore

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// factDay names one day's block of one kind of facts.
type factDay struct {
	kind string
	day  int64
}

const usPerDay = 24 * 60 * 60 * 1_000_000

// dayOf is t's UTC day, counted from 1970-01-01.
func dayOf(t time.Time) int64 {
	us := t.UnixMicro()
	d := us / usPerDay
	if us < 0 && us%usPerDay != 0 {
		d--
	}
	return d
}

func dayStart(d int64) time.Time { return time.UnixMicro(d * usPerDay).UTC() }

// oldDays adds the days the stored facts of ids were created on.
func oldDays(ctx context.Context, q Querier, kind, table, col string, ids []int64, days map[factDay]bool) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		rows, err := q.Query(ctx, `SELECT created_at FROM `+table+` WHERE `+col+` IN (`+placeholders(n)+`)`, anyIDs(ids[:n])...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var t time.Time
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return err
			}
			days[factDay{kind, dayOf(t)}] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// writeFactDays packs each day's facts anew from the facts' rows.
func writeFactDays(ctx context.Context, q Querier, days map[factDay]bool) error {
	for d := range days {
		from, to := dayStart(d.day), dayStart(d.day+1)
		var data []byte
		var n int
		if d.kind == portal.FactChat {
			cs, err := chatFactRows(ctx, q, `created_at >= ? AND created_at < ?`, from, to)
			if err != nil {
				return err
			}
			for i := range cs {
				data = appendChatFact(data, &cs[i])
			}
			n = len(cs)
		} else {
			cs, err := caseFactRows(ctx, q, `created_at >= ? AND created_at < ?`, from, to)
			if err != nil {
				return err
			}
			for i := range cs {
				data = appendCaseFact(data, &cs[i])
			}
			n = len(cs)
		}
		var err error
		if n == 0 {
			_, err = q.Exec(ctx, `DELETE FROM report_fact_days WHERE kind = ? AND day = ?`, d.kind, d.day)
		} else {
			_, err = q.Exec(ctx, `INSERT INTO report_fact_days (kind, day, items, data, version) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (kind, day) DO UPDATE SET items = excluded.items, data = excluded.data, version = excluded.version`,
				d.kind, d.day, n, data, rand.Int64())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// factDayCache keeps decoded day blocks, each with the version it was
// decoded from: a report asks the versions and reads only changed blocks.
type factDayCache struct {
	mu    sync.Mutex
	chats map[int64]cachedDay[portal.ChatFact]
	cases map[int64]cachedDay[portal.CaseFact]
}

type cachedDay[F any] struct {
	version int64
	facts   []F
}

// maxCachedDays bounds each kind's cache (two years of days and some).
const maxCachedDays = 800

// dayVersions lists the versions of kind's blocks of days [from, to], by day.
func (s *Store) dayVersions(ctx context.Context, kind string, from, to int64) (days, versions []int64, err error) {
	rows, err := s.db.Query(ctx, `SELECT day, version FROM report_fact_days WHERE kind = ? AND day >= ? AND day <= ? ORDER BY day`, kind, from, to)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d, v int64
		if err := rows.Scan(&d, &v); err != nil {
			return nil, nil, err
		}
		days, versions = append(days, d), append(versions, v)
	}
	return days, versions, rows.Err()
}

// readBlocks calls fn with each of the days' blocks and its version.
func (s *Store) readBlocks(ctx context.Context, kind string, days []int64, fn func(day, version int64, data []byte) error) error {
	for len(days) > 0 {
		n := min(len(days), 500)
		args := append([]any{kind}, anyIDs(days[:n])...)
		rows, err := s.db.Query(ctx, `SELECT day, version, data FROM report_fact_days WHERE kind = ? AND day IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d, v int64
			var b []byte
			if err := rows.Scan(&d, &v, &b); err != nil {
				rows.Close()
				return err
			}
			if err := fn(d, v, b); err != nil {
				rows.Close()
				return err
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
		days = days[n:]
	}
	return nil
}

// chatDays returns the decoded chat facts of the days that may hold facts
// created in [from, to), in day order, from the cache where the block did
// not change.
func (s *Store) chatDays(ctx context.Context, from, to time.Time) ([][]portal.ChatFact, int, error) {
	return cachedDays(ctx, s, portal.FactChat, from, to, &s.days.chats, func(b []byte) ([]portal.ChatFact, error) {
		return decodeChatFacts(b, nil, func(*portal.ChatFact) bool { return true })
	})
}

// caseDays is chatDays for cases.
func (s *Store) caseDays(ctx context.Context, from, to time.Time) ([][]portal.CaseFact, int, error) {
	return cachedDays(ctx, s, portal.FactCase, from, to, &s.days.cases, func(b []byte) ([]portal.CaseFact, error) {
		return decodeCaseFacts(b, nil, func(*portal.CaseFact) bool { return true })
	})
}

// cachedDays returns kind's decoded facts of the days that may hold facts
// created in [from, to), in day order, and how many there are: from cache
// (guarded by s.days.mu) where the block's version did not change, read and
// decoded where it did.
func cachedDays[F any](ctx context.Context, s *Store, kind string, from, to time.Time, cache *map[int64]cachedDay[F], decode func([]byte) ([]F, error)) ([][]F, int, error) {
	days, versions, err := s.dayVersions(ctx, kind, dayOf(from), dayOf(to.Add(-time.Microsecond)))
	if err != nil {
		return nil, 0, err
	}
	mu := &s.days.mu
	out := make([][]F, len(days))
	at := make(map[int64]int, len(days))
	var missing []int64
	mu.Lock()
	for i, d := range days {
		at[d] = i
		if e, ok := (*cache)[d]; ok && e.version == versions[i] {
			out[i] = e.facts
		} else {
			missing = append(missing, d)
		}
	}
	mu.Unlock()
	err = s.readBlocks(ctx, kind, missing, func(d, v int64, b []byte) error {
		fs, err := decode(b)
		if err != nil {
			return err
		}
		if i, ok := at[d]; ok {
			out[i] = fs
		}
		mu.Lock()
		if *cache == nil || len(*cache) >= maxCachedDays {
			*cache = map[int64]cachedDay[F]{}
		}
		(*cache)[d] = cachedDay[F]{v, fs}
		mu.Unlock()
		return nil
	})
	n := 0
	for _, fs := range out {
		n += len(fs)
	}
	return out, n, err
}

// The blocks' encoding: per item, varints in a fixed order; a bit set
// says which optional values follow.
const (
	hasHandler = 1 << iota
	hasTeam
	hasWait
	hasBusinessWait
	hasResolution
	hasBusinessResolution
	hasComment
	hasFirstResponse
	hasFirstResponseDue
	hasNextDue
	hasResolutionDue
)

func appendOpt(b []byte, present *uint64, bit uint64, v *int64) []byte {
	if v == nil {
		return b
	}
	*present |= bit
	return binary.AppendVarint(b, *v)
}

func durPtr(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	v := int64(*d)
	return &v
}

func usPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.UnixMicro()
	return &v
}

func appendChatFact(b []byte, c *portal.ChatFact) []byte {
	var present uint64
	var opt []byte
	opt = appendOpt(opt, &present, hasHandler, c.HandlerID)
	opt = appendOpt(opt, &present, hasWait, durPtr(c.Wait))
	opt = appendOpt(opt, &present, hasBusinessWait, durPtr(c.BusinessWait))
	opt = appendOpt(opt, &present, hasResolution, durPtr(c.Resolution))
	opt = appendOpt(opt, &present, hasBusinessResolution, durPtr(c.BusinessResolution))
	if c.Comment != "" {
		present |= hasComment
		opt = binary.AppendVarint(opt, c.CommentAt.UnixMicro())
		opt = binary.AppendUvarint(opt, uint64(len(c.Comment)))
		opt = append(opt, c.Comment...)
	}
	flags := 0
	for bit, on := range [...]bool{c.Queued, c.AfterFailures, c.HasCase, c.BotOnly, c.Unanswered} {
		if on {
			flags |= 1 << bit
		}
	}
	b = binary.AppendVarint(b, c.ID)
	b = binary.AppendVarint(b, c.CreatedAt.UnixMicro())
	b = binary.AppendUvarint(b, uint64(flags))
	b = binary.AppendUvarint(b, uint64(c.Rating))
	b = binary.AppendUvarint(b, present)
	return append(b, opt...)
}

func appendCaseFact(b []byte, c *portal.CaseFact) []byte {
	var present uint64
	var opt []byte
	opt = appendOpt(opt, &present, hasHandler, c.HandlerID)
	opt = appendOpt(opt, &present, hasTeam, c.TeamID)
	opt = appendOpt(opt, &present, hasFirstResponse, durPtr(c.FirstResponse))
	opt = appendOpt(opt, &present, hasFirstResponseDue, usPtr(c.FirstResponseDue))
	opt = appendOpt(opt, &present, hasNextDue, usPtr(c.NextDue))
	opt = appendOpt(opt, &present, hasResolution, durPtr(c.Resolution))
	opt = appendOpt(opt, &present, hasResolutionDue, usPtr(c.ResolutionDue))
	flags := 0
	if c.Answered {
		flags |= caseAnswered
	}
	if c.Merged {
		flags |= caseMerged
	}
	b = binary.AppendVarint(b, c.ID)
	b = binary.AppendVarint(b, c.CreatedAt.UnixMicro())
	b = binary.AppendUvarint(b, uint64(len(c.Channel)))
	b = append(b, c.Channel...)
	b = binary.AppendUvarint(b, uint64(flags))
	b = binary.AppendUvarint(b, uint64(c.FirstResponseSLA))
	b = binary.AppendUvarint(b, uint64(c.ResolutionSLA))
	b = binary.AppendUvarint(b, uint64(c.NextMet))
	b = binary.AppendUvarint(b, uint64(c.NextBreached))
	b = binary.AppendUvarint(b, present)
	return append(b, opt...)
}

var errBadBlock = errors.New("report facts: damaged day block")

// blockReader reads varints off a block, remembering the first error.
// The optional values it hands out point into slabs, a few allocations a
// block rather than several an item.
type blockReader struct {
	b     []byte
	err   error
	ints  []int64
	durs  []time.Duration
	times []time.Time
}

func slab[T any](s *[]T) *T {
	if len(*s) == cap(*s) {
		*s = make([]T, 0, 512)
	}
	*s = append(*s, *new(T))
	return &(*s)[len(*s)-1]
}

func (r *blockReader) int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errBadBlock, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *blockReader) uint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errBadBlock, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *blockReader) str() string {
	n := r.uint()
	if uint64(len(r.b)) < n {
		r.err, r.b = errBadBlock, nil
		return ""
	}
	b := r.b[:n]
	r.b = r.b[n:]
	// The channels, without a copy each.
	for _, c := range [...]string{portal.ChannelChat, portal.ChannelPortal, portal.ChannelEmail, portal.ChannelAPI} {
		if string(b) == c {
			return c
		}
	}
	return string(b)
}

func (r *blockReader) opt(present, bit uint64) *int64 {
	if present&bit == 0 {
		return nil
	}
	v := slab(&r.ints)
	*v = r.int()
	return v
}

func (r *blockReader) dur(present, bit uint64) *time.Duration {
	if present&bit == 0 {
		return nil
	}
	d := slab(&r.durs)
	*d = time.Duration(r.int())
	return d
}

func (r *blockReader) at(present, bit uint64) *time.Time {
	if present&bit == 0 {
		return nil
	}
	t := slab(&r.times)
	*t = time.UnixMicro(r.int()).UTC()
	return t
}

// decodeChatFacts appends the block's facts that keep accepts to out.
func decodeChatFacts(b []byte, out []portal.ChatFact, keep func(*portal.ChatFact) bool) ([]portal.ChatFact, error) {
	r := &blockReader{b: b}
	for len(r.b) > 0 && r.err == nil {
		var c portal.ChatFact
		c.ID = r.int()
		c.CreatedAt = time.UnixMicro(r.int()).UTC()
		flags := r.uint()
		c.Queued, c.AfterFailures, c.HasCase = flags&1 != 0, flags&2 != 0, flags&4 != 0
		c.BotOnly, c.Unanswered = flags&8 != 0, flags&16 != 0
		c.Rating = int(r.uint())
		present := r.uint()
		c.HandlerID = r.opt(present, hasHandler)
		c.Wait = r.dur(present, hasWait)
		c.BusinessWait = r.dur(present, hasBusinessWait)
		c.Resolution = r.dur(present, hasResolution)
		c.BusinessResolution = r.dur(present, hasBusinessResolution)
		if present&hasComment != 0 {
			c.CommentAt = time.UnixMicro(r.int()).UTC()
			c.Comment = r.str()
		}
		if r.err == nil && keep(&c) {
			out = append(out, c)
		}
	}
	return out, r.err
}

// decodeCaseFacts appends the block's facts that keep accepts to out.
func decodeCaseFacts(b []byte, out []portal.CaseFact, keep func(*portal.CaseFact) bool) ([]portal.CaseFact, error) {
	r := &blockReader{b: b}
	for len(r.b) > 0 && r.err == nil {
		var c portal.CaseFact
		c.ID = r.int()
		c.CreatedAt = time.UnixMicro(r.int()).UTC()
		c.Channel = r.str()
		flags := r.uint()
		c.Answered, c.Merged = flags&caseAnswered != 0, flags&caseMerged != 0
		c.FirstResponseSLA = portal.SLAOutcome(r.uint())
		c.ResolutionSLA = portal.SLAOutcome(r.uint())
		c.NextMet = int(r.uint())
		c.NextBreached = int(r.uint())
		present := r.uint()
		c.HandlerID = r.opt(present, hasHandler)
		c.TeamID = r.opt(present, hasTeam)
		c.FirstResponse = r.dur(present, hasFirstResponse)
		c.FirstResponseDue = r.at(present, hasFirstResponseDue)
		c.NextDue = r.at(present, hasNextDue)
		c.Resolution = r.dur(present, hasResolution)
		c.ResolutionDue = r.at(present, hasResolutionDue)
		if r.err == nil && keep(&c) {
			out = append(out, c)
		}
	}
	return out, r.err
}
