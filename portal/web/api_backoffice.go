package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/gofiber/fiber/v2"
)

// The back-office API: the retailer's systems upsert customers, orders,
// invoices and shipments with a bearer token. Request types double as the
// OpenAPI schemas (openapi.go), so the document cannot drift from what the
// handlers accept.

// APICustomer is a customer upserted by email.
type APICustomer struct {
	Email    string `json:"email"`
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
}

// APIOrderItem is one line of an order.
type APIOrderItem struct {
	SKU            string `json:"sku,omitempty"`
	Name           string `json:"name"`
	Quantity       int    `json:"quantity"`
	UnitPriceMinor int64  `json:"unit_price_minor"`
	TotalMinor     int64  `json:"total_minor"`
	// Config is a configured product's configuration, as JSON text.
	Config string `json:"config,omitempty"`
}

// APIOrder is an order upserted by number.
type APIOrder struct {
	Number          string          `json:"number"`
	CustomerEmail   string          `json:"customer_email"`
	Status          string          `json:"status"`
	PaymentStatus   string          `json:"payment_status"`
	Currency        string          `json:"currency"`
	SubtotalMinor   int64           `json:"subtotal_minor"`
	ShippingMinor   int64           `json:"shipping_minor,omitempty"`
	TaxMinor        int64           `json:"tax_minor,omitempty"`
	TotalMinor      int64           `json:"total_minor"`
	ShippingAddress *portal.Address `json:"shipping_address,omitempty"`
	BillingAddress  *portal.Address `json:"billing_address,omitempty"`
	PlacedAt        *time.Time      `json:"placed_at,omitempty"`
	Items           []APIOrderItem  `json:"items"`
}

// APIInvoice is an invoice upserted by number.
type APIInvoice struct {
	Number      string     `json:"number"`
	OrderNumber string     `json:"order_number"`
	Currency    string     `json:"currency"`
	Status      string     `json:"status"`
	TotalMinor  int64      `json:"total_minor"`
	TaxMinor    int64      `json:"tax_minor,omitempty"`
	IssuedAt    *time.Time `json:"issued_at,omitempty"`
	DueAt       *time.Time `json:"due_at,omitempty"`
	PaidAt      *time.Time `json:"paid_at,omitempty"`
}

// APIShipment is a shipment upserted by tracking number.
type APIShipment struct {
	TrackingNumber    string     `json:"tracking_number"`
	OrderNumber       string     `json:"order_number"`
	Carrier           string     `json:"carrier"`
	Status            string     `json:"status,omitempty"`
	EstimatedDelivery *time.Time `json:"estimated_delivery,omitempty"`
}

// APIUpserted answers a successful upsert.
type APIUpserted struct {
	Count int     `json:"count"`
	IDs   []int64 `json:"ids"`
}

var orderStatuses = []string{portal.OrderPlaced, portal.OrderProcessing, portal.OrderShipped, portal.OrderDelivered, portal.OrderCancelled}
var paymentStatuses = []string{portal.PaymentPending, portal.PaymentPaid, portal.PaymentRefunded, portal.PaymentFailed}

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func (a APICustomer) domain() (*portal.User, error) {
	return &portal.User{Email: a.Email, Name: a.Name, Phone: a.Phone, Postcode: a.Postcode, TimeZone: a.TimeZone, Role: portal.RoleCustomer}, nil
}

func (a APIOrder) domain() (*portal.Order, error) {
	if !oneOf(a.Status, orderStatuses) {
		return nil, portal.FieldError("status", "status must be one of "+strings.Join(orderStatuses, ", ")+".")
	}
	if !oneOf(a.PaymentStatus, paymentStatuses) {
		return nil, portal.FieldError("payment_status", "payment_status must be one of "+strings.Join(paymentStatuses, ", ")+".")
	}
	if strings.TrimSpace(a.CustomerEmail) == "" {
		return nil, portal.FieldError("customer_email", "customer_email is required.")
	}
	o := &portal.Order{Number: a.Number, Email: a.CustomerEmail, Status: a.Status, PaymentStatus: a.PaymentStatus, Currency: a.Currency,
		SubtotalMinor: a.SubtotalMinor, ShippingMinor: a.ShippingMinor, TaxMinor: a.TaxMinor, TotalMinor: a.TotalMinor}
	if a.ShippingAddress != nil {
		o.ShippingAddress = *a.ShippingAddress
	}
	o.BillingAddress = o.ShippingAddress
	if a.BillingAddress != nil {
		o.BillingAddress = *a.BillingAddress
	}
	if a.PlacedAt != nil {
		o.PlacedAt = *a.PlacedAt
	}
	for _, it := range a.Items {
		if it.Config != "" && !json.Valid([]byte(it.Config)) {
			return nil, portal.FieldError("items", "items[].config must be JSON text.")
		}
		o.Items = append(o.Items, portal.OrderItem{SKU: it.SKU, Name: it.Name, Quantity: it.Quantity, UnitPriceMinor: it.UnitPriceMinor, TotalMinor: it.TotalMinor, Config: it.Config})
	}
	return o, nil
}

