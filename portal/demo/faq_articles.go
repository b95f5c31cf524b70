package demo

import "github.com/frontdesk/frontdesk/portal"

// FAQArticles returns the demo FAQ as published articles, numbered from 1
// in the order Seed creates them and without categories, for benchmarks
// and tests that need the demo help centre without a store.
func FAQArticles() []*portal.Article {
	var out []*portal.Article
	for _, cat := range faq {
		for _, e := range cat.entries {
			out = append(out, &portal.Article{ID: int64(len(out) + 1), Title: e.title, Summary: e.summary, Body: e.body,
				Phrasings: e.phrasings, Tags: e.tags, Locale: "en", Status: portal.ArticlePublished})
		}
	}
	return out
}
