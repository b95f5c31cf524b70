package tracking

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/webhook"
)

// Signature headers: inbound tracking webhooks are signed as outbound
// webhooks are (package webhook holds the one implementation).
const (
	HeaderTimestamp = webhook.HeaderTimestamp
	HeaderSignature = webhook.HeaderSignature
)

// ReplayWindow is how far a timestamp may be from now.
const ReplayWindow = webhook.ReplayWindow

// Sign returns the header values for body sent at ts.
func Sign(secret []byte, ts time.Time, body []byte) (timestamp, signature string) {
	return webhook.Sign(secret, ts, body)
}

// Verify checks a webhook's signature and that its timestamp is within
// ReplayWindow of now. Failures are EUNAUTHORIZED.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	return webhook.Verify(secret, timestamp, signature, body, now)
}

// Store is what ingestion reads and writes.
type Store interface {
	FindShipments(ctx context.Context, f portal.ShipmentFilter) ([]*portal.Shipment, int, error)
	AddTrackingEvents(ctx context.Context, events []*portal.TrackingEvent) ([]bool, []portal.ShipmentChange, error)
	SetEstimatedDelivery(ctx context.Context, shipmentID int64, eta *time.Time) error
	NotifyStatuses(ctx context.Context, userID int64) ([]portal.ShipmentStatus, error)
	FindUserByID(ctx context.Context, id int64) (*portal.User, error)
	FindOrders(ctx context.Context, f portal.OrderFilter) ([]*portal.Order, int, error)
	EnqueueEmail(ctx context.Context, e *portal.Email) error
}

// Ingester stores updates, emails customers about the status changes they
// chose, and announces changes on the bus for open shipment pages.
//
// Concurrent calls are stored together: while one transaction runs, the
// events of the webhooks arriving meanwhile queue up and go into the next
// one (group commit), so a busy node commits once for many webhooks.
type Ingester struct {
	Store   Store
	Bus     portal.Bus
	BaseURL string
	Logger  *slog.Logger
	Now     func() time.Time
	// Parallel bounds the transactions storing batches at once; default 4:
	// a few, so that one batch's round trips to the database overlap with
	// the next one's (batches for one shipment serialise on its row lock).
	Parallel int
	// OnChange, when set, hears of every shipment that got new events,
	// after they are stored (returns follow their parcels this way).
	OnChange func(ctx context.Context, c portal.ShipmentChange) error

	mu      sync.Mutex
	pending []*ingestJob
	drains  int // batches being stored
}

// MaxFuture is how far ahead of the server's clock an event may be dated
// (carriers' clocks and time zones err); later ones are refused.
const MaxFuture = 24 * time.Hour

// maxBatch bounds the events stored in one transaction.
const maxBatch = 512

// ingestJob is one Ingest call's events waiting to be stored.
type ingestJob struct {
	events  []*portal.TrackingEvent
	stored  []bool
	changes []portal.ShipmentChange // the changes this job reports on
	err     error
	done    chan struct{}
}

// Result counts what Ingest did.
type Result struct {
	Stored     int `json:"stored"`
	Duplicates int `json:"duplicates"`
}

// Topic is the bus topic for a shipment's changes.
func Topic(shipmentID int64) string { return "shipment:" + strconv.FormatInt(shipmentID, 10) }

// Ingest records updates. Every tracking number must name a known shipment,
// or nothing is stored. Events already stored count as duplicates.
func (in *Ingester) Ingest(ctx context.Context, updates []Update) (Result, error) {
	var res Result
	now := time.Now()
	if in.Now != nil {
		now = in.Now()
	}
	for _, u := range updates {
		// An event dated far ahead would stay the shipment's latest and
		// freeze its status: later real events would never change it.
		if u.Event.OccurredAt.After(now.Add(MaxFuture)) {
			return res, portal.Errorf(portal.EINVALID, "An event of %s is dated %s, more than a day in the future: nothing was stored.",
				u.TrackingNumber, u.Event.OccurredAt.UTC().Format(time.RFC3339))
		}
	}
	ships := map[string]*portal.Shipment{}
	for _, u := range updates {
		if _, ok := ships[u.TrackingNumber]; ok {
			continue
		}
		tn := u.TrackingNumber
		found, _, err := in.Store.FindShipments(ctx, portal.ShipmentFilter{TrackingNumber: &tn, Limit: 1})
		if err != nil {
			return res, fmt.Errorf("ingest: find shipment: %w", err)
		}
		if len(found) == 0 {
			return res, portal.Errorf(portal.ENOTFOUND, "No shipment with tracking number %q: nothing was stored.", tn)
		}
		ships[tn] = found[0]
	}
	events := make([]*portal.TrackingEvent, len(updates))
	for i := range updates {
		u := &updates[i]
		u.Event.ShipmentID = ships[u.TrackingNumber].ID
		if in.Now != nil {
			u.Event.ReceivedAt = in.Now().UTC()
		}
		events[i] = &u.Event
	}
	job := &ingestJob{events: events, done: make(chan struct{})}
	in.submit(job)
	<-job.done
	if job.err != nil {
		return res, fmt.Errorf("ingest: add events: %w", job.err)
	}
	for i := range updates {
		u := &updates[i]
		if !job.stored[i] {
			res.Duplicates++
			continue
		}
		res.Stored++
		sh := ships[u.TrackingNumber]
		if u.ETA != nil && (sh.EstimatedDelivery == nil || !sh.EstimatedDelivery.Equal(*u.ETA)) {
			if err := in.Store.SetEstimatedDelivery(ctx, sh.ID, u.ETA); err != nil {
				return res, fmt.Errorf("ingest: set eta: %w", err)
			}
			sh.EstimatedDelivery = u.ETA
		}
	}
	for _, c := range job.changes {
		if err := in.afterChange(ctx, c); err != nil {
			in.log().Error("after tracking change", "shipment_id", c.ShipmentID, "err", err)
		}
		if in.OnChange != nil {
			if err := in.OnChange(ctx, c); err != nil {
				in.log().Error("tracking change hook", "shipment_id", c.ShipmentID, "err", err)
			}
		}
	}
	return res, nil
}

