package web_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/frontdesk/frontdesk/portal/web"
)

var hookSecrets = map[string][]byte{"aftership": []byte("as-secret"), "easypost": []byte("ep-secret"), "frontdesk": []byte("fd-secret")}

func MustTrackingServer(tb testing.TB, s portal.Store) *web.Server {
	tb.Helper()
	srv, err := web.New(web.TestConfig(tb, web.Config{Store: s, BaseURL: "http://portal.test", WebhookSecrets: hookSecrets, TrackLookup: &tracking.Lookup{Store: s, Limit: 5}}))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	return srv
}

// hook posts a signed webhook body; skew shifts the signature's timestamp.
func hook(tb testing.TB, srv *web.Server, source, body string, secret []byte, skew time.Duration) *response {
	tb.Helper()
	req := httptest.NewRequest("POST", "/api/v1/webhooks/tracking/"+source, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != nil {
		ts, sig := tracking.Sign(secret, time.Now().Add(skew), []byte(body))
		req.Header.Set(tracking.HeaderTimestamp, ts)
		req.Header.Set(tracking.HeaderSignature, sig)
	}
	return newClient(tb, srv).do(req)
}

func fdEvent(id, tn, status, at string) string {
	return fmt.Sprintf(`{"id":%q,"tracking_number":%q,"carrier":"DHL","status":%q,"message":"Scan %s","city":"Leipzig","country":"DE","occurred_at":%q}`, id, tn, status, id, at)
}

type shipFixture struct {
	ada, bob *portal.User
	order    *portal.Order
	ship     *portal.Shipment
}

func mustShipment(tb testing.TB, s portal.Store) shipFixture {
	tb.Helper()
	f := shipFixture{ada: MustUser(tb, s, portal.RoleCustomer, "ada@example.com"), bob: MustUser(tb, s, portal.RoleCustomer, "bob@example.com")}
	f.order = mustOrder(tb, s, f.ada, "A-1")
	f.ship = &portal.Shipment{OrderID: f.order.ID, CustomerID: f.ada.ID, Carrier: "DHL", TrackingNumber: "TRK-1"}
	if err := s.CreateShipment(ctx(), f.ship); err != nil {
		tb.Fatal(err)
	}
	return f
}

func eventCount(tb testing.TB, s portal.Store, id int64) int {
	tb.Helper()
	evs, err := s.FindTrackingEvents(ctx(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return len(evs)
}

func TestTrackingWebhook(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustTrackingServer(t, s)
		f := mustShipment(t, s)
		fd := hookSecrets["frontdesk"]
		body := `{"events":[` + fdEvent("e1", "TRK-1", "in_transit", "2026-11-20T10:00:00+01:00") + `]}`
		t.Run("Valid", func(t *testing.T) {
			res := hook(t, srv, "frontdesk", body, fd, 0)
			wantStatus(t, res, 200)
			wantBody(t, res, `"stored":1`)
		})
		t.Run("DuplicateStoredOnce", func(t *testing.T) {
			res := hook(t, srv, "frontdesk", body, fd, 0)
			wantStatus(t, res, 200)
			wantBody(t, res, `"duplicates":1`)
			if n := eventCount(t, s, f.ship.ID); n != 1 {
				t.Fatalf("events=%d, want 1", n)
			}
		})
		bad := `{"events":[` + fdEvent("e9", "TRK-1", "delivered", "2026-11-20T12:00:00Z") + `]}`
		for _, tc := range []struct {
			name, source, body string
			secret             []byte
			skew               time.Duration
			status             int
			msg                string
		}{
			{"BadSignature", "frontdesk", bad, []byte("wrong"), 0, 401, "signature does not match"},
			{"NoSignature", "frontdesk", bad, nil, 0, 401, "Missing"},
			{"StaleTimestamp", "frontdesk", bad, fd, -10 * time.Minute, 401, "replay window"},
			{"FutureTimestamp", "frontdesk", bad, fd, 10 * time.Minute, 401, "replay window"},
			{"Malformed", "frontdesk", `{"events":[{"id":`, fd, 0, 400, "not a valid"},
			{"UnknownStatus", "frontdesk", `{"events":[` + fdEvent("e8", "TRK-1", "teleported", "2026-11-20T12:00:00Z") + `]}`, fd, 0, 400, "unknown status"},
			{"BadTime", "frontdesk", `{"events":[` + fdEvent("e8", "TRK-1", "delivered", "yesterday") + `]}`, fd, 0, 400, "occurred_at"},
			{"UnknownField", "frontdesk", `{"events":[],"extra":1}`, fd, 0, 400, "unknown field"},
			{"UnknownTrackingNumber", "frontdesk", `{"events":[` + fdEvent("e7", "NOPE", "delivered", "2026-11-20T12:00:00Z") + `]}`, fd, 0, 404, "No shipment"},
			{"UnknownSource", "fedex", bad, fd, 0, 404, "Unknown webhook source"},
			{"OtherSourcesSecret", "aftership", bad, fd, 0, 401, "signature"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := hook(t, srv, tc.source, tc.body, tc.secret, tc.skew)
				wantStatus(t, res, tc.status)
				wantBody(t, res, tc.msg)
				wantBody(t, res, `"error":{`)
				if n := eventCount(t, s, f.ship.ID); n != 1 {
					t.Fatalf("events=%d after a refused webhook, want 1", n)
				}
			})
		}
		t.Run("OutOfOrderKeepsLatestStatus", func(t *testing.T) {
			late := `{"events":[` + fdEvent("e3", "TRK-1", "delivered", "2026-11-21T15:00:00Z") + `]}`
			early := `{"events":[` + fdEvent("e2", "TRK-1", "out_for_delivery", "2026-11-21T08:00:00Z") + `]}`
			wantStatus(t, hook(t, srv, "frontdesk", late, fd, 0), 200)
			wantStatus(t, hook(t, srv, "frontdesk", early, fd, 0), 200)
			got, _, _ := s.FindShipments(ctx(), portal.ShipmentFilter{ID: &f.ship.ID})
			if got[0].Status != portal.StatusDelivered {
				t.Fatalf("status=%s, want delivered", got[0].Status)
			}
			evs, _ := s.FindTrackingEvents(ctx(), f.ship.ID)
			if evs[0].EventID != "e3" || evs[1].EventID != "e2" || evs[2].EventID != "e1" {
				t.Fatalf("timeline order %s %s %s", evs[0].EventID, evs[1].EventID, evs[2].EventID)
			}
			if evs[2].LocalOffsetMinutes != 60 || evs[2].OccurredAt.Hour() != 9 {
				t.Fatalf("local time not kept: %v offset %d", evs[2].OccurredAt, evs[2].LocalOffsetMinutes)
			}
		})
		t.Run("NotifiesChosenStatusOnce", func(t *testing.T) {
			es, _ := s.FindEmails(ctx(), "ada@example.com", 10)
			// delivered and out_for_delivery are default choices, but the
			// early out_for_delivery event did not change the status.
			if len(es) != 1 || !strings.Contains(es[0].Subject, "Delivered") || !strings.Contains(es[0].Body, "/account/shipments/") {
				t.Fatalf("emails %+v", es)
			}
		})
		t.Run("AfterShipAndEasyPost", func(t *testing.T) {
			sh2 := &portal.Shipment{OrderID: f.order.ID, CustomerID: f.ada.ID, Carrier: "UPS", TrackingNumber: "1Z999"}
			s.CreateShipment(ctx(), sh2)
			as := `{"event":"tracking_update","msg":{"tracking_number":"1Z999","slug":"ups","tag":"InTransit","expected_delivery":"2026-11-25",
				"checkpoints":[{"checkpoint_time":"2026-11-20T08:00:00-05:00","tag":"InfoReceived","subtag":"InfoReceived_001","message":"Label created","city":"Louisville","state":"KY","country_iso3":"USA"},
				{"checkpoint_time":"2026-11-21T08:00:00-05:00","tag":"InTransit","subtag":"InTransit_001","message":"Departed","city":"Chicago","state":"IL","country_iso3":"USA"}]}}`
			res := hook(t, srv, "aftership", as, hookSecrets["aftership"], 0)
			wantStatus(t, res, 200)
			wantBody(t, res, `"stored":2`)
			ep := `{"id":"evt_1","object":"Event","description":"tracker.updated","result":{"object":"Tracker","tracking_code":"1Z999","carrier":"UPS","status":"available_for_pickup",
				"tracking_details":[{"object":"TrackingDetail","message":"Ready at the UPS Access Point","status":"available_for_pickup","status_detail":"arrived_at_pickup","datetime":"2026-11-22T10:00:00Z","tracking_location":{"city":"Chicago","state":"IL","country":"US","zip":"60601"}}]}}`
			wantStatus(t, hook(t, srv, "easypost", ep, hookSecrets["easypost"], 0), 200)
			got, _, _ := s.FindShipments(ctx(), portal.ShipmentFilter{ID: &sh2.ID})
			if got[0].Status != portal.StatusAvailableForPickup || got[0].EstimatedDelivery == nil {
				t.Fatalf("shipment %+v", got[0])
			}
			wantStatus(t, hook(t, srv, "aftership", strings.Replace(as, `"tag":"InTransit","subtag"`, `"tag":"Teleported","subtag"`, 1), hookSecrets["aftership"], 0), 400)
			wantStatus(t, hook(t, srv, "easypost", strings.Replace(ep, `"status":"available_for_pickup","status_detail"`, `"status":"lost","status_detail"`, 1), hookSecrets["easypost"], 0), 400)
		})
		t.Run("ConcurrentWebhooksOneShipment", func(t *testing.T) {
			sh3 := &portal.Shipment{OrderID: f.order.ID, CustomerID: f.ada.ID, Carrier: "DHL", TrackingNumber: "TRK-C"}
			s.CreateShipment(ctx(), sh3)
			var wg sync.WaitGroup
			for i := 0; i < 6; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					st := "in_transit"
					if i == 5 {
						st = "delivered"
					}
					b := `{"events":[` + fdEvent(fmt.Sprintf("c%d", i), "TRK-C", st, fmt.Sprintf("2026-11-22T1%d:00:00Z", i)) + `]}`
					if res := hook(t, srv, "frontdesk", b, fd, 0); res.StatusCode != 200 {
						t.Errorf("webhook %d: %d %s", i, res.StatusCode, res.body)
					}
				}(i)
			}
			wg.Wait()
			got, _, _ := s.FindShipments(ctx(), portal.ShipmentFilter{ID: &sh3.ID})
			if got[0].Status != portal.StatusDelivered || eventCount(t, s, sh3.ID) != 6 {
				t.Fatalf("status=%s events=%d", got[0].Status, eventCount(t, s, sh3.ID))
			}
		})
	})
}

