package web

import (
	"reflect"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// APIReturn is a return as the back office sees it.
type APIReturn struct {
	RMA             string          `json:"rma"`
	OrderNumber     string          `json:"order_number"`
	CustomerEmail   string          `json:"customer_email"`
	Kind            string          `json:"kind"`
	Status          string          `json:"status"`
	Reason          string          `json:"reason"`
	Note            string          `json:"note,omitempty"`
	Carrier         string          `json:"carrier"`
	TrackingNumber  string          `json:"tracking_number"`
	ShippingPaidBy  string          `json:"shipping_paid_by"`
	Currency        string          `json:"currency"`
	RefundMinor     int64           `json:"refund_minor"`
	RefundedMinor   int64           `json:"refunded_minor"`
	RefundReference string          `json:"refund_reference,omitempty"`
	Items           []APIReturnItem `json:"items"`
	Reserved        []APIReturnItem `json:"reserved,omitempty"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
}

// APIReturnItem is one line of a return, or one reserved replacement.
type APIReturnItem struct {
	SKU            string `json:"sku"`
	Name           string `json:"name"`
	Quantity       int    `json:"quantity"`
	UnitPriceMinor int64  `json:"unit_price_minor,omitempty"`
}

// APIReturnStep moves a return on: received, exchanged.
type APIReturnStep struct {
	Note string `json:"note,omitempty"`
}

// APIRefund records the refund the back office issued.
type APIRefund struct {
	// AmountMinor defaults to the refund due (the items less the return
	// shipping the customer pays).
	AmountMinor int64  `json:"amount_minor,omitempty"`
	Reference   string `json:"reference,omitempty"`
	Note        string `json:"note,omitempty"`
}

func (s *Server) apiReturn(c *fiber.Ctx, r *portal.Return) (APIReturn, error) {
	u, err := s.store.FindUserByID(c.UserContext(), r.CustomerID)
	if err != nil {
		return APIReturn{}, err
	}
	out := APIReturn{RMA: r.RMA, OrderNumber: r.OrderNumber, CustomerEmail: u.Email, Kind: r.Kind, Status: r.Status, Reason: r.Reason, Note: r.Note,
		Carrier: r.Carrier, TrackingNumber: r.TrackingNumber, ShippingPaidBy: r.ShippingPaidBy, Currency: r.Currency, RefundMinor: r.RefundMinor,
		RefundedMinor: r.RefundedMinor, RefundReference: r.RefundReference, Items: []APIReturnItem{}, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, it := range r.Items {
		out.Items = append(out.Items, APIReturnItem{SKU: it.SKU, Name: it.Name, Quantity: it.Quantity, UnitPriceMinor: it.UnitPriceMinor})
	}
	for _, v := range r.Reservations {
		if v.Status == portal.ReservationHeld {
			out.Reserved = append(out.Reserved, APIReturnItem{SKU: v.SKU, Name: v.Name, Quantity: v.Quantity})
		}
	}
	return out, nil
}

func (s *Server) returnByRMA(c *fiber.Ctx) (*portal.Return, error) {
	rma := c.Params("rma")
	rs, _, err := s.store.FindReturns(c.UserContext(), portal.ReturnFilter{RMA: &rma, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "No return with RMA %q.", rma)
	}
	return rs[0], nil
}

// handleAPIReturnList lists approved returns (or those of ?status=) for
// the back office, newest first.
func (s *Server) handleAPIReturnList(c *fiber.Ctx) error {
	f := portal.ReturnFilter{Limit: 200}
	if st := c.Query("status"); st != "" {
		if !slices.Contains(portal.ReturnStatuses, st) {
			return portal.FieldError("status", "Unknown return status.")
		}
		f.Statuses = []string{st}
	}
	rs, total, err := s.store.FindReturns(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := []APIReturn{}
	for _, r := range rs {
		if r.RMA == "" {
			continue // not approved: nothing for the back office yet
		}
		a, err := s.apiReturn(c, r)
		if err != nil {
			return err
		}
		out = append(out, a)
	}
	return c.JSON(fiber.Map{"returns": out, "total": total})
}

func (s *Server) handleAPIReturnView(c *fiber.Ctx) error {
	r, err := s.returnByRMA(c)
	if err != nil {
		return err
	}
	a, err := s.apiReturn(c, r)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

// apiReturnAction handles POST /api/v1/returns/{rma}/{received|refund|exchange}.
func (s *Server) apiReturnAction(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r, err := s.returnByRMA(c)
		if err != nil {
			return err
		}
		a := portal.ReturnAction{Kind: kind, Actor: "back office"}
		if kind == portal.ActRefund {
			var req APIRefund
			if err := decodeStrict(c.Body(), &req); err != nil {
				return err
			}
			a.RefundMinor, a.Reference, a.Note = req.AmountMinor, req.Reference, req.Note
		} else {
			var req APIReturnStep
			if len(c.Body()) > 0 {
				if err := decodeStrict(c.Body(), &req); err != nil {
					return err
				}
			}
			a.Note = req.Note
		}
		got, err := s.store.ActOnReturn(c.UserContext(), r.ID, a, s.returnEmail)
		if err != nil {
			return err
		}
		out, err := s.apiReturn(c, got)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}

// returnsOpenAPI documents the returns endpoints.
func returnsOpenAPI(paths map[string]any, ref func(reflect.Type) map[string]any, errResp map[string]any) {
	rma := map[string]any{"name": "rma", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}
	one := map[string]any{"description": "The return", "content": map[string]any{"application/json": map[string]any{"schema": ref(reflect.TypeOf(APIReturn{}))}}}
	read := []any{map[string]any{"bearer": []any{portal.ScopeRead}}}
	write := []any{map[string]any{"bearer": []any{portal.ScopeReturnsWrite}}}
	paths["/api/v1/returns"] = map[string]any{"get": map[string]any{
		"operationId": "list_returns", "summary": "Approved returns and exchanges, newest first (up to 200). Scope read.",
		"security":   read,
		"parameters": []any{map[string]any{"name": "status", "in": "query", "required": false, "schema": map[string]any{"type": "string", "enum": portal.ReturnStatuses}}},
		"responses": map[string]any{"200": map[string]any{"description": "Returns", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
			"type": "object", "properties": map[string]any{"returns": map[string]any{"type": "array", "items": ref(reflect.TypeOf(APIReturn{}))}, "total": map[string]any{"type": "integer"}}}}}},
			"400": errResp, "401": errResp, "403": errResp},
	}}
	paths["/api/v1/returns/{rma}"] = map[string]any{"get": map[string]any{
		"operationId": "get_return", "summary": "One return by RMA number. Scope read.", "security": read, "parameters": []any{rma},
		"responses": map[string]any{"200": one, "401": errResp, "403": errResp, "404": errResp},
	}}
	step := func(op, summary string, body reflect.Type, example any) map[string]any {
		return map[string]any{"post": map[string]any{
			"operationId": op, "summary": summary + " The customer is emailed. Scope " + portal.ScopeReturnsWrite + ".", "security": write, "parameters": []any{rma},
			"requestBody": map[string]any{"required": false, "content": map[string]any{"application/json": map[string]any{"schema": ref(body), "example": example}}},
			"responses":   map[string]any{"200": one, "400": errResp, "401": errResp, "403": errResp, "404": errResp, "409": errResp},
		}}
	}
	paths["/api/v1/returns/{rma}/received"] = step("receive_return", "The returned parcel arrived at the warehouse.", reflect.TypeOf(APIReturnStep{}), APIReturnStep{Note: "Checked: as described."})
	paths["/api/v1/returns/{rma}/refund"] = step("refund_return", "The refund was issued (by default the refund due); a second refund is 409.", reflect.TypeOf(APIRefund{}), APIRefund{Reference: "PSP-20261120-0042"})
	paths["/api/v1/returns/{rma}/exchange"] = step("exchange_return", "The replacement of an exchange was sent; its reservation is fulfilled.", reflect.TypeOf(APIReturnStep{}), APIReturnStep{})
}
