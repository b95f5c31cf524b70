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

// gatedStore can hold the next transaction until released, so that the
// webhooks arriving meanwhile queue up and are stored together; it counts
// transactions.
type gatedStore struct {
	*sqlite.Store
	mu      sync.Mutex
	gate    chan struct{} // the next call waits for it to close
	entered chan struct{} // closed when that call waits
	calls   atomic.Int64
	failed  atomic.Int64
	lookups atomic.Int64
}

// hold makes the next transaction wait until release is called.
func (g *gatedStore) hold() (entered <-chan struct{}, release func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate, g.entered = make(chan struct{}), make(chan struct{})
	gate := g.gate
	return g.entered, func() { close(gate) }
}

func (g *gatedStore) FindShipments(ctx context.Context, f portal.ShipmentFilter) ([]*portal.Shipment, int, error) {
	defer g.lookups.Add(1)
	return g.Store.FindShipments(ctx, f)
}

func (g *gatedStore) AddTrackingEvents(ctx context.Context, events []*portal.TrackingEvent) ([]bool, []portal.ShipmentChange, error) {
	g.mu.Lock()
	gate, entered := g.gate, g.entered
	g.gate, g.entered = nil, nil
	g.mu.Unlock()
	if gate != nil {
		close(entered)
		<-gate
	}
	g.calls.Add(1)
	stored, changes, err := g.Store.AddTrackingEvents(ctx, events)
	if err != nil {
		g.failed.Add(1)
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
	var subs []<-chan portal.BusMessage
	for i := range parcels {
		sh := &portal.Shipment{OrderID: o.ID, CustomerID: ada.ID, Carrier: "DHL", TrackingNumber: fmt.Sprintf("G-%d", i)}
		if err := db.CreateShipment(ctx, sh); err != nil {
			t.Fatal(err)
		}
		ships = append(ships, sh)
		ch, cancel := portal.SubscribeChan(b, tracking.Topic(sh.ID), 1000)
		defer cancel()
		subs = append(subs, ch)
	}
	g := &gatedStore{Store: db}
	// One batch at a time, so that what queues behind the held one is known.
	in := &tracking.Ingester{Store: g, Bus: b, Parallel: 1}
	update := func(tn, id string, st portal.ShipmentStatus, at time.Time) tracking.Update {
		return tracking.Update{TrackingNumber: tn, Event: portal.TrackingEvent{Source: "frontdesk", EventID: id, Carrier: "DHL", Status: st, OccurredAt: at}}
	}
	t0 := time.Now().Add(-time.Hour)
	const senders = 40
	var wg sync.WaitGroup
	results := make([]tracking.Result, senders)
	errs := make([]error, senders)
	send := func(i int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sh := ships[i%parcels]
			ups := []tracking.Update{update(sh.TrackingNumber, fmt.Sprintf("e%d", i), portal.StatusInTransit, t0.Add(time.Duration(i)*time.Second))}
			if i%10 == 3 {
				// The same event twice in one webhook.
				ups = append(ups, ups[0])
			}
			if i == senders-1 {
				ups = append(ups, update(sh.TrackingNumber, "bad", "teleported", t0))
			}
			results[i], errs[i] = in.Ingest(ctx, ups)
		}()
	}
	// The first webhook's transaction is held; the others queue behind it
	// (after each has looked its shipment up), the bad one last.
	entered, release := g.hold()
	send(0)
	<-entered
	for i := 1; i < senders-1; i++ {
		send(i)
	}
	waitLookups := func(n int64) {
		for g.lookups.Load() < n {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitLookups(senders - 1)
	send(senders - 1)
	waitLookups(senders)
	release()
	wg.Wait()
	stored := 0
	for i := range senders {
		switch {
		case i == senders-1:
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
	// The bad webhook failed the shared transaction it was in, then alone;
	// the others of that transaction were stored one by one.
	if g.failed.Load() != 2 {
		t.Fatalf("%d failed transactions, want 2", g.failed.Load())
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
	got := map[string]bool{}
	for _, ch := range subs {
		for len(ch) > 0 {
			got[string((<-ch).Payload)] = true
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

	// Without a bad one, the queued webhooks take few transactions.
	before := g.calls.Load()
	entered, release = g.hold()
	lookups := g.lookups.Load()
	var more sync.WaitGroup
	for i := range senders {
		more.Add(1)
		go func() {
			defer more.Done()
			sh := ships[i%parcels]
			if _, err := in.Ingest(ctx, []tracking.Update{update(sh.TrackingNumber, fmt.Sprintf("g%d", i), portal.StatusInTransit, t0)}); err != nil {
				t.Errorf("webhook %d: %v", i, err)
			}
		}()
		if i == 0 {
			<-entered
		}
	}
	waitLookups(lookups + senders)
	release()
	more.Wait()
	if n := g.calls.Load() - before; n > senders/4 {
		t.Fatalf("%d transactions for %d concurrent webhooks: not stored together", n, senders)
	}

	// Several batches at once (the default): every event stored once.
	par := &tracking.Ingester{Store: db, Bus: b}
	var wg2 sync.WaitGroup
	for i := range senders {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			sh := ships[i%parcels]
			ups := []tracking.Update{update(sh.TrackingNumber, fmt.Sprintf("p%d", i), portal.StatusDelivered, t0.Add(time.Hour)), update(sh.TrackingNumber, fmt.Sprintf("p%d", (i+1)%senders), portal.StatusDelivered, t0.Add(time.Hour))}
			if _, err := par.Ingest(ctx, ups); err != nil {
				t.Errorf("webhook %d: %v", i, err)
			}
		}()
	}
	wg2.Wait()
	for _, sh := range ships {
		evs, _ := db.FindTrackingEvents(ctx, sh.ID)
		n := 0
		for _, e := range evs {
			if e.EventID[0] == 'p' {
				n++
			}
		}
		if n != senders/parcels*2 {
			t.Fatalf("%s has %d of the parallel events, want %d", sh.TrackingNumber, n, senders/parcels*2)
		}
	}
}
