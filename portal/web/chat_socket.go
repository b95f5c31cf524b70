package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/casework"
	fws "github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
)

// Chat socket limits. See docs/chat-protocol.md.
const (
	// maxFrame is the largest client frame handled; larger frames are
	// answered with a too_large error and skipped.
	maxFrame = 8 << 10
	// hardFrameLimit is where the connection is dropped instead.
	hardFrameLimit = 1 << 20
	writeTimeout   = 10 * time.Second
	pingBuckets    = 250
	// maxHandlers bounds the goroutines handling sockets' messages (the
	// work is the store's: more would only queue there).
	maxHandlers = 64
	// socketSendBuffer is the kernel send buffer of a chat socket.
	socketSendBuffer = 16 << 10
	// wsReadBuffer is the WebSocket reader's buffer, kept for the
	// socket's life. It reads from fasthttp's own 4 KiB buffer (kept for
	// the hijacked connection), not from the network, so it need only
	// hold a frame header or a control frame's payload (at most 125
	// bytes, which the reader peeks at whole); longer payloads are read
	// through it.
	wsReadBuffer = 256
)

// chatHub holds the chat sockets of this process.
type chatHub struct {
	s      *Server
	engine *bot.Engine
	// proto speaks the chat protocol: the sockets here only move frames.
	proto *bot.Protocol
	ping  time.Duration
	// idle: a socket that sends nothing (not even a pong) for this long
	// is closed by the ping loop.
	idle time.Duration
	// readTimeout bounds the wait for the rest of a message once it began.
	readTimeout time.Duration
	queue       int
	buckets     [pingBuckets]socketBucket
	next        atomic.Uint32
	stop        chan struct{}
	bufPool     *wsBufferPool
	// counts caps customer sockets per visitor, session and address.
	counts socketCounts
	// open counts open sockets.
	open prometheus.Gauge
	// handlers holds a place for each message being handled.
	handlers chan struct{}
	// agents holds the agent sockets of this node, for the presence
	// heartbeat.
	agentsMu sync.Mutex
	agents   map[*socket]struct{}
	// unsubAlerts stops the staff alerts reaching the agent sockets.
	unsubAlerts func()
}

type socketBucket struct {
	mu      sync.Mutex
	sockets map[*socket]struct{}
}

// wsBufferPool shares write buffers between sockets: an idle socket holds none.
type wsBufferPool struct{ p sync.Pool }

func (b *wsBufferPool) Get() any  { return b.p.Get() }
func (b *wsBufferPool) Put(x any) { b.p.Put(x) }

func newChatHub(s *Server) *chatHub {
	h := &chatHub{s: s, engine: s.cfg.Chat, ping: s.cfg.ChatPingInterval, readTimeout: s.cfg.ChatReadTimeout,
		stop: make(chan struct{}), bufPool: &wsBufferPool{}, agents: map[*socket]struct{}{}, open: s.metrics.chatSockets,
		handlers: make(chan struct{}, maxHandlers)}
	if h.ping == 0 {
		h.ping = 25 * time.Second
	}
	// Two pings unanswered, and a margin: 55s by default.
	h.idle = 2*h.ping + min(5*time.Second, h.ping)
	if h.readTimeout == 0 {
		h.readTimeout = 10 * time.Second
	}
	// A client that lets its queue fill is disconnected (and resumes
	// later by sequence number) rather than hold frames for everyone.
	if h.queue = s.cfg.ChatSendQueue; h.queue == 0 {
		h.queue = 256
	}
	for i := range h.buckets {
		h.buckets[i].sockets = map[*socket]struct{}{}
	}
	h.proto = bot.NewProtocol(bot.ProtocolConfig{Engine: s.cfg.Chat, Hub: s.cfg.ChatHub, CustomerPanel: s.customerPanel,
		LeaveMessageLimit: h.leaveMessageLimit, Logger: s.log})
	h.unsubAlerts = s.bus.Subscribe(casework.AlertTopic, h.alert)
	go h.pingLoop()
	go h.presenceLoop()
	return h
}

