package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// The cluster test runs what production runs: its own PostgreSQL (so it can
// restart it), three "frontdesk serve" processes and nginx in front.

const pgBin = "/usr/lib/postgresql/15/bin"

func requireTool(tb testing.TB, path, what string) {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s not found at %s: required under CI", what, path)
		}
		tb.Skipf("%s not found at %s", what, path)
	}
}

func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ownPostgres is a PostgreSQL server this test may stop and start.
type ownPostgres struct {
	dir  string
	port int
	URL  string
}

func pgCtl(tb testing.TB, args ...string) {
	tb.Helper()
	cmd := exec.Command(filepath.Join(pgBin, "pg_ctl"), args...)
	if os.Getuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(pgBin, "pg_ctl")}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("pg_ctl %v: %v: %s", args, err, out)
	}
}

func startOwnPostgres(tb testing.TB) *ownPostgres {
	tb.Helper()
	requireTool(tb, filepath.Join(pgBin, "postgres"), "PostgreSQL 15")
	dir, err := os.MkdirTemp("", "frontdesk-cluster-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	os.Chmod(dir, 0o777)
	p := &ownPostgres{dir: dir, port: freePort(tb)}
	out, err := exec.Command("../../.ci/pg-start", dir, fmt.Sprint(p.port)).CombinedOutput()
	if err != nil {
		tb.Fatalf("start postgres: %v: %s", err, out)
	}
	p.URL = strings.TrimSpace(string(out))
	tb.Cleanup(func() {
		pgCtl(tb, "-D", filepath.Join(dir, "data"), "-m", "immediate", "stop")
		os.RemoveAll(dir)
	})
	return p
}

func (p *ownPostgres) stop(tb testing.TB) {
	pgCtl(tb, "-D", filepath.Join(p.dir, "data"), "-m", "fast", "-w", "stop")
}

func (p *ownPostgres) start(tb testing.TB) {
	pgCtl(tb, "-D", filepath.Join(p.dir, "data"), "-l", filepath.Join(p.dir, "server.log"), "-w", "-t", "60", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off", p.port, p.dir), "start")
}

// node is one frontdesk serve process.
type node struct {
	name string
	addr string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func (n *node) url() string { return "http://" + n.addr }

type cluster struct {
	pg    *ownPostgres
	nodes []*node
	lb    string // nginx's address
	bin   string
	dir   string
}

func buildBinary(tb testing.TB, dir string) string {
	tb.Helper()
	bin := filepath.Join(dir, "frontdesk")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v: %s", err, out)
	}
	return bin
}

// startNode starts node i on addr ("" for a free port); a restarted node
// keeps its address, so nginx's upstream list stays right.
func (c *cluster) startNode(tb testing.TB, i int, seed bool, addr string) *node {
	tb.Helper()
	if addr == "" {
		addr = fmt.Sprintf("127.0.0.1:%d", freePort(tb))
	}
	n := &node{name: fmt.Sprintf("node%d", i), addr: addr, done: make(chan struct{})}
	n.log = filepath.Join(c.dir, n.name+".log")
	logf, err := os.OpenFile(n.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	demo := "0"
	if seed {
		demo = "1"
	}
	n.cmd = exec.Command(c.bin, "serve")
	n.cmd.Env = append(os.Environ(), "FRONTDESK_ADDR="+n.addr, "FRONTDESK_DATA_DIR="+filepath.Join(c.dir, n.name),
		"FRONTDESK_DATABASE_URL="+c.pg.URL, "FRONTDESK_SECRET=cluster-test-secret-0123456789abcdef", "FRONTDESK_DEMO="+demo,
		"FRONTDESK_NODE_NAME="+n.name, "FRONTDESK_WEBHOOK_SECRETS=frontdesk="+testWebhookSecret, "FRONTDESK_LOG_LEVEL=info",
		"FRONTDESK_BASE_URL=http://"+c.lb, "FRONTDESK_TRUSTED_PROXIES=127.0.0.1/32")
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { n.cmd.Wait(); logf.Close(); close(n.done) }()
	waitReady(tb, n.url(), 60*time.Second)
	return n
}

func waitReady(tb testing.TB, base string, within time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		r, err := http.Get(base + "/readyz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s not ready within %s (last: %v)", base, within, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func startCluster(t *testing.T) *cluster { t.Helper(); return startClusterN(t, 3) }

// startClusterN starts PostgreSQL, n nodes and nginx in front of them.
func startClusterN(t *testing.T, n int) *cluster {
	t.Helper()
	return startClusterOn(t, n, nil)
}

// startClusterOn is startClusterN on the given PostgreSQL (nil: a
// throwaway test cluster of its own).
func startClusterOn(t *testing.T, n int, pg *ownPostgres) *cluster {
	t.Helper()
	requireTool(t, "/usr/sbin/nginx", "nginx")
	c := &cluster{dir: t.TempDir()}
	os.Chmod(c.dir, 0o755)
	c.pg = pg
	if c.pg == nil {
		c.pg = startOwnPostgres(t)
	}
	c.bin = buildBinary(t, c.dir)
	c.lb = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	for i := 1; i <= n; i++ {
		c.nodes = append(c.nodes, c.startNode(t, i, i == 1, ""))
	}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			n.cmd.Process.Signal(syscall.SIGTERM)
		}
		for _, n := range c.nodes {
			select {
			case <-n.done:
			case <-time.After(40 * time.Second):
				n.cmd.Process.Kill()
			}
			if t.Failed() {
				b, _ := os.ReadFile(n.log)
				t.Logf("%s log:\n%s", n.name, tail(string(b), 3000))
			}
		}
	})
	c.startNginx(t)
	return c
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (c *cluster) startNginx(t *testing.T) {
	t.Helper()
	tmpl, err := os.ReadFile("../../docs/nginx-frontdesk.conf")
	if err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(c.dir, "nginx")
	os.MkdirAll(prefix, 0o777)
	var ups strings.Builder
	for _, n := range c.nodes {
		fmt.Fprintf(&ups, "        server %s max_fails=1 fail_timeout=5s;\n", n.addr)
	}
	conf := strings.NewReplacer("{{PREFIX}}", prefix, "{{UPSTREAMS}}", strings.TrimRight(ups.String(), "\n"), "{{LISTEN}}", c.lb).Replace(string(tmpl))
	if os.Getuid() == 0 {
		conf = "user root;\n" + conf
	}
	path := filepath.Join(prefix, "nginx.conf")
	os.WriteFile(path, []byte(conf), 0o644)
	cmd := exec.Command("/usr/sbin/nginx", "-p", prefix, "-c", path, "-g", "daemon off;")
	out, _ := os.Create(filepath.Join(prefix, "stdout.log"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
			t.Logf("nginx error log:\n%s", tail(string(b), 2000))
		}
	})
	waitReady(t, "http://"+c.lb, 20*time.Second)
}

// browserlessClient signs in through base and keeps the session cookie.
func signedInClient(t *testing.T, base, email, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if err := signInWith(hc, base, email, password); err != nil {
		t.Fatal(err)
	}
	return hc
}

// withCookies makes a client for another base URL carrying hc's cookies.
func withCookies(t *testing.T, hc *http.Client, from, to string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	fu, _ := url.Parse(from)
	tu, _ := url.Parse(to)
	jar.SetCookies(tu, hc.Jar.Cookies(fu))
	return &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func status(t *testing.T, hc *http.Client, u string) (int, string) {
	t.Helper()
	r, err := hc.Get(u)
	if err != nil {
		return 0, err.Error()
	}
	defer r.Body.Close()
	io.Copy(io.Discard, r.Body)
	return r.StatusCode, r.Header.Get("X-Frontdesk-Node")
}

// srvStoreMessages returns the last sequence number of a conversation.
func srvStoreMessages(t *testing.T, c *cluster, conv int64) (int64, error) {
	t.Helper()
	st, err := openStore(context.Background(), Config{DatabaseURL: c.pg.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	msgs, err := st.FindMessages(context.Background(), conv, 0, false, 1000)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("messages: %v", err)
	}
	return msgs[len(msgs)-1].Seq, nil
}

func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test starts PostgreSQL, three nodes and nginx")
	}
	c := startCluster(t)
	lb := "http://" + c.lb
	ctx := context.Background()

	t.Run("AnyNodeServesASession", func(t *testing.T) {
		hc := signedInClient(t, lb, "customer@example.com", "demo")
		seen := map[string]int{}
		for i := 0; i < 12; i++ {
			code, nodeName := status(t, hc, lb+"/account")
			if code != 200 {
				t.Fatalf("request %d via nginx: status %d", i, code)
			}
			seen[nodeName]++
		}
		if len(seen) != 3 {
			t.Fatalf("requests reached %v, want all three nodes", seen)
		}
	})

	t.Run("SignOutOnOneNodeEndsTheSessionOnAll", func(t *testing.T) {
		hc := signedInClient(t, c.nodes[0].url(), "customer@example.com", "demo")
		on2 := withCookies(t, hc, c.nodes[0].url(), c.nodes[1].url())
		if code, _ := status(t, on2, c.nodes[1].url()+"/account"); code != 200 {
			t.Fatalf("node2 before sign-out: %d", code)
		}
		r, _ := hc.Get(c.nodes[0].url() + "/account")
		page, _ := io.ReadAll(r.Body)
		r.Body.Close()
		tok := benchCSRF.FindSubmatch(page)
		r, err := hc.PostForm(c.nodes[0].url()+"/logout", url.Values{"_csrf": {string(tok[1])}})
		if err != nil || r.StatusCode != 303 {
			t.Fatalf("logout: %v %v", err, r)
		}
		r.Body.Close()
		deadline := time.Now().Add(5 * time.Second)
		for {
			code, _ := status(t, on2, c.nodes[1].url()+"/account")
			if code == 303 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node2 still accepts the signed-out session (status %d)", code)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	t.Run("TrackingUpdateReachesAPageOnAnotherNode", func(t *testing.T) {
		hc := signedInClient(t, c.nodes[1].url(), "customer@example.com", "demo")
		st, err := openStore(ctx, Config{DatabaseURL: c.pg.URL})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		u, _ := st.FindUserByEmail(ctx, "customer@example.com")
		ships, _, _ := st.FindShipments(ctx, portal.ShipmentFilter{CustomerID: &u.ID, Limit: 1})
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/account/shipments/%d/events", c.nodes[1].url(), ships[0].ID), nil)
		res, err := (&http.Client{Jar: hc.Jar}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		lines := make(chan string, 16)
		go func() {
			r := bufio.NewReader(res.Body)
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					close(lines)
					return
				}
				lines <- l
			}
		}()
		<-lines // "retry:"
		srv := &testServer{URL: c.nodes[2].url()}
		postTracking(t, srv, ships[0].TrackingNumber, "cluster-1", "out_for_delivery", "Posted to node 3")
		timeout := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatal("stream closed")
				}
				if strings.Contains(l, "Posted to node 3") {
					return
				}
			case <-timeout:
				t.Fatal("node 2's page never got the update posted to node 3")
			}
		}
	})

	t.Run("PublishReachesSearchOnEveryNode", func(t *testing.T) {
		ed := signedInClient(t, c.nodes[0].url(), "editor@example.com", "demo")
		r, _ := ed.Get(c.nodes[0].url() + "/editor/articles/new")
		page, _ := io.ReadAll(r.Body)
		r.Body.Close()
		tok := benchCSRF.FindSubmatch(page)
		r, err := ed.PostForm(c.nodes[0].url()+"/editor/articles", url.Values{"_csrf": {string(tok[1])}, "title": {"Can I pay with Zorbcoin?"},
			"summary": {"Yes, Zorbcoin payments are accepted at checkout."}, "body": {"Choose Zorbcoin at checkout."}, "locale": {"en"}, "action": {"publish"}})
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 303 {
			t.Fatalf("publish: status %d", r.StatusCode)
		}
		for _, n := range c.nodes {
			deadline := time.Now().Add(15 * time.Second)
			for {
				r, err := http.Get(n.url() + "/api/v1/search?q=zorbcoin")
				body := ""
				if err == nil {
					b, _ := io.ReadAll(r.Body)
					r.Body.Close()
					body = string(b)
				}
				if strings.Contains(body, "Can I pay with Zorbcoin?") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s's search never found the article published on node1: %s", n.name, body)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	})

	t.Run("ChatAcrossNodesExactlyOnce", func(t *testing.T) {
		n1, n2, n3 := &testServer{URL: c.nodes[0].url()}, &testServer{URL: c.nodes[1].url()}, &testServer{URL: c.nodes[2].url()}
		agent := agentOnline(t, n2, "agent@example.com")
		defer agent.send(map[string]any{"type": "status", "status": "away"})
		cust := signIn(t, n1, "customer@example.com")
		w, _ := cust.hello(0, 0)
		ack := w.say("cl-1", "talk to a human please")
		conv := ack.ConversationID
		w.next("queued", func(f wsFrame) bool { return f.Type == "state" && f.State == "queued" })
		agent.next("queue on node2 with the chat from node1", func(f wsFrame) bool {
			for _, q := range f.Queued {
				if f.Type == "queue" && q.ConversationID == conv {
					return true
				}
			}
			return false
		})
		agent.send(map[string]any{"type": "claim", "conversation_id": conv})
		if r, _ := agent.next("claim", func(f wsFrame) bool { return f.Type == "claimed" || f.Type == "error" }); r.Type != "claimed" {
			t.Fatalf("claim: %+v", r)
		}
		w.next("agent joined", func(f wsFrame) bool { return f.Type == "state" && f.State == "agent" })
		agent.send(map[string]any{"type": "open", "conversation_id": conv})
		agent.next("conversation", isType("conversation"))
		// Both sides write at once; each side must see every message of the
		// other exactly once, in order.
		const n = 15
		var lastAgentAck int64
		for i := 0; i < n; i++ {
			agent.send(map[string]any{"type": "send", "conversation_id": conv, "id": fmt.Sprintf("ag-%d", i), "text": fmt.Sprintf("agent says %d", i)})
			w.send(map[string]any{"type": "send", "id": fmt.Sprintf("cu-%d", i), "text": fmt.Sprintf("customer says %d", i)})
		}
		for i := 0; i < n; i++ {
			f, _ := agent.next("agent ack", func(f wsFrame) bool { return f.Type == "ack" && f.ID == fmt.Sprintf("ag-%d", i) })
			lastAgentAck = max(lastAgentAck, f.Seq)
		}
		got := map[string]int{}
		var order []int64
		for len(got) < n {
			f, _ := w.next("agent message on node1", isMessage("agent"))
			got[f.Text]++
			order = append(order, f.Seq)
		}
		for text, k := range got {
			if k != 1 {
				t.Fatalf("customer got %q %d times", text, k)
			}
		}
		for i := 1; i < len(order); i++ {
			if order[i] <= order[i-1] {
				t.Fatalf("customer got messages out of order: %v", order)
			}
		}
		seen := map[string]int{}
		for len(seen) < n {
			f, _ := agent.next("customer message on node2", isMessage("customer"))
			seen[f.Text]++
		}
		// The customer's node dies; meanwhile the agent writes; the customer
		// resumes on node3 and gets exactly what it missed.
		last := order[len(order)-1]
		victim := c.nodes[0]
		victim.cmd.Process.Signal(syscall.SIGKILL)
		<-victim.done
		for i := 0; i < 5; i++ {
			agent.send(map[string]any{"type": "send", "conversation_id": conv, "id": fmt.Sprintf("late-%d", i), "text": fmt.Sprintf("while you were away %d", i)})
			agent.next("late ack", func(f wsFrame) bool { return f.Type == "ack" && f.ID == fmt.Sprintf("late-%d", i) })
		}
		cust3 := &chatUser{tb: t, srv: n3, jar: cust.jar}
		cu, _ := url.Parse(n1.URL)
		cu3, _ := url.Parse(n3.URL)
		cust3.jar.SetCookies(cu3, cust.jar.Cookies(cu))
		w3, welcome := cust3.hello(conv, last)
		if welcome.ConversationID != conv {
			t.Fatalf("welcome %+v", welcome)
		}
		resumed := map[string]int{}
		for len(resumed) < 5 {
			f, _ := w3.next("missed message", isMessage("agent"))
			if f.Seq <= last {
				t.Fatalf("resume re-sent seq %d (last seen %d)", f.Seq, last)
			}
			resumed[f.Text]++
		}
		for text, k := range resumed {
			if k != 1 {
				t.Fatalf("resumed %q %d times", text, k)
			}
		}
		// Bring node1 back for the scenarios that follow.
		c.nodes[0] = c.startNode(t, 1, false, c.nodes[0].addr)

		// node3 is stopped gracefully: it tells its sockets to go (close
		// code 1001) at once, and the customer resumes on node1.
		last = 0
		for _, f := range w3.backlog {
			last = max(last, f.Seq)
		}
		msgs, _ := srvStoreMessages(t, c, conv)
		last = msgs
		c.nodes[2].cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-w3.done:
		case <-time.After(10 * time.Second):
			t.Fatal("node3 did not close its chat socket within 10s of SIGTERM")
		}
		<-c.nodes[2].done
		agent.send(map[string]any{"type": "send", "conversation_id": conv, "id": "after-term", "text": "after node3 stopped"})
		agent.next("ack", func(f wsFrame) bool { return f.Type == "ack" && f.ID == "after-term" })
		n1b := &testServer{URL: c.nodes[0].url()}
		cust1 := &chatUser{tb: t, srv: n1b, jar: cust.jar}
		w1, _ := cust1.hello(conv, last)
		f, _ := w1.next("message after node3 stopped", isMessage("agent"))
		if f.Text != "after node3 stopped" || f.Seq != last+1 {
			t.Fatalf("resumed on node1 with %+v, want seq %d", f, last+1)
		}
		c.nodes[2] = c.startNode(t, 3, false, c.nodes[2].addr)
		_ = n2
	})

	t.Run("PostgreSQLRestart", func(t *testing.T) {
		// A guest chats with tabs on node1 and node2; PostgreSQL stops
		// mid-conversation, and what the guest sends meanwhile is retried
		// (same ids) once it is back. Every message reaches the other
		// tab exactly once, in order.
		g := newGuest(t, &testServer{URL: lb})
		tabA := &chatUser{tb: t, srv: &testServer{URL: c.nodes[0].url()}, jar: g.jar}
		tabB := &chatUser{tb: t, srv: &testServer{URL: c.nodes[1].url()}, jar: g.jar}
		a, _ := tabA.hello(0, 0)
		conv := a.say("pr-b0", "before the restart 0").ConversationID
		b, _ := tabB.hello(conv, 0)
		var texts []string
		for i := 1; i < 3; i++ {
			a.say(fmt.Sprintf("pr-b%d", i), fmt.Sprintf("before the restart %d", i))
		}
		for i := 0; i < 3; i++ {
			texts = append(texts, fmt.Sprintf("before the restart %d", i))
		}
		c.pg.stop(t)
		for _, n := range c.nodes {
			deadline := time.Now().Add(20 * time.Second)
			for {
				code, _ := status(t, http.DefaultClient, n.url()+"/readyz")
				if code == 503 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s still ready (status %d) with PostgreSQL down", n.name, code)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		// Sent while the store is down: refused (or left unanswered), not
		// lost, since the guest sends them again.
		for i := 0; i < 3; i++ {
			a.c.WriteJSON(map[string]any{"type": "send", "id": fmt.Sprintf("pr-d%d", i), "text": fmt.Sprintf("during the restart %d", i)})
			texts = append(texts, fmt.Sprintf("during the restart %d", i))
		}
		c.pg.start(t)
		for _, n := range c.nodes {
			waitReady(t, n.url(), 30*time.Second)
		}
		a2, _ := tabA.hello(conv, 0)
		for i := 0; i < 3; i++ {
			a2.say(fmt.Sprintf("pr-d%d", i), fmt.Sprintf("during the restart %d", i))
		}
		for i := 0; i < 3; i++ {
			a2.say(fmt.Sprintf("pr-a%d", i), fmt.Sprintf("after the restart %d", i))
			texts = append(texts, fmt.Sprintf("after the restart %d", i))
		}
		// Tab B, resuming by sequence if its socket went down meanwhile.
		seen := map[string]int{}
		var lastSeq int64
		take := func(f wsFrame) {
			if f.Type != "message" {
				return
			}
			if f.Seq <= lastSeq {
				t.Fatalf("tab on node2 got seq %d after %d", f.Seq, lastSeq)
			}
			lastSeq = f.Seq
			if f.Author == "customer" {
				seen[f.Text]++
			}
		}
		// What a tab read before its welcome counts too: the bus may tell
		// node2 that tab A started the conversation after tab B's socket
		// opened and before its hello was handled, and tab B then follows
		// the conversation (a "started" frame and its messages) ahead of
		// the welcome, as the widget expects.
		drain := func() {
			for _, f := range b.backlog {
				take(f)
			}
			b.backlog = nil
		}
		drain()
		deadline := time.After(30 * time.Second)
		for len(seen) < len(texts) {
			select {
			case f := <-b.frames:
				take(f)
			case <-b.done:
				b, _ = tabB.hello(conv, lastSeq)
				drain()
			case <-deadline:
				t.Fatalf("tab on node2 saw %v, want each of %q once", seen, texts)
			}
		}
		for _, x := range texts {
			if seen[x] != 1 {
				t.Fatalf("tab on node2 saw %q %d times (all: %v)", x, seen[x], seen)
			}
		}
		hc := signedInClient(t, lb, "customer@example.com", "demo")
		if code, _ := status(t, hc, lb+"/account"); code != 200 {
			t.Fatalf("after restart: status %d", code)
		}
	})

	t.Run("KilledNodeIsRoutedAround", func(t *testing.T) {
		victim := c.nodes[1]
		victim.cmd.Process.Signal(syscall.SIGKILL)
		<-victim.done
		hc := signedInClient(t, lb, "customer@example.com", "demo")
		var mu sync.Mutex
		failed := 0
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code, nodeName := status(t, hc, lb+"/account"); code != 200 || nodeName == victim.name {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if failed > 0 {
			t.Fatalf("%d of 30 requests failed with %s killed", failed, victim.name)
		}
	})
}
