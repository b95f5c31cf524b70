package search

import (
	"context"
	"testing"
)

// FuzzSearchQuery: whatever a visitor types (as-you-type or not, and as a
// chat question) neither panics nor fails the search.
func FuzzSearchQuery(f *testing.F) {
	ix := mustIndex(f,
		Doc{ID: "a1", Title: "Return a sofa", Body: "You can return furniture within 30 days.", Category: "returns", Published: true},
		Doc{ID: "a2", Title: "Délai de livraison", Body: "Livraison en 3 jours.", Locale: "fr", Published: true},
	)
	for _, s := range []string{"return", "retur", "sofa AND", "\"unclosed", "a*b?c~2", "+-!(){}[]^\"~*?:\\/", "délai", "", "  ", "\x00", "\xff", "ß€日本"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, text string, typing bool) {
		ctx := context.Background()
		if _, err := ix.Search(ctx, Query{Text: text, AsYouType: typing}); err != nil {
			t.Fatalf("search %q: %v", text, err)
		}
		if _, err := ix.Retrieve(ctx, Question{Text: text}); err != nil {
			t.Fatalf("retrieve %q: %v", text, err)
		}
	})
}
