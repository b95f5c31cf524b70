package portal

import "testing"

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{
		"in_transit":             "In transit",
		"attempt_failed":         "Delivery attempt failed",
		"out_for_delivery":       "Out for delivery",
		"info_received":          "Label created",
		"customer":               "Customer",
		"bot":                    "Assistant",
		"agent":                  "Agent",
		"queued":                 "Waiting for a person",
		"shipment":               "Parcel",
		"partially_shipped":      "Partly shipped",
		"some_new_state":         "Some new state",
		"paid":                   "Paid",
		OrderPacked:              "Packed",
		OrderEventAddressChanged: "Address changed",
		HistoryOrderChange:       "Order change",
		DeliveryScheduled:        "Scheduled",
		DeliveryRetrying:         "Will retry",
		DeliveryDelivered:        "Delivered",
		DeliveryGaveUp:           "Given up",
		"":                       "",
	} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q)=%q, want %q", in, got, want)
		}
	}
}
