package casework_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/frontdesk/frontdesk/portal/casework"
)

// TestSLAChangeReachesEveryNode changes the targets on one node: the first
// batch of open cases is recomputed at once, and the other node's loop,
// woken over the bus (its own pass is an hour away), does the rest. New
// segments from an analysis reach the open cases the same way.
func TestSLAChangeReachesEveryNode(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes func(t *testing.T, now func() time.Time) []store
	}{
		{"SQLite", func(t *testing.T, now func() time.Time) []store { s := openSQLite(t, now); return []store{s[0], s[0]} }},
		{"PostgreSQLTwoNodes", func(t *testing.T, now func() time.Time) []store { return openPostgres(t, now, 2) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} // Monday 9:00 UTC
			nodes := tc.nodes(t, clk.Now)
			b := bus.NewMemory()
			var svcs []*casework.Service
			for i, n := range nodes {
				svcs = append(svcs, casework.New(casework.Config{Store: n, BaseURL: "http://x", Node: string(rune('a' + i)), Now: clk.Now, Bus: b,
					Interval: time.Hour, RecomputeBatch: 3}))
			}
			s := nodes[0]
			ada := user(t, s, portal.RoleCustomer, "ada@example.com")
			user(t, s, portal.RoleAgent, "agent@example.com")
			var cases []*portal.Case
			for i := 0; i < 10; i++ {
				c := &portal.Case{Email: "c@example.com", Body: "Help"}
				if i%2 == 0 {
					c.CustomerID, c.Email = &ada.ID, ada.Email
				}
				if err := svcs[0].Open(ctx, c, nil, false); err != nil {
					t.Fatal(err)
				}
				cases = append(cases, c)
			}
			// Node b runs its loop; its first round finds nothing to
			// recompute, and its pass sets every case's next check, by
			// which we know it waits for the next hour or a wake-up.
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); svcs[1].Run(runCtx) }()
			t.Cleanup(func() { cancel(); <-done })
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				due, err := s.FindSLACases(ctx, clk.Now())
				if err != nil {
					t.Fatal(err)
				}
				if len(due) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("node b's first pass did not run: %d cases due a check", len(due))
				}
			}

			waitDue := func(what string, want map[int64]time.Time) {
				t.Helper()
				deadline := time.Now().Add(20 * time.Second)
				for {
					left, _, err := svcs[0].RecomputeProgress(ctx)
					if err != nil {
						t.Fatal(err)
					}
					bad := ""
					if left == 0 {
						for id, w := range want {
							c, err := s.FindCase(ctx, id)
							if err != nil {
								t.Fatal(err)
							}
							if c.FirstResponseDue == nil || !c.FirstResponseDue.Equal(w) {
								bad = c.Number() + " due " + c.FirstResponseDue.String() + ", want " + w.String()
							}
						}
						if bad == "" {
							return
						}
					}
					if time.Now().After(deadline) {
						t.Fatalf("%s: %d cases left to recompute; %s", what, left, bad)
					}
					time.Sleep(10 * time.Millisecond)
				}
			}

			// Tighter targets for normal priority, saved on node a.
			if err := s.SaveSLAPolicy(ctx, portal.SLAPolicy{Priority: portal.PriorityNormal, CalendarID: 1, FirstResponse: 2 * time.Hour, NextResponse: 2 * time.Hour, Resolution: 8 * time.Hour}); err != nil {
				t.Fatal(err)
			}
			left, err := svcs[0].SLAChanged(ctx)
			if err != nil || left > 7 {
				t.Fatalf("left after the first batch %d, %v; want at most 7 of 10", left, err)
			}
			want := map[int64]time.Time{}
			for _, c := range cases {
				want[c.ID] = clk.Now().Add(2 * time.Hour)
			}
			waitDue("new targets", want)

			// A new analysis puts ada among the Champions, who have their
			// own targets: her open cases take them.
			if err := s.SaveSLAPolicy(ctx, portal.SLAPolicy{Priority: portal.PriorityNormal, Segment: "Champions", CalendarID: 1, FirstResponse: 30 * time.Minute}); err != nil {
				t.Fatal(err)
			}
			if _, err := svcs[0].SLAChanged(ctx); err != nil {
				t.Fatal(err)
			}
			waitDue("segment targets, before any customer is in the segment", want)
			if err := svcs[0].ApplySegments(ctx, map[int64]string{ada.ID: "Champions"}); err != nil {
				t.Fatal(err)
			}
			for i, c := range cases {
				if i%2 == 0 {
					want[c.ID] = clk.Now().Add(30 * time.Minute)
				}
			}
			waitDue("ada's segment", want)
		})
	}
}

// TestDigestHour sends the digest after the configured UTC hour, not
// before; midnight is an hour like any other.
func TestDigestHour(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 3, 0, 30, 0, 0, time.UTC)}
	s := openSQLite(t, clk.Now)[0]
	user(t, s, portal.RoleManager, "manager@example.com")
	for _, tc := range []struct {
		name     string
		hour     *int
		at       time.Time
		wantSent bool
	}{
		{"default 7, at 00:30", nil, time.Date(2026, 3, 3, 0, 30, 0, 0, time.UTC), false},
		{"default 7, at 07:00", nil, time.Date(2026, 3, 4, 7, 0, 0, 0, time.UTC), true},
		{"midnight, at 00:30", ptrInt(0), time.Date(2026, 3, 5, 0, 30, 0, 0, time.UTC), true},
		{"18, at 17:59", ptrInt(18), time.Date(2026, 3, 6, 17, 59, 0, 0, time.UTC), false},
		{"18, at 18:00", ptrInt(18), time.Date(2026, 3, 6, 18, 0, 0, 0, time.UTC), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk.Set(tc.at)
			svc := casework.New(casework.Config{Store: s, Now: clk.Now, DigestHour: tc.hour})
			sent, err := svc.Digest(ctx)
			if err != nil || sent != tc.wantSent {
				t.Fatalf("sent %v, %v; want %v", sent, err, tc.wantSent)
			}
		})
	}
}

func ptrInt(n int) *int { return &n }
