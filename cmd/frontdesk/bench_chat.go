package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/frontdesk/frontdesk/internal/loadgen"
)

// benchQuestions are demo FAQ questions the bot answers.
var benchQuestions = []string{
	"How do I track my order?", "Can I change or cancel my order?", "How long does delivery take?",
	"How much does shipping cost?", "Which countries do you ship to?", "Do you deliver on weekends?",
	"How do I return an item?", "When will I get my refund?", "Are returns free?",
	"Which payment methods do you accept?", "Where can I find my invoice?", "Can I pay in instalments?",
}

// benchChatConfig is one bench run, or one worker's share of it.
type benchChatConfig struct {
	URL       string
	Idle      int
	Active    int
	Rate      float64
	Duration  time.Duration
	PerProc   int
	ServerPID int
	Source    string // worker: source address
	// IdleMode is who the idle sockets are: "shared" (one guest for all,
	// no conversation), "guest" (a visitor each, no conversation) or
	// "conversation" (a visitor each, with an open conversation).
	IdleMode string
	// Repeat asks the 12 fixed questions over and over (the bot's answer
	// cache serves all but the first); by default every question is new.
	Repeat bool
	// Timeout: an answer later than this after its question's scheduled
	// time counts as failed.
	Timeout time.Duration
	// QBase, QStride, QOffset: this worker asks questions QBase +
	// QOffset + k*QStride, so that no two workers ask the same.
	QBase, QStride, QOffset int
	// PeerEcho: after the run, open as many idle sockets (the same idle
	// mode) on a plain fiber + contrib/websocket echo server (`bench
	// echo`, a child process) and report its memory per socket beside
	// the server's.
	PeerEcho bool
	// Mode is "questions" (visitors ask the bot) or "people" (customers
	// and agents write to each other; see bench_chat_people.go). In
	// people mode Active is the number of chats and Rate the messages per
	// second both ways together.
	Mode string
	// Agents: people mode's agents, bench-agent-N@example.com from
	// N = AgentFirst, signing in with AgentPassword.
	Agents, AgentFirst int
	AgentPassword      string
}

// benchChatResult is a worker's report.
type benchChatResult struct {
	Idle       int   `json:"idle"`
	Sent       int64 `json:"sent"`
	Answered   int64 `json:"answered"`
	Lost       int64 `json:"lost"`
	Duplicated int64 `json:"duplicated"`
	Dropped    int64 `json:"dropped"`
	Errors     int64 `json:"errors"`
	// Samples: every scheduled question, answered in time (latency from
	// its scheduled time) or failed (late, lost, error).
	Samples loadgen.Samples `json:"samples"`
}

