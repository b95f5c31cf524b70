package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/frontdesk/frontdesk/portal"
)

// maxAppendBatch bounds the messages committed in one transaction.
const maxAppendBatch = 256

// appendReq is one AppendMessage waiting for its commit.
type appendReq struct {
	ctx     context.Context
	m       *portal.Message
	ifState []portal.ConversationState
	stored  bool
	err     error
	done    chan struct{}
}

// appender commits messages in groups: appends that arrive while a
// transaction is under way wait and go together into the next one, so a
// busy chat pays one commit (one WAL write, one fsync) for many messages
// instead of one each. Each caller still returns only after the
// transaction holding its message has committed.
//
// A database that runs several write transactions at once (PostgreSQL, see
// ConcurrentWriters) gets that many committing goroutines, each taking what
// is pending when it is free; SQLite, with its single writer, gets one.
type appender struct {
	mu      sync.Mutex
	pending []*appendReq
	running int // goroutines committing; they take pending next
	// hook, when set (tests only), runs before each message's statements
	// and fails the message with its error.
	hook func(m *portal.Message, batched bool) error
	// writers, when set (tests only), overrides ConcurrentWriters.
	writers int
}

// AppendMessage stores a message with the next sequence number. Taking the
// number and inserting happen in one transaction that holds the
// conversation's row, so numbers have no gaps and no repeats; a client id
// already stored returns the stored message. Concurrent appends share a
// transaction (group commit); AppendMessage returns once its message is
// committed.
func (s *Store) AppendMessage(ctx context.Context, m *portal.Message, ifState ...portal.ConversationState) (bool, error) {
	if err := m.Validate(); err != nil {
		return false, err
	}
	m.CreatedAt = s.now()
	r := &appendReq{ctx: ctx, m: m, ifState: ifState, done: make(chan struct{})}
	a := &s.appends
	a.mu.Lock()
	a.pending = append(a.pending, r)
	if a.running < s.writers() {
		a.running++
		go s.runAppends()
	}
	a.mu.Unlock()
	// Wait even if ctx ends: the message may be in a transaction already,
	// and m is not ours to give back until it is settled.
	<-r.done
	return r.stored, r.err
}

// ConcurrentWriters is implemented by a DB on which several write
// transactions make progress at once, each locking only the rows it
// writes; it says how many the group commit may run. Without it, one.
type ConcurrentWriters interface {
	ConcurrentWriters() int
}

func (s *Store) writers() int {
	if s.appends.writers > 0 {
		return s.appends.writers
	}
	if w, ok := s.db.(ConcurrentWriters); ok {
		return max(1, w.ConcurrentWriters())
	}
	return 1
}

// runAppends commits pending appends, a group at a time, until none are left.
func (s *Store) runAppends() {
	a := &s.appends
	for {
		a.mu.Lock()
		batch := a.pending
		if len(batch) > maxAppendBatch {
			a.pending = slices.Clone(batch[maxAppendBatch:])
			batch = batch[:maxAppendBatch]
		} else {
			a.pending = nil
		}
		if len(batch) == 0 {
			a.running--
			a.mu.Unlock()
			return
		}
		a.mu.Unlock()
		s.commitAppends(batch)
		for _, r := range batch {
			close(r.done)
		}
	}
}

// commitAppends stores a group of messages in one transaction: a sequence
// number for each (one UPDATE each, taking the conversations' rows), then
// one multi-row INSERT for them all. A message that cannot be stored for a
// reason of its own (no such conversation, a state that moved on) gets its
// error and the others carry on. A statement that fails (a client id
// already stored is a unique violation) rolls the whole group back; then
// each message is tried again in a transaction of its own, so one bad
// message costs the others nothing but time.
func (s *Store) commitAppends(batch []*appendReq) {
	live := make([]*appendReq, 0, len(batch))
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 1 {
		s.appendAlone(live[0])
		return
	}
	if len(live) == 0 {
		return
	}
	// Take conversations' rows in id order, so that two nodes' groups
	// (PostgreSQL) never wait for each other in a cycle; a stable sort
	// keeps each conversation's messages in the order they came.
	slices.SortStableFunc(live, func(x, y *appendReq) int { return cmp.Compare(x.m.ConversationID, y.m.ConversationID) })
	saved := make([]portal.Message, len(live))
	for i, r := range live {
		saved[i] = *r.m
	}
	ran := false
	err := s.db.InTx(context.WithoutCancel(live[0].ctx), func(q Querier) error {
		numbered := make([]*appendReq, 0, len(live))
		for _, r := range live {
			ok, err := s.numberIn(q, r, true)
			if err != nil {
				return err
			}
			if ok {
				numbered = append(numbered, r)
			}
		}
		if err := s.insertIn(q, numbered); err != nil {
			return err
		}
		ran = true
		return nil
	})
	switch {
	case err == nil:
	case ran:
		// The commit itself failed: whether it happened is unknown, so no
		// message is acknowledged and none is tried again here (a client
		// retries with its client id, which cannot store it twice).
		for _, r := range live {
			r.stored, r.err = false, wrap("append message", err)
		}
	default:
		for i, r := range live {
			*r.m = saved[i]
			r.stored, r.err = false, nil
			s.appendAlone(r)
		}
	}
}

