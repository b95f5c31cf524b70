// Package demo seeds a believable fictional retailer, "Northwind Living":
// customers with orders, invoices and shipments with tracking events, FAQ
// articles in categories, and staff accounts. The demo logins all use the
// password "demo".
package demo

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
)

// Password is every demo account's password.
const Password = "demo"

// Logins are the demo accounts printed at start.
var Logins = []struct {
	Email string
	Role  portal.Role
}{
	{"customer@example.com", portal.RoleCustomer},
	{"agent@example.com", portal.RoleAgent},
	{"editor@example.com", portal.RoleEditor},
	{"manager@example.com", portal.RoleManager},
	{"admin@example.com", portal.RoleAdmin},
}

// Store is what seeding writes to.
type Store interface {
	portal.UserService
	portal.OrderService
	portal.ShipmentService
	portal.ArticleService
	portal.CatalogService
}

// Counts reports what Seed created.
type Counts struct {
	Customers, Staff, Orders, Invoices, Shipments, Events, Articles, Categories, Products int
}

var firstNames = []string{"Ada", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannah", "Ivan", "Jonas", "Katarzyna", "Lena",
	"Mehmet", "Nora", "Oskar", "Paula", "Quentin", "Rosa", "Sven", "Tara", "Ulla", "Viktor", "Wiebke", "Yusuf"}
var lastNames = []string{"Becker", "Nowak", "Schulz", "Rossi", "Yilmaz", "Hoffmann", "Jensen", "Dubois", "Weber", "Kowalski",
	"Fischer", "Meyer", "Lindqvist", "Costa", "Schneider", "Novak"}

type place struct{ city, region, postcode, country, zone string }

var places = []place{
	{"Berlin", "Berlin", "10115", "DE", "Europe/Berlin"}, {"Hamburg", "Hamburg", "20095", "DE", "Europe/Berlin"},
	{"Munich", "Bavaria", "80331", "DE", "Europe/Berlin"}, {"Cologne", "North Rhine-Westphalia", "50667", "DE", "Europe/Berlin"},
	{"Leipzig", "Saxony", "04109", "DE", "Europe/Berlin"}, {"Vienna", "Vienna", "1010", "AT", "Europe/Vienna"},
	{"Amsterdam", "North Holland", "1012", "NL", "Europe/Amsterdam"}, {"Copenhagen", "Capital Region", "1050", "DK", "Europe/Copenhagen"},
	{"Lyon", "Auvergne-Rhône-Alpes", "69001", "FR", "Europe/Paris"}, {"Warsaw", "Masovia", "00-001", "PL", "Europe/Warsaw"},
}

var products = []struct {
	sku, name string
	price     int64
}{
	{"NW-MUG-02", "Stoneware mug, set of 2", 2400}, {"NW-LAMP-11", "Arc floor lamp", 12900}, {"NW-CHAIR-07", "Oak dining chair", 18900},
	{"NW-THROW-03", "Wool throw blanket", 5900}, {"NW-KB-100", "Mechanical keyboard", 8900}, {"NW-MON-27", "27\" 4K monitor", 34900},
	{"NW-DESK-14", "Standing desk 140 cm", 44900}, {"NW-PILLOW-2", "Linen cushion cover", 1990}, {"NW-HUB-7", "USB-C hub, 7 ports", 4490},
	{"NW-SHELF-5", "Wall shelf, walnut", 7900}, {"NW-RUG-160", "Jute rug 160×230", 14900}, {"NW-HEAD-1", "Wireless headphones", 19900},
}

var carriers = []string{"DHL", "DPD", "UPS", "GLS"}

