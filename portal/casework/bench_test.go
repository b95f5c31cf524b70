package casework_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/casework"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/sqlstore"
)

// BenchmarkCaseLoad seeds FRONTDESK_BENCH_CASES cases (default 100,000)
// into each store and measures each staff view and search kind (first
// page of 25 with its total, as the pages ask) and the escalation pass
// over every running case. Latencies are reported as p50 and p99 in ms per
// kind. Run it once:
//
//	go test ./portal/casework -run '^$' -bench CaseLoad -benchtime 1x
func BenchmarkCaseLoad(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("FRONTDESK_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	b.Run("SQLite", func(b *testing.B) {
		s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(b.TempDir(), "fd.db")})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		caseLoad(b, s, s.Store, n)
	})
	b.Run("PostgreSQL", func(b *testing.B) {
		if os.Getenv(pgtest.EnvURL) == "" {
			b.Skip("no PostgreSQL: set " + pgtest.EnvURL)
		}
		s, err := postgres.Open(context.Background(), postgres.Config{URL: pgtest.URL(b), MaxConns: 8})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		caseLoad(b, s, s.Store, n)
	})
}

func caseLoad(b *testing.B, s portal.Store, sq *sqlstore.Store, n int) {
	ctx := context.Background()
	now := time.Now().UTC()
	var custs, agents []int64
	for i := 0; i < 2000; i++ {
		u := &portal.User{Email: fmt.Sprintf("c%d@example.com", i), Name: fmt.Sprintf("Customer %d", i), Role: portal.RoleCustomer, PasswordHash: "x"}
		if err := s.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		custs = append(custs, u.ID)
	}
	for i := 0; i < 20; i++ {
		u := &portal.User{Email: fmt.Sprintf("a%d@example.com", i), Name: fmt.Sprintf("Agent %d", i), Role: portal.RoleAgent, PasswordHash: "x"}
		if err := s.CreateUser(ctx, u); err != nil {
			b.Fatal(err)
		}
		agents = append(agents, u.ID)
	}
	t0 := time.Now()
	if err := sq.SeedCases(ctx, sqlstore.CaseSeed{Cases: n, Customers: custs, Agents: agents, Now: now}); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d cases in %v", n, time.Since(t0).Round(time.Millisecond))
	rng := rand.New(rand.NewSource(2))
	active := portal.CaseActiveStatuses
	soon := now.Add(2 * time.Hour)
	kinds := []struct {
		name string
		f    func() portal.CaseFilter
	}{
		{"view_mine", func() portal.CaseFilter {
			return portal.CaseFilter{AssigneeID: &agents[rng.Intn(len(agents))], Statuses: active}
		}},
		{"view_unassigned", func() portal.CaseFilter { return portal.CaseFilter{Unassigned: true, Statuses: active} }},
		{"view_breaching", func() portal.CaseFilter { return portal.CaseFilter{DueBefore: &soon, Statuses: active} }},
		{"view_open", func() portal.CaseFilter { return portal.CaseFilter{Statuses: active, Offset: 25 * rng.Intn(5)} }},
		{"search_number", func() portal.CaseFilter {
			return portal.CaseFilter{Query: (&portal.Case{ID: int64(1 + rng.Intn(n))}).Number()}
		}},
		{"search_email", func() portal.CaseFilter {
			return portal.CaseFilter{Query: fmt.Sprintf("customer%d@example.com", custs[rng.Intn(len(custs))])}
		}},
		// A common word and an order number from the message.
		{"search_text", func() portal.CaseFilter {
			return portal.CaseFilter{Query: "order " + strconv.Itoa(100000+rng.Intn(n))}
		}},
	}
	const rounds = 200
	for _, k := range kinds {
		var lat []time.Duration
		for i := 0; i < rounds; i++ {
			f := k.f()
			f.Limit = 25
			t := time.Now()
			if _, _, err := s.FindCases(ctx, f); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
		}
		p50, p99 := pct(lat, 50), pct(lat, 99)
		b.ReportMetric(p50, k.name+"_p50_ms")
		b.ReportMetric(p99, k.name+"_p99_ms")
	}
	svc := casework.New(casework.Config{Store: s, Now: func() time.Time { return now }})
	t := time.Now()
	r, err := svc.Pass(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(ms(time.Since(t)), "first_pass_ms")
	b.ReportMetric(float64(r.Fired), "first_pass_fired")
	var passes []time.Duration
	for i := 0; i < 5; i++ {
		t := time.Now()
		r, err = svc.Pass(ctx)
		if err != nil {
			b.Fatal(err)
		}
		passes = append(passes, time.Since(t))
	}
	b.ReportMetric(float64(r.Evaluated), "pass_cases")
	b.ReportMetric(pct(passes, 50), "pass_p50_ms")
	b.ReportMetric(pct(passes, 100), "pass_max_ms")
	// Every running case read and evaluated against the rules, as the
	// first pass after a start or a change of rules does.
	t = time.Now()
	all, err := s.FindSLACases(ctx, now.AddDate(1, 0, 0))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(ms(time.Since(t)), "read_all_ms")
	set, _ := s.SLASettings(ctx)
	rules, _ := s.FindEscalationRules(ctx)
	t = time.Now()
	reached := 0
	for _, c := range all {
		for _, r := range rules {
			if _, ok, _, _ := c.SLAReached(set, r.Metric, r.Percent, now); ok {
				reached++
			}
		}
	}
	b.ReportMetric(ms(time.Since(t)), "eval_all_ms")
	b.ReportMetric(float64(len(all)), "eval_all_cases")
	// A changed policy: every open case's due times recomputed, as the
	// nodes do in the background after the save.
	if err := s.SaveSLAPolicy(ctx, portal.SLAPolicy{Priority: portal.PriorityNormal, CalendarID: 1, FirstResponse: 4 * time.Hour, NextResponse: 4 * time.Hour, Resolution: 24 * time.Hour}); err != nil {
		b.Fatal(err)
	}
	t = time.Now()
	done, err := svc.Recompute(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(ms(time.Since(t)), "recompute_all_ms")
	b.ReportMetric(float64(done), "recompute_all_cases")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func pct(ds []time.Duration, p int) float64 {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return ms(s[i-1])
}
