package casework_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/frontdesk/frontdesk/portal/casework"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/sqlite"
)

type store interface {
	portal.Store
}

var ctx = context.Background()

// clock is a settable clock shared by the stores and services of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func openSQLite(t *testing.T, now func() time.Time) []store {
	s, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "fd.db")})
	if err != nil {
		t.Fatal(err)
	}
	s.Now = now
	t.Cleanup(func() { s.Close() })
	return []store{s}
}

// openPostgres opens n stores on one fresh database: n nodes.
func openPostgres(t *testing.T, now func() time.Time, n int) []store {
	if os.Getenv(pgtest.EnvURL) == "" && os.Getenv("CI") != "true" {
		t.Skip("no PostgreSQL: set " + pgtest.EnvURL)
	}
	url := pgtest.URL(t)
	var out []store
	for i := 0; i < n; i++ {
		s, err := postgres.Open(ctx, postgres.Config{URL: url, MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		s.Now = now
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

func user(t *testing.T, s store, role portal.Role, email string) *portal.User {
	t.Helper()
	u := &portal.User{Email: email, Name: strings.Split(email, "@")[0], Role: role, PasswordHash: "x"}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return u
}

func countEntries(t *testing.T, s store, caseID int64, part string) int {
	t.Helper()
	es, err := s.FindCaseEntries(ctx, caseID, true)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Kind == portal.EntryEvent && strings.Contains(e.Body, part) {
			n++
		}
	}
	return n
}

// TestEscalationOnce runs the escalation pass on every node at once, at
// 80% of the first-response target and at breach: each rule acts once per
// case, not once per node, and each action is in the case's history.
func TestEscalationOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes func(t *testing.T, now func() time.Time) []store
	}{
		{"SQLite", func(t *testing.T, now func() time.Time) []store { return openSQLite(t, now) }},
		{"PostgreSQLThreeNodes", func(t *testing.T, now func() time.Time) []store { return openPostgres(t, now, 3) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} // Monday 9:00 UTC
			nodes := tc.nodes(t, clk.Now)
			s := nodes[0]
			lead := user(t, s, portal.RoleAgent, "lead@example.com")
			agent := user(t, s, portal.RoleAgent, "agent@example.com")
			manager := user(t, s, portal.RoleManager, "manager@example.com")
			team := &portal.Team{Name: "Returns", LeadID: &lead.ID, MemberIDs: []int64{agent.ID}}
			if err := s.SaveTeam(ctx, team); err != nil {
				t.Fatal(err)
			}
			// The nodes share a bus, as a cluster does: alerts for the
			// consoles are announced once, by the node whose action fired.
			b := bus.NewMemory()
			alerts := make(chan casework.Alert, 1000)
			unsub := b.Subscribe(casework.AlertTopic, func(m portal.BusMessage) {
				var a casework.Alert
				if json.Unmarshal(m.Payload, &a) == nil {
					alerts <- a
				}
			})
			t.Cleanup(unsub)
			var svcs []*casework.Service
			for i, n := range nodes {
				svcs = append(svcs, casework.New(casework.Config{Store: n, BaseURL: "http://x", Node: string(rune('a' + i)), Now: clk.Now, Bus: b}))
			}
			// Normal priority: 8 h first response on Monday to Friday 9-17.
			var cases []*portal.Case
			for i := 0; i < 5; i++ {
				c := &portal.Case{Email: "c@example.com", Body: "Help", TeamID: &team.ID}
				if err := svcs[0].Open(ctx, c, nil, false); err != nil {
					t.Fatal(err)
				}
				cases = append(cases, c)
			}
			answered := cases[4]
			if _, _, err := svcs[0].Reply(ctx, agent, answered.ID, "Done", "", nil); err != nil {
				t.Fatal(err)
			}
			pass := func() int {
				var wg sync.WaitGroup
				var mu sync.Mutex
				fired := 0
				for _, svc := range svcs {
					wg.Add(1)
					go func(svc *casework.Service) {
						defer wg.Done()
						r, err := svc.Pass(ctx)
						if err != nil {
							t.Error(err)
						}
						mu.Lock()
						fired += r.Fired
						mu.Unlock()
					}(svc)
				}
				wg.Wait()
				return fired
			}
			if got := pass(); got != 0 {
				t.Fatalf("fired %d before any target share", got)
			}
			// 80% of 8 h is 6 h 24 min: the lead is told, once per case.
			clk.Set(time.Date(2026, 3, 2, 15, 30, 0, 0, time.UTC))
			if got := pass(); got != 4 {
				t.Fatalf("fired %d at 80%%, want 4 (one per unanswered case)", got)
			}
			if got := pass(); got != 0 {
				t.Fatalf("fired %d again", got)
			}
			for _, c := range cases[:4] {
				if n := countEntries(t, s, c.ID, "Notified lead"); n != 1 {
					t.Fatalf("case %d: %d notices in the history, want 1", c.ID, n)
				}
			}
			ns, unread, _ := s.FindStaffNotifications(ctx, lead.ID, 50)
			escal := 0
			for _, n := range ns {
				if strings.Contains(n.Body, "First response target 80% used") {
					escal++
				}
			}
			if escal != 4 {
				t.Fatalf("lead has %d escalation alerts (%d unread), want 4", escal, unread)
			}
			// Every alert published so far is in the channel once the
			// marker behind it is.
			b.Publish(ctx, casework.AlertTopic, []byte(`{"b":"marker"}`))
			announced := 0
			for a := range alerts {
				if a.Body == "marker" {
					break
				}
				if strings.Contains(a.Body, "First response target 80% used") {
					if len(a.UserIDs) != 1 || a.UserIDs[0] != lead.ID || a.CaseID == 0 {
						t.Fatalf("escalation alert %+v, want for the lead about a case", a)
					}
					announced++
				}
			}
			if announced != 4 {
				t.Fatalf("%d escalation alerts announced on the bus, want 4 (once per case, not per node)", announced)
			}
			mails, _ := s.FindEmails(ctx, lead.Email, 50)
			if len(mails) != 4 || !strings.HasPrefix(mails[0].Subject, "Escalation: case") {
				t.Fatalf("lead has %d emails, want 4", len(mails))
			}
			// At breach the priority rises, once.
			clk.Set(time.Date(2026, 3, 2, 17, 1, 0, 0, time.UTC))
			if got := pass(); got != 4 {
				t.Fatalf("fired %d at breach, want 4", got)
			}
			for _, c := range cases[:4] {
				got, _ := s.FindCase(ctx, c.ID)
				if got.Priority != portal.PriorityHigh {
					t.Fatalf("case %d priority %s, want high", c.ID, got.Priority)
				}
				if n := countEntries(t, s, c.ID, "Automatic escalation: First response target breached. Priority: Normal → High"); n != 1 {
					t.Fatalf("case %d: %d priority escalations in the history, want 1", c.ID, n)
				}
			}
			if got, _ := s.FindCase(ctx, answered.ID); got.Priority != portal.PriorityNormal {
				t.Fatal("answered case escalated")
			}
			// The digest goes out once a day, from one node.
			clk.Set(time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC))
			sent := 0
			for _, svc := range svcs {
				ok, err := svc.Digest(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					sent++
				}
			}
			if sent != 1 {
				t.Fatalf("digest sent %d times, want 1", sent)
			}
			mails, _ = s.FindEmails(ctx, manager.Email, 10)
			if len(mails) != 1 || !strings.Contains(mails[0].Body, "Unresolved: 5") || !strings.Contains(mails[0].Body, "Past an SLA target: 4") {
				t.Fatalf("digest %+v", mails)
			}
		})
	}
}

