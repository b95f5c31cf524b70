package main

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestBenchConfiguratorPeer runs the configurator and the plain gini
// harness on a shipped DIMACS model: both time choices, and the harness
// finds as many SAT variables as the file declares.
func TestBenchConfiguratorPeer(t *testing.T) {
	const eShop = "../../../shared/data/configurator/e_shop__Lau2006.dimacs"
	path := eShop
	if v := os.Getenv("FRONTDESK_TEST_DIMACS"); v != "" {
		path = v
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no DIMACS model at %s (FRONTDESK_TEST_DIMACS)", path)
	}
	fd, peer, err := benchConfigurator(context.Background(), path, 2, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if fd.Steps == 0 || peer.Steps == 0 {
		t.Fatalf("steps timed: frontdesk %d, gini %d", fd.Steps, peer.Steps)
	}
	if peer.Vars != 173 && strings.HasSuffix(path, "e_shop__Lau2006.dimacs") {
		t.Fatalf("gini harness read %d variables, the file declares 173", peer.Vars)
	}
	if peer.SATCalls < 1 {
		t.Fatalf("gini harness made %.1f SAT calls per choice", peer.SATCalls)
	}
}
