package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/http"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/frontdesk/frontdesk/internal/loadgen"
)

var (
	clusterBench   = flag.Bool("cluster.bench", false, "run the cluster chat benchmark (nginx in front of 1 and 3 nodes)")
	clusterRate    = flag.Int("cluster.rate", 500, "customer messages per second in the cluster chat benchmark")
	clusterAsk     = flag.Int("cluster.ask", 0, "also run `frontdesk bench chat` through nginx at this many questions per second (1,000 idle and 250 asking sockets); 0 skips it")
	clusterBot     = flag.Bool("cluster.bot", false, "cluster chat benchmark: chats with the bot, which answers (and fails on) every message; by default the chats wait for a person, so only people's messages travel")
	clusterDurable = flag.Bool("cluster.durable", true, "cluster chat benchmark: PostgreSQL with fsync and synchronous commit on (false: the test cluster's settings, without them)")
)

// TestClusterChatBench measures chat delivery through nginx: pairs of
// sockets of one guest (two tabs) watch one conversation; a message sent on
// one tab is timed until the other tab receives it. Tabs land on nodes
// round-robin, so pairs on different nodes measure cross-node delivery
// (store, NOTIFY, the other node reads the store). It reports delivered,
// lost and duplicated counts and latency quantiles, for 1 node and 3 nodes.
// By default each chat has asked for a person (an agent is online), so
// the bot stays silent and the traffic is what a chat between a customer
// and an agent on other nodes carries; -cluster.bot keeps the bot in
// every chat, answering each message.
func TestClusterChatBench(t *testing.T) {
	if !*clusterBench {
		t.Skip("benchmark: set -cluster.bench to run it")
	}
	// The load comes through nginx from one address standing for many
	// users: the per-client caps that guard a public server are off (the
	// nodes inherit the environment), as in bench portal and bench chat.
	for _, k := range []string{"FRONTDESK_MAX_CONNS_PER_IP", "FRONTDESK_CHAT_SOCKETS_PER_VISITOR", "FRONTDESK_CHAT_SOCKETS_PER_IP"} {
		t.Setenv(k, "-1")
	}
	for _, nodes := range []int{1, 3} {
		t.Run(fmt.Sprintf("%dnodes", nodes), func(t *testing.T) {
			var pg *ownPostgres
			if *clusterDurable {
				url, stop, err := startDurablePostgres(context.Background())
				if err != nil {
					t.Fatalf("durable postgres: %v", err)
				}
				t.Cleanup(stop)
				pg = &ownPostgres{URL: url}
			}
			fmt.Printf("cluster chat bench, %d node(s): PostgreSQL durable=%v\n", nodes, *clusterDurable)
			c := startClusterOn(t, nodes, pg)
			lb := &testServer{URL: "http://" + c.lb}
			if !*clusterBot {
				agent := agentOnline(t, lb, "agent@example.com")
				defer agent.send(map[string]any{"type": "status", "status": "away"})
			}
			// At most 4 messages a second from a tab: the server allows a
			// customer's socket 5 (docs/chat-protocol.md).
			res := runChatPairs(t, lb, max(250, *clusterRate/4), *clusterRate, 10*time.Second)
			b, _ := json.Marshal(res)
			t.Logf("%d node(s): %s", nodes, b)
			fmt.Printf("cluster chat bench, %d node(s): %s\n", nodes, b)
			if *clusterAsk > 0 {
				// The bot's questions and answers through nginx: each
				// answer comes from the node its question reached.
				out, err := exec.Command(c.bin, "bench", "chat", "-url", lb.URL, "-idle", "1000", "-active", "250",
					"-rate", strconv.Itoa(*clusterAsk), "-duration", "10s").CombinedOutput()
				if err != nil {
					t.Fatalf("bench chat: %v\n%s", err, out)
				}
				lines := strings.Split(strings.TrimSpace(string(out)), "\n")
				fmt.Printf("bench chat through nginx, %d node(s): %s\n", nodes, lines[len(lines)-1])
			}
		})
	}
}

// pairResult counts as internal/loadgen does: from each message's
// scheduled send time, lost and late messages as infinitely slow.
type pairResult struct {
	Nodes      int             `json:"-"`
	Rate       int             `json:"rate"`
	Sent       int             `json:"sent"`
	Delivered  int             `json:"delivered"`
	Lost       int             `json:"lost"`
	Late       int             `json:"late"`
	Duplicated int             `json:"duplicated"`
	CrossPairs int             `json:"cross_node_pairs"`
	CrossP50   loadgen.Millis  `json:"cross_p50_ms"`
	CrossP99   loadgen.Millis  `json:"cross_p99_ms"`
	SameP50    loadgen.Millis  `json:"same_node_p50_ms"`
	SameP99    loadgen.Millis  `json:"same_node_p99_ms"`
	Cross      loadgen.Summary `json:"cross"`
	Same       loadgen.Summary `json:"same"`
	Machine    loadgen.Machine `json:"machine"`
}

type benchTab struct {
	c    *websocket.Conn
	node string
}

