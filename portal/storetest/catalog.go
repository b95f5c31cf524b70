package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// MustCreateProduct stores a product and publishes catalog as its first
// version.
func MustCreateProduct(tb testing.TB, s portal.Store, slug, catalog string) (*portal.Product, *portal.CatalogVersion) {
	tb.Helper()
	p := &portal.Product{Slug: slug, Name: "Product " + slug, Summary: "A test product."}
	if err := s.CreateProduct(ctx(), p); err != nil {
		tb.Fatalf("create product %s: %v", slug, err)
	}
	if _, err := s.SaveDraft(ctx(), p.ID, catalog, "first", "editor@example.com"); err != nil {
		tb.Fatalf("save draft: %v", err)
	}
	v, err := s.PublishDraft(ctx(), p.ID, "editor@example.com")
	if err != nil {
		tb.Fatalf("publish: %v", err)
	}
	return p, v
}

func mustFindProduct(tb testing.TB, s portal.Store, id int64) *portal.Product {
	tb.Helper()
	got, _, err := s.FindProducts(ctx(), portal.ProductFilter{ID: &id})
	if err != nil || len(got) != 1 {
		tb.Fatalf("find product %d: %v (%d found)", id, err, len(got))
	}
	return got[0]
}

func testCatalogs(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	t.Run("ProductValidation", func(t *testing.T) {
		wantCode(t, s.CreateProduct(ctx(), &portal.Product{Slug: "Not A Slug", Name: "x"}), portal.EINVALID)
		wantCode(t, s.CreateProduct(ctx(), &portal.Product{Slug: "ok", Name: " "}), portal.EINVALID)
		if err := s.CreateProduct(ctx(), &portal.Product{Slug: "dup", Name: "Dup"}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.CreateProduct(ctx(), &portal.Product{Slug: "dup", Name: "Dup again"}), portal.EINVALID)
	})
	t.Run("DraftPublishAndVersions", func(t *testing.T) {
		p := &portal.Product{Slug: "bike", Name: "Bike"}
		if err := s.CreateProduct(ctx(), p); err != nil {
			t.Fatal(err)
		}
		if got := mustFindProduct(t, s, p.ID); got.Published != 0 || got.Draft != 0 {
			t.Fatalf("new product published=%d draft=%d, want 0 0", got.Published, got.Draft)
		}
		_, err := s.PublishDraft(ctx(), p.ID, "e")
		wantCode(t, err, portal.ENOTFOUND)
		v1, err := s.SaveDraft(ctx(), p.ID, `{"v":1}`, "first", "ed@example.com")
		if err != nil {
			t.Fatal(err)
		}
		// Saving again replaces the draft, keeping its number.
		v1b, err := s.SaveDraft(ctx(), p.ID, `{"v":"1b"}`, "again", "ed@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := v1b.Version, 1; got != want || v1b.ID != v1.ID {
			t.Fatalf("resaved draft version=%d id=%d, want %d id %d", got, v1b.ID, want, v1.ID)
		}
		if got := mustFindProduct(t, s, p.ID); got.Published != 0 || got.Draft != 1 {
			t.Fatalf("published=%d draft=%d, want 0 1", got.Published, got.Draft)
		}
		if got, _, _ := s.FindProducts(ctx(), portal.ProductFilter{Slug: ptr("bike"), PublishedOnly: true}); len(got) != 0 {
			t.Fatal("unpublished product listed as published")
		}
		c.t = c.t.Add(time.Minute)
		pub, err := s.PublishDraft(ctx(), p.ID, "ed@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if pub.Status != portal.VersionPublished || pub.PublishedAt == nil || !pub.PublishedAt.Equal(c.t.Truncate(time.Microsecond)) {
			t.Fatalf("published %+v", pub)
		}
		v2, err := s.SaveDraft(ctx(), p.ID, `{"v":2}`, "second", "ed@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := v2.Version, 2; got != want {
			t.Fatalf("second draft version=%d, want %d", got, want)
		}
		cur, _, err := s.FindCatalogVersions(ctx(), portal.CatalogVersionFilter{ProductID: &p.ID, Current: true})
		if err != nil || len(cur) != 1 || cur[0].Version != 1 || cur[0].Catalog != `{"v":"1b"}` {
			t.Fatalf("current=%+v err=%v, want version 1 with the resaved catalogue", cur, err)
		}
		if _, err := s.PublishDraft(ctx(), p.ID, "ed@example.com"); err != nil {
			t.Fatal(err)
		}
		all, total, err := s.FindCatalogVersions(ctx(), portal.CatalogVersionFilter{ProductID: &p.ID})
		if err != nil || total != 2 || all[0].Version != 2 || all[1].Version != 1 {
			t.Fatalf("versions %+v total=%d err=%v", all, total, err)
		}
		if got := mustFindProduct(t, s, p.ID); got.Published != 2 || got.Draft != 0 {
			t.Fatalf("published=%d draft=%d, want 2 0", got.Published, got.Draft)
		}
	})
	t.Run("DiscardDraft", func(t *testing.T) {
		p := &portal.Product{Slug: "lamp", Name: "Lamp"}
		if err := s.CreateProduct(ctx(), p); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.DiscardDraft(ctx(), p.ID), portal.ENOTFOUND)
		if _, err := s.SaveDraft(ctx(), p.ID, `{}`, "", "e"); err != nil {
			t.Fatal(err)
		}
		if err := s.DiscardDraft(ctx(), p.ID); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := s.FindCatalogVersions(ctx(), portal.CatalogVersionFilter{ProductID: &p.ID}); n != 0 {
			t.Fatalf("%d versions left after discard", n)
		}
	})
	t.Run("UnknownProduct", func(t *testing.T) {
		_, err := s.SaveDraft(ctx(), 999999, `{}`, "", "e")
		wantCode(t, err, portal.ENOTFOUND)
		wantCode(t, s.UpdateProduct(ctx(), &portal.Product{ID: 999999, Slug: "x", Name: "x"}), portal.ENOTFOUND)
	})
	t.Run("ConcurrentDraftsGetOneNumber", func(t *testing.T) {
		p := &portal.Product{Slug: "chair", Name: "Chair"}
		if err := s.CreateProduct(ctx(), p); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.SaveDraft(ctx(), p.ID, `{}`, "", "e")
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, n, _ := s.FindCatalogVersions(ctx(), portal.CatalogVersionFilter{ProductID: &p.ID}); n != 1 {
			t.Fatalf("%d drafts, want 1", n)
		}
	})
}

