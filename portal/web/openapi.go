package web

import (
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/gofiber/fiber/v2"
)

// OpenAPI builds the OpenAPI 3 document of the token API and the tracking
// webhook from the very types the handlers decode.
func OpenAPI() map[string]any {
	schemas := map[string]any{}
	ref := func(t reflect.Type) map[string]any { return schemaRef(t, schemas) }
	when := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	examples := map[string]any{
		"customers": APICustomer{Email: "jane.doe@example.org", Name: "Jane Doe", Postcode: "10115", TimeZone: "Europe/Berlin"},
		"orders": APIOrder{Number: "ERP-1001", CustomerEmail: "jane.doe@example.org", Status: portal.OrderPlaced, PaymentStatus: portal.PaymentPaid,
			Currency: "EUR", SubtotalMinor: 2400, ShippingMinor: 495, TaxMinor: 462, TotalMinor: 2895, PlacedAt: &when,
			ShippingAddress: &portal.Address{Name: "Jane Doe", Line1: "Torstraße 1", City: "Berlin", Postcode: "10115", Country: "DE"},
			Items:           []APIOrderItem{{SKU: "NW-MUG-02", Name: "Stoneware mug, set of 2", Quantity: 1, UnitPriceMinor: 2400, TotalMinor: 2400}}},
		"invoices":  APIInvoice{Number: "ERP-INV-1001", OrderNumber: "ERP-1001", Currency: "EUR", Status: "open", TotalMinor: 2895, TaxMinor: 462, IssuedAt: &when},
		"shipments": APIShipment{TrackingNumber: "DH0012345678", OrderNumber: "ERP-1001", Carrier: "DHL"},
	}
	types := []struct {
		path, scope, summary string
		t                    reflect.Type
	}{
		{"customers", portal.ScopeCustomersWrite, "customer by email", reflect.TypeOf(APICustomer{})},
		{"orders", portal.ScopeOrdersWrite, "order by number (items are replaced)", reflect.TypeOf(APIOrder{})},
		{"invoices", portal.ScopeInvoicesWrite, "invoice by number", reflect.TypeOf(APIInvoice{})},
		{"shipments", portal.ScopeShipmentsWrite, "shipment by tracking number", reflect.TypeOf(APIShipment{})},
	}
	errResp := map[string]any{"description": "Error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	okResp := map[string]any{"description": "Stored", "content": map[string]any{"application/json": map[string]any{"schema": ref(reflect.TypeOf(APIUpserted{}))}}}
	paths := map[string]any{}
	for _, tt := range types {
		sec := []any{map[string]any{"bearer": []any{tt.scope}}}
		ex := examples[tt.path]
		paths["/api/v1/"+tt.path] = map[string]any{"post": map[string]any{
			"operationId": "upsert_" + strings.TrimSuffix(tt.path, "s"),
			"summary":     "Create or update one " + tt.summary + ". Scope " + tt.scope + ".",
			"security":    sec,
			"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(tt.t), "example": ex}}},
			"responses":   map[string]any{"200": okResp, "400": errResp, "401": errResp, "403": errResp},
		}}
		paths["/api/v1/"+tt.path+"/bulk"] = map[string]any{"post": map[string]any{
			"operationId": "bulk_upsert_" + tt.path,
			"summary":     "Create or update up to 1,000 items; all or nothing, with per-item errors in error.items. Scope " + tt.scope + ".",
			"security":    sec,
			"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{
				"schema":  map[string]any{"type": "object", "required": []string{"items"}, "additionalProperties": false, "properties": map[string]any{"items": map[string]any{"type": "array", "items": ref(tt.t)}}},
				"example": map[string]any{"items": []any{ex}},
			}}},
			"responses": map[string]any{"200": okResp, "400": errResp, "401": errResp, "403": errResp},
		}}
	}
	paths["/api/v1/orders/{number}"] = map[string]any{"get": map[string]any{
		"operationId": "get_order", "summary": "An order with its shipments. Scope read.",
		"security":   []any{map[string]any{"bearer": []any{portal.ScopeRead}}},
		"parameters": []any{map[string]any{"name": "number", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}},
		"responses": map[string]any{"200": map[string]any{"description": "The order", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
			"type": "object", "properties": map[string]any{"order": ref(reflect.TypeOf(APIOrder{})), "shipments": map[string]any{"type": "array", "items": ref(reflect.TypeOf(APIShipment{}))}}}}}},
			"401": errResp, "403": errResp, "404": errResp},
	}}
	paths["/api/v1/webhooks/tracking/{source}"] = map[string]any{"post": map[string]any{
		"operationId": "tracking_webhook",
		"summary": "Carrier tracking updates. source is aftership, easypost or frontdesk (the schema below). Signed: " + tracking.HeaderTimestamp +
			" is Unix seconds within 5 minutes of now; " + tracking.HeaderSignature + " is sha256=<hex HMAC-SHA256 of timestamp + \".\" + raw body, keyed with the source's secret>.",
		"parameters": []any{
			map[string]any{"name": "source", "in": "path", "required": true, "schema": map[string]any{"type": "string", "enum": tracking.Sources}},
			map[string]any{"name": tracking.HeaderTimestamp, "in": "header", "required": true, "schema": map[string]any{"type": "string"}},
			map[string]any{"name": tracking.HeaderSignature, "in": "header", "required": true, "schema": map[string]any{"type": "string"}},
		},
		"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
			"type": "object", "required": []string{"events"}, "properties": map[string]any{"events": map[string]any{"type": "array", "items": ref(reflect.TypeOf(tracking.FrontdeskEvent{}))}}},
		}}},
		"responses": map[string]any{"200": map[string]any{"description": "Stored (duplicates are counted, not stored twice)", "content": map[string]any{"application/json": map[string]any{"schema": ref(reflect.TypeOf(tracking.Result{}))}}},
			"400": errResp, "401": errResp, "404": errResp},
	}}
	paths["/api/v1/search"] = searchOpenAPI(errResp)
	configuratorOpenAPI(paths, ref, errResp)
	returnsOpenAPI(paths, ref, errResp)
	casesOpenAPI(paths, ref, errResp)
	schemas["Error"] = map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{"type": "object", "required": []string{"code", "message"}, "properties": map[string]any{
		"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
		"fields": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
		"items":  map[string]any{"type": "object", "description": "Per-item errors of a bulk request, keyed by item index.", "additionalProperties": map[string]any{"type": "string"}},
	}}}}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Frontdesk back-office API", "version": "1", "description": "Token-authenticated API for the retailer's systems. Amounts are integer minor units; times are RFC 3339."},
		"paths":   paths,
		"components": map[string]any{"schemas": schemas, "securitySchemes": map[string]any{
			"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "An API token created by an admin at /admin/tokens."}}},
	}
}

// schemaRef returns a $ref to t's schema, adding it (and the types it uses)
// to schemas.
func schemaRef(t reflect.Type, schemas map[string]any) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeOf(time.Time{}) {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaRef(t.Elem(), schemas)}
	case reflect.Struct:
		name := strings.TrimPrefix(t.Name(), "API")
		if _, ok := schemas[name]; !ok {
			schemas[name] = map[string]any{} // placeholder against recursion
			props := map[string]any{}
			var required []string
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				tag := f.Tag.Get("json")
				if tag == "-" || !f.IsExported() {
					continue
				}
				jname, opts, _ := strings.Cut(tag, ",")
				if jname == "" {
					jname = f.Name
				}
				props[jname] = schemaRef(f.Type, schemas)
				if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
					required = append(required, jname)
				}
			}
			s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
			if len(required) > 0 {
				s["required"] = required
			}
			schemas[name] = s
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

var (
	openAPIOnce sync.Once
	openAPIDoc  map[string]any
)

func (s *Server) handleOpenAPI(c *fiber.Ctx) error {
	openAPIOnce.Do(func() { openAPIDoc = OpenAPI() })
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(openAPIDoc)
}