func dialTab(t *testing.T, u *chatUser) *benchTab {
	t.Helper()
	d := &websocket.Dialer{Jar: u.jar, HandshakeTimeout: 10 * time.Second}
	c, res, err := d.Dial("ws"+strings.TrimPrefix(u.srv.URL, "http")+"/ws/chat", http.Header{"Origin": {u.srv.URL}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return &benchTab{c: c, node: res.Header.Get("X-Frontdesk-Node")}
}

func quantileMs(d []time.Duration, q float64) float64 {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	i := int(math.Ceil(q*float64(len(d)))) - 1
	return float64(d[max(i, 0)].Microseconds()) / 1000
}

func runChatPairs(t *testing.T, lb *testServer, pairs, rate int, dur time.Duration) pairResult {
	t.Helper()
	type pair struct {
		a, b  *benchTab
		cross bool
	}
	var mu sync.Mutex
	sentAt := map[string]time.Time{} // text -> scheduled send time
	crossOf := map[string]bool{}
	recv := map[string]int{}
	const timeout = 10 * time.Second
	cross, same := loadgen.NewRecorder(timeout), loadgen.NewRecorder(timeout)
	ps := make([]*pair, pairs)
	var readers sync.WaitGroup
	for i := range ps {
		g := newGuest(t, lb)
		a := dialTab(t, g)
		a.c.WriteJSON(map[string]any{"type": "hello", "conversation_id": 0, "last_seq": 0})
		open := "Hello, I have a question about my order"
		if !*clusterBot {
			open = "I want to talk to a human about my order"
		}
		a.c.WriteJSON(map[string]any{"type": "send", "id": fmt.Sprintf("open-%d", i), "text": open})
		var conv, last int64
		for conv == 0 {
			var f wsFrame
			if err := a.c.ReadJSON(&f); err != nil {
				t.Fatalf("pair %d: %v", i, err)
			}
			if f.Type == "ack" {
				conv, last = f.ConversationID, f.Seq
			}
		}
		b := dialTab(t, g)
		b.c.WriteJSON(map[string]any{"type": "hello", "conversation_id": conv, "last_seq": last})
		p := &pair{a: a, b: b, cross: a.node != b.node}
		ps[i] = p
		readers.Add(2)
		go func() { // tab A: drain acks and answers
			defer readers.Done()
			for {
				if _, _, err := a.c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		go func(p *pair) { // tab B: time the other tab's messages
			defer readers.Done()
			for {
				var f wsFrame
				if err := p.b.c.ReadJSON(&f); err != nil {
					return
				}
				if f.Type != "message" || f.Author != "customer" || !strings.HasPrefix(f.Text, "bench ") {
					continue
				}
				now := time.Now()
				mu.Lock()
				recv[f.Text]++
				if recv[f.Text] == 1 {
					if at, ok := sentAt[f.Text]; ok {
						if p.cross {
							cross.Done(now.Sub(at))
						} else {
							same.Done(now.Sub(at))
						}
					}
				}
				mu.Unlock()
			}
		}(p)
	}
	res := pairResult{Rate: rate, Machine: loadgen.Machine{CPUs: runtime.NumCPU(), LoadBefore: loadgen.ReadLoad()}}
	for _, p := range ps {
		if p.cross {
			res.CrossPairs++
		}
	}
	interval := time.Second / time.Duration(rate)
	var writeMu sync.Mutex
	// Warm-up, not measured: a second of messages at the rate, so that
	// the nodes' pools, statement caches and first catch-ups are in place.
	for n, start := 0, time.Now(); time.Since(start) < time.Second; n++ {
		time.Sleep(time.Until(start.Add(time.Duration(n) * interval)))
		if err := ps[n%len(ps)].a.c.WriteJSON(map[string]any{"type": "send", "id": fmt.Sprintf("w-%d", n), "text": fmt.Sprintf("warm-up %d", n)}); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	time.Sleep(time.Second)
	start := time.Now()
	for n := 0; ; n++ {
		due := start.Add(time.Duration(n) * interval)
		if due.Sub(start) >= dur {
			break
		}
		time.Sleep(time.Until(due))
		p := ps[n%len(ps)]
		text := fmt.Sprintf("bench %d", n)
		mu.Lock()
		sentAt[text] = due // its latency counts from its scheduled time
		crossOf[text] = p.cross
		mu.Unlock()
		writeMu.Lock()
		err := p.a.c.WriteJSON(map[string]any{"type": "send", "id": fmt.Sprintf("m-%d", n), "text": text})
		writeMu.Unlock()
		if err != nil {
			t.Fatalf("send: %v", err)
		}
		res.Sent++
	}
	deadline := start.Add(dur + timeout)
	for time.Now().Before(deadline) {
		mu.Lock()
		done := len(recv) >= res.Sent
		mu.Unlock()
		if done {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, k := range recv {
		res.Delivered++
		if k > 1 {
			res.Duplicated++
		}
	}
	for text := range sentAt {
		if recv[text] == 0 {
			if crossOf[text] {
				cross.Fail(loadgen.Lost)
			} else {
				same.Fail(loadgen.Lost)
			}
		}
	}
	res.Lost = res.Sent - res.Delivered
	res.Cross, res.Same = cross.Summary(), same.Summary()
	res.Late = int(res.Cross.Failed[loadgen.Late] + res.Same.Failed[loadgen.Late])
	res.CrossP50, res.CrossP99 = res.Cross.P50, res.Cross.P99
	res.SameP50, res.SameP99 = res.Same.P50, res.Same.P99
	res.Machine.LoadAfter = loadgen.ReadLoad()
	return res
}
