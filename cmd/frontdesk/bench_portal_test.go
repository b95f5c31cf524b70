package main

import (
	"encoding/json"
	"os"
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
	stores := "sqlite"
	if os.Getenv("FRONTDESK_TEST_POSTGRES_URL") != "" {
		stores = "sqlite,postgres"
	}
	// -durable=false: the test server as it is (a durable bench would
	// start its own cluster).
	out, err := exec.Command(bin, "bench", "portal", "-stores", stores, "-durable=false", "-customers", "20", "-orders", "2",
		"-duration", "500ms", "-rate", "100", "-conns", "4").CombinedOutput()
	if err != nil {
		t.Fatalf("bench portal: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var got []portalBenchResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil || len(got) != len(strings.Split(stores, ",")) {
		t.Fatalf("last line is not the JSON summary: %v\n%s", err, out)
	}
	for _, r := range got {
		t.Run(r.Store, func(t *testing.T) { checkPortalBench(t, r, string(out)) })
	}
}

func checkPortalBench(t *testing.T, r portalBenchResult, out string) {
	if r.HistoryUncachedRPS <= 0 || r.HistoryRPS <= 0 || r.ShipmentRPS <= 0 {
		t.Fatalf("throughputs %+v\n%s", r, out)
	}
	if r.HistoryAtRate.Scheduled != 50 || r.HistoryCachedAtRate.Scheduled+r.HistoryUncachedAtRate.Scheduled != 50 {
		t.Fatalf("fixed rate: %d scheduled (%d cached + %d uncached), want 50\n%s", r.HistoryAtRate.Scheduled,
			r.HistoryCachedAtRate.Scheduled, r.HistoryUncachedAtRate.Scheduled, out)
	}
	// The page views alone (after a change, from when it was answered),
	// and the same requests with the change before the page.
	if r.HistoryWithChangeAtRate.Scheduled != 50 {
		t.Fatalf("fixed rate with the changes: %d scheduled, want 50\n%s", r.HistoryWithChangeAtRate.Scheduled, out)
	}
	// On PostgreSQL, the server's pool over the run, from its /metrics.
	if r.Store == "postgres" && (r.HistoryPoolAtRate == nil || r.HistoryPoolAtRate.Acquires < 50 || r.HistoryPoolAtRate.MaxConns < 1) {
		t.Fatalf("PostgreSQL pool during the fixed-rate run: %+v\n%s", r.HistoryPoolAtRate, out)
	}
	// A change's page is rendered anew, unless another request of the
	// same customer, running meanwhile, rendered it first (under load the
	// fixed-rate requests overlap).
	if r.Changes.Scheduled != 5 || r.ChangesAlone < 1 || r.ChangesAloneCached != 0 {
		t.Fatalf("%d changes (%d with no other request of the customer meanwhile, %d of those followed by a cached page), %d uncached requests: want 5 changes (10%%), some alone, each alone one followed by an uncached page\n%s",
			r.Changes.Scheduled, r.ChangesAlone, r.ChangesAloneCached, r.HistoryUncachedAtRate.Scheduled, out)
	}
	if r.Errors != 0 || r.HistoryAtRate.FailedTotal != 0 {
		t.Fatalf("errors %d, failed %d\n%s", r.Errors, r.HistoryAtRate.FailedTotal, out)
	}
	if r.ShipmentAtRate.Scheduled != 50 || r.Machine.CPUs == 0 {
		t.Fatalf("shipment at rate %+v, machine %+v", r.ShipmentAtRate, r.Machine)
	}
}
