package web

import (
	"fmt"
	"testing"
)

func TestHistoryCache(t *testing.T) {
	hc := newHistoryCache(16)
	k := historyKey{customer: 1, url: "/account/history?", zone: "UTC"}
	if _, ok := hc.get(k, 0); ok {
		t.Fatal("hit on an empty cache")
	}
	hc.put(k, historyEntry{version: 3, items: "<ul>v3</ul>"})
	if e, ok := hc.get(k, 3); !ok || e.items != "<ul>v3</ul>" {
		t.Fatalf("get at the same version: %q %v", e.items, ok)
	}
	// Another version of the customer's history is a miss, never the old page.
	if _, ok := hc.get(k, 4); ok {
		t.Fatal("hit at a newer version")
	}
	if _, ok := hc.get(historyKey{customer: 2, url: k.url, zone: k.zone}, 3); ok {
		t.Fatal("another customer's page served")
	}
	if _, ok := hc.get(historyKey{customer: 1, url: k.url, zone: "Europe/Paris"}, 3); ok {
		t.Fatal("a page rendered for another time zone served")
	}
	for i := range 100 {
		hc.put(historyKey{customer: int64(i + 10), url: k.url}, historyEntry{version: 1})
		if n := hc.len(); n > 16 {
			t.Fatalf("cache grew to %d entries, bound 16", n)
		}
	}
	hc.put(historyKey{customer: 1, url: fmt.Sprintf("/account/history?q=%0600d", 1)}, historyEntry{version: 1})
	if _, ok := hc.get(historyKey{customer: 1, url: fmt.Sprintf("/account/history?q=%0600d", 1)}, 1); ok {
		t.Fatal("an overlong URL was cached")
	}
	off := newHistoryCache(-1)
	off.put(k, historyEntry{version: 1})
	if _, ok := off.get(k, 1); ok {
		t.Fatal("a disabled cache hit")
	}
}
