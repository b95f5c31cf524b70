package web

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/frontdesk/frontdesk/assets"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/go-pdf/fpdf"
	"github.com/gofiber/fiber/v2"
)

type invoicePage struct {
	Invoice *portal.Invoice
	Order   *portal.Order
	Buyer   *portal.User
	Seller  portal.Seller
	// Lines are the order's items with configured products' options.
	Lines []orderLine
	// Base is where the page's links lead: "/account" for the customer
	// (the zero value), "/staff" for support staff.
	Base string
}

// LinkBase is the prefix of the invoice page's links.
func (p *invoicePage) LinkBase() string {
	if p.Base == "" {
		return "/account"
	}
	return p.Base
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
		return &invoicePage{Invoice: inv, Order: orders[0], Buyer: u, Seller: s.cfg.Seller, Lines: orderLines(orders[0])}, nil
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
	return sendInvoicePDF(c, p)
}

// sendInvoicePDF answers with p as a PDF download.
func sendInvoicePDF(c *fiber.Ctx, p *invoicePage) error {
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

// newPDF starts an A4 document with DejaVu Sans embedded as "Sans" (regular
// and bold): a Unicode TrueType font, so that every European name prints
// (the built-in PDF fonts know only cp1252 and lose Ł, ř or ğ).
func newPDF(title string) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	regular, bold := assets.Fonts()
	pdf.AddUTF8FontFromBytes("Sans", "", regular)
	pdf.AddUTF8FontFromBytes("Sans", "B", bold)
	pdf.SetTitle(title, true)
	pdf.SetAuthor("Frontdesk", true)
	return pdf
}

func invoicePDF(p *invoicePage) ([]byte, error) {
	inv, o, seller := p.Invoice, p.Order, p.Seller
	pdf := newPDF("Invoice " + inv.Number)
	money := func(minor int64) string { return formatMoney(minor, inv.Currency) }
	pdf.AddPage()
	// The seller, top right, as the law asks of an invoice.
	pdf.SetFont("Sans", "B", 10)
	pdf.SetXY(120, 12)
	pdf.CellFormat(75, 5, seller.Name, "", 2, "R", false, 0, "")
	pdf.SetFont("Sans", "", 9)
	for _, line := range seller.Address {
		pdf.CellFormat(75, 4.5, line, "", 2, "R", false, 0, "")
	}
	if seller.VATID != "" {
		pdf.CellFormat(75, 4.5, "VAT ID "+seller.VATID, "", 2, "R", false, 0, "")
	}
	pdf.SetXY(10, 12)
	pdf.SetFont("Sans", "B", 18)
	pdf.Cell(0, 10, "Invoice "+inv.Number)
	pdf.Ln(12)
	pdf.SetFont("Sans", "", 10)
	for _, line := range []string{
		"Order " + o.Number,
		"Issued " + inv.IssuedAt.Format("2 January 2006") + " · due " + inv.DueAt.Format("2 January 2006"),
		"Status: " + portal.Label(inv.Status),
	} {
		pdf.Cell(0, 5, line)
		pdf.Ln(5)
	}
	pdf.SetY(max(pdf.GetY(), 42))
	pdf.Ln(4)
	pdf.SetFont("Sans", "B", 10)
	pdf.Cell(0, 5, "Bill to")
	pdf.Ln(5)
	pdf.SetFont("Sans", "", 10)
	for _, line := range addressLines(o.BillingAddress) {
		pdf.Cell(0, 5, line)
		pdf.Ln(5)
	}
	pdf.Cell(0, 5, p.Buyer.Email)
	pdf.Ln(11)
	pdf.SetFont("Sans", "B", 9)
	widths := []float64{70, 12, 26, 26, 24, 27}
	rate := seller.VATRateText()
	for i, h := range []string{"Item", "Qty", "Unit price", "Net", "VAT " + rate, "Total"} {
		align := "R"
		if i == 0 {
			align = "L"
		}
		pdf.CellFormat(widths[i], 7, h, "B", 0, align, false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Sans", "", 9)
	line := func(name, qty string, unit, gross int64) {
		vat := seller.VATIncluded(gross)
		pdf.CellFormat(widths[0], 7, fitText(pdf, name, widths[0]), "", 0, "L", false, 0, "")
		pdf.CellFormat(widths[1], 7, qty, "", 0, "R", false, 0, "")
		u := ""
		if qty != "" {
			u = money(unit)
		}
		pdf.CellFormat(widths[2], 7, u, "", 0, "R", false, 0, "")
		pdf.CellFormat(widths[3], 7, money(gross-vat), "", 0, "R", false, 0, "")
		pdf.CellFormat(widths[4], 7, money(vat), "", 0, "R", false, 0, "")
		pdf.CellFormat(widths[5], 7, money(gross), "", 0, "R", false, 0, "")
		pdf.Ln(-1)
	}
	for _, it := range o.Items {
		line(it.Name, fmt.Sprint(it.Quantity), it.UnitPriceMinor, it.TotalMinor)
		for _, d := range itemDetails(it) { // a configured product's options and price breakdown
			pdf.SetFont("Sans", "", 7.5)
			pdf.CellFormat(widths[0], 4, fitText(pdf, "   "+d, widths[0]), "", 0, "L", false, 0, "")
			pdf.Ln(-1)
			pdf.SetFont("Sans", "", 9)
		}
	}
	if o.ShippingMinor != 0 {
		line("Shipping", "", 0, o.ShippingMinor)
	}
	pdf.Ln(2)
	for _, row := range []struct {
		label string
		minor int64
		bold  bool
	}{{"Net total", inv.TotalMinor - inv.TaxMinor, false}, {"VAT " + rate, inv.TaxMinor, false}, {"Total", inv.TotalMinor, true}} {
		style := ""
		if row.bold {
			style = "B"
		}
		pdf.SetFont("Sans", style, 10)
		pdf.CellFormat(150, 6, row.label, "", 0, "R", false, 0, "")
		pdf.CellFormat(35, 6, money(row.minor), "", 0, "R", false, 0, "")
		pdf.Ln(-1)
	}
	pdf.Ln(6)
	pdf.SetFont("Sans", "", 8)
	pdf.MultiCell(0, 4, "Prices include VAT at "+rate+". "+seller.Name+", "+strings.Join(seller.Address, ", ")+".", "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// addressLines are the non-empty lines of a postal address.
func addressLines(a portal.Address) []string {
	var out []string
	for _, l := range []string{a.Name, a.Line1, a.Line2, strings.TrimSpace(a.Postcode + " " + a.City), a.Country} {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// fitText shortens s with an ellipsis to fit width mm in the current font.
func fitText(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width-2 {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"…") > width-2 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// NetMinor is the invoice total without VAT.
func (p *invoicePage) NetMinor() int64 { return p.Invoice.TotalMinor - p.Invoice.TaxMinor }
