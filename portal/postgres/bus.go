package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Channel is the NOTIFY channel every node listens on.
const Channel = "frontdesk_bus"

// MaxPayload is the largest payload Publish accepts: PostgreSQL refuses
// NOTIFY payloads of 8,000 bytes or more, and the envelope needs room.
const MaxPayload = 7000

// Bus is a portal.Bus over LISTEN/NOTIFY, so that every node sees what any
// node publishes. Local subscribers get local publishes at once; other
// nodes' arrive through PostgreSQL. When the listening connection drops,
// Bus reconnects with backoff and calls OnReconnect, so that listeners can
// catch up from the store on what they may have missed.
type Bus struct {
	pool    *pgxpool.Pool
	connCfg *pgx.ConnConfig
	local   *bus.Memory
	node    string
	log     *slog.Logger

	mu          sync.Mutex
	err         error // the listener's state: nil when listening
	onReconnect []func()
	cancel      context.CancelFunc
	done        chan struct{}

	// Outgoing notifications: publishes that arrive while one NOTIFY is
	// under way share the next (a JSON array of envelopes), so a busy node
	// sends one statement for many events.
	pubMu      sync.Mutex
	pubQueue   []*outgoing
	pubSenders int
}

// outgoing is one publish waiting for its NOTIFY.
type outgoing struct {
	env  []byte
	err  error
	done chan struct{}
}

// notifyLimit is the largest NOTIFY payload sent (PostgreSQL's limit is
// 8,000 bytes); maxSenders bounds the NOTIFYs under way at once.
const (
	notifyLimit = 7990
	maxSenders  = 2
)

var _ portal.Bus = (*Bus)(nil)

type envelope struct {
	Node    string          `json:"n"`
	Topic   string          `json:"t"`
	Payload json.RawMessage `json:"p"`
}

// NewBus starts listening; Close stops it.
func NewBus(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) (*Bus, error) {
	if log == nil {
		log = slog.Default()
	}
	b := make([]byte, 8)
	rand.Read(b)
	bctx, cancel := context.WithCancel(context.Background())
	pb := &Bus{pool: pool, connCfg: pool.Config().ConnConfig.Copy(), local: bus.NewMemory(), node: hex.EncodeToString(b), log: log,
		cancel: cancel, done: make(chan struct{}), err: errors.New("bus: not listening yet")}
	pb.local.Buffer = 256
	conn, err := pb.listen(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	go pb.run(bctx, conn)
	return pb, nil
}

// Node identifies this process on the bus.
func (b *Bus) Node() string { return b.node }

// OnReconnect registers fn to run after the listener reconnects.
func (b *Bus) OnReconnect(fn func()) {
	b.mu.Lock()
	b.onReconnect = append(b.onReconnect, fn)
	b.mu.Unlock()
}

// Healthy reports whether the listener is connected.
func (b *Bus) Healthy() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// Publish delivers payload locally and NOTIFYs the other nodes. Payloads
// must be JSON (they travel inside a JSON envelope) and small: send ids.
func (b *Bus) Publish(ctx context.Context, topic string, payload []byte) error {
	if !json.Valid(payload) {
		return fmt.Errorf("bus: payload for %s is not JSON", topic)
	}
	env, _ := json.Marshal(envelope{Node: b.node, Topic: topic, Payload: payload})
	if len(env) > MaxPayload {
		return fmt.Errorf("bus: payload for %s is %d bytes, over the %d-byte limit: send ids, not rows", topic, len(env), MaxPayload)
	}
	b.local.Publish(ctx, topic, payload)
	o := &outgoing{env: env, done: make(chan struct{})}
	b.pubMu.Lock()
	b.pubQueue = append(b.pubQueue, o)
	if b.pubSenders < maxSenders {
		b.pubSenders++
		b.pubMu.Unlock()
		b.send(true)
	} else {
		b.pubMu.Unlock()
	}
	select {
	case <-o.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if o.err != nil {
		return fmt.Errorf("bus: notify: %w", o.err)
	}
	return nil
}

// send NOTIFYs queued envelopes, as many per statement as fit, until the
// queue is empty. The publisher that started it sends one statement (its
// own envelope is in it) and leaves the rest to a goroutine.
func (b *Bus) send(first bool) {
	for {
		b.pubMu.Lock()
		n, size := 0, 1
		for n < len(b.pubQueue) && (n == 0 || size+len(b.pubQueue[n].env)+1 <= notifyLimit) {
			size += len(b.pubQueue[n].env) + 1
			n++
		}
		batch := b.pubQueue[:n:n]
		b.pubQueue = b.pubQueue[n:]
		if n == 0 {
			b.pubSenders--
			b.pubMu.Unlock()
			return
		}
		b.pubMu.Unlock()
		payload := batch[0].env
		if n > 1 {
			payload = make([]byte, 0, size+1)
			payload = append(payload, '[')
			for i, o := range batch {
				if i > 0 {
					payload = append(payload, ',')
				}
				payload = append(payload, o.env...)
			}
			payload = append(payload, ']')
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := b.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, string(payload))
		cancel()
		for _, o := range batch {
			o.err = err
			close(o.done)
		}
		if first {
			go b.send(false)
			return
		}
	}
}

// Subscribe receives payloads published on topic by any node.
func (b *Bus) Subscribe(topic string) (<-chan []byte, func()) { return b.local.Subscribe(topic) }

// Close stops listening.
func (b *Bus) Close() error {
	b.cancel()
	<-b.done
	return nil
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
	b.mu.Lock()
	b.err = nil
	b.mu.Unlock()
	return conn, nil
}

func (b *Bus) run(ctx context.Context, conn *pgx.Conn) {
	defer close(b.done)
	backoff := 100 * time.Millisecond
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
			b.log.Warn("bus listener lost; reconnecting", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
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
		b.log.Info("bus listener reconnected")
		b.mu.Lock()
		fns := append([]func(){}, b.onReconnect...)
		b.mu.Unlock()
		for _, fn := range fns {
			fn()
		}
	}
}

func (b *Bus) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		// One envelope, or an array of them (publishes sent together).
		var envs []envelope
		if strings.HasPrefix(n.Payload, "[") {
			err = json.Unmarshal([]byte(n.Payload), &envs)
		} else {
			envs = make([]envelope, 1)
			err = json.Unmarshal([]byte(n.Payload), &envs[0])
		}
		if err != nil {
			b.log.Warn("bus: bad notification", "err", err)
			continue
		}
		for _, env := range envs {
			if env.Node == b.node {
				continue // delivered locally at publish time
			}
			b.local.Publish(ctx, env.Topic, env.Payload)
		}
	}
}
