// Package bustest is the conformance suite every portal.Bus passes: the
// in-process bus (portal/bus) and the PostgreSQL one (portal/postgres) run
// it from their tests.
package bustest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Cluster is what a test of one implementation hands the suite.
type Cluster struct {
	// Nodes are buses of separate processes sharing one medium (for the
	// in-process bus, one node).
	Nodes []portal.Bus
	// Cut, when set, kills node i's listening connection and keeps it
	// from reconnecting until restore is called; restore returns once the
	// node listens again.
	Cut func(tb testing.TB, i int) (restore func())
}

// waitFor bounds every wait for a delivery.
const waitFor = 20 * time.Second

// Run runs the suite; newCluster returns fresh buses for each subtest.
func Run(t *testing.T, newCluster func(tb testing.TB) Cluster) {
	t.Run("DeliversToSubscribersOfTheTopicExactlyOnce", func(t *testing.T) { testTopics(t, newCluster(t)) })
	t.Run("OrderPerTopicWithConcurrentPublishers", func(t *testing.T) { testOrder(t, newCluster(t)) })
	t.Run("PayloadLimits", func(t *testing.T) { testPayloads(t, newCluster(t)) })
	t.Run("Unsubscribe", func(t *testing.T) { testUnsubscribe(t, newCluster(t)) })
	t.Run("CatchUpAfterReconnect", func(t *testing.T) {
		c := newCluster(t)
		if c.Cut == nil || len(c.Nodes) < 2 {
			t.Skip("an in-process bus has no connection to lose")
		}
		testCatchUp(t, c)
	})
}

// collector records what one subscriber receives.
type collector struct {
	mu   sync.Mutex
	got  []portal.BusMessage
	more chan struct{}
}

func collect(b portal.Bus, topic string) (*collector, func()) {
	c := &collector{more: make(chan struct{}, 1)}
	cancel := b.Subscribe(topic, func(m portal.BusMessage) {
		c.mu.Lock()
		c.got = append(c.got, m)
		c.mu.Unlock()
		select {
		case c.more <- struct{}{}:
		default:
		}
	})
	return c, cancel
}

// wait returns what was received once done says it is enough.
func (c *collector) wait(tb testing.TB, what string, done func([]portal.BusMessage) bool) []portal.BusMessage {
	tb.Helper()
	deadline := time.After(waitFor)
	for {
		c.mu.Lock()
		got := append([]portal.BusMessage(nil), c.got...)
		c.mu.Unlock()
		if done(got) {
			return got
		}
		select {
		case <-c.more:
		case <-deadline:
			tb.Fatalf("%s: %d messages after %s", what, len(got), waitFor)
		}
	}
}

func (c *collector) snapshot() []portal.BusMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]portal.BusMessage(nil), c.got...)
}

// hasPayload is a done func: a message with payload p arrived.
func hasPayload(p string) func([]portal.BusMessage) bool {
	return func(ms []portal.BusMessage) bool {
		for _, m := range ms {
			if string(m.Payload) == p {
				return true
			}
		}
		return false
	}
}

func mustPublish(tb testing.TB, b portal.Bus, topic, payload string) {
	tb.Helper()
	if err := b.Publish(context.Background(), topic, []byte(payload)); err != nil {
		tb.Fatalf("publish %s: %v", topic, err)
	}
}

// testTopics: every node's subscriber of a topic gets a message once, with
// the publisher's node id; subscribers of another topic get nothing.
func testTopics(t *testing.T, c Cluster) {
	var on, off []*collector
	for _, n := range c.Nodes {
		a, cancelA := collect(n, "shipment:1")
		defer cancelA()
		b, cancelB := collect(n, "shipment:2")
		defer cancelB()
		on, off = append(on, a), append(off, b)
	}
	pub := c.Nodes[0]
	mustPublish(t, pub, "shipment:1", `{"id":1}`)
	mustPublish(t, pub, "shipment:2", `{"end":true}`)
	mustPublish(t, pub, "shipment:1", `{"end":true}`)
	for i := range c.Nodes {
		got := on[i].wait(t, fmt.Sprintf("node %d", i), hasPayload(`{"end":true}`))
		if len(got) != 2 || string(got[0].Payload) != `{"id":1}` {
			t.Fatalf("node %d got %v, want the message then the end marker, once each", i, payloads(got))
		}
		if got[0].Topic != "shipment:1" || got[0].Node != pub.Node() {
			t.Fatalf("node %d: message from topic %q node %q, want shipment:1 from %q", i, got[0].Topic, got[0].Node, pub.Node())
		}
		// The other topic's end marker came after the first message, so
		// the first message would have reached it by now.
		if other := off[i].wait(t, "other topic", hasPayload(`{"end":true}`)); len(other) != 1 {
			t.Fatalf("node %d: the other topic's subscriber got %v", i, payloads(other))
		}
	}
	if len(c.Nodes) > 1 && c.Nodes[0].Node() == c.Nodes[1].Node() {
		t.Fatalf("two nodes share the node id %q", c.Nodes[0].Node())
	}
}

