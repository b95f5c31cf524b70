package web

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// TestInvoicePDFPrintsEuropeanNamesAndVAT renders an invoice for a buyer
// whose name needs letters outside cp1252 and reads the PDF's text back:
// the name, the seller's details and the VAT must be there as written.
func TestInvoicePDFPrintsEuropeanNamesAndVAT(t *testing.T) {
	name := "Łukasz Řehoř Ağaoğlu"
	addr := portal.Address{Name: name, Line1: "ul. Świętokrzyska 5", Postcode: "00-001", City: "Warszawa", Country: "PL"}
	o := &portal.Order{Number: "NW-1", Currency: "EUR", SubtotalMinor: 11900, ShippingMinor: 595, TotalMinor: 12495, TaxMinor: 1995,
		BillingAddress: addr, ShippingAddress: addr,
		Items: []portal.OrderItem{{SKU: "NW-LAMP-11", Name: "Žluťoučký lamp", Quantity: 1, UnitPriceMinor: 11900, TotalMinor: 11900},
			{SKU: "bike-v2", Name: "Trail bike (configured)", Quantity: 1, Config: `{"product":"bike","version":2,"selected":[{"id":"f","name":"Frame größe M"}],"quote":{"currency":"EUR"}}`}}}
	inv := &portal.Invoice{Number: "INV-1", Currency: "EUR", TotalMinor: 12495, TaxMinor: 1995, Status: "paid", IssuedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), DueAt: time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)}
	seller := portal.Seller{Name: "Northwind Living GmbH", Address: []string{"Lindenallee 12", "04109 Leipzig", "Germany"}, VATID: "DE123456789", VATRateBasisPoints: 1900}
	b, err := invoicePDF(&invoicePage{Invoice: inv, Order: o, Buyer: &portal.User{Email: "lukasz@example.com", Name: name}, Seller: seller})
	if err != nil {
		t.Fatal(err)
	}
	texts := pdfText(t, b)
	for _, want := range []string{name, "ul. Świętokrzyska 5", "Žluťoučký lamp", "Northwind Living GmbH", "Lindenallee 12", "VAT ID DE123456789",
		"VAT 19 %", "   Frame größe M", "€100.00" /* the lamp's net */, "€19.00" /* its VAT */, "€19.95" /* the invoice's VAT */, "€105.00" /* its net total */, "€124.95"} {
		pdfHasText(t, texts, want)
	}
}
