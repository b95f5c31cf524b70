package web_test

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// TestTrackingEventFromTheFutureRefused: an event dated 2999 would stay
// the shipment's latest and freeze its status (a later real "delivered"
// never changed it); events more than a day ahead are refused with 400,
// nothing is stored, and real events go on moving the status. A day's
// leeway is kept for carriers' clocks.
func TestTrackingEventFromTheFutureRefused(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustTrackingServer(t, s)
		f := mustShipment(t, s)
		fd := hookSecrets["frontdesk"]
		now := time.Now().UTC()
		future := `{"events":[` + fdEvent("f1", "TRK-1", "in_transit", "2999-01-01T00:00:00Z") + `]}`
		res := hook(t, srv, "frontdesk", future, fd, 0)
		wantStatus(t, res, 400)
		wantBody(t, res, "future")
		if n := eventCount(t, s, f.ship.ID); n != 0 {
			t.Fatalf("events stored=%d, want 0", n)
		}
		soon := `{"events":[` + fdEvent("f2", "TRK-1", "in_transit", now.Add(2*time.Hour).Format(time.RFC3339)) + `]}`
		wantStatus(t, hook(t, srv, "frontdesk", soon, fd, 0), 200)
		done := `{"events":[` + fdEvent("f3", "TRK-1", "delivered", now.Add(3*time.Hour).Format(time.RFC3339)) + `]}`
		wantStatus(t, hook(t, srv, "frontdesk", done, fd, 0), 200)
		ships, _, err := s.FindShipments(ctx(), portal.ShipmentFilter{TrackingNumber: &f.ship.TrackingNumber, Limit: 1})
		if err != nil || len(ships) != 1 {
			t.Fatal(err)
		}
		if got, want := ships[0].Status, portal.StatusDelivered; got != want {
			t.Fatalf("status=%s, want %s", got, want)
		}
	})
}
