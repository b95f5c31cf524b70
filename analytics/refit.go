package analytics

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/gob"
	"encoding/hex"
	"fmt"
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
	// Shared, when set, makes one node of a cluster compute each analysis
	// (it holds a lease in the store while it does) and the others load
	// its stored result rather than fit their own copy; OnReport then runs
	// on the computing node only.
	Shared portal.SharedAnalysisService
	// Lease is how long a computing node keeps the others waiting before
	// they take over (a node that died); default 10 minutes. Poll is how
	// often a waiting node looks for the result; default 250 ms.
	Lease, Poll time.Duration
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
	node   string // this refitter's name as a lease holder
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
	if cfg.Lease == 0 {
		cfg.Lease = 10 * time.Minute
	}
	if cfg.Poll == 0 {
		cfg.Poll = 250 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	close(done)
	var id [8]byte
	rand.Read(id[:])
	return &Refitter{cfg: cfg, ctx: ctx, cancel: cancel, done: done, node: hex.EncodeToString(id[:])}
}

// Refit starts a refit unless one is running; it reports whether it
// started one. It never waits for the refit. With a shared store, a refit
// another node is running is waited for and loaded instead, and so is one
// another node started after this call (it sees every order this one
// would).
func (r *Refitter) Refit() bool { return r.start(r.cfg.Now()) }

// Follow is Refit for a refit another node asked for at about since: with
// a shared store, an analysis made since then is loaded, not redone.
func (r *Refitter) Follow(since time.Time) bool { return r.start(since) }

func (r *Refitter) start(since time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running || r.ctx.Err() != nil {
		return false
	}
	r.running, r.progress, r.started, r.err = true, 0, r.cfg.Now(), nil
	cur := r.report
	done := make(chan struct{})
	r.done = done
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(done)
		rep, computed, err := r.obtain(r.ctx, cur, since, func(rep *Report) {
			// This node's pages show the analysis while it is stored for
			// the others.
			r.mu.Lock()
			r.report = rep
			r.mu.Unlock()
		})
		if err == nil && computed && r.cfg.OnReport != nil {
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

// obtain computes the analysis, or with a shared store takes the result of
// the node that computes it: the lease's holder computes and stores it; the
// others wait for a result newer than the one they have (cur), then load
// it. A result made since since (when set) is kept or loaded at once.
// computed tells whether this node made it; show gets the computing
// node's analysis as soon as it is made, before it is stored.
func (r *Refitter) obtain(ctx context.Context, cur *Report, since time.Time, show func(*Report)) (rep *Report, computed bool, err error) {
	sh := r.cfg.Shared
	if sh == nil {
		rep, err = r.run(ctx)
		return rep, true, err
	}
	var have time.Time
	if cur != nil {
		have = cur.At
	}
	if !since.IsZero() {
		if cur != nil && !have.Before(since) {
			return cur, false, nil
		}
		if _, data, err := sh.SharedAnalysis(ctx, since.Add(-time.Microsecond)); err != nil {
			return nil, false, err
		} else if data != nil {
			rep, err = decodeReport(data)
			return rep, false, err
		}
	}
	for {
		now := r.cfg.Now()
		ok, err := sh.ClaimAnalysis(ctx, r.node, now, now.Add(r.cfg.Lease))
		if err != nil {
			return nil, false, err
		}
		if ok && !since.IsZero() {
			// Another node may have stored an analysis made since
			// between the look above and this claim: it is the one.
			if _, data, err := sh.SharedAnalysis(ctx, since.Add(-time.Microsecond)); err != nil || data != nil {
				if rerr := sh.ReleaseAnalysis(context.WithoutCancel(ctx), r.node); rerr != nil {
					slog.Error("customer analysis: release the lease", "err", rerr)
				}
				if err != nil {
					return nil, false, err
				}
				rep, err = decodeReport(data)
				return rep, false, err
			}
		}
		if ok {
			rep, err := r.run(ctx)
			if err == nil {
				// As the store keeps it, so that every node compares alike.
				rep.At = rep.At.Truncate(time.Microsecond)
				show(rep)
				var data []byte
				if data, err = encodeReport(rep); err == nil {
					err = sh.SaveAnalysis(ctx, r.node, rep.At, data)
				}
			}
			if err != nil {
				if rerr := sh.ReleaseAnalysis(context.WithoutCancel(ctx), r.node); rerr != nil {
					slog.Error("customer analysis: release the lease", "err", rerr)
				}
				return nil, false, err
			}
			return rep, true, nil
		}
		// Another node computes: wait for its result, or for its lease to
		// end without one (then claim it here).
		for {
			l, data, err := sh.SharedAnalysis(ctx, have)
			if err != nil {
				return nil, false, err
			}
			if data != nil {
				rep, err = decodeReport(data)
				return rep, false, err
			}
			if l.Holder == "" || r.cfg.Now().After(l.LeaseUntil) {
				break
			}
			select {
			case <-ctx.Done():
				return nil, false, ctx.Err()
			case <-time.After(r.cfg.Poll):
			}
		}
	}
}

// encodeReport packs a report for the store (gob, gzip'd).
func encodeReport(rep *Report) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // a valid level: no error
	if err := gob.NewEncoder(zw).Encode(rep); err != nil {
		return nil, fmt.Errorf("encode analysis: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeReport unpacks a stored report.
func decodeReport(data []byte) (*Report, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode analysis: %w", err)
	}
	var rep Report
	if err := gob.NewDecoder(zr).Decode(&rep); err != nil {
		return nil, fmt.Errorf("decode analysis: %w", err)
	}
	rep.byValue = valueOrder(rep.Customers)
	return &rep, nil
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