// alert hands a staff alert (from any node) to the sockets of the agents
// it is for; each sends the agent's unread count with it.
func (h *chatHub) alert(m portal.BusMessage) {
	var a casework.Alert
	if err := json.Unmarshal(m.Payload, &a); err != nil {
		h.s.log.Warn("staff alert: bad payload", "node", m.Node, "err", err)
		return
	}
	h.agentsMu.Lock()
	defer h.agentsMu.Unlock()
	for sk := range h.agents {
		for _, id := range a.UserIDs {
			if sk.sess.User().ID == id {
				sk.enqueue(outItem{alert: &a})
				break
			}
		}
	}
}

// presenceLoop records, every third of the agent grace (at most 5s), which agents and
// which queued customers have a live socket on this node, then sweeps:
// chats of agents gone on every node go back to the queue, queued
// customers nobody can take are offered to leave a message, guests gone
// leave the queue (see bot/presence.go; every node sweeps, each change
// happens once).
func (h *chatHub) presenceLoop() {
	grace := h.engine.Grace()
	// A third of the grace, and at most 5s: queued customers nobody can
	// take hear so within seconds.
	t := time.NewTicker(max(min(grace/3, 5*time.Second), 50*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		agents, convs := h.live()
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		if err := h.engine.Heartbeat(ctx, agents, convs); err != nil {
			h.s.log.Warn("chat presence heartbeat", "err", err)
		}
		if err := h.engine.Sweep(ctx); err != nil {
			h.s.log.Warn("chat presence sweep", "err", err)
		}
		cancel()
	}
}

// live returns the agents with a live socket here and the queued
// conversations that customers' live sockets follow. A socket is live
// until it has sent nothing, not even a pong, for the idle timeout (then
// the ping loop closes it). The sockets are looked at only when someone is
// queued, and nothing is kept per socket: an idle socket costs no more.
func (h *chatHub) live() (agents, convs []int64) {
	stale := time.Now().Add(-h.idle).UnixNano()
	seen := map[int64]bool{}
	h.agentsMu.Lock()
	for sk := range h.agents {
		if id := sk.sess.User().ID; sk.lastRead.Load() >= stale && !seen[id] && !sk.isClosed() {
			seen[id] = true
			agents = append(agents, id)
		}
	}
	h.agentsMu.Unlock()
	queued := h.engine.QueuedIDs()
	if len(queued) == 0 {
		return agents, nil
	}
	for i := range h.buckets {
		b := &h.buckets[i]
		b.mu.Lock()
		for sk := range b.sockets {
			if !sk.sess.Agent() && sk.lastRead.Load() >= stale {
				if c := sk.sess.Current(); queued[c] {
					queued[c] = false // once
					convs = append(convs, c)
				}
			}
		}
		b.mu.Unlock()
	}
	return agents, convs
}

func (sk *socket) isClosed() bool {
	sk.mu.Lock()
	defer sk.mu.Unlock()
	return sk.closed
}

// pingLoop pings one bucket of sockets per tick, so pings (and agents'
// presence heartbeats) spread evenly instead of arriving in one burst. It
// also closes the sockets that sent nothing for h.idle (the reader's
// deadline does too; this catches a socket whose handler is stuck).
func (h *chatHub) pingLoop() {
	t := time.NewTicker(h.ping / pingBuckets)
	defer t.Stop()
	for i := 0; ; i = (i + 1) % pingBuckets {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		b := &h.buckets[i]
		stale := time.Now().Add(-h.idle).UnixNano()
		b.mu.Lock()
		for sk := range b.sockets {
			if sk.lastRead.Load() < stale && !sk.busy.Load() {
				sk.close()
				continue
			}
			sk.enqueue(outItem{ping: true})
		}
		b.mu.Unlock()
	}
}

// CloseChatSockets closes every chat socket, so that a graceful shutdown
// need not wait for them (clients reconnect, to another node if need be).
func (s *Server) CloseChatSockets() {
	if s.chat != nil {
		s.chat.shutdown()
	}
}

// shutdown closes every socket and stops pinging.
func (h *chatHub) shutdown() error {
	select {
	case <-h.stop:
		return nil
	default:
	}
	close(h.stop)
	h.unsubAlerts()
	for i := range h.buckets {
		b := &h.buckets[i]
		b.mu.Lock()
		for sk := range b.sockets {
			sk.goingAway()
			sk.close()
		}
		b.mu.Unlock()
	}
	return nil
}

func (h *chatHub) add(sk *socket) {
	sk.bucket = &h.buckets[h.next.Add(1)%pingBuckets]
	sk.bucket.mu.Lock()
	sk.bucket.sockets[sk] = struct{}{}
	sk.bucket.mu.Unlock()
}

func (h *chatHub) remove(sk *socket) {
	sk.bucket.mu.Lock()
	delete(sk.bucket.sockets, sk)
	sk.bucket.mu.Unlock()
}

// upgrader returns the fiber handler that upgrades to a chat socket, the
// one the handshake before it left in the chat_socket local.
func (h *chatHub) upgrader(run func(*socket)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sk, _ := c.Locals("chat_socket").(*socket)
		if sk == nil {
			return portal.Errorf(portal.EINTERNAL, "chat: no socket from the handshake")
		}
		shedRequest(c)
		sk.req = c.Context()
		return h.upgrade(sk, run)(c)
	}
}

