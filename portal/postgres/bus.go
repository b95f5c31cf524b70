package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Channel is the NOTIFY channel every node listens on.
const Channel = "frontdesk_bus"

// busLock orders the bus's writers: ids are taken under it, so that they
// follow commit order and a listener's last id is a true watermark.
const busLock = 7_261_002

// notifyLimit is the largest NOTIFY payload sent (PostgreSQL refuses 8,000
// bytes or more); a message too large to go inline goes by reference to
// its row. maxBatch bounds the messages and bytes of one write (one
// transaction, with as many notifications as it needs).
const (
	notifyLimit   = 7900
	maxBatch      = 1000
	maxBatchBytes = 4 << 20
	// maxQueue bounds the messages waiting for the database (it is down);
	// past it the oldest are dropped, and the other nodes miss them.
	maxQueue = 10000
)

// BusConfig configures a Bus. Zero values mean the documented defaults.
type BusConfig struct {
	Logger *slog.Logger
	// Retention is how long published messages are kept for listeners
	// that reconnect to catch up on; default 2 minutes (a listener
	// reconnects within seconds; a PostgreSQL restart takes longer). A
	// listener down for more than half of it runs the OnGap functions.
	Retention time.Duration
}

// Bus is the portal.Bus of a cluster: every message is a row of
// bus_messages (the durable sequence) and a NOTIFY on Channel that carries
// it (or, when too large, its id). This node's subscribers get this node's
// publishes at once; the others' arrive through PostgreSQL, in commit
// order. Writes happen in the background, several messages to a
// statement, one writer per node, so that one node's messages keep their
// order and a publisher never waits for the database. When the listening
// connection drops, Bus reconnects with backoff and reads what it missed
// from bus_messages before it reports healthy again.
type Bus struct {
	pool      *pgxpool.Pool
	connCfg   *pgx.ConnConfig
	local     *bus.Memory
	node      string
	log       *slog.Logger
	retention time.Duration

	mu    sync.Mutex
	err   error // the listener's state: nil when listening
	onGap []func()
	// beforeReconnect, when set (tests), runs before each reconnect.
	beforeReconnect func()

	cancel context.CancelFunc
	done   chan struct{}
	// last is the id of the last message the listener handled (the
	// listener's goroutine only).
	last int64

	// Outgoing: what waits for the writer, in publish order.
	outMu    sync.Mutex
	out      []outgoing
	dropped  int // since the queue was last full
	writing  bool
	closed   bool
	written  sync.WaitGroup
	writeCtx context.Context
	stopOut  context.CancelFunc
}

// outgoing is one message waiting to be written.
type outgoing struct {
	topic   string
	payload []byte
}

var _ portal.Bus = (*Bus)(nil)

