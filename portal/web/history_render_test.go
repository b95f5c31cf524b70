package web

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// TestRenderHistoryItemsMatchesTemplate: the direct writer gives exactly
// what the "history_items" template gives, for every kind, plain and
// awkward values (which go through the template), time zones with and
// without abbreviations, amounts and none, pagers and none.
func TestRenderHistoryItemsMatchesTemplate(t *testing.T) {
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	tmpl := r.pages["history"]
	if tmpl == nil {
		t.Fatal("no history page template")
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	noAbbr := time.FixedZone("", 3*3600) // formats as "+03"
	zones := []*time.Location{time.UTC, berlin, kolkata, noAbbr}
	kinds := []string{"order", "invoice", "shipment", "quote", "chat", "case", "other"}
	refs := []string{"B-000001-000", "NW-10000345", "BT000001002", "Q_1.2~x", "Where is my sofa?", "a+b", "<script>", `"quoted"`, "Tom & Jerry", "it's", "Grüße", "with space", "x/y", "bad\xffutf8", ""}
	statuses := []string{"shipped", "paid", "in_transit", "open", "", "a<b", "+1"}
	pagers := []*pager{nil, {Page: 1, Pages: 1}, {Page: 1, Pages: 3, Next: "/account/history?page=2"}, {Page: 2, Pages: 3, Prev: "/account/history?page=1&kind=order", Next: "/account/history?page=3&kind=order"}}
	rng := rand.New(rand.NewSource(1))
	fast := 0
	for n := 0; n < 400; n++ {
		var items []*portal.HistoryItem
		plain := n%2 == 0 // half the lists only plain values: the direct path
		for i := rng.Intn(6); i > 0; i-- {
			it := &portal.HistoryItem{Kind: kinds[rng.Intn(6)], ID: rng.Int63n(100000), Ref: refs[rng.Intn(4)], Status: statuses[rng.Intn(4)],
				Minor: rng.Int63n(2_000_000) - 1000, At: time.Date(2026, time.Month(1+rng.Intn(12)), 1+rng.Intn(28), rng.Intn(24), rng.Intn(60), 0, 0, time.UTC)}
			if rng.Intn(3) > 0 {
				it.Currency = []string{"EUR", "USD", "GBP", "SEK"}[rng.Intn(4)]
			}
			if !plain {
				it.Kind, it.Ref, it.Status = kinds[rng.Intn(len(kinds))], refs[rng.Intn(len(refs))], statuses[rng.Intn(len(statuses))]
			}
			items = append(items, it)
		}
		zone := zones[rng.Intn(len(zones))]
		if plain && zone == noAbbr {
			zone = berlin
		}
		list := historyList{Items: items, Pager: pagers[rng.Intn(len(pagers))], Zone: zone, Empty: "Nothing & nobody"}
		var want, got bytes.Buffer
		if err := tmpl.ExecuteTemplate(&want, "history_items", list); err != nil {
			t.Fatal(err)
		}
		got.WriteString("prefix:") // the writer appends
		if err := renderHistoryItems(&got, tmpl, list); err != nil {
			t.Fatal(err)
		}
		if g := got.String()[len("prefix:"):]; g != want.String() {
			t.Fatalf("list %d differs from the template.\n got: %q\nwant: %q", n, g, want.String())
		}
		if plain && len(items) > 0 {
			fast++
		}
	}
	if fast < 100 {
		t.Fatalf("only %d lists took the direct path", fast)
	}
}

func BenchmarkRenderHistoryItems(b *testing.B) {
	r, err := newRenderer()
	if err != nil {
		b.Fatal(err)
	}
	tmpl := r.pages["history"]
	berlin, _ := time.LoadLocation("Europe/Berlin")
	var items []*portal.HistoryItem
	for i := 0; i < perPage; i++ {
		items = append(items, &portal.HistoryItem{Kind: []string{"order", "invoice", "shipment"}[i%3], ID: int64(i), Ref: fmt.Sprintf("B-%06d", i), Status: "shipped", Minor: 5900, Currency: "EUR", At: time.Now()})
	}
	list := historyList{Items: items, Pager: &pager{Page: 1, Pages: 3, Next: "/account/history?page=2"}, Zone: berlin}
	var buf bytes.Buffer
	b.Run("template", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			buf.Reset()
			tmpl.ExecuteTemplate(&buf, "history_items", list)
		}
	})
	b.Run("direct", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			buf.Reset()
			renderHistoryItems(&buf, tmpl, list)
		}
	})
}
