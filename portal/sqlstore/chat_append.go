package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
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
	// failures, when set, is the conversation's new bot_failures, set
	// by the statement that numbers the message (AppendBotAnswer).
	failures *int
	// ex, when set, makes this an AppendExchange: m is its question, and
	// its answer is numbered and stored right after m, under ex's
	// conditions.
	ex     *portal.Exchange
	stored bool
	err    error
	done   chan struct{}
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
	return s.append(ctx, m, ifState, nil)
}

// AppendBotAnswer is AppendMessage in state bot that also sets the
// conversation's bot_failures, in the statement that takes its next
// sequence number: the bot's answer and its count of unanswered questions
// cost one commit, not two (an UpdateConversation first).
func (s *Store) AppendBotAnswer(ctx context.Context, m *portal.Message, botFailures int) (bool, error) {
	if botFailures < 0 {
		return false, portal.FieldError("bot_failures", "Must not be negative.")
	}
	return s.append(ctx, m, []portal.ConversationState{portal.ConvBot}, &botFailures)
}

func (s *Store) append(ctx context.Context, m *portal.Message, ifState []portal.ConversationState, failures *int) (bool, error) {
	if err := m.Validate(); err != nil {
		return false, err
	}
	m.CreatedAt = s.now()
	r := &appendReq{ctx: ctx, m: m, ifState: ifState, failures: failures, done: make(chan struct{})}
	s.enqueue(r)
	return r.stored, r.err
}

// AppendExchange stores a question and the bot's answer together (see
// portal.ChatService): the one statement that numbers them checks that
// the conversation is still in state bot with the count of unanswered
// questions the bot saw, and still the asker's. The pair goes through the
// group commit like any append, as one request.
func (s *Store) AppendExchange(ctx context.Context, x *portal.Exchange) (bool, error) {
	if x == nil || x.Question == nil || x.Answer == nil {
		return false, portal.Errorf(portal.EINVALID, "An exchange needs a question and an answer.")
	}
	q, a := x.Question, x.Answer
	switch {
	case q.Author != portal.AuthorCustomer || q.Internal:
		return false, portal.FieldError("author", "The question must be the customer's.")
	case a.Author != portal.AuthorBot || a.Internal:
		return false, portal.FieldError("author", "The answer must be the bot's.")
	case a.ConversationID != q.ConversationID:
		return false, portal.FieldError("conversation_id", "The question and the answer must be in one conversation.")
	case a.ClientID != "":
		return false, portal.FieldError("client_id", "The bot's answer has no client id.")
	case x.BotFailures < 0 || x.WasFailures < 0:
		return false, portal.FieldError("bot_failures", "Must not be negative.")
	case x.CustomerID == nil && x.VisitorID == "":
		return false, portal.Errorf(portal.EINVALID, "An exchange needs the asker: a customer or a visitor.")
	}
	if err := q.Validate(); err != nil {
		return false, err
	}
	if err := a.Validate(); err != nil {
		return false, err
	}
	q.CreatedAt = s.now()
	a.CreatedAt = q.CreatedAt
	failures := x.BotFailures
	r := &appendReq{ctx: ctx, m: q, ifState: []portal.ConversationState{portal.ConvBot}, failures: &failures, ex: x, done: make(chan struct{})}
	s.enqueue(r)
	if r.err != nil {
		if c := portal.ErrorCode(r.err); c == portal.ECONFLICT || c == portal.ENOTFOUND {
			// Not as the bot saw it (or gone): the caller's usual path
			// says what it is now.
			return false, nil
		}
		return false, r.err
	}
	if !r.stored {
		r.unsettle()
	}
	return r.stored, nil
}

// unsettle undoes what a transaction that did not commit wrote into an
// exchange's answer (its question is restored by the callers, as any
// message).
func (r *appendReq) unsettle() {
	if r.ex != nil {
		r.ex.Answer.Seq, r.ex.Answer.ID = 0, 0
		if !r.stored {
			r.m.Seq, r.m.ID = 0, 0
		}
	}
}

// enqueue hands r to the group commit and waits until it is settled.
func (s *Store) enqueue(r *appendReq) {
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
	if b, ok := s.db.(Batcher); ok && s.oneStatementAppend() {
		s.commitBatch(b, live, saved)
		return
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
			r.unsettle()
			s.appendAlone(r)
		}
	}
}

