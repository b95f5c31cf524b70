package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
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
	// Memory per socket beside the echo server's, measured in the run
	// (the figures themselves are the benchmark's, not the test's).
	var keys map[string]any
	json.Unmarshal([]byte(lines[len(lines)-1]), &keys)
	if _, ok := keys["echo_rss_per_conn_kib"]; !ok || !strings.Contains(string(out), "fiber + contrib/websocket echo") {
		t.Fatalf("no memory per socket beside the echo server's: %+v\n%s", got, out)
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

// TestBenchChatCountsASlowAndFailingServer runs `frontdesk bench chat`
// against a chat server that answers some questions late and some never:
// they must be reported as late and lost, and the percentiles they fall
// on as infinitely slow, not dropped from the figures.
func TestBenchChatCountsASlowAndFailingServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t, t.TempDir())
	var mu sync.Mutex
	questions := 0
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("/chat/visitor", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "fd_visitor", Value: "v", Path: "/"})
		w.Write([]byte(`{"ok":true}`))
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("process_resident_memory_bytes 1e+07\n"))
	})
	mux.HandleFunc("/ws/chat", func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		var wmu sync.Mutex
		write := func(v any) {
			wmu.Lock()
			defer wmu.Unlock()
			conn.WriteJSON(v)
		}
		seq := int64(0)
		for {
			var f struct{ Type, ID, Text string }
			if err := conn.ReadJSON(&f); err != nil {
				return
			}
			if f.Type != "send" {
				continue
			}
			seq++
			write(map[string]any{"type": "message", "seq": seq, "id": f.ID, "author": "customer", "text": f.Text})
			write(map[string]any{"type": "ack", "id": f.ID, "seq": seq})
			n := -1 // warm-up and idle sockets' questions: answered at once
			if !strings.HasPrefix(f.ID, "warm-") && !strings.HasPrefix(f.ID, "idle-") {
				mu.Lock()
				n = questions
				questions++
				mu.Unlock()
			}
			seq++
			answer := map[string]any{"type": "message", "seq": seq, "author": "bot", "text": "An answer."}
			switch {
			case n >= 0 && n%10 == 3: // never answered
			case n >= 0 && n%10 == 7: // answered after the bench's timeout
				time.AfterFunc(4*time.Second, func() { write(answer) })
			default:
				write(answer)
			}
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	out, err := exec.Command(bin, "bench", "chat", "-url", srv.URL, "-idle", "4", "-active", "10",
		"-rate", "40", "-duration", "1s", "-timeout", "2s", "-peer-echo=false").CombinedOutput()
	if err != nil {
		t.Fatalf("bench chat: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var got struct {
		Scheduled int            `json:"scheduled"`
		Sent      int            `json:"sent"`
		Lost      int            `json:"lost"`
		Late      int            `json:"late"`
		Failed    int            `json:"failed"`
		FailedBy  map[string]int `json:"failed_by"`
		P50       any            `json:"p50_ms"`
		P90       any            `json:"p90_ms"`
		P99       any            `json:"p99_ms"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line is not the JSON summary: %v\n%s", err, out)
	}
	if got.Scheduled != 40 || got.Sent != 40 {
		t.Fatalf("scheduled %d, sent %d, want 40\n%s", got.Scheduled, got.Sent, out)
	}
	// 4 of 40 never answered, 4 answered late (after the bench stopped
	// waiting or past the timeout): either way failed, by kind. The
	// timeout is generous, so that on a loaded machine no answer the
	// server gives at once is taken for a late one.
	if got.FailedBy["lost"]+got.FailedBy["late"] != 8 || got.FailedBy["lost"] < 4 || got.Failed != 8 {
		t.Fatalf("failed %d (%v), want 8: 4 lost and 4 late or lost\n%s", got.Failed, got.FailedBy, out)
	}
	if _, ok := got.P50.(float64); !ok {
		t.Fatalf("p50 %v, want a number", got.P50)
	}
	if got.P90 != "inf" || got.P99 != "inf" {
		t.Fatalf("p90 %v, p99 %v: 20%% of the questions failed, so both must be \"inf\"\n%s", got.P90, got.P99, out)
	}
}
