package web_test

import (
	"bufio"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/portal"
)

// hostile are values no person types: NUL, bytes that are not UTF-8, a
// character cut in half.
var hostile = []string{"a\x00b", "\xff\xfe", "caf\xc3", "\x00"}

// TestHostileBytesGet400 posts NUL and invalid UTF-8 to every kind of
// input: forms (sign-in, tracking, sign-up, profile), query strings (staff
// and editor search, help search), headers, the back-office API and every
// carrier's webhook. Each is refused with 400 before reaching the store;
// none gives a 500, on either store. Accented text that is valid passes.
func TestHostileBytesGet400(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustTrackingServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "cust@example.com")
		MustUser(t, s, portal.RoleAgent, "agent@example.com")
		MustUser(t, s, portal.RoleEditor, "editor@example.com")
		token := mustToken(t, s, portal.Scopes...)
		cust, agent, editor, guest := newClient(t, srv), newClient(t, srv), newClient(t, srv), newClient(t, srv)
		cust.login("cust@example.com")
		agent.login("agent@example.com")
		editor.login("editor@example.com")
		guest.get("/")
		want400 := func(t *testing.T, what string, res *response) {
			t.Helper()
			if res.StatusCode != 400 {
				t.Errorf("%s: status=%d, want 400; body: %.200s", what, res.StatusCode, res.body)
			}
		}
		for _, bad := range hostile {
			q := url.QueryEscape(bad)
			want400(t, "sign-in email", guest.post("/login", url.Values{"email": {bad}, "password": {"x"}}))
			want400(t, "sign-in password", guest.post("/login", url.Values{"email": {"cust@example.com"}, "password": {bad}}))
			want400(t, "tracking", guest.post("/track", url.Values{"number": {bad}, "contact": {bad}}))
			want400(t, "sign-up", guest.post("/signup", url.Values{"name": {bad}, "email": {"new@example.com"}, "password": {"long enough password"}}))
			want400(t, "profile name", cust.post("/account/profile", url.Values{"name": {bad}, "phone": {"1"}, "time_zone": {"UTC"}}))
			want400(t, "profile phone", cust.post("/account/profile", url.Values{"name": {"C"}, "phone": {bad}, "time_zone": {"UTC"}}))
			want400(t, "staff search", agent.get("/staff/customers?q="+q))
			want400(t, "editor search", editor.get("/editor/articles?q="+q))
			want400(t, "help search", guest.get("/help/search?q="+q))
			want400(t, "query key", guest.get("/help?"+q+"=1"))
			if !strings.Contains(bad, "\x00") { // fasthttp itself refuses NUL in headers
				req := httptest.NewRequest("GET", "/login", nil)
				req.Header.Set("User-Agent", bad)
				want400(t, "header", guest.do(req))
			}
			for _, body := range []string{`{"email":"x@example.org","name":"` + bad + `"}`, `{"email":"x@example.org","name":"a\u0000b"}`} {
				res := apiCall(t, srv, "POST", "/api/v1/customers", token, body)
				want400(t, "back-office API", res)
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
					t.Errorf("back-office API error is %s, want JSON", res.Header.Get("Content-Type"))
				}
			}
			for src, body := range map[string]string{
				"frontdesk": fdEvent("e1", "TN1", "in_transit", "2026-03-01T10:00:00Z"),
				"aftership": `{"msg":{"tracking_number":"TN1","checkpoints":[{"checkpoint_time":"2026-03-01T10:00:00Z","tag":"InTransit","message":"M"}]}}`,
				"easypost":  `{"result":{"tracking_code":"TN1","tracking_details":[{"datetime":"2026-03-01T10:00:00Z","status":"in_transit","message":"M"}]}}`,
			} {
				for _, b := range []string{strings.Replace(body, `"TN1"`, `"TN`+bad+`"`, 1), strings.Replace(body, `"TN1"`, `"TN\u0000"`, 1)} {
					want400(t, src+" webhook", hook(t, srv, src, b, hookSecrets[src], 0))
				}
			}
		}
		// Valid accented text passes: a User-Agent of 299 "M" and an "é"
		// (cut to 300 bytes in the session) signs in.
		c := newClient(t, srv)
		c.get("/login")
		form := url.Values{"email": {"cust@example.com"}, "password": {"correct horse"}, "_csrf": {c.csrf}}
		req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", strings.Repeat("M", 299)+"é")
		wantStatus(t, c.do(req), 303)
		wantStatus(t, cust.post("/account/profile", url.Values{"name": {"Zoë Ångström"}, "phone": {strings.Repeat("€", 20)}, "time_zone": {"UTC"}}), 303)
	})
}

