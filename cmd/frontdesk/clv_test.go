package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLVFitCDNOW(t *testing.T) {
	const path = "/work/shared/data/clv/cdnow_sample.csv"
	if _, err := os.Stat(path); err != nil {
		t.Skip("CDNOW sample not available")
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"clv", "fit", "--transactions", path, "--calibration-end", "1997-09-30"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var got clvJSON
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, out.String())
	}
	for _, c := range []struct {
		name      string
		got, want jsonFloat
	}{
		{"r", got.BGNBD.R, 0.243}, {"alpha", got.BGNBD.Alpha, 4.414}, {"a", got.BGNBD.A, 0.793}, {"b", got.BGNBD.B, 2.426},
		{"loglik", got.BGNBD.LogLik, -9582.4}, {"p", got.GammaGamma.P, 6.25}, {"q", got.GammaGamma.Q, 3.74}, {"gamma", got.GammaGamma.Gamma, 15.44},
	} {
		if math.Abs(float64(c.got-c.want)) > 0.01*math.Abs(float64(c.want)) {
			t.Errorf("%s = %v, want %v ± 1%%", c.name, c.got, c.want)
		}
	}
	if got.Customers != 2357 || got.RepeatCustomers != 946 {
		t.Errorf("customers = %d, repeat = %d; want 2357, 946", got.Customers, got.RepeatCustomers)
	}
}

func TestCLVFitBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("customer_id,date,amount\n1,2024-01-01,5\n2,2024-13-45,5\n"), 0o600)
	for name, tc := range map[string]struct {
		args []string
		code int
		want string
	}{
		"bad row names its line":  {[]string{"--transactions", bad, "--calibration-end", "2024-06-30"}, 1, "line 3"},
		"bad calibration end":     {[]string{"--transactions", bad, "--calibration-end", "June"}, 1, "--calibration-end"},
		"missing file":            {[]string{"--transactions", filepath.Join(dir, "nope.csv"), "--calibration-end", "2024-06-30"}, 1, "nope.csv"},
		"missing calibration end": {[]string{"--transactions", bad}, 2, "usage"},
		"negative discount rate":  {[]string{"--transactions", bad, "--calibration-end", "2024-06-30", "--discount-rate", "-1"}, 1, "discount"},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"clv", "fit"}, tc.args...), &out, &errb)
			if code != tc.code || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", code, errb.String(), tc.code, tc.want)
			}
		})
	}
}

// TestCLVFitDegenerateData: one customer, or nobody buying twice, still
// ends with a JSON line (no infinities) and notes saying why the figures
// mean little.
func TestCLVFitDegenerateData(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"single customer": "customer_id,date,amount\n1,2024-01-01,10\n1,2024-02-01,12\n1,2024-05-01,9\n",
		"no repeat buyer": "customer_id,date,amount\n1,2024-01-01,10\n2,2024-01-05,10\n3,2024-02-01,5\n",
		"refunds only":    "customer_id,date,amount\n1,2024-01-01,10\n1,2024-02-01,-10\n2,2024-01-03,4\n2,2024-01-09,0\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".csv")
			os.WriteFile(path, []byte(body), 0o600)
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{"clv", "fit", "--transactions", path, "--calibration-end", "2024-03-31"}, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			var got map[string]any
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
				t.Fatalf("last line is not JSON: %v\n%s", err, out.String())
			}
			if notes, _ := got["notes"].([]any); len(notes) == 0 {
				t.Fatalf("no notes: %s", lines[len(lines)-1])
			}
		})
	}
}
