package portal

import "strings"

// labels names the stored values that are not plain enough with their
// first letter capitalised and underscores turned into spaces.
var labels = map[string]string{
	AuthorBot:            "Assistant", // as the chat widget and agent console say
	"shipment":           "Parcel",
	"queued":             "Waiting for a person",
	"void":               "Cancelled",
	"processing":         "Being prepared",
	"placed":             "Received",
	"partially_shipped":  "Partly shipped",
	"partially_refunded": "Partly refunded",
	// Returns and exchanges.
	"requested":        "Waiting for approval",
	"rejected":         "Declined",
	"received":         "Back with us",
	"exchanged":        "Replacement sent",
	"changed_mind":     "Changed my mind",
	"damaged":          "Arrived damaged",
	"wrong_item":       "Wrong item sent",
	"not_as_described": "Not as described",
	"reserved":         "Reserved for you",
	"fulfilled":        "Sent",
	DeliveryRetrying:   "Will retry",
	DeliveryGaveUp:     "Given up",
}

// Label turns a stored value (a shipment or order status, a chat author
// or state, a history kind) into the words a person reads. It is the one
// mapping behind the templates' label function and the live tracking
// payload; values it does not know get their first letter capitalised and
// underscores turned into spaces, never shown raw.
func Label(v string) string {
	if s := ShipmentStatus(v); s.Valid() {
		return s.Label()
	}
	if l, ok := labels[v]; ok {
		return l
	}
	v = strings.TrimSpace(strings.ReplaceAll(v, "_", " "))
	if v == "" {
		return ""
	}
	return strings.ToUpper(v[:1]) + v[1:]
}