// runBenchChat drives the chat: many idle customer sockets and questions at
// a fixed rate from the others, split over worker processes (each at most
// PerProc sockets, from its own 127.0.0.x address), and prints the figures
// with a JSON summary as the last line.
func runBenchChat(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c benchChatConfig
	fs := flag.NewFlagSet("bench chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.URL, "url", "http://127.0.0.1:8080", "server to load (must be on 127.0.0.0/8)")
	fs.IntVar(&c.Idle, "idle", 19000, "idle customer sockets")
	fs.IntVar(&c.Active, "active", 250, "sockets asking questions")
	fs.Float64Var(&c.Rate, "rate", 1000, "questions per second, over all active sockets")
	fs.DurationVar(&c.Duration, "duration", 30*time.Second, "how long to ask questions")
	fs.IntVar(&c.PerProc, "per-proc", 15000, "sockets per worker process (each process may hold 20,000 open files)")
	fs.IntVar(&c.ServerPID, "server-pid", 0, "the server's process id, to read its memory from /proc (default: its /metrics)")
	fs.StringVar(&c.IdleMode, "idle-mode", "conversation", "idle sockets: conversation (a visitor each, with an open conversation), guest (a visitor each) or shared (one visitor for all)")
	fs.BoolVar(&c.PeerEcho, "peer-echo", true, "also measure memory per idle socket on a fiber + contrib/websocket echo server holding as many sockets, and print both")
	fs.BoolVar(&c.Repeat, "repeat", false, "ask 12 fixed questions over and over (mostly answered from the bot's cache) instead of a new question each time")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "an answer later than this after its scheduled time counts as failed")
	fs.StringVar(&c.Mode, "mode", "questions", "questions (visitors ask the bot) or people (customers who asked for a person and their agents write to each other, the bot silent; -active is then the number of chats and -rate the messages per second both ways)")
	fs.IntVar(&c.Agents, "agents", 50, "people mode: agents, bench-agent-0@example.com and on, each taking an equal share of the chats")
	fs.StringVar(&c.AgentPassword, "agent-password", benchAgentPassword, "people mode: the agents' password")
	createAgents := fs.Bool("create-agents", false, "people mode: first create the agents in the server's store (FRONTDESK_DATABASE_URL or FRONTDESK_DATA_DIR, as for serve)")
	worker := fs.Bool("worker", false, "internal: run as a worker")
	fs.IntVar(&c.AgentFirst, "agent-first", 0, "internal: this worker's first agent")
	fs.StringVar(&c.Source, "source", "127.0.0.2", "internal: worker's source address")
	fs.IntVar(&c.QBase, "q-base", -1, "internal: first question (default: random)")
	fs.IntVar(&c.QStride, "q-stride", 1, "internal: question stride")
	fs.IntVar(&c.QOffset, "q-offset", 0, "internal: question offset")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	switch c.IdleMode {
	case "shared", "guest", "conversation":
	default:
		fmt.Fprintf(stderr, "bench chat: -idle-mode must be shared, guest or conversation, not %q\n", c.IdleMode)
		return errUsage
	}
	switch c.Mode {
	case "questions":
		c.Agents = 0
	case "people":
		if err := checkPeopleRate(c); err != nil {
			fmt.Fprintf(stderr, "bench chat: %v\n", err)
			return errUsage
		}
	default:
		fmt.Fprintf(stderr, "bench chat: -mode must be questions or people, not %q\n", c.Mode)
		return errUsage
	}
	if *createAgents && !*worker && c.Mode == "people" {
		s, err := openStore(ctx, ConfigFromEnv(os.Getenv))
		if err != nil {
			return fmt.Errorf("bench chat: -create-agents: %w", err)
		}
		err = createBenchAgents(ctx, s, c.Agents, c.AgentPassword)
		s.Close()
		if err != nil {
			return fmt.Errorf("bench chat: -create-agents: %w", err)
		}
	}
	if c.QBase < 0 {
		// A new stretch of questions each run: the server's answer cache
		// outlives a run.
		c.QBase = mathrand.IntN(loadgen.NewQuestions().Cap())
	}
	host, _, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(c.URL, "http://"), "https://"))
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("bench chat: -url must be a loopback address (127.0.0.0/8), not %q", c.URL)
	}
	if *worker {
		return benchChatWorker(ctx, c, os.Stdin, stdout)
	}
	return benchChatCoordinator(ctx, c, stdout, stderr)
}

