package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

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

func mustBus(tb testing.TB, pool *pgxpool.Pool) *postgres.Bus {
	tb.Helper()
	b, err := postgres.NewBus(context.Background(), pool, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { b.Close() })
	return b
}

func recv(tb testing.TB, ch <-chan []byte) string {
	tb.Helper()
	select {
	case p := <-ch:
		return string(p)
	case <-time.After(10 * time.Second):
		tb.Fatal("nothing received within 10s")
		return ""
	}
}

func TestBusAcrossNodes(t *testing.T) {
	url := pgtest.URL(t)
	a, b := mustBus(t, mustPool(t, url)), mustBus(t, mustPool(t, url))
	chA, cancelA := a.Subscribe("chat")
	defer cancelA()
	chB, cancelB := b.Subscribe("chat")
	defer cancelB()
	ctx := context.Background()
	if err := a.Publish(ctx, "chat", []byte(`{"c":1,"s":7}`)); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, chA); got != `{"c":1,"s":7}` {
		t.Fatalf("local got %q", got)
	}
	if got := recv(t, chB); got != `{"c":1,"s":7}` {
		t.Fatalf("remote got %q", got)
	}
	select {
	case p := <-chA:
		t.Fatalf("publisher got its own message twice: %q", p)
	case <-time.After(200 * time.Millisecond):
	}
	t.Run("ManyPublishersEachOnce", func(t *testing.T) {
		// Publishes at once share NOTIFYs; each arrives once, and each
		// publisher's own publishes keep their order.
		a2 := mustBus(t, mustPool(t, url))
		sub, cancel := b.Subscribe("burst")
		defer cancel()
		const publishers, each = 20, 50
		var wg sync.WaitGroup
		for p := range publishers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pub := a
				if p%2 == 1 {
					pub = a2
				}
				for i := range each {
					// Fat payloads make batches hit the size limit.
					payload := fmt.Sprintf(`{"p":%d,"i":%d,"pad":%q}`, p, i, strings.Repeat("x", 300*(i%5)))
					if err := pub.Publish(ctx, "burst", []byte(payload)); err != nil {
						t.Errorf("publish: %v", err)
						return
					}
				}
			}()
		}
		next := make([]int, publishers)
		for range publishers * each {
			var m struct{ P, I int }
			if err := json.Unmarshal([]byte(recv(t, sub)), &m); err != nil {
				t.Fatal(err)
			}
			if m.I != next[m.P] {
				t.Fatalf("publisher %d: got %d, want %d (lost, repeated or reordered)", m.P, m.I, next[m.P])
			}
			next[m.P]++
		}
		wg.Wait()
		select {
		case p := <-sub:
			t.Fatalf("an extra message: %q", p)
		case <-time.After(200 * time.Millisecond):
		}
	})
	t.Run("RefusesLargeOrNonJSONPayloads", func(t *testing.T) {
		big := `{"x":"` + strings.Repeat("a", 8000) + `"}`
		if err := a.Publish(ctx, "chat", []byte(big)); err == nil || !strings.Contains(err.Error(), "limit") {
			t.Fatalf("big payload: %v", err)
		}
		if err := a.Publish(ctx, "chat", []byte(`not json`)); err == nil {
			t.Fatal("non-JSON payload accepted")
		}
	})
	t.Run("ReconnectsAfterTheConnectionIsKilled", func(t *testing.T) {
		reconnected := make(chan struct{}, 1)
		b.OnReconnect(func() { reconnected <- struct{}{} })
		admin := mustPool(t, url)
		if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()`); err != nil {
			t.Fatal(err)
		}
		select {
		case <-reconnected:
		case <-time.After(15 * time.Second):
			t.Fatal("no reconnect within 15s")
		}
		if err := b.Healthy(); err != nil {
			t.Fatalf("healthy after reconnect: %v", err)
		}
		// Publish until b hears a again (a's own listener may be reconnecting too).
		deadline := time.Now().Add(15 * time.Second)
		for {
			a.Publish(ctx, "chat", []byte(`{"after":1}`))
			select {
			case got := <-chB:
				if string(got) == `{"after":1}` {
					return
				}
			case <-time.After(200 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatal("b never heard a after reconnecting")
			}
		}
	})
}
