//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCatalogImportChild is the child of TestCatalogImportHonoursSIGTERM:
// `frontdesk catalog import FILE --publish` with main's signal handling.
func TestCatalogImportChild(t *testing.T) {
	file := os.Getenv("FRONTDESK_IMPORT_CHILD")
	if file == "" {
		t.Skip("the child process of TestCatalogImportHonoursSIGTERM")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	fmt.Println("ready")
	os.Exit(run(ctx, []string{"catalog", "import", file, "--publish"}, os.Stdout, os.Stderr))
}

// TestCatalogImportHonoursSIGTERM: importing a catalogue too hard to
// check (a pigeonhole of 13 in 12) stops at SIGTERM, saying it is too
// hard to check, instead of running on for minutes.
func TestCatalogImportHonoursSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	const pigeons, holes = 13, 12
	var cls []string
	for p := 0; p < pigeons; p++ {
		var c []string
		for h := 0; h < holes; h++ {
			c = append(c, fmt.Sprint(p*holes+h+1))
		}
		cls = append(cls, strings.Join(c, " ")+" 0")
	}
	for h := 0; h < holes; h++ {
		for p := 0; p < pigeons; p++ {
			for q := p + 1; q < pigeons; q++ {
				cls = append(cls, fmt.Sprintf("-%d -%d 0", p*holes+h+1, q*holes+h+1))
			}
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "pigeons.dimacs")
	os.WriteFile(file, []byte(fmt.Sprintf("p cnf %d %d\n%s\n", pigeons*holes, len(cls), strings.Join(cls, "\n"))), 0o644)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCatalogImportChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FRONTDESK_IMPORT_CHILD="+file, "FRONTDESK_DATA_DIR="+dir)
	var out bytes.Buffer
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		t.Fatalf("child said %q", line)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the import succeeded")
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("catalog import still running 60 s after SIGTERM")
	}
	if !strings.Contains(out.String(), "too hard to check") {
		t.Fatalf("output: %s", out.String())
	}
}