// upgradeHeaders are the request headers a WebSocket upgrade reads.
var upgradeHeaders = []string{fiber.HeaderHost, fiber.HeaderConnection, fiber.HeaderUpgrade, fiber.HeaderOrigin,
	"Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol"}

// shedRequest drops, once the socket was authenticated, what it no longer
// needs of its request: contrib/websocket copies the request's locals,
// cookies and headers into maps that live as long as the socket (a
// browser's headers and cookies are 1-2 KiB). The upgrade reads only
// upgradeHeaders, and its handler is given the socket (upgrade), not a
// local.
func shedRequest(c *fiber.Ctx) {
	ctx := c.Context()
	var drop []string
	ctx.VisitUserValues(func(k []byte, _ any) {
		drop = append(drop, string(k))
	})
	for _, k := range drop {
		ctx.RemoveUserValue(k)
	}
	ctx.Request.Header.DelAllCookies()
	drop = drop[:0]
	ctx.Request.Header.VisitAll(func(k, _ []byte) {
		if !slices.ContainsFunc(upgradeHeaders, func(h string) bool { return strings.EqualFold(h, string(k)) }) {
			drop = append(drop, string(k))
		}
	})
	for _, k := range drop {
		ctx.Request.Header.Del(k)
	}
}

// upgrade returns the upgrade handler of one socket: made for each, it
// hands the socket over without a local, which contrib/websocket would
// copy into a map the socket keeps (a quarter KiB).
func (h *chatHub) upgrade(sk *socket, run func(*socket)) fiber.Handler {
	return fws.New(func(c *fws.Conn) {
		sk.ws = c.Conn // not c: contrib/websocket reuses it once run returns
		sk.dropRequest()
		sk.ctx = newSocketContext()
		run(sk)
	}, fws.Config{ReadBufferSize: wsReadBuffer, WriteBufferSize: 1024, WriteBufferPool: h.bufPool, HandshakeTimeout: 10 * time.Second,
		RecoverHandler: func(c *fws.Conn) {
			// A panic in a frame handler ends that socket, not the server.
			if r := recover(); r != nil {
				h.s.log.Error("chat socket panic", "panic", r, "stack", string(debug.Stack()))
				c.Close()
			}
		}})
}

