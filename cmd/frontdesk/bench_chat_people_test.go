package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// peopleSummary is what the people-mode tests read from the JSON line.
type peopleSummary struct {
	Mode       string         `json:"mode"`
	Idle       int            `json:"idle_conns"`
	Chats      int            `json:"chats"`
	Agents     int            `json:"agents"`
	Scheduled  int            `json:"scheduled"`
	Sent       int            `json:"sent"`
	Delivered  int            `json:"delivered"`
	Lost       int            `json:"lost"`
	Duplicated int            `json:"duplicated"`
	Failed     int            `json:"failed"`
	FailedBy   map[string]int `json:"failed_by"`
	P50        any            `json:"p50_ms"`
	P90        any            `json:"p90_ms"`
	P99        any            `json:"p99_ms"`
}

func lastJSON(t *testing.T, out []byte, v any) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), v); err != nil {
		t.Fatalf("last line is not the JSON summary: %v\n%s", err, out)
	}
}

// TestBenchChatPeopleEndToEnd runs `frontdesk bench chat -mode people`
// (a real binary) against a real server on both stores: the agents sign
// in, claim the chats the customers asked a person for, and every
// message either way arrives once, on the other side.
func TestBenchChatPeopleEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t, t.TempDir())
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			if err := createBenchAgents(context.Background(), srv.Store, 2, benchAgentPassword); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "bench", "chat", "-mode", "people", "-url", srv.URL, "-server-pid", strconv.Itoa(os.Getpid()),
				"-idle", "4", "-agents", "2", "-active", "6", "-rate", "40", "-duration", "1s", "-peer-echo=false").CombinedOutput()
			if err != nil {
				t.Fatalf("bench chat: %v\n%s", err, out)
			}
			var got peopleSummary
			lastJSON(t, out, &got)
			if got.Mode != "people" || got.Idle != 4 || got.Chats != 6 || got.Agents != 2 {
				t.Fatalf("run %+v, want people mode, 4 idle, 6 chats, 2 agents\n%s", got, out)
			}
			if got.Scheduled != 40 || got.Sent != 40 || got.Delivered != 40 || got.Lost != 0 || got.Duplicated != 0 || got.Failed != 0 {
				t.Fatalf("counted %+v, want 40 sent and delivered, none lost, duplicated or failed\n%s", got, out)
			}
			if _, ok := got.P99.(float64); !ok {
				t.Fatalf("p99 %v, want a number\n%s", got.P99, out)
			}
			// Both ways, stored once each: 22 from the customers (rounds
			// 0, 2, 4 and 6 over the 6 chats), 18 from their agents.
			by := map[string]int{}
			for conv := int64(1); conv <= 200; conv++ {
				ms, _ := srv.Store.FindMessages(context.Background(), conv, 0, false, 1000)
				for _, m := range ms {
					if strings.HasPrefix(m.ClientID, "p-") {
						by[string(m.Author)]++
					}
				}
			}
			if by["customer"] != 22 || by["agent"] != 18 {
				t.Fatalf("stored %v bench messages, want 22 from customers and 18 from agents", by)
			}
		})
	}
}

// TestBenchChatPeopleCountsASlowAndFailingServer runs people mode against
// a chat server that relays some messages late, some never, some twice
// and refuses some: they must be reported as late, lost, duplicated and
// failed, and the percentiles they fall on as infinitely slow.
func TestBenchChatPeopleCountsASlowAndFailingServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t, t.TempDir())
	srv := httptest.NewServer(newFaultyPeopleServer())
	defer srv.Close()
	out, err := exec.Command(bin, "bench", "chat", "-mode", "people", "-url", srv.URL, "-idle", "3", "-agents", "2", "-active", "10",
		"-rate", "40", "-duration", "1s", "-timeout", "2s", "-peer-echo=false").CombinedOutput()
	if err != nil {
		t.Fatalf("bench chat: %v\n%s", err, out)
	}
	var got peopleSummary
	lastJSON(t, out, &got)
	if got.Scheduled != 40 || got.Sent != 40 {
		t.Fatalf("scheduled %d, sent %d, want 40\n%s", got.Scheduled, got.Sent, out)
	}
	// Of 40: 4 never relayed, 4 relayed after the timeout (late, or lost
	// when the bench stopped waiting first), 4 refused with an error
	// frame, 4 relayed twice (delivered once, and one duplicate each).
	if got.FailedBy["lost"]+got.FailedBy["late"] != 8 || got.FailedBy["lost"] < 4 || got.FailedBy["error"] != 4 || got.Failed != 12 {
		t.Fatalf("failed %d (%v), want 12: 4 lost, 4 late or lost, 4 error\n%s", got.Failed, got.FailedBy, out)
	}
	if got.Delivered != 28 || got.Duplicated != 4 {
		t.Fatalf("delivered %d, duplicated %d, want 28 and 4\n%s", got.Delivered, got.Duplicated, out)
	}
	if _, ok := got.P50.(float64); !ok {
		t.Fatalf("p50 %v, want a number", got.P50)
	}
	if got.P90 != "inf" || got.P99 != "inf" {
		t.Fatalf("p90 %v, p99 %v: 30%% of the messages failed, so both must be \"inf\"\n%s", got.P90, got.P99, out)
	}
}

