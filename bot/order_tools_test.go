package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
)

// toolModel is a model that looks an order up by the reference it is
// given, then answers with what the tool returned.
type toolModel struct {
	ref     string
	mu      sync.Mutex
	results []string
}

func (m *toolModel) Complete(ctx context.Context, req bot.CompletionRequest, onDelta func(string)) (bot.Completion, error) {
	last := req.Messages[len(req.Messages)-1]
	if last.Role != bot.RoleTool {
		return bot.Completion{ToolCalls: []bot.ToolCall{{ID: "t1", Name: "get_order", Arguments: `{"number":"` + m.ref + `"}`}}}, nil
	}
	m.mu.Lock()
	m.results = append(m.results, last.Content)
	m.mu.Unlock()
	return bot.Completion{Content: "From the tool: " + last.Content}, nil
}

// With a model, order questions go through its tools, which give the same
// facts as the template answers: found by tracking number in any case,
// with the latest event, the estimate, invoices and links; never another
// customer's order.
func TestOrderQuestionsGoThroughTheModelsTools(t *testing.T) {
	model := &toolModel{}
	env := mustEnv(t, model)
	ctx := context.Background()
	other := &portal.User{Email: "other@example.com", Role: portal.RoleCustomer}
	if err := env.store.CreateUser(ctx, other); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	eta := now.Add(48 * time.Hour).Truncate(24 * time.Hour)
	var mine, theirs *portal.Order
	for _, x := range []struct {
		u      *portal.User
		number string
		o      **portal.Order
	}{{env.cust, "NW-1001", &mine}, {other, "NW-2002", &theirs}} {
		o := &portal.Order{Number: x.number, CustomerID: x.u.ID, Email: x.u.Email, Status: portal.OrderShipped, Currency: "EUR", TotalMinor: 1990, PlacedAt: now.Add(-24 * time.Hour),
			Items: []portal.OrderItem{{SKU: "H1", Name: "Wireless headphones", Quantity: 1, UnitPriceMinor: 1990, TotalMinor: 1990}}}
		if err := env.store.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		*x.o = o
		sh := &portal.Shipment{OrderID: o.ID, CustomerID: x.u.ID, Carrier: "DHL", TrackingNumber: "DH" + x.number[3:] + "000000", EstimatedDelivery: &eta}
		if err := env.store.CreateShipment(ctx, sh); err != nil {
			t.Fatal(err)
		}
		if _, err := env.store.AddTrackingEvent(ctx, &portal.TrackingEvent{ShipmentID: sh.ID, Source: "test", EventID: x.number, Carrier: "DHL",
			Status: portal.StatusOutForDelivery, Message: "Out for delivery", City: "Berlin", OccurredAt: now.Add(-time.Hour), ReceivedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := env.store.CreateInvoice(ctx, &portal.Invoice{Number: "INV-" + x.number[3:], OrderID: o.ID, CustomerID: x.u.ID, Currency: "EUR", TotalMinor: 1990,
			Status: "paid", IssuedAt: now, DueAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	p := bot.Participant{Customer: env.cust}

	model.ref = "dh1001000000"
	conv, _, _, _ := env.engine.Send(ctx, p, 0, "a", "Where is my parcel dh1001000000?")
	msgs := env.waitMessages(t, conv.ID, 2)
	var got map[string]any
	if err := json.Unmarshal([]byte(strings.TrimPrefix(msgs[1].Body, "From the tool: ")), &got); err != nil {
		t.Fatalf("answer %q: %v", msgs[1].Body, err)
	}
	b, _ := json.Marshal(got)
	for _, want := range []string{`"number":"NW-1001"`, `"latest_event":"Out for delivery in Berlin`, `"estimated_delivery":"` + eta.Format("2006-01-02"), `"url":"/account/orders/NW-1001"`,
		`"url":"/account/shipments/`, `"number":"INV-1001"`, `"pdf_url":"/account/invoices/INV-1001/pdf"`} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("tool result lacks %s: %s", want, b)
		}
	}

	model.ref = theirs.Number
	env.engine.Send(ctx, p, conv.ID, "b", "Where is order "+theirs.Number+"?")
	msgs = env.waitMessages(t, conv.ID, 4)
	if body := msgs[3].Body; !strings.Contains(body, "No order NW-2002 on this account") || strings.Contains(body, "DH2002") || strings.Contains(body, "INV-2002") {
		t.Fatalf("another customer's order through the tools: %q", body)
	}
}