// dropRequest frees the upgrade's request and response: fasthttp keeps
// their context until the socket's handler returns, so their header,
// cookie, URI and body buffers (1-2 KiB) would otherwise live as long as
// the socket. By now the response is written and nothing reads them:
// fasthttp only resets the context once the handler returns (the zero
// values are ready for reuse), the hijacked connection is the socket's,
// and what the socket keeps of the request (visitor, session, address)
// was copied at the handshake.
func (sk *socket) dropRequest() {
	if rc := sk.req; rc != nil {
		sk.req = nil
		rc.ResetUserValues()
		rc.Request = fasthttp.Request{}
		rc.Response = fasthttp.Response{}
	}
}

// checkOrigin refuses cross-site sockets: a page elsewhere must not chat
// with a visitor's cookies.
func (h *chatHub) checkOrigin(c *fiber.Ctx) error {
	if !fws.IsWebSocketUpgrade(c) {
		return portal.Errorf(portal.EINVALID, "Expected a WebSocket upgrade.")
	}
	// Chat frames are small: a modest kernel send buffer keeps memory per
	// socket low and lets a slow client fill its queue (and be dropped)
	// instead of hiding megabytes in the kernel.
	if tc, ok := unwrapConn(c.Context().Conn()).(*net.TCPConn); ok {
		tc.SetWriteBuffer(socketSendBuffer)
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || (u.Host != c.Hostname() && origin != h.s.cfg.BaseURL) {
			return portal.Errorf(portal.EFORBIDDEN, "Cross-site chat is not allowed.")
		}
	}
	return c.Next()
}

// outItem is one entry of a socket's send queue: a bus event to turn into
// frames, a ready frame, a catch-up from the store, or a ping.
type outItem struct {
	ev      bot.Event
	frame   []byte
	catchup int64 // conversation id to catch up from the store
	queue   bool  // agents: send the queue
	ping    bool
	// alert (agents): send the unread alert count, with the alert's text
	// when it has one.
	alert *casework.Alert
}

// wsConn is what a socket uses of its contrib/websocket connection.
type wsConn interface {
	NextReader() (int, io.Reader, error)
	WriteMessage(typ int, b []byte) error
	WriteControl(typ int, b []byte, deadline time.Time) error
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	SetReadLimit(n int64)
	SetPingHandler(func(string) error)
	SetPongHandler(func(string) error)
	NetConn() net.Conn
	Close() error
}

// socket is one chat WebSocket. One goroutine reads it for its whole life
// (the upgrade handler's, in readLoop) and handles each message in turn on
// the socket's context, which ends when the socket closes. A writer
// goroutine exists only while there is something to send.
type socket struct {
	h  *chatHub
	ws wsConn
	// sess is the chat engine's side: it speaks the protocol, and decides
	// what the socket follows and so what it may see.
	sess *bot.Session
	// ctx ends when the socket closes: frames are handled with it, so work
	// for a client that is gone stops.
	ctx *socketContext
	// sessionID and userID: the signed-in session the socket was opened
	// with, rechecked when the account's sessions are revoked.
	sessionID string
	userID    int64
	bucket    *socketBucket
	// req is the upgrade's request until the socket starts (dropRequest).
	req *fasthttp.RequestCtx

	// The rate limit read was given.
	perSecond, burst float64
	// release gives back the socket's place under the caps (chat_limits.go).
	release func()
	// lastRead is when the client last sent anything (Unix ns), or when
	// the server last finished handling a message; busy while a message
	// is read or handled (the socket is not idle then, however long that
	// takes).
	lastRead atomic.Int64
	busy     atomic.Bool

	mu      sync.Mutex
	queue   []outItem
	writing bool
	closed  bool
	wg      sync.WaitGroup
	// queuePending: a queue refresh is already queued (agents).
	queuePending bool

	// rate limit (reader only): a token bucket; limited after a frame
	// was dropped, until one passes.
	tokens  float64
	refill  time.Time
	limited bool
}

// Notify implements bot.Client.
func (sk *socket) Notify(e bot.Event) { sk.enqueue(outItem{ev: e}) }

// CatchUp implements bot.Conn.
func (sk *socket) CatchUp(conv int64) { sk.enqueue(outItem{catchup: conv}) }