func (a APIInvoice) domain() (*portal.Invoice, error) {
	inv := &portal.Invoice{Number: a.Number, OrderNumber: a.OrderNumber, Currency: a.Currency, Status: a.Status, TotalMinor: a.TotalMinor, TaxMinor: a.TaxMinor, PaidAt: a.PaidAt}
	if a.IssuedAt != nil {
		inv.IssuedAt = *a.IssuedAt
	}
	if a.DueAt != nil {
		inv.DueAt = *a.DueAt
	}
	return inv, nil
}

func (a APIShipment) domain() (*portal.Shipment, error) {
	return &portal.Shipment{TrackingNumber: a.TrackingNumber, OrderNumber: a.OrderNumber, Carrier: a.Carrier, Status: portal.ShipmentStatus(a.Status), EstimatedDelivery: a.EstimatedDelivery}, nil
}

// decodeStrict reads exactly one JSON value with no unknown fields.
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return portal.Errorf(portal.EINVALID, "The request body is empty: send a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return portal.Errorf(portal.EINVALID, "Malformed JSON at byte %d: %v.", se.Offset, err)
		case errors.As(err, &te):
			return portal.Errorf(portal.EINVALID, "Field %q must be %s, not %s.", te.Field, te.Type, te.Value)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return portal.Errorf(portal.EINVALID, "Malformed JSON: the body ends before the value does.")
		}
		return portal.Errorf(portal.EINVALID, "Invalid JSON: %v.", err)
	}
	if dec.More() {
		return portal.Errorf(portal.EINVALID, "Send one JSON value per request.")
	}
	return nil
}

// requireToken authenticates the back-office API by bearer token with scope.
func (s *Server) requireToken(scope string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		h := c.Get(fiber.HeaderAuthorization)
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="frontdesk"`)
			return portal.Errorf(portal.EUNAUTHORIZED, "Send an API token: Authorization: Bearer <token>.")
		}
		t, err := s.store.FindAPITokenByHash(c.UserContext(), auth.HashToken(strings.TrimSpace(tok)), s.now())
		if portal.IsNotFound(err) {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="frontdesk", error="invalid_token"`)
			return portal.Errorf(portal.EUNAUTHORIZED, "This API token is unknown or revoked.")
		} else if err != nil {
			return err
		}
		if !t.HasScope(scope) {
			return portal.Errorf(portal.EFORBIDDEN, "This API token lacks the %s scope.", scope)
		}
		return c.Next()
	}
}

// upsertRoute registers POST path (one item) and POST path/bulk
// ({"items": [...]}) for a request type.
func upsertRoute[A interface{ domain() (D, error) }, D any](api fiber.Router, path string, mw fiber.Handler, store func(c *fiber.Ctx, ds []D) ([]int64, error)) {
	run := func(c *fiber.Ctx, items []A) error {
		if len(items) == 0 {
			return portal.Errorf(portal.EINVALID, "items is empty: send at least one item.")
		}
		ds := make([]D, 0, len(items))
		berr := &portal.BulkError{Items: map[int]string{}}
		for i, a := range items {
			d, err := a.domain()
			if err != nil {
				berr.Items[i] = portal.ErrorMessage(err)
				continue
			}
			ds = append(ds, d)
		}
		if len(berr.Items) > 0 {
			return &portal.Error{Code: portal.EINVALID, Message: "Nothing was stored: some items are not valid.", Err: berr}
		}
		ids, err := store(c, ds)
		if err != nil {
			return err
		}
		return c.JSON(APIUpserted{Count: len(ids), IDs: ids})
	}
	api.Post(path, mw, func(c *fiber.Ctx) error {
		var a A
		if err := decodeStrict(c.Body(), &a); err != nil {
			return err
		}
		err := run(c, []A{a})
		var be *portal.BulkError
		if errors.As(err, &be) {
			return portal.Errorf(portal.EINVALID, "%s", be.Items[0])
		}
		return err
	})
	api.Post(path+"/bulk", mw, func(c *fiber.Ctx) error {
		var req struct {
			Items []A `json:"items"`
		}
		if err := decodeStrict(c.Body(), &req); err != nil {
			return err
		}
		return run(c, req.Items)
	})
}

