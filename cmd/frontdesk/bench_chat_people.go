package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/frontdesk/frontdesk/internal/loadgen"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
)

// People mode of `bench chat`: customers who asked for a person and the
// agents who took their chats write to each other (the bot stays
// silent), at a fixed total rate, and each message is timed from its
// scheduled send to its arrival on the other side's socket.

// benchAgentPassword is the bench agents' password unless -agent-password
// says otherwise.
const benchAgentPassword = "frontdesk-bench-agent"

// benchAgentEmail is bench agent i's address.
func benchAgentEmail(i int) string { return fmt.Sprintf("bench-agent-%d@example.com", i) }

// createBenchAgents creates agents bench-agent-0..n-1@example.com with
// password in the store (one argon2id hash for all); existing ones are
// left as they are.
func createBenchAgents(ctx context.Context, s portal.Store, n int, password string) error {
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		u := &portal.User{Email: benchAgentEmail(i), Name: fmt.Sprintf("Bench Agent %d", i), Role: portal.RoleAgent, PasswordHash: hash}
		if err := s.CreateUser(ctx, u); err != nil && portal.ErrorCode(err) != portal.ECONFLICT {
			return fmt.Errorf("create %s: %w", u.Email, err)
		}
	}
	return nil
}

// checkPeopleRate refuses a rate the server's per-socket frame limits
// (5 a second per customer, 20 per agent) would cut: the bench would
// measure its own overload, not the server.
func checkPeopleRate(c benchChatConfig) error {
	if c.Active < 1 || c.Agents < 1 {
		return errors.New("-mode people needs -active (conversations) and -agents of at least 1")
	}
	if c.Agents > c.Active {
		return fmt.Errorf("-agents %d is more than the %d conversations (-active): some agents would have none", c.Agents, c.Active)
	}
	half := c.Rate / 2
	if per := half / float64(c.Active); per > 4 {
		return fmt.Errorf("%.1f messages/s per customer: the server allows 5 frames/s a customer socket; raise -active", per)
	}
	if per := half / float64(c.Agents); per > 16 {
		return fmt.Errorf("%.1f messages/s per agent: the server allows 20 frames/s an agent socket; raise -agents", per)
	}
	return nil
}

// peopleFrame is a non-message frame the people mode waits for.
type peopleFrame struct {
	Type           string `json:"type"`
	ConversationID int64  `json:"conversation_id"`
	State          string `json:"state"`
	ID             string `json:"id"`
	Code           string `json:"code"`
	Message        string `json:"message"`
}

// peopleSock is one customer's or agent's socket.
type peopleSock struct {
	conn  *websocket.Conn
	agent bool
	ctl   chan peopleFrame
	done  chan struct{}
}

// wait reads control frames until ok holds, an error frame comes, the
// socket closes or the deadline passes.
func (s *peopleSock) wait(what string, d time.Duration, ok func(peopleFrame) bool) (peopleFrame, error) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case f := <-s.ctl:
			if f.Type == "error" {
				return f, fmt.Errorf("%s: error frame %s: %s", what, f.Code, f.Message)
			}
			if ok(f) {
				return f, nil
			}
		case <-s.done:
			return peopleFrame{}, fmt.Errorf("%s: the server closed the socket", what)
		case <-t.C:
			return peopleFrame{}, fmt.Errorf("%s: nothing in %s", what, d)
		}
	}
}

// peopleMsg is a message on its way: when it was due and who should get it.
type peopleMsg struct {
	due     time.Time
	toAgent bool
}

