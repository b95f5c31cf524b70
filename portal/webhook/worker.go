package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Delivery headers besides the signature's: the event id lets a receiver
// recognise a re-delivery (a retry, or an admin's resend) of an event it
// has already processed.
const (
	HeaderEventID        = "X-Frontdesk-Event-Id"
	HeaderEventType      = "X-Frontdesk-Event"
	HeaderIdempotencyKey = "Idempotency-Key"
)

// Outbox is what the worker needs of the store.
type Outbox interface {
	ClaimWebhookDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*portal.WebhookDelivery, error)
	MarkWebhookDelivered(ctx context.Context, id int64, at time.Time, statusCode int) error
	MarkWebhookFailed(ctx context.Context, id int64, msg string, statusCode int, next *time.Time) error
}

// Worker delivers the outbox: it claims due deliveries (so that of
// several nodes only one sends each), posts each event signed, and
// retries failures with exponential backoff until MaxAttempts.
type Worker struct {
	Outbox Outbox
	// Client sends the requests; default one with Timeout.
	Client *http.Client
	Logger *slog.Logger
	// Interval between polls; default 2s.
	Interval time.Duration
	// Timeout bounds one attempt; default 15s. The lease is four times
	// as long, so no other node takes a delivery while it is being sent.
	Timeout time.Duration
	// MaxAttempts before a delivery is given up; default 12 (about a day
	// and a half with the default backoff).
	MaxAttempts int
	// Backoff is the wait after the n-th failed attempt; default 30s
	// doubled each time, at most 12h.
	Backoff func(n int) time.Duration
	Now     func() time.Time
}

// DefaultBackoff waits 30s after the first failure, doubling up to 12h.
func DefaultBackoff(n int) time.Duration {
	d := 30 * time.Second << min(max(n-1, 0), 16)
	return min(d, 12*time.Hour)
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) log() *slog.Logger {
	if w.Logger == nil {
		return slog.Default()
	}
	return w.Logger
}

func (w *Worker) timeout() time.Duration {
	if w.Timeout == 0 {
		return 15 * time.Second
	}
	return w.Timeout
}

// Run polls until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	iv := w.Interval
	if iv == 0 {
		iv = 2 * time.Second
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		if _, err := w.Drain(ctx); err != nil && ctx.Err() == nil {
			w.log().Error("webhook outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Drain attempts every due delivery once and returns how many the
// receivers accepted.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	maxAttempts := w.MaxAttempts
	if maxAttempts == 0 {
		maxAttempts = 12
	}
	backoff := w.Backoff
	if backoff == nil {
		backoff = DefaultBackoff
	}
	sent := 0
	for {
		batch, err := w.Outbox.ClaimWebhookDeliveries(ctx, w.now(), 4*w.timeout(), 20)
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		for _, d := range batch {
			code, err := w.Send(ctx, d)
			if err == nil {
				sent++
				if err := w.Outbox.MarkWebhookDelivered(ctx, d.ID, w.now(), code); err != nil {
					return sent, err
				}
				continue
			}
			var next *time.Time
			if d.Attempts < maxAttempts {
				t := w.now().Add(backoff(d.Attempts))
				next = &t
			}
			w.log().Warn("deliver webhook", "delivery_id", d.ID, "event_id", d.Event.EventID, "url", d.EndpointURL, "attempts", d.Attempts, "gave_up", next == nil, "err", err)
			if err := w.Outbox.MarkWebhookFailed(ctx, d.ID, err.Error(), code, next); err != nil {
				return sent, err
			}
		}
	}
}

// Send posts one delivery, signed at the time of sending, and returns the
// receiver's status; any status but 2xx is an error.
func (w *Worker) Send(ctx context.Context, d *portal.WebhookDelivery) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, w.timeout())
	defer cancel()
	body := []byte(d.Event.Body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.EndpointURL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("bad endpoint URL: %w", err)
	}
	ts, sig := Sign([]byte(d.Secret), w.now(), body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Frontdesk-Webhooks/1")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, sig)
	req.Header.Set(HeaderEventID, d.Event.EventID)
	req.Header.Set(HeaderEventType, d.Event.Type)
	req.Header.Set(HeaderIdempotencyKey, d.Event.EventID)
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: w.timeout()}
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := fmt.Sprintf("the endpoint answered %s", resp.Status)
		if s := bytes.TrimSpace(snippet); len(s) > 0 {
			// Stored for admins: valid UTF-8 without NULs, whatever came back.
			text := strings.ReplaceAll(strings.ToValidUTF8(string(s), "?"), "\x00", "")
			msg += ": " + portal.Truncate(text, 200)
		}
		return resp.StatusCode, fmt.Errorf("%s", msg)
	}
	return resp.StatusCode, nil
}