func (s *Server) backOfficeRoutes(api fiber.Router) {
	upsertRoute[APICustomer](api, "/customers", s.requireToken(portal.ScopeCustomersWrite), func(c *fiber.Ctx, us []*portal.User) ([]int64, error) {
		err := s.store.UpsertCustomers(c.UserContext(), us)
		return idsOf(us, func(u *portal.User) int64 { return u.ID }), err
	})
	upsertRoute[APIOrder](api, "/orders", s.requireToken(portal.ScopeOrdersWrite), func(c *fiber.Ctx, os []*portal.Order) ([]int64, error) {
		err := s.store.UpsertOrders(c.UserContext(), os)
		return idsOf(os, func(o *portal.Order) int64 { return o.ID }), err
	})
	upsertRoute[APIInvoice](api, "/invoices", s.requireToken(portal.ScopeInvoicesWrite), func(c *fiber.Ctx, is []*portal.Invoice) ([]int64, error) {
		err := s.store.UpsertInvoices(c.UserContext(), is)
		return idsOf(is, func(i *portal.Invoice) int64 { return i.ID }), err
	})
	upsertRoute[APIShipment](api, "/shipments", s.requireToken(portal.ScopeShipmentsWrite), func(c *fiber.Ctx, ss []*portal.Shipment) ([]int64, error) {
		err := s.store.UpsertShipments(c.UserContext(), ss)
		return idsOf(ss, func(s *portal.Shipment) int64 { return s.ID }), err
	})
	api.Get("/orders/:number", s.requireToken(portal.ScopeRead), s.handleAPIOrderView)
	s.caseAPIRoutes(api)
	api.Get("/openapi.json", s.handleOpenAPI)
}

func idsOf[T any](xs []T, id func(T) int64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

// handleAPIOrderView returns one order with its shipments, for the
// retailer's systems.
func (s *Server) handleAPIOrderView(c *fiber.Ctx) error {
	number := c.Params("number")
	ctx := c.UserContext()
	orders, _, err := s.store.FindOrders(ctx, portal.OrderFilter{Number: &number, Limit: 1})
	if err != nil {
		return err
	}
	if len(orders) == 0 {
		return portal.Errorf(portal.ENOTFOUND, "No order numbered %q.", number)
	}
	o := orders[0]
	ships, _, err := s.store.FindShipments(ctx, portal.ShipmentFilter{OrderID: &o.ID})
	if err != nil {
		return err
	}
	out := APIOrder{Number: o.Number, CustomerEmail: o.Email, Status: o.Status, PaymentStatus: o.PaymentStatus, Currency: o.Currency,
		SubtotalMinor: o.SubtotalMinor, ShippingMinor: o.ShippingMinor, TaxMinor: o.TaxMinor, TotalMinor: o.TotalMinor,
		ShippingAddress: &o.ShippingAddress, BillingAddress: &o.BillingAddress, PlacedAt: &o.PlacedAt}
	for _, it := range o.Items {
		out.Items = append(out.Items, APIOrderItem{SKU: it.SKU, Name: it.Name, Quantity: it.Quantity, UnitPriceMinor: it.UnitPriceMinor, TotalMinor: it.TotalMinor, Config: it.Config})
	}
	var shipments []APIShipment
	for _, sh := range ships {
		shipments = append(shipments, APIShipment{TrackingNumber: sh.TrackingNumber, OrderNumber: o.Number, Carrier: sh.Carrier, Status: string(sh.Status), EstimatedDelivery: sh.EstimatedDelivery})
	}
	return c.JSON(fiber.Map{"order": out, "shipments": shipments})
}
