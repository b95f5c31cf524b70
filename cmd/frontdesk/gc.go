package main

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// gcPercent is the garbage collector's GOGC for serve and the benchmarks
// unless GOGC is set: the live heap is mostly the search index's model,
// long-lived, so collecting at every doubling marked it over and over for
// little garbage. The memory limit (GOMEMLIMIT, or memoryLimitShare of
// the machine's or cgroup's memory) makes the collector run sooner when
// memory gets short, so the higher GOGC never costs an out-of-memory.
const (
	gcPercent        = 300
	memoryLimitShare = 0.75
)

// setGCPolicy applies gcPercent and a memory limit, each unless the
// environment sets it. getenv is os.Getenv outside tests.
func setGCPolicy(getenv func(string) string) {
	if getenv("GOGC") != "" {
		return
	}
	if getenv("GOMEMLIMIT") == "" {
		total := availableMemory()
		if total <= 0 {
			return // no limit to lean on: keep the default GOGC
		}
		debug.SetMemoryLimit(int64(float64(total) * memoryLimitShare))
	}
	debug.SetGCPercent(gcPercent)
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