// benchPeopleWorker runs people mode in a worker whose idle sockets are
// open: its agents sign in and go available, its customers open chats
// and ask for a person, each chat is claimed and opened by one agent;
// then "ready", and on a line from in, messages at the fixed rate, half
// customer to agent and half back.
func benchPeopleWorker(ctx context.Context, c benchChatConfig, dialer *websocket.Dialer, tr *http.Transport, visitor func() (http.CookieJar, error),
	in io.Reader, out io.Writer, res *benchChatResult, dropped, errs *atomic.Int64) error {
	wsBase := "ws" + strings.TrimPrefix(c.URL, "http")
	hdr := http.Header{"Origin": {c.URL}}
	rec := loadgen.NewRecorder(c.Timeout)
	var (
		mu                       sync.Mutex
		pending                  = map[string]peopleMsg{}
		delivered                = map[string]bool{}
		sent, arrived, dups, bad atomic.Int64
		measuring                atomic.Bool
	)
	// arrive records a message frame from the other side.
	arrive := func(id string, atAgent bool, now time.Time) {
		if id == "" {
			return
		}
		mu.Lock()
		p, ok := pending[id]
		if ok && p.toAgent == atAgent {
			delete(pending, id)
			delivered[id] = true
			mu.Unlock()
			arrived.Add(1)
			rec.Done(now.Sub(p.due))
			return
		}
		dup := delivered[id]
		mu.Unlock()
		if dup {
			dups.Add(1)
		}
	}
	// failed records a message the server refused (an error frame naming it).
	failed := func(id string) {
		mu.Lock()
		_, ok := pending[id]
		delete(pending, id)
		mu.Unlock()
		if ok {
			bad.Add(1)
			rec.Fail(loadgen.Error)
		}
	}
	open := func(path string, jar http.CookieJar, agent bool) (*peopleSock, error) {
		d := *dialer
		d.Jar = jar
		conn, _, err := d.DialContext(ctx, wsBase+path, hdr)
		if err != nil {
			return nil, err
		}
		s := &peopleSock{conn: conn, agent: agent, ctl: make(chan peopleFrame, 1024), done: make(chan struct{})}
		go func() {
			defer close(s.done)
			var f benchFrame
			for {
				_, b, err := conn.ReadMessage()
				if err != nil {
					if ctx.Err() == nil && measuring.Load() {
						dropped.Add(1)
					}
					return
				}
				now := time.Now()
				if parseBenchFrame(b, &f) != nil {
					continue
				}
				switch f.Type {
				case "message":
					if agent && f.Author == "customer" || !agent && f.Author == "agent" {
						arrive(f.ID, agent, now)
					}
					continue
				case "queue", "presence", "typing", "read", "alert":
					continue // the console's live views: not waited for
				}
				var pf peopleFrame
				if json.Unmarshal(b, &pf) != nil {
					continue
				}
				if pf.Type == "error" {
					errs.Add(1)
					if pf.ID != "" {
						failed(pf.ID)
					}
				}
				select {
				case s.ctl <- pf:
				default: // nobody waits for it
				}
			}
		}()
		return s, nil
	}
	var socks []*peopleSock
	defer func() {
		for _, s := range socks {
			s.conn.Close()
		}
	}()
	var smu sync.Mutex
	keep := func(s *peopleSock) {
		smu.Lock()
		socks = append(socks, s)
		smu.Unlock()
	}
	const setup = 60 * time.Second
	// parallel runs f(0..n-1), at most k at a time, and returns the first error.
	parallel := func(n, k int, f func(i int) error) error {
		var wg sync.WaitGroup
		var first error
		var emu sync.Mutex
		sem := make(chan struct{}, k)
		for i := 0; i < n; i++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if err := f(i); err != nil {
					emu.Lock()
					if first == nil {
						first = err
					}
					emu.Unlock()
				}
			}()
		}
		wg.Wait()
		return first
	}

	// Agents sign in (through the form, as people do) and go available;
	// the pong after the status frame says the server has taken it.
	agents := make([]*peopleSock, c.Agents)
	if err := parallel(c.Agents, 8, func(i int) error {
		email := benchAgentEmail(c.AgentFirst + i)
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if err := signInWith(hc, c.URL, email, c.AgentPassword); err != nil {
			return fmt.Errorf("%w (create the agents with -create-agents, or `frontdesk user create --role agent`)", err)
		}
		s, err := open("/ws/agent", jar, true)
		if err != nil {
			return fmt.Errorf("agent socket: %w", err)
		}
		keep(s)
		agents[i] = s
		if _, err := s.wait(email+" welcome", setup, func(f peopleFrame) bool { return f.Type == "welcome" }); err != nil {
			return err
		}
		s.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"status","status":"available"}`))
		s.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`))
		_, err = s.wait(email+" available", setup, func(f peopleFrame) bool { return f.Type == "pong" })
		return err
	}); err != nil {
		return fmt.Errorf("bench chat: agents: %w", err)
	}

	// Customers open a chat by asking for a person (no question first:
	// the bot says nothing) and wait in the queue.
	customers := make([]*peopleSock, c.Active)
	convs := make([]int64, c.Active)
	if err := parallel(c.Active, 32, func(j int) error {
		jar, err := visitor()
		if err != nil {
			return err
		}
		s, err := open("/ws/chat", jar, false)
		if err != nil {
			return fmt.Errorf("customer socket: %w", err)
		}
		keep(s)
		customers[j] = s
		s.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello"}`))
		if _, err := s.wait("customer welcome", setup, func(f peopleFrame) bool { return f.Type == "welcome" }); err != nil {
			return err
		}
		s.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"handoff"}`))
		f, err := s.wait("customer queued (is an agent available?)", setup, func(f peopleFrame) bool {
			return f.Type == "state" && f.State == "queued" && f.ConversationID != 0
		})
		convs[j] = f.ConversationID
		return err
	}); err != nil {
		return fmt.Errorf("bench chat: customers: %w", err)
	}

	// Agent j%agents claims chat j and opens it (as the console does on
	// "claimed"); each customer then sees the agent join.
	owner := func(j int) int { return j % c.Agents }
	if err := parallel(c.Agents, c.Agents, func(i int) error {
		a := agents[i]
		for j := i; j < c.Active; j += c.Agents {
			a.conn.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`{"type":"claim","conversation_id":%d}`, convs[j])))
			if _, err := a.wait(fmt.Sprintf("claim %d", convs[j]), setup, func(f peopleFrame) bool { return f.Type == "claimed" && f.ConversationID == convs[j] }); err != nil {
				return err
			}
			a.conn.WriteMessage(websocket.TextMessage, []byte(fmt.Sprintf(`{"type":"open","conversation_id":%d,"last_seq":0}`, convs[j])))
		}
		a.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`))
		_, err := a.wait("agent opened its chats", setup, func(f peopleFrame) bool { return f.Type == "pong" })
		return err
	}); err != nil {
		return fmt.Errorf("bench chat: claims: %w", err)
	}
	for j, s := range customers {
		if _, err := s.wait(fmt.Sprintf("customer %d sees the agent", convs[j]), setup, func(f peopleFrame) bool { return f.Type == "state" && f.State == "agent" }); err != nil {
			return fmt.Errorf("bench chat: %w", err)
		}
	}

	fmt.Fprintln(out, "ready")
	if _, err := bufio.NewReader(in).ReadString('\n'); err != nil {
		return err
	}
	measuring.Store(true)
	// Open loop: message i is due at start + i/rate and counts from then.
	// It goes to chat i%chats; in even rounds over the chats the customers
	// write, in odd ones their agents answer.
	n := int(c.Rate * c.Duration.Seconds())
	interval := time.Duration(float64(time.Second) / c.Rate)
	start := time.Now()
	var lastDue time.Time
	var b []byte
	for i := 0; i < n && ctx.Err() == nil; i++ {
		due := start.Add(time.Duration(i) * interval)
		lastDue = due
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		j := i % c.Active
		toAgent := (i/c.Active)%2 == 0
		id := "p-" + c.Source + "-" + strconv.Itoa(i)
		s := customers[j]
		b = append(b[:0], `{"type":"send",`...)
		if !toAgent {
			s = agents[owner(j)]
			b = append(append(append(b, `"conversation_id":`...), strconv.FormatInt(convs[j], 10)...), ',')
		}
		b = append(append(append(b, `"id":"`...), id...), `","text":"Message `...)
		b = append(append(b, strconv.Itoa(i)...), `: my parcel B-000123 has not arrived yet, can you check?"}`...)
		mu.Lock()
		pending[id] = peopleMsg{due: due, toAgent: toAgent}
		mu.Unlock()
		if err := s.conn.WriteMessage(websocket.TextMessage, b); err != nil {
			mu.Lock()
			delete(pending, id)
			mu.Unlock()
			rec.Fail(loadgen.Error)
			continue
		}
		sent.Add(1)
	}
	// Wait for the last arrivals until the timeout has passed for the last
	// message; what has not arrived then is lost.
	for arrived.Load()+bad.Load() < sent.Load() && time.Since(lastDue) < c.Timeout {
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	lost := int64(len(pending))
	pending = map[string]peopleMsg{}
	mu.Unlock()
	rec.FailN(loadgen.Lost, lost)
	if skipped := int64(n) - sent.Load() - rec.Summary().Failed[loadgen.Error] + bad.Load(); skipped > 0 {
		rec.FailN(loadgen.Lost, skipped) // never sent: the run was cancelled
	}
	measuring.Store(false)
	res.Sent, res.Answered, res.Duplicated = sent.Load(), arrived.Load(), dups.Load()
	res.Lost = lost
	res.Dropped, res.Errors = dropped.Load(), errs.Load()
	res.Samples = rec.Samples()
	out2, _ := json.Marshal(res)
	fmt.Fprintln(out, string(out2))
	return nil
}

