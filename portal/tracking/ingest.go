package tracking

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Signature headers. The signature is the hex HMAC-SHA256, keyed with the
// source's secret, of the timestamp, a dot, and the raw body.
const (
	HeaderTimestamp = "X-Frontdesk-Timestamp"
	HeaderSignature = "X-Frontdesk-Signature"
)

// ReplayWindow is how far a timestamp may be from now.
const ReplayWindow = 5 * time.Minute

// Sign returns the header values for body sent at ts.
func Sign(secret []byte, ts time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(ts.Unix(), 10)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp + "."))
	m.Write(body)
	return timestamp, "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a webhook's signature and that its timestamp is within
// ReplayWindow of now. Failures are EUNAUTHORIZED.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	if timestamp == "" || signature == "" {
		return portal.Errorf(portal.EUNAUTHORIZED, "Missing %s or %s header.", HeaderTimestamp, HeaderSignature)
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return portal.Errorf(portal.EUNAUTHORIZED, "%s must be Unix seconds.", HeaderTimestamp)
	}
	got, err := hex.DecodeString(strings.TrimPrefix(signature, "sha256="))
	if err != nil || !strings.HasPrefix(signature, "sha256=") {
		return portal.Errorf(portal.EUNAUTHORIZED, "%s must look like sha256=<hex>.", HeaderSignature)
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp + "."))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return portal.Errorf(portal.EUNAUTHORIZED, "The signature does not match the body.")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > ReplayWindow || d < -ReplayWindow {
		return portal.Errorf(portal.EUNAUTHORIZED, "The timestamp is outside the %s replay window.", ReplayWindow)
	}
	return nil
}

// Store is what ingestion reads and writes.
type Store interface {
	FindShipments(ctx context.Context, f portal.ShipmentFilter) ([]*portal.Shipment, int, error)
	AddTrackingEvent(ctx context.Context, e *portal.TrackingEvent) (bool, error)
	SetEstimatedDelivery(ctx context.Context, shipmentID int64, eta *time.Time) error
	NotifyStatuses(ctx context.Context, userID int64) ([]portal.ShipmentStatus, error)
	FindUserByID(ctx context.Context, id int64) (*portal.User, error)
	FindOrders(ctx context.Context, f portal.OrderFilter) ([]*portal.Order, int, error)
	EnqueueEmail(ctx context.Context, e *portal.Email) error
}

// Ingester stores updates, emails customers about the status changes they
// chose, and announces changes on the bus for open shipment pages.
type Ingester struct {
	Store   Store
	Bus     portal.Bus
	BaseURL string
	Logger  *slog.Logger
	Now     func() time.Time
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
	changed := map[int64]bool{}
	for i := range updates {
		u := &updates[i]
		sh := ships[u.TrackingNumber]
		u.Event.ShipmentID = sh.ID
		if in.Now != nil {
			u.Event.ReceivedAt = in.Now().UTC()
		}
		isNew, err := in.Store.AddTrackingEvent(ctx, &u.Event)
		if err != nil {
			return res, fmt.Errorf("ingest: add event: %w", err)
		}
		if !isNew {
			res.Duplicates++
			continue
		}
		res.Stored++
		changed[sh.ID] = true
		if u.ETA != nil && (sh.EstimatedDelivery == nil || !sh.EstimatedDelivery.Equal(*u.ETA)) {
			if err := in.Store.SetEstimatedDelivery(ctx, sh.ID, u.ETA); err != nil {
				return res, fmt.Errorf("ingest: set eta: %w", err)
			}
			sh.EstimatedDelivery = u.ETA
		}
	}
	for _, sh := range ships {
		if !changed[sh.ID] {
			continue
		}
		if err := in.afterChange(ctx, sh); err != nil {
			in.log().Error("after tracking change", "shipment_id", sh.ID, "err", err)
		}
	}
	return res, nil
}

func (in *Ingester) log() *slog.Logger {
	if in.Logger == nil {
		return slog.Default()
	}
	return in.Logger
}

// afterChange emails the customer when the status changed to one they chose
// and tells open pages.
func (in *Ingester) afterChange(ctx context.Context, before *portal.Shipment) error {
	id := before.ID
	now, _, err := in.Store.FindShipments(ctx, portal.ShipmentFilter{ID: &id, Limit: 1})
	if err != nil || len(now) == 0 {
		return fmt.Errorf("reload shipment: %w", err)
	}
	after := now[0]
	if in.Bus != nil {
		payload, _ := json.Marshal(map[string]any{"shipment_id": id, "status": after.Status})
		if err := in.Bus.Publish(ctx, Topic(id), payload); err != nil {
			in.log().Warn("publish tracking change", "shipment_id", id, "err", err)
		}
	}
	if after.Status == before.Status {
		return nil
	}
	want, err := in.Store.NotifyStatuses(ctx, after.CustomerID)
	if err != nil {
		return err
	}
	chosen := false
	for _, st := range want {
		chosen = chosen || st == after.Status
	}
	if !chosen {
		return nil
	}
	u, err := in.Store.FindUserByID(ctx, after.CustomerID)
	if err != nil {
		return err
	}
	oid := after.OrderID
	orders, _, err := in.Store.FindOrders(ctx, portal.OrderFilter{ID: &oid, Limit: 1})
	if err != nil || len(orders) == 0 {
		return fmt.Errorf("load order: %w", err)
	}
	link := fmt.Sprintf("%s/account/shipments/%d", strings.TrimRight(in.BaseURL, "/"), id)
	body := fmt.Sprintf("Hello,\n\nYour parcel from order %s (%s %s) is now: %s.\n%s\n\nFollow it here: %s\n\nYou chose to get this email; change which updates you get on your account page.\n",
		orders[0].Number, after.Carrier, after.TrackingNumber, after.Status.Label(), after.Status.Explain(), link)
	return in.Store.EnqueueEmail(ctx, &portal.Email{To: u.Email, Subject: fmt.Sprintf("Order %s: %s", orders[0].Number, after.Status.Label()), Body: body})
}
