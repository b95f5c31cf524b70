package search

import (
	"context"
	"testing"
	"unsafe"
)

// TestRetrieveKeepsNoBorrowedLocale: the index keeps no string a caller
// lent it. A web framework may hand out strings backed by a buffer the
// next request overwrites; the cached list of a locale's articles once
// kept such a "de", which then read "en", and every English question got
// the German list (none of its articles) until the next write.
func TestRetrieveKeepsNoBorrowedLocale(t *testing.T) {
	ix, err := NewMemory(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	docs := []Doc{
		{ID: "1", Title: "How do I return an item?", Summary: "Return it within 30 days.", Locale: "en", Published: true},
		{ID: "2", Title: "When will I get my refund?", Summary: "Within five days.", Locale: "en", Published: true},
		{ID: "3", Title: "Wie sende ich einen Artikel zurück?", Summary: "Innerhalb von 30 Tagen.", Locale: "de", Published: true},
	}
	if err := ix.Rebuild(ctx, docs); err != nil {
		t.Fatal(err)
	}
	buf := []byte("de")
	lent := unsafe.String(&buf[0], len(buf))
	if _, err := ix.Retrieve(ctx, Question{Text: "Artikel zurücksenden", Locale: lent}); err != nil {
		t.Fatal(err)
	}
	copy(buf, "en") // the lender reuses its buffer
	r, err := ix.Retrieve(ctx, Question{Text: "How do I return an item?", Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if best, ok := r.Best(); !ok || best.ID != "1" {
		t.Errorf("English question after a German one: %+v, want article 1", r)
	}
}