// benchPeopleReport prints people mode's figures and its JSON summary.
func benchPeopleReport(ctx context.Context, c benchChatConfig, sum benchChatResult, s loadgen.Summary, total int, perConn, cpuPerMsg float64,
	machine loadgen.Machine, stdout, stderr io.Writer) error {
	fmt.Fprintf(stdout, "messages between people (%d chats, %d agents, bot silent): %d scheduled, %d sent, %d delivered, %d lost, %d duplicated; %d sockets dropped, %d error frames\n",
		c.Active, c.Agents, s.Scheduled, sum.Sent, sum.Answered, sum.Lost, sum.Duplicated, sum.Dropped, sum.Errors)
	fmt.Fprintf(stdout, "send to delivery on the other side, from the scheduled time (failed = inf): p50 %v ms, p90 %v ms, p99 %v ms, p99.9 %v ms; %s\n",
		s.P50, s.P90, s.P99, s.P999, s.FailedString())
	fmt.Fprintf(stdout, "server CPU per delivered message: %.0f µs; load average %v before, %v after (%d CPUs)\n", cpuPerMsg, machine.LoadBefore, machine.LoadAfter, machine.CPUs)
	summary, err := benchEchoBeside(ctx, c, "memory per socket", total, perConn, stdout, stderr)
	if err != nil {
		return err
	}
	out, _ := json.Marshal(mergeMaps(summary, map[string]any{"mode": "people", "idle_conns": sum.Idle, "idle_mode": c.IdleMode, "chats": c.Active, "agents": c.Agents,
		"rate": c.Rate, "scheduled": s.Scheduled, "sent": sum.Sent, "delivered": sum.Answered, "lost": sum.Lost, "duplicated": sum.Duplicated,
		"dropped": sum.Dropped, "error_frames": sum.Errors, "failed": s.FailedTotal, "failed_by": s.Failed, "late": s.Failed[loadgen.Late],
		"p50_ms": s.P50, "p90_ms": s.P90, "p99_ms": s.P99, "p999_ms": s.P999, "max_ms": s.Max, "timeout_ms": s.TimeoutMs,
		"rss_per_conn_kib": math.Round(perConn*100) / 100, "server_cpu_us_per_message": cpuPerMsg, "machine": machine}))
	fmt.Fprintln(stdout, string(out))
	return nil
}
