package web

import (
	"reflect"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// APICase opens a case from the retailer's systems (a call centre, a shop
// back end). A customer_email of an existing customer links the case to
// their account, where they follow and answer it.
type APICase struct {
	CustomerEmail string   `json:"customer_email"`
	Name          string   `json:"name,omitempty"`
	Subject       string   `json:"subject,omitempty"`
	Body          string   `json:"body"`
	Priority      string   `json:"priority,omitempty"`
	OrderNumber   string   `json:"order_number,omitempty"`
	Tags          []string `json:"tags,omitempty"`
}

// APICaseMessage adds to a case: a customer's message (kind customer,
// which reopens the case) or an internal note (kind note).
type APICaseMessage struct {
	Kind string `json:"kind"`
	Body string `json:"body"`
}

// APICaseEntry is one public message of a case.
type APICaseEntry struct {
	Kind      string    `json:"kind"`
	Channel   string    `json:"channel"`
	Author    string    `json:"author,omitempty"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// APICaseOut is a case as the API answers it.
type APICaseOut struct {
	Number        string         `json:"number"`
	Status        string         `json:"status"`
	Priority      string         `json:"priority"`
	Subject       string         `json:"subject"`
	CustomerEmail string         `json:"customer_email"`
	OrderNumber   string         `json:"order_number,omitempty"`
	Assignee      string         `json:"assignee,omitempty"`
	Team          string         `json:"team,omitempty"`
	Tags          []string       `json:"tags"`
	DueAt         *time.Time     `json:"due_at,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	Entries       []APICaseEntry `json:"entries,omitempty"`
}

func apiCaseOut(c *portal.Case, es []*portal.CaseEntry) APICaseOut {
	out := APICaseOut{Number: c.Number(), Status: c.Status, Priority: c.Priority, Subject: c.Subject, CustomerEmail: c.Email, OrderNumber: c.OrderNumber,
		Assignee: c.AssigneeName, Team: c.TeamName, Tags: c.Tags, DueAt: c.DueAt, CreatedAt: c.CreatedAt}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	for _, e := range es {
		out.Entries = append(out.Entries, APICaseEntry{Kind: e.Kind, Channel: e.Channel, Author: e.AuthorName, Body: e.Body, CreatedAt: e.CreatedAt})
	}
	return out
}

// handleAPICaseCreate opens a case; the customer gets the acknowledgement
// and the staff the alert, as with the contact form.
func (s *Server) handleAPICaseCreate(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var a APICase
	if err := decodeStrict(c.Body(), &a); err != nil {
		return err
	}
	cs := &portal.Case{Channel: portal.ChannelAPI, Email: a.CustomerEmail, Name: a.Name, Subject: a.Subject, Body: a.Body, Priority: a.Priority, Tags: a.Tags}
	if u, err := s.store.FindUserByEmail(ctx, a.CustomerEmail); err == nil && u.Role == portal.RoleCustomer {
		cs.CustomerID = &u.ID
		if cs.Name == "" {
			cs.Name = u.Name
		}
	} else if err != nil && !portal.IsNotFound(err) && portal.ErrorCode(err) != portal.EINVALID {
		return err
	}
	if n := strings.TrimSpace(a.OrderNumber); n != "" {
		os, _, err := s.store.FindOrders(ctx, portal.OrderFilter{Number: &n, Limit: 1})
		if err != nil {
			return err
		}
		if len(os) == 0 {
			return portal.FieldError("order_number", "No order numbered "+n+".")
		}
		cs.OrderID = &os[0].ID
	}
	// The retailer's systems vouch for the address.
	if err := s.cases.Open(ctx, cs, nil, true); err != nil {
		return err
	}
	got, err := s.store.FindCase(ctx, cs.ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(apiCaseOut(got, nil))
}

// apiCase finds the case of the :number parameter.
func (s *Server) apiCase(c *fiber.Ctx) (*portal.Case, error) {
	id, ok := portal.ParseCaseNumber(c.Params("number"))
	if !ok {
		return nil, portal.Errorf(portal.ENOTFOUND, "No case numbered %q.", c.Params("number"))
	}
	return s.store.FindCase(c.UserContext(), id)
}

// handleAPICaseView returns a case with its public messages.
func (s *Server) handleAPICaseView(c *fiber.Ctx) error {
	cs, err := s.apiCase(c)
	if err != nil {
		return err
	}
	es, err := s.store.FindCaseEntries(c.UserContext(), cs.ID, false)
	if err != nil {
		return err
	}
	return c.JSON(apiCaseOut(cs, es))
}

// handleAPICaseMessage adds a customer's message or an internal note.
func (s *Server) handleAPICaseMessage(c *fiber.Ctx) error {
	cs, err := s.apiCase(c)
	if err != nil {
		return err
	}
	var a APICaseMessage
	if err := decodeStrict(c.Body(), &a); err != nil {
		return err
	}
	e := &portal.CaseEntry{CaseID: cs.ID, Channel: portal.ChannelAPI, Body: a.Body}
	switch a.Kind {
	case portal.EntryCustomer:
		e.AuthorID, e.AuthorName = cs.CustomerID, cs.Name
		cs, err = s.cases.CustomerMessage(c.UserContext(), e)
	case portal.EntryNote:
		e.Kind, e.AuthorName = portal.EntryNote, "Back office"
		cs, err = s.store.AddCaseEntry(c.UserContext(), e, "", nil)
	default:
		return portal.FieldError("kind", "kind must be customer or note.")
	}
	if err != nil {
		return err
	}
	got, err := s.store.FindCase(c.UserContext(), cs.ID)
	if err != nil {
		return err
	}
	return c.JSON(apiCaseOut(got, nil))
}

// casesOpenAPI documents the case operations.
func casesOpenAPI(paths map[string]any, ref func(reflect.Type) map[string]any, errResp map[string]any) {
	out := map[string]any{"description": "The case", "content": map[string]any{"application/json": map[string]any{"schema": ref(reflect.TypeOf(APICaseOut{}))}}}
	numberParam := map[string]any{"name": "number", "in": "path", "required": true, "description": "The case number, like C-000123.", "schema": map[string]any{"type": "string"}}
	paths["/api/v1/cases"] = map[string]any{"post": map[string]any{
		"operationId": "create_case",
		"summary":     "Open a case. The customer gets the acknowledgement with the case number and when to expect an answer; staff are alerted. Scope " + portal.ScopeCasesWrite + ".",
		"security":    []any{map[string]any{"bearer": []any{portal.ScopeCasesWrite}}},
		"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(reflect.TypeOf(APICase{})),
			"example": APICase{CustomerEmail: "jane.doe@example.org", Subject: "Mug arrived broken", Body: "Called the hotline: one mug of the set arrived broken.", Priority: portal.PriorityHigh, Tags: []string{"phone", "damage"}}}}},
		"responses": map[string]any{"201": out, "400": errResp, "401": errResp, "403": errResp},
	}}
	paths["/api/v1/cases/{number}"] = map[string]any{"get": map[string]any{
		"operationId": "get_case", "summary": "A case with its messages to and from the customer. Scope read.",
		"security":   []any{map[string]any{"bearer": []any{portal.ScopeRead}}},
		"parameters": []any{numberParam},
		"responses":  map[string]any{"200": out, "401": errResp, "403": errResp, "404": errResp},
	}}
	paths["/api/v1/cases/{number}/messages"] = map[string]any{"post": map[string]any{
		"operationId": "add_case_message",
		"summary":     "Add a customer's message (kind customer; reopens the case and alerts staff) or an internal note (kind note). Scope " + portal.ScopeCasesWrite + ".",
		"security":    []any{map[string]any{"bearer": []any{portal.ScopeCasesWrite}}},
		"parameters":  []any{numberParam},
		"requestBody": map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(reflect.TypeOf(APICaseMessage{})),
			"example": APICaseMessage{Kind: portal.EntryNote, Body: "Replacement sent from the warehouse."}}}},
		"responses": map[string]any{"200": out, "400": errResp, "401": errResp, "403": errResp, "404": errResp},
	}}
}
