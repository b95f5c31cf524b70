package web_test

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/web"
)

// flakyListener fails its first accepts the way a process out of
// descriptors does.
type flakyListener struct {
	net.Listener
	fails atomic.Int32
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.fails.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// TestServeRetriesAcceptErrors: "too many open files" from accept is
// waited out; the server goes on serving instead of exiting.
func TestServeRetriesAcceptErrors(t *testing.T) {
	st, err := sqlite.Open(ctx(), sqlite.Config{Path: t.TempDir() + "/fd.db"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := web.New(web.TestConfig(t, web.Config{Store: st}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fl := &flakyListener{Listener: ln}
	fl.fails.Store(4)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(fl) }()
	defer func() {
		srv.App.ShutdownWithTimeout(5 * time.Second)
		ln.Close()
	}()
	hc := &http.Client{Timeout: 10 * time.Second}
	res, err := hc.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatalf("healthz after EMFILE: %v", err)
	}
	res.Body.Close()
	if got, want := res.StatusCode, 200; got != want {
		t.Fatalf("status=%d, want %d", got, want)
	}
	select {
	case err := <-done:
		t.Fatalf("server stopped: %v", err)
	default:
	}
}

// tryDial attempts a chat socket upgrade and returns the status.
func (cs *chatServer) tryDial(tb testing.TB, cookie string) (int, net.Conn) {
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
		"Origin: " + cs.URL + "\r\nCookie: " + cookie + "\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		tb.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		tb.Fatalf("upgrade: %v", err)
	}
	c.SetReadDeadline(time.Time{})
	return res.StatusCode, c
}

// TestChatSocketsPerVisitorCapped: one guest gets a few tabs, not
// thousands of sockets; a closed one frees its place; another guest is
// not affected, but the cap per address holds for all of them.
func TestChatSocketsPerVisitorCapped(t *testing.T) {
	cs := mustChatServer(t, func(c *web.Config) { c.ChatSocketsPerVisitor, c.ChatSocketsPerIP = 3, 5 })
	var open []net.Conn
	for i := 0; i < 3; i++ {
		st, c := cs.tryDial(t, cs.visitor)
		if st != http.StatusSwitchingProtocols {
			t.Fatalf("socket %d: status %d", i+1, st)
		}
		open = append(open, c)
	}
	if st, _ := cs.tryDial(t, cs.visitor); st != http.StatusTooManyRequests {
		t.Fatalf("fourth socket of one visitor: status=%d, want 429", st)
	}
	open[0].Close()
	waitFor(t, func() bool {
		st, c := cs.tryDial(t, cs.visitor)
		if st == http.StatusSwitchingProtocols {
			open[0] = c
			return true
		}
		return false
	})
	// Another visitor on the same address: two more, then the address is full.
	other := newVisitor(t, cs)
	for i := 0; i < 2; i++ {
		if st, _ := cs.tryDial(t, other); st != http.StatusSwitchingProtocols {
			t.Fatalf("other visitor's socket %d: status %d", i+1, st)
		}
	}
	if st, _ := cs.tryDial(t, other); st != http.StatusTooManyRequests {
		t.Fatalf("sixth socket from one address: status=%d, want 429", st)
	}
}

func newVisitor(tb testing.TB, cs *chatServer) string {
	tb.Helper()
	res, err := http.Get(cs.URL + "/chat/visitor")
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "fd_visitor" {
			return c.Name + "=" + c.Value
		}
	}
	tb.Fatal("no visitor cookie")
	return ""
}

// TestMaxConnsPerIP: connections from one address beyond the cap are
// answered 429 and closed; trusted proxies are exempt.
func TestMaxConnsPerIP(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		want    string
	}{
		{"capped", nil, "HTTP/1.1 429"},
		{"proxy exempt", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "HTTP/1.1 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := mustServe(t, web.Config{MaxConnsPerIP: 4, TrustedProxies: tc.trusted})
			var conns []net.Conn
			for i := 0; i < 4; i++ {
				c, err := net.Dial("tcp", host)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				conns = append(conns, c)
			}
			// The four are accepted once one of them has been answered.
			fmt.Fprintf(conns[3], "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
			res, err := http.ReadResponse(bufio.NewReader(conns[3]), nil)
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("fourth connection: %v %v", res, err)
			}
			c, err := net.Dial("tcp", host)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			if !strings.HasPrefix(line, tc.want) {
				t.Fatalf("fifth connection answered %q, want %s", line, tc.want)
			}
		})
	}
}

// TestSignInLimitPerClientBehindProxy: behind a trusted proxy the sign-in
// limit counts the client named in X-Forwarded-For (its rightmost
// untrusted address: what a client prepends proves nothing); without a
// trusted proxy the header is ignored.
func TestSignInLimitPerClientBehindProxy(t *testing.T) {
	eachStore(t, func(t *testing.T, st portal.Store) {
		mk := func(trusted []netip.Prefix) *web.Server {
			srv, err := web.New(web.TestConfig(t, web.Config{Store: st,
				LoginIPLimit: 3, LoginAccountLimit: 100, TrustedProxies: trusted}))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			return srv
		}
		login := func(srv *web.Server, xff string, i int) int {
			c := newClient(t, srv)
			c.get("/login")
			form := url.Values{"email": {fmt.Sprintf("nobody%d@example.com", i)}, "password": {"wrong"}, "_csrf": {c.csrf}}
			req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", xff)
			return c.do(req).StatusCode
		}
		// App.Test's connections come from 0.0.0.0: that is the proxy.
		srv := mk([]netip.Prefix{netip.MustParsePrefix("0.0.0.0/32")})
		for i := 0; i < 3; i++ {
			if got := login(srv, "203.0.113.1", i); got != 401 {
				t.Fatalf("failure %d: status %d", i+1, got)
			}
		}
		if got := login(srv, "198.51.100.7, 203.0.113.1", 9); got != 429 {
			t.Fatalf("spoofed prefix escaped the limit: status %d, want 429", got)
		}
		if got := login(srv, "203.0.113.2", 10); got != 401 {
			t.Fatalf("another client is locked out: status %d, want 401", got)
		}
		// Untrusted: X-Forwarded-For is ignored, everyone is the peer.
		srv = mk(nil)
		for i := 20; i < 23; i++ {
			login(srv, fmt.Sprintf("192.0.2.%d", i), i)
		}
		if got := login(srv, "192.0.2.99", 99); got != 429 {
			t.Fatalf("untrusted X-Forwarded-For was believed: status %d, want 429", got)
		}
	})
}

// mustServe serves a new server on loopback (no connection made yet) and
// returns its host:port.
func mustServe(tb testing.TB, cfg web.Config) string {
	tb.Helper()
	st, err := sqlite.Open(ctx(), sqlite.Config{Path: tb.TempDir() + "/fd.db"})
	if err != nil {
		tb.Fatal(err)
	}
	cfg.Store, cfg.Secret = st, []byte("0123456789abcdef0123456789abcdef")
	srv, err := web.New(web.TestConfig(tb, cfg))
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	tb.Cleanup(func() {
		srv.Close()
		srv.App.ShutdownWithTimeout(5 * time.Second)
		<-done
		st.Close()
	})
	return ln.Addr().String()
}
