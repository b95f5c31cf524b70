package web

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"reflect"
	"runtime/debug"
	"slices"
	"syscall"
	"time"
	"unsafe"

	"github.com/fasthttp/websocket"
	"github.com/gobwas/ws"
)

// A polled socket's frames are read straight from its TCP connection, one
// frame each time the poller finds it readable, with exact reads: a
// buffered reader would read ahead and hide the next frame's bytes from
// the poller. gobwas/ws parses and checks the frames (RFC 6455); replies
// (pong, close) go out through the socket's fasthttp/websocket connection,
// like everything else the server sends.

// inMessage is a client message arriving in fragments, or complete.
type inMessage struct {
	sk   *socket
	op   ws.OpCode
	buf  []byte // text so far, unless too large
	size int64
}

var (
	errClientClosed = errors.New("client closed the socket")
	errFrameTooBig  = errors.New("message over the hard limit")
	errCloseFrame   = errors.New("close frame of 1 byte")
)

// pollableConn returns the TCP connection under nc, a connection the
// server hijacked for the upgrade, when frames can be read from it
// directly. fasthttp's hijacked connection reads through the server's
// buffered reader, which returns to the server's pool when the upgrade
// handler returns. When that reader holds no bytes, nothing is lost by
// reading the TCP connection instead; when it does (the client sent a
// frame right behind its upgrade request), the socket must keep its
// handler and read through it. fasthttp exposes no accessor for this, so
// the check reads the unexported field the reads go through: the raw
// connection itself (fasthttp's ReduceMemoryUsage releases an empty
// reader before the hijack), or an empty *bufio.Reader. Anything else
// means not pollable, and the socket keeps its goroutine.
func pollableConn(nc net.Conn) (net.Conn, syscall.RawConn, bool) {
	u, ok := nc.(interface{ UnsafeConn() net.Conn })
	if !ok {
		return nil, nil, false
	}
	raw := u.UnsafeConn()
	sc, ok := raw.(syscall.Conn) // not TLS, for one
	if !ok {
		return nil, nil, false
	}
	v := reflect.ValueOf(nc)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, nil, false
	}
	f := v.Elem().FieldByName("r")
	if !f.IsValid() || f.Type() != reflect.TypeFor[io.Reader]() {
		return nil, nil, false
	}
	// The handler's goroutine owns the connection and its reader now.
	switch r := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(type) {
	case *bufio.Reader:
		if r.Buffered() != 0 {
			return nil, nil, false
		}
	case net.Conn:
		if r != raw {
			return nil, nil, false
		}
	default:
		return nil, nil, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, nil, false
	}
	return raw, rc, true
}

// readable runs on the poller's goroutine when the client sent something:
// a reader goroutine reads one frame, a complete message goes to the
// hub's handlers, and the socket is rearmed once that is done. One-shot
// polling means one frame at a time per socket, handled in order.
//
// Reading and handling are apart so that a burst of messages (19,000
// sockets opening at once, each saying hello) does not become as many
// goroutines each deep in the store: readers are short-lived and shallow,
// and at most maxHandlers goroutines handle messages, which wait in a
// queue meanwhile. A reader may wait for the rest of a frame (up to the
// read timeout); a handler never waits on a client.
func (sk *socket) readable() {
	sk.mu.Lock()
	if sk.closed {
		sk.mu.Unlock()
		return
	}
	sk.wg.Add(1)
	sk.busy.Store(true)
	sk.mu.Unlock()
	go sk.readOne()
}

func (sk *socket) readOne() {
	m, err := sk.readFrame()
	switch {
	case err != nil:
		sk.close()
	case m != nil:
		sk.h.handleLater(m) // it takes over the wait group's count
		return
	default:
		sk.rearm()
	}
	sk.wg.Done()
}

// rearm makes the poller report the socket's next bytes.
func (sk *socket) rearm() {
	sk.busy.Store(false)
	sk.h.poller.rearm(sk)
}

// handleLater queues a complete message for the handlers, starting one if
// fewer than maxHandlers run.
func (h *chatHub) handleLater(m *inMessage) {
	h.inMu.Lock()
	h.inbox = append(h.inbox, m)
	start := h.handlers < maxHandlers
	if start {
		h.handlers++
	}
	h.inMu.Unlock()
	if start {
		go h.handleLoop()
	}
}

