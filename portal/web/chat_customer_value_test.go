package web

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/sqlite"
)

// TestAgentPanelShowsCustomerValue: the agent console's customer panel
// carries the customer's segment, chance of being active and lifetime
// value once an analysis has run.
func TestAgentPanelShowsCustomerValue(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "fd.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := bot.New(bot.Config{Store: st, Users: st})
	srv, err := New(TestConfig(t, Config{Store: st, Chat: eng, ChatHub: bot.NewHub(eng.Bus())}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	u := &portal.User{Email: "ada@example.com", Role: portal.RoleCustomer}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for i, days := range []int{40, 20, 2} {
		o := &portal.Order{Number: "V-" + string(rune('a'+i)), CustomerID: u.ID, Email: u.Email, Status: portal.OrderDelivered, PaymentStatus: portal.PaymentPaid,
			Currency: "GBP", TotalMinor: 2500, SubtotalMinor: 2500, PlacedAt: time.Now().AddDate(0, 0, -days)}
		if err := st.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	conv := &portal.Conversation{VisitorID: "v", CustomerID: &u.ID}
	if err := st.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	f, err := srv.customerInfo(ctx, conv, 0)
	if err != nil || f.Customer == nil || f.Customer.Value != nil {
		t.Fatalf("before any analysis: %+v, %v", f.Customer, err)
	}
	srv.analytics.Refit()
	<-srv.analytics.Status().Done
	f, err = srv.customerInfo(ctx, conv, 0)
	if err != nil || f.Customer == nil || f.Customer.Value == nil {
		t.Fatalf("after the analysis: %+v, %v", f.Customer, err)
	}
	if v := f.Customer.Value; v.Segment == "" || !strings.HasSuffix(v.Active, "%") || !strings.HasPrefix(v.CLV, "£") {
		t.Fatalf("value = %+v", v)
	}
}
