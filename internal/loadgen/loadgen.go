// Package loadgen is what every fixed-rate benchmark driver of Frontdesk
// shares, so that they all count the same way:
//
//   - a request's latency runs from the time it was scheduled to be sent,
//     not from when the driver got round to sending it (no coordinated
//     omission: a stalled sender or a full connection pool shows up as
//     latency);
//   - a request that failed, was never sent, or was answered later than
//     the timeout counts as infinitely slow in the percentiles, and is
//     reported by kind beside them;
//   - the machine's load average is read before and after the run, since
//     the load generator shares the machine with the server.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Millis is a latency in milliseconds. +Inf (a percentile that falls on a
// failed request) is written to JSON as the string "inf".
type Millis float64

// Inf is the latency of a failed request.
var Inf = Millis(math.Inf(1))

// MarshalJSON writes a number rounded to microseconds, or "inf".
func (m Millis) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(m), 1) {
		return []byte(`"inf"`), nil
	}
	return strconv.AppendFloat(nil, math.Round(float64(m)*1000)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (m *Millis) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte(`"inf"`)) {
		*m = Inf
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*m = Millis(f)
	return nil
}

// String prints the value with two decimals, or "inf".
func (m Millis) String() string {
	if math.IsInf(float64(m), 1) {
		return "inf"
	}
	return strconv.FormatFloat(float64(m), 'f', 2, 64)
}

// IsInf reports whether m is the latency of a failed request.
func (m Millis) IsInf() bool { return math.IsInf(float64(m), 1) }

// Failure kinds used by the drivers; a driver may add its own.
const (
	// Late: answered, but later than the timeout.
	Late = "late"
	// Error: the request failed (transport error, unexpected status, an
	// error frame).
	Error = "error"
	// Lost: never answered, not even late.
	Lost = "lost"
	// Overload: never sent because the driver's own bound on requests in
	// flight was reached.
	Overload = "overload"
)

// Recorder collects the outcome of every scheduled request. It is safe
// for concurrent use and can be merged (worker processes send theirs to
// a coordinator as Samples).
type Recorder struct {
	// Timeout: an answer later than this is counted as failed (Late).
	// Zero means no limit.
	Timeout time.Duration

	mu     sync.Mutex
	ok     []time.Duration
	failed map[string]int64
}

// NewRecorder returns a recorder counting answers later than timeout as
// failed.
func NewRecorder(timeout time.Duration) *Recorder {
	return &Recorder{Timeout: timeout}
}

// Done records an answer that came d after its scheduled time: as a
// latency, or as Late when d exceeds the timeout.
func (r *Recorder) Done(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Timeout > 0 && d > r.Timeout {
		r.failLocked(Late, 1)
		return
	}
	r.ok = append(r.ok, d)
}

// Fail records a request that failed in the given way.
func (r *Recorder) Fail(kind string) { r.FailN(kind, 1) }

// FailN records n requests that failed in the given way.
func (r *Recorder) FailN(kind string, n int64) {
	if n == 0 {
		return
	}
	r.mu.Lock()
	r.failLocked(kind, n)
	r.mu.Unlock()
}

func (r *Recorder) failLocked(kind string, n int64) {
	if r.failed == nil {
		r.failed = map[string]int64{}
	}
	r.failed[kind] += n
}

// Samples is a recorder's content, to send to another process.
type Samples struct {
	OKMicros []int64          `json:"ok_us"`
	Failed   map[string]int64 `json:"failed,omitempty"`
}

// Samples returns a copy of what was recorded.
func (r *Recorder) Samples() Samples {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Samples{OKMicros: make([]int64, len(r.ok)), Failed: map[string]int64{}}
	for i, d := range r.ok {
		s.OKMicros[i] = d.Microseconds()
	}
	for k, v := range r.failed {
		s.Failed[k] = v
	}
	return s
}

// Add merges samples recorded elsewhere (their lateness already judged).
func (r *Recorder) Add(s Samples) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, us := range s.OKMicros {
		r.ok = append(r.ok, time.Duration(us)*time.Microsecond)
	}
	for k, v := range s.Failed {
		r.failLocked(k, v)
	}
}

// OK is the number of requests answered in time.
func (r *Recorder) OK() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ok)
}

// Summary is the report of a recorder, as drivers put it in their JSON.
type Summary struct {
	// Scheduled is every request the schedule called for: OK + Failed.
	Scheduled int64 `json:"scheduled"`
	OK        int64 `json:"ok"`
	// Failed counts the requests that count as infinitely slow, by kind
	// (late, error, lost, overload, ...); FailedTotal is their sum.
	FailedTotal int64            `json:"failed"`
	Failed      map[string]int64 `json:"failed_by,omitempty"`
	P50         Millis           `json:"p50_ms"`
	P90         Millis           `json:"p90_ms"`
	P99         Millis           `json:"p99_ms"`
	P999        Millis           `json:"p999_ms"`
	Max         Millis           `json:"max_ms"`
	// TimeoutMs is the lateness limit the run used.
	TimeoutMs float64 `json:"timeout_ms,omitempty"`
}