// RefreshQueue implements bot.Conn.
func (sk *socket) RefreshQueue() { sk.enqueue(outItem{queue: true}) }

var _ bot.Conn = (*socket)(nil)

func (sk *socket) enqueue(it outItem) {
	if it.ev.Kind != "" && sk.sess.Sees(it.ev) == bot.QueueRefresh {
		it = outItem{queue: true}
	}
	sk.mu.Lock()
	if sk.closed || it.queue && sk.queuePending {
		sk.mu.Unlock()
		return
	}
	if it.queue {
		sk.queuePending = true
	}
	if len(sk.queue) >= sk.h.queue {
		sk.mu.Unlock()
		sk.h.s.log.Info("chat socket too slow; disconnecting", "queued", sk.h.queue)
		sk.close()
		return
	}
	sk.queue = append(sk.queue, it)
	if !sk.writing {
		sk.writing = true
		sk.wg.Add(1)
		go sk.writeLoop()
	}
	sk.mu.Unlock()
}

// Send implements bot.Conn.
func (sk *socket) Send(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		sk.h.s.log.Error("encode chat frame", "err", err)
		return
	}
	sk.enqueue(outItem{frame: b})
}

// goingAway tells the client this node is stopping (close code 1001), so
// that it reconnects at once, through the load balancer to another node.
func (sk *socket) goingAway() {
	sk.mu.Lock()
	ws, closed := sk.ws, sk.closed
	sk.mu.Unlock()
	if ws == nil || closed {
		return
	}
	msg := fws.FormatCloseMessage(fws.CloseGoingAway, "node shutting down: reconnect")
	_ = ws.WriteControl(fws.CloseMessage, msg, time.Now().Add(200*time.Millisecond))
}

// close ends the socket: its context is cancelled (work for it stops), an
// expired deadline fails a read or write in progress at once, and the
// reader, on its way out, runs finish.
func (sk *socket) close() {
	sk.mu.Lock()
	if sk.closed {
		sk.mu.Unlock()
		return
	}
	sk.closed = true
	sk.queue = nil
	if sk.ctx != nil {
		sk.ctx.cancel()
	}
	if sk.ws != nil {
		sk.ws.NetConn().SetDeadline(time.Unix(1, 0))
	}
	sk.mu.Unlock()
}

// finish runs on the reader's way out: it closes the socket, waits for the
// writer, leaves the hub and closes the connection, exactly once (the
// server keeps hijacked connections open: fasthttp's KeepHijackedConns).
func (sk *socket) finish() {
	sk.close()
	sk.wg.Wait()
	sk.h.remove(sk)
	sk.h.open.Dec()
	sk.h.ended(sk)
	if sk.release != nil {
		sk.release() // its place under the per-visitor caps
	}
	sk.ws.Close()
}

// writeLoop sends queued items one at a time (so the queue bound counts
// everything not yet written) and exits when the queue is empty.
func (sk *socket) writeLoop() {
	defer sk.wg.Done()
	ctx := sk.ctx
	for {
		sk.mu.Lock()
		if sk.closed || len(sk.queue) == 0 {
			sk.writing = false
			sk.queue = nil
			sk.mu.Unlock()
			return
		}
		it := sk.queue[0]
		sk.queue[0] = outItem{}
		sk.queue = sk.queue[1:]
		if it.queue {
			sk.queuePending = false
		}
		sk.mu.Unlock()
		var err error
		switch {
		case it.ping:
			err = sk.ws.WriteControl(fws.PingMessage, nil, time.Now().Add(writeTimeout))
		case it.frame != nil:
			err = sk.write(it.frame)
		case it.catchup != 0:
			err = sk.sess.CatchUp(ctx, it.catchup, sk.writeJSON)
		case it.queue:
			err = sk.sess.WriteQueue(ctx, sk.writeJSON)
		case it.alert != nil:
			err = sk.sendAlert(ctx, it.alert)
		default:
			err = sk.sess.Deliver(ctx, it.ev, sk.writeJSON)
		}
		if err != nil {
			sk.close()
			return
		}
	}
}

