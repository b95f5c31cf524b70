package search

import (
	"context"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestCachedFuzzyQueryScoresAsBleve: the text query with its fuzzy
// expansions kept finds the same articles with the same scores as
// bleve's own fuzzy match query, the first time and from the cache, and
// after a write.
func TestCachedFuzzyQueryScoresAsBleve(t *testing.T) {
	docs := GenerateKB(5, 300)
	ix := mustIndex(t, docs...)
	ctx := context.Background()
	queries := append(GenerateQueries(5, docs, 150), "retrun pasword", "wher is my ordr", "x", "éclair façade naïve")
	compare := func(round string) {
		t.Helper()
		for _, q := range queries {
			var got [2]*bleve.SearchResult
			for k, qq := range []query.Query{textQuery(q), cachedTextQuery(q, ix.fuzzy)} {
				res, err := ix.bi.SearchInContext(ctx, bleve.NewSearchRequestOptions(qq, 50, 0, false))
				if err != nil {
					t.Fatal(err)
				}
				got[k] = res
			}
			if got[0].Total != got[1].Total || len(got[0].Hits) != len(got[1].Hits) {
				t.Fatalf("%s: %q: %d hits (%d), cached %d (%d)", round, q, got[0].Total, len(got[0].Hits), got[1].Total, len(got[1].Hits))
			}
			for i, h := range got[0].Hits {
				if c := got[1].Hits[i]; c.ID != h.ID || c.Score != h.Score {
					t.Fatalf("%s: %q: hit %d is %s %v, cached %s %v", round, q, i, h.ID, h.Score, c.ID, c.Score)
				}
			}
		}
	}
	compare("first")
	if len(ix.fuzzy.m) == 0 {
		t.Fatal("nothing cached")
	}
	compare("cached")
	if err := ix.Upsert(ctx, Doc{ID: "new", Title: "Retrun your pasword ordr", Summary: "Wher to send it.", Published: true}); err != nil {
		t.Fatal(err)
	}
	compare("after a write")
}
