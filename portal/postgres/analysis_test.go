package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/storetest"
)

// countingStats counts the order reads of one node's refitter: a node
// that fits reads the orders, a node that loads the stored result does not.
type countingStats struct {
	*postgres.Store
	reads atomic.Int32
}

func (c *countingStats) CustomerOrderStats(ctx context.Context, f portal.CustomerStatsFilter) ([]portal.CustomerOrderStats, error) {
	c.reads.Add(1)
	return c.Store.CustomerOrderStats(ctx, f)
}

// openCounting opens a node's store on the database at url, counting its
// order reads.
func openCounting(t *testing.T, url string) *countingStats {
	t.Helper()
	s, err := postgres.Open(context.Background(), postgres.Config{URL: url, MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &countingStats{Store: s}
}

// TestCustomerAnalysisOnOneNode: two nodes, each with its own store on one
// PostgreSQL database, one asked to refit and the other told by the bus at
// once: one fits and stores the result, the other loads it, and both
// show the same analysis. A refit the bus asks for after the result is
// stored loads it too; a refit after that (a manager's, or a failed
// holder's lease run out) computes again.
func TestCustomerAnalysisOnOneNode(t *testing.T) {
	url := pgtest.URL(t)
	open := func() *countingStats { return openCounting(t, url) }
	s1, s2 := open(), open()
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for i := range 12 {
		u := storetest.MustCreateUser(t, s1, portal.RoleCustomer, fmt.Sprintf("c%d@example.com", i))
		for j := range i%4 + 1 {
			storetest.MustCreateOrder(t, s1, u, fmt.Sprintf("N-%d-%d", i, j), day.AddDate(0, 0, -7*(i+3*j)))
		}
	}
	now := func() time.Time { return time.Now() }
	r1 := analytics.NewRefitter(analytics.RefitterConfig{Store: s1, Shared: s1.Store, Now: now, Poll: 5 * time.Millisecond})
	r2 := analytics.NewRefitter(analytics.RefitterConfig{Store: s2, Shared: s2.Store, Now: now, Poll: 5 * time.Millisecond})
	t.Cleanup(func() { r1.Close(); r2.Close() })
	wait := func(r *analytics.Refitter) *analytics.Report {
		t.Helper()
		<-r.Status().Done
		st := r.Status()
		if st.Err != nil || st.Report == nil {
			t.Fatalf("refit: err %v, report %v", st.Err, st.Report)
		}
		return st.Report
	}
	// A manager's refit on one node, and the bus's request on the other.
	if !r1.Refit() || !r2.Follow(time.Now().Add(-time.Minute)) {
		t.Fatal("a refit did not start")
	}
	a, b := wait(r1), wait(r2)
	if got := s1.reads.Load() + s2.reads.Load(); got != 1 {
		t.Fatalf("orders read %d times for one analysis on two nodes, want 1", got)
	}
	if !a.At.Equal(b.At) || len(a.Customers) != 12 || len(b.Customers) != 12 || a.CLV == nil || b.CLV == nil || a.CLV.EquityMinor != b.CLV.EquityMinor {
		t.Fatalf("the nodes show different analyses: %v %d %+v / %v %d %+v", a.At, len(a.Customers), a.CLV, b.At, len(b.Customers), b.CLV)
	}
	for i := range a.Customers {
		if a.Customers[i] != b.Customers[i] {
			t.Fatalf("customer %d: %+v on one node, %+v on the other", i, a.Customers[i], b.Customers[i])
		}
	}
	if page, total := b.SelectPage(analytics.ListFilter{}, 0, 3); total != 12 || len(page) != 3 {
		t.Fatalf("list on the loading node: %d of %d", len(page), total)
	}
	// The bus's request reaches a node after the result is stored: it
	// loads it.
	reads := s1.reads.Load() + s2.reads.Load()
	computer, other := r1, r2
	if s2.reads.Load() == 1 {
		computer, other = r2, r1
	}
	if !other.Follow(a.At) {
		t.Fatal("follow did not start")
	}
	if c := wait(other); !c.At.Equal(a.At) || s1.reads.Load()+s2.reads.Load() != reads {
		t.Fatalf("a late follower refitted (reads %d, at %v)", s1.reads.Load()+s2.reads.Load()-reads, c.At)
	}
	// A new refit on one node computes anew.
	if !computer.Refit() {
		t.Fatal("refit did not start")
	}
	if c := wait(computer); !c.At.After(a.At) || s1.reads.Load()+s2.reads.Load() != reads+1 {
		t.Fatalf("a second refit: at %v (first %v), reads %d", c.At, a.At, s1.reads.Load()+s2.reads.Load()-reads)
	}
}

// gatedClaims holds a node's lease claims until open is closed.
type gatedClaims struct {
	*postgres.Store
	open chan struct{}
}

func (g *gatedClaims) ClaimAnalysis(ctx context.Context, holder string, now, until time.Time) (bool, error) {
	<-g.open
	return g.Store.ClaimAnalysis(ctx, holder, now, until)
}

// TestCustomerAnalysisStoredBeforeTheClaim: a manager's refit on node one
// is slow to claim the lease; meanwhile node two, told by the bus, fits and
// stores the analysis and releases the lease. Node one then gets the lease
// but loads node two's analysis, made after it was asked, instead of
// reading the orders again.
func TestCustomerAnalysisStoredBeforeTheClaim(t *testing.T) {
	url := pgtest.URL(t)
	open := func() *countingStats { return openCounting(t, url) }
	s1, s2 := open(), open()
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		u := storetest.MustCreateUser(t, s1, portal.RoleCustomer, fmt.Sprintf("g%d@example.com", i))
		storetest.MustCreateOrder(t, s1, u, fmt.Sprintf("G-%d", i), day.AddDate(0, 0, -9*i))
	}
	gate := &gatedClaims{Store: s1.Store, open: make(chan struct{})}
	r1 := analytics.NewRefitter(analytics.RefitterConfig{Store: s1, Shared: gate, Poll: 5 * time.Millisecond})
	r2 := analytics.NewRefitter(analytics.RefitterConfig{Store: s2, Shared: s2.Store, Poll: 5 * time.Millisecond})
	t.Cleanup(func() { close(gate.open); r1.Close(); r2.Close() })
	if !r1.Refit() {
		t.Fatal("refit did not start")
	}
	if !r2.Follow(time.Now().Add(-time.Minute)) {
		t.Fatal("follow did not start")
	}
	<-r2.Status().Done
	b := r2.Status().Report
	if b == nil || s2.reads.Load() != 1 {
		t.Fatalf("node two: report %v, reads %d", b, s2.reads.Load())
	}
	gate.open <- struct{}{} // node one's claim goes through now
	<-r1.Status().Done
	st := r1.Status()
	if st.Err != nil || st.Report == nil {
		t.Fatalf("node one: err %v, report %v", st.Err, st.Report)
	}
	if s1.reads.Load() != 0 || !st.Report.At.Equal(b.At) {
		t.Fatalf("node one read the orders %d times (at %v, node two's %v), want 0: it should load node two's analysis", s1.reads.Load(), st.Report.At, b.At)
	}
	// The lease was given back: a later refit computes.
	if !r2.Refit() {
		t.Fatal("refit did not start")
	}
	<-r2.Status().Done
	if st := r2.Status(); st.Err != nil || s2.reads.Load() != 2 {
		t.Fatalf("a later refit: err %v, reads %d, want 2", st.Err, s2.reads.Load())
	}
}
