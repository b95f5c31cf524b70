package web

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/qr"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/go-pdf/fpdf"
	"github.com/gofiber/fiber/v2"
)

// customerReturn loads one of the signed-in customer's returns; another
// customer's is "not found", like one that does not exist.
func (s *Server) customerReturn(c *fiber.Ctx) (*portal.Return, error) {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return nil, portal.Errorf(portal.ENOTFOUND, "We could not find that return in your account.")
	}
	rs, _, err := s.store.FindReturns(c.UserContext(), portal.ReturnFilter{ID: &id, CustomerID: &u.ID, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "We could not find that return in your account.")
	}
	return rs[0], nil
}

// returnPage is a return with what its page shows beside it.
type returnPage struct {
	Return *portal.Return
	Parcel *portal.Shipment
	// Staff is set on the agents' page.
	Staff    bool
	Customer *portal.User
}

// ValueMinor is what the returned items cost.
func (p *returnPage) ValueMinor() int64 {
	var v int64
	for _, it := range p.Return.Items {
		v += it.UnitPriceMinor * int64(it.Quantity)
	}
	return v
}

// HasLabel reports whether the return has a label to print.
func (p *returnPage) HasLabel() bool {
	return p.Return.TrackingNumber != "" && (p.Return.Status == portal.ReturnApproved)
}