func (sk *socket) write(b []byte) error {
	sk.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return sk.ws.WriteMessage(fws.TextMessage, b)
}

func (sk *socket) writeJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return sk.write(b)
}

// sendAlert sends an agent their unread alert count and, with it, the
// alert that just came (none on connecting).
func (sk *socket) sendAlert(ctx context.Context, a *casework.Alert) error {
	_, unread, err := sk.h.s.store.FindStaffNotifications(ctx, sk.sess.User().ID, 1)
	if err != nil {
		sk.h.s.log.Error("chat: unread alerts", "err", err)
		return nil // the next alert or reconnect retries
	}
	f := alertFrame{Type: "alert", Unread: unread, Text: a.Body}
	if a.CaseID != 0 {
		f.URL = "/agent/cases/" + strconv.FormatInt(a.CaseID, 10)
	}
	return sk.writeJSON(f)
}

// read serves the client's frames, handing each message to the session
// on the socket's context, until the connection ends. Invalid
// messages get an error frame and the conversation carries on; frames that
// break the protocol (RFC 6455), text that is not UTF-8 and messages over
// the hard limit close the connection with the matching code.
func (sk *socket) read(perSecond, burst float64) {
	h := sk.h
	sk.perSecond, sk.burst = perSecond, burst
	sk.tokens, sk.refill = burst, time.Now()
	sk.lastRead.Store(time.Now().UnixNano())
	h.add(sk)
	h.open.Inc()
	defer sk.finish()
	sk.readLoop()
}

// readLoop reads messages one at a time and handles each before reading
// the next: the socket's one reader.
func (sk *socket) readLoop() {
	h := sk.h
	ws := sk.ws
	ws.SetReadLimit(hardFrameLimit)
	// Between messages a client may stay silent up to the idle timeout
	// (pings keep a live one talking); once a message began, the rest of
	// it must come within the read timeout. Reading extends the deadline,
	// unless close has expired it.
	deadline := func(d time.Duration) bool {
		sk.lastRead.Store(time.Now().UnixNano())
		sk.mu.Lock()
		defer sk.mu.Unlock()
		if !sk.closed {
			ws.SetReadDeadline(time.Now().Add(d))
		}
		return !sk.closed
	}
	ws.SetPongHandler(func(string) error {
		if !sk.busy.Load() {
			deadline(h.idle)
		}
		return nil
	})
	ws.SetPingHandler(func(p string) error {
		if !sk.busy.Load() {
			deadline(h.idle)
		}
		err := ws.WriteControl(fws.PongMessage, []byte(p), time.Now().Add(writeTimeout))
		if err != nil && !errors.Is(err, fws.ErrCloseSent) {
			return err
		}
		return nil
	})
	for {
		sk.busy.Store(false)
		if !deadline(h.idle) {
			return
		}
		typ, r, err := ws.NextReader()
		if err != nil {
			return
		}
		sk.busy.Store(true)
		if !deadline(h.readTimeout) {
			return
		}
		if typ != fws.TextMessage {
			if _, err := io.Copy(io.Discard, r); err != nil {
				return
			}
			sk.handleMessage(false, nil, false)
			continue
		}
		buf, err := io.ReadAll(io.LimitReader(r, maxFrame+1))
		if err != nil {
			return
		}
		if len(buf) > maxFrame {
			if _, err := io.Copy(io.Discard, r); err != nil {
				return
			}
			sk.handleMessage(true, nil, true)
			continue
		}
		if !utf8.Valid(buf) {
			// RFC 6455 8.1: text must be UTF-8, else the connection fails.
			msg := fws.FormatCloseMessage(fws.CloseInvalidFramePayloadData, "text is not valid UTF-8")
			_ = ws.WriteControl(fws.CloseMessage, msg, time.Now().Add(time.Second))
			return
		}
		sk.handleMessage(true, buf, false)
	}
}

