package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/gofiber/fiber/v2"
)

// customerShipment loads a shipment of the signed-in customer; anyone
// else's is "not found".
func (s *Server) customerShipment(c *fiber.Ctx) (*portal.Shipment, error) {
	u := currentUser(c)
	id, err := c.ParamsInt("id")
	if err != nil {
		return nil, portal.Errorf(portal.ENOTFOUND, "Shipment not found.")
	}
	sid := int64(id)
	found, _, err := s.store.FindShipments(c.UserContext(), portal.ShipmentFilter{ID: &sid, CustomerID: &u.ID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "We could not find that shipment in your account.")
	}
	return found[0], nil
}

type shipmentPage struct {
	Shipment *portal.Shipment
	Order    *portal.Order
	Events   []*portal.TrackingEvent
	Live     bool
	// Guest is a signed link's page: no account links.
	Guest bool
	// LiveURL is the event stream the page follows.
	LiveURL string
}

func (s *Server) handleShipmentView(c *fiber.Ctx) error {
	sh, err := s.customerShipment(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	events, err := s.store.FindTrackingEvents(ctx, sh.ID)
	if err != nil {
		return err
	}
	oid := sh.OrderID
	orders, _, err := s.store.FindOrders(ctx, portal.OrderFilter{ID: &oid, CustomerID: &sh.CustomerID, Limit: 1})
	if err != nil {
		return err
	}
	page := shipmentPage{Shipment: sh, Events: events, Live: true, LiveURL: fmt.Sprintf("/account/shipments/%d/events", sh.ID)}
	if len(orders) > 0 {
		page.Order = orders[0]
	}
	return s.render(c, fiber.StatusOK, "shipment", "Shipment "+sh.TrackingNumber, page)
}

// liveEvent is what the shipment page's script receives per new event:
// the event's own status, and the shipment's status and estimated
// delivery after it, in the words and formats the page uses.
type liveEvent struct {
	ID            int64  `json:"id"`
	Status        string `json:"status"`
	StatusLabel   string `json:"status_label"`
	Message       string `json:"message"`
	Place         string `json:"place"`
	When          string `json:"when"`
	At            string `json:"at"`
	Shipment      string `json:"shipment_status"`
	ShipmentLabel string `json:"shipment_label"`
	Explain       string `json:"explain"`
	ETA           string `json:"eta"`
}

func placeOf(e *portal.TrackingEvent) string {
	p := e.City
	if e.Country != "" {
		if p != "" {
			p += ", "
		}
		p += e.Country
	}
	return p
}

// handleShipmentEvents streams new tracking events as server-sent events
// while the page is open. It follows the bus and re-reads the store, so a
// lost bus message only delays an update until the next one.
func (s *Server) handleShipmentEvents(c *fiber.Ctx) error {
	sh, err := s.customerShipment(c)
	if err != nil {
		return err
	}
	return s.streamShipmentToViewer(c, sh)
}

// streamShipmentToViewer streams sh's events to the signed-in viewer of c
// (the stream ends when their session does), in their time zone.
func (s *Server) streamShipmentToViewer(c *fiber.Ctx, sh *portal.Shipment) error {
	var sessID string
	var userID int64
	if sess := currentSession(c); sess != nil {
		sessID, userID = sess.ID, sess.UserID
	}
	return s.streamShipment(c, sh, zoneOf(currentUser(c)), sessID, userID)
}

// streamShipment streams sh's new tracking events; the stream ends when
// the session sessID of userID is signed out (none for a guest's link).
func (s *Server) streamShipment(c *fiber.Ctx, sh *portal.Shipment, zone *time.Location, sessID string, userID int64) error {
	if s.guard.crowded() {
		// Streams are long-lived: leave the descriptors kept in reserve
		// to short requests (the page itself works without the stream).
		return &retryAfterError{err: portal.Errorf(portal.EUNAVAILABLE, "Live updates are paused while the site is busy. Reload the page for the latest."), seconds: 30}
	}
	seen := map[int64]bool{}
	events, err := s.store.FindTrackingEvents(c.UserContext(), sh.ID)
	if err != nil {
		return err
	}
	for _, e := range events {
		seen[e.ID] = true
	}
	ch, cancel := portal.SubscribeChan(s.bus, tracking.Topic(sh.ID), 16)
	// The stream ends when its session is signed out (here or on another
	// node), or the account's sessions are revoked and this one is gone.
	revs, cancelRevs := portal.SubscribeChan(s.bus, sessionTopic, 16)
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	store, done := s.store, s.done
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer cancel()
		defer cancelRevs()
		fmt.Fprint(w, "retry: 3000\n: connected\n\n")
		if w.Flush() != nil {
			return
		}
		ping := time.NewTicker(20 * time.Second)
		defer ping.Stop()
		for {
			select {
			case <-ch:
				ctx, done := context.WithTimeout(context.Background(), 5*time.Second)
				all, err := store.FindTrackingEvents(ctx, sh.ID)
				var now []*portal.Shipment
				if err == nil {
					now, _, err = store.FindShipments(ctx, portal.ShipmentFilter{ID: &sh.ID, Limit: 1})
				}
				done()
				if err != nil || len(now) == 0 {
					continue
				}
				cur := now[0]
				eta := ""
				if cur.EstimatedDelivery != nil {
					eta = formatDate(zone, *cur.EstimatedDelivery)
				}
				// Oldest first, so the page can insert each in order.
				for i := len(all) - 1; i >= 0; i-- {
					e := all[i]
					if seen[e.ID] {
						continue
					}
					seen[e.ID] = true
					b, _ := json.Marshal(liveEvent{ID: e.ID, Status: string(e.Status), StatusLabel: portal.Label(string(e.Status)),
						Message: e.Message, Place: placeOf(e), When: eventTime(e), At: e.OccurredAt.Format(time.RFC3339),
						Shipment: string(cur.Status), ShipmentLabel: portal.Label(string(cur.Status)), Explain: cur.Status.Explain(), ETA: eta})
					fmt.Fprintf(w, "event: tracking\ndata: %s\n\n", b)
				}
			case m := <-revs:
				if sessID != "" && s.sessionRevoked(m.Payload, sessID, userID) {
					fmt.Fprint(w, "event: signed_out\ndata: {}\n\n")
					w.Flush()
					return
				}
				continue
			case <-ping.C:
				fmt.Fprint(w, ": ping\n\n")
			case <-done:
				return // shutting down: the browser reconnects elsewhere
			}
			if w.Flush() != nil {
				return // the browser went away
			}
		}
	})
	return nil
}

// sessionRevoked reports whether a revocation (a sessionTopic payload)
// ends the session sessID of user userID: it names the session, or names
// the user and the session is gone or the account disabled.
func (s *Server) sessionRevoked(payload []byte, sessID string, userID int64) bool {
	var r revocation
	if json.Unmarshal(payload, &r) != nil {
		return false
	}
	if r.SessionID == sessID {
		return true
	}
	if r.UserID != userID {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.store.FindSession(ctx, sessID, s.now()); portal.IsNotFound(err) {
		return true
	}
	u, err := s.store.FindUserByID(ctx, userID)
	return portal.IsNotFound(err) || err == nil && u.DisabledAt != nil
}

// eventTime is how a tracking event's time reads, on the page and in the
// live stream alike: on the clock where it happened, as carriers report it.
func eventTime(e *portal.TrackingEvent) string {
	return e.LocalTime().Format("2 Jan 2006, 15:04") + " (local time)"
}
