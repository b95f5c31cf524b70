package web

import (
	"bytes"
	"fmt"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/go-pdf/fpdf"
	"github.com/gofiber/fiber/v2"
)

type invoicePage struct {
	Invoice *portal.Invoice
	Order   *portal.Order
	Buyer   *portal.User
	// Lines are the order's items with configured products' options.
	Lines []orderLine
}

// customerInvoice loads one of the signed-in customer's invoices with its order.
func (s *Server) customerInvoice(c *fiber.Ctx) (*invoicePage, error) {
	u := currentUser(c)
	ctx := c.UserContext()
	// Filtered by customer too, so another's invoice is "not found".
	number := c.Params("number")
	invs, _, err := s.store.FindInvoices(ctx, portal.InvoiceFilter{Number: &number, CustomerID: &u.ID, Limit: 1})
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		oid := inv.OrderID
		orders, _, err := s.store.FindOrders(ctx, portal.OrderFilter{ID: &oid, CustomerID: &u.ID, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(orders) == 0 {
			break
		}
		return &invoicePage{Invoice: inv, Order: orders[0], Buyer: u, Lines: orderLines(orders[0])}, nil
	}
	return nil, portal.Errorf(portal.ENOTFOUND, "We could not find that invoice in your account.")
}

func (s *Server) handleInvoiceView(c *fiber.Ctx) error {
	p, err := s.customerInvoice(c)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "invoice", "Invoice "+p.Invoice.Number, p)
}

// handleInvoicePDF renders the invoice as a PDF download.
func (s *Server) handleInvoicePDF(c *fiber.Ctx) error {
	p, err := s.customerInvoice(c)
	if err != nil {
		return err
	}
	b, err := invoicePDF(p)
	if err != nil {
		return fmt.Errorf("invoice pdf: %w", err)
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="invoice-%s.pdf"`, safeFilename(p.Invoice.Number)))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}

func safeFilename(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

func invoicePDF(p *invoicePage) ([]byte, error) {
	inv, o := p.Invoice, p.Order
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252, for € and accents
	money := func(minor int64) string { return tr(formatMoney(minor, inv.Currency)) }
	pdf.SetTitle("Invoice "+inv.Number, true)
	pdf.SetAuthor("Frontdesk", true)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 18)
	pdf.Cell(0, 10, tr("Invoice "+inv.Number))
	pdf.Ln(12)
	pdf.SetFont("Helvetica", "", 10)
	for _, line := range []string{
		"Order " + o.Number,
		"Issued " + inv.IssuedAt.Format("2 January 2006") + " · due " + inv.DueAt.Format("2 January 2006"),
		"Status: " + inv.Status,
	} {
		pdf.Cell(0, 5, tr(line))
		pdf.Ln(5)
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 10)
	pdf.Cell(0, 5, "Bill to")
	pdf.Ln(5)
	pdf.SetFont("Helvetica", "", 10)
	a := o.BillingAddress
	for _, line := range []string{a.Name, a.Line1, a.Line2, a.Postcode + " " + a.City, a.Country, p.Buyer.Email} {
		if line != "" && line != " " {
			pdf.Cell(0, 5, tr(line))
			pdf.Ln(5)
		}
	}
	pdf.Ln(6)
	pdf.SetFont("Helvetica", "B", 10)
	widths := []float64{95, 20, 35, 35}
	for i, h := range []string{"Item", "Qty", "Unit price", "Total"} {
		align := "R"
		if i == 0 {
			align = "L"
		}
		pdf.CellFormat(widths[i], 7, h, "B", 0, align, false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 10)
	for _, it := range o.Items {
		pdf.CellFormat(widths[0], 7, tr(it.Name), "", 0, "L", false, 0, "")
		pdf.CellFormat(widths[1], 7, fmt.Sprint(it.Quantity), "", 0, "R", false, 0, "")
		pdf.CellFormat(widths[2], 7, money(it.UnitPriceMinor), "", 0, "R", false, 0, "")
		pdf.CellFormat(widths[3], 7, money(it.TotalMinor), "", 0, "R", false, 0, "")
		pdf.Ln(-1)
		for _, d := range itemDetails(it) { // a configured product's options and price breakdown
			pdf.SetFont("Helvetica", "", 8)
			pdf.CellFormat(widths[0], 4, tr("   "+d), "", 0, "L", false, 0, "")
			pdf.Ln(-1)
			pdf.SetFont("Helvetica", "", 10)
		}
	}
	pdf.Ln(2)
	for _, row := range []struct {
		label string
		minor int64
		bold  bool
	}{{"Subtotal", o.SubtotalMinor, false}, {"Shipping", o.ShippingMinor, false}, {"Total", inv.TotalMinor, true}, {"of which VAT", inv.TaxMinor, false}} {
		style := ""
		if row.bold {
			style = "B"
		}
		pdf.SetFont("Helvetica", style, 10)
		pdf.CellFormat(150, 6, row.label, "", 0, "R", false, 0, "")
		pdf.CellFormat(35, 6, money(row.minor), "", 0, "R", false, 0, "")
		pdf.Ln(-1)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