func TestShipmentPageStreamsNewEvents(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustTrackingServer(t, s)
		f := mustShipment(t, s)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go srv.App.Listener(ln)
		t.Cleanup(func() { srv.App.ShutdownWithTimeout(time.Second) })
		c := newClient(t, srv)
		c.login("ada@example.com")
		wantStatus(t, c.get(fmt.Sprintf("/account/shipments/%d", f.ship.ID)), 200)
		req, _ := http.NewRequest("GET", fmt.Sprintf("http://%s/account/shipments/%d/events", ln.Addr(), f.ship.ID), nil)
		req.AddCookie(&http.Cookie{Name: "fd_session", Value: c.cookies["fd_session"]})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("Content-Type=%q", ct)
		}
		r := bufio.NewReader(res.Body)
		readUntil := func(prefix string) string {
			t.Helper()
			done := make(chan string, 1)
			go func() {
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						done <- "ERR " + err.Error()
						return
					}
					if strings.HasPrefix(line, prefix) {
						done <- line
						return
					}
				}
			}()
			select {
			case l := <-done:
				return l
			case <-time.After(10 * time.Second):
				t.Fatalf("no %q line within 10s", prefix)
				return ""
			}
		}
		readUntil(": connected")
		body := `{"events":[` + fdEvent("live1", "TRK-1", "out_for_delivery", "2026-11-20T10:00:00Z") + `]}`
		wantStatus(t, hook(t, srv, "frontdesk", body, hookSecrets["frontdesk"], 0), 200)
		line := readUntil("data: ")
		if !strings.Contains(line, `"status":"out_for_delivery"`) || !strings.Contains(line, "Scan live1") {
			t.Fatalf("event line %q", line)
		}
		// Bob cannot follow Ada's parcel.
		b := newClient(t, srv)
		b.login("bob@example.com")
		wantStatus(t, b.get(fmt.Sprintf("/account/shipments/%d/events", f.ship.ID)), 404)
	})
}
