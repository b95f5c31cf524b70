package web

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"

	"github.com/boombuler/barcode/code128"
	"github.com/frontdesk/frontdesk/portal"
)

// TestReturnLabelPDF reads the label back: the RMA, the tracking number
// under its barcode, both addresses (in any European alphabet), the items;
// and the barcode image is the Code 128 of the tracking number, drawn at
// two pixels a module.
func TestReturnLabelPDF(t *testing.T) {
	r := &portal.Return{ID: 7, RMA: "RMA0000007", OrderNumber: "NW-1", Kind: portal.ReturnKindRefund, Reason: portal.ReasonDamaged, Carrier: "DHL",
		TrackingNumber: "RT0A1B2C3D4E", ShippingPaidBy: portal.PaidByRetailer,
		Items: []portal.ReturnItem{{SKU: "NW-CHAIR-07", Name: "Oak dining chair", Quantity: 1}}}
	from := portal.Address{Name: "Łukasz Řehoř Ağaoğlu", Line1: "ul. Świętokrzyska 5", Postcode: "00-001", City: "Warszawa", Country: "PL"}
	b, err := returnLabelPDF(r, from, portal.DemoSeller)
	if err != nil {
		t.Fatal(err)
	}
	texts := pdfText(t, b)
	for _, want := range []string{"Return RMA0000007", "RT0A1B2C3D4E", "Łukasz Řehoř Ağaoğlu", "ul. Świętokrzyska 5", "Northwind Living GmbH", "Returns desk, RMA0000007", "1 × Oak dining chair (NW-CHAIR-07)"} {
		pdfHasText(t, texts, want)
	}
	bar, err := code128.Encode(r.TrackingNumber)
	if err != nil {
		t.Fatal(err)
	}
	widths := map[int]bool{}
	for _, m := range regexp.MustCompile(`/Subtype /Image\s*/Width (\d+)`).FindAllSubmatch(b, -1) {
		w, _ := strconv.Atoi(string(m[1]))
		widths[w] = true
	}
	if !widths[bar.Bounds().Dx()*2] {
		t.Fatalf("no image %d pixels wide (the barcode of %s); images: %v", bar.Bounds().Dx()*2, r.TrackingNumber, widths)
	}
	if !bytes.Contains(b, []byte("/FontFile2")) {
		t.Fatal("the label does not embed its font")
	}
}
