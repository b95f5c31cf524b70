package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
)

// factsLog records, across nodes, when the facts were marked ready and
// when they were written.
type factsLog struct {
	mu     sync.Mutex
	events []string
}

func (l *factsLog) add(node, what string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, node+" "+what)
}

// loggedFacts is one node's store: it logs the facts' writes and holds
// the first read of the facts' state until both nodes have read it, so
// that both start a rebuild at the same moment.
type loggedFacts struct {
	*postgres.Store
	node  string
	log   *factsLog
	start *sync.WaitGroup
	once  sync.Once
}

func (s *loggedFacts) ReportFactsState(ctx context.Context) (portal.ReportFactsState, error) {
	st, err := s.Store.ReportFactsState(ctx)
	s.once.Do(func() { s.start.Done(); s.start.Wait() })
	return st, err
}

func (s *loggedFacts) SetReportFactsState(ctx context.Context, st portal.ReportFactsState) error {
	if st.Built {
		s.log.add(s.node, "ready")
	}
	return s.Store.SetReportFactsState(ctx, st)
}

func (s *loggedFacts) ClearAllReportFacts(ctx context.Context) error {
	s.log.add(s.node, "clear")
	return s.Store.ClearAllReportFacts(ctx)
}

func (s *loggedFacts) LoadReportFacts(ctx context.Context, chats []portal.ChatFact, cases []portal.CaseFact, goneChats, goneCases []int64) error {
	s.log.add(s.node, "load")
	return s.Store.LoadReportFacts(ctx, chats, cases, goneChats, goneCases)
}

func (s *loggedFacts) PackReportFactDays(ctx context.Context) error {
	s.log.add(s.node, "pack")
	return s.Store.PackReportFactDays(ctx)
}

// TestReportFactsRebuildOnOneNode: two nodes, each with its own store on
// one PostgreSQL database, start the facts' rebuild at the same moment.
// One rebuilds; the other waits for the lease and then finds the facts
// built, so nothing rewrites them after they were marked ready.
func TestReportFactsRebuildOnOneNode(t *testing.T) {
	url := pgtest.URL(t)
	log := &factsLog{}
	var start sync.WaitGroup
	start.Add(2)
	open := func(node string) *loggedFacts {
		s, err := postgres.Open(context.Background(), postgres.Config{URL: url, MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return &loggedFacts{Store: s, node: node, log: log, start: &start}
	}
	s1, s2 := open("one"), open("two")
	day := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i := range 20 {
		cv := &portal.Conversation{VisitorID: fmt.Sprint("v", i), Subject: "help", CreatedAt: day.Add(time.Duration(i) * time.Hour)}
		if err := s1.CreateConversation(context.Background(), cv); err != nil {
			t.Fatal(err)
		}
	}
	k1, k2 := analytics.NewFactKeeper(s1, nil), analytics.NewFactKeeper(s2, nil)
	var wg sync.WaitGroup
	for _, k := range []*analytics.FactKeeper{k1, k2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if st, err := k.Prepare(context.Background()); err != nil || st.Ready {
				t.Errorf("prepare on an unbuilt store: ready %v, err %v", st.Ready, err)
			}
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := k1.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := k2.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	log.mu.Lock()
	events := append([]string(nil), log.events...)
	log.mu.Unlock()
	ready := -1
	for i, e := range events {
		if ready >= 0 {
			t.Fatalf("facts written after they were marked ready: %q", events)
		}
		if e[len(e)-len("ready"):] == "ready" {
			ready = i
		}
	}
	if ready < 0 {
		t.Fatalf("the facts were never marked ready: %q", events)
	}
	for _, k := range []*analytics.FactKeeper{k1, k2} {
		if st, err := k.Prepare(ctx); err != nil || !st.Ready {
			t.Fatalf("after the rebuild: ready %v, err %v", st.Ready, err)
		}
	}
}