// TestOpenAcknowledgesAndAlerts: a new case gets the customer an email
// with the number and the expected answer time, and alerts the team; a
// customer's reply alerts the assignee.
func TestOpenAcknowledgesAndAlerts(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 6, 16, 0, 0, 0, time.UTC)} // Friday 16:00
	s := openSQLite(t, clk.Now)[0]
	a1 := user(t, s, portal.RoleAgent, "a1@example.com")
	a2 := user(t, s, portal.RoleAgent, "a2@example.com")
	cust := user(t, s, portal.RoleCustomer, "cust@example.com")
	svc := casework.New(casework.Config{Store: s, BaseURL: "https://shop.example", Now: clk.Now})
	c := &portal.Case{CustomerID: &cust.ID, Email: cust.Email, Name: "Cust", Subject: "Sofa", Body: "Where is it?", Priority: portal.PriorityHigh}
	if err := svc.Open(ctx, c, nil, true); err != nil {
		t.Fatal(err)
	}
	mails, _ := s.FindEmails(ctx, cust.Email, 10)
	// High: 2 h first response; Friday 16:00 + 1 h, Monday 9:00 + 1 h.
	if len(mails) != 1 || !strings.Contains(mails[0].Body, c.Number()) || !strings.Contains(mails[0].Body, "by Monday 9 March, 10:00 UTC") ||
		!strings.Contains(mails[0].Body, "https://shop.example/account/cases/") {
		t.Fatalf("acknowledgement %+v", mails)
	}
	for _, a := range []*portal.User{a1, a2} {
		if _, unread, _ := s.FindStaffNotifications(ctx, a.ID, 10); unread != 1 {
			t.Fatalf("agent %s has %d alerts, want 1", a.Email, unread)
		}
		if m, _ := s.FindEmails(ctx, a.Email, 10); len(m) != 1 || !strings.HasPrefix(m[0].Subject, "New case") {
			t.Fatalf("agent %s emails %+v", a.Email, m)
		}
	}
	if _, err := s.UpdateCase(ctx, c.ID, portal.CaseUpdate{AssigneeID: &a2.ID}, a1, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CustomerMessage(ctx, &portal.CaseEntry{CaseID: c.ID, AuthorID: &cust.ID, Body: "Any news?"}); err != nil {
		t.Fatal(err)
	}
	if _, unread, _ := s.FindStaffNotifications(ctx, a2.ID, 10); unread != 2 {
		t.Fatalf("assignee has %d alerts, want 2", unread)
	}
	if _, unread, _ := s.FindStaffNotifications(ctx, a1.ID, 10); unread != 1 {
		t.Fatalf("other agent has %d alerts, want 1 (only the new case)", unread)
	}
}
