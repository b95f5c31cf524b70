package web

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestSocketContext: a socket's context ends when the socket closes, and
// so does everything derived from it (as the store's queries derive
// theirs); what was derived and has ended leaves nothing behind, so an
// idle socket holds nothing for the work it did.
func TestSocketContext(t *testing.T) {
	t.Run("derived contexts end when it is cancelled", func(t *testing.T) {
		sc := newSocketContext()
		child, cancelChild := context.WithCancel(sc)
		defer cancelChild()
		timed, cancelTimed := context.WithTimeout(sc, time.Hour)
		defer cancelTimed()
		ran := make(chan struct{})
		context.AfterFunc(sc, func() { close(ran) })
		if err := sc.Err(); err != nil {
			t.Fatalf("Err before cancel = %v, want nil", err)
		}
		sc.cancel()
		sc.cancel() // twice is fine
		for name, c := range map[string]context.Context{"socket": sc, "WithCancel": child, "WithTimeout": timed} {
			select {
			case <-c.Done():
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: not done after the socket's context was cancelled", name)
			}
			if got := c.Err(); !errors.Is(got, context.Canceled) {
				t.Fatalf("%s: Err = %v, want context.Canceled", name, got)
			}
		}
		<-ran
	})
	t.Run("ended derived contexts leave nothing", func(t *testing.T) {
		sc := newSocketContext()
		// A reader's and a writer's work at once, as on a socket.
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 100 {
					c, cancel := context.WithCancel(sc)
					stop := context.AfterFunc(sc, func() {})
					cancel()
					stop()
					if c.Err() == nil {
						t.Error("derived context not done after its cancel")
						return
					}
				}
			}()
		}
		wg.Wait()
		sc.mu.Lock()
		defer sc.mu.Unlock()
		if sc.after != nil || sc.err != nil {
			t.Fatalf("after 400 derived contexts ended: %d callbacks kept (capacity %d), err %v; want none", len(sc.after), cap(sc.after), sc.err)
		}
	})
	t.Run("AfterFunc on a cancelled context runs at once", func(t *testing.T) {
		sc := newSocketContext()
		sc.cancel()
		ran := make(chan struct{})
		stop := context.AfterFunc(sc, func() { close(ran) })
		<-ran
		if stop() {
			t.Fatal("stop after the func ran = true, want false")
		}
	})
}
