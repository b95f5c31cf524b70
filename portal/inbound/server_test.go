package inbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// recorder is an intake that keeps what it is given, to test the protocol
// side alone (the stores' intake is tested in cmd/frontdesk end to end).
type recorder struct {
	mu    sync.Mutex
	got   []*portal.InboundEmail
	err   error
	block chan struct{} // when set, ReceiveEmail waits for it
	began chan struct{}
}

func (r *recorder) ReceiveEmail(ctx context.Context, m *portal.InboundEmail) error {
	if r.began != nil {
		r.began <- struct{}{}
	}
	if r.block != nil {
		<-r.block
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.got = append(r.got, m)
	return nil
}

func (r *recorder) messages() []*portal.InboundEmail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*portal.InboundEmail(nil), r.got...)
}

func startServer(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	cfg.Address = "support@shop.example"
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return srv, ln.Addr().String()
}

// send delivers one message and returns the reply code of the step that
// failed (RCPT or end of DATA), or 250.
func send(t *testing.T, addr, from string, to []string, msg string) int {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Logf("dial: %v", err)
		return 0
	}
	defer c.Close()
	if err := c.Mail(from); err != nil {
		return code(t, err)
	}
	for _, rc := range to {
		if err := c.Rcpt(rc); err != nil {
			return code(t, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return code(t, err)
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return code(t, err)
	}
	if err := w.Close(); err != nil {
		return code(t, err)
	}
	c.Quit()
	return 250
}

// code is the SMTP reply code of err, or 0 when the connection failed
// without one (safe to call off the test's goroutine).
func code(t *testing.T, err error) int {
	var te *textproto.Error
	if !errors.As(err, &te) {
		t.Logf("not an SMTP reply: %v", err)
		return 0
	}
	return te.Code
}

const hello = "From: Ada <ada@example.com>\r\nTo: support@shop.example\r\nSubject: Hello\r\nMessage-ID: <m1@example.com>\r\n\r\nWhere is my sofa?\r\n"

func TestServerFilesMailForTheSupportAddress(t *testing.T) {
	rec := &recorder{}
	_, addr := startServer(t, Config{Intake: rec})
	if got := send(t, addr, "ada@example.com", []string{"Support+K3xq9@Shop.Example"}, hello); got != 250 {
		t.Fatalf("code=%d, want 250", got)
	}
	got := rec.messages()
	if len(got) != 1 || got[0].ReplyToken != "K3xq9" || got[0].To != "support+k3xq9@shop.example" || got[0].Text != "Where is my sofa?" {
		t.Fatalf("filed %+v", got)
	}
}

func TestServerRefuses(t *testing.T) {
	big := hello + strings.Repeat(strings.Repeat("x", 70)+"\r\n", 30)
	tests := []struct {
		name string
		cfg  Config
		to   []string
		msg  string
		want int
	}{
		{"another address", Config{}, []string{"sales@shop.example"}, hello, 550},
		{"another domain", Config{}, []string{"support@other.example"}, hello, 550},
		{"too many recipients", Config{MaxRecipients: 2}, []string{"support@shop.example", "support+a@shop.example", "support+b@shop.example"}, hello, 452},
		{"too large", Config{MaxMessageBytes: 1000}, []string{"support@shop.example"}, big, 552},
		{"malformed", Config{}, []string{"support@shop.example"}, "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nhalf\r\n", 554},
		{"no author", Config{}, []string{"support@shop.example"}, "Subject: x\r\n\r\nhi\r\n", 554},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			tt.cfg.Intake = rec
			_, addr := startServer(t, tt.cfg)
			if got := send(t, addr, "ada@example.com", tt.to, tt.msg); got != tt.want {
				t.Fatalf("code=%d, want %d", got, tt.want)
			}
			if n := len(rec.messages()); n != 0 {
				t.Fatalf("%d messages filed, want none", n)
			}
		})
	}
}

func TestServerStoreFailureIsTemporary(t *testing.T) {
	rec := &recorder{err: fmt.Errorf("database is down")}
	_, addr := startServer(t, Config{Intake: rec})
	if got := send(t, addr, "ada@example.com", []string{"support@shop.example"}, hello); got != 451 {
		t.Fatalf("code=%d, want 451 so the sender retries", got)
	}
}

func TestShutdownAnswersTheMessageBeingStored(t *testing.T) {
	rec := &recorder{block: make(chan struct{}), began: make(chan struct{}, 1)}
	srv, addr := startServer(t, Config{Intake: rec})
	codes := make(chan int, 1)
	go func() { codes <- send(t, addr, "ada@example.com", []string{"support@shop.example"}, hello) }()
	<-rec.began
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	select {
	case err := <-shut:
		t.Fatalf("shutdown returned (%v) while a message was being stored", err)
	default:
	}
	close(rec.block)
	if got := <-codes; got != 250 {
		t.Fatalf("code=%d, want 250 for the message stored during shutdown", got)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}
}
