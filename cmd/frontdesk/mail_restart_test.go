//go:build linux

package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
)

// TestMailServeChild is the child of TestInboundMailSurvivesKill:
// `frontdesk serve` with main's signal handling.
func TestMailServeChild(t *testing.T) {
	if os.Getenv("FRONTDESK_MAIL_CHILD") == "" {
		t.Skip("the child process of TestInboundMailSurvivesKill")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, []string{"serve"}, os.Stdout, os.Stderr))
}

// mailChild is a running `frontdesk serve` taking mail.
type mailChild struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

func startMailChild(t *testing.T, env []string) *mailChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMailServeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &mailChild{cmd: cmd, done: make(chan error, 1)}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Taking mail for support@shop.example at "); ok {
			c.addr = strings.TrimSpace(rest)
			break
		}
	}
	if c.addr == "" {
		cmd.Process.Kill()
		t.Fatal("the child never said where it takes mail")
	}
	go func() { _, _ = bufioDrain(sc); c.done <- cmd.Wait() }()
	return c
}

func bufioDrain(sc *bufio.Scanner) (int, error) {
	n := 0
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}

// TestInboundMailSurvivesKill streams mail into `frontdesk serve`, kills
// it (SIGKILL) mid-stream, starts it again and resends every message that
// got no 250, as a sending MTA does: every message is then stored exactly
// once, on both stores.
func TestInboundMailSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			env := []string{"FRONTDESK_MAIL_CHILD=1", "FRONTDESK_DATA_DIR=" + dir, "FRONTDESK_ADDR=127.0.0.1:0", "FRONTDESK_SMTP_LISTEN=127.0.0.1:0",
				"FRONTDESK_SUPPORT_ADDRESS=support@shop.example", "FRONTDESK_DEMO=0", "FRONTDESK_LOG_LEVEL=error", "FRONTDESK_DATABASE_URL="}
			cfg := ConfigFromEnv(func(string) string { return "" })
			cfg.DataDir = dir
			if kind == "postgres" {
				cfg.DatabaseURL = pgtest.URL(t)
				env[len(env)-1] = "FRONTDESK_DATABASE_URL=" + cfg.DatabaseURL
			}
			const n = 150
			msg := func(i int) (id, body string) {
				id = fmt.Sprintf("kill-%d@customer.example", i)
				refs := ""
				if i%3 != 0 && i >= 30 {
					refs = fmt.Sprintf("In-Reply-To: <kill-%d@customer.example>\r\n", i-i%3-30)
				}
				return id, fmt.Sprintf("From: customer%d@example.org\nTo: support@shop.example\nSubject: Message %d\nMessage-ID: <%s>\n%s\nHello, this is message %d.\n",
					i-i%3, i, id, refs, i)
			}

			child := startMailChild(t, env)
			var accepted atomic.Int64
			var mu sync.Mutex
			var unanswered []int
			queue := make(chan int)
			var wg sync.WaitGroup
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range queue {
						_, body := msg(i)
						if trySend(child.addr, body) {
							accepted.Add(1)
							continue
						}
						mu.Lock()
						unanswered = append(unanswered, i)
						mu.Unlock()
					}
				}()
			}
			killed := false
			for i := 0; i < n; i++ {
				if !killed && accepted.Load() >= n/3 {
					child.cmd.Process.Kill() // mid-stream: messages are in flight
					killed = true
				}
				queue <- i
			}
			close(queue)
			wg.Wait()
			if !killed {
				t.Fatal("the stream ended before the kill")
			}
			<-child.done
			if len(unanswered) == 0 {
				t.Fatal("every message got a 250 although the server was killed")
			}
			t.Logf("%d accepted before the kill, %d to resend", accepted.Load(), len(unanswered))

			// The sender retries what got no 250.
			child = startMailChild(t, env)
			for _, i := range unanswered {
				_, body := msg(i)
				deadline := time.Now().Add(30 * time.Second)
				for !trySend(child.addr, body) {
					if time.Now().After(deadline) {
						t.Fatalf("message %d not accepted after the restart", i)
					}
				}
			}
			child.cmd.Process.Signal(syscall.SIGTERM)
			if err := <-child.done; err != nil {
				t.Fatalf("child after SIGTERM: %v", err)
			}

			store, err := openStore(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			cases, total, err := store.FindCases(context.Background(), portal.CaseFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, c := range cases {
				es, err := store.FindCaseEntries(context.Background(), c.ID, false)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range es {
					if e.Kind == portal.EntryCustomer {
						seen[e.MessageID]++
					}
				}
			}
			for i := 0; i < n; i++ {
				id, _ := msg(i)
				if seen[id] != 1 {
					t.Errorf("message %d stored %d times, want once", i, seen[id])
				}
			}
			if len(seen) != n {
				t.Errorf("%d messages stored over %d cases, want %d", len(seen), total, n)
			}
		})
	}
}

// trySend delivers one message and reports whether it got its 250.
func trySend(addr, body string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := sendOneMail(ctx, addr, body)
	return err == nil
}

// sendOneMail delivers body to support@shop.example on a new connection;
// any error (refused, cut off, a reply other than 250) means no 250.
func sendOneMail(ctx context.Context, addr, body string) (time.Duration, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	dl, _ := ctx.Deadline()
	conn.SetDeadline(dl)
	c, err := smtp.NewClient(conn, "localhost")
	if err != nil {
		conn.Close()
		return 0, err
	}
	defer c.Close()
	start := time.Now()
	if err := c.Mail("sender@example.org"); err != nil {
		return 0, err
	}
	if err := c.Rcpt("support@shop.example"); err != nil {
		return 0, err
	}
	w, err := c.Data()
	if err != nil {
		return 0, err
	}
	if _, err := w.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n"))); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	c.Quit()
	return time.Since(start), nil
}
