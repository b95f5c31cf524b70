package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal/demo"
)

func writeFile(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestCatalogImport(t *testing.T) {
	dir := t.TempDir()
	pc := writeFile(t, "pc.xml", demo.PCModel())
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"FeatureIDEAsDraft", []string{pc, "-data-dir", dir, "--slug", "pc"}, 0, "as draft version 1 of product \"pc\""},
		{"SecondImportIsNextDraftPublished", []string{pc, "-data-dir", dir, "--slug", "pc", "--publish"}, 0, "Published version 1"},
		{"DIMACS", []string{writeFile(t, "m.dimacs", []byte("c 1 Alpha\nc 2 Beta\np cnf 2 1\n1 -2 0\n")), "-data-dir", dir}, 0, "(dimacs): 2 options"},
		{"MalformedDIMACSNamesLine", []string{writeFile(t, "bad.dimacs", []byte("p cnf 2 1\n1 x 0\n")), "-data-dir", dir}, 1, "line 2"},
		{"MalformedXMLNamesElement", []string{writeFile(t, "bad.xml", []byte("<featureModel><struct><and name=\"Root\"><feature/></and></struct></featureModel>")), "-data-dir", dir}, 1, "feature"},
		{"UnknownFormat", []string{writeFile(t, "x.txt", []byte("hello")), "-data-dir", dir}, 1, "unknown model format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"catalog", "import"}, tc.args...), &out, &errb)
			if code != tc.wantCode {
				t.Fatalf("exit=%d, want %d; stdout %q stderr %q", code, tc.wantCode, out.String(), errb.String())
			}
			if got := out.String() + errb.String(); !strings.Contains(got, tc.wantOut) {
				t.Fatalf("output %q does not contain %q", got, tc.wantOut)
			}
		})
	}
}

func TestCatalogBenchPrintsJSONLast(t *testing.T) {
	pc := writeFile(t, "pc.xml", demo.PCModel())
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"catalog", "bench", "--model", pc, "--sessions", "2", "--steps", "3"}, &out, &errb); code != 0 {
		t.Fatalf("exit=%d stderr %q", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var res map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
	}
	for _, k := range []string{"model", "vars", "steps", "p50_ms", "p95_ms", "max_ms"} {
		if _, ok := res[k]; !ok {
			t.Errorf("JSON has no %q: %v", k, res)
		}
	}
	if got, want := res["steps"], float64(6); got != want {
		t.Errorf("steps=%v, want %v", got, want)
	}
}
