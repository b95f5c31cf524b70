//go:build linux

package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal/auth"
)

// fromClient is an HTTP client whose connections come from src (an
// address on 127.0.0.0/8), as if from another machine.
func fromClient(src string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}).DialContext}}
}

// wsUpgrade asks for a chat socket at base from src and returns the
// status (and the connection, open, when upgraded).
func wsUpgrade(tb testing.TB, src, base, origin, cookie string) (int, net.Conn) {
	tb.Helper()
	host := strings.TrimPrefix(base, "http://")
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 30 * time.Second}
	c, err := d.Dial("tcp", host)
	if err != nil {
		return -1, nil
	}
	key := make([]byte, 16)
	rand.Read(key)
	fmt.Fprintf(c, "GET /ws/chat HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nOrigin: %s\r\nCookie: %s\r\n\r\n",
		host, base64.StdEncoding.EncodeToString(key), origin, cookie)
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		c.Close()
		return -1, nil
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		c.Close()
		return res.StatusCode, nil
	}
	c.SetReadDeadline(time.Time{})
	return res.StatusCode, c
}

// TestTrustedProxyThroughNginx runs the documented nginx configuration in
// front of a server that trusts it: one client using up the guest
// tracking limit does not lock out another, an X-Forwarded-For the client
// wrote itself changes nothing, sessions record the client's address, and
// chat works through nginx on a non-standard port.
func TestTrustedProxyThroughNginx(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx")
	}
	requireTool(t, "/usr/sbin/nginx", "nginx")
	srv := MustStartServer(t, "sqlite", func(m *Main) { m.Config.TrustedProxies = "127.0.0.1/32" })
	c := &cluster{dir: t.TempDir(), nodes: []*node{{addr: strings.TrimPrefix(srv.URL, "http://")}}}
	os.Chmod(c.dir, 0o755)
	c.lb = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	c.startNginx(t)
	lb := "http://" + c.lb

	track := func(hc *http.Client, xff string) int {
		page, err := hc.Get(lb + "/track")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(page.Body)
		page.Body.Close()
		tok := benchCSRF.FindSubmatch(body)
		if tok == nil {
			t.Fatalf("no CSRF token on /track (status %d)", page.StatusCode)
		}
		form := url.Values{"_csrf": {string(tok[1])}, "number": {"NO-SUCH-ORDER"}, "contact": {"x@example.com"}}
		req, _ := http.NewRequest("POST", lb+"/track", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	a, b := fromClient("127.0.0.2"), fromClient("127.0.0.3")
	for i := 0; i < 30; i++ {
		if got := track(a, ""); got != http.StatusNotFound {
			t.Fatalf("look-up %d: status %d, want 404", i+1, got)
		}
	}
	if got := track(a, ""); got != http.StatusTooManyRequests {
		t.Fatalf("look-up 31 from one client: status %d, want 429", got)
	}
	if got := track(a, "198.51.100.23"); got != http.StatusTooManyRequests {
		t.Fatalf("a client's own X-Forwarded-For escaped the limit: status %d, want 429", got)
	}
	if got := track(b, ""); got != http.StatusNotFound {
		t.Fatalf("another client behind the same proxy: status %d, want 404 (not locked out)", got)
	}

	// The session records the client's address, not the proxy's.
	if err := signInWith(b, lb, "customer@example.com", "demo"); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(lb)
	var tok string
	for _, ck := range b.Jar.Cookies(u) {
		if ck.Name == "fd_session" {
			tok = ck.Value
		}
	}
	sess, err := srv.Store.FindSession(t.Context(), auth.HashToken(tok), time.Now())
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	if got, want := sess.IP, "127.0.0.3"; got != want {
		t.Fatalf("session IP=%q, want %q", got, want)
	}

	// Chat through nginx on a non-standard port: the browser's Origin
	// carries the port, and so must the Host nginx passes on.
	res, err := b.Get(lb + "/chat/visitor")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var cookies []string
	for _, ck := range b.Jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	st, conn := wsUpgrade(t, "127.0.0.3", lb, lb, strings.Join(cookies, "; "))
	if st != http.StatusSwitchingProtocols {
		t.Fatalf("chat through nginx on port %s: status %d, want 101", u.Port(), st)
	}
	conn.Close()
}
