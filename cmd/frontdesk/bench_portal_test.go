package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestBenchPortalEndToEnd runs `frontdesk bench portal` (a real binary,
// real servers) small and checks its counting: every scheduled request is
// in the fixed-rate figures, split into answered from the page cache and
// queried and rendered; every request after a change is one the server
// queried and rendered (by its own header), and the uncached page is
// measured on a server with the page cache off.
func TestBenchPortalEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t, t.TempDir())
	out, err := exec.Command(bin, "bench", "portal", "-stores", "sqlite", "-customers", "20", "-orders", "2",
		"-duration", "500ms", "-rate", "100", "-conns", "4").CombinedOutput()
	if err != nil {
		t.Fatalf("bench portal: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var got []portalBenchResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil || len(got) != 1 {
		t.Fatalf("last line is not the JSON summary: %v\n%s", err, out)
	}
	r := got[0]
	if r.HistoryUncachedRPS <= 0 || r.HistoryRPS <= 0 || r.ShipmentRPS <= 0 {
		t.Fatalf("throughputs %+v\n%s", r, out)
	}
	if r.HistoryAtRate.Scheduled != 50 || r.HistoryCachedAtRate.Scheduled+r.HistoryUncachedAtRate.Scheduled != 50 {
		t.Fatalf("fixed rate: %d scheduled (%d cached + %d uncached), want 50\n%s", r.HistoryAtRate.Scheduled,
			r.HistoryCachedAtRate.Scheduled, r.HistoryUncachedAtRate.Scheduled, out)
	}
	if r.Changes.Scheduled != 5 || r.HistoryUncachedAtRate.Scheduled < 5 {
		t.Fatalf("%d changes, %d uncached requests: want 5 changes (10%%), each followed by an uncached page\n%s",
			r.Changes.Scheduled, r.HistoryUncachedAtRate.Scheduled, out)
	}
	if r.Errors != 0 || r.HistoryAtRate.FailedTotal != 0 {
		t.Fatalf("errors %d, failed %d\n%s", r.Errors, r.HistoryAtRate.FailedTotal, out)
	}
	if r.ShipmentAtRate.Scheduled != 50 || r.Machine.CPUs == 0 {
		t.Fatalf("shipment at rate %+v, machine %+v", r.ShipmentAtRate, r.Machine)
	}
}
