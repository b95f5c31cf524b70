package tracking_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/storetest"
	"github.com/frontdesk/frontdesk/portal/tracking"
)

// gatedStore holds the first batch until released, so that the webhooks
// arriving meanwhile queue up and are stored together, and counts batches.
type gatedStore struct {
	*sqlite.Store
	gate    chan struct{}
	entered chan struct{}
	once    sync.Once
	failed  atomic.Int64
	lookups atomic.Int64
	calls   atomic.Int64
	largest atomic.Int64
}

func (g *gatedStore) FindShipments(ctx context.Context, f portal.ShipmentFilter) ([]*portal.Shipment, int, error) {
	defer g.lookups.Add(1)
	return g.Store.FindShipments(ctx, f)
}

func (g *gatedStore) AddTrackingEvents(ctx context.Context, events []*portal.TrackingEvent) ([]bool, []portal.ShipmentChange, error) {
	g.once.Do(func() { close(g.entered); <-g.gate })
	g.calls.Add(1)
	stored, changes, err := g.Store.AddTrackingEvents(ctx, events)
	if err != nil {
		g.failed.Add(1)
	} else if n := int64(len(events)); n > g.largest.Load() {
		g.largest.Store(n)
	}
	return stored, changes, err
}

// TestIngestGroupCommit sends many webhooks at once: they are stored in
// shared transactions, each event once, each caller told its own counts;
// a bad webhook in a shared batch fails alone; open pages hear of every
// shipment that changed.
func TestIngestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "frontdesk.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ada := storetest.MustCreateUser(t, db, portal.RoleCustomer, "ada@example.com")
	o := storetest.MustCreateOrder(t, db, ada, "G-1", time.Now())
	const parcels = 4
	var ships []*portal.Shipment
	b := bus.NewMemory()
	b.Buffer = 1000
	var subs []<-chan []byte
	for i := range parcels {
		sh := &portal.Shipment{OrderID: o.ID, CustomerID: ada.ID, Carrier: "DHL", TrackingNumber: fmt.Sprintf("G-%d", i)}
		if err := db.CreateShipment(ctx, sh); err != nil {
			t.Fatal(err)
		}
		ships = append(ships, sh)
		ch, cancel := b.Subscribe(tracking.Topic(sh.ID))
		defer cancel()
		subs = append(subs, ch)
	}
	g := &gatedStore{Store: db, gate: make(chan struct{}), entered: make(chan struct{})}
	in := &tracking.Ingester{Store: g, Bus: b}
	update := func(tn, id string, st portal.ShipmentStatus, at time.Time) tracking.Update {
		return tracking.Update{TrackingNumber: tn, Event: portal.TrackingEvent{Source: "frontdesk", EventID: id, Carrier: "DHL", Status: st, OccurredAt: at}}
	}
	t0 := time.Now().Add(-time.Hour)
	const senders = 40
	var wg sync.WaitGroup
	results := make([]tracking.Result, senders)
	errs := make([]error, senders)
	for i := range senders {
		if i == 1 {
			// The first webhook's transaction is under way: the rest queue.
			<-g.entered
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sh := ships[i%parcels]
			ups := []tracking.Update{update(sh.TrackingNumber, fmt.Sprintf("e%d", i), portal.StatusInTransit, t0.Add(time.Duration(i)*time.Second))}
			if i%10 == 3 {
				// The same event twice in one webhook.
				ups = append(ups, ups[0])
			}
			if i == 7 {
				ups = append(ups, update(sh.TrackingNumber, "bad", "teleported", t0))
			}
			results[i], errs[i] = in.Ingest(ctx, ups)
		}()
	}
	// Let the webhooks queue behind the first: each looks its shipment up
	// and then queues.
	for g.lookups.Load() < senders {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	close(g.gate)
	wg.Wait()
	stored := 0
	for i := range senders {
		switch {
		case i == 7:
			if portal.ErrorCode(errs[i]) != portal.EINVALID {
				t.Fatalf("the bad webhook got %v, want EINVALID", errs[i])
			}
		case errs[i] != nil:
			t.Fatalf("webhook %d failed with the bad one: %v", i, errs[i])
		default:
			wantDup := 0
			if i%10 == 3 {
				wantDup = 1
			}
			if results[i].Stored != 1 || results[i].Duplicates != wantDup {
				t.Fatalf("webhook %d: %+v", i, results[i])
			}
			stored++
		}
	}
	total := 0
	for _, sh := range ships {
		evs, err := db.FindTrackingEvents(ctx, sh.ID)
		if err != nil {
			t.Fatal(err)
		}
		total += len(evs)
	}
	if total != stored {
		t.Fatalf("%d events stored, want %d (each once, none of the bad webhook)", total, stored)
	}
	// The queued webhooks went in one transaction, which the bad one
	// failed; then each was stored alone.
	if g.failed.Load() != 2 || g.calls.Load() != 2+senders-1 {
		t.Fatalf("%d transactions, %d failed; want %d and 2", g.calls.Load(), g.failed.Load(), 2+senders-1)
	}
	got := map[string]bool{}
	for _, ch := range subs {
		for len(ch) > 0 {
			got[string(<-ch)] = true
		}
	}
	for _, sh := range ships {
		want := fmt.Sprintf(`{"shipment_id":%d,"status":"in_transit"}`, sh.ID)
		if !got[want] {
			t.Fatalf("no bus message %s among %v", want, got)
		}
	}
	// Sent again: all duplicates.
	res, err := in.Ingest(ctx, []tracking.Update{update(ships[0].TrackingNumber, "e0", portal.StatusInTransit, t0)})
	if err != nil || res.Stored != 0 || res.Duplicates != 1 {
		t.Fatalf("replay: %+v %v", res, err)
	}
	// An unknown tracking number stores nothing of the webhook.
	_, err = in.Ingest(ctx, []tracking.Update{update(ships[0].TrackingNumber, "z1", portal.StatusDelivered, t0), update("NOPE", "z2", portal.StatusDelivered, t0)})
	if portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Fatalf("unknown tracking number: %v", err)
	}
}