func testQuotes(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	bob := MustCreateUser(t, s, portal.RoleCustomer, "bob@example.com")
	p, v1 := MustCreateProduct(t, s, "pc", `{"v":1}`)
	newQuote := func(tb testing.TB, u *portal.User, number string, v *portal.CatalogVersion) *portal.Quote {
		tb.Helper()
		q := &portal.Quote{Number: number, CustomerID: u.ID, ProductID: p.ID, VersionID: v.ID, Config: `{"selected":["a"]}`,
			Breakdown: `{"total":1000}`, Currency: "EUR", TotalMinor: 1000}
		if err := s.CreateQuote(ctx(), q); err != nil {
			tb.Fatalf("create quote: %v", err)
		}
		return q
	}
	adas := newQuote(t, ada, "Q-A1", v1)
	bobs := newQuote(t, bob, "Q-B1", v1)
	t.Run("RoundTrip", func(t *testing.T) {
		got, total, err := s.FindQuotes(ctx(), portal.QuoteFilter{CustomerID: &ada.ID})
		if err != nil || total != 1 {
			t.Fatalf("total=%d err=%v", total, err)
		}
		q := got[0]
		if q.Number != "Q-A1" || q.Version != 1 || q.VersionID != v1.ID || q.Config != `{"selected":["a"]}` || q.Breakdown != `{"total":1000}` ||
			q.TotalMinor != 1000 || q.Status != portal.QuoteOpen || q.OrderID != nil || !q.CreatedAt.Equal(c.t.Truncate(time.Microsecond)) {
			t.Fatalf("got %+v", q)
		}
	})
	t.Run("InHistory", func(t *testing.T) {
		items, total, err := s.FindHistory(ctx(), portal.HistoryFilter{CustomerID: ada.ID, Kinds: []string{portal.HistoryQuote}})
		if err != nil || total != 1 || items[0].Ref != "Q-A1" || items[0].Minor != 1000 {
			t.Fatalf("history %+v total=%d err=%v", items, total, err)
		}
	})
	t.Run("CustomerNeverSeesAnothersQuote", func(t *testing.T) {
		got, total, _ := s.FindQuotes(ctx(), portal.QuoteFilter{ID: &bobs.ID, CustomerID: &ada.ID})
		if total != 0 || len(got) != 0 {
			t.Fatalf("ada sees bob's quote: %+v", got)
		}
		got, total, _ = s.FindQuotes(ctx(), portal.QuoteFilter{Number: ptr("Q-B1"), CustomerID: &ada.ID})
		if total != 0 || len(got) != 0 {
			t.Fatalf("ada finds bob's quote by number: %+v", got)
		}
		_, err := s.RepriceQuote(ctx(), bobs.ID, ada.ID, portal.QuoteReprice{VersionID: v1.ID, Currency: "EUR"})
		wantCode(t, err, portal.ENOTFOUND)
		err = s.OrderQuote(ctx(), bobs.ID, ada.ID, &portal.Order{Number: "CF-X", Email: ada.Email, Currency: "EUR"})
		wantCode(t, err, portal.ENOTFOUND)
	})
	t.Run("OnlyPublishedVersions", func(t *testing.T) {
		draft, err := s.SaveDraft(ctx(), p.ID, `{"v":"draft"}`, "", "e")
		if err != nil {
			t.Fatal(err)
		}
		err = s.CreateQuote(ctx(), &portal.Quote{Number: "Q-D", CustomerID: ada.ID, ProductID: p.ID, VersionID: draft.ID, Currency: "EUR"})
		wantCode(t, err, portal.EINVALID)
		if err := s.DiscardDraft(ctx(), p.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("StaleVersionCannotBeOrdered", func(t *testing.T) {
		q := newQuote(t, ada, "Q-A2", v1)
		if _, err := s.SaveDraft(ctx(), p.ID, `{"v":2}`, "", "e"); err != nil {
			t.Fatal(err)
		}
		v2, err := s.PublishDraft(ctx(), p.ID, "e")
		if err != nil {
			t.Fatal(err)
		}
		o := &portal.Order{Number: "CF-1", Email: ada.Email, Status: portal.OrderPlaced, PaymentStatus: portal.PaymentPending, Currency: "EUR",
			Items: []portal.OrderItem{{SKU: "pc", Name: "PC", Quantity: 1, UnitPriceMinor: 1000, TotalMinor: 1000, Config: `{"selected":["a"]}`}}}
		wantCode(t, s.OrderQuote(ctx(), q.ID, ada.ID, o), portal.ECONFLICT)
		if _, n, _ := s.FindOrders(ctx(), portal.OrderFilter{Number: ptr("CF-1")}); n != 0 {
			t.Fatal("order created from a stale quote")
		}
		c.t = c.t.Add(time.Hour)
		rq, err := s.RepriceQuote(ctx(), q.ID, ada.ID, portal.QuoteReprice{VersionID: v2.ID, Config: `{"selected":["a","b"]}`, Breakdown: `{}`, Currency: "EUR", TotalMinor: 1200})
		if err != nil {
			t.Fatal(err)
		}
		if rq.Version != 2 || rq.TotalMinor != 1200 || rq.Config != `{"selected":["a","b"]}` || !rq.UpdatedAt.Equal(c.t.Truncate(time.Microsecond)) {
			t.Fatalf("repriced %+v", rq)
		}
		if err := s.OrderQuote(ctx(), q.ID, ada.ID, o); err != nil {
			t.Fatal(err)
		}
		orders, _, err := s.FindOrders(ctx(), portal.OrderFilter{ID: &o.ID, CustomerID: &ada.ID})
		if err != nil || len(orders) != 1 || len(orders[0].Items) != 1 || orders[0].Items[0].Config != `{"selected":["a"]}` {
			t.Fatalf("ordered %+v err=%v", orders, err)
		}
		got, _, _ := s.FindQuotes(ctx(), portal.QuoteFilter{ID: &q.ID})
		if got[0].Status != portal.QuoteOrdered || got[0].OrderID == nil || *got[0].OrderID != o.ID {
			t.Fatalf("quote after order %+v", got[0])
		}
		t.Run("OrderedTwiceConflicts", func(t *testing.T) {
			err := s.OrderQuote(ctx(), q.ID, ada.ID, &portal.Order{Number: "CF-2", Email: ada.Email, Currency: "EUR"})
			wantCode(t, err, portal.ECONFLICT)
		})
		t.Run("OldQuoteStillReadable", func(t *testing.T) {
			got, _, _ := s.FindQuotes(ctx(), portal.QuoteFilter{ID: &adas.ID, CustomerID: &ada.ID})
			if len(got) != 1 || got[0].Version != 1 {
				t.Fatalf("old quote %+v", got)
			}
		})
	})
	t.Run("BadOrderRollsBack", func(t *testing.T) {
		cur, _, _ := s.FindCatalogVersions(ctx(), portal.CatalogVersionFilter{ProductID: &p.ID, Current: true})
		q := newQuote(t, ada, "Q-A3", cur[0])
		err := s.OrderQuote(ctx(), q.ID, ada.ID, &portal.Order{Number: "CF-3", Email: ada.Email, Currency: "EUR",
			Items: []portal.OrderItem{{SKU: "pc", Quantity: 0}}})
		wantCode(t, err, portal.EINVALID)
		got, _, _ := s.FindQuotes(ctx(), portal.QuoteFilter{ID: &q.ID})
		if got[0].Status != portal.QuoteOpen {
			t.Fatalf("quote status %q after failed order, want open", got[0].Status)
		}
	})
}
