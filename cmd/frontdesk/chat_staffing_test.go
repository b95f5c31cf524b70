package main

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
)

// TestChatStaffingAcrossNodes: a node keeps the chat settings and the
// agents' presence it tells customers about (staffed, busy, closed) until
// a change is published, so a change made on one node (an agent's status
// from the console, business hours from the settings page) is what the
// other node's next hello says once its bus delivered the change. With
// PostgreSQL on two nodes sharing the database; SQLite serves one node, so
// there both sides are the same node.
func TestChatStaffingAcrossNodes(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			a := MustStartServer(t, kind)
			b := a
			if kind == "postgres" {
				b = MustStartServer(t, kind, func(m *Main) { m.Config.DatabaseURL = a.Config.DatabaseURL })
			}
			// Subscribed after B's engine: when B's bus hands an event
			// here, the engine has seen it.
			events, cancel := portal.SubscribeChan(b.Bus, bot.Topic, 1024)
			defer cancel()
			heard := func(kind bot.EventKind) {
				t.Helper()
				timeout := time.After(10 * time.Second)
				for {
					select {
					case m := <-events:
						var k struct {
							Kind bot.EventKind `json:"k"`
						}
						if json.Unmarshal(m.Payload, &k) == nil && k.Kind == kind {
							return
						}
					case <-timeout:
						t.Fatalf("node B heard no %s event within 10s", kind)
					}
				}
			}
			hello := func(what string, staffed bool, reason string) {
				t.Helper()
				w, f := newGuest(t, b).hello(0, 0)
				w.c.Close()
				if f.Staffed == nil || *f.Staffed != staffed || f.Reason != reason {
					got := "none"
					if f.Staffed != nil {
						got = strconv.FormatBool(*f.Staffed)
					}
					t.Fatalf("%s: hello on B says staffed %s, reason %q; want %v, %q", what, got, f.Reason, staffed, reason)
				}
			}

			hello("nobody available yet", false, "busy")
			agent := agentOnline(t, a, "agent@example.com")
			heard(bot.EventPresence)
			hello("an agent available on A", true, "")

			admin := signIn(t, a, "admin@example.com")
			hours := func(form url.Values) {
				t.Helper()
				form.Set("time_zone", "UTC")
				form.Set("canned", "")
				if code := admin.post("/admin/chat", "/admin/chat", form); code != 303 {
					t.Fatalf("save chat settings: status %d", code)
				}
				heard(bot.EventSettings)
			}
			// Open only in an hour that is not now, on every day.
			h := (time.Now().UTC().Hour() + 12) % 24
			hours(url.Values{"open_hour": {strconv.Itoa(h)}, "close_hour": {strconv.Itoa(h + 1)}, "days": {"0", "1", "2", "3", "4", "5", "6"}})
			hello("outside the hours saved on A", false, "closed")
			hours(url.Values{"always_open": {"1"}, "open_hour": {"9"}, "close_hour": {"17"}})
			hello("open again on A", true, "")

			agent.send(map[string]any{"type": "status", "status": "away"})
			heard(bot.EventPresence)
			hello("the agent away on A", false, "busy")
		})
	}
}