// appendAlone stores one message in a transaction of its own: first
// without looking for its client id (a duplicate is rare, and the unique
// index refuses it), then, after a unique violation, looking first.
func (s *Store) appendAlone(r *appendReq) {
	saved := *r.m
	for try := 0; ; try++ {
		lookFirst := try > 0
		err := s.db.InTx(context.WithoutCancel(r.ctx), func(q Querier) error {
			if lookFirst {
				if dup, err := s.duplicateIn(q, r); dup || err != nil {
					return err
				}
			}
			ok, err := s.numberIn(q, r, false)
			if err != nil || !ok {
				return err
			}
			return s.insertIn(q, []*appendReq{r})
		})
		// A client id stored meanwhile (by another node, on PostgreSQL)
		// can make the second try fail too.
		if err != nil && try < 2 && r.m.ClientID != "" && s.db.IsUniqueViolation(err) {
			*r.m = saved
			continue
		}
		if err != nil {
			r.stored, r.err = false, wrap("append message", err)
		}
		return
	}
}

// duplicateIn looks for r's client id in its conversation; when stored,
// r's message becomes the stored one.
func (s *Store) duplicateIn(q Querier, r *appendReq) (bool, error) {
	m := r.m
	if m.ClientID == "" {
		return false, nil
	}
	// "client_id <> ''" lets the planner use the partial index on client
	// ids: it cannot tell that a parameter is not ''.
	old, err := scanMessage(q.QueryRow(context.WithoutCancel(r.ctx), `SELECT `+msgCols+` FROM messages WHERE conversation_id = ? AND client_id = ? AND client_id <> ''`, m.ConversationID, m.ClientID))
	if portal.IsNotFound(notFound(err, "")) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	*m = *old
	r.stored, r.err = false, nil
	return true, nil
}

// numberIn takes r's message's sequence number in q's transaction, if its
// conversation exists and is in a state r allows; otherwise r gets the
// error and numberIn reports false. A returned error means the transaction
// cannot go on.
func (s *Store) numberIn(q Querier, r *appendReq, batched bool) (bool, error) {
	// Once taken, a message is committed or fails for a reason of its own,
	// whatever becomes of its caller's context (which it would otherwise
	// also cost a goroutine per statement to watch).
	ctx, m := context.WithoutCancel(r.ctx), r.m
	if h := s.appends.hook; h != nil {
		if err := h(m, batched); err != nil {
			return false, err
		}
	}
	cond, args := "id = ?", []any{m.CreatedAt, m.ConversationID}
	if len(r.ifState) > 0 {
		cond += " AND state IN (" + placeholders(len(r.ifState)) + ")"
		for _, st := range r.ifState {
			args = append(args, string(st))
		}
	}
	err := q.QueryRow(ctx, `UPDATE conversations SET last_seq = last_seq + 1, updated_at = ? WHERE `+cond+` RETURNING last_seq`, args...).Scan(&m.Seq)
	if portal.IsNotFound(notFound(err, "")) {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM conversations WHERE id = ?`, m.ConversationID).Scan(&n); err != nil {
			return false, err
		}
		r.stored, r.err = false, portal.Errorf(portal.ECONFLICT, "This chat has changed meanwhile.")
		if n == 0 {
			r.err = portal.Errorf(portal.ENOTFOUND, "Conversation not found.")
		}
		m.Seq = 0
		return false, nil
	} else if err != nil {
		return false, err
	}
	return true, nil
}

const msgInsertCols = `(conversation_id, seq, client_id, author, author_id, body, internal, meta, created_at)`

// maxInsertRows bounds the rows of one INSERT; groups go in INSERTs of
// 64, 32, ... 1 rows, so that a few statement texts cover every size (and
// stay prepared).
const maxInsertRows = 64

// insertIn inserts the numbered messages of rs in q's transaction.
func (s *Store) insertIn(q Querier, rs []*appendReq) error {
	for len(rs) > 0 {
		n := maxInsertRows
		for n > len(rs) {
			n /= 2
		}
		chunk := rs[:n]
		rs = rs[n:]
		var b strings.Builder
		b.WriteString(`INSERT INTO messages ` + msgInsertCols + ` VALUES `)
		args := make([]any, 0, 9*n)
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			m := r.m
			args = append(args, m.ConversationID, m.Seq, m.ClientID, m.Author, m.AuthorID, m.Body, m.Internal, m.Meta, m.CreatedAt)
		}
		b.WriteString(` RETURNING conversation_id, seq, id`)
		rows, err := q.Query(context.WithoutCancel(chunk[0].ctx), b.String(), args...)
		if err != nil {
			return err
		}
		got := 0
		for rows.Next() {
			var conv, seq, id int64
			if err := rows.Scan(&conv, &seq, &id); err != nil {
				rows.Close()
				return err
			}
			// The order of RETURNING rows is not promised: match them.
			for _, r := range chunk {
				if r.m.ConversationID == conv && r.m.Seq == seq {
					r.m.ID = id
					r.stored, r.err = true, nil
					got++
					break
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if got != len(chunk) {
			return fmt.Errorf("insert messages: %d of %d rows returned", got, len(chunk))
		}
	}
	return nil
}
