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

func TestSellerVAT(t *testing.T) {
	s := DemoSeller
	if got, want := s.VATIncluded(11900), int64(1900); got != want {
		t.Fatalf("VATIncluded(119.00)=%d, want %d", got, want)
	}
	if got, want := s.VATRateText(), "19 %"; got != want {
		t.Fatalf("rate=%q, want %q", got, want)
	}
	bp, err := ParseVATRate("7.7 %")
	if err != nil || bp != 770 {
		t.Fatalf("ParseVATRate=%d, %v; want 770", bp, err)
	}
	if _, err := ParseVATRate("lots"); err == nil {
		t.Fatal("ParseVATRate accepted a word")
	}
	s.VATRateBasisPoints = 770
	if got, want := s.VATRateText(), "7.7 %"; got != want {
		t.Fatalf("rate=%q, want %q", got, want)
	}
}

// TestLabelReturns: every return status, reason and kind reads as words.
func TestLabelReturns(t *testing.T) {
	vals := append(append(append([]string{}, ReturnStatuses...), ReturnReasons...), ReturnKindRefund, ReturnKindExchange, ReservationHeld, ReservationFulfilled)
	for _, v := range vals {
		if got := Label(v); got == "" || got == v {
			t.Errorf("Label(%q)=%q, want words", v, got)
		}
	}
	if got, want := Label(ReturnRequested), "Waiting for approval"; got != want {
		t.Errorf("Label(requested)=%q, want %q", got, want)
	}
}