// benchChatCoordinator starts the workers, measures the server's memory
// once the idle sockets are open, starts the load and sums the results.
func benchChatCoordinator(ctx context.Context, c benchChatConfig, stdout, stderr io.Writer) error {
	total := c.Idle + c.Active + c.Agents
	procs := max(1, (total+c.PerProc-1)/c.PerProc)
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	machine := loadgen.Machine{CPUs: runtime.NumCPU(), LoadBefore: loadgen.ReadLoad()}
	rssBefore, err := serverRSS(c)
	if err != nil {
		return fmt.Errorf("bench chat: server memory: %w", err)
	}
	type proc struct {
		cmd   *exec.Cmd
		in    io.WriteCloser
		out   *bufio.Scanner
		idle  int
		start time.Time
	}
	var ps []*proc
	defer func() {
		for _, p := range ps {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	}()
	fmt.Fprintf(stdout, "opening %d idle and %d active sockets from %d processes…\n", c.Idle, c.Active, procs)
	openStart := time.Now()
	for i := 0; i < procs; i++ {
		idle := c.Idle / procs
		if i < c.Idle%procs {
			idle++
		}
		active := c.Active / procs
		if i < c.Active%procs {
			active++
		}
		rate := c.Rate * float64(active) / float64(max(c.Active, 1))
		agents, mode := 0, c.Mode
		if c.Mode == "people" {
			// The chats, their customers and agents all in the first
			// worker: each message is timed where it is both sent and
			// received.
			active, rate, agents = 0, 0, 0
			if i == 0 {
				active, rate, agents = c.Active, c.Rate, c.Agents
			} else {
				mode = "questions" // idle sockets only
			}
		}
		cmd := exec.CommandContext(ctx, exe, "bench", "chat", "-worker", "-url", c.URL, "-idle", strconv.Itoa(idle), "-active", strconv.Itoa(active),
			"-rate", strconv.FormatFloat(rate, 'f', 3, 64), "-duration", c.Duration.String(), "-source", fmt.Sprintf("127.0.0.%d", 2+i),
			"-idle-mode", c.IdleMode, "-repeat="+strconv.FormatBool(c.Repeat), "-timeout", c.Timeout.String(),
			"-q-base", strconv.Itoa(c.QBase), "-q-stride", strconv.Itoa(procs), "-q-offset", strconv.Itoa(i),
			"-mode", mode, "-agents", strconv.Itoa(agents), "-agent-password", c.AgentPassword)
		cmd.Stderr = stderr
		in, _ := cmd.StdinPipe()
		outp, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			return err
		}
		sc := bufio.NewScanner(outp)
		sc.Buffer(make([]byte, 1<<20), 1<<30)
		ps = append(ps, &proc{cmd: cmd, in: in, out: sc, idle: idle})
	}
	for _, p := range ps {
		if !p.out.Scan() || p.out.Text() != "ready" {
			return fmt.Errorf("bench chat: a worker failed to open its sockets (%q)", p.out.Text())
		}
	}
	fmt.Fprintf(stdout, "all sockets open in %.1f s\n", time.Since(openStart).Seconds())
	time.Sleep(2 * time.Second) // let the server settle before measuring
	rssAfter, err := serverRSS(c)
	if err != nil {
		return err
	}
	perConn := float64(rssAfter-rssBefore) / 1024 / float64(total)
	fmt.Fprintf(stdout, "server memory: %.1f MiB before, %.1f MiB with %d sockets: %.2f KiB per socket\n",
		float64(rssBefore)/(1<<20), float64(rssAfter)/(1<<20), total, perConn)
	cpuBefore, cpuErr := serverCPU(c)
	for _, p := range ps {
		fmt.Fprintln(p.in, "go")
	}
	var sum benchChatResult
	rec := loadgen.NewRecorder(c.Timeout)
	for _, p := range ps {
		if !p.out.Scan() {
			return errors.New("bench chat: a worker died")
		}
		var r benchChatResult
		if err := json.Unmarshal(p.out.Bytes(), &r); err != nil {
			return fmt.Errorf("bench chat: worker result: %w", err)
		}
		sum.Idle += r.Idle
		sum.Sent += r.Sent
		sum.Answered += r.Answered
		sum.Lost += r.Lost
		sum.Duplicated += r.Duplicated
		sum.Dropped += r.Dropped
		sum.Errors += r.Errors
		rec.Add(r.Samples)
	}
	machine.LoadAfter = loadgen.ReadLoad()
	cpuAfter, err := serverCPU(c)
	cpuPerAnswer := 0.0 // server CPU µs per answered question (idle sockets' upkeep included)
	if cpuErr == nil && err == nil && sum.Answered > 0 {
		cpuPerAnswer = math.Round(float64((cpuAfter-cpuBefore).Microseconds())/float64(sum.Answered)*10) / 10
	}
	s := rec.Summary()
	if c.Mode == "people" {
		return benchPeopleReport(ctx, c, sum, s, total, perConn, cpuPerAnswer, machine, stdout, stderr)
	}
	questions := "unique"
	if c.Repeat {
		questions = "repeat"
	}
	fmt.Fprintf(stdout, "questions (%s): %d scheduled, %d sent, %d answered, %d lost, %d duplicated; %d sockets dropped, %d error frames\n",
		questions, s.Scheduled, sum.Sent, sum.Answered, sum.Lost, sum.Duplicated, sum.Dropped, sum.Errors)
	fmt.Fprintf(stdout, "question to answer, from the scheduled time (failed = inf): p50 %v ms, p90 %v ms, p99 %v ms, p99.9 %v ms; %s\n",
		s.P50, s.P90, s.P99, s.P999, s.FailedString())
	fmt.Fprintf(stdout, "server CPU per answered question: %.0f µs; load average %v before, %v after (%d CPUs)\n", cpuPerAnswer, machine.LoadBefore, machine.LoadAfter, machine.CPUs)
	summary, err := benchEchoBeside(ctx, c, "memory per idle socket", total, perConn, stdout, stderr)
	if err != nil {
		return err
	}
	out, _ := json.Marshal(mergeMaps(summary, map[string]any{"idle_conns": sum.Idle, "idle_mode": c.IdleMode, "questions": questions, "rate": c.Rate,
		"scheduled": s.Scheduled, "sent": sum.Sent, "answered": sum.Answered, "lost": sum.Lost, "duplicated": sum.Duplicated,
		"dropped": sum.Dropped, "error_frames": sum.Errors, "failed": s.FailedTotal, "failed_by": s.Failed, "late": s.Failed[loadgen.Late],
		"p50_ms": s.P50, "p90_ms": s.P90, "p99_ms": s.P99, "p999_ms": s.P999, "max_ms": s.Max, "timeout_ms": s.TimeoutMs,
		"rss_per_conn_kib": math.Round(perConn*100) / 100, "server_cpu_us_per_answer": cpuPerAnswer, "machine": machine}))
	fmt.Fprintln(stdout, string(out))
	return nil
}