// newFaultyPeopleServer speaks enough of the chat protocol for people
// mode (visitor cookie, sign-in form, customer and agent sockets, hand-off,
// claim, open) and relays the measured messages with faults by their
// order: n%10 == 3 never, 7 after 4 s, 5 twice, 9 refused.
func newFaultyPeopleServer() http.Handler {
	type sock struct {
		mu   sync.Mutex
		conn *websocket.Conn
	}
	write := func(s *sock, v any) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.conn.WriteJSON(v)
	}
	var mu sync.Mutex
	customers := map[int64]*sock{}
	agents := map[int64]*sock{}
	var nextConv int64
	measured := 0
	// relay sends a message to the other side of conv with faults.
	relay := func(from *sock, conv int64, id, author string, to func() *sock) {
		if !strings.HasPrefix(id, "p-") {
			return
		}
		mu.Lock()
		n := measured
		measured++
		mu.Unlock()
		msg := map[string]any{"type": "message", "conversation_id": conv, "seq": n + 1, "id": id, "author": author, "text": "x"}
		switch n % 10 {
		case 3: // never
		case 7:
			time.AfterFunc(4*time.Second, func() { write(to(), msg) })
		case 5:
			write(to(), msg)
			write(to(), msg)
		case 9:
			write(from, map[string]any{"type": "error", "code": "invalid", "id": id, "message": "Refused."})
		default:
			write(to(), msg)
		}
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("/chat/visitor", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "fd_visitor", Value: "v", Path: "/"})
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("process_resident_memory_bytes 1e+07\nprocess_cpu_seconds_total 1\n"))
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Write([]byte(`<meta name="csrf-token" content="tok">`))
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "fd_session", Value: r.FormValue("email"), Path: "/"})
		w.WriteHeader(http.StatusSeeOther)
	})
	mux.HandleFunc("/ws/chat", func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		s := &sock{conn: conn}
		var conv int64
		for {
			var f struct{ Type, ID, Text string }
			if err := conn.ReadJSON(&f); err != nil {
				return
			}
			switch f.Type {
			case "hello":
				write(s, map[string]any{"type": "welcome"})
			case "handoff":
				mu.Lock()
				nextConv++
				conv = nextConv
				customers[conv] = s
				mu.Unlock()
				write(s, map[string]any{"type": "state", "state": "queued", "conversation_id": conv})
			case "send":
				write(s, map[string]any{"type": "ack", "id": f.ID, "conversation_id": conv})
				c := conv
				relay(s, c, f.ID, "customer", func() *sock { mu.Lock(); defer mu.Unlock(); return agents[c] })
			}
		}
	})
	mux.HandleFunc("/ws/agent", func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		s := &sock{conn: conn}
		write(s, map[string]any{"type": "welcome"})
		for {
			var f struct {
				Type, ID, Text string
				Conv           int64 `json:"conversation_id"`
			}
			if err := conn.ReadJSON(&f); err != nil {
				return
			}
			switch f.Type {
			case "ping":
				write(s, map[string]any{"type": "pong"})
			case "claim":
				write(s, map[string]any{"type": "claimed", "conversation_id": f.Conv})
			case "open":
				mu.Lock()
				agents[f.Conv] = s
				cu := customers[f.Conv]
				mu.Unlock()
				write(s, map[string]any{"type": "conversation", "conversation_id": f.Conv})
				write(cu, map[string]any{"type": "state", "state": "agent", "conversation_id": f.Conv})
			case "send":
				write(s, map[string]any{"type": "ack", "id": f.ID, "conversation_id": f.Conv})
				c := f.Conv
				relay(s, c, f.ID, "agent", func() *sock { mu.Lock(); defer mu.Unlock(); return customers[c] })
			}
		}
	})
	return mux
}
