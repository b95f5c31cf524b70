//go:build unix

package web

import (
	"os"
	"syscall"
)

// openFileLimit is the process's limit on open descriptors (0 if unknown).
func openFileLimit() int64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<40 {
		return 0
	}
	return int64(rl.Cur)
}

// openFiles counts the process's open descriptors (0 if unknown).
func openFiles() int64 {
	for _, dir := range []string{"/proc/self/fd", "/dev/fd"} {
		if es, err := os.ReadDir(dir); err == nil {
			return int64(len(es))
		}
	}
	return 0
}
