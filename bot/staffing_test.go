package bot_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/sqlite"
)

// staffNode is one node's engine and bus on a shared store.
type staffNode struct {
	engine *bot.Engine
	events <-chan portal.BusMessage
}

// heard waits until this node's bus delivered an event of kind (the
// engine, subscribed first, has then seen it too).
func (n staffNode) heard(tb testing.TB, kind bot.EventKind) {
	tb.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-n.events:
			var k struct {
				Kind bot.EventKind `json:"k"`
			}
			if json.Unmarshal(m.Payload, &k) == nil && k.Kind == kind {
				return
			}
		case <-timeout:
			tb.Fatalf("no %s event within 10s", kind)
		}
	}
}

func (n staffNode) wantAvailability(tb testing.TB, what string, ok bool, why string) {
	tb.Helper()
	gotOK, gotWhy, err := n.engine.Availability(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	if gotOK != ok || gotWhy != why {
		tb.Fatalf("%s: availability (%v, %q), want (%v, %q)", what, gotOK, gotWhy, ok, why)
	}
}

// TestStaffingSeenByEveryNode: each node keeps the chat settings and the
// agents' presence between changes, and a change made on one node (a
// status, an agent back after the grace, an agent gone, new business
// hours) is what the other node answers from as soon as its bus delivers
// the event, however long ago it read the store. Two engines on one store,
// on each store: SQLite with two in-process buses, PostgreSQL with two
// LISTEN/NOTIFY buses.
func TestStaffingSeenByEveryNode(t *testing.T) {
	type shared interface {
		bot.Store
		bot.UserFinder
		CreateUser(ctx context.Context, u *portal.User) error
	}
	setups := map[string]func(tb testing.TB) (shared, [2]portal.Bus){
		"sqlite": func(tb testing.TB) (shared, [2]portal.Bus) {
			st, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(tb.TempDir(), "t.db")})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { st.Close() })
			a := bus.NewMemory()
			return st, [2]portal.Bus{a, a.Peer()}
		},
		"postgres": func(tb testing.TB) (shared, [2]portal.Bus) {
			st, err := postgres.Open(context.Background(), postgres.Config{URL: pgtest.URL(tb)})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { st.Close() })
			var buses [2]portal.Bus
			for i := range buses {
				b, err := postgres.NewBus(context.Background(), st.Pool, postgres.BusConfig{})
				if err != nil {
					tb.Fatal(err)
				}
				tb.Cleanup(func() { b.Close() })
				buses[i] = b
			}
			return st, buses
		},
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			st, buses := setups[kind](t)
			const grace = time.Minute
			var nodes [2]staffNode
			for i, b := range buses {
				e := bot.New(bot.Config{Store: st, Users: st, Bus: b, AgentGrace: grace})
				t.Cleanup(e.Close)
				ch, cancel := portal.SubscribeChan(b, bot.Topic, 256)
				t.Cleanup(cancel)
				nodes[i] = staffNode{engine: e, events: ch}
			}
			a, b := nodes[0], nodes[1]
			agent := &portal.User{Email: "agent@example.com", Name: "Alex", Role: portal.RoleAgent}
			if err := st.CreateUser(ctx, agent); err != nil {
				t.Fatal(err)
			}
			always := portal.DefaultChatSettings()
			always.AlwaysOpen = true
			if err := a.engine.SaveSettings(ctx, always); err != nil {
				t.Fatal(err)
			}
			b.heard(t, bot.EventSettings)

			// Available, but last seen before the grace: offline. B reads
			// and keeps that nobody is available.
			if err := st.SetAgentPresence(ctx, agent.ID, portal.AgentAvailable, time.Now().Add(-2*grace)); err != nil {
				t.Fatal(err)
			}
			b.wantAvailability(t, "agent offline", false, "busy")

			t.Run("AgentBackAfterGraceOnOtherNode", func(t *testing.T) {
				// The agent's socket opens on A: A's heartbeat records them.
				if err := a.engine.Heartbeat(ctx, []int64{agent.ID}, nil); err != nil {
					t.Fatal(err)
				}
				b.heard(t, bot.EventPresence)
				b.wantAvailability(t, "agent back on A", true, "")
			})

			t.Run("StatusChosenOnOtherNode", func(t *testing.T) {
				if err := a.engine.SetStatus(ctx, agent, portal.AgentAway); err != nil {
					t.Fatal(err)
				}
				b.heard(t, bot.EventPresence)
				b.wantAvailability(t, "agent away on A", false, "busy")
				if err := a.engine.SetStatus(ctx, agent, portal.AgentAvailable); err != nil {
					t.Fatal(err)
				}
				b.heard(t, bot.EventPresence)
				b.wantAvailability(t, "agent available on A", true, "")
			})

			t.Run("AgentGoneOnOtherNode", func(t *testing.T) {
				b.wantAvailability(t, "agent available", true, "")
				if err := a.engine.AgentGone(ctx, agent.ID); err != nil {
					t.Fatal(err)
				}
				b.heard(t, bot.EventPresence)
				b.wantAvailability(t, "agent gone on A", false, "busy")
				if err := a.engine.SetStatus(ctx, agent, portal.AgentAvailable); err != nil {
					t.Fatal(err)
				}
				b.heard(t, bot.EventPresence)
				b.wantAvailability(t, "agent available again", true, "")
			})

			t.Run("BusinessHoursSavedOnOtherNode", func(t *testing.T) {
				// Open only in an hour that is not now, on every day.
				h := (time.Now().UTC().Hour() + 12) % 24
				closed := portal.ChatSettings{TimeZone: "UTC", OpenHour: h, CloseHour: h + 1, Days: []int{0, 1, 2, 3, 4, 5, 6}}
				if err := a.engine.SaveSettings(ctx, closed); err != nil {
					t.Fatal(err)
				}
				b.heard(t, bot.EventSettings)
				b.wantAvailability(t, "closed on A", false, "closed")
				if err := a.engine.SaveSettings(ctx, always); err != nil {
					t.Fatal(err)
				}
				b.heard(t, bot.EventSettings)
				b.wantAvailability(t, "open again on A", true, "")
			})
		})
	}
}
