package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
)

// Asked to cancel, the bot sends the customer to the order's cancel page
// while the order is not packed, and says why not once it is.
func TestCancelQuestionFollowsPacking(t *testing.T) {
	env := mustEnv(t, nil)
	ctx := context.Background()
	o := &portal.Order{Number: "NW-3003", CustomerID: env.cust.ID, Email: env.cust.Email, Status: portal.OrderProcessing, Currency: "EUR", TotalMinor: 1990,
		PlacedAt: time.Now().Add(-time.Hour), Items: []portal.OrderItem{{SKU: "L1", Name: "Desk lamp", Quantity: 1, UnitPriceMinor: 1990, TotalMinor: 1990}}}
	if err := env.store.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	p := bot.Participant{Customer: env.cust}
	conv, _, _, _ := env.engine.Send(ctx, p, 0, "a", "I want to cancel my order NW-3003")
	msgs := env.waitMessages(t, conv.ID, 2)
	if got := msgs[1]; !strings.Contains(got.Body, "not packed yet") || !strings.Contains(got.Meta, "/account/orders/NW-3003/cancel") {
		t.Fatalf("before packing: %q meta %s", got.Body, got.Meta)
	}
	o.Status = portal.OrderPacked
	if err := env.store.UpsertOrders(ctx, []*portal.Order{o}); err != nil {
		t.Fatal(err)
	}
	env.engine.Send(ctx, p, conv.ID, "b", "I want to cancel my order NW-3003")
	msgs = env.waitMessages(t, conv.ID, 4)
	if got := msgs[3]; !strings.Contains(got.Body, "already packed") || strings.Contains(got.Meta, "/cancel") {
		t.Fatalf("after packing: %q meta %s", got.Body, got.Meta)
	}
}
