package web_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/web"
)

// These tests speak WebSocket frame by frame to a real listener, for what
// a library client never sends: fragments, control frames, protocol
// errors, half frames, bytes pipelined behind the upgrade. The chat's
// behaviour (resume, duplicates, limits) is tested with real clients in
// cmd/frontdesk.

// chatServer is a web.Server with the chat, listening on loopback.
type chatServer struct {
	*web.Server
	URL string
	// visitor is a signed visitor cookie ("fd_visitor=...").
	visitor string
	st      *sqlite.Store
	engine  *bot.Engine
}

func mustChatServer(tb testing.TB, opts ...func(*web.Config)) *chatServer {
	tb.Helper()
	st, err := sqlite.Open(ctx(), sqlite.Config{Path: filepath.Join(tb.TempDir(), "fd.db")})
	if err != nil {
		tb.Fatal(err)
	}
	eng := bot.New(bot.Config{Store: st, Users: st})
	hub := bot.NewHub(eng.Bus())
	cfg := web.Config{Store: st, Secret: []byte("0123456789abcdef0123456789abcdef"), Chat: eng, ChatHub: hub}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := web.New(web.TestConfig(tb, cfg))
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	tb.Cleanup(func() {
		srv.Close()
		srv.CloseChatSockets()
		if err := srv.App.ShutdownWithTimeout(10 * time.Second); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
		<-done
		hub.Close()
		eng.Close()
		st.Close()
	})
	cs := &chatServer{Server: srv, URL: "http://" + ln.Addr().String(), st: st, engine: eng}
	jar, _ := cookiejar.New(nil)
	res, err := (&http.Client{Jar: jar}).Get(cs.URL + "/chat/visitor")
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	u, _ := url.Parse(cs.URL)
	for _, c := range jar.Cookies(u) {
		if c.Name == "fd_visitor" {
			cs.visitor = c.Name + "=" + c.Value
		}
	}
	if cs.visitor == "" {
		tb.Fatal("no visitor cookie")
	}
	return cs
}