// appendAlone stores one message in a transaction of its own: first
// without looking for its client id (a duplicate is rare, and the unique
// index refuses it), then, after a unique violation, looking first.
func (s *Store) appendAlone(r *appendReq) {
	saved := *r.m
	if s.oneStatementAppend() {
		s.appendStatement(r, saved)
		return
	}
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
			r.unsettle()
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
	if r.ex != nil {
		// An exchange whose question is stored already stores nothing:
		// its caller acknowledges the stored one (AppendMessage).
		var n int
		if err := q.QueryRow(context.WithoutCancel(r.ctx), `SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND client_id = ? AND client_id <> ''`, m.ConversationID, m.ClientID).Scan(&n); err != nil || n == 0 {
			return false, err
		}
		r.stored, r.err = false, nil
		return true, nil
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
	if err := s.appendHook(r, batched); err != nil {
		return false, err
	}
	bot, agentAt := reportFacts(m)
	step := "1"
	if r.ex != nil {
		bot, step = 1, "2" // the answer is the bot's
	}
	set, args := "", []any{m.CreatedAt, bot, agentAt}
	if r.failures != nil {
		set = ", bot_failures = ?"
		args = append(args, *r.failures)
	}
	cond := "id = ?"
	args = append(args, m.ConversationID)
	if len(r.ifState) > 0 {
		cond += " AND state IN (" + placeholders(len(r.ifState)) + ")"
		for _, st := range r.ifState {
			args = append(args, string(st))
		}
	}
	if r.ex != nil {
		c, a := exchangeCond(r.ex, false)
		cond += c
		args = append(args, a...)
	}
	err := q.QueryRow(ctx, `UPDATE conversations SET last_seq = last_seq + `+step+`, updated_at = ?, `+
		`bot_messages = bot_messages + ?, first_agent_at = COALESCE(first_agent_at, ?)`+set+` WHERE `+cond+` RETURNING last_seq`, args...).Scan(&m.Seq)
	if portal.IsNotFound(notFound(err, "")) {
		return false, s.refused(ctx, q, r)
	} else if err != nil {
		return false, err
	}
	if r.ex != nil {
		r.ex.Answer.Seq = m.Seq
		m.Seq--
	}
	return true, nil
}

// exchangeCond is the condition, beyond its state, that an exchange's
// conversation must meet: the bot's count of unanswered questions as the
// bot saw it, and the asker's. pg adds PostgreSQL's parameter casts.
func exchangeCond(x *portal.Exchange, pg bool) (string, []any) {
	i, b, t := "", "", ""
	if pg {
		i, b, t = "::integer", "::bigint", "::text"
	}
	if x.CustomerID != nil {
		return " AND bot_failures = ?" + i + " AND customer_id = ?" + b, []any{x.WasFailures, *x.CustomerID}
	}
	return " AND bot_failures = ?" + i + " AND visitor_id = ?" + t + " AND customer_id IS NULL", []any{x.WasFailures, x.VisitorID}
}

// appendHook runs the tests' hook, if any, before r's statements.
func (s *Store) appendHook(r *appendReq, batched bool) error {
	if h := s.appends.hook; h != nil {
		return h(r.m, batched)
	}
	return nil
}

// refused gives r the reason its conversation refused the message: there
// is no such conversation, or it is in a state r does not allow. A
// returned error means q failed.
func (s *Store) refused(ctx context.Context, q Querier, r *appendReq) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM conversations WHERE id = ?`, r.m.ConversationID).Scan(&n); err != nil {
		return err
	}
	r.stored, r.err = false, portal.Errorf(portal.ECONFLICT, "This chat has changed meanwhile.")
	if n == 0 {
		r.err = portal.Errorf(portal.ENOTFOUND, "Conversation not found.")
	}
	r.m.Seq = 0
	r.unsettle()
	return nil
}

// oneStatementAppend reports whether a message is numbered and stored by
// one statement (appendStmt): PostgreSQL runs data-modifying WITH
// clauses, so an append costs one round trip instead of four (BEGIN,
// UPDATE, INSERT, COMMIT), and a group of them one round trip in all.
// SQLite has no such clause, and no round trips to save.
func (s *Store) oneStatementAppend() bool { return s.db.Dialect() == "postgres" }

// appendStmts holds appendStmt's statement texts by appendStmtKey (few:
// no state or the bot's one, with or without bot_failures).
var appendStmts sync.Map

type appendStmtKey struct {
	states   int
	failures bool
	// exchange: 1 a customer's, 2 a guest's (exchangeCond)
	exchange int
}

// appendStmt returns the statement that numbers and inserts r's message:
// the UPDATE takes the conversation's row and its next number, the INSERT
// stores the message with it, and the statement returns the message's
// seq and id, or no row when the conversation is missing or in a state r
// does not allow. Being one statement, it takes effect whole or not at
// all: a client id already stored (a unique violation) leaves no gap.
func appendStmt(r *appendReq) (string, []any) {
	m := r.m
	key := appendStmtKey{states: len(r.ifState), failures: r.failures != nil}
	var exCond string
	var exArgs []any
	if r.ex != nil {
		key.exchange = 2
		if r.ex.CustomerID != nil {
			key.exchange = 1
		}
		exCond, exArgs = exchangeCond(r.ex, true)
	}
	q, ok := appendStmts.Load(key)
	if !ok {
		cond := "id = ?"
		if len(r.ifState) > 0 {
			cond += " AND state IN (" + placeholders(len(r.ifState)) + ")"
		}
		set := ""
		if key.failures {
			set = ", bot_failures = ?::integer"
		}
		const row = `SELECT ?::bigint, c.last_seq, ?::text, ?::text, ?::bigint, ?::text, ?::boolean, ?::text, ?::timestamptz FROM c`
		if key.exchange == 0 {
			q = `WITH c AS (UPDATE conversations SET last_seq = last_seq + 1, updated_at = ?, ` +
				`bot_messages = bot_messages + ?::integer, first_agent_at = COALESCE(first_agent_at, ?::timestamptz)` + set + ` WHERE ` + cond + ` RETURNING last_seq) ` +
				`INSERT INTO messages ` + msgInsertCols + ` ` + row + ` RETURNING seq, id`
		} else {
			// The question takes the first of the two numbers, the answer
			// the second; one row back: the answer's number and both ids.
			q = `WITH c AS (UPDATE conversations SET last_seq = last_seq + 2, updated_at = ?, ` +
				`bot_messages = bot_messages + ?::integer, first_agent_at = COALESCE(first_agent_at, ?::timestamptz)` + set + ` WHERE ` + cond + exCond + ` RETURNING last_seq), ` +
				`i AS (INSERT INTO messages ` + msgInsertCols + ` ` + strings.Replace(row, "c.last_seq", "c.last_seq - 1", 1) + ` UNION ALL ` + row + ` RETURNING seq, id) ` +
				`SELECT c.last_seq, (SELECT id FROM i WHERE i.seq = c.last_seq - 1), (SELECT id FROM i WHERE i.seq = c.last_seq) FROM c`
		}
		appendStmts.Store(key, q)
	}
	bot, agentAt := reportFacts(m)
	if r.ex != nil {
		bot = 1
	}
	args := make([]any, 0, 25+len(r.ifState))
	args = append(args, m.CreatedAt, bot, agentAt)
	if r.failures != nil {
		args = append(args, *r.failures)
	}
	args = append(args, m.ConversationID)
	for _, st := range r.ifState {
		args = append(args, string(st))
	}
	args = append(args, exArgs...)
	args = append(args, m.ConversationID, m.ClientID, m.Author, m.AuthorID, m.Body, m.Internal, m.Meta, m.CreatedAt)
	if r.ex != nil {
		a := r.ex.Answer
		args = append(args, a.ConversationID, a.ClientID, a.Author, a.AuthorID, a.Body, a.Internal, a.Meta, a.CreatedAt)
	}
	return q.(string), args
}

// scanAppended reads appendStmt's row into r; no row leaves r unsettled
// (refused tells why).
func scanAppended(r *appendReq, row Row) (bool, error) {
	var err error
	if r.ex != nil {
		a := r.ex.Answer
		if err = row.Scan(&a.Seq, &r.m.ID, &a.ID); err == nil {
			r.m.Seq = a.Seq - 1
		}
	} else {
		err = row.Scan(&r.m.Seq, &r.m.ID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		r.m.Seq = 0
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.stored, r.err = true, nil
	return true, nil
}

// appendStatement stores one message with appendStmt; after a unique
// violation (its client id stored already) it looks the stored one up.
func (s *Store) appendStatement(r *appendReq, saved portal.Message) {
	ctx := context.WithoutCancel(r.ctx)
	for try := 0; ; try++ {
		if try > 0 {
			if dup, err := s.duplicateIn(s.db, r); err != nil {
				r.stored, r.err = false, wrap("append message", err)
				return
			} else if dup {
				return
			}
		}
		err := s.appendHook(r, false)
		if err == nil {
			q, args := appendStmt(r)
			var ok bool
			if ok, err = scanAppended(r, s.db.QueryRow(ctx, q, args...)); err == nil && !ok {
				err = s.refused(ctx, s.db, r)
			}
		}
		// A client id stored meanwhile (by another node) can make the
		// second try fail too.
		if err != nil && try < 2 && r.m.ClientID != "" && s.db.IsUniqueViolation(err) {
			*r.m = saved
			r.unsettle()
			continue
		}
		if err != nil {
			*r.m = saved
			r.unsettle()
			r.stored, r.err = false, wrap("append message", err)
		}
		return
	}
}

// commitBatch stores a group with one appendStmt each, sent together as
// one transaction. A statement that fails (a client id stored already)
// rolls the group back, and each message is tried again on its own. A
// failure of any other kind (the connection) leaves unknown whether the
// group committed: no message is acknowledged (a client retries with its
// client id, which cannot store it twice).
func (s *Store) commitBatch(b Batcher, live []*appendReq, saved []portal.Message) {
	qs := make([]BatchQuery, 0, len(live))
	sent := false
	var err error
	for _, r := range live {
		if err = s.appendHook(r, true); err != nil {
			break
		}
		q, args := appendStmt(r)
		qs = append(qs, BatchQuery{SQL: q, Args: args, Scan: func(row Row) error {
			_, err := scanAppended(r, row)
			return err
		}})
	}
	if err == nil {
		sent = true
		err = b.SendBatch(context.WithoutCancel(live[0].ctx), qs)
	}
	if err == nil {
		for _, r := range live {
			if !r.stored {
				if err := s.refused(context.WithoutCancel(r.ctx), s.db, r); err != nil {
					r.stored, r.err = false, wrap("append message", err)
				}
			}
		}
		return
	}
	// The server's own error (it has an SQLSTATE) means it rolled the
	// group back; anything else, after sending, is an unknown outcome.
	var stmtErr interface{ SQLState() string }
	if sent && !errors.As(err, &stmtErr) {
		for i, r := range live {
			*r.m = saved[i]
			r.unsettle()
			r.stored, r.err = false, wrap("append message", err)
		}
		return
	}
	for i, r := range live {
		*r.m = saved[i]
		r.unsettle()
		r.stored, r.err = false, nil
		s.appendAlone(r)
	}
}

const msgInsertCols = `(conversation_id, seq, client_id, author, author_id, body, internal, meta, created_at)`

// maxInsertRows bounds the rows of one INSERT; groups go in INSERTs of
// 64, 32, ... 1 rows, so that a few statement texts cover every size (and
// stay prepared).
const maxInsertRows = 64

// insertIn inserts the numbered messages of rs in q's transaction (an
// exchange's two).
func (s *Store) insertIn(q Querier, rs []*appendReq) error {
	if len(rs) == 0 {
		return nil
	}
	ctx := context.WithoutCancel(rs[0].ctx)
	ms := make([]*portal.Message, 0, len(rs))
	for _, r := range rs {
		ms = append(ms, r.m)
		if r.ex != nil {
			ms = append(ms, r.ex.Answer)
		}
	}
	for len(ms) > 0 {
		n := maxInsertRows
		for n > len(ms) {
			n /= 2
		}
		chunk := ms[:n]
		ms = ms[n:]
		var b strings.Builder
		b.WriteString(`INSERT INTO messages ` + msgInsertCols + ` VALUES `)
		args := make([]any, 0, 9*n)
		for i, m := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, m.ConversationID, m.Seq, m.ClientID, m.Author, m.AuthorID, m.Body, m.Internal, m.Meta, m.CreatedAt)
		}
		b.WriteString(` RETURNING conversation_id, seq, id`)
		rows, err := q.Query(ctx, b.String(), args...)
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
			for _, m := range chunk {
				if m.ConversationID == conv && m.Seq == seq {
					m.ID = id
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
	for _, r := range rs {
		r.stored, r.err = true, nil
	}
	return nil
}

// reportFacts is what a message adds to its conversation's counters for
// the support report: one bot answer more, and the time of the first
// agent message the customer saw (internal notes are not a response).
// The report then reads conversations alone, not a year of messages.
func reportFacts(m *portal.Message) (bot int, agentAt any) {
	switch {
	case m.Author == portal.AuthorBot:
		bot = 1
	case m.Author == portal.AuthorAgent && !m.Internal:
		agentAt = m.CreatedAt
	}
	return bot, agentAt
}
