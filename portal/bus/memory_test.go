package bus_test

import (
	"context"
	"sync"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/frontdesk/frontdesk/portal/bus/bustest"
)

func TestMemoryConformance(t *testing.T) {
	bustest.Run(t, func(tb testing.TB) bustest.Cluster {
		b := bus.NewMemory()
		return bustest.Cluster{Nodes: []portal.Bus{b, b.Peer()}}
	})
}

// A subscriber reading a channel it lets fill misses messages; publishers
// never wait for it.
func TestSubscribeChanSlowSubscriberNeverBlocks(t *testing.T) {
	b := bus.NewMemory()
	ch, cancel := portal.SubscribeChan(b, "t", 1)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				b.Publish(context.Background(), "t", []byte(`"p"`))
			}
		}()
	}
	wg.Wait()
	if n := len(ch); n != 1 {
		t.Fatalf("queued %d, want 1 (the rest dropped)", n)
	}
}

func TestMemoryRefusesAfterClose(t *testing.T) {
	b := bus.NewMemory()
	b.Close()
	if err := b.Publish(context.Background(), "t", []byte(`{}`)); err != portal.ErrBusClosed {
		t.Fatalf("publish after close: %v", err)
	}
}
