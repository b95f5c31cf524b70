package analytics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// StatsReader is the part of the store a refit reads.
type StatsReader interface {
	CustomerOrderStats(ctx context.Context, f portal.CustomerStatsFilter) ([]portal.CustomerOrderStats, error)
}

// RefitterConfig configures a Refitter. Zero values mean defaults.
type RefitterConfig struct {
	Store   StatsReader
	Options Options
	// Period is how far back the segment movements look; default 30 days.
	Period time.Duration
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// OnReport, when set, is called with each finished analysis before
	// it is published, in the refit's goroutine (the case workflow stores
	// the segments, whose SLA targets then apply to the open cases).
	OnReport func(ctx context.Context, rep *Report) error
}

// Status is what a page shows about the analysis.
type Status struct {
	// Report is the latest finished analysis, nil before the first.
	Report *Report
	// Running is true while a refit runs; Progress is its fraction done.
	Running   bool
	Progress  float64
	StartedAt time.Time
	// Err is the last refit's failure, if it failed.
	Err error
	// Done is closed when the refit running at the time of the call (or
	// the last one) has finished.
	Done <-chan struct{}
}

// Refitter runs the customer analysis in the background, one run at a
// time, and keeps the latest report for pages to read without waiting.
type Refitter struct {
	cfg    RefitterConfig
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	report   *Report
	running  bool
	progress float64
	started  time.Time
	err      error
	done     chan struct{}
}

// NewRefitter returns a Refitter reading cfg.Store.
func NewRefitter(cfg RefitterConfig) *Refitter {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Period == 0 {
		cfg.Period = 30 * 24 * time.Hour
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	close(done)
	return &Refitter{cfg: cfg, ctx: ctx, cancel: cancel, done: done}
}

// Refit starts a refit unless one is running; it reports whether it
// started one. It never waits for the refit.
func (r *Refitter) Refit() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running || r.ctx.Err() != nil {
		return false
	}
	r.running, r.progress, r.started, r.err = true, 0, r.cfg.Now(), nil
	done := make(chan struct{})
	r.done = done
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(done)
		rep, err := r.run(r.ctx)
		if err == nil && r.cfg.OnReport != nil {
			if herr := r.cfg.OnReport(r.ctx, rep); herr != nil {
				slog.Error("customer analysis: apply the report", "err", herr)
			}
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.running, r.progress, r.err = false, 1, err
		if err == nil {
			r.report = rep
		} else {
			slog.Error("customer analysis", "err", err)
		}
	}()
	return true
}

func (r *Refitter) setProgress(f float64) {
	r.mu.Lock()
	r.progress = f
	r.mu.Unlock()
}

func (r *Refitter) run(ctx context.Context) (*Report, error) {
	now := r.cfg.Now()
	// Segments a period ago come from the orders placed before then, read
	// in the same pass.
	then := now.Add(-r.cfg.Period)
	stats, err := r.cfg.Store.CustomerOrderStats(ctx, portal.CustomerStatsFilter{Split: then})
	if err != nil {
		return nil, err
	}
	var old []portal.CustomerOrderStats
	for _, c := range stats {
		if c.Before != nil {
			old = append(old, *c.Before)
		}
	}
	r.setProgress(0.1)
	opt := r.cfg.Options
	opt.Progress = r.setProgress
	rep, err := BuildReport(stats, now, opt)
	if err != nil {
		return nil, err
	}
	rep.Movements(Segmentation(old, then), then)
	slog.Info("customer analysis", "customers", len(stats), "took", rep.Took)
	return rep, nil
}

// Status returns the latest report and the state of the refit.
func (r *Refitter) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Status{Report: r.report, Running: r.running, Progress: r.progress, StartedAt: r.started, Err: r.err, Done: r.done}
}

// Close stops accepting refits and waits for a running one to end.
func (r *Refitter) Close() error {
	r.cancel()
	r.wg.Wait()
	return nil
}
