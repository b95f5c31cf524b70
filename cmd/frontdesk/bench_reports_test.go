package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBenchReportsEndToEnd runs `frontdesk bench reports` (a real binary,
// real servers) small, on both stores when PostgreSQL is there: the store
// gets what was asked for, the analysis runs, and every report page is
// timed with no error.
func TestBenchReportsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t, t.TempDir())
	stores := "sqlite"
	if os.Getenv("FRONTDESK_TEST_POSTGRES_URL") != "" {
		stores = "sqlite,postgres"
	}
	out, err := exec.Command(bin, "bench", "reports", "-stores", stores, "-durable=false", "-customers", "300", "-orders", "1500",
		"-messages", "2000", "-searches", "500", "-cases", "400", "-requests", "3").CombinedOutput()
	if err != nil {
		t.Fatalf("bench reports: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var got []reportsBenchResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil || len(got) != len(strings.Split(stores, ",")) {
		t.Fatalf("last line is not the JSON summary of %s: %v\n%s", stores, err, out)
	}
	for _, r := range got {
		if r.Messages != 2000 || r.Conversations < 2000/18 || r.Conversations > 2000/2 {
			t.Errorf("%s: %d messages in %d conversations, want 2000 in 112-1000\n%s", r.Store, r.Messages, r.Conversations, out)
		}
		if r.RefitSeconds <= 0 || len(r.Pages) != 8 || r.Errors != 0 {
			t.Errorf("%s: refit %v s, %d pages, %d errors\n%s", r.Store, r.RefitSeconds, len(r.Pages), r.Errors, out)
		}
		for _, p := range r.Pages {
			if p.Requests != 3 || p.P95 <= 0 {
				t.Errorf("%s: %+v", r.Store, p)
			}
		}
	}
}