// Seed fills an empty store. now anchors every date so the data looks recent.
func Seed(ctx context.Context, s Store, now time.Time) (Counts, error) {
	var n Counts
	rng := rand.New(rand.NewSource(42))
	// One hash for every demo account: hashing is deliberately slow.
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return n, err
	}
	for _, l := range Logins[1:] {
		name := strings.TrimSuffix(l.Email, "@example.com")
		name = strings.ToUpper(name[:1]) + name[1:]
		if err := s.CreateUser(ctx, &portal.User{Email: l.Email, Name: "Demo " + name, Role: l.Role, PasswordHash: hash, TimeZone: "Europe/Berlin"}); err != nil {
			return n, fmt.Errorf("demo: staff: %w", err)
		}
		n.Staff++
	}
	for i := 0; i < 24; i++ {
		p := places[i%len(places)]
		first, last := firstNames[i], lastNames[i%len(lastNames)]
		email := fmt.Sprintf("%s.%s@example.net", strings.ToLower(first), strings.ToLower(last))
		if i == 0 {
			email = "customer@example.com"
		}
		u := &portal.User{Email: email, Name: first + " " + last, Role: portal.RoleCustomer, PasswordHash: hash, TimeZone: p.zone, Postcode: p.postcode}
		if err := s.CreateUser(ctx, u); err != nil {
			return n, fmt.Errorf("demo: customer: %w", err)
		}
		n.Customers++
		orders := 1 + rng.Intn(4)
		if i == 0 {
			orders = 7
		}
		for j := 0; j < orders; j++ {
			// The newest orders are still on their way; older ones arrived.
			age := time.Duration(j*9+rng.Intn(5))*24*time.Hour + time.Duration(rng.Intn(20))*time.Hour
			if j == 0 {
				age = time.Duration(1+rng.Intn(2))*24*time.Hour + time.Duration(rng.Intn(8))*time.Hour
			}
			if err := seedOrder(ctx, s, rng, u, p, i, j, now.Add(-age), now, &n); err != nil {
				return n, err
			}
		}
	}
	if err := seedFAQ(ctx, s, now, &n); err != nil {
		return n, err
	}
	if err := seedCatalogs(ctx, s, &n); err != nil {
		return n, err
	}
	return n, nil
}

