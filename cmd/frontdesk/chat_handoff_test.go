package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
)

// The hand-off's fault scenarios (issue 15): agents who leave, reload or
// are revoked, customers who leave the queue, supervisors, transfers, and
// guests who sign in; each with real sockets on both stores.

// testGrace is the agent grace in these tests: short, so that they run
// in seconds, and long enough that a loaded machine still heartbeats.
const testGrace = "3s"

func withGrace(g string) func(*Main) { return func(m *Main) { m.Config.AgentGrace = g } }

// mustAgent creates a second agent who signs in with the demo password.
func mustAgent(tb testing.TB, srv *testServer, email, name string) *portal.User {
	tb.Helper()
	hash, err := auth.HashPassword("demo")
	if err != nil {
		tb.Fatal(err)
	}
	u := &portal.User{Email: email, Name: name, Role: portal.RoleAgent, PasswordHash: hash}
	if err := srv.Store.CreateUser(context.Background(), u); err != nil {
		tb.Fatal(err)
	}
	return u
}

// post submits a form with the CSRF token of the page at from.
func (u *chatUser) post(from, path string, form url.Values) int {
	u.tb.Helper()
	c := &http.Client{Jar: u.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := c.Get(u.srv.URL + from)
	if err != nil {
		u.tb.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	m := benchCSRF.FindSubmatch(page)
	if m == nil {
		u.tb.Fatalf("no CSRF token on %s (status %d)", from, r.StatusCode)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", string(m[1]))
	r, err = c.PostForm(u.srv.URL+path, form)
	if err != nil {
		u.tb.Fatal(err)
	}
	r.Body.Close()
	return r.StatusCode
}

// waitClosed waits for the server to close the socket, failing after 10s.
func (w *wsConn) waitClosed(what string) {
	w.tb.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case <-w.frames:
		case <-w.done:
			return
		case <-timeout:
			w.tb.Fatalf("%s: socket still open after 10s", what)
		}
	}
}

// queueOf waits for a queue frame for which ok holds.
func (w *wsConn) queueWhere(what string, ok func(wsFrame) bool) wsFrame {
	w.tb.Helper()
	f, _ := w.next(what, func(f wsFrame) bool { return f.Type == "queue" && ok(f) })
	// Queue frames are snapshots: older ones left in the backlog are stale.
	kept := w.backlog[:0]
	for _, b := range w.backlog {
		if b.Type != "queue" {
			kept = append(kept, b)
		}
	}
	w.backlog = kept
	return f
}

func inQueue(conv int64) func(wsFrame) bool {
	return func(f wsFrame) bool {
		for _, q := range f.Queued {
			if q.ConversationID == conv {
				return true
			}
		}
		return false
	}
}

// askPerson starts a guest's chat and waits until it is queued.
func askPerson(t *testing.T, srv *testServer) (*chatUser, *wsConn, int64) {
	t.Helper()
	g := newGuest(t, srv)
	w, _ := g.hello(0, 0)
	ack := w.say("ask-"+fmt.Sprint(time.Now().UnixNano()), "I want to talk to a person")
	w.next("queued", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
	return g, w, ack.ConversationID
}

func claim(t *testing.T, a *wsConn, conv int64) {
	t.Helper()
	a.send(map[string]any{"type": "claim", "conversation_id": conv})
	if f, _ := a.next("claim", func(f wsFrame) bool { return f.Type == "claimed" || f.Type == "error" }); f.Type != "claimed" {
		t.Fatalf("claim %d: %+v", conv, f)
	}
}

func convState(t *testing.T, srv *testServer, id int64) *portal.Conversation {
	t.Helper()
	c, err := srv.Store.FindConversation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func systemWith(text string) func(wsFrame) bool {
	return func(f wsFrame) bool {
		return f.Type == "message" && f.Author == "system" && strings.Contains(f.Text, text)
	}
}

func TestChatHandoff(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind, withGrace(testGrace))
			mustAgent(t, srv, "agent2@example.com", "Bea Agent")

			t.Run("AgentGoneRequeuesReconnectKeeps", func(t *testing.T) {
				a1 := agentOnline(t, srv, "agent@example.com")
				a2 := agentOnline(t, srv, "agent2@example.com")
				_, w1, conv1 := askPerson(t, srv)
				claim(t, a1, conv1)
				w1.next("agent 1 joined", func(f wsFrame) bool { return f.Type == "state" && f.State == "agent" })
				w1.send(map[string]any{"type": "ping"})
				w1.next("pong", isType("pong"))
				w1.backlog = nil
				_, w2, conv2 := askPerson(t, srv)
				claim(t, a2, conv2)
				w2.next("agent joined", func(f wsFrame) bool { return f.Type == "state" && f.State == "agent" })

				// Agent 1 reloads (a new socket at once; the status is
				// theirs, not the socket's). Agent 2 closes the tab.
				// The new tab signs in first, so that the gap without a socket
				// is the reload's alone, well within the grace even on a
				// loaded machine.
				again := signIn(t, srv, "agent@example.com")
				a1.c.Close()
				a1 = again.dial("/ws/agent")
				if q := a1.queueWhere("queue after reload", func(wsFrame) bool { return true }); q.Status != "available" {
					t.Fatalf("after a reload the console says %q, want available", q.Status)
				}
				a2.c.Close()

				// Agent 2's customer is told, goes to the front of the
				// queue, and the transcript carries on in the same chat.
				w2.next("told", systemWith("no longer available"))
				f, _ := w2.next("queued again", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
				if f.QueuePosition != 1 || f.ConversationID != conv2 {
					t.Fatalf("requeued state %+v, want conversation %d first in the queue", f, conv2)
				}
				a1.queueWhere("the chat in the queue", inQueue(conv2))
				// Agent 1 reconnected within the grace: their chat is
				// untouched, and its customer heard nothing.
				if c := convState(t, srv, conv1); c.State != portal.ConvAgent || c.AgentID == nil {
					t.Fatalf("agent 1's chat is %+v after a reload within the grace", c)
				}
				w1.send(map[string]any{"type": "ping"})
				_, skipped := w1.next("pong", isType("pong"))
				for _, f := range skipped {
					if f.Type == "state" || f.Type == "message" && f.Author == "system" && strings.Contains(f.Text, "available") {
						t.Fatalf("agent 1's customer saw %+v", f)
					}
				}
				// Agent 1 takes it; the customer continues with them.
				claim(t, a1, conv2)
				a1.send(map[string]any{"type": "send", "conversation_id": conv2, "id": "back", "text": "I can help from here."})
				w2.next("reply", isMessage("agent"))

				// Item 4: everyone away, the queued customer is offered
				// to leave a message within seconds.
				_, w3, conv3 := askPerson(t, srv)
				a1.send(map[string]any{"type": "status", "status": "away"})
				offer, _ := w3.next("offer", systemWith("Leave a message"))
				if !strings.Contains(string(offer.Meta), "leave_message") || offer.ConversationID != conv3 {
					t.Fatalf("offer %+v", offer)
				}
				a1.send(map[string]any{"type": "end", "conversation_id": conv1})
				a1.send(map[string]any{"type": "end", "conversation_id": conv2})
				w1.next("closed", func(f wsFrame) bool { return f.Type == "state" && f.State == "closed" })
			})

			t.Run("NobodyLeftOffersMessage", func(t *testing.T) {
				a := agentOnline(t, srv, "agent2@example.com")
				_, w, conv := askPerson(t, srv)
				claim(t, a, conv)
				a.c.Close()
				f, _ := w.next("offer", systemWith("no longer available"))
				if !strings.Contains(string(f.Meta), "leave_message") {
					t.Fatalf("with nobody else online the customer got %+v", f)
				}
				if c := convState(t, srv, conv); c.State != portal.ConvBot || c.AgentID != nil {
					t.Fatalf("chat %+v, want back with the assistant, no agent", c)
				}
				w.send(map[string]any{"type": "leave_message", "email": "gone@example.com", "text": "Call me"})
				w.next("case", isType("case"))
			})

			t.Run("OutsideHoursOffersMessage", func(t *testing.T) {
				a := agentOnline(t, srv, "agent@example.com")
				defer a.send(map[string]any{"type": "status", "status": "away"})
				_, w, _ := askPerson(t, srv)
				ctx := context.Background()
				open, err := srv.Store.ChatSettings(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer srv.Chat.SaveSettings(ctx, open) // as the settings page saves: every node hears of it
				// Open only in an hour that is not now, on every day.
				h := (time.Now().UTC().Hour() + 12) % 24
				closed := portal.ChatSettings{TimeZone: "UTC", OpenHour: h, CloseHour: h + 1, Days: []int{0, 1, 2, 3, 4, 5, 6}}
				if err := srv.Chat.SaveSettings(ctx, closed); err != nil {
					t.Fatal(err)
				}
				f, _ := w.next("offer", systemWith("outside our chat hours"))
				if !strings.Contains(string(f.Meta), "leave_message") {
					t.Fatalf("outside hours the queued customer got %+v", f)
				}
			})

			t.Run("StatusIsTheAgentsAcrossTabs", func(t *testing.T) {
				tab1 := agentOnline(t, srv, "agent@example.com")
				tab2 := signIn(t, srv, "agent@example.com").dial("/ws/agent")
				tab2.queueWhere("available in the second tab", func(f wsFrame) bool { return f.Status == "available" })
				tab1.send(map[string]any{"type": "status", "status": "away"})
				tab2.queueWhere("away in the second tab", func(f wsFrame) bool { return f.Status == "away" })
				tab1.c.Close()
				tab3 := signIn(t, srv, "agent@example.com").dial("/ws/agent")
				if q := tab3.queueWhere("queue", func(wsFrame) bool { return true }); q.Status != "away" {
					t.Fatalf("new tab says %q, want away", q.Status)
				}
			})

			t.Run("GuestWhoLeftLeavesTheQueue", func(t *testing.T) {
				a := agentOnline(t, srv, "agent@example.com")
				defer a.send(map[string]any{"type": "status", "status": "away"})
				_, w, conv := askPerson(t, srv)
				_, stay, kept := askPerson(t, srv)
				a.queueWhere("both queued", func(f wsFrame) bool { return inQueue(conv)(f) && inQueue(kept)(f) })
				w.c.Close()
				a.queueWhere("left the queue", func(f wsFrame) bool { return !inQueue(conv)(f) })
				if c := convState(t, srv, conv); c.State != portal.ConvClosed {
					t.Fatalf("the guest who left is %s", c.State)
				}
				if c := convState(t, srv, kept); c.State != portal.ConvQueued {
					t.Fatalf("the guest still connected is %s", c.State)
				}
				stay.c.Close()
			})

			t.Run("SupervisorTakesOverAndReassigns", func(t *testing.T) {
				a := agentOnline(t, srv, "agent@example.com")
				a2 := agentOnline(t, srv, "agent2@example.com")
				admin := agentOnline(t, srv, "admin@example.com")
				defer func() {
					for _, x := range []*wsConn{a, a2, admin} {
						x.send(map[string]any{"type": "status", "status": "away"})
					}
				}()
				_, w, conv := askPerson(t, srv)
				claim(t, a, conv)
				// An agent cannot take over; claiming a taken chat conflicts.
				a2.send(map[string]any{"type": "take_over", "conversation_id": conv})
				if f, _ := a2.next("refused", isType("error")); f.Code != "forbidden" {
					t.Fatalf("agent take-over: %+v", f)
				}
				admin.send(map[string]any{"type": "take_over", "conversation_id": conv})
				admin.next("taken", isType("claimed"))
				if f, _ := a.next("told", isType("taken")); f.ConversationID != conv {
					t.Fatalf("previous agent told %+v", f)
				}
				w.next("customer told", systemWith("took over"))
				a.send(map[string]any{"type": "send", "conversation_id": conv, "id": "late", "text": "still me?"})
				if f, _ := a.next("refusal", func(f wsFrame) bool { return f.Type == "error" && f.ID == "late" }); f.Code != "forbidden" || !strings.Contains(f.Message, "Demo Admin") {
					t.Fatalf("previous agent's reply: %+v", f)
				}
				// Transfers: never to oneself, only to someone available.
				admin.send(map[string]any{"type": "transfer", "conversation_id": conv, "agent_id": adminID(t, srv)})
				if f, _ := admin.next("self", isType("error")); f.Code != "invalid" {
					t.Fatalf("transfer to oneself: %+v", f)
				}
				a2.send(map[string]any{"type": "status", "status": "away"})
				a2.queueWhere("away", func(f wsFrame) bool { return f.Status == "away" })
				admin.send(map[string]any{"type": "transfer", "conversation_id": conv, "agent_id": userID(t, srv, "agent2@example.com")})
				if f, _ := admin.next("away agent", isType("error")); f.Code != "invalid" || !strings.Contains(f.Message, "not available") {
					t.Fatalf("transfer to an away agent: %+v", f)
				}
				a2.send(map[string]any{"type": "status", "status": "available"})
				a2.queueWhere("available", func(f wsFrame) bool { return f.Status == "available" })
				admin.send(map[string]any{"type": "transfer", "conversation_id": conv, "agent_id": userID(t, srv, "agent2@example.com")})
				if f, _ := a2.next("alert", isType("assigned")); f.ConversationID != conv {
					t.Fatalf("receiving agent's alert %+v", f)
				}
				w.next("customer told", systemWith("now chatting with Bea Agent"))
				// After the end, errors say what happened.
				a2.send(map[string]any{"type": "end", "conversation_id": conv})
				w.next("closed", func(f wsFrame) bool { return f.Type == "state" && f.State == "closed" })
				a2.send(map[string]any{"type": "send", "conversation_id": conv, "id": "after", "text": "hello?"})
				if f, _ := a2.next("ended", func(f wsFrame) bool { return f.Type == "error" && f.ID == "after" }); f.Message != "This chat has ended." {
					t.Fatalf("reply after the end: %+v", f)
				}
			})

			t.Run("SupervisorTakesChatOfGoneAgent", func(t *testing.T) {
				admin := agentOnline(t, srv, "admin@example.com")
				defer admin.send(map[string]any{"type": "status", "status": "away"})
				a := agentOnline(t, srv, "agent2@example.com")
				_, w, conv := askPerson(t, srv)
				claim(t, a, conv)
				a.c.Close()
				// Before or after the grace: the admin gets the chat either
				// way (taken over, or claimed from the front of the queue).
				admin.send(map[string]any{"type": "take_over", "conversation_id": conv})
				admin.next("taken", isType("claimed"))
				w.next("admin", func(f wsFrame) bool { return f.Type == "state" && f.State == "agent" && f.AgentName == "Demo Admin" })
				admin.send(map[string]any{"type": "end", "conversation_id": conv})
			})

			t.Run("RevocationClosesSockets", func(t *testing.T) {
				// An agent disabled by an admin: sockets closed, chats back
				// in the queue at once.
				bob := mustAgent(t, srv, "bob@example.com", "Bob")
				other := agentOnline(t, srv, "agent@example.com")
				defer other.send(map[string]any{"type": "status", "status": "away"})
				b := agentOnline(t, srv, "bob@example.com")
				_, w, conv := askPerson(t, srv)
				claim(t, b, conv)
				admin := signIn(t, srv, "admin@example.com")
				if st := admin.post("/admin/staff", fmt.Sprintf("/admin/staff/%d/disable", bob.ID), nil); st != http.StatusSeeOther {
					t.Fatalf("disable: status %d", st)
				}
				b.waitClosed("disabled agent")
				w.next("requeued", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
				other.queueWhere("in the queue", inQueue(conv))

				// An agent made an editor: the same.
				eve := mustAgent(t, srv, "eve@example.com", "Eve")
				e := agentOnline(t, srv, "eve@example.com")
				claim(t, e, conv)
				w.next("Eve", func(f wsFrame) bool { return f.Type == "state" && f.State == "agent" && f.AgentName == "Eve" })
				if st := admin.post("/admin/staff", fmt.Sprintf("/admin/staff/%d/role", eve.ID), url.Values{"role": {"editor"}}); st != http.StatusSeeOther {
					t.Fatalf("demote: status %d", st)
				}
				e.waitClosed("demoted agent")
				w.next("requeued again", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
				if c := convState(t, srv, conv); c.AgentID != nil {
					t.Fatalf("demoted agent still holds the chat: %+v", c)
				}
				claim(t, other, conv)
				other.send(map[string]any{"type": "end", "conversation_id": conv})

				// A customer signing out: the socket closes.
				cust := signIn(t, srv, "customer@example.com")
				cw, _ := cust.hello(0, 0)
				if st := cust.post("/account", "/logout", nil); st != http.StatusSeeOther {
					t.Fatalf("sign-out: status %d", st)
				}
				cw.waitClosed("signed-out customer")

				// A password change elsewhere closes the other session's
				// socket and live shipment stream; this session's stay.
				here := signIn(t, srv, "customer@example.com")
				there := signIn(t, srv, "customer@example.com")
				hereWS, _ := here.hello(0, 0)
				thereWS, _ := there.hello(0, 0)
				stream := openShipmentStream(t, there)
				if st := here.post("/account", "/account/password", url.Values{"current": {"demo"}, "new_password": {"a much longer password 1"}}); st != http.StatusSeeOther {
					t.Fatalf("password change: status %d", st)
				}
				thereWS.waitClosed("other session after a password change")
				stream.waitEnd(t)
				hereWS.send(map[string]any{"type": "ping"})
				hereWS.next("pong on the session that changed it", isType("pong"))
				hash, _ := auth.HashPassword("demo")
				u, _ := srv.Store.FindUserByEmail(context.Background(), "customer@example.com")
				srv.Store.SetPasswordHash(context.Background(), u.ID, hash)
			})

			t.Run("GuestChatJoinsTheAccount", func(t *testing.T) {
				g := newGuest(t, srv)
				w, _ := g.hello(0, 0)
				ack := w.say("before", "Do you deliver abroad?")
				w.c.Close()
				c := &http.Client{Jar: g.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				if err := signInWith(c, srv.URL, "customer@example.com", "demo"); err != nil {
					t.Fatal(err)
				}
				w2, welcome := g.hello(0, 0)
				if welcome.ConversationID != ack.ConversationID {
					t.Fatalf("signed in, the customer has conversation %d, want the guest's %d", welcome.ConversationID, ack.ConversationID)
				}
				w2.c.Close()
				// Issue 18 item 7: after sign-out the next guest at this
				// browser sees none of the customer's chats.
				if st := g.post("/account", "/logout", nil); st != http.StatusSeeOther {
					t.Fatalf("sign-out: status %d", st)
				}
				_, welcome = g.hello(0, 0)
				if welcome.ConversationID != 0 {
					t.Fatalf("the next guest got conversation %d", welcome.ConversationID)
				}
				_, welcome = g.hello(ack.ConversationID, 0)
				if welcome.ConversationID != 0 {
					t.Fatalf("the next guest resumed conversation %d by id", welcome.ConversationID)
				}
				cust := signIn(t, srv, "customer@example.com")
				cw, _ := cust.hello(ack.ConversationID, 0)
				cw.send(map[string]any{"type": "end"})
				cw.next("closed", func(f wsFrame) bool { return f.Type == "state" && f.State == "closed" })
			})

			t.Run("StaffHistorySearch", func(t *testing.T) {
				a := agentOnline(t, srv, "agent@example.com")
				defer a.send(map[string]any{"type": "status", "status": "away"})
				cust := signIn(t, srv, "customer@example.com")
				w, _ := cust.hello(0, 0)
				ack := w.say("hist1", "I need a person about my wobbly lampshade")
				w.next("queued", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
				claim(t, a, ack.ConversationID)
				a.send(map[string]any{"type": "send", "conversation_id": ack.ConversationID, "id": "note1", "text": "secret note", "internal": true})
				a.send(map[string]any{"type": "end", "conversation_id": ack.ConversationID})
				w.next("closed", func(f wsFrame) bool { return f.Type == "state" && f.State == "closed" })
				w.send(map[string]any{"type": "rate", "conversation_id": ack.ConversationID, "rating": 2, "comment": "slow to answer"})
				w.next("rated", isType("rated"))

				staff := signIn(t, srv, "agent@example.com")
				get := func(path string) (int, string) {
					res, err := (&http.Client{Jar: staff.jar}).Get(srv.URL + path)
					if err != nil {
						t.Fatal(err)
					}
					defer res.Body.Close()
					b, _ := io.ReadAll(res.Body)
					return res.StatusCode, string(b)
				}
				link := fmt.Sprintf(`/agent/history/%d"`, ack.ConversationID)
				for _, q := range []string{"q=LAMPSHADE", "customer=customer%40example", "rating=2", "rating=any&state=closed", "agent=" + fmt.Sprint(userID(t, srv, "agent@example.com"))} {
					st, body := get("/agent/history?" + q)
					if st != 200 || !strings.Contains(body, link) || !strings.Contains(body, "slow to answer") {
						t.Fatalf("search %s: status %d, chat listed: %v", q, st, strings.Contains(body, link))
					}
				}
				if _, body := get("/agent/history?q=lampshade&rating=5"); strings.Contains(body, link) {
					t.Fatal("a 2-star chat matched rating 5")
				}
				if st, _ := get("/agent/history?from=yesterday"); st != http.StatusBadRequest {
					t.Fatalf("bad date: status %d, want 400", st)
				}
				st, body := get(fmt.Sprintf("/agent/history/%d", ack.ConversationID))
				if st != 200 || !strings.Contains(body, "wobbly lampshade") || !strings.Contains(body, "secret note") || !strings.Contains(body, "Rated 2/5") {
					t.Fatalf("transcript: status %d", st)
				}
				// Customers never reach it.
				res, err := (&http.Client{Jar: cust.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Get(srv.URL + "/agent/history")
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode == 200 {
					t.Fatal("a customer can read the staff chat history")
				}
			})

			t.Run("AdminManagesQuickReplies", func(t *testing.T) {
				admin := signIn(t, srv, "admin@example.com")
				form := url.Values{"always_open": {"1"}, "time_zone": {"UTC"}, "open_hour": {"9"}, "close_hour": {"17"}, "days": {"1"}}
				form.Set("canned", "bad line without a colon")
				if st := admin.post("/admin/chat", "/admin/chat", form); st != http.StatusBadRequest {
					t.Fatalf("a broken line: status %d, want 400", st)
				}
				form.Set("canned", "greet: Hello {{customer.first_name}}!\n/bye: Goodbye from {{agent.name}}.")
				if st := admin.post("/admin/chat", "/admin/chat", form); st != http.StatusSeeOther {
					t.Fatalf("save: status %d", st)
				}
				a := agentOnline(t, srv, "agent@example.com")
				defer a.send(map[string]any{"type": "status", "status": "away"})
				_, _, conv := askPerson(t, srv)
				a.send(map[string]any{"type": "open", "conversation_id": conv})
				f, _ := a.next("conversation", isType("conversation"))
				if got := fmt.Sprint(f.Canned); got != "[{greet Hello {{customer.first_name}}!} {bye Goodbye from {{agent.name}}.}]" {
					t.Fatalf("quick replies %s", got)
				}
				a.send(map[string]any{"type": "end", "conversation_id": conv})
			})

			t.Run("GuestChatJoinsNewAccount", func(t *testing.T) {
				g := newGuest(t, srv)
				w, _ := g.hello(0, 0)
				ack := w.say("su1", "Can I open an account?")
				w.c.Close()
				c := &http.Client{Jar: g.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				r, err := c.Get(srv.URL + "/signup")
				if err != nil {
					t.Fatal(err)
				}
				page, _ := io.ReadAll(r.Body)
				r.Body.Close()
				m := benchCSRF.FindSubmatch(page)
				if m == nil {
					t.Fatal("no CSRF token on /signup")
				}
				r, err = c.PostForm(srv.URL+"/signup", url.Values{"_csrf": {string(m[1])}, "name": {"Nina New"}, "email": {"nina." + kind + "@example.com"},
					"password": {"a long enough password"}, "time_zone": {"UTC"}})
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				if r.StatusCode != http.StatusOK {
					t.Fatalf("sign-up: status %d", r.StatusCode)
				}
				// The account is made when the link mailed to the address is
				// followed in the same browser.
				link, err := url.Parse(waitMailLink(t, srv, "nina."+kind+"@example.com", signupEmlLink))
				if err != nil {
					t.Fatal(err)
				}
				if r, err = c.Get(srv.URL + link.RequestURI()); err != nil {
					t.Fatal(err)
				}
				page, _ = io.ReadAll(r.Body)
				r.Body.Close()
				if m = benchCSRF.FindSubmatch(page); r.StatusCode != http.StatusOK || m == nil {
					t.Fatalf("confirm page: status %d, CSRF token found: %v", r.StatusCode, m != nil)
				}
				r, err = c.PostForm(srv.URL+"/signup/confirm", url.Values{"_csrf": {string(m[1])}, "token": {link.Query().Get("token")}})
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
					t.Fatalf("confirm: status %d to %q", r.StatusCode, r.Header.Get("Location"))
				}
				_, welcome := g.hello(0, 0)
				if welcome.ConversationID != ack.ConversationID {
					t.Fatalf("after sign-up the customer has conversation %d, want the guest's %d", welcome.ConversationID, ack.ConversationID)
				}
			})

			t.Run("TwoTabsShareOneConversation", func(t *testing.T) {
				g := newGuest(t, srv)
				tab1, _ := g.hello(0, 0)
				tab2, _ := g.hello(0, 0)
				a1 := tab1.say("t1", "Where is my parcel?")
				// The other tab is told and follows the new conversation.
				if f, _ := tab2.next("started", isType("started")); f.ConversationID != a1.ConversationID {
					t.Fatalf("second tab told %+v, want conversation %d", f, a1.ConversationID)
				}
				tab2.next("the first tab's message", func(f wsFrame) bool { return f.Type == "message" && f.ID == "t1" })
				// A third tab that knows no conversation sends (a retry of
				// t1, and a new message): both join the open conversation,
				// and t1 is stored once.
				tab3 := g.dial("/ws/chat")
				if a := tab3.say("t1", "Where is my parcel?"); a.ConversationID != a1.ConversationID || !a.Duplicate {
					t.Fatalf("retry from a fresh tab: %+v, want a duplicate in %d", a, a1.ConversationID)
				}
				if a := tab3.say("t3", "Any news?"); a.ConversationID != a1.ConversationID {
					t.Fatalf("fresh tab's message went to %d, want %d", a.ConversationID, a1.ConversationID)
				}
				// Simultaneous first messages from two tabs of a new guest.
				h := newGuest(t, srv)
				x, _ := h.hello(0, 0)
				y, _ := h.hello(0, 0)
				x.send(map[string]any{"type": "send", "id": "x", "text": "hello from x"})
				y.send(map[string]any{"type": "send", "id": "y", "text": "hello from y"})
				ax, _ := x.next("ack x", func(f wsFrame) bool { return f.Type == "ack" && f.ID == "x" })
				ay, _ := y.next("ack y", func(f wsFrame) bool { return f.Type == "ack" && f.ID == "y" })
				if ax.ConversationID != ay.ConversationID {
					t.Fatalf("two tabs of one guest opened conversations %d and %d", ax.ConversationID, ay.ConversationID)
				}
			})
		})
	}
}

func userID(t *testing.T, srv *testServer, email string) int64 {
	t.Helper()
	u, err := srv.Store.FindUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func adminID(t *testing.T, srv *testServer) int64 { return userID(t, srv, "admin@example.com") }

// sseStream is an open server-sent events response.
type sseStream struct {
	res  *http.Response
	done chan struct{}
}

// openShipmentStream opens the live stream of one of the user's shipments.
func openShipmentStream(t *testing.T, u *chatUser) *sseStream {
	t.Helper()
	cust, err := u.srv.Store.FindUserByEmail(context.Background(), "customer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	shs, _, err := u.srv.Store.FindShipments(context.Background(), portal.ShipmentFilter{CustomerID: &cust.ID, Limit: 1})
	if err != nil || len(shs) == 0 {
		t.Fatalf("no shipment: %v", err)
	}
	res, err := (&http.Client{Jar: u.jar}).Get(fmt.Sprintf("%s/account/shipments/%d/events", u.srv.URL, shs[0].ID))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("stream: %v %v", res, err)
	}
	s := &sseStream{res: res, done: make(chan struct{})}
	br := bufio.NewReader(res.Body)
	if _, err := br.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(s.done)
		io.Copy(io.Discard, br)
	}()
	t.Cleanup(func() { res.Body.Close() })
	return s
}

func (s *sseStream) waitEnd(t *testing.T) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatal("shipment stream still open 10s after the session was revoked")
	}
}

// TestChatHandoffAcrossNodes runs two nodes on one PostgreSQL database: an
// agent's presence is the database's, so the agent's socket on one node
// keeps their chats while a customer is on the other; when the agent goes,
// the chat is given back once (both nodes sweep); and disabling the agent
// on one node closes their socket on the other.
func TestChatHandoffAcrossNodes(t *testing.T) {
	n1 := MustStartServer(t, "postgres", withGrace(testGrace))
	n2 := MustStartServer(t, "postgres", withGrace(testGrace), func(m *Main) { m.Config.DatabaseURL = n1.Config.DatabaseURL })
	carl := mustAgent(t, n1, "carl@example.com", "Carl")
	mustAgent(t, n1, "dana@example.com", "Dana")

	dana := agentOnline(t, n1, "dana@example.com")
	carlWS := agentOnline(t, n2, "carl@example.com")
	_, w, conv := askPerson(t, n1)
	carlWS.queueWhere("chat on the other node's queue", inQueue(conv))
	// Dana goes away, so that only Carl (on node 2) can take chats; the
	// customer on node 1 keeps waiting as long as Carl's socket lives.
	claim(t, carlWS, conv)
	dana.send(map[string]any{"type": "status", "status": "away"})
	dana.queueWhere("away", func(f wsFrame) bool { return f.Status == "away" })
	carlWS.send(map[string]any{"type": "send", "conversation_id": conv, "id": "c1", "text": "Hello from node 2"})
	w.next("reply across nodes", isMessage("agent"))
	dana.send(map[string]any{"type": "status", "status": "available"})
	dana.queueWhere("available", func(f wsFrame) bool { return f.Status == "available" })

	// An admin on node 1 disables Carl: his socket on node 2 closes and
	// the chat goes back to the queue, once.
	admin := signIn(t, n1, "admin@example.com")
	if st := admin.post("/admin/staff", fmt.Sprintf("/admin/staff/%d/disable", carl.ID), nil); st != http.StatusSeeOther {
		t.Fatalf("disable: status %d", st)
	}
	carlWS.waitClosed("disabled agent's socket on the other node")
	w.next("requeued", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
	claim(t, dana, conv)
	w.next("Dana", func(f wsFrame) bool { return f.Type == "state" && f.State == "agent" && f.AgentName == "Dana" })

	// Dana's socket closes; both nodes sweep; the customer is told once.
	dana.c.Close()
	w.next("given back", systemWith("Dana is no longer available"))
	msgs, err := n2.Store.FindMessages(context.Background(), conv, 0, true, 500)
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the chat settled (offered a message: nobody is left).
	if c := convState(t, n2, conv); c.State != portal.ConvBot {
		t.Fatalf("chat %s after its last agent left", c.State)
	}
	told := 0
	for _, m := range msgs {
		if strings.Contains(m.Body, "no longer available") {
			told++
		}
	}
	// Carl's disabling gave it back once, Dana's leaving once.
	if told != 2 {
		t.Fatalf("the customer was told %d times that an agent left, want 2 (once per agent)", told)
	}
}
