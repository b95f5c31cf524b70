package sqlstore

import (
	"cmp"
	"context"
	"slices"
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

// commitAppends stores a group of messages in one transaction. A message
// that cannot be stored for a reason of its own (no such conversation, a
// state that moved on, a client id already stored) gets its error and the
// others carry on. A statement that fails rolls the whole group back; then
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
		for _, r := range live {
			if err := s.appendIn(q, r, true); err != nil {
				return err
			}
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

// appendAlone stores one message in a transaction of its own. A client id
// stored meanwhile by another node (a unique violation) is looked up again.
func (s *Store) appendAlone(r *appendReq) {
	saved := *r.m
	for try := 0; ; try++ {
		err := s.db.InTx(context.WithoutCancel(r.ctx), func(q Querier) error { return s.appendIn(q, r, false) })
		if err != nil && try == 0 && r.m.ClientID != "" && s.db.IsUniqueViolation(err) {
			*r.m = saved
			continue
		}
		if err != nil {
			r.stored, r.err = false, wrap("append message", err)
		}
		return
	}
}

// appendIn stores r's message in q's transaction. Outcomes of the message's
// own (duplicate, not found, conflict) go into r; a returned error means
// the transaction cannot go on.
func (s *Store) appendIn(q Querier, r *appendReq, batched bool) error {
	// Once taken, a message is committed or fails for a reason of its own,
	// whatever becomes of its caller's context (which it would otherwise
	// also cost a goroutine per statement to watch).
	ctx, m := context.WithoutCancel(r.ctx), r.m
	if h := s.appends.hook; h != nil {
		if err := h(m, batched); err != nil {
			return err
		}
	}
	if m.ClientID != "" {
		// "client_id <> ''" lets the planner use the partial index on
		// client ids: it cannot tell that a parameter is not ''.
		old, err := scanMessage(q.QueryRow(ctx, `SELECT `+msgCols+` FROM messages WHERE conversation_id = ? AND client_id = ? AND client_id <> ''`, m.ConversationID, m.ClientID))
		if err == nil {
			*m = *old
			r.stored, r.err = false, nil
			return nil
		} else if !portal.IsNotFound(notFound(err, "")) {
			return err
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
			return err
		}
		r.stored, r.err = false, portal.Errorf(portal.ECONFLICT, "This chat has changed meanwhile.")
		if n == 0 {
			r.err = portal.Errorf(portal.ENOTFOUND, "Conversation not found.")
		}
		m.Seq = 0
		return nil
	} else if err != nil {
		return err
	}
	if err := q.QueryRow(ctx, `INSERT INTO messages (conversation_id, seq, client_id, author, author_id, body, internal, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.ConversationID, m.Seq, m.ClientID, m.Author, m.AuthorID, m.Body, m.Internal, m.Meta, m.CreatedAt).Scan(&m.ID); err != nil {
		return err
	}
	r.stored, r.err = true, nil
	return nil
}