// NewBus starts listening; Close stops it.
func NewBus(ctx context.Context, pool *pgxpool.Pool, cfg BusConfig) (*Bus, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Retention == 0 {
		cfg.Retention = 2 * time.Minute
	}
	local := bus.NewMemory()
	b := &Bus{pool: pool, connCfg: pool.Config().ConnConfig.Copy(), local: local, node: local.Node(), log: cfg.Logger,
		retention: cfg.Retention, done: make(chan struct{})}
	// Named, so that an operator (or a test) can tell the listener apart.
	b.connCfg.RuntimeParams["application_name"] = "frontdesk-bus " + b.node
	b.writeCtx, b.stopOut = context.WithCancel(context.Background())
	if err := pool.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM bus_messages`).Scan(&b.last); err != nil {
		b.stopOut()
		return nil, fmt.Errorf("bus: %w", err)
	}
	conn, err := b.listen(ctx)
	if err != nil {
		b.stopOut()
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	go b.run(lctx, conn)
	go b.prune(lctx)
	return b, nil
}

// Node identifies this process on the bus.
func (b *Bus) Node() string { return b.node }

// OnGap registers fn to run when the listener reconnects after being down
// longer than it can catch up on, so that listeners re-read the store.
func (b *Bus) OnGap(fn func()) {
	b.mu.Lock()
	b.onGap = append(b.onGap, fn)
	b.mu.Unlock()
}

// Healthy reports whether the listener is connected and caught up.
func (b *Bus) Healthy() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// Publish delivers payload to this node's subscribers and queues it for the
// others. It does not wait for the database: a message that cannot be
// written (the database is down) is retried until Close.
func (b *Bus) Publish(ctx context.Context, topic string, payload []byte) error {
	if err := portal.CheckBusPayload(topic, payload); err != nil {
		return err
	}
	b.outMu.Lock()
	if b.closed {
		b.outMu.Unlock()
		return portal.ErrBusClosed
	}
	b.outMu.Unlock()
	b.local.Deliver(portal.BusMessage{Topic: topic, Node: b.node, Payload: payload})
	b.outMu.Lock()
	defer b.outMu.Unlock()
	if b.closed {
		return portal.ErrBusClosed
	}
	if len(b.out) >= maxQueue {
		b.out = b.out[1:]
		if b.dropped++; b.dropped == 1 {
			b.log.Warn("bus: queue full; the other nodes miss the oldest messages", "queued", maxQueue)
		}
	} else if b.dropped > 0 && len(b.out) < maxQueue/2 {
		b.log.Warn("bus: messages dropped while the queue was full", "dropped", b.dropped)
		b.dropped = 0
	}
	b.out = append(b.out, outgoing{topic: topic, payload: payload})
	if !b.writing {
		b.writing = true
		b.written.Add(1)
		go b.write()
	}
	return nil
}

// Subscribe receives the messages published on topic by any node.
func (b *Bus) Subscribe(topic string, fn func(portal.BusMessage)) func() {
	return b.local.Subscribe(topic, fn)
}

// Close writes what is queued (for up to 5s), stops listening and makes
// Publish refuse.
func (b *Bus) Close() error {
	b.outMu.Lock()
	b.closed = true
	b.outMu.Unlock()
	flushed := make(chan struct{})
	go func() { b.written.Wait(); close(flushed) }()
	select {
	case <-flushed:
	case <-time.After(5 * time.Second):
		b.log.Warn("bus: closing with messages not written")
	}
	b.stopOut()
	<-flushed
	b.cancel()
	<-b.done
	return nil
}

// write sends the queue to the database, a batch per transaction, until it
// is empty; a failed batch is retried with backoff until Close.
func (b *Bus) write() {
	defer b.written.Done()
	backoff := 50 * time.Millisecond
	for {
		b.outMu.Lock()
		batch := b.take()
		if len(batch) == 0 {
			b.writing = false
			b.outMu.Unlock()
			return
		}
		b.outMu.Unlock()
		for {
			err := b.writeBatch(b.writeCtx, batch)
			if err == nil {
				backoff = 50 * time.Millisecond
				break
			}
			if b.writeCtx.Err() != nil {
				b.log.Warn("bus: messages not sent to the other nodes", "messages", len(batch), "err", err)
				return
			}
			b.log.Warn("bus: write; retrying", "messages", len(batch), "err", err)
			select {
			case <-b.writeCtx.Done():
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 2*time.Second)
		}
	}
}

// take removes from the queue the messages of the next batch.
func (b *Bus) take() []outgoing {
	bytes, n := 0, 0
	for n < len(b.out) && n < maxBatch && (n == 0 || bytes+len(b.out[n].payload) <= maxBatchBytes) {
		bytes += len(b.out[n].payload)
		n++
	}
	batch := b.out[:n:n]
	b.out = b.out[n:]
	return batch
}

// inlineSize is a message's size in a notification, id included.
func inlineSize(o outgoing) int { return len(o.topic) + len(o.payload) + 50 }

// writeBatch stores a batch and notifies the other nodes, in one
// transaction holding busLock, so that ids follow commit order.
func (b *Bus) writeBatch(ctx context.Context, batch []outgoing) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	topics := make([]string, len(batch))
	payloads := make([][]byte, len(batch))
	for i, o := range batch {
		topics[i], payloads[i] = o.topic, o.payload
	}
	// The messages are hints about data already stored: a crash may lose
	// the last few, so the commit need not wait for the disk.
	qb := &pgx.Batch{}
	qb.Queue(`SET LOCAL synchronous_commit = off`)
	qb.Queue(`SELECT pg_advisory_xact_lock($1)`, busLock)
	qb.Queue(`INSERT INTO bus_messages (id, node, topic, payload)
		SELECT nextval('bus_messages_id_seq'), $1, t, p
		FROM (SELECT t, p FROM unnest($2::text[], $3::bytea[]) WITH ORDINALITY AS x(t, p, o) ORDER BY o) AS s
		RETURNING id`, b.node, topics, payloads)
	br := tx.SendBatch(ctx, qb)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return err
	}
	if _, err := br.Exec(); err != nil {
		br.Close()
		return err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		br.Close()
		return err
	}
	if err := br.Close(); err != nil {
		return err
	}
	if len(ids) != len(batch) {
		return fmt.Errorf("bus: stored %d of %d messages", len(ids), len(batch))
	}
	// Ids are taken in the rows' order, under the lock: consecutive.
	first := ids[0]
	for _, id := range ids {
		first = min(first, id)
	}
	// The notifications, in order, as many as the batch needs.
	nb := &pgx.Batch{}
	for _, note := range b.notifications(first, batch) {
		nb.Queue(`SELECT pg_notify($1, $2)`, Channel, string(note))
	}
	if err := tx.SendBatch(ctx, nb).Close(); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// notifications encode a batch as notifications under PostgreSQL's size
// limit, each {"n":node,"m":[{"i":id,"t":topic,"p":payload},{"i":id},...]};
// an entry without a topic (a message too large to go inline) is a
// reference to its row. Payloads are JSON and go in as they are, so that
// subscribers get the very bytes published.
func (b *Bus) notifications(first int64, batch []outgoing) [][]byte {
	var notes [][]byte
	var note []byte
	size := 0
	for i, o := range batch {
		inline := inlineSize(o)
		add := inline
		if base := len(b.node) + 20; base+inline > notifyLimit {
			add = 40 // never fits: by reference
		}
		if note == nil || size+add > notifyLimit {
			if note != nil {
				notes = append(notes, append(note, "]}"...))
			}
			note = append(make([]byte, 0, notifyLimit), `{"n":`...)
			note = strconv.AppendQuote(note, b.node)
			note = append(note, `,"m":[`...)
			size = len(b.node) + 20
		} else {
			note = append(note, ',')
		}
		size += add
		note = append(note, `{"i":`...)
		note = strconv.AppendInt(note, first+int64(i), 10)
		if add == inline {
			t, _ := json.Marshal(o.topic)
			note = append(note, `,"t":`...)
			note = append(note, t...)
			note = append(note, `,"p":`...)
			note = append(note, o.payload...)
		}
		note = append(note, '}')
	}
	return append(notes, append(note, "]}"...))
}

type wireNote struct {
	Node     string      `json:"n"`
	Messages []wireEntry `json:"m"`
}

type wireEntry struct {
	ID      int64           `json:"i"`
	Topic   string          `json:"t"`
	Payload json.RawMessage `json:"p"`
}

func (b *Bus) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, b.connCfg)
	if err != nil {
		return nil, fmt.Errorf("bus: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("bus: listen: %w", err)
	}
	// What was published before LISTEN took effect is read from the table.
	if err := b.catchUp(ctx, conn); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("bus: catch up: %w", err)
	}
	b.mu.Lock()
	b.err = nil
	b.mu.Unlock()
	return conn, nil
}

// catchUp delivers the other nodes' messages after the last one handled.
func (b *Bus) catchUp(ctx context.Context, conn *pgx.Conn) error {
	for {
		rows, err := conn.Query(ctx, `SELECT id, node, topic, payload FROM bus_messages WHERE id > $1 ORDER BY id LIMIT 500`, b.last)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var m portal.BusMessage
			var id int64
			if err := rows.Scan(&id, &m.Node, &m.Topic, &m.Payload); err != nil {
				rows.Close()
				return err
			}
			n++
			b.last = id
			if m.Node != b.node {
				b.local.Deliver(m)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n < 500 {
			return nil
		}
	}
}

func (b *Bus) run(ctx context.Context, conn *pgx.Conn) {
	defer close(b.done)
	backoff := 100 * time.Millisecond
	var downSince time.Time
	for {
		if conn != nil {
			err := b.receive(ctx, conn)
			conn.Close(context.Background())
			conn = nil
			if ctx.Err() != nil {
				return
			}
			b.mu.Lock()
			b.err = fmt.Errorf("bus: listener lost: %w", err)
			b.mu.Unlock()
			downSince = time.Now()
			b.log.Warn("bus listener lost; reconnecting", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		b.mu.Lock()
		gate := b.beforeReconnect
		b.mu.Unlock()
		if gate != nil {
			gate()
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		c, err := b.listen(cctx)
		cancel()
		if err != nil {
			backoff = min(backoff*2, 5*time.Second)
			b.mu.Lock()
			b.err = err
			b.mu.Unlock()
			continue
		}
		backoff = 100 * time.Millisecond
		conn = c
		down := time.Since(downSince)
		b.log.Info("bus listener reconnected", "down_ms", down.Milliseconds())
		if down > b.retention/2 {
			// Messages older than the retention may be gone unread.
			b.mu.Lock()
			fns := append([]func(){}, b.onGap...)
			b.mu.Unlock()
			for _, fn := range fns {
				fn()
			}
		}
	}
}

func (b *Bus) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var note wireNote
		if err := json.Unmarshal([]byte(n.Payload), &note); err != nil {
			b.log.Warn("bus: bad notification", "err", err)
			continue
		}
		for _, e := range note.Messages {
			if e.ID <= b.last {
				continue // read when catching up
			}
			if note.Node == b.node {
				b.last = e.ID // delivered here at publish time
				continue
			}
			m := portal.BusMessage{Topic: e.Topic, Node: note.Node, Payload: e.Payload}
			if m.Topic == "" {
				// Too large for the notification: read its row.
				if err := conn.QueryRow(ctx, `SELECT topic, payload FROM bus_messages WHERE id = $1`, e.ID).Scan(&m.Topic, &m.Payload); err != nil {
					if errors.Is(err, pgx.ErrNoRows) {
						b.log.Warn("bus: message gone before it was read", "id", e.ID)
						b.last = e.ID
						continue
					}
					return err
				}
			}
			b.last = e.ID
			b.local.Deliver(m)
		}
	}
}

// prune deletes the messages older than the retention, a few times per
// retention period (every node does; deleting twice is harmless).
func (b *Bus) prune(ctx context.Context) {
	t := time.NewTicker(max(b.retention/4, time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		_, err := b.pool.Exec(ctx, `DELETE FROM bus_messages WHERE id < COALESCE(
			(SELECT id FROM bus_messages WHERE created_at >= now() - make_interval(secs => $1) ORDER BY id LIMIT 1),
			(SELECT MAX(id) + 1 FROM bus_messages), 0)`, b.retention.Seconds())
		if err != nil && ctx.Err() == nil {
			b.log.Warn("bus: prune", "err", err)
		}
	}
}
