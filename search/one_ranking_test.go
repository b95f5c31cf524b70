package search

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestOneRanking holds the promise that FAQ search and the bot agree: when
// Retrieve answers a question, its article is the first result of the
// results page for the same text. It runs over generated knowledge bases
// small enough to be ranked whole and large enough to go through bleve's
// candidates, and over the development sets when they are present.
func TestOneRanking(t *testing.T) {
	type kb struct {
		name    string
		docs    []Doc
		queries []string
	}
	var kbs []kb
	for _, n := range []int{40, 250} {
		docs := GenerateKB(7, n)
		kbs = append(kbs, kb{name: "generated", docs: docs, queries: GenerateQueries(7, docs, 80)})
	}
	for _, set := range []string{"hint3-sofmattress"} {
		docs, qs, err := LoadEvalSet(filepath.Join(evalDir, set))
		if err != nil {
			continue
		}
		var texts []string
		for i, q := range qs {
			if i%2 == 0 {
				texts = append(texts, q.Query)
			}
		}
		kbs = append(kbs, kb{name: set, docs: docs, queries: texts})
	}
	ctx := context.Background()
	for _, k := range kbs {
		ix := mustIndex(t, k.docs...)
		answered := 0
		for _, q := range k.queries {
			r, err := ix.Retrieve(ctx, Question{Text: q, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			res := mustSearch(t, ix, Query{Text: q})
			if r.Decision != DecisionAnswer {
				continue
			}
			answered++
			if len(res.Hits) == 0 || res.Hits[0].ID != r.Matches[0].ID {
				t.Errorf("%s (%d articles): %q: bot answers %s, search lists %v", k.name, len(k.docs), q, r.Matches[0].ID, hitIDs(res))
			}
			if res.Total < uint64(len(res.Hits)) {
				t.Errorf("%q: total %d < %d hits", q, res.Total, len(res.Hits))
			}
		}
		if answered < len(k.queries)/4 {
			t.Errorf("%s: only %d of %d questions answered: the test checks too little", k.name, answered, len(k.queries))
		}
	}
}

// TestTypingForgivesTypos: suggestions find what the results page finds
// for a misspelt word, and count what it lists.
func TestTypingForgivesTypos(t *testing.T) {
	ix := mustIndex(t,
		Doc{ID: "pw", Title: "Reset your password", Summary: "Choose a new password from the sign-in page.", Published: true},
		Doc{ID: "ret", Title: "Return an item", Summary: "Send back what you bought within 30 days.", Published: true},
		Doc{ID: "del", Title: "Delivery times", Summary: "When your parcel arrives.", Published: true},
	)
	for _, tt := range []struct{ text, want string }{
		{"pasword", "pw"},
		{"retrun", "ret"},
		{"how do I retrun", "ret"},
		{"forgot pasword", "pw"},
	} {
		typing := mustSearch(t, ix, Query{Text: tt.text, AsYouType: true, NoHighlight: true})
		page := mustSearch(t, ix, Query{Text: tt.text})
		if got := hitIDs(typing); len(got) == 0 || got[0] != tt.want {
			t.Errorf("typing %q: %v, want %s first", tt.text, got, tt.want)
		}
		if got := hitIDs(page); len(got) == 0 || got[0] != tt.want {
			t.Errorf("results page %q: %v, want %s first", tt.text, got, tt.want)
		}
		count := mustSearch(t, ix, Query{Text: tt.text, CountOnly: true})
		if count.Total != page.Total || len(count.Hits) != 0 {
			t.Errorf("count %q: total %d with %d hits, results page total %d", tt.text, count.Total, len(count.Hits), page.Total)
		}
	}
}

// TestSuggestionsFollowTheOneRankingAtEverySize: suggestions while typing
// come in the order of the one ranking, on a knowledge base ranked whole
// and on one above exhaustiveMax articles alike.
func TestSuggestionsFollowTheOneRankingAtEverySize(t *testing.T) {
	for _, n := range []int{40, exhaustiveMax + 50} {
		docs := GenerateKB(11, n)
		// Without the result cache: texts that type the same words share
		// one cached page, ordered for the first of them.
		ix, err := NewMemory(Config{CacheSize: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		if err := ix.Rebuild(context.Background(), docs); err != nil {
			t.Fatal(err)
		}
		checked := 0
		prefixes := TypingPrefixes(GenerateQueries(11, docs, 20), 4)
		for i := 0; i < len(prefixes); i += 3 {
			q := prefixes[i]
			res := mustSearch(t, ix, Query{Text: q, AsYouType: true, NoHighlight: true, Size: 5})
			got := hitIDs(res)
			if len(got) < 2 {
				continue
			}
			checked++
			var want []string
			for _, r := range ix.m.ordering(q, got, ix.cal.Load()) {
				want = append(want, r.id)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%d articles: typing %q: suggestions %v, the one ranking orders them %v", n, q, got, want)
			}
		}
		if checked < 10 {
			t.Errorf("%d articles: only %d questions had two suggestions or more: the test checks too little", n, checked)
		}
	}
}
