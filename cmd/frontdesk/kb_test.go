package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runKBCmd runs the frontdesk command line and returns its exit code and output.
func runKBCmd(tb testing.TB, args ...string) (int, string, string) {
	tb.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeKBFile(tb testing.TB, dir, name, body string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestKBImportExport(t *testing.T) {
	t.Setenv("FRONTDESK_DATABASE_URL", "")
	dir := t.TempDir()
	data := "-data-dir=" + dir
	t.Run("BrokenLinesImportNothing", func(t *testing.T) {
		f := writeKBFile(t, dir, "bad.jsonl", `{"id":"ok-1","title":"Fine","summary":"s","body":"b","phrasings":["p"],"category":"A","locale":"en"}
{"id":"broken", "title": 
{"id":"empty","title":"  ","summary":"","body":"","phrasings":[],"category":"","locale":"en"}
`)
		code, _, stderr := runKBCmd(t, "kb", "import", f, data)
		if code != 1 || !strings.Contains(stderr, "line 2") {
			t.Fatalf("exit %d, stderr %q; want 1 naming line 2", code, stderr)
		}
		// Line 2 parses no more; once fixed, line 3 fails validation.
		f = writeKBFile(t, dir, "bad2.jsonl", `{"id":"ok-1","title":"Fine","summary":"s","body":"b","phrasings":["p"],"category":"A","locale":"en"}
{"id":"empty","title":"  ","summary":"","body":"","phrasings":[],"category":"","locale":"en"}
`)
		code, _, stderr = runKBCmd(t, "kb", "import", f, data)
		if code != 1 || !strings.Contains(stderr, "line 2: Title is required.") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		if _, out, _ := runKBCmd(t, "kb", "export", data); strings.TrimSpace(out) != "" {
			t.Fatalf("half-imported: %q", out)
		}
	})
	t.Run("JSONLinesAndCSVRoundTrip", func(t *testing.T) {
		f := writeKBFile(t, dir, "good.jsonl", `{"id":"returns","title":"How do I return an item?","summary":"Within 30 days.","body":"**Steps**","phrasings":["send back","refund"],"category":"Returns","locale":"en"}
{"id":"shipping","title":"Shipping costs","summary":"€4.95","body":"","phrasings":[],"category":"Delivery","locale":"en"}
`)
		if code, out, stderr := runKBCmd(t, "kb", "import", f, data); code != 0 || !strings.Contains(out, "Imported 2") {
			t.Fatalf("exit %d: %s %s", code, out, stderr)
		}
		csvPath := filepath.Join(dir, "out.csv")
		if code, _, stderr := runKBCmd(t, "kb", "export", data, "-out", csvPath); code != 0 {
			t.Fatal(stderr)
		}
		// Re-importing the CSV updates in place: still two articles.
		if code, _, stderr := runKBCmd(t, "kb", "import", csvPath, data); code != 0 {
			t.Fatal(stderr)
		}
		_, out, _ := runKBCmd(t, "kb", "export", data)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 || !strings.Contains(out, `"phrasings":["send back","refund"]`) || !strings.Contains(out, `"category":"Delivery"`) {
			t.Fatalf("export after CSV round trip:\n%s", out)
		}
	})
}

func TestKBEval(t *testing.T) {
	dir := t.TempDir()
	a := writeKBFile(t, dir, "articles.jsonl", `{"id":"a1","title":"Return an item","body":"","phrasings":["how do i send something back","return policy"],"category":"Returns"}
{"id":"a2","title":"Delivery time","body":"","phrasings":["when will my parcel arrive","how long is shipping"],"category":"Delivery"}
`)
	q := writeKBFile(t, dir, "queries.jsonl", `{"id":"q1","query":"how can I send back my order","expect":"a1"}
{"id":"q2","query":"how long does delivery take","expect":"a2"}
{"id":"q3","query":"what is the capital of peru","expect":null}
`)
	code, out, stderr := runKBCmd(t, "kb", "eval", "--articles", a, "--queries", q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	for _, k := range []string{`"articles":2`, `"queries":3`, `"in_scope_top1":`, `"mrr10":`, `"recall5":`, `"oos_recall":`, `"overall_accuracy":`, `"p50_ms":`, `"p99_ms":`, `"ece":`, `"reliability":[{`, `"threshold":`} {
		if !strings.Contains(last, k) {
			t.Fatalf("last line %q lacks %s", last, k)
		}
	}
	if !strings.Contains(out, "expected calibration error") {
		t.Fatalf("summary lacks the calibration:\n%s", out)
	}

	// --failures lists every miss: here a query whose article is not
	// the one expected.
	q = writeKBFile(t, dir, "queries2.jsonl", `{"id":"q1","query":"how long is shipping","expect":"a1"}
{"id":"q2","query":"how long does delivery take","expect":"a2"}
`)
	code, out, stderr = runKBCmd(t, "kb", "eval", "--failures", "--articles", a, "--queries", q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, `MISS "how long is shipping"`) || !strings.Contains(out, "expected a1") || !strings.Contains(out, "confidence") ||
		strings.Contains(out, `MISS "how long does delivery take"`) || !strings.Contains(out, "1 misses of 2 queries") {
		t.Fatalf("failures output:\n%s", out)
	}
}
