package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/tracking"
)

// botReply is a bot answer as the socket delivers it.
type botReply struct {
	Text  string
	Meta  map[string]any
	Links []string
}

func (r botReply) hasLink(prefix string) bool {
	for _, l := range r.Links {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

var askSeq int

// ask sends text and returns the bot's answer to it.
func (w *wsConn) ask(text string) botReply {
	w.tb.Helper()
	askSeq++
	ack := w.say(fmt.Sprintf("ask-%d", askSeq), text)
	f, _ := w.next("bot answer to "+text, func(f wsFrame) bool { return f.Type == "message" && f.Author == "bot" && f.Seq > ack.Seq })
	var r botReply
	r.Text = f.Text
	var meta struct {
		Links []struct{ URL string } `json:"links"`
	}
	_ = json.Unmarshal(f.Meta, &r.Meta)
	_ = json.Unmarshal(f.Meta, &meta)
	for _, l := range meta.Links {
		r.Links = append(r.Links, l.URL)
	}
	if testing.Verbose() {
		w.tb.Logf("Q: %.80s\nA: %s\n   %v", text, r.Text, r.Links)
	}
	return r
}

// demoOrders is what the test knows of a demo customer's orders, read from
// the store.
type demoOrders struct {
	user   *portal.User
	latest *portal.Order
	ships  []*portal.Shipment
	all    []*portal.Order
}

func loadDemoOrders(t *testing.T, st portal.Store, email string) demoOrders {
	t.Helper()
	ctx := context.Background()
	u, err := st.FindUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	all, _, err := st.FindOrders(ctx, portal.OrderFilter{CustomerID: &u.ID, Limit: 50})
	if err != nil || len(all) == 0 {
		t.Fatalf("orders of %s: %v %v", email, all, err)
	}
	ships, _, err := st.FindShipments(ctx, portal.ShipmentFilter{OrderID: &all[0].ID})
	if err != nil || len(ships) == 0 {
		t.Fatalf("shipments of %s: %v %v", all[0].Number, ships, err)
	}
	return demoOrders{user: u, latest: all[0], ships: ships, all: all}
}

func TestChatOrderAnswers(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			ada := loadDemoOrders(t, srv.Store, "customer@example.com")
			var other demoOrders
			{
				users, _, err := srv.Store.FindUsers(context.Background(), portal.UserFilter{Roles: []portal.Role{portal.RoleCustomer}, Limit: 5})
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range users {
					if u.ID != ada.user.ID {
						other = loadDemoOrders(t, srv.Store, u.Email)
						break
					}
				}
			}
			// The demo's newest order is on its way; its parcel is out for
			// delivery (the carrier says so now, whatever the seed made of it).
			parcel := ada.ships[0]
			if parcel.Status != portal.StatusOutForDelivery {
				postTracking(t, srv, parcel.TrackingNumber, "ofd-"+kind, "out_for_delivery", "Out for delivery")
				parcel.Status = portal.StatusOutForDelivery
			}

			t.Run("SignedIn", func(t *testing.T) {
				w, _ := signIn(t, srv, "customer@example.com").hello(0, 0)
				r := w.ask("where is my order")
				if !strings.Contains(r.Text, ada.latest.Number) || !strings.Contains(r.Text, parcel.Status.Label()) || !strings.Contains(r.Text, parcel.Status.Explain()) ||
					!r.hasLink("/account/orders/"+ada.latest.Number) || !r.hasLink(fmt.Sprintf("/account/shipments/%d", parcel.ID)) {
					t.Fatalf("where is my order: %+v", r)
				}
				// The other parcels still in transit say when they are due.
				for _, sh := range ada.ships[1:] {
					if sh.Status == portal.StatusInTransit && sh.EstimatedDelivery != nil && !strings.Contains(r.Text, "Expected delivery: "+sh.EstimatedDelivery.UTC().Format("Monday 2 January")) {
						t.Fatalf("no estimate for %s in %q", sh.TrackingNumber, r.Text)
					}
				}
				if !strings.Contains(r.Text, "Parcel "+parcel.TrackingNumber+" ("+parcel.Carrier+"): Out for delivery. Your parcel is out for delivery today. Latest update: Out for delivery in Berlin") {
					t.Fatalf("no out-for-delivery parcel in %q", r.Text)
				}

				r = w.ask("Where is order " + strings.ToLower(ada.latest.Number) + "?")
				if !strings.Contains(r.Text, ada.latest.Number) || !strings.Contains(r.Text, parcel.TrackingNumber) {
					t.Fatalf("order number in lower case: %+v", r)
				}
				r = w.ask(ada.all[len(ada.all)-1].Number)
				if !strings.Contains(r.Text, ada.all[len(ada.all)-1].Number) || !strings.Contains(r.Text, "delivered") {
					t.Fatalf("only an order number: %+v", r)
				}
				r = w.ask(parcel.TrackingNumber)
				if !strings.Contains(r.Text, ada.latest.Number) {
					t.Fatalf("tracking number: %+v", r)
				}

				item := ada.latest.Items[0].Name
				word := item[strings.LastIndex(item, " ")+1:]
				r = w.ask("When will my " + word + " arrive?")
				if !strings.Contains(r.Text, ada.latest.Number) || !strings.Contains(r.Text, item) {
					t.Fatalf("when will my %s arrive: %+v", word, r)
				}

				r = w.ask("Where is my invoice?")
				inv := "INV-" + strings.TrimPrefix(ada.latest.Number, "NW-")
				if !strings.Contains(r.Text, inv) || !r.hasLink("/account/invoices/"+inv) {
					t.Fatalf("where is my invoice: %+v", r)
				}

				r = w.ask("I want to cancel my order")
				if !strings.Contains(r.Text, ada.latest.Number) || !strings.Contains(r.Text, "can no longer be cancelled") {
					t.Fatalf("cancel a shipped order: %+v", r)
				}
				r = w.ask("I want to return my order " + ada.all[1].Number)
				if !strings.Contains(r.Text, ada.all[1].Number) || !strings.Contains(r.Text, "start a return") || !r.hasLink("/account/orders/"+ada.all[1].Number+"/return") || r.Meta["offer"] != "person" {
					t.Fatalf("return a delivered order: %+v", r)
				}

				// Knowledge-base questions stay knowledge-base questions.
				for _, q := range []string{"How long does a refund take?", "Do you ship to Austria?", "How do I track my order?"} {
					r = w.ask(q)
					if r.Meta["order"] != nil || strings.Contains(r.Text, "NW-") {
						t.Fatalf("%q answered from orders: %+v", q, r)
					}
				}
			})

			// German, the demo retailer's home market: the same answers from
			// the account (in English, the one language the pages ship in).
			t.Run("SignedInAsksInGerman", func(t *testing.T) {
				w, _ := signIn(t, srv, "customer@example.com").hello(0, 0)
				r := w.ask("Wo ist meine Bestellung?")
				if r.Meta["order"] == nil || !strings.Contains(r.Text, ada.latest.Number) || !strings.Contains(r.Text, parcel.Status.Explain()) ||
					!r.hasLink(fmt.Sprintf("/account/shipments/%d", parcel.ID)) {
					t.Fatalf("wo ist meine Bestellung: %+v", r)
				}
				r = w.ask("Wo finde ich meine Rechnung?")
				inv := "INV-" + strings.TrimPrefix(ada.latest.Number, "NW-")
				if !strings.Contains(r.Text, inv) || !r.hasLink("/account/invoices/"+inv) {
					t.Fatalf("wo finde ich meine Rechnung: %+v", r)
				}
				r = w.ask("Ich möchte meine Bestellung stornieren")
				if !strings.Contains(r.Text, ada.latest.Number) || !strings.Contains(r.Text, "can no longer be cancelled") {
					t.Fatalf("stornieren: %+v", r)
				}
				r = w.ask("Ich möchte " + ada.all[1].Number + " zurückgeben")
				if !strings.Contains(r.Text, "start a return") || !r.hasLink("/account/orders/"+ada.all[1].Number+"/return") {
					t.Fatalf("zurückgeben: %+v", r)
				}
				// General questions stay with the knowledge base.
				for _, q := range []string{"Wie lange dauert eine Rückerstattung?", "Liefern Sie nach Österreich?"} {
					if r = w.ask(q); r.Meta["order"] != nil || strings.Contains(r.Text, "NW-") {
						t.Fatalf("%q answered from orders: %+v", q, r)
					}
				}
			})

			t.Run("AnotherCustomersOrderIsNotFound", func(t *testing.T) {
				w, _ := signIn(t, srv, "customer@example.com").hello(0, 0)
				theirs := other.latest
				for _, q := range []string{"Where is order " + theirs.Number + "?", other.ships[0].TrackingNumber, "invoice for " + theirs.Number} {
					r := w.ask(q)
					if !strings.Contains(r.Text, "could not find") || !strings.Contains(r.Text, "on your account") {
						t.Fatalf("%q: %+v", q, r)
					}
					for _, secret := range []string{other.ships[0].TrackingNumber, other.ships[0].Status.Explain(), theirs.Items[0].Name, "INV-"} {
						if strings.Contains(r.Text, secret) && !strings.Contains(q, secret) {
							t.Fatalf("%q leaks %q: %+v", q, secret, r)
						}
					}
				}
			})

			t.Run("Guest", func(t *testing.T) {
				w, _ := newGuest(t, srv).hello(0, 0)
				r := w.ask("Where is my order?")
				if r.Meta["order_ask"] != "number" || strings.Contains(r.Text, "NW-") {
					t.Fatalf("guest without a number: %+v", r)
				}
				r = w.ask(ada.latest.Number)
				if r.Meta["order_ask"] != "contact" || strings.Contains(r.Text, parcel.TrackingNumber) {
					t.Fatalf("guest with only a number: %+v", r)
				}
				r = w.ask(ada.latest.ShippingAddress.Postcode)
				if !strings.Contains(r.Text, ada.latest.Number) || !strings.Contains(r.Text, parcel.Status.Label()) || !r.hasLink("/track") || r.hasLink("/account/") {
					t.Fatalf("guest with number and postcode: %+v", r)
				}
				for _, it := range ada.latest.Items {
					if strings.Contains(r.Text, it.Name) {
						t.Fatalf("guest answer names item %q: %s", it.Name, r.Text)
					}
				}
				r = w.ask("where is " + strings.ToLower(ada.latest.Number) + " email " + strings.ToUpper(ada.user.Email))
				if !strings.Contains(r.Text, parcel.TrackingNumber) {
					t.Fatalf("guest with number and email: %+v", r)
				}
				// A tracking number, in lower case, finds the order as /track does.
				r = w.ask("where is " + strings.ToLower(parcel.TrackingNumber) + " email " + ada.user.Email)
				if !strings.Contains(r.Text, ada.latest.Number) || !strings.Contains(r.Text, parcel.Status.Label()) {
					t.Fatalf("guest with tracking number and email: %+v", r)
				}
				// The answer carries the parcel's signed link, which opens
				// that parcel for anyone who has it.
				prefix := fmt.Sprintf("/track/shipments/%d?", parcel.ID)
				link := ""
				for _, l := range r.Links {
					if strings.HasPrefix(l, prefix) {
						link = l
					}
				}
				if link == "" {
					t.Fatalf("no signed parcel link for the guest: %+v", r.Links)
				}
				res, err := http.Get(srv.URL + link)
				if err != nil {
					t.Fatal(err)
				}
				page, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || !strings.Contains(string(page), "Parcel "+parcel.TrackingNumber) {
					t.Fatalf("signed link from the bot: status %d", res.StatusCode)
				}
			})

			t.Run("GuestWrongPostcodeAndUnknownNumberGetTheSameAnswer", func(t *testing.T) {
				w, _ := newGuest(t, srv).hello(0, 0)
				wrong := w.ask("Where is " + ada.latest.Number + "? postcode 99999")
				unknown := w.ask("Where is NW-99999999? postcode " + ada.latest.ShippingAddress.Postcode)
				if wrong.Text != tracking.NotFoundMessage || unknown.Text != wrong.Text {
					t.Fatalf("wrong postcode %q, unknown number %q", wrong.Text, unknown.Text)
				}
			})

			t.Run("BadInput", func(t *testing.T) {
				w, _ := signIn(t, srv, "customer@example.com").hello(0, 0)
				w.send(map[string]any{"type": "send", "id": "empty", "text": "   "})
				f, _ := w.next("empty text refused", func(f wsFrame) bool { return f.ID == "empty" })
				if f.Type != "error" || f.Code != "invalid" {
					t.Fatalf("empty text: %+v", f)
				}
				// ... and opens no empty conversation.
				if open, _, err := srv.Store.FindConversations(context.Background(), portal.ConversationFilter{CustomerID: &ada.user.ID, Limit: 100}); err != nil {
					t.Fatal(err)
				} else {
					for _, c := range open {
						if c.LastSeq == 0 {
							t.Fatalf("empty conversation %d after an empty message", c.ID)
						}
					}
				}
				for _, text := range []string{
					strings.Repeat("where is my order ", 235)[:4000],
					"🙂🚚📦",
					"Hallo, wo ist mein Paket? Where is my parcel, bitte?",
					"¿Dónde está mi pedido " + ada.latest.Number + "?",
				} {
					r := w.ask(text)
					if r.Text == "" || strings.Contains(r.Text, "Internal") {
						t.Fatalf("%.40q: %+v", text, r)
					}
				}
			})

			// Last: it uses up the per-IP look-ups that /track shares.
			t.Run("GuestGuessingIsRateLimited", func(t *testing.T) {
				var w *wsConn
				limited := false
				for i := 0; i < 40 && !limited; i++ {
					if i%15 == 0 {
						// A new guest (and socket) now and then: sockets limit
						// their own frame rate, and the look-up limit is per IP.
						w, _ = newGuest(t, srv).hello(0, 0)
					}
					r := w.ask(fmt.Sprintf("NW-%08d 10115", 20000000+i))
					if strings.Contains(r.Text, "Too many requests") {
						limited = true
					} else if r.Text != tracking.NotFoundMessage {
						t.Fatalf("guess %d: %+v", i, r)
					}
				}
				if !limited {
					t.Fatal("40 guesses and no limit")
				}
				// Now even the right number and postcode tell nothing.
				r := w.ask(ada.latest.Number + " " + ada.latest.ShippingAddress.Postcode)
				if !strings.Contains(r.Text, "Too many requests") || strings.Contains(r.Text, parcel.TrackingNumber) {
					t.Fatalf("right details after the limit: %+v", r)
				}
				// The same limit guards /track.
				if got, want := postTrack(t, srv, ada.latest.Number, ada.latest.ShippingAddress.Postcode), http.StatusTooManyRequests; got != want {
					t.Fatalf("/track after the chat's guesses: status %d, want %d", got, want)
				}
			})
		})
	}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// postTrack submits the /track form as a guest browser would.
func postTrack(t *testing.T, srv *testServer, number, contact string) int {
	t.Helper()
	g := newGuest(t, srv)
	c := &http.Client{Jar: g.jar, Timeout: 10 * time.Second}
	res, err := c.Get(srv.URL + "/track")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no CSRF field on /track")
	}
	res, err = c.PostForm(srv.URL+"/track", url.Values{"_csrf": {string(m[1])}, "number": {number}, "contact": {contact}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}
