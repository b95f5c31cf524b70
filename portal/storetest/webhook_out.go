package storetest

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/webhook"
)

// Receiver is a real HTTP endpoint on 127.0.0.1 that verifies each
// webhook's signature, fails the first Fail attempts with 503, and
// processes each event id once, as a careful receiver would.
type Receiver struct {
	Server *httptest.Server
	Secret []byte
	Now    func() time.Time

	mu        sync.Mutex
	fail      int
	Attempts  int               // requests received
	BadSigs   int               // requests whose signature did not verify
	EventIDs  []string          // the event id of every request, in order
	Processed map[string]string // event id -> body, processed once
	Types     map[string]string // event id -> type
	Headers   []http.Header     // of every request
}

// NewReceiver starts a Receiver that fails the first fail attempts.
func NewReceiver(tb testing.TB, secret string, fail int, now func() time.Time) *Receiver {
	tb.Helper()
	r := &Receiver{Secret: []byte(secret), Now: now, fail: fail, Processed: map[string]string{}, Types: map[string]string{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(r.Server.Close)
	return r
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Attempts++
	r.Headers = append(r.Headers, req.Header.Clone())
	if err := webhook.Verify(r.Secret, req.Header.Get(webhook.HeaderTimestamp), req.Header.Get(webhook.HeaderSignature), body, r.Now()); err != nil {
		r.BadSigs++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	id := req.Header.Get(webhook.HeaderEventID)
	r.EventIDs = append(r.EventIDs, id)
	if r.fail > 0 {
		r.fail--
		http.Error(w, "busy, try later", http.StatusServiceUnavailable)
		return
	}
	if _, seen := r.Processed[id]; !seen {
		r.Processed[id] = string(body)
		r.Types[id] = req.Header.Get(webhook.HeaderEventType)
	}
	w.WriteHeader(http.StatusNoContent)
}

// SetSecret changes the secret signatures are checked with.
func (r *Receiver) SetSecret(secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Secret = []byte(secret)
}

// TypeCounts counts the processed events by type.
func (r *Receiver) TypeCounts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for _, t := range r.Types {
		out[t]++
	}
	return out
}

// Snapshot returns the attempts, bad signatures and processed events so far.
func (r *Receiver) Snapshot() (attempts, badSigs int, processed map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := map[string]string{}
	for k, v := range r.Processed {
		p[k] = v
	}
	return r.Attempts, r.BadSigs, p
}

func testWebhooksOut(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	const secret = "whsec_test_secret_0123456789"
	rcv := NewReceiver(t, secret, 2, c.Now)

	t.Run("EndpointValidation", func(t *testing.T) {
		for _, e := range []*portal.WebhookEndpoint{
			{URL: "ftp://example.com/x", Secret: secret, Events: []string{"*"}},
			{URL: "https://user:pw@example.com/x", Secret: secret, Events: []string{"*"}},
			{URL: "https://example.com/x", Secret: "short", Events: []string{"*"}},
			{URL: "https://example.com/x", Secret: secret},
			{URL: "https://example.com/x", Secret: secret, Events: []string{"Order Cancelled"}},
		} {
			wantCode(t, s.CreateWebhookEndpoint(ctx(), e), portal.EINVALID)
		}
		_, err := s.EnqueueWebhook(ctx(), "not a type", map[string]int{"a": 1})
		wantCode(t, err, portal.EINVALID)
	})

	ep := &portal.WebhookEndpoint{URL: rcv.Server.URL + "/hooks", Secret: secret, Description: "ERP", Events: []string{"order.*"}}
	if err := s.CreateWebhookEndpoint(ctx(), ep); err != nil {
		t.Fatal(err)
	}
	other := &portal.WebhookEndpoint{URL: rcv.Server.URL + "/returns", Secret: secret, Events: []string{"return.*"}}
	off := &portal.WebhookEndpoint{URL: rcv.Server.URL + "/off", Secret: secret, Events: []string{"*"}, DisabledAt: ptr(c.Now())}
	for _, e := range []*portal.WebhookEndpoint{other, off} {
		if err := s.CreateWebhookEndpoint(ctx(), e); err != nil {
			t.Fatal(err)
		}
	}
	eps, err := s.FindWebhookEndpoints(ctx())
	if err != nil || len(eps) != 3 || eps[0].Events[0] != "order.*" || eps[0].Secret != secret {
		t.Fatalf("endpoints=%+v err=%v", eps, err)
	}

	ev, err := s.EnqueueWebhook(ctx(), portal.EventOrderCancelled, map[string]string{"order_number": "NW-1"})
	if err != nil {
		t.Fatal(err)
	}
	ds, total, err := s.FindWebhookDeliveries(ctx(), portal.WebhookDeliveryFilter{})
	if err != nil || total != 1 || ds[0].EndpointID != ep.ID || ds[0].Status != portal.DeliveryScheduled || ds[0].Event.EventID != ev.EventID {
		t.Fatalf("deliveries=%+v total=%d err=%v: want one, to the order.* endpoint only", ds, total, err)
	}
	d := ds[0]

	w := &webhook.Worker{Outbox: s, Now: c.Now, Logger: discardLogger()}
	drain := func(want int) {
		t.Helper()
		n, err := w.Drain(ctx())
		if err != nil || n != want {
			t.Fatalf("drain=%d err=%v, want %d", n, err, want)
		}
	}
	load := func() *portal.WebhookDelivery {
		t.Helper()
		ds, _, err := s.FindWebhookDeliveries(ctx(), portal.WebhookDeliveryFilter{ID: &d.ID})
		if err != nil || len(ds) != 1 {
			t.Fatalf("delivery %d: %v %v", d.ID, ds, err)
		}
		return ds[0]
	}

	t.Run("RetriedWithBackoff", func(t *testing.T) {
		drain(0)
		got := load()
		if got.Status != portal.DeliveryRetrying || got.Attempts != 1 || got.LastStatusCode != 503 || got.LastError == "" ||
			!got.NextAttemptAt.Equal(c.t.Add(webhook.DefaultBackoff(1))) {
			t.Fatalf("after 1st attempt: %+v", got)
		}
		drain(0) // not due yet: nothing is sent
		if a, _, _ := rcv.Snapshot(); a != 1 {
			t.Fatalf("attempts=%d before the backoff passed, want 1", a)
		}
		c.t = c.t.Add(webhook.DefaultBackoff(1))
		drain(0)
		got = load()
		if got.Attempts != 2 || !got.NextAttemptAt.Equal(c.t.Add(webhook.DefaultBackoff(2))) || webhook.DefaultBackoff(2) != 2*webhook.DefaultBackoff(1) {
			t.Fatalf("after 2nd attempt: %+v, want next after %s", got, webhook.DefaultBackoff(2))
		}
		c.t = c.t.Add(webhook.DefaultBackoff(2))
		drain(1)
		drain(0)
		got = load()
		if got.Status != portal.DeliveryDelivered || got.Attempts != 3 || got.DeliveredAt == nil || got.LastError != "" || got.LastStatusCode != 204 {
			t.Fatalf("after 3rd attempt: %+v", got)
		}
		attempts, bad, processed := rcv.Snapshot()
		if attempts != 3 || bad != 0 || len(processed) != 1 {
			t.Fatalf("receiver: attempts=%d bad signatures=%d processed=%d, want 3, 0, 1", attempts, bad, len(processed))
		}
		var env struct {
			ID   string            `json:"id"`
			Type string            `json:"type"`
			Data map[string]string `json:"data"`
		}
		if err := json.Unmarshal([]byte(processed[ev.EventID]), &env); err != nil || env.ID != ev.EventID || env.Type != portal.EventOrderCancelled || env.Data["order_number"] != "NW-1" {
			t.Fatalf("body=%q err=%v", processed[ev.EventID], err)
		}
		if h := rcv.Headers[2]; h.Get(webhook.HeaderIdempotencyKey) != ev.EventID || h.Get(webhook.HeaderEventType) != portal.EventOrderCancelled {
			t.Fatalf("headers=%v", h)
		}
	})

	t.Run("ResendKeepsEventID", func(t *testing.T) {
		if err := s.ResendWebhookDelivery(ctx(), d.ID, c.t); err != nil {
			t.Fatal(err)
		}
		if got := load(); got.Status != portal.DeliveryScheduled {
			t.Fatalf("after resend: %+v", got)
		}
		drain(1)
		attempts, bad, processed := rcv.Snapshot()
		if attempts != 4 || bad != 0 || len(processed) != 1 {
			t.Fatalf("receiver: attempts=%d bad=%d processed=%d, want 4, 0, 1 (the re-delivery is recognised)", attempts, bad, len(processed))
		}
		if ids := rcv.EventIDs; ids[3] != ids[2] {
			t.Fatalf("event ids %v: the resend must carry the same id", ids)
		}
		wantCode(t, s.ResendWebhookDelivery(ctx(), 999999, c.t), portal.ENOTFOUND)
	})

	t.Run("WrongSecretIsRefused", func(t *testing.T) {
		bad := &portal.WebhookEndpoint{URL: rcv.Server.URL + "/wrong", Secret: "another_secret_of_16+", Events: []string{portal.EventOrderAddressChanged}}
		if err := s.CreateWebhookEndpoint(ctx(), bad); err != nil {
			t.Fatal(err)
		}
		if _, err := s.EnqueueWebhook(ctx(), portal.EventOrderAddressChanged, map[string]string{"order_number": "NW-2"}); err != nil {
			t.Fatal(err)
		}
		// Disabled, the endpoint gets nothing; enabled again, its deliveries go.
		bad.DisabledAt = ptr(c.Now())
		if err := s.UpdateWebhookEndpoint(ctx(), bad); err != nil {
			t.Fatal(err)
		}
		drain(1) // only the order.* endpoint's delivery
		if a, _, _ := rcv.Snapshot(); a != 5 {
			t.Fatalf("attempts=%d, want 5: a disabled endpoint was sent to", a)
		}
		bad.DisabledAt = nil
		if err := s.UpdateWebhookEndpoint(ctx(), bad); err != nil {
			t.Fatal(err)
		}
		drain(0) // the endpoint with the wrong secret is refused
		_, badSigs, _ := rcv.Snapshot()
		if badSigs != 1 {
			t.Fatalf("bad signatures=%d, want 1", badSigs)
		}
		failed, _, err := s.FindWebhookDeliveries(ctx(), portal.WebhookDeliveryFilter{EndpointID: &bad.ID})
		if err != nil || len(failed) != 1 || failed[0].Status != portal.DeliveryRetrying || failed[0].LastStatusCode != 401 {
			t.Fatalf("deliveries=%+v err=%v", failed, err)
		}
		w2 := &webhook.Worker{Outbox: s, Now: c.Now, Logger: discardLogger(), MaxAttempts: 2}
		c.t = c.t.Add(time.Hour)
		if _, err := w2.Drain(ctx()); err != nil {
			t.Fatal(err)
		}
		failed, _, _ = s.FindWebhookDeliveries(ctx(), portal.WebhookDeliveryFilter{EndpointID: &bad.ID})
		if failed[0].Status != portal.DeliveryGaveUp || failed[0].Attempts != 2 {
			t.Fatalf("after the last attempt: %+v, want given up", failed[0])
		}
		if err := s.DeleteWebhookEndpoint(ctx(), bad.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.DeleteWebhookEndpoint(ctx(), bad.ID), portal.ENOTFOUND)
	})

	t.Run("ClaimedOnceConcurrently", func(t *testing.T) {
		for i := 0; i < 12; i++ {
			if _, err := s.EnqueueWebhook(ctx(), portal.EventOrderConfigured, map[string]int{"i": i}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		seen := map[int64]int{}
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ds, err := s.ClaimWebhookDeliveries(ctx(), c.t, time.Minute, 5)
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[d.ID]++
					if d.Secret != secret || d.Event.Body == "" {
						t.Errorf("claimed delivery lacks secret or body: %+v", d)
					}
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		for { // what the racing claims left (PostgreSQL's re-check may skip rows)
			ds, err := s.ClaimWebhookDeliveries(ctx(), c.t, time.Minute, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) == 0 {
				break
			}
			for _, d := range ds {
				seen[d.ID]++
			}
		}
		if len(seen) != 12 {
			t.Fatalf("claimed %d distinct deliveries, want 12", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("delivery %d claimed %d times", id, n)
			}
		}
	})
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