// TestChatFramesRejectBadText: a chat frame with NUL (raw or escaped) is
// answered with an "invalid" error frame before the engine or the store
// sees it, and the socket carries on; a text frame that is not UTF-8 ends
// the connection with 1007 (RFC 6455), and nothing of it is stored.
func TestChatFramesRejectBadText(t *testing.T) {
	cs := mustChatServer(t)
	r := cs.dial(t, nil)
	r.write(text(`{"type":"hello"}`))
	r.next("welcome")
	for _, f := range []string{`{"type":"send","id":"1","text":"a\u0000b"}`, "{\"type\":\"send\",\"id\":\"3\",\"text\":\"\x00\"}"} {
		r.write(text(f))
		if got := r.next("error"); got["code"] != "invalid" {
			t.Fatalf("frame %q: error %v, want code invalid", f, got)
		}
	}
	r.write(text(`{"type":"ping"}`))
	r.next("pong")
	for _, bad := range hostile {
		if utf8.ValidString(bad) {
			continue
		}
		r := cs.dial(t, nil)
		r.write(text(`{"type":"send","id":"2","text":"` + bad + `"}`))
		if got := r.closed(); got != 1007 {
			t.Fatalf("text %q: close code %d, want 1007", bad, got)
		}
	}
	r = cs.dial(t, nil)
	r.write(text(`{"type":"hello"}`))
	if w := r.next("welcome"); w["conversation_id"] != nil {
		t.Fatalf("a conversation was started by frames refused: %v", w)
	}
}

// TestLeaveMessageLimited: leaving a message sends an email, so it is
// limited per visitor, per address written to and per client address;
// a guest's confirmation quotes nothing the guest wrote (the address is
// not known to be theirs); and it is refused while someone can take the
// chat.
func TestLeaveMessageLimited(t *testing.T) {
	cs := mustChatServer(t)
	r := cs.dial(t, nil)
	r.write(text(`{"type":"hello"}`))
	r.next("welcome")
	leave := func(id, email string) map[string]any {
		r.write(text(`{"type":"leave_message","id":"` + id + `","email":"` + email + `","name":"<b>Win</b>","text":"Click https://evil.example now"}`))
		for {
			f := r.next2("case", "error")
			if f["id"] == id {
				return f
			}
		}
	}
	for i := 0; i < 3; i++ {
		if f := leave("m"+itoa(int64(i)), "victim"+itoa(int64(i))+"@example.com"); f["type"] != "case" {
			t.Fatalf("message %d: %v", i+1, f)
		}
	}
	if f := leave("m3", "victim3@example.com"); f["type"] != "error" || f["code"] != "too_many_requests" {
		t.Fatalf("fourth message from one visitor: %v, want too_many_requests", f)
	}
	mails, err := cs.st.FindEmails(ctx(), "victim0@example.com", 10)
	if err != nil || len(mails) != 1 {
		t.Fatalf("emails to victim0: %d, %v", len(mails), err)
	}
	if b := mails[0].Body; strings.Contains(b, "evil.example") || strings.Contains(b, "Win") {
		t.Fatalf("a guest's confirmation quotes the guest's text:\n%s", b)
	}
	// Per address written to: other visitors, one address.
	for i := 0; i < 4; i++ {
		other := cs.dialAs(t, newVisitor(t, cs))
		other.write(text(`{"type":"hello"}`))
		other.next("welcome")
		other.write(text(`{"type":"leave_message","id":"x","email":"target@example.com","text":"hi"}`))
		f := other.next2("case", "error")
		if want := map[bool]string{true: "case", false: "error"}[i < 3]; f["type"] != want {
			t.Fatalf("message %d to one address: %v, want %s", i+1, f, want)
		}
	}
	// While an agent is available, nobody needs to leave a message.
	agent := &portal.User{Email: "agent@example.com", Name: "Agent", Role: portal.RoleAgent, PasswordHash: "x"}
	if err := cs.st.CreateUser(ctx(), agent); err != nil {
		t.Fatal(err)
	}
	if err := cs.engine.SetStatus(ctx(), agent, portal.AgentAvailable); err != nil {
		t.Fatal(err)
	}
	other := cs.dialAs(t, newVisitor(t, cs))
	other.write(text(`{"type":"hello"}`))
	other.next("welcome")
	other.write(text(`{"type":"leave_message","id":"s","email":"staffed@example.com","text":"hi"}`))
	if f := other.next2("case", "error"); f["type"] != "error" || f["code"] != "conflict" {
		t.Fatalf("leave a message while staffed: %v, want conflict", f)
	}
}

// next2 returns the next frame of either type.
func (r *rawSocket) next2(a, b string) map[string]any {
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
		if m["type"] == a || m["type"] == b {
			return m
		}
	}
}

// dialAs opens a chat socket with the given cookie.
func (cs *chatServer) dialAs(tb testing.TB, cookie string) *rawSocket {
	tb.Helper()
	st, c := cs.tryDial(tb, cookie)
	if st != 101 {
		tb.Fatalf("upgrade: status %d", st)
	}
	return &rawSocket{tb: tb, c: c, br: bufio.NewReader(c)}
}
