//go:build !unix

package web

// openFileLimit is the process's limit on open descriptors (0 if unknown).
func openFileLimit() int64 { return 0 }

// openFiles counts the process's open descriptors (0 if unknown).
func openFiles() int64 { return 0 }
