package web_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/web"
)

// alertSocket is an agent's console socket, read in the background.
type alertSocket struct {
	tb     testing.TB
	frames chan map[string]any
}

// dialAgent signs email in over HTTP and opens their console socket.
func dialAgent(tb testing.TB, base, email string) *alertSocket {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(base + "/login")
	if err != nil {
		tb.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfMeta.FindSubmatch(page)
	if m == nil {
		tb.Fatal("no CSRF token on /login")
	}
	res, err = hc.PostForm(base+"/login", url.Values{"_csrf": {string(m[1])}, "email": {email}, "password": {"correct horse"}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign in %s: %v %v", email, res, err)
	}
	res.Body.Close()
	d := &websocket.Dialer{Jar: jar, HandshakeTimeout: 10 * time.Second}
	c, _, err := d.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws/agent", http.Header{"Origin": {base}})
	if err != nil {
		tb.Fatalf("dial agent socket: %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	s := &alertSocket{tb: tb, frames: make(chan map[string]any, 1000)}
	go func() {
		defer close(s.frames)
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			var f map[string]any
			if json.Unmarshal(b, &f) == nil {
				s.frames <- f
			}
		}
	}()
	return s
}

// nextAlert returns the socket's next alert frame (failing after 10s).
func (s *alertSocket) nextAlert() map[string]any {
	s.tb.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				s.tb.Fatal("agent socket closed")
			}
			if f["type"] == "alert" {
				return f
			}
		case <-deadline:
			s.tb.Fatal("no alert frame in 10s")
		}
	}
}

func wantAlert(tb testing.TB, f map[string]any, unread int, text string) {
	tb.Helper()
	if got, _ := f["unread"].(float64); int(got) != unread {
		tb.Fatalf("alert %v: unread %v, want %d", f, f["unread"], unread)
	}
	got, _ := f["text"].(string)
	if text == "" && got != "" || !strings.Contains(got, text) {
		tb.Fatalf("alert %v: text %q, want %q", f, got, text)
	}
}

// TestCaseAlertsReachAgentConsole: a case opened through "Contact us"
// reaches the console socket of every agent at once, with the unread
// count; a customer's reply reaches only the assignee; reading the alerts
// sets the count back to none on the socket; the staff navigation shows
// the count.
func TestCaseAlertsReachAgentConsole(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		eng := bot.New(bot.Config{Store: s, Users: s})
		hub := bot.NewHub(eng.Bus())
		srv, err := web.New(web.TestConfig(t, web.Config{Store: s, BaseURL: "http://portal.test", Chat: eng, ChatHub: hub}))
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { defer close(done); srv.Serve(ln) }()
		t.Cleanup(func() {
			srv.Close()
			srv.CloseChatSockets()
			srv.App.ShutdownWithTimeout(10 * time.Second)
			<-done
			hub.Close()
			eng.Close()
		})
		base := "http://" + ln.Addr().String()

		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		amy := MustUser(t, s, portal.RoleAgent, "amy@example.com")
		MustUser(t, s, portal.RoleAgent, "ben@example.com")
		amySock, benSock := dialAgent(t, base, "amy@example.com"), dialAgent(t, base, "ben@example.com")
		wantAlert(t, amySock.nextAlert(), 0, "") // on connecting: the count
		wantAlert(t, benSock.nextAlert(), 0, "")

		cust := newClient(t, srv)
		cust.login(ada.Email)
		cust.get("/contact")
		res := cust.post("/contact", url.Values{"topic": {"delivery"}, "body": {"Where is my sofa?"}})
		wantStatus(t, res, 303)
		m := caseLink.FindStringSubmatch(res.Header.Get("Location"))
		if m == nil {
			t.Fatalf("redirect to %q", res.Header.Get("Location"))
		}
		f := amySock.nextAlert()
		wantAlert(t, f, 1, "New case C-")
		if f["url"] != "/agent/cases/"+m[1] {
			t.Fatalf("alert %v: url, want /agent/cases/%s", f, m[1])
		}
		wantAlert(t, benSock.nextAlert(), 1, "New case C-")

		staff := newClient(t, srv)
		staff.login(amy.Email)
		page := staff.get("/agent/cases")
		wantBody(t, page, "1 new alert</span>")

		// A reply on a case assigned to Amy alerts Amy only.
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if _, err := s.UpdateCase(ctx(), id, portal.CaseUpdate{AssigneeID: &amy.ID}, nil, nil); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, cust.post("/account/cases/"+m[1]+"/reply", url.Values{"body": {"Any news?"}}), 303)
		wantAlert(t, amySock.nextAlert(), 2, "Customer replied on case C-")
		ben := newClient(t, srv)
		ben.login("ben@example.com")
		ben.get("/agent/alerts")
		wantStatus(t, ben.post("/agent/alerts/read", url.Values{}), 303)
		wantAlert(t, benSock.nextAlert(), 0, "") // the read, not Amy's reply
		page = staff.get("/agent/alerts")
		wantStatus(t, staff.post("/agent/alerts/read", url.Values{}), 303)
		wantAlert(t, amySock.nextAlert(), 0, "")
		if page = staff.get("/agent/cases"); strings.Contains(page.body, "new alert</span>") && !strings.Contains(page.body, "hidden>0 new alerts</span>") {
			t.Fatalf("count still shown after reading: %s", page.body)
		}
	})
}