// benchEchoIdle starts the echo server (`bench echo`) as a child process,
// opens as many sockets on it as the run held (idle sockets in the same
// mode, plus as many more for the askers), and returns its memory per
// socket in KiB.
func benchEchoIdle(ctx context.Context, c benchChatConfig, stderr io.Writer) (float64, error) {
	url, pid, stop, err := startEchoServer(ctx, stderr)
	if err != nil {
		return 0, err
	}
	defer stop()
	p := c
	p.URL, p.ServerPID, p.Idle, p.Active, p.PeerEcho = url, pid, c.Idle+c.Active+c.Agents, 0, false
	p.Mode, p.Agents = "questions", 0
	var buf bytes.Buffer
	if err := benchChatCoordinator(ctx, p, &buf, stderr); err != nil {
		return 0, err
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var r struct {
		RSSPerConn float64 `json:"rss_per_conn_kib"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		return 0, err
	}
	return r.RSSPerConn, nil
}

func mergeMaps(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// serverCPU reads the server's CPU time: /proc with -server-pid, else
// process_cpu_seconds_total from its /metrics.
func serverCPU(c benchChatConfig) (time.Duration, error) {
	if c.ServerPID > 0 {
		return loadgen.ProcessCPU(c.ServerPID), nil
	}
	v, err := metricValue(c.URL, "process_cpu_seconds_total ")
	return time.Duration(v * float64(time.Second)), err
}

// metricValue reads one unlabelled value from the server's /metrics.
func metricValue(base, prefix string) (float64, error) {
	res, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 2000))
		return 0, fmt.Errorf("/metrics: status %d: %s", res.StatusCode, b)
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			return strconv.ParseFloat(v, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read /metrics: %w", err)
	}
	return 0, fmt.Errorf("no %sin /metrics", prefix)
}

// serverRSS reads the server's resident memory: /proc with -server-pid,
// else process_resident_memory_bytes from its /metrics.
func serverRSS(c benchChatConfig) (int64, error) {
	if c.ServerPID > 0 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.ServerPID))
		if err != nil {
			return 0, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, err := strconv.ParseInt(f[1], 10, 64)
				return kb * 1024, err
			}
		}
		return 0, errors.New("no VmRSS")
	}
	v, err := metricValue(c.URL, "process_resident_memory_bytes ")
	return int64(v), err
}

// benchChatWorker opens this worker's sockets, has each active socket ask
// one question first (it starts the socket's conversation; not measured),
// says "ready", waits for a line on stdin, asks questions for the
// duration, waits for the last answers and prints its result as JSON.
func benchChatWorker(ctx context.Context, c benchChatConfig, in io.Reader, out io.Writer) error {
	local, _ := net.ResolveTCPAddr("tcp", c.Source+":0")
	dialer := &websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 512, WriteBufferSize: 512,
		NetDialContext: (&net.Dialer{LocalAddr: local, Timeout: 30 * time.Second}).DialContext}
	// One transport for every visitor's cookie request: a transport each
	// would keep an idle connection to the server per socket.
	tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: local}).DialContext, MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	visitor := func() (http.CookieJar, error) {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, Transport: tr}
		res, err := hc.Get(c.URL + "/chat/visitor")
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET /chat/visitor: status %d", res.StatusCode)
		}
		return jar, nil
	}
	wsURL := "ws" + strings.TrimPrefix(c.URL, "http") + "/ws/chat"
	hdr := http.Header{"Origin": {c.URL}}
	var res benchChatResult
	var dropped, errs atomic.Int64

	// Idle sockets say hello and read (answering pings). In "shared" mode
	// they are all one guest; in "guest" mode each is its own visitor; in
	// "conversation" mode each visitor also opens a conversation with one
	// message, as a customer who asked something and keeps the tab open.
	var sharedJar http.CookieJar
	if c.IdleMode == "shared" {
		jar, err := visitor()
		if err != nil {
			return err
		}
		sharedJar = jar
	}
	var idle []*websocket.Conn
	var openErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	var idleAcks atomic.Int64
	sem := make(chan struct{}, 64)
	for i := 0; i < c.Idle; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fail := func(err error) {
				mu.Lock()
				openErr = err
				mu.Unlock()
			}
			jar := sharedJar
			if jar == nil {
				var err error
				if jar, err = visitor(); err != nil {
					fail(err)
					return
				}
			}
			d := *dialer
			d.Jar = jar
			conn, _, err := d.DialContext(ctx, wsURL, hdr)
			if err != nil {
				fail(err)
				return
			}
			conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello"}`))
			if c.IdleMode == "conversation" {
				conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"send","id":"idle-`+c.Source+"-"+strconv.Itoa(i)+`","text":"Hello, how do I track my order?"}`))
			}
			mu.Lock()
			idle = append(idle, conn)
			mu.Unlock()
			go func() {
				var f benchFrame
				for {
					_, b, err := conn.ReadMessage()
					if err != nil {
						if ctx.Err() == nil {
							dropped.Add(1)
						}
						return
					}
					if c.IdleMode == "conversation" && parseBenchFrame(b, &f) == nil && f.Type == "ack" {
						idleAcks.Add(1)
					}
				}
			}()
		}()
	}
	wg.Wait()
	if openErr != nil {
		return fmt.Errorf("bench chat: open idle socket: %w", openErr)
	}
	if c.IdleMode == "conversation" {
		for deadline := time.Now().Add(120 * time.Second); idleAcks.Load() < int64(len(idle)); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				return fmt.Errorf("bench chat: %d of %d idle sockets' conversations opened in 120 s", idleAcks.Load(), len(idle))
			}
		}
	}
	res.Idle = len(idle)
	if c.Mode == "people" {
		err := benchPeopleWorker(ctx, c, dialer, tr, visitor, in, out, &res, &dropped, &errs)
		for _, cn := range idle {
			cn.Close()
		}
		return err
	}

	type asker struct {
		conn    *websocket.Conn
		mu      sync.Mutex
		pending map[string]time.Time // client id -> scheduled time, until answered
		stored  []storedQuestion     // pending questions the server has stored, in order
		seen    map[int64]bool
		ids     map[string]int64
	}
	rec := loadgen.NewRecorder(c.Timeout)
	var sent, answered, dups, warmed atomic.Int64
	askers := make([]*asker, c.Active)
	for i := range askers {
		jar, err := visitor()
		if err != nil {
			return err
		}
		d := *dialer
		d.Jar = jar
		conn, _, err := d.DialContext(ctx, wsURL, hdr)
		if err != nil {
			return fmt.Errorf("bench chat: open active socket: %w", err)
		}
		a := &asker{conn: conn, pending: map[string]time.Time{}, seen: map[int64]bool{}, ids: map[string]int64{}}
		askers[i] = a
		conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello"}`))
		a.mu.Lock()
		id := "warm-" + c.Source + "-" + strconv.Itoa(i)
		a.pending[id] = time.Now()
		a.mu.Unlock()
		conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"send","id":"`+id+`","text":"Hello, how do I track my order?"}`))
		go func() {
			var f benchFrame
			for {
				_, b, err := conn.ReadMessage()
				if err != nil {
					return
				}
				if parseBenchFrame(b, &f) != nil {
					continue
				}
				now := time.Now()
				a.mu.Lock()
				switch f.Type {
				case "message":
					if a.seen[f.Seq] {
						dups.Add(1)
						break
					}
					a.seen[f.Seq] = true
					if f.Author == "customer" && f.ID != "" {
						if s, ok := a.ids[f.ID]; ok && s != f.Seq {
							dups.Add(1)
						}
						a.ids[f.ID] = f.Seq
						if _, ok := a.pending[f.ID]; ok {
							a.stored = append(a.stored, storedQuestion{seq: f.Seq, id: f.ID})
						}
					}
					// The answer to a question is the first bot or system
					// message after it (the bot answers, or says it hands
					// over); later ones answer nothing new. A socket asks
					// again only once answered (see the sender), so this
					// is that question's answer.
					if (f.Author == "bot" || f.Author == "system") && len(a.stored) > 0 && a.stored[0].seq < f.Seq {
						id := a.stored[0].id
						a.stored = a.stored[1:]
						due := a.pending[id]
						delete(a.pending, id)
						if strings.HasPrefix(id, "warm-") {
							warmed.Add(1)
							break
						}
						answered.Add(1)
						rec.Done(now.Sub(due)) // late when past the timeout
					}
				case "error":
					errs.Add(1)
				}
				a.mu.Unlock()
			}
		}()
	}
	// Warm-up: each active socket's first question (which starts its
	// conversation) is answered before the measured run begins.
	for deadline := time.Now().Add(60 * time.Second); warmed.Load() < int64(c.Active); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("bench chat: %d of %d warm-up questions answered in 60 s", warmed.Load(), c.Active)
		}
	}
	fmt.Fprintln(out, "ready")
	if _, err := bufio.NewReader(in).ReadString('\n'); err != nil {
		return err
	}
	// Open loop: question i is due at start + i/rate, whatever happened
	// to the earlier ones, and its latency counts from then (a sender
	// that falls behind shows up as latency).
	if c.Active > 0 && c.Rate > 0 {
		qs := loadgen.NewQuestions()
		start := time.Now()
		n := int(c.Rate * c.Duration.Seconds())
		interval := time.Duration(float64(time.Second) / c.Rate)
		var b, quoted []byte
		var lastDue time.Time
		for i := 0; i < n && ctx.Err() == nil; i++ {
			due := start.Add(time.Duration(i) * interval)
			lastDue = due
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
			// The next socket with no question waiting for its answer, so
			// that an answer (which names no question) surely answers that
			// socket's one question; a lost answer leaves its socket out.
			// When every socket waits, the round-robin one asks anyway.
			a := askers[i%len(askers)]
			for k := 0; k < len(askers); k++ {
				b := askers[(i+k)%len(askers)]
				b.mu.Lock()
				free := len(b.pending) == 0
				b.mu.Unlock()
				if free {
					a = b
					break
				}
			}
			id := c.Source + "-" + strconv.Itoa(i)
			text := qs.Text(c.QBase + c.QOffset + i*c.QStride)
			if c.Repeat {
				text = benchQuestions[i%len(benchQuestions)]
			}
			quoted, _ = json.Marshal(text)
			// {"type":"send","id":"127.0.0.2-7","text":"..."}, built without
			// a map: the bench shares the machine with the server.
			b = append(append(append(append(b[:0], `{"type":"send","id":"`...), id...), `","text":`...), quoted...)
			b = append(b, '}')
			a.mu.Lock()
			a.pending[id] = due
			err := a.conn.WriteMessage(websocket.TextMessage, b)
			if err != nil {
				delete(a.pending, id)
			}
			a.mu.Unlock()
			if err != nil {
				rec.Fail(loadgen.Error)
				continue
			}
			sent.Add(1)
		}
		// Wait for the last answers, until the timeout has passed for the
		// last question; what is still unanswered then is lost.
		for answered.Load() < sent.Load() && time.Since(lastDue) < c.Timeout {
			time.Sleep(20 * time.Millisecond)
		}
		var lost int64
		for _, a := range askers {
			a.mu.Lock()
			for id := range a.pending {
				if !strings.HasPrefix(id, "warm-") {
					lost++
				}
			}
			a.pending = map[string]time.Time{}
			a.stored = nil
			a.mu.Unlock()
		}
		rec.FailN(loadgen.Lost, lost)
		if skipped := int64(n) - sent.Load() - rec.Summary().Failed[loadgen.Error]; skipped > 0 {
			rec.FailN(loadgen.Lost, skipped) // never sent: the run was cancelled
		}
	}
	res.Sent, res.Answered, res.Duplicated = sent.Load(), answered.Load(), dups.Load()
	res.Lost = res.Sent - res.Answered
	res.Dropped, res.Errors = dropped.Load(), errs.Load()
	res.Samples = rec.Samples()
	b, _ := json.Marshal(res)
	fmt.Fprintln(out, string(b))
	for _, cn := range idle {
		cn.Close()
	}
	for _, a := range askers {
		a.conn.Close()
	}
	return nil
}

// storedQuestion is a question the server echoed with its sequence number.
type storedQuestion struct {
	seq int64
	id  string
}

// benchFrame is what the bench reads from a server frame.
type benchFrame struct {
	Type   string `json:"type"`
	ID     string `json:"id"`
	Seq    int64  `json:"seq"`
	Author string `json:"author"`
}

// parseBenchFrame reads the top-level type, id, seq and author of a server
// frame into f. It scans the frame instead of decoding it with
// encoding/json, whose reflection costs the bench (which shares the
// machine with the server) more than the server's own encoding; frames it
// does not expect (escapes in those fields) go to encoding/json.
func parseBenchFrame(b []byte, f *benchFrame) error {
	*f = benchFrame{}
	slow := func() error {
		*f = benchFrame{}
		return json.Unmarshal(b, f)
	}
	i := skipJSONSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return slow()
	}
	i++
	for {
		i = skipJSONSpace(b, i)
		if i >= len(b) {
			return slow()
		}
		switch b[i] {
		case '}':
			return nil
		case ',':
			i++
			continue
		}
		key, j, ok := plainJSONString(b, i)
		if !ok {
			return slow()
		}
		i = skipJSONSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return slow()
		}
		i = skipJSONSpace(b, i+1)
		switch string(key) {
		case "type", "id", "author":
			v, j, ok := plainJSONString(b, i)
			if !ok {
				return slow()
			}
			switch string(key) {
			case "type":
				f.Type = string(v)
			case "id":
				f.ID = string(v)
			default:
				f.Author = string(v)
			}
			i = j
		case "seq":
			j := i
			for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '-') {
				j++
			}
			n, err := strconv.ParseInt(string(b[i:j]), 10, 64)
			if err != nil {
				return slow()
			}
			f.Seq, i = n, j
		default:
			if i = skipJSONValue(b, i); i < 0 {
				return slow()
			}
		}
	}
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainJSONString reads the string starting at b[i] when it has no
// escapes, and returns the index after it.
func plainJSONString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			return nil, 0, false
		case '"':
			return b[i+1 : j], j + 1, true
		}
	}
	return nil, 0, false
}

// skipJSONValue returns the index after the value starting at b[i], or -1.
func skipJSONValue(b []byte, i int) int {
	depth, inStr := 0, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
				if depth == 0 {
					return i + 1
				}
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 {
				return i
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case c == ',' && depth == 0:
			return i
		}
	}
	if depth == 0 && !inStr {
		return i
	}
	return -1
}

// benchEchoBeside measures memory per socket on the fiber + contrib/websocket
// echo server holding as many sockets (when -peer-echo is on), prints it
// beside Frontdesk's and returns the figures for the JSON summary.
func benchEchoBeside(ctx context.Context, c benchChatConfig, what string, total int, perConn float64, stdout, stderr io.Writer) (map[string]any, error) {
	summary := map[string]any{}
	if !c.PeerEcho {
		return summary, nil
	}
	echo, err := benchEchoIdle(ctx, c, stderr)
	if err != nil {
		return nil, fmt.Errorf("bench chat: echo peer: %w", err)
	}
	ratio := perConn / echo
	fmt.Fprintf(stdout, "%s, %d sockets (%s): Frontdesk %.2f KiB, fiber + contrib/websocket echo %.2f KiB: %.2fx\n", what, total, c.IdleMode, perConn, echo, ratio)
	summary["echo_rss_per_conn_kib"], summary["rss_vs_echo"] = math.Round(echo*100)/100, math.Round(ratio*100)/100
	return summary, nil
}
