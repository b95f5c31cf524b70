package demo

import (
	"context"
	"fmt"
	"testing"

	"github.com/frontdesk/frontdesk/search"
)

// TestFAQOrdersSiblings: on the demo help centre, a question about one
// topic worded like another article's title ("How long does a refund
// take?" against "How long does delivery take?") finds the article on its
// topic first: the second stage's work (search/rerank.go).
func TestFAQOrdersSiblings(t *testing.T) {
	var docs []search.Doc
	byTitle := map[string]string{}
	for _, cat := range faq {
		for _, e := range cat.entries {
			id := fmt.Sprint(len(docs) + 1)
			byTitle[e.title] = id
			docs = append(docs, search.Doc{ID: id, Title: e.title, Summary: e.summary, Body: e.body, Phrasings: e.phrasings, Tags: e.tags, Category: cat.category, Published: true})
		}
	}
	ix, err := search.NewMemory(search.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Rebuild(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ q, want string }{
		{"How long does a refund take?", "When will I get my refund?"},
		{"where is my refund", "When will I get my refund?"},
		{"How do I track my order?", "How do I track my order?"},
		{"Can I pay by invoice?", "Which payment methods do you accept?"},
	} {
		r, err := ix.Retrieve(context.Background(), search.Question{Text: tt.q, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := r.Best(); !ok || m.ID != byTitle[tt.want] {
			t.Errorf("%q: first %+v, want %q", tt.q, r.Matches, tt.want)
		}
	}
}
