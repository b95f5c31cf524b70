package postgres_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus/bustest"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/jackc/pgx/v5/pgxpool"
)

func mustPool(tb testing.TB, url string) *pgxpool.Pool {
	tb.Helper()
	p, err := pgxpool.New(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Close)
	return p
}

// mustMigratedURL returns a fresh database with the schema.
func mustMigratedURL(tb testing.TB) string {
	tb.Helper()
	url := pgtest.URL(tb)
	st, err := postgres.Open(context.Background(), postgres.Config{URL: url})
	if err != nil {
		tb.Fatal(err)
	}
	st.Close()
	return url
}

func mustBus(tb testing.TB, pool *pgxpool.Pool) *postgres.Bus {
	tb.Helper()
	b, err := postgres.NewBus(context.Background(), pool, postgres.BusConfig{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

// waitHealth polls a bus's health until ok says it is as wanted.
func waitHealth(tb testing.TB, b *postgres.Bus, what string, ok func(error) bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok(b.Healthy()) {
		if time.Now().After(deadline) {
			tb.Fatalf("bus still %v after 20s, waiting for %s", b.Healthy(), what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestBusConformance runs the bus suite on two nodes (two pools) sharing a
// database. Cutting a node terminates its listening backend
// (pg_terminate_backend) and holds its reconnection until restored.
func TestBusConformance(t *testing.T) {
	bustest.Run(t, func(tb testing.TB) bustest.Cluster {
		url := mustMigratedURL(tb)
		a, b := mustBus(tb, mustPool(tb, url)), mustBus(tb, mustPool(tb, url))
		nodes := []*postgres.Bus{a, b}
		admin := mustPool(tb, url)
		return bustest.Cluster{Nodes: []portal.Bus{a, b}, Cut: func(tb testing.TB, i int) func() {
			tb.Helper()
			n := nodes[i]
			gate := make(chan struct{})
			postgres.SetBeforeReconnect(n, func() { <-gate })
			var killed int
			if err := admin.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`,
				"frontdesk-bus "+n.Node()).Scan(&killed); err != nil || killed != 1 {
				tb.Fatalf("terminate node %d's listener: %d backends, %v", i, killed, err)
			}
			waitHealth(tb, n, "the listener to notice", func(err error) bool { return err != nil })
			return func() {
				close(gate)
				waitHealth(tb, n, "the listener to come back", func(err error) bool { return err == nil })
			}
		}}
	})
}

// A listener down longer than half the retention runs the OnGap functions
// when it is back: what it missed may have been pruned.
func TestBusGapAfterLongOutage(t *testing.T) {
	url := mustMigratedURL(t)
	pool := mustPool(t, url)
	b, err := postgres.NewBus(context.Background(), pool, postgres.BusConfig{Retention: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	gap := make(chan struct{}, 1)
	b.OnGap(func() { gap <- struct{}{} })
	gate := make(chan struct{})
	postgres.SetBeforeReconnect(b, func() { <-gate })
	if _, err := mustPool(t, url).Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, "frontdesk-bus "+b.Node()); err != nil {
		t.Fatal(err)
	}
	waitHealth(t, b, "the listener to notice", func(err error) bool { return err != nil })
	time.Sleep(150 * time.Millisecond) // the outage itself: past half the retention
	close(gate)
	select {
	case <-gap:
	case <-time.After(20 * time.Second):
		t.Fatal("no gap reported after an outage longer than the retention allows")
	}
}

// BenchmarkBusAcrossNodes: messages of chat size published on one node
// until the other has them (each stored, notified and delivered), in
// rounds of 1,000 so that the queue never overflows: ns/op is the
// throughput's inverse.
func BenchmarkBusAcrossNodes(b *testing.B) {
	url := mustMigratedURL(b)
	a, other := mustBus(b, mustPool(b, url)), mustBus(b, mustPool(b, url))
	var n atomic.Int64
	more := make(chan struct{}, 1)
	defer other.Subscribe("bench", func(portal.BusMessage) {
		n.Add(1)
		select {
		case more <- struct{}{}:
		default:
		}
	})()
	payload := []byte(`{"k":"message","c":42,"s":3,"a":"customer","m":{"id":1,"b":"` + strings.Repeat("where is my order ", 8) + `","at":"2026-05-01T10:00:00Z"}}`)
	b.ResetTimer()
	for sent := 0; sent < b.N; {
		round := min(1000, b.N-sent)
		for range round {
			if err := a.Publish(context.Background(), "bench", payload); err != nil {
				b.Fatal(err)
			}
		}
		sent += round
		deadline := time.After(time.Minute)
		for n.Load() < int64(sent) {
			select {
			case <-more:
			case <-deadline:
				b.Fatalf("%d of %d arrived", n.Load(), sent)
			}
		}
	}
}