// submit queues job and makes sure a batch will store it: a caller that
// finds fewer than Parallel batches under way stores everything queued
// (its own job included), and hands over to a goroutine when more arrived
// meanwhile; otherwise a running drain takes the job.
func (in *Ingester) submit(job *ingestJob) {
	in.mu.Lock()
	in.pending = append(in.pending, job)
	if in.drains >= cmp.Or(in.Parallel, 4) {
		in.mu.Unlock()
		return
	}
	in.drains++
	in.mu.Unlock()
	in.drain(true)
}

// drain stores queued jobs batch by batch until none is left. The caller
// whose job started it stores one batch and leaves the rest to a goroutine.
func (in *Ingester) drain(first bool) {
	for {
		in.mu.Lock()
		n, events := 0, 0
		for n < len(in.pending) && (n == 0 || events+len(in.pending[n].events) <= maxBatch) {
			events += len(in.pending[n].events)
			n++
		}
		batch := in.pending[:n:n]
		in.pending = in.pending[n:]
		if len(batch) == 0 {
			in.drains--
			in.mu.Unlock()
			return
		}
		in.mu.Unlock()
		in.store(batch)
		if first {
			go in.drain(false)
			return
		}
	}
}

// store stores a batch of jobs in one transaction; if that fails, each job
// alone, so that one bad webhook does not fail the others.
func (in *Ingester) store(batch []*ingestJob) {
	// A batch outlives any one request: it is not cancelled with them.
	ctx := context.Background()
	if len(batch) > 1 {
		var all []*portal.TrackingEvent
		for _, j := range batch {
			all = append(all, j.events...)
		}
		stored, changes, err := in.Store.AddTrackingEvents(ctx, all)
		if err == nil {
			// Each change is reported by the first job with an event of
			// that shipment.
			claimed := map[int64]bool{}
			for _, j := range batch {
				j.stored, stored = stored[:len(j.events)], stored[len(j.events):]
				for _, c := range changes {
					if claimed[c.ShipmentID] {
						continue
					}
					for _, e := range j.events {
						if e.ShipmentID == c.ShipmentID {
							claimed[c.ShipmentID] = true
							j.changes = append(j.changes, c)
							break
						}
					}
				}
				close(j.done)
			}
			return
		}
	}
	for _, j := range batch {
		j.stored, j.changes, j.err = in.Store.AddTrackingEvents(ctx, j.events)
		close(j.done)
	}
}

func (in *Ingester) log() *slog.Logger {
	if in.Logger == nil {
		return slog.Default()
	}
	return in.Logger
}

// afterChange tells open pages of a shipment that got new events, and
// emails the customer when its status changed to one they chose.
func (in *Ingester) afterChange(ctx context.Context, c portal.ShipmentChange) error {
	id := c.ShipmentID
	if in.Bus != nil {
		payload, _ := json.Marshal(map[string]any{"shipment_id": id, "status": c.After})
		if err := in.Bus.Publish(ctx, Topic(id), payload); err != nil {
			in.log().Warn("publish tracking change", "shipment_id", id, "err", err)
		}
	}
	if c.After == c.Before {
		return nil
	}
	want, err := in.Store.NotifyStatuses(ctx, c.CustomerID)
	if err != nil {
		return err
	}
	chosen := false
	for _, st := range want {
		chosen = chosen || st == c.After
	}
	if !chosen {
		return nil
	}
	found, _, err := in.Store.FindShipments(ctx, portal.ShipmentFilter{ID: &id, Limit: 1})
	if err != nil || len(found) == 0 {
		return fmt.Errorf("reload shipment: %w", err)
	}
	after := found[0]
	u, err := in.Store.FindUserByID(ctx, c.CustomerID)
	if err != nil {
		return err
	}
	oid := c.OrderID
	orders, _, err := in.Store.FindOrders(ctx, portal.OrderFilter{ID: &oid, Limit: 1})
	if err != nil || len(orders) == 0 {
		return fmt.Errorf("load order: %w", err)
	}
	link := fmt.Sprintf("%s/account/shipments/%d", strings.TrimRight(in.BaseURL, "/"), id)
	body := fmt.Sprintf("Hello,\n\nYour parcel from order %s (%s %s) is now: %s.\n%s\n\nFollow it here: %s\n\nYou chose to get this email; change which updates you get on your account page.\n",
		orders[0].Number, after.Carrier, after.TrackingNumber, c.After.Label(), c.After.Explain(), link)
	return in.Store.EnqueueEmail(ctx, &portal.Email{To: u.Email, Subject: fmt.Sprintf("Order %s: %s", orders[0].Number, c.After.Label()), Body: body})
}
