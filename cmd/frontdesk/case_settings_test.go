package main

import (
	"strings"
	"testing"
	"time"
)

// TestCaseLoopSettings reads the digest hour and the escalation interval
// from the environment: defaults when unset, clear errors for bad values.
func TestCaseLoopSettings(t *testing.T) {
	for _, tc := range []struct {
		name, hour, interval string
		wantHour             int // -1: the default (nil)
		wantInterval         time.Duration
		wantErr              string
	}{
		{"defaults", "", "", -1, 0, ""},
		{"midnight and a minute", "0", "1m", 0, time.Minute, ""},
		{"evening and an hour", "23", "1h", 23, time.Hour, ""},
		{"hour too late", "24", "", 0, 0, "FRONTDESK_CASE_DIGEST_HOUR must be a UTC hour from 0 to 23"},
		{"hour not a number", "7am", "", 0, 0, "FRONTDESK_CASE_DIGEST_HOUR"},
		{"interval too short", "", "100ms", 0, 0, "FRONTDESK_CASE_ESCALATION_INTERVAL must be a Go duration from 1s to 1h"},
		{"interval too long", "", "2h", 0, 0, "FRONTDESK_CASE_ESCALATION_INTERVAL"},
		{"interval without unit", "", "30", 0, 0, "FRONTDESK_CASE_ESCALATION_INTERVAL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"FRONTDESK_CASE_DIGEST_HOUR": tc.hour, "FRONTDESK_CASE_ESCALATION_INTERVAL": tc.interval}
			cfg := ConfigFromEnv(func(k string) string { return env[k] })
			err := cfg.validate()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			h, _ := cfg.caseDigestHour()
			if (h == nil) != (tc.wantHour < 0) || h != nil && *h != tc.wantHour {
				t.Fatalf("digest hour %v, want %d", h, tc.wantHour)
			}
			if d, _ := cfg.caseEscalationInterval(); d != tc.wantInterval {
				t.Fatalf("interval %v, want %v", d, tc.wantInterval)
			}
		})
	}
	// The server refuses to start with a bad value.
	code, _, errOut := runCmd(t, map[string]string{"FRONTDESK_CASE_DIGEST_HOUR": "25", "FRONTDESK_DATA_DIR": t.TempDir(), "FRONTDESK_DEMO": ""}, "migrate")
	if code != 1 || !strings.Contains(errOut, "FRONTDESK_CASE_DIGEST_HOUR") {
		t.Fatalf("exit %d err %q", code, errOut)
	}
}
