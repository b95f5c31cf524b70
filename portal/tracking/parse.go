// Package tracking turns carrier webhooks (AfterShip, EasyPost and
// Frontdesk's own format) into normalised tracking updates, checks their
// signatures, and ingests them: store, notify the customer, tell open pages.
package tracking

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Update is one normalised event for one parcel.
type Update struct {
	TrackingNumber string
	Event          portal.TrackingEvent
	// ETA is the carrier's latest delivery estimate, if it gave one.
	ETA *time.Time
}

// Sources lists the webhook formats Parse understands.
var Sources = []string{"aftership", "easypost", "frontdesk"}

// Parse decodes a webhook body from source into updates. Errors are
// EINVALID with a message that says what is wrong.
func Parse(source string, body []byte) ([]Update, error) {
	switch source {
	case "aftership":
		return parseAfterShip(body)
	case "easypost":
		return parseEasyPost(body)
	case "frontdesk":
		return parseFrontdesk(body)
	}
	return nil, portal.Errorf(portal.ENOTFOUND, "Unknown webhook source %q.", source)
}

func decode(body []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(v); err != nil {
		return portal.Errorf(portal.EINVALID, "The body is not valid JSON: %v.", err)
	}
	return nil
}

// eventID derives a stable id for formats whose events carry none.
func eventID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:12])
}

// parseTime accepts RFC 3339 with or without an offset; a time without one
// is taken as UTC.
func parseTime(s string) (time.Time, int, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			_, off := t.Zone()
			return t.UTC(), off / 60, nil
		}
	}
	return time.Time{}, 0, fmt.Errorf("%q is not an RFC 3339 time", s)
}

// AfterShip tags, mapped to normalised statuses.
var afterShipTags = map[string]portal.ShipmentStatus{
	"Pending": portal.StatusPending, "InfoReceived": portal.StatusInfoReceived, "InTransit": portal.StatusInTransit,
	"OutForDelivery": portal.StatusOutForDelivery, "AttemptFail": portal.StatusAttemptFailed, "Delivered": portal.StatusDelivered,
	"AvailableForPickup": portal.StatusAvailableForPickup, "Exception": portal.StatusException, "Expired": portal.StatusExpired,
}

type afterShipBody struct {
	Event string `json:"event"`
	Msg   *struct {
		TrackingNumber   string `json:"tracking_number"`
		Slug             string `json:"slug"`
		Tag              string `json:"tag"`
		ExpectedDelivery string `json:"expected_delivery"`
		Checkpoints      []struct {
			CheckpointTime string `json:"checkpoint_time"`
			Tag            string `json:"tag"`
			Subtag         string `json:"subtag"`
			SubtagMessage  string `json:"subtag_message"`
			Message        string `json:"message"`
			City           string `json:"city"`
			State          string `json:"state"`
			Zip            string `json:"zip"`
			CountryISO3    string `json:"country_iso3"`
			CountryName    string `json:"country_name"`
		} `json:"checkpoints"`
	} `json:"msg"`
}

func parseAfterShip(body []byte) ([]Update, error) {
	var b afterShipBody
	if err := decode(body, &b); err != nil {
		return nil, err
	}
	if b.Msg == nil || strings.TrimSpace(b.Msg.TrackingNumber) == "" {
		return nil, portal.Errorf(portal.EINVALID, "msg.tracking_number is required.")
	}
	if len(b.Msg.Checkpoints) == 0 {
		return nil, portal.Errorf(portal.EINVALID, "msg.checkpoints is empty: there is no event to record.")
	}
	var eta *time.Time
	if b.Msg.ExpectedDelivery != "" {
		t, _, err := parseTime(b.Msg.ExpectedDelivery)
		if err != nil {
			return nil, portal.Errorf(portal.EINVALID, "msg.expected_delivery: %v.", err)
		}
		eta = &t
	}
	var out []Update
	for i, cp := range b.Msg.Checkpoints {
		st, ok := afterShipTags[cp.Tag]
		if !ok {
			return nil, portal.Errorf(portal.EINVALID, "msg.checkpoints[%d].tag: unknown AfterShip tag %q.", i, cp.Tag)
		}
		at, off, err := parseTime(cp.CheckpointTime)
		if err != nil {
			return nil, portal.Errorf(portal.EINVALID, "msg.checkpoints[%d].checkpoint_time: %v.", i, err)
		}
		country := cp.CountryISO3
		if country == "" {
			country = cp.CountryName
		}
		out = append(out, Update{TrackingNumber: b.Msg.TrackingNumber, ETA: eta, Event: portal.TrackingEvent{
			Source: "aftership", EventID: eventID(b.Msg.TrackingNumber, cp.CheckpointTime, cp.Tag, cp.Subtag, cp.Message),
			Carrier: b.Msg.Slug, Status: st, SubStatus: cp.Subtag, RawStatus: cp.Tag, Message: firstNonEmpty(cp.Message, cp.SubtagMessage),
			City: cp.City, Region: cp.State, Postcode: cp.Zip, Country: country, OccurredAt: at, LocalOffsetMinutes: off,
		}})
	}
	return out, nil
}

// EasyPost tracker statuses, mapped to normalised statuses.
var easyPostStatuses = map[string]portal.ShipmentStatus{
	"pre_transit": portal.StatusInfoReceived, "in_transit": portal.StatusInTransit, "out_for_delivery": portal.StatusOutForDelivery,
	"delivered": portal.StatusDelivered, "available_for_pickup": portal.StatusAvailableForPickup, "return_to_sender": portal.StatusReturning,
	"failure": portal.StatusException, "cancelled": portal.StatusCancelled, "error": portal.StatusException, "unknown": portal.StatusPending,
}