func payloads(ms []portal.BusMessage) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m.Payload)
		if len(out[i]) > 60 {
			out[i] = out[i][:60] + "…"
		}
	}
	return out
}

type seqMsg struct {
	P   int    `json:"p"`
	I   int    `json:"i"`
	Pad string `json:"pad,omitempty"`
}

// checkSequences: each publisher's messages arrived once each, in order.
func checkSequences(tb testing.TB, where string, got []portal.BusMessage, publishers, each int) {
	tb.Helper()
	next := make([]int, publishers)
	for _, m := range got {
		var s seqMsg
		if err := json.Unmarshal(m.Payload, &s); err != nil {
			tb.Fatalf("%s: bad payload %q: %v", where, m.Payload, err)
		}
		if s.P < 0 || s.P >= publishers || s.I != next[s.P] {
			tb.Fatalf("%s: publisher %d's message %d arrived when %d was next (lost, repeated or reordered)", where, s.P, s.I, next[s.P])
		}
		next[s.P]++
	}
	for p, n := range next {
		if n != each {
			tb.Fatalf("%s: %d of publisher %d's %d messages arrived", where, n, p, each)
		}
	}
}

// testOrder: publishers on every node at once, with payloads of every size
// up to past NOTIFY's limit; each subscriber gets each publisher's messages
// once and in order.
func testOrder(t *testing.T, c Cluster) {
	const publishers, each = 8, 40
	var subs []*collector
	for _, n := range c.Nodes {
		s, cancel := collect(n, "burst")
		defer cancel()
		subs = append(subs, s)
	}
	var wg sync.WaitGroup
	for p := range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pub := c.Nodes[p%len(c.Nodes)]
			for i := range each {
				// Sizes from a few bytes to past 8,000 (every 10th).
				pad := strings.Repeat("x", (i%5)*700)
				if i%10 == 9 {
					pad = strings.Repeat("y", 9000)
				}
				b, _ := json.Marshal(seqMsg{P: p, I: i, Pad: pad})
				if err := pub.Publish(context.Background(), "burst", b); err != nil {
					t.Errorf("publish: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for i, s := range subs {
		got := s.wait(t, fmt.Sprintf("node %d", i), func(ms []portal.BusMessage) bool { return len(ms) >= publishers*each })
		checkSequences(t, fmt.Sprintf("node %d", i), got, publishers, each)
	}
	// Nothing more arrives: an end marker is the next message.
	for _, n := range c.Nodes {
		mustPublish(t, n, "burst", `{"end":`+fmt.Sprintf("%q", n.Node())+`}`)
	}
	for i, s := range subs {
		got := s.wait(t, fmt.Sprintf("node %d's end markers", i), func(ms []portal.BusMessage) bool { return len(ms) >= publishers*each+len(c.Nodes) })
		for _, m := range got[publishers*each:] {
			if !strings.HasPrefix(string(m.Payload), `{"end":`) {
				t.Fatalf("node %d: an extra message %q", i, m.Payload)
			}
		}
	}
}

// testPayloads: payloads far past NOTIFY's 8,000 bytes arrive whole; past
// MaxBusPayload, or not JSON, they are refused with a clear error.
func testPayloads(t *testing.T, c Cluster) {
	var subs []*collector
	for _, n := range c.Nodes {
		s, cancel := collect(n, "big")
		defer cancel()
		subs = append(subs, s)
	}
	big, _ := json.Marshal(map[string]string{"body": strings.Repeat("é<\"", 30_000)})
	if err := c.Nodes[0].Publish(context.Background(), "big", big); err != nil {
		t.Fatalf("publish %d bytes: %v", len(big), err)
	}
	for i, s := range subs {
		got := s.wait(t, fmt.Sprintf("node %d", i), func(ms []portal.BusMessage) bool { return len(ms) > 0 })
		if string(got[0].Payload) != string(big) {
			t.Fatalf("node %d got %d bytes, not the %d published", i, len(got[0].Payload), len(big))
		}
	}
	tooBig := []byte(`"` + strings.Repeat("a", portal.MaxBusPayload) + `"`)
	err := c.Nodes[0].Publish(context.Background(), "big", tooBig)
	if got, want := portal.ErrorCode(err), portal.ETOOLARGE; got != want || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("a payload over the limit: %v (code %q), want %s naming the limit", err, got, want)
	}
	if err := c.Nodes[0].Publish(context.Background(), "big", []byte("not json")); portal.ErrorCode(err) != portal.EINVALID {
		t.Fatalf("a payload that is not JSON: %v, want %s", err, portal.EINVALID)
	}
	for _, topic := range []string{"", "a\x00b", "\xff", strings.Repeat("t", 201)} {
		if err := c.Nodes[0].Publish(context.Background(), topic, []byte("{}")); portal.ErrorCode(err) != portal.EINVALID {
			t.Fatalf("topic %q: %v, want %s", topic, err, portal.EINVALID)
		}
	}
	if err := c.Nodes[0].Publish(context.Background(), "big", []byte("\"\xff\"")); portal.ErrorCode(err) != portal.EINVALID {
		t.Fatalf("a payload that is not UTF-8: %v, want %s", err, portal.EINVALID)
	}
}

// testUnsubscribe: a cancelled subscriber gets nothing more; another on the
// same topic and node carries on.
func testUnsubscribe(t *testing.T, c Cluster) {
	for i, n := range c.Nodes {
		gone, cancel := collect(n, "u")
		stays, cancelStays := collect(n, "u")
		defer cancelStays()
		mustPublish(t, c.Nodes[0], "u", fmt.Sprintf(`{"before":%d}`, i))
		gone.wait(t, "before cancel", hasPayload(fmt.Sprintf(`{"before":%d}`, i)))
		cancel()
		cancel() // twice is harmless
		mustPublish(t, c.Nodes[0], "u", fmt.Sprintf(`{"after":%d}`, i))
		// Both subscribers of a node are called for one message together.
		stays.wait(t, "the other subscriber", hasPayload(fmt.Sprintf(`{"after":%d}`, i)))
		if got := gone.snapshot(); hasPayload(fmt.Sprintf(`{"after":%d}`, i))(got) {
			t.Fatalf("node %d: a cancelled subscriber still got %v", i, payloads(got))
		}
	}
}

// testCatchUp: node 1's listening connection is killed; what node 0
// publishes meanwhile reaches node 1 once it listens again, once each and
// in order, and so does what it publishes after.
func testCatchUp(t *testing.T, c Cluster) {
	const each = 30
	sub, cancel := collect(c.Nodes[1], "cu")
	defer cancel()
	local, cancelLocal := collect(c.Nodes[1], "cu-local")
	defer cancelLocal()
	mustPublish(t, c.Nodes[0], "cu", `{"p":0,"i":0}`)
	sub.wait(t, "before the cut", func(ms []portal.BusMessage) bool { return len(ms) == 1 })
	restore := c.Cut(t, 1)
	for i := 1; i < each; i++ {
		pad := ""
		if i%7 == 0 {
			pad = strings.Repeat("z", 9000) // by reference, too
		}
		b, _ := json.Marshal(seqMsg{P: 0, I: i, Pad: pad})
		mustPublish(t, c.Nodes[0], "cu", string(b))
	}
	// Node 1's own publishes reach its subscribers while it is cut off.
	mustPublish(t, c.Nodes[1], "cu-local", `{}`)
	if got := local.snapshot(); len(got) != 1 {
		t.Fatalf("node 1's own publish reached %d of its subscribers while it was cut off, want 1", len(got))
	}
	restore()
	got := sub.wait(t, "after reconnecting", func(ms []portal.BusMessage) bool { return len(ms) >= each })
	checkSequences(t, "node 1", got, 1, each)
	mustPublish(t, c.Nodes[0], "cu", `{"end":true}`)
	got = sub.wait(t, "after catching up", hasPayload(`{"end":true}`))
	if len(got) != each+1 {
		t.Fatalf("node 1 got %d messages, want %d then the end marker", len(got), each)
	}
}