func (s *Server) loadReturnPage(ctx context.Context, r *portal.Return) (*returnPage, error) {
	p := &returnPage{Return: r}
	if r.ShipmentID != nil {
		ships, _, err := s.store.FindShipments(ctx, portal.ShipmentFilter{ID: r.ShipmentID, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(ships) > 0 {
			p.Parcel = ships[0]
		}
	}
	return p, nil
}

// handleReturnView shows a return's status, steps, label and refund.
func (s *Server) handleReturnView(c *fiber.Ctx) error {
	r, err := s.customerReturn(c)
	if err != nil {
		return err
	}
	p, err := s.loadReturnPage(c.UserContext(), r)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "return_view", "Return "+r.Number(), p)
}

// handleReturnLabel sends an approved return's label as a PDF.
func (s *Server) handleReturnLabel(c *fiber.Ctx) error {
	r, err := s.customerReturn(c)
	if err != nil {
		return err
	}
	if r.RMA == "" || r.TrackingNumber == "" {
		return portal.Errorf(portal.ENOTFOUND, "This return has no label yet: it is waiting for approval.")
	}
	orders, _, err := s.store.FindOrders(c.UserContext(), portal.OrderFilter{ID: &r.OrderID, CustomerID: &r.CustomerID, Limit: 1})
	if err != nil {
		return err
	}
	if len(orders) == 0 {
		return portal.Errorf(portal.ENOTFOUND, "We could not find that return in your account.")
	}
	b, err := returnLabelPDF(r, orders[0].ShippingAddress, s.cfg.Seller)
	if err != nil {
		return fmt.Errorf("return label: %w", err)
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="return-label-%s.pdf"`, safeFilename(r.RMA)))
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(b)
}

// handleReturnPhoto sends one of a return's photos to its customer.
func (s *Server) handleReturnPhoto(c *fiber.Ctx) error {
	r, err := s.customerReturn(c)
	if err != nil {
		return err
	}
	return s.sendReturnPhoto(c, r)
}

func (s *Server) sendReturnPhoto(c *fiber.Ctx, r *portal.Return) error {
	pid, _ := strconv.ParseInt(c.Params("photo"), 10, 64)
	for _, p := range r.Photos {
		if p.ID != pid {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.photoDir(), filepath.Base(p.StoredName)))
		if os.IsNotExist(err) {
			break
		} else if err != nil {
			return fmt.Errorf("read return photo: %w", err)
		}
		c.Set(fiber.HeaderContentType, p.ContentType)
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		c.Set(fiber.HeaderContentDisposition, "inline")
		return c.Send(b)
	}
	return portal.Errorf(portal.ENOTFOUND, "Photo not found.")
}

// returnLabelPDF draws an A4 page whose top half is the parcel label:
// from the customer to the retailer's returns desk, the RMA number, and
// the tracking number as a Code 128 barcode (what carriers scan), with a
// QR code of the RMA for the warehouse.
func returnLabelPDF(r *portal.Return, from portal.Address, seller portal.Seller) ([]byte, error) {
	bar, err := code128.Encode(r.TrackingNumber)
	if err != nil {
		return nil, fmt.Errorf("barcode: %w", err)
	}
	// One pixel per module: the PDF scales it sharp.
	barImg, err := barcode.Scale(bar, bar.Bounds().Dx()*2, 80)
	if err != nil {
		return nil, err
	}
	code, err := qr.Encode(r.RMA+" "+r.TrackingNumber, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	qrImg, err := barcode.Scale(code, 200, 200)
	if err != nil {
		return nil, err
	}
	pdf := newPDF("Return label " + r.RMA)
	addPNG := func(name string, img barcode.Barcode) error {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return err
		}
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, &buf)
		return pdf.Error()
	}
	if err := addPNG("barcode", barImg); err != nil {
		return nil, err
	}
	if err := addPNG("qr", qrImg); err != nil {
		return nil, err
	}
	pdf.AddPage()
	pdf.SetDashPattern([]float64{2, 2}, 0)
	pdf.Rect(10, 10, 190, 130, "D")
	pdf.SetDashPattern(nil, 0)
	pdf.SetFont("Sans", "B", 16)
	pdf.SetXY(15, 15)
	pdf.Cell(120, 8, "Return "+r.RMA)
	pdf.SetFont("Sans", "", 9)
	pdf.SetXY(15, 24)
	pdf.Cell(120, 5, r.Carrier+" · paid by "+map[string]string{portal.PaidByCustomer: "you (deducted from the refund)", portal.PaidByRetailer: seller.Name}[r.ShippingPaidBy])
	pdf.ImageOptions("qr", 160, 14, 32, 32, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	block := func(x, y float64, title string, lines []string) {
		pdf.SetXY(x, y)
		pdf.SetFont("Sans", "B", 9)
		pdf.Cell(80, 5, title)
		pdf.SetFont("Sans", "", 11)
		for i, l := range lines {
			pdf.SetXY(x, y+6+float64(i)*5.5)
			pdf.Cell(85, 5, l)
		}
	}
	block(15, 36, "FROM", addressLines(from))
	to := append([]string{seller.Name, "Returns desk, " + r.RMA}, seller.Address...)
	block(105, 52, "TO", to)
	pdf.ImageOptions("barcode", 30, 98, 150, 25, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetFont("Sans", "", 10)
	pdf.SetXY(30, 124)
	pdf.CellFormat(150, 6, r.TrackingNumber, "", 0, "C", false, 0, "")
	// Below the cut line: what goes in the parcel.
	pdf.SetXY(10, 150)
	pdf.SetFont("Sans", "B", 12)
	pdf.Cell(0, 7, "Put this in the parcel")
	pdf.Ln(9)
	pdf.SetFont("Sans", "", 10)
	pdf.Cell(0, 5, "Order "+r.OrderNumber+" · "+portal.Label(r.Kind)+" · "+portal.Label(r.Reason))
	pdf.Ln(7)
	for _, it := range r.Items {
		pdf.Cell(0, 5, fmt.Sprintf("%d × %s (%s)", it.Quantity, it.Name, it.SKU))
		pdf.Ln(5.5)
	}
	pdf.Ln(4)
	pdf.MultiCell(0, 5, "Cut along the dashed line, stick the label on the parcel and hand it to "+r.Carrier+". "+
		"We will email you when it arrives and when your "+strings.ToLower(map[string]string{portal.ReturnKindRefund: "refund", portal.ReturnKindExchange: "replacement"}[r.Kind])+" is on its way.", "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
