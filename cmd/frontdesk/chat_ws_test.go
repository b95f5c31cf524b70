package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/frontdesk/frontdesk/portal"
)

// wsFrame is any frame the server sends.
type wsFrame struct {
	Type           string          `json:"type"`
	ID             string          `json:"id"`
	ConversationID int64           `json:"conversation_id"`
	Seq            int64           `json:"seq"`
	LastSeq        int64           `json:"last_seq"`
	Author         string          `json:"author"`
	Text           string          `json:"text"`
	Internal       bool            `json:"internal"`
	State          string          `json:"state"`
	Code           string          `json:"code"`
	Message        string          `json:"message"`
	Number         string          `json:"number"`
	Duplicate      bool            `json:"duplicate"`
	Meta           json.RawMessage `json:"meta"`
	QueuePosition  int             `json:"queue_position"`
	AgentName      string          `json:"agent_name"`
	Status         string          `json:"status"`
	Staffed        *bool           `json:"staffed"`
	Reason         string          `json:"reason"`
	Helpful        *bool           `json:"helpful"`
	Votes          map[string]bool `json:"votes"`
	Rating         int             `json:"rating"`
	Comment        string          `json:"comment"`
	// Agents: the transfer targets of a queue frame.
	Agents []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"agents"`
	Canned []struct {
		Shortcut string `json:"shortcut"`
		Text     string `json:"text"`
	} `json:"canned"`
	Queued []struct {
		ConversationID int64 `json:"conversation_id"`
	} `json:"queued"`
	// Chats: the customer panel's past chats.
	Chats []struct {
		ID         int64 `json:"id"`
		Helpful    int   `json:"helpful"`
		NotHelpful int   `json:"not_helpful"`
	} `json:"chats"`
}

// chatUser is a browser-like HTTP client with cookies: a guest with a
// visitor cookie, or a signed-in user.
type chatUser struct {
	tb  testing.TB
	srv *testServer
	jar http.CookieJar
}

func newGuest(tb testing.TB, srv *testServer) *chatUser {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	u := &chatUser{tb: tb, srv: srv, jar: jar}
	res, err := (&http.Client{Jar: jar}).Get(srv.URL + "/chat/visitor")
	if err != nil || res.StatusCode != 200 {
		tb.Fatalf("visitor cookie: %v %v", res, err)
	}
	res.Body.Close()
	return u
}

// signIn returns a client signed in as email with the demo password.
func signIn(tb testing.TB, srv *testServer, email string) *chatUser {
	tb.Helper()
	u := newGuest(tb, srv)
	c := &http.Client{Jar: u.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if err := signInWith(c, srv.URL, email, "demo"); err != nil {
		tb.Fatal(err)
	}
	return u
}

// wsConn is a test socket that reads frames in the background.
type wsConn struct {
	tb     testing.TB
	c      *websocket.Conn
	frames chan wsFrame
	done   chan struct{}
	// backlog holds frames next skipped, for later calls.
	backlog []wsFrame
}

func (u *chatUser) dial(path string, opts ...func(*websocket.Dialer)) *wsConn {
	u.tb.Helper()
	d := &websocket.Dialer{Jar: u.jar, HandshakeTimeout: 10 * time.Second}
	for _, o := range opts {
		o(d)
	}
	wsURL := "ws" + strings.TrimPrefix(u.srv.URL, "http") + path
	c, res, err := d.Dial(wsURL, http.Header{"Origin": {u.srv.URL}})
	if err != nil {
		u.tb.Fatalf("dial %s: %v (%v)", path, err, res)
	}
	w := &wsConn{tb: u.tb, c: c, frames: make(chan wsFrame, 10000), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			var f wsFrame
			if err := json.Unmarshal(b, &f); err != nil {
				u.tb.Errorf("server sent invalid JSON %q", b)
				return
			}
			w.frames <- f
		}
	}()
	u.tb.Cleanup(func() { c.Close() })
	return w
}

func (w *wsConn) send(v any) {
	w.tb.Helper()
	if err := w.c.WriteJSON(v); err != nil {
		w.tb.Fatalf("write: %v", err)
	}
}

// next waits for the first frame matching ok, failing after 10s. Frames
// before it stay in the backlog for later calls and are returned too.
func (w *wsConn) next(what string, ok func(wsFrame) bool) (wsFrame, []wsFrame) {
	w.tb.Helper()
	var skipped []wsFrame
	for i, f := range w.backlog {
		if ok(f) {
			skipped = append(skipped, w.backlog[:i]...)
			w.backlog = append(w.backlog[:i:i], w.backlog[i+1:]...)
			return f, skipped
		}
	}
	skipped = append(skipped, w.backlog...)
	timeout := time.After(10 * time.Second)
	for {
		select {
		case f := <-w.frames:
			if ok(f) {
				return f, skipped
			}
			skipped = append(skipped, f)
			w.backlog = append(w.backlog, f)
		case <-w.done:
			w.tb.Fatalf("connection closed waiting for %s (saw %+v)", what, skipped)
		case <-timeout:
			w.tb.Fatalf("no %s within 10s (saw %+v)", what, skipped)
		}
	}
}

func isType(t string) func(wsFrame) bool { return func(f wsFrame) bool { return f.Type == t } }

func isMessage(author string) func(wsFrame) bool {
	return func(f wsFrame) bool { return f.Type == "message" && f.Author == author }
}

// hello opens a customer socket and waits for the welcome.
func (u *chatUser) hello(conv, last int64) (*wsConn, wsFrame) {
	u.tb.Helper()
	w := u.dial("/ws/chat")
	w.send(map[string]any{"type": "hello", "conversation_id": conv, "last_seq": last})
	f, _ := w.next("welcome", isType("welcome"))
	return w, f
}

func (w *wsConn) say(id, text string) wsFrame {
	w.tb.Helper()
	w.send(map[string]any{"type": "send", "id": id, "text": text})
	f, _ := w.next("ack "+id, func(f wsFrame) bool { return f.Type == "ack" && f.ID == id || f.Type == "error" && f.ID == id })
	if f.Type != "ack" {
		w.tb.Fatalf("send %s: %+v", id, f)
	}
	return f
}

// collect gathers message frames until it has one with seq >= upTo.
func (w *wsConn) collect(upTo int64) []wsFrame {
	w.tb.Helper()
	var out []wsFrame
	for {
		f, _ := w.next(fmt.Sprintf("message %d", upTo), isType("message"))
		out = append(out, f)
		if f.Seq >= upTo {
			return out
		}
	}
}

func seqs(fs []wsFrame) []int64 {
	var out []int64
	for _, f := range fs {
		out = append(out, f.Seq)
	}
	return out
}

// agentOnline opens an agent socket set to available.
func agentOnline(tb testing.TB, srv *testServer, email string) *wsConn {
	tb.Helper()
	a := signIn(tb, srv, email).dial("/ws/agent")
	a.next("agent welcome", isType("welcome"))
	a.send(map[string]any{"type": "status", "status": "available"})
	// The socket's first queue frame comes before the status is stored:
	// wait for one that says available.
	a.next("queue", func(f wsFrame) bool { return f.Type == "queue" && f.Status == "available" })
	return a
}

func TestChatSockets(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind, func(m *Main) { m.ChatSendQueue = 32 })
			t.Run("BotAnswersFromArticles", func(t *testing.T) {
				w, welcome := newGuest(t, srv).hello(0, 0)
				if welcome.ConversationID != 0 {
					t.Fatalf("new visitor has conversation %d", welcome.ConversationID)
				}
				ack := w.say("q1", "How long does delivery take?")
				bot, _ := w.next("bot answer", isMessage("bot"))
				if bot.Seq != ack.Seq+1 || !strings.Contains(string(bot.Meta), `"links"`) {
					t.Fatalf("bot answer %+v after ack %+v", bot, ack)
				}
			})

			t.Run("ResumeGetsExactlyTheMissedMessages", func(t *testing.T) {
				g := newGuest(t, srv)
				w1, _ := g.hello(0, 0)
				ack := w1.say("a1", "What is your returns policy?")
				got := w1.collect(ack.Seq + 1)
				last := got[len(got)-1].Seq
				conv := ack.ConversationID
				w1.c.Close()
				// Meanwhile, from another tab: two more questions and answers.
				w2, _ := g.hello(conv, last)
				w2.say("a2", "Do you deliver abroad?")
				w2.say("a3", "How can I pay?")
				all := w2.collect(last + 4)
				w2.c.Close()
				w3, welcome := g.hello(conv, last)
				if welcome.ConversationID != conv || welcome.LastSeq != last+4 {
					t.Fatalf("welcome %+v, want conversation %d last %d", welcome, conv, last+4)
				}
				resumed := w3.collect(last + 4)
				if fmt.Sprint(seqs(resumed)) != fmt.Sprint(seqs(all)) {
					t.Fatalf("resumed %v, want exactly %v", seqs(resumed), seqs(all))
				}
				w3.send(map[string]any{"type": "ping"})
				w3.next("pong", isType("pong"))
				for _, f := range w3.backlog {
					if f.Type == "message" {
						t.Fatalf("extra message after resume: %+v", f)
					}
				}
			})

			t.Run("DuplicateClientIDStoredOnce", func(t *testing.T) {
				w, _ := newGuest(t, srv).hello(0, 0)
				a1 := w.say("dup", "Where is my parcel?")
				a2 := w.say("dup", "Where is my parcel?")
				if a1.Seq != a2.Seq || a1.Duplicate || !a2.Duplicate {
					t.Fatalf("acks %+v %+v", a1, a2)
				}
				msgs, err := srv.Store.FindMessages(context.Background(), a1.ConversationID, 0, true, 100)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, m := range msgs {
					if m.ClientID == "dup" {
						n++
					}
				}
				if n != 1 {
					t.Fatalf("stored %d copies", n)
				}
			})

			t.Run("BadFramesKeepTheConnection", func(t *testing.T) {
				w, _ := newGuest(t, srv).hello(0, 0)
				for _, tc := range []struct {
					frame, code string
				}{
					{`{"type":`, "invalid_json"},
					{`{"type":"dance"}`, "unknown_type"},
					{`{"type":"send","text":"no id"}`, "invalid"},
					{`{"type":"send","id":"big","text":"` + strings.Repeat("x", portal.MaxMessageLen+1) + `"}`, "too_large"},
					{`{"type":"send","id":"huge","text":"` + strings.Repeat("y", 64<<10) + `"}`, "too_large"},
				} {
					if err := w.c.WriteMessage(websocket.TextMessage, []byte(tc.frame)); err != nil {
						t.Fatal(err)
					}
					f, _ := w.next("error "+tc.code, isType("error"))
					if f.Code != tc.code {
						t.Fatalf("frame %.40q: error %+v, want code %s", tc.frame, f, tc.code)
					}
				}
				w.say("ok", "Still here?")
			})

			t.Run("RateLimitAnswersWithErrors", func(t *testing.T) {
				w, _ := newGuest(t, srv).hello(0, 0)
				for i := 0; i < 40; i++ {
					w.send(map[string]any{"type": "ping"})
				}
				f, _ := w.next("rate limit", isType("error"))
				if f.Code != "rate_limited" {
					t.Fatalf("got %+v", f)
				}
			})

			t.Run("LeaveMessageWhenNobodyIsOnline", func(t *testing.T) {
				w, _ := newGuest(t, srv).hello(0, 0)
				w.say("h1", "I want to talk to a human")
				sys, _ := w.next("offer", isMessage("system"))
				if !strings.Contains(string(sys.Meta), "leave_message") {
					t.Fatalf("system message %+v", sys)
				}
				w.send(map[string]any{"type": "leave_message", "email": "left@example.com", "name": "Lee", "text": "Please call me back"})
				cs, _ := w.next("case", isType("case"))
				if !strings.HasPrefix(cs.Number, "C-") {
					t.Fatalf("case frame %+v", cs)
				}
				mails, _ := srv.Store.FindEmails(context.Background(), "left@example.com", 5)
				if len(mails) != 1 || !strings.Contains(mails[0].Subject, cs.Number) {
					t.Fatalf("emails %+v", mails)
				}
			})

			t.Run("AgentsClaimOnceAndTheBotStaysSilent", func(t *testing.T) {
				agent := agentOnline(t, srv, "agent@example.com")
				admin := agentOnline(t, srv, "admin@example.com")
				cust := signIn(t, srv, "customer@example.com")
				w, _ := cust.hello(0, 0)
				ack := w.say("p1", "talk to a human please")
				w.next("queued", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
				conv := ack.ConversationID
				for _, a := range []*wsConn{agent, admin} {
					a.next("queue with the chat", func(f wsFrame) bool {
						return f.Type == "queue" && len(f.Queued) > 0 && f.Queued[len(f.Queued)-1].ConversationID == conv
					})
				}
				agent.send(map[string]any{"type": "claim", "conversation_id": conv})
				admin.send(map[string]any{"type": "claim", "conversation_id": conv})
				r1, _ := agent.next("claim result", func(f wsFrame) bool { return f.Type == "claimed" || f.Type == "error" })
				r2, _ := admin.next("claim result", func(f wsFrame) bool { return f.Type == "claimed" || f.Type == "error" })
				winner := agent
				switch {
				case r1.Type == "claimed" && r2.Type == "error" && r2.Code == "conflict":
				case r2.Type == "claimed" && r1.Type == "error" && r1.Code == "conflict":
					winner = admin
				default:
					t.Fatalf("claims: %+v and %+v, want exactly one winner", r1, r2)
				}
				w.next("agent joined", func(f wsFrame) bool { return f.Type == "state" && f.State == "agent" })
				w.say("p2", "How long does delivery take?")
				winner.send(map[string]any{"type": "open", "conversation_id": conv})
				winner.next("customer info", isType("conversation"))
				winner.send(map[string]any{"type": "send", "conversation_id": conv, "id": "n1", "text": "VIP customer", "internal": true})
				winner.send(map[string]any{"type": "send", "conversation_id": conv, "id": "r1", "text": "Hello, how can I help?"})
				reply, skipped := w.next("agent reply", isMessage("agent"))
				for _, f := range append(skipped, reply) {
					if f.Type == "message" && (f.Author == "bot" || f.Internal) {
						t.Fatalf("customer saw %+v while the agent owned the chat", f)
					}
				}
				// The loser cannot reply.
				loser := admin
				if winner == admin {
					loser = agent
				}
				loser.send(map[string]any{"type": "send", "conversation_id": conv, "id": "x1", "text": "me too"})
				if f, _ := loser.next("refusal", func(f wsFrame) bool { return f.Type == "error" && f.ID == "x1" }); f.Code != "forbidden" {
					t.Fatalf("loser reply: %+v", f)
				}
				winner.send(map[string]any{"type": "end", "conversation_id": conv})
				w.next("closed", func(f wsFrame) bool { return f.Type == "state" && f.State == "closed" })
				w.send(map[string]any{"type": "rate", "conversation_id": conv, "rating": 5, "comment": "great"})
				w.next("rated", isType("rated"))
				for _, a := range []*wsConn{agent, admin} {
					a.send(map[string]any{"type": "status", "status": "away"})
				}
			})

			t.Run("SlowConsumerIsDroppedAndResumes", func(t *testing.T) {
				testSlowConsumer(t, srv)
			})
		})
	}
}

// testSlowConsumer floods a conversation with an agent's long replies
// while one customer socket (with a tiny receive buffer) reads nothing: the
// server must drop that socket without slowing the agent or the customer's
// other tab, and the socket must then resume with every message exactly
// once, in order.
func testSlowConsumer(t *testing.T, srv *testServer) {
	agent := agentOnline(t, srv, "agent@example.com")
	defer agent.send(map[string]any{"type": "status", "status": "away"})
	g := signIn(t, srv, "customer@example.com")
	w, _ := g.hello(0, 0)
	ack := w.say("s0", "talk to a human")
	conv := ack.ConversationID
	w.next("queued", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
	agent.send(map[string]any{"type": "claim", "conversation_id": conv})
	agent.next("claimed", isType("claimed"))
	w.next("agent joined", func(f wsFrame) bool { return f.Type == "state" && f.State == "agent" })
	c, _ := srv.Store.FindConversation(context.Background(), conv)
	last := c.LastSeq

	d := &websocket.Dialer{Jar: g.jar, HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1024,
		NetDial: func(network, addr string) (net.Conn, error) {
			c, err := net.Dial(network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetReadBuffer(4096)
			}
			return c, err
		}}
	slow, _, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws/chat", http.Header{"Origin": {srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	if err := slow.WriteJSON(map[string]any{"type": "hello", "conversation_id": conv, "last_seq": last}); err != nil {
		t.Fatal(err)
	}
	// The agent's acks must all arrive promptly: nobody waits for the
	// slow socket.
	big := strings.Repeat("All good things take time. ", 147)
	const n = 55
	// Each is sent once the one before is acknowledged, as an agent types:
	// 55 frames of 4 KB sent blind would overflow the agent's own small
	// send queue (32 here) on a busy machine, and drop the agent instead.
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("big-%d", i)
		agent.send(map[string]any{"type": "send", "conversation_id": conv, "id": id, "text": big})
		if f, _ := agent.next("ack "+id, func(f wsFrame) bool { return f.ID == id && f.Type != "message" }); f.Type != "ack" {
			t.Fatalf("agent send %s: %+v", id, f)
		}
	}
	w.collect(last + n)
	// The slow socket must end (dropped by the server) rather than hang.
	var seen []int64
	for {
		slow.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, b, err := slow.ReadMessage()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("slow socket was never dropped (read %d messages)", len(seen))
			}
			break
		}
		var f wsFrame
		json.Unmarshal(b, &f)
		if f.Type == "message" {
			seen = append(seen, f.Seq)
		}
	}
	if len(seen) == n {
		t.Fatalf("slow socket got all %d messages: it was not slow enough to test anything", n)
	}
	from := last
	if len(seen) > 0 {
		from = seen[len(seen)-1]
	}
	r, _ := g.hello(conv, from)
	got := r.collect(last + n)
	for i, f := range got {
		if f.Seq != from+int64(i)+1 {
			t.Fatalf("after resume from %d got seqs %v: not exactly once in order", from, seqs(got))
		}
	}
	t.Logf("slow socket read %d messages before the drop; resumed %d", len(seen), len(got))
	agent.send(map[string]any{"type": "end", "conversation_id": conv})
}