// Summary computes the percentiles over every scheduled request, failed
// ones as +Inf.
func (r *Recorder) Summary() Summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.Sort(r.ok)
	s := Summary{OK: int64(len(r.ok)), Failed: map[string]int64{}, TimeoutMs: float64(r.Timeout.Microseconds()) / 1000}
	for k, v := range r.failed {
		s.Failed[k] = v
		s.FailedTotal += v
	}
	s.Scheduled = s.OK + s.FailedTotal
	q := func(p float64) Millis {
		if s.Scheduled == 0 {
			return 0
		}
		i := max(0, int(math.Ceil(p*float64(s.Scheduled)))-1)
		if i >= len(r.ok) {
			return Inf
		}
		return Millis(float64(r.ok[i].Microseconds()) / 1000)
	}
	s.P50, s.P90, s.P99, s.P999, s.Max = q(.5), q(.9), q(.99), q(.999), q(1)
	return s
}

// FailedString lists the failures by kind, for people: "3 late, 2 error".
func (s Summary) FailedString() string {
	if s.FailedTotal == 0 {
		return "none failed"
	}
	keys := make([]string, 0, len(s.Failed))
	for k := range s.Failed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, strconv.FormatInt(s.Failed[k], 10)+" "+k)
	}
	return strconv.FormatInt(s.FailedTotal, 10) + " failed (" + strings.Join(parts, ", ") + ")"
}

// Load is the machine's load average (1, 5 and 15 minutes) from
// /proc/loadavg; zero where it cannot be read.
type Load [3]float64

// ReadLoad reads /proc/loadavg.
func ReadLoad() Load {
	var l Load
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	f := strings.Fields(string(b))
	for i := 0; i < 3 && i < len(f); i++ {
		l[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return l
}

// String is "1.23 0.98 0.80".
func (l Load) String() string {
	return strconv.FormatFloat(l[0], 'f', 2, 64) + " " + strconv.FormatFloat(l[1], 'f', 2, 64) + " " + strconv.FormatFloat(l[2], 'f', 2, 64)
}

// Machine is the load before and after a run, and the CPUs it had.
type Machine struct {
	CPUs       int  `json:"cpus"`
	LoadBefore Load `json:"load_before"`
	LoadAfter  Load `json:"load_after"`
}

// OpenLoop calls do at a fixed rate for d: call i is due at start +
// i/rate and runs on its own goroutine whatever happened to the earlier
// ones. Its latency runs from its due time; do's context ends at due +
// the recorder's timeout (or with ctx when there is none). At most
// maxInFlight calls run at once: a call due while that many are under
// way is not made and counts as failed (Overload), as it would have
// waited at least as long as the slowest of them. do returns an error to
// count the call as failed (Error, or Late when its context expired).
func OpenLoop(ctx context.Context, rate float64, d time.Duration, maxInFlight int, r *Recorder, do func(ctx context.Context, i int) error) {
	if rate <= 0 || d <= 0 {
		return
	}
	sem := make(chan struct{}, max(1, maxInFlight))
	interval := time.Duration(float64(time.Second) / rate)
	n := int(rate * d.Seconds())
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			t := time.NewTimer(w)
			select {
			case <-ctx.Done():
				t.Stop()
				r.FailN(Lost, int64(n-i)) // scheduled, never sent
				wg.Wait()
				return
			case <-t.C:
			}
		}
		select {
		case sem <- struct{}{}:
		default:
			r.Fail(Overload)
			continue
		}
		wg.Add(1)
		go func(i int, due time.Time) {
			defer wg.Done()
			defer func() { <-sem }()
			cctx, cancel := ctx, context.CancelFunc(func() {})
			if r.Timeout > 0 {
				cctx, cancel = context.WithDeadline(ctx, due.Add(r.Timeout))
			}
			err := do(cctx, i)
			took := time.Since(due)
			cancel()
			switch {
			case err == nil:
				r.Done(took)
			case r.Timeout > 0 && took > r.Timeout:
				r.Fail(Late)
			default:
				r.Fail(Error)
			}
		}(i, due)
	}
	wg.Wait()
}

// ProcessCPU returns the CPU time (user and system) a process has used,
// from /proc/PID/stat; zero where it cannot be read. Under a load shared
// with other processes, a server's CPU time per request is a steadier
// figure than its throughput.
func ProcessCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields after it are
	// counted from its closing parenthesis.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, _ := strconv.ParseInt(f[12], 10, 64) // field 15
	const ticks = 100                           // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks
}