// sockets reads the open chat sockets from /metrics.
func (cs *chatServer) sockets(tb testing.TB) int {
	tb.Helper()
	res, err := http.Get(cs.URL + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`(?m)^frontdesk_chat_sockets (\d+)`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// rawSocket is a chat socket driven frame by frame.
type rawSocket struct {
	tb testing.TB
	c  net.Conn
	br *bufio.Reader
}

// dial upgrades a new connection to /ws/chat; extra is written in the
// same packet right behind the upgrade request.
func (cs *chatServer) dial(tb testing.TB, extra []byte) *rawSocket {
	tb.Helper()
	host := strings.TrimPrefix(cs.URL, "http://")
	c, err := net.Dial("tcp", host)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	key := make([]byte, 16)
	rand.Read(key)
	req := "GET /ws/chat HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + base64.StdEncoding.EncodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n" +
		"Origin: " + cs.URL + "\r\nCookie: " + cs.visitor + "\r\n\r\n"
	if _, err := c.Write(append([]byte(req), extra...)); err != nil {
		tb.Fatal(err)
	}
	r := &rawSocket{tb: tb, c: c, br: bufio.NewReader(c)}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(r.br, nil)
	if err != nil {
		tb.Fatalf("upgrade: %v", err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		tb.Fatalf("upgrade: status %d", res.StatusCode)
	}
	return r
}

// frame encodes a client frame, masked as clients must.
func frame(op opCode, fin bool, payload string) []byte {
	return encodeFrame(op, fin, true, []byte(payload))
}

func text(payload string) []byte { return frame(opText, true, payload) }

func (r *rawSocket) write(frames ...[]byte) {
	r.tb.Helper()
	if _, err := r.c.Write(bytes.Join(frames, nil)); err != nil {
		r.tb.Fatalf("write: %v", err)
	}
}

// read returns the server's next frame, failing after 10s.
func (r *rawSocket) read() wsFrame {
	r.tb.Helper()
	r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	f, err := readFrame(r.br)
	if err != nil {
		r.tb.Fatalf("read frame: %v", err)
	}
	return f
}

// next returns the next text frame of the given type, skipping others.
func (r *rawSocket) next(typ string) map[string]any {
	r.tb.Helper()
	for {
		f := r.read()
		if f.op != opText {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(f.payload, &m); err != nil {
			r.tb.Fatalf("server sent %q", f.payload)
		}
		if m["type"] == typ {
			return m
		}
	}
}

// closed reads until the server closes, returning its close frame's code
// (0 if it sent none).
func (r *rawSocket) closed() int {
	r.tb.Helper()
	code := 0
	for {
		r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		f, err := readFrame(r.br)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || isReset(err) {
			return code
		}
		if err != nil {
			r.tb.Fatalf("waiting for close: %v", err)
		}
		if f.op == opClose && len(f.payload) >= 2 {
			code = int(binary.BigEndian.Uint16(f.payload))
		}
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "reset")
}

// TestChatSocketFrames runs with the first frame sent after the upgrade,
// and right behind the upgrade request (the frame then sits in the
// server's buffer when the socket starts reading).
func TestChatSocketFrames(t *testing.T) {
	cs := mustChatServer(t, func(c *web.Config) { c.ChatReadTimeout = 300 * time.Millisecond })
	for _, first := range []string{"after", "behind"} {
		t.Run(first, func(t *testing.T) {
			testChatSocketFrames(t, cs, first)
		})
	}

	t.Run("FrameBehindTheUpgradeIsRead", func(t *testing.T) {
		before := cs.sockets(t)
		r := cs.dial(t, text(`{"type":"ping"}`))
		r.next("pong")
		if got := cs.sockets(t); got != before+1 {
			t.Fatalf("open sockets: %d, want %d", got, before+1)
		}
		r.write(frame(opPing, true, "p"))
		if f := r.read(); f.op != opPong {
			t.Fatalf("got %v", f.op)
		}
		r.write(text(`{"type":"hello"}`))
		r.next("welcome")
		r.c.Close()
		waitFor(t, func() bool { return cs.sockets(t) == before })
	})
}

func testChatSocketFrames(t *testing.T, cs *chatServer, first string) {
	// dial opens a socket, its first frame sent as first says.
	dial := func(t *testing.T) *rawSocket {
		if first == "after" {
			return cs.dial(t, nil)
		}
		r := cs.dial(t, text(`{"type":"hello"}`))
		r.next("welcome")
		return r
	}

	t.Run("FragmentsMakeOneMessage", func(t *testing.T) {
		r := dial(t)
		r.write(frame(opText, false, `{"type"`), frame(opPing, true, "mid"),
			frame(opContinuation, false, `:"pi`), frame(opContinuation, true, `ng"}`))
		if f := r.read(); f.op != opPong || string(f.payload) != "mid" {
			t.Fatalf("got %v %q, want the pong between the fragments", f.op, f.payload)
		}
		r.next("pong")
	})

	t.Run("PingGetsPong", func(t *testing.T) {
		r := dial(t)
		r.write(frame(opPing, true, "hello?"))
		if f := r.read(); f.op != opPong || string(f.payload) != "hello?" {
			t.Fatalf("got %v %q", f.op, f.payload)
		}
		r.write(frame(opPong, true, "unasked"), text(`{"type":"ping"}`))
		r.next("pong")
	})

	t.Run("CloseIsAnsweredInKind", func(t *testing.T) {
		r := dial(t)
		r.write(text(`{"type":"hello"}`))
		r.next("welcome")
		r.write(frame(opClose, true, closeBody(1000, "bye")))
		if got := r.closed(); got != 1000 {
			t.Fatalf("close code %d, want 1000", got)
		}
	})

	t.Run("BinaryAndOversizeMessagesAreRefused", func(t *testing.T) {
		r := dial(t)
		r.write(frame(opBinary, true, "\x00\x01"))
		if e := r.next("error"); e["code"] != "invalid" {
			t.Fatalf("binary: %v", e)
		}
		// 12 KiB in three fragments: over the 8 KiB message limit.
		chunk := strings.Repeat("x", 4<<10)
		r.write(frame(opText, false, `{"type":"send","text":"`+chunk), frame(opContinuation, false, chunk),
			frame(opContinuation, true, chunk+`"}`))
		if e := r.next("error"); e["code"] != "too_large" {
			t.Fatalf("fragmented oversize: %v", e)
		}
		r.write(text(`{"type":"ping"}`))
		r.next("pong")
	})

	for _, tc := range []struct {
		name  string
		frame []byte
		code  int
	}{
		{"UnmaskedFrame", encodeFrame(opText, true, false, []byte(`{"type":"ping"}`)), 1002},
		{"ReservedBits", func() []byte {
			b := text(`{"type":"ping"}`)
			b[0] |= 0x40
			return b
		}(), 1002},
		{"StrayContinuation", frame(opContinuation, true, "x"), 1002},
		{"FragmentedPing", frame(opPing, false, "x"), 1002},
		{"InvalidCloseCode", frame(opClose, true, "\x03\xed"), 1002},
		{"OverTheHardLimit", func() []byte {
			// A header announcing 2 MiB; the payload never comes.
			h, _ := frameHeader(opText, true, true, 2<<20)
			return h
		}(), 1009},
		{"TextNotUTF8", text("{\"type\":\"send\",\"id\":\"1\",\"text\":\"caf\xc3\"}"), 1007},
		{"TextCutInTheMiddleOfACharacter", append(frame(opText, false, "{\"type\":\"send\",\"id\":\"1\",\"text\":\"caf\xc3"),
			frame(opContinuation, true, "\"}")...), 1007},
		{"CloseReasonNotUTF8", frame(opClose, true, closeBody(1000, "\xff")), 1002},
	} {
		t.Run(tc.name+"Closes", func(t *testing.T) {
			r := dial(t)
			r.write(tc.frame)
			if got := r.closed(); got != tc.code {
				t.Fatalf("close code %d, want %d", got, tc.code)
			}
		})
	}

	t.Run("HalfSentMessageTimesOut", func(t *testing.T) {
		// The first fragment, then nothing: the rest of a message must
		// come within the read timeout, however long the idle timeout.
		r := dial(t)
		r.write(frame(opText, false, `{"type":`))
		if got := r.closed(); got != 0 {
			t.Fatalf("close code %d, want the connection dropped", got)
		}
	})
}

// TestChatIdleSocketsHoldOneGoroutine opens many sockets, lets them idle,
// checks each costs its reader and no more (writers end when the queue is
// empty), that they still answer, and that closing them frees them all.
func TestChatIdleSocketsHoldOneGoroutine(t *testing.T) {
	// One visitor, many sockets: the caps on them are tested elsewhere.
	cs := mustChatServer(t, func(c *web.Config) { c.ChatSocketsPerVisitor, c.ChatSocketsPerIP, c.MaxConnsPerIP = -1, -1, -1 })
	const n = 300
	base := runtime.NumGoroutine()
	socks := make([]*rawSocket, n)
	for i := range socks {
		socks[i] = cs.dial(t, nil)
		socks[i].write(text(`{"type":"hello"}`))
	}
	for _, r := range socks {
		r.next("welcome")
	}
	waitFor(t, func() bool { return cs.sockets(t) == n })
	// The reader each; a few other goroutines may linger.
	waitFor(t, func() bool { return runtime.NumGoroutine()-base < n+n/10 })
	for i, r := range socks {
		r.write(text(fmt.Sprintf(`{"type":"ping","id":"%d"}`, i)))
	}
	for _, r := range socks {
		r.next("pong")
	}
	for _, r := range socks {
		r.c.Close()
	}
	waitFor(t, func() bool { return cs.sockets(t) == 0 })
	waitFor(t, func() bool { return runtime.NumGoroutine()-base < n/10 })
}

// TestChatSilentSocketIsClosed: a socket that answers no ping is closed.
func TestChatSilentSocketIsClosed(t *testing.T) {
	cs := mustChatServer(t, func(c *web.Config) { c.ChatPingInterval = 100 * time.Millisecond })
	r := cs.dial(t, nil)
	r.write(text(`{"type":"hello"}`))
	// Read pings, never answer them.
	if got := r.closed(); got != 0 {
		t.Fatalf("close code %d, want the connection dropped", got)
	}
	waitFor(t, func() bool { return cs.sockets(t) == 0 })
}

// TestChatShutdownSaysGoingAway: a stopping server sends going-away (1001)
// to every socket, and closes them.
func TestChatShutdownSaysGoingAway(t *testing.T) {
	cs := mustChatServer(t)
	socks := []*rawSocket{cs.dial(t, nil), cs.dial(t, text(`{"type":"hello"}`))}
	socks[0].write(text(`{"type":"hello"}`))
	for _, r := range socks {
		r.next("welcome")
	}
	cs.CloseChatSockets()
	for i, r := range socks {
		if got := r.closed(); got != 1001 {
			t.Fatalf("socket %d: close code %d, want 1001", i, got)
		}
	}
	waitFor(t, func() bool { return cs.sockets(t) == 0 })
}
