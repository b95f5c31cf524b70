package main

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
)

// gcPercent is the garbage collector's GOGC for serve and the benchmarks
// unless GOGC is set: the live heap is mostly the search index's model,
// long-lived, so collecting at every doubling marked it over and over for
// little garbage. The memory limit (GOMEMLIMIT, or memoryLimitShare of
// the machine's or cgroup's memory) makes the collector run sooner when
// memory gets short, so the higher GOGC never costs an out-of-memory.
//
// That reason holds while the model is most of the heap (about 15 MiB
// live after start). Memory held per connection (19,000 idle chat
// sockets) grows the live heap, and GOGC multiplies it: at 300 the heap
// may reach four times the live heap before a collection, so an idle
// socket cost its own size up to four times over in resident memory.
// tuneGCPercent therefore lowers GOGC as the live heap grows, keeping
// about gcHeadroom of garbage between collections (more than 300 gives
// over the model alone), down to gcPercentFloor. The floor is under Go's
// default (100): past 128 MiB live (about 12,000 idle chat sockets) the
// heap may grow by half its size rather than double, since the garbage
// of opening sockets and conversations would otherwise stay resident as
// the collector's room. At 19,000 open conversations and 1,000 questions
// a second on a loaded 2-core VM that took the memory per socket from
// 25.9-27.7 to 21.3-21.7 KiB, for 3-6% more server CPU per answer and a
// p99 of 220 ms instead of 70-90 ms (more collections of a larger heap):
// a trade, measured in docs/chat-protocol.md.
const (
	gcPercent        = 300
	gcPercentFloor   = 50
	gcHeadroom       = 64 << 20
	memoryLimitShare = 0.75
)

// setGCPolicy applies gcPercent and a memory limit, each unless the
// environment sets it, and reports whether it did (then tuneGCPercent
// may adjust GOGC as the heap grows). getenv is os.Getenv outside tests.
func setGCPolicy(getenv func(string) string) bool {
	if getenv("GOGC") != "" {
		return false
	}
	if getenv("GOMEMLIMIT") == "" {
		total := availableMemory()
		if total <= 0 {
			return false // no limit to lean on: keep the default GOGC
		}
		debug.SetMemoryLimit(int64(float64(total) * memoryLimitShare))
	}
	debug.SetGCPercent(gcPercent)
	return true
}

// gcPercentFor returns GOGC for a live heap of live bytes: gcPercent
// while the heap is small, then what leaves gcHeadroom of garbage between
// collections, and gcPercentFloor at the least. Steps of 10 keep
// the setting from changing at every small move of the heap.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return gcPercent
	}
	p := int(min(uint64(gcHeadroom)*100/live, gcPercent))
	return max(p/10*10, gcPercentFloor)
}

// tuneGCPercent sets GOGC from the live heap after every collection (so
// that the next one comes in time when a burst of connections grows the
// heap), until ctx ends. Run it only where setGCPolicy applied its policy.
func tuneGCPercent(ctx context.Context) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	cur := gcPercent
	// A finalizer runs once per collection that finds its object gone;
	// each run arms the next.
	type sentinel struct{ _ *int }
	var arm func()
	arm = func() {
		runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
			if ctx.Err() != nil {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return // not known to this runtime: keep gcPercent
			}
			if p := gcPercentFor(sample[0].Value.Uint64()); p != cur {
				debug.SetGCPercent(p)
				cur = p
			}
			arm()
		})
	}
	arm()
}

// availableMemory returns the cgroup's memory limit if it has one, else the
// machine's memory, in bytes; 0 if neither can be read.
func availableMemory() int64 {
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 {
			return n
		}
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// MemTotal:       24596052 kB
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "MemTotal:" {
			if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
