package web

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/storetest"
)

// TestAgentPanelShowsReturns: beside the chat, the agent sees the
// customer's returns in words, linked to the page where they decide.
func TestAgentPanelShowsReturns(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "fd.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := bot.New(bot.Config{Store: st, Users: st})
	srv, err := New(TestConfig(t, Config{Store: st, Chat: eng, ChatHub: bot.NewHub(eng.Bus()), DataDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	u := &portal.User{Email: "ada@example.com", Name: "Ada", Role: portal.RoleCustomer}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	o := storetest.MustDeliveredOrder(t, st, u, "A-1", time.Now().Add(-24*time.Hour))
	r := &portal.Return{OrderID: o.ID, CustomerID: u.ID, Kind: portal.ReturnKindExchange, Reason: portal.ReasonWrongItem, Items: []portal.ReturnItem{{SKU: "NW-CHAIR-07", Quantity: 1}}}
	if err := st.CreateReturn(ctx, r, nil); err != nil {
		t.Fatal(err)
	}
	conv := &portal.Conversation{VisitorID: "v", CustomerID: &u.ID}
	if err := st.CreateConversation(ctx, conv); err != nil {
		t.Fatal(err)
	}
	f, err := srv.customerInfo(ctx, conv, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := returnInfo{Number: r.Number(), Kind: "Exchange", Status: "Waiting for approval", Order: "A-1", URL: "/agent/returns/" + strconv.FormatInt(r.ID, 10)}
	if len(f.Returns) != 1 || f.Returns[0] != want {
		t.Fatalf("panel returns %+v, want [%+v]", f.Returns, want)
	}
}