// handleMessage handles one message on a goroutine of its own, and waits
// for it: the reader stays shallow. Handling goes deep (the store, the
// bot), and a goroutine's stack keeps the size it grew to, so a reader
// that handled messages itself would keep tens of KiB for as long as its
// socket idles; the handling goroutine ends with its message. Messages
// of one socket are still handled one at a time, in order, and at most
// maxHandlers at once for the whole node.
func (sk *socket) handleMessage(text bool, buf []byte, tooLarge bool) {
	h := sk.h
	select {
	case h.handlers <- struct{}{}:
	case <-sk.ctx.Done():
		return
	}
	done := make(chan struct{})
	go func() {
		defer func() {
			<-h.handlers
			// A panic in a frame handler ends that socket, not the server.
			if r := recover(); r != nil {
				h.s.log.Error("chat socket panic", "panic", r, "stack", string(debug.Stack()))
				sk.close()
			}
			close(done)
		}()
		sk.receive(sk.ctx, text, buf, tooLarge)
	}()
	<-done
}

// receive handles one client message: text (else it is refused), too
// large (refused too), or buf. Rate-limited per socket.
func (sk *socket) receive(ctx context.Context, text bool, buf []byte, tooLarge bool) {
	if !text {
		sk.Send(bot.ErrorFrame("invalid", "Send text frames with JSON.", ""))
		return
	}
	if tooLarge {
		sk.Send(bot.ErrorFrame("too_large", "That message is too large.", ""))
		return
	}
	now := time.Now()
	sk.tokens = min(sk.burst, sk.tokens+now.Sub(sk.refill).Seconds()*sk.perSecond)
	sk.refill = now
	if sk.tokens < 1 {
		// One error per burst of excess frames, not one each.
		if !sk.limited {
			sk.limited = true
			sk.Send(bot.OutFrame{Type: "error", Code: "rate_limited", Message: "Slow down a little: frames were dropped.", RetryAfterMS: int(1000 / sk.perSecond)})
		}
		return
	}
	sk.limited = false
	sk.tokens--
	sk.sess.Receive(ctx, buf)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// alertFrame tells an agent of a staff alert: the unread count (shown in
// the console's header and the navigation) and, for a new alert, its text
// and the case it is about.
type alertFrame struct {
	Type   string `json:"type"`
	Unread int    `json:"unread"`
	Text   string `json:"text,omitempty"`
	URL    string `json:"url,omitempty"`
}

// socketContext is a socket's context: done when the socket closes.
//
// It is not context.WithCancel's for what that keeps: a cancelled-by-hand
// context records the contexts derived from it (every store query
// derives one) in a map that keeps its size once they end, a quarter KiB
// for every socket that ever sent a frame, as long as it idles. Contexts
// derived from this one register through AfterFunc (the hook
// context.AfterFunc and context.WithCancel look for) in a slice that is
// let go once empty.
type socketContext struct {
	done  chan struct{}
	mu    sync.Mutex
	err   error
	after []*func()
}

func newSocketContext() *socketContext { return &socketContext{done: make(chan struct{})} }

func (c *socketContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *socketContext) Done() <-chan struct{}       { return c.done }
func (c *socketContext) Value(any) any               { return nil }

func (c *socketContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// AfterFunc runs f on a goroutine of its own once the socket closes,
// unless stop is called first (context.AfterFunc's contract).
func (c *socketContext) AfterFunc(f func()) (stop func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		go f()
		return func() bool { return false }
	}
	p := &f
	c.after = append(c.after, p)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		i := slices.Index(c.after, p)
		if i < 0 {
			return false
		}
		c.after = slices.Delete(c.after, i, i+1)
		if len(c.after) == 0 {
			c.after = nil
		}
		return true
	}
}

// cancel ends the context (once) and runs what waits for that.
func (c *socketContext) cancel() {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = context.Canceled
	close(c.done)
	after := c.after
	c.after = nil
	c.mu.Unlock()
	for _, f := range after {
		go (*f)()
	}
}
