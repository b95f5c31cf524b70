package bus_test

import (
	"context"
	"sync"
	"testing"

	"github.com/frontdesk/frontdesk/portal/bus"
)

func TestMemoryDeliversToSubscribersOfTopic(t *testing.T) {
	b := bus.NewMemory()
	a, cancelA := b.Subscribe("shipment:1")
	other, cancelO := b.Subscribe("shipment:2")
	defer cancelO()
	b.Publish(context.Background(), "shipment:1", []byte("x"))
	if got := string(<-a); got != "x" {
		t.Fatalf("got %q", got)
	}
	select {
	case p := <-other:
		t.Fatalf("other topic got %q", p)
	default:
	}
	cancelA()
	cancelA() // idempotent
	b.Publish(context.Background(), "shipment:1", []byte("y"))
	select {
	case p := <-a:
		t.Fatalf("cancelled subscriber got %q", p)
	default:
	}
}

func TestMemorySlowSubscriberNeverBlocks(t *testing.T) {
	b := bus.NewMemory()
	b.Buffer = 1
	ch, cancel := b.Subscribe("t")
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				b.Publish(context.Background(), "t", []byte("p"))
			}
		}()
	}
	wg.Wait()
	if n := len(ch); n != 1 {
		t.Fatalf("queued %d, want 1 (the rest dropped)", n)
	}
}
