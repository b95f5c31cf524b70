package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestBenchChatEndToEnd runs `frontdesk bench chat` (a real binary, two
// worker processes) against a real server and checks its count: every
// question sent is answered once, the warm-up questions are not counted.
func TestBenchChatEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t, t.TempDir())
	// The idle sockets share one guest: lift the per-visitor socket cap.
	srv := MustStartServer(t, "sqlite", func(m *Main) { m.Config.ChatSocketsPerVisitor = -1 })
	out, err := exec.Command(bin, "bench", "chat", "-url", srv.URL, "-idle", "30", "-active", "6",
		"-rate", "60", "-duration", "1s", "-per-proc", "20").CombinedOutput()
	if err != nil {
		t.Fatalf("bench chat: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var got struct {
		Idle       int     `json:"idle_conns"`
		Sent       int     `json:"sent"`
		Answered   int     `json:"answered"`
		Lost       int     `json:"lost"`
		Duplicated int     `json:"duplicated"`
		P50        float64 `json:"p50_ms"`
		P99        float64 `json:"p99_ms"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line is not the JSON summary: %v\n%s", err, out)
	}
	if got.Idle != 30 || got.Sent != 60 || got.Answered != 60 || got.Lost != 0 || got.Duplicated != 0 {
		t.Fatalf("bench chat counted %+v, want 30 idle, 60 sent and answered, none lost or duplicated\n%s", got, out)
	}
	if got.P50 <= 0 || got.P99 < got.P50 {
		t.Fatalf("latencies p50 %v, p99 %v\n%s", got.P50, got.P99, out)
	}
	if !strings.Contains(string(out), "from 2 processes") {
		t.Fatalf("want the sockets split over 2 worker processes:\n%s", out)
	}
}

func TestParseBenchFrame(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"ack", `{"type":"ack","id":"127.0.0.2-7","conversation_id":3,"seq":5}`},
		{"bot message with meta", `{"type":"message","conversation_id":3,"seq":6,"author":"bot","text":"Standard \"delivery\" takes {3} days, [ok]","meta":{"links":[{"title":"Delivery, times","url":"/help/articles/2-delivery","id":"x"}]},"at":"2026-03-01T09:30:00Z"}`},
		{"customer echo", `{"type":"message","conversation_id":3,"seq":5,"id":"127.0.0.2-7","author":"customer","text":"How?","at":"2026-03-01T09:30:00Z"}`},
		{"spaces", ` { "type" : "error" , "code" : "rate_limited" , "id" : "a" } `},
		{"escaped id", `{"type":"message","id":"a\"b","seq":1}`},
		{"seq last", `{"author":"agent","seq":42}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, want benchFrame
			if err := json.Unmarshal([]byte(tt.in), &want); err != nil {
				t.Fatal(err)
			}
			if err := parseBenchFrame([]byte(tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
	var f benchFrame
	if err := parseBenchFrame([]byte(`{"type":`), &f); err == nil {
		t.Fatal("truncated frame parsed")
	}
}

func BenchmarkParseBenchFrame(b *testing.B) {
	frame := []byte(`{"type":"message","conversation_id":3,"seq":6,"author":"bot","text":"Standard delivery takes 3 to 5 working days.","meta":{"links":[{"title":"Delivery times","url":"/help/articles/2-delivery"}]},"at":"2026-03-01T09:30:00.123456Z"}`)
	b.Run("scan", func(b *testing.B) {
		var f benchFrame
		for i := 0; i < b.N; i++ {
			parseBenchFrame(frame, &f)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var f benchFrame
			json.Unmarshal(frame, &f)
		}
	})
}
