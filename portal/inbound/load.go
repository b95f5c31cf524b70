package inbound

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/smtp"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/internal/loadgen"
)

// LoadConfig is one fixed-rate run of mail against a listener.
type LoadConfig struct {
	Addr    string // the listener, host:port
	Support string // support@domain
	Rate    float64
	// Duration of the schedule. Every third message opens a case; the next
	// answers a case opened about a second earlier by In-Reply-To, the one
	// after by that case's reply token (as a customer answers after the
	// acknowledgement came; in the first second all open cases).
	Duration time.Duration
	// Timeout: a 250 later than this after the scheduled send counts as
	// failed (late).
	Timeout     time.Duration
	MaxInFlight int
	// Token returns the reply token of the case a stored message joined
	// ("" when unknown yet: the reply then threads by In-Reply-To).
	Token func(ctx context.Context, messageID string) (string, error)
	// Tag makes Message-IDs unique to the run.
	Tag string
}

// LoadMessage is one message of a run, for checking the threading after.
type LoadMessage struct {
	MessageID string
	// Root is the Message-ID of the message that opened its case.
	Root    string
	ByToken bool
	// Accepted: the listener answered 250.
	Accepted bool
}

// LoadResult is what a run measured: the time from each message's
// scheduled send to its 250 (a new connection each, as an MTA without
// connection caching sends), and from its DATA command to the 250.
type LoadResult struct {
	Total    loadgen.Summary `json:"scheduled_to_250"`
	Data     loadgen.Summary `json:"data_to_250"`
	Messages []LoadMessage   `json:"-"`
}

// Load sends mail at a fixed rate (loadgen.OpenLoop: latency from the
// scheduled time, failures counted as infinitely slow).
func Load(ctx context.Context, c LoadConfig) LoadResult {
	total, data := loadgen.NewRecorder(c.Timeout), loadgen.NewRecorder(c.Timeout)
	n := int(c.Rate * c.Duration.Seconds())
	msgs := make([]LoadMessage, n)
	var mu sync.Mutex
	lag := 3 * int(math.Ceil(c.Rate/3))
	loadgen.OpenLoop(ctx, c.Rate, c.Duration, c.MaxInFlight, total, func(ctx context.Context, i int) error {
		m := LoadMessage{MessageID: fmt.Sprintf("load-%s-%d@customer.example", c.Tag, i)}
		kind, root := i%3, i-i%3-lag
		if kind == 0 || root < 0 {
			kind, root = 0, i
		}
		m.Root = fmt.Sprintf("load-%s-%d@customer.example", c.Tag, root)
		headers := ""
		rcpt := c.Support
		switch kind {
		case 1:
			headers = "In-Reply-To: <" + m.Root + ">\r\nReferences: <" + m.Root + ">\r\n"
		case 2:
			if tok, err := c.Token(ctx, m.Root); err == nil && tok != "" {
				at := strings.LastIndexByte(c.Support, '@')
				rcpt = c.Support[:at] + "+" + tok + c.Support[at:]
				m.ByToken = true
			} else {
				headers = "In-Reply-To: <" + m.Root + ">\r\n"
			}
		}
		from := fmt.Sprintf("load%d-%s@customer.example", root, c.Tag)
		msg := fmt.Sprintf("From: Load Customer <%s>\r\nTo: %s\r\nSubject: Order question %d\r\nMessage-ID: <%s>\r\n%sMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWhere is my order %d? Message %d of the run.\r\n",
			from, rcpt, root, m.MessageID, headers, 10000+root, i)
		took, err := sendOne(ctx, c.Addr, from, rcpt, msg)
		if err == nil {
			data.Done(took)
			m.Accepted = true
		} else {
			data.Fail(loadgen.Error)
		}
		mu.Lock()
		msgs[i] = m
		mu.Unlock()
		return err
	})
	return LoadResult{Total: total.Summary(), Data: data.Summary(), Messages: msgs}
}

// sendOne delivers msg on a new connection and returns the time from the
// DATA command to the 250.
func sendOne(ctx context.Context, addr, from, to, msg string) (time.Duration, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, "localhost")
	if err != nil {
		conn.Close()
		return 0, err
	}
	defer c.Close()
	if err := c.Mail(from); err != nil {
		return 0, err
	}
	if err := c.Rcpt(to); err != nil {
		return 0, err
	}
	start := time.Now()
	w, err := c.Data()
	if err != nil {
		return 0, err
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	took := time.Since(start)
	c.Quit() // the message is accepted; a lost QUIT reply changes nothing
	return took, nil
}
