package web_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/web"
)

func TestGuestTrackingByAnyNumber(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustTrackingServer(t, s) // 5 look-ups per IP
		mustShipment(t, s)              // order A-1, parcel TRK-1, ada@example.com
		g := newClient(t, srv)
		g.get("/track")
		for _, number := range []string{"a-1", "trk-1", " Trk-1 "} {
			t.Run("Finds "+number, func(t *testing.T) {
				res := g.post("/track", url.Values{"number": {number}, "contact": {"ada@example.com"}})
				wantStatus(t, res, 200)
				wantBody(t, res, "Order A-1")
				wantBody(t, res, "TRK-1")
			})
		}
		// A tracking number with the wrong contact and an unknown one read
		// the same: neither says which part was wrong.
		wrong := g.post("/track", url.Values{"number": {"trk-1"}, "contact": {"bob@example.com"}})
		unknown := g.post("/track", url.Values{"number": {"trk-9"}, "contact": {"ada@example.com"}})
		wantStatus(t, wrong, 404)
		wantStatus(t, unknown, 404)
		if errOf(wrong.body) != errOf(unknown.body) || errOf(wrong.body) == "" {
			t.Fatalf("answers differ: %q vs %q", errOf(wrong.body), errOf(unknown.body))
		}
		// The limit counts tracking-number look-ups like the others.
		wantStatus(t, g.post("/track", url.Values{"number": {"trk-1"}, "contact": {"ada@example.com"}}), 429)
	})
}

func errOf(body string) string {
	m := regexp.MustCompile(`<p class="error" role="alert">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

var linkRE = regexp.MustCompile(`href="(/track/shipments/(\d+)\?[^"]+)"`)

// guestLink looks the parcel up as a guest and returns its signed link.
func guestLink(tb testing.TB, srv *web.Server, number, contact string) string {
	tb.Helper()
	g := newClient(tb, srv)
	g.get("/track")
	res := g.post("/track", url.Values{"number": {number}, "contact": {contact}})
	wantStatus(tb, res, 200)
	m := linkRE.FindStringSubmatch(res.body)
	if m == nil {
		tb.Fatalf("no signed link in the tracking page")
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

func TestTrackLinkReachesOnlyItsShipment(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustTrackingServer(t, s)
		f := mustShipment(t, s)
		other := mustOrder(t, s, f.bob, "B-1")
		ship2 := &portal.Shipment{OrderID: other.ID, CustomerID: f.bob.ID, Carrier: "UPS", TrackingNumber: "TRK-2"}
		if err := s.CreateShipment(ctx(), ship2); err != nil {
			t.Fatal(err)
		}
		s.AddTrackingEvent(ctx(), &portal.TrackingEvent{ShipmentID: f.ship.ID, Source: "t", EventID: "1", Status: portal.StatusAttemptFailed, Message: "Nobody home", OccurredAt: time.Now()})
		link := guestLink(t, srv, "TRK-1", "ada@example.com")
		g := newClient(t, srv) // a fresh browser: the link alone is enough
		res := g.get(link)
		wantStatus(t, res, 200)
		wantBody(t, res, "Parcel TRK-1")
		wantBody(t, res, "Delivery attempt failed")
		if strings.Contains(res.body, "attempt_failed<") || strings.Contains(res.body, "Secret teapot") || strings.Contains(res.body, "ada@example.com") || strings.Contains(res.body, "/account/orders/") {
			t.Fatal("the guest page shows raw values, order details or account links")
		}
		u, _ := url.Parse(link)
		q := u.Query()
		// A signature with its first character changed (to one it is not).
		sig := q.Get("sig")
		flip := "x"
		if sig[0] == 'x' {
			flip = "y"
		}
		tampered := map[string]string{
			"another shipment": fmt.Sprintf("/track/shipments/%d?%s", ship2.ID, u.RawQuery),
			"later expiry":     fmt.Sprintf("%s?expires=%d&sig=%s", u.Path, time.Now().Add(9999*24*time.Hour).Unix(), url.QueryEscape(q.Get("sig"))),
			"changed sig":      fmt.Sprintf("%s?expires=%s&sig=%s", u.Path, q.Get("expires"), url.QueryEscape(flip+sig[1:])),
			"no sig":           u.Path,
			"another stream":   fmt.Sprintf("/track/shipments/%d/events?%s", ship2.ID, u.RawQuery),
		}
		for name, path := range tampered {
			t.Run("Refuses "+name, func(t *testing.T) {
				res := g.get(path)
				wantStatus(t, res, 403)
				wantBody(t, res, "This tracking link is not valid")
				if strings.Contains(res.body, "TRK-2") {
					t.Fatal("the other parcel shows")
				}
			})
		}
		t.Run("Refuses expired", func(t *testing.T) {
			later, err := web.New(web.TestConfig(t, web.Config{Store: s, BaseURL: "http://portal.test",
				Now: func() time.Time { return time.Now().Add(61 * 24 * time.Hour) }}))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(later.Close)
			res := newClient(t, later).get(link)
			wantStatus(t, res, 403)
			wantBody(t, res, "This tracking link has expired")
		})
	})
}

func TestTrackLinkStreamsLabelledEvents(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustTrackingServer(t, s)
		mustShipment(t, s)
		link := guestLink(t, srv, "a-1", "ADA@example.com")
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go srv.App.Listener(ln)
		t.Cleanup(func() { srv.App.ShutdownWithTimeout(time.Second) })
		page := newClient(t, srv).get(link)
		m := regexp.MustCompile(`data-live-shipment="([^"]+)"`).FindStringSubmatch(page.body)
		if m == nil {
			t.Fatal("the guest page does not follow live updates")
		}
		res, err := http.Get("http://" + ln.Addr().String() + strings.ReplaceAll(m[1], "&amp;", "&"))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		wantStatusCode(t, res.StatusCode, 200)
		lines := make(chan string, 16)
		go func() {
			defer close(lines)
			r := bufio.NewReader(res.Body)
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				lines <- l
			}
		}()
		readUntil := func(prefix string) string {
			t.Helper()
			deadline := time.After(10 * time.Second)
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatalf("stream ended before %q", prefix)
					}
					if strings.HasPrefix(l, prefix) {
						return l
					}
				case <-deadline:
					t.Fatalf("no %q line within 10s", prefix)
				}
			}
		}
		readUntil(": connected")
		ev := `{"events":[{"id":"g1","tracking_number":"TRK-1","carrier":"DHL","status":"out_for_delivery","message":"On the van","occurred_at":"2026-11-20T09:30:00+01:00","estimated_delivery":"2026-11-21T12:00:00Z"}]}`
		wantStatus(t, hook(t, srv, "frontdesk", ev, hookSecrets["frontdesk"], 0), 200)
		line := readUntil("data: ")
		for _, want := range []string{`"status":"out_for_delivery"`, `"status_label":"Out for delivery"`, `"shipment_label":"Out for delivery"`,
			`"eta":"21 Nov 2026"`, `"when":"20 Nov 2026, 09:30 (local time)"`} {
			if !strings.Contains(line, want) {
				t.Fatalf("event line %q lacks %s", line, want)
			}
		}
		// After a reload the row reads the same.
		again := newClient(t, srv).get(link)
		wantBody(t, again, "20 Nov 2026, 09:30 (local time)")
		wantBody(t, again, "21 Nov 2026")
	})
}

func wantStatusCode(tb testing.TB, got, want int) {
	tb.Helper()
	if got != want {
		tb.Fatalf("status=%d, want %d", got, want)
	}
}
