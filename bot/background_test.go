package bot

import (
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
)

// TestBackgroundDuringClose: work handed to the background while the
// engine closes (a vote's content gap recorded as the server stops) is
// either waited for by Close or run at once, never dropped, and never adds
// to the WaitGroup Close is waiting on (the race detector fails this test
// if it does: CI once failed TestChatVoteReachesEveryTab that way).
func TestBackgroundDuringClose(t *testing.T) {
	for round := 0; round < 20; round++ {
		e := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		var ran atomic.Int32
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 200 {
				e.background(func() { ran.Add(1) })
			}
		}()
		e.Close()
		<-done
		if got := ran.Load(); got != 200 {
			t.Fatalf("round %d: %d of 200 ran", round, got)
		}
	}
}