// handleLoop handles queued messages until there are none.
func (h *chatHub) handleLoop() {
	for {
		h.inMu.Lock()
		if len(h.inbox) == 0 {
			h.handlers--
			h.inbox = nil
			h.inMu.Unlock()
			return
		}
		m := h.inbox[0]
		h.inbox[0] = nil
		h.inbox = h.inbox[1:]
		h.inMu.Unlock()
		m.sk.handleMessage(m)
	}
}

func (sk *socket) handleMessage(m *inMessage) {
	defer sk.wg.Done()
	defer func() {
		// A panic in a frame handler ends that socket, not the server.
		if r := recover(); r != nil {
			sk.h.s.log.Error("chat socket panic", "panic", r, "stack", string(debug.Stack()))
			sk.close()
		}
	}()
	sk.mu.Lock()
	closed := sk.closed
	sk.mu.Unlock()
	if closed {
		return
	}
	sk.receive(context.Background(), m.op == ws.OpText, m.buf, m.size > maxFrame)
	sk.lastRead.Store(time.Now().UnixNano())
	sk.rearm()
}

// readFrame reads one frame and returns the message it completes, if
// any. The rest of the frame must arrive within the hub's read timeout: a
// client that begins a frame and stalls holds a goroutine no longer.
func (sk *socket) readFrame() (*inMessage, error) {
	c := sk.conn
	if err := c.SetReadDeadline(time.Now().Add(sk.h.readTimeout)); err != nil {
		return nil, err
	}
	h, err := ws.ReadHeader(c)
	if err != nil {
		return nil, err
	}
	sk.lastRead.Store(time.Now().UnixNano())
	state := ws.StateServerSide
	if sk.frag != nil {
		state = state.Set(ws.StateFragmented)
	}
	// Unmasked frames, reserved bits or opcodes, fragmented or long
	// control frames, stray or missing continuations.
	if err := ws.CheckHeader(h, state); err != nil {
		return nil, sk.fail(websocket.CloseProtocolError, err)
	}
	if h.OpCode.IsControl() {
		p := make([]byte, h.Length)
		if _, err := io.ReadFull(c, p); err != nil {
			return nil, err
		}
		ws.Cipher(p, h.Mask, 0)
		return nil, sk.control(h.OpCode, p)
	}
	m := sk.frag
	if m == nil {
		m = &inMessage{sk: sk, op: h.OpCode}
	}
	if h.Length > hardFrameLimit-m.size {
		return nil, sk.fail(websocket.CloseMessageTooBig, errFrameTooBig)
	}
	m.size += h.Length
	if m.op != ws.OpText || m.size > maxFrame {
		// Refused at the end; read past it meanwhile.
		m.buf = nil
		if _, err := io.CopyN(io.Discard, c, h.Length); err != nil {
			return nil, err
		}
	} else {
		n := len(m.buf)
		m.buf = slices.Grow(m.buf, int(h.Length))[:n+int(h.Length)]
		if _, err := io.ReadFull(c, m.buf[n:]); err != nil {
			return nil, err
		}
		ws.Cipher(m.buf[n:], h.Mask, 0)
	}
	if !h.Fin {
		sk.frag = m
		return nil, nil
	}
	sk.frag = nil
	return m, nil
}

// control answers a ping with a pong and a close with a close, as RFC 6455
// asks (the server then closes the TCP connection first).
func (sk *socket) control(op ws.OpCode, p []byte) error {
	switch op {
	case ws.OpPing:
		err := sk.ws.WriteControl(websocket.PongMessage, p, time.Now().Add(writeTimeout))
		if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
			return err
		}
		return nil
	case ws.OpPong:
		return nil
	}
	if len(p) == 1 {
		return sk.fail(websocket.CloseProtocolError, errCloseFrame)
	}
	var reply []byte
	if len(p) >= 2 {
		code, reason := ws.ParseCloseFrameData(p)
		if err := ws.CheckCloseFrameData(code, reason); err != nil {
			return sk.fail(websocket.CloseProtocolError, err)
		}
		reply = websocket.FormatCloseMessage(int(code), "")
	}
	_ = sk.ws.WriteControl(websocket.CloseMessage, reply, time.Now().Add(time.Second))
	return errClientClosed
}

// fail tells the client why the server ends the connection; the caller
// then closes it.
func (sk *socket) fail(code int, err error) error {
	_ = sk.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
	return err
}
