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
	"github.com/gobwas/ws"
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

// sockets reads the open chat sockets by reader ("poller", "goroutine")
// from /metrics.
func (cs *chatServer) sockets(tb testing.TB, reader string) int {
	tb.Helper()
	res, err := http.Get(cs.URL + "/metrics")
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`(?m)^frontdesk_chat_sockets\{reader="` + reader + `"\} (\d+)`).FindSubmatch(b)
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
func frame(op ws.OpCode, fin bool, payload string) []byte {
	f := ws.MaskFrameInPlace(ws.NewFrame(op, fin, []byte(payload)))
	var b bytes.Buffer
	ws.WriteFrame(&b, f)
	return b.Bytes()
}

func text(payload string) []byte { return frame(ws.OpText, true, payload) }

func (r *rawSocket) write(frames ...[]byte) {
	r.tb.Helper()
	if _, err := r.c.Write(bytes.Join(frames, nil)); err != nil {
		r.tb.Fatalf("write: %v", err)
	}
}

// read returns the server's next frame, failing after 10s.
func (r *rawSocket) read() ws.Frame {
	r.tb.Helper()
	r.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	f, err := ws.ReadFrame(r.br)
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
		if f.Header.OpCode != ws.OpText {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(f.Payload, &m); err != nil {
			r.tb.Fatalf("server sent %q", f.Payload)
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
		f, err := ws.ReadFrame(r.br)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || isReset(err) {
			return code
		}
		if err != nil {
			r.tb.Fatalf("waiting for close: %v", err)
		}
		if f.Header.OpCode == ws.OpClose && len(f.Payload) >= 2 {
			code = int(binary.BigEndian.Uint16(f.Payload))
		}
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "reset")
}

// TestChatSocketFrames runs on both readers: the poller, and the
// goroutine that keeps reading a socket whose client sent a frame right
// behind the upgrade request (the frame then sits in the server's buffer).
func TestChatSocketFrames(t *testing.T) {
	cs := mustChatServer(t, func(c *web.Config) { c.ChatReadTimeout = 300 * time.Millisecond })
	for _, reader := range []string{"poller", "goroutine"} {
		t.Run(reader, func(t *testing.T) {
			if reader == "poller" && runtime.GOOS != "linux" {
				t.Skip("the chat poller is Linux-only")
			}
			testChatSocketFrames(t, cs, reader)
		})
	}

	t.Run("FrameBehindTheUpgradeIsRead", func(t *testing.T) {
		before := cs.sockets(t, "goroutine")
		r := cs.dial(t, text(`{"type":"ping"}`))
		r.next("pong")
		if got := cs.sockets(t, "goroutine"); got != before+1 {
			t.Fatalf("sockets read by a goroutine: %d, want %d", got, before+1)
		}
		r.write(frame(ws.OpPing, true, "p"))
		if f := r.read(); f.Header.OpCode != ws.OpPong {
			t.Fatalf("got %v", f.Header.OpCode)
		}
		r.write(text(`{"type":"hello"}`))
		r.next("welcome")
		r.c.Close()
		waitFor(t, func() bool { return cs.sockets(t, "goroutine") == before })
	})
}

func testChatSocketFrames(t *testing.T, cs *chatServer, reader string) {
	// dial opens a socket that the given reader serves.
	dial := func(t *testing.T) *rawSocket {
		if reader == "poller" {
			return cs.dial(t, nil)
		}
		r := cs.dial(t, text(`{"type":"hello"}`))
		r.next("welcome")
		return r
	}

	t.Run("FragmentsMakeOneMessage", func(t *testing.T) {
		r := dial(t)
		r.write(frame(ws.OpText, false, `{"type"`), frame(ws.OpPing, true, "mid"),
			frame(ws.OpContinuation, false, `:"pi`), frame(ws.OpContinuation, true, `ng"}`))
		if f := r.read(); f.Header.OpCode != ws.OpPong || string(f.Payload) != "mid" {
			t.Fatalf("got %v %q, want the pong between the fragments", f.Header.OpCode, f.Payload)
		}
		r.next("pong")
	})

	t.Run("PingGetsPong", func(t *testing.T) {
		r := dial(t)
		r.write(frame(ws.OpPing, true, "hello?"))
		if f := r.read(); f.Header.OpCode != ws.OpPong || string(f.Payload) != "hello?" {
			t.Fatalf("got %v %q", f.Header.OpCode, f.Payload)
		}
		r.write(frame(ws.OpPong, true, "unasked"), text(`{"type":"ping"}`))
		r.next("pong")
	})

	t.Run("CloseIsAnsweredInKind", func(t *testing.T) {
		r := dial(t)
		r.write(text(`{"type":"hello"}`))
		r.next("welcome")
		r.write(frame(ws.OpClose, true, string(ws.NewCloseFrameBody(ws.StatusNormalClosure, "bye"))))
		if got := r.closed(); got != int(ws.StatusNormalClosure) {
			t.Fatalf("close code %d, want 1000", got)
		}
	})

	t.Run("BinaryAndOversizeMessagesAreRefused", func(t *testing.T) {
		r := dial(t)
		r.write(frame(ws.OpBinary, true, "\x00\x01"))
		if e := r.next("error"); e["code"] != "invalid" {
			t.Fatalf("binary: %v", e)
		}
		// 12 KiB in three fragments: over the 8 KiB message limit.
		chunk := strings.Repeat("x", 4<<10)
		r.write(frame(ws.OpText, false, `{"type":"send","text":"`+chunk), frame(ws.OpContinuation, false, chunk),
			frame(ws.OpContinuation, true, chunk+`"}`))
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
		{"UnmaskedFrame", func() []byte {
			var b bytes.Buffer
			ws.WriteFrame(&b, ws.NewTextFrame([]byte(`{"type":"ping"}`)))
			return b.Bytes()
		}(), 1002},
		{"ReservedBits", func() []byte {
			b := text(`{"type":"ping"}`)
			b[0] |= 0x40
			return b
		}(), 1002},
		{"StrayContinuation", frame(ws.OpContinuation, true, "x"), 1002},
		{"FragmentedPing", frame(ws.OpPing, false, "x"), 1002},
		{"InvalidCloseCode", frame(ws.OpClose, true, "\x03\xed"), 1002},
		{"OverTheHardLimit", func() []byte {
			// A header announcing 2 MiB; the payload never comes.
			h := ws.Header{Fin: true, OpCode: ws.OpText, Masked: true, Length: 2 << 20}
			var b bytes.Buffer
			ws.WriteHeader(&b, h)
			return b.Bytes()
		}(), 1009},
	} {
		t.Run(tc.name+"Closes", func(t *testing.T) {
			r := dial(t)
			r.write(tc.frame)
			if got := r.closed(); got != tc.code {
				t.Fatalf("close code %d, want %d", got, tc.code)
			}
		})
	}

	t.Run("HalfSentFrameTimesOut", func(t *testing.T) {
		if reader != "poller" {
			t.Skip("a goroutine reader waits as long as for an idle client")
		}
		r := dial(t)
		f := text(`{"type":"ping"}`)
		r.write(f[:3]) // the header and a byte of the mask, then nothing
		if got := r.closed(); got != 0 {
			t.Fatalf("close code %d, want the connection dropped", got)
		}
	})
}

// TestChatIdleSocketsHoldNoGoroutine opens many sockets, lets them idle,
// checks they cost no goroutine each and still answer, then closes them.
func TestChatIdleSocketsHoldNoGoroutine(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the chat poller is Linux-only")
	}
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
	waitFor(t, func() bool { return cs.sockets(t, "poller") == n })
	// Writers and readers end once idle; a few goroutines may linger.
	waitFor(t, func() bool { return runtime.NumGoroutine()-base < n/10 })
	for i, r := range socks {
		r.write(text(fmt.Sprintf(`{"type":"ping","id":"%d"}`, i)))
	}
	for _, r := range socks {
		r.next("pong")
	}
	for _, r := range socks {
		r.c.Close()
	}
	waitFor(t, func() bool { return cs.sockets(t, "poller") == 0 })
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
	waitFor(t, func() bool { return cs.sockets(t, "poller") == 0 })
}

// TestChatShutdownSaysGoingAway: a stopping server sends going-away (1001)
// to every socket, polled or not, and closes them.
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
	waitFor(t, func() bool { return cs.sockets(t, "poller")+cs.sockets(t, "goroutine") == 0 })
}