func seedOrder(ctx context.Context, s Store, rng *rand.Rand, u *portal.User, p place, ci, oi int, placed, now time.Time, n *Counts) error {
	o := &portal.Order{Number: fmt.Sprintf("NW-%d%03d", 10000+ci*10+oi, rng.Intn(1000)), CustomerID: u.ID, Email: u.Email,
		PaymentStatus: portal.PaymentPaid, Currency: "EUR", PlacedAt: placed,
		ShippingAddress: portal.Address{Name: u.Name, Line1: fmt.Sprintf("%s %d", []string{"Hauptstraße", "Gartenweg", "Lindenallee", "Marktplatz"}[rng.Intn(4)], 1+rng.Intn(90)), City: p.city, Region: p.region, Postcode: p.postcode, Country: p.country}}
	o.BillingAddress = o.ShippingAddress
	for k, lines := 0, 1+rng.Intn(3); k < lines; k++ {
		pr := products[rng.Intn(len(products))]
		q := 1 + rng.Intn(2)
		o.Items = append(o.Items, portal.OrderItem{SKU: pr.sku, Name: pr.name, Quantity: q, UnitPriceMinor: pr.price, TotalMinor: pr.price * int64(q)})
		o.SubtotalMinor += pr.price * int64(q)
	}
	if o.SubtotalMinor < 5000 {
		o.ShippingMinor = 495
	}
	o.TotalMinor = o.SubtotalMinor + o.ShippingMinor
	o.TaxMinor = o.TotalMinor * 19 / 119 // prices include 19% VAT
	inTransit := oi == 0
	o.Status = portal.OrderDelivered
	if inTransit {
		o.Status = portal.OrderShipped
	}
	if err := s.CreateOrder(ctx, o); err != nil {
		return fmt.Errorf("demo: order: %w", err)
	}
	n.Orders++
	paid := placed.Add(time.Minute)
	if err := s.CreateInvoice(ctx, &portal.Invoice{Number: "INV-" + strings.TrimPrefix(o.Number, "NW-"), OrderID: o.ID, CustomerID: u.ID, Currency: "EUR",
		TotalMinor: o.TotalMinor, TaxMinor: o.TaxMinor, Status: "paid", IssuedAt: placed, DueAt: placed.Add(14 * 24 * time.Hour), PaidAt: &paid}); err != nil {
		return fmt.Errorf("demo: invoice: %w", err)
	}
	n.Invoices++
	parcels := 1
	if len(o.Items) > 1 && rng.Intn(3) == 0 {
		parcels = 2 // some orders ship in two parcels
	}
	for k := 0; k < parcels; k++ {
		carrier := carriers[rng.Intn(len(carriers))]
		eta := placed.Add(4 * 24 * time.Hour).Truncate(24 * time.Hour)
		sh := &portal.Shipment{OrderID: o.ID, CustomerID: u.ID, Carrier: carrier, TrackingNumber: fmt.Sprintf("%s%010d", carrier[:2], rng.Int63n(1e10)), CreatedAt: placed.Add(3 * time.Hour)}
		if inTransit {
			sh.EstimatedDelivery = &eta
		}
		if err := s.CreateShipment(ctx, sh); err != nil {
			return fmt.Errorf("demo: shipment: %w", err)
		}
		n.Shipments++
		steps := []struct {
			st        portal.ShipmentStatus
			raw, msg  string
			after     time.Duration
			warehouse bool
		}{
			{portal.StatusInfoReceived, "InfoReceived", "Shipment information received", 3 * time.Hour, true},
			{portal.StatusInTransit, "InTransit", "Picked up by the carrier", 8 * time.Hour, true},
			{portal.StatusInTransit, "InTransit", "Arrived at the sorting centre", 20 * time.Hour, false},
			{portal.StatusOutForDelivery, "OutForDelivery", "Out for delivery", 44 * time.Hour, false},
			{portal.StatusDelivered, "Delivered", "Delivered, handed to the recipient", 50 * time.Hour, false},
		}
		for si, st := range steps {
			at := placed.Add(st.after + time.Duration(rng.Intn(50))*time.Minute)
			if at.After(now) {
				break
			}
			loc := p
			if st.warehouse {
				loc = places[4] // the Leipzig warehouse
			} else if si == 2 {
				loc = places[(ci+3)%len(places)]
			}
			_, off := at.In(mustZone(loc.zone)).Zone()
			e := &portal.TrackingEvent{ShipmentID: sh.ID, Source: "demo", EventID: fmt.Sprintf("%d-%d", sh.ID, si), Carrier: carrier, Status: st.st,
				RawStatus: st.raw, Message: st.msg, City: loc.city, Region: loc.region, Postcode: loc.postcode, Country: loc.country,
				OccurredAt: at, LocalOffsetMinutes: off / 60, ReceivedAt: at.Add(time.Duration(1+rng.Intn(5)) * time.Minute)}
			if _, err := s.AddTrackingEvent(ctx, e); err != nil {
				return fmt.Errorf("demo: event: %w", err)
			}
			n.Events++
		}
	}
	return nil
}

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return z
}

func seedFAQ(ctx context.Context, s Store, now time.Time, n *Counts) error {
	for pos, cat := range faq {
		c := &portal.Category{Name: cat.category, Position: pos}
		if err := s.CreateCategory(ctx, c); err != nil {
			return fmt.Errorf("demo: category: %w", err)
		}
		n.Categories++
		for _, e := range cat.entries {
			a := &portal.Article{Title: e.title, Summary: e.summary, Body: e.body, CategoryID: &c.ID, Phrasings: e.phrasings, Tags: e.tags,
				Locale: "en", Status: portal.ArticlePublished}
			if err := s.CreateArticle(ctx, a); err != nil {
				return fmt.Errorf("demo: article %q: %w", e.title, err)
			}
			n.Articles++
		}
	}
	return nil
}