type easyPostBody struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Result      *struct {
		TrackingCode    string `json:"tracking_code"`
		Carrier         string `json:"carrier"`
		EstDeliveryDate string `json:"est_delivery_date"`
		TrackingDetails []struct {
			Message      string `json:"message"`
			Status       string `json:"status"`
			StatusDetail string `json:"status_detail"`
			Datetime     string `json:"datetime"`
			Location     struct {
				City    string `json:"city"`
				State   string `json:"state"`
				Country string `json:"country"`
				Zip     string `json:"zip"`
			} `json:"tracking_location"`
		} `json:"tracking_details"`
	} `json:"result"`
}

func parseEasyPost(body []byte) ([]Update, error) {
	var b easyPostBody
	if err := decode(body, &b); err != nil {
		return nil, err
	}
	if b.Result == nil || strings.TrimSpace(b.Result.TrackingCode) == "" {
		return nil, portal.Errorf(portal.EINVALID, "result.tracking_code is required.")
	}
	if len(b.Result.TrackingDetails) == 0 {
		return nil, portal.Errorf(portal.EINVALID, "result.tracking_details is empty: there is no event to record.")
	}
	var eta *time.Time
	if b.Result.EstDeliveryDate != "" {
		t, _, err := parseTime(b.Result.EstDeliveryDate)
		if err != nil {
			return nil, portal.Errorf(portal.EINVALID, "result.est_delivery_date: %v.", err)
		}
		eta = &t
	}
	var out []Update
	for i, d := range b.Result.TrackingDetails {
		st, ok := easyPostStatuses[d.Status]
		if !ok {
			return nil, portal.Errorf(portal.EINVALID, "result.tracking_details[%d].status: unknown EasyPost status %q.", i, d.Status)
		}
		at, off, err := parseTime(d.Datetime)
		if err != nil {
			return nil, portal.Errorf(portal.EINVALID, "result.tracking_details[%d].datetime: %v.", i, err)
		}
		out = append(out, Update{TrackingNumber: b.Result.TrackingCode, ETA: eta, Event: portal.TrackingEvent{
			Source: "easypost", EventID: eventID(b.Result.TrackingCode, d.Datetime, d.Status, d.StatusDetail, d.Message),
			Carrier: b.Result.Carrier, Status: st, SubStatus: d.StatusDetail, RawStatus: d.Status, Message: d.Message,
			City: d.Location.City, Region: d.Location.State, Postcode: d.Location.Zip, Country: d.Location.Country, OccurredAt: at, LocalOffsetMinutes: off,
		}})
	}
	return out, nil
}

// FrontdeskEvent is one event in Frontdesk's own webhook format
// (see docs/tracking-webhooks.md).
type FrontdeskEvent struct {
	ID                string `json:"id"`
	TrackingNumber    string `json:"tracking_number"`
	Carrier           string `json:"carrier"`
	Status            string `json:"status"`
	SubStatus         string `json:"sub_status,omitempty"`
	RawStatus         string `json:"raw_status,omitempty"`
	Message           string `json:"message,omitempty"`
	City              string `json:"city,omitempty"`
	Region            string `json:"region,omitempty"`
	Postcode          string `json:"postcode,omitempty"`
	Country           string `json:"country,omitempty"`
	OccurredAt        string `json:"occurred_at"`
	EstimatedDelivery string `json:"estimated_delivery,omitempty"`
}

func parseFrontdesk(body []byte) ([]Update, error) {
	var b struct {
		Events []FrontdeskEvent `json:"events"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, portal.Errorf(portal.EINVALID, "The body is not a valid Frontdesk tracking payload: %v.", err)
	}
	if len(b.Events) == 0 {
		return nil, portal.Errorf(portal.EINVALID, "events is empty: send at least one event.")
	}
	if len(b.Events) > 500 {
		return nil, portal.Errorf(portal.EINVALID, "Send at most 500 events per request.")
	}
	var out []Update
	for i, e := range b.Events {
		if e.ID == "" || strings.TrimSpace(e.TrackingNumber) == "" {
			return nil, portal.Errorf(portal.EINVALID, "events[%d]: id and tracking_number are required.", i)
		}
		st := portal.ShipmentStatus(e.Status)
		if !st.Valid() {
			return nil, portal.Errorf(portal.EINVALID, "events[%d].status: unknown status %q (one of %v).", i, e.Status, portal.ShipmentStatuses)
		}
		at, off, err := parseTime(e.OccurredAt)
		if err != nil {
			return nil, portal.Errorf(portal.EINVALID, "events[%d].occurred_at: %v.", i, err)
		}
		u := Update{TrackingNumber: e.TrackingNumber, Event: portal.TrackingEvent{
			Source: "frontdesk", EventID: e.ID, Carrier: e.Carrier, Status: st, SubStatus: e.SubStatus, RawStatus: firstNonEmpty(e.RawStatus, e.Status),
			Message: e.Message, City: e.City, Region: e.Region, Postcode: e.Postcode, Country: e.Country, OccurredAt: at, LocalOffsetMinutes: off,
		}}
		if e.EstimatedDelivery != "" {
			t, _, err := parseTime(e.EstimatedDelivery)
			if err != nil {
				return nil, portal.Errorf(portal.EINVALID, "events[%d].estimated_delivery: %v.", i, err)
			}
			u.ETA = &t
		}
		out = append(out, u)
	}
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
