package search

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/frontdesk/frontdesk/internal/loadgen"
	"github.com/frontdesk/frontdesk/portal/demo"
)

// BenchmarkRetrieveUnique is the chat bot's retrieval for questions it
// has not seen (no cache hit): the bench chat questions (real support
// queries with variations, never repeated) on the demo help centre and on
// a generated 10,000-article one. Read cpu-ns/op: on a shared machine
// wall-clock time mostly measures the other tenants.
//
//	go test ./search -run '^$' -bench RetrieveUnique -benchtime 3000x
func BenchmarkRetrieveUnique(b *testing.B) {
	qs := loadgen.NewQuestions()
	for _, kb := range []struct {
		name string
		docs func() []Doc
	}{
		{"demo", demoDocs},
		{"10k", func() []Doc { return GenerateKB(1, 10000) }},
	} {
		b.Run(kb.name, func(b *testing.B) {
			ix := benchIndexOf(b, kb.name, kb.docs)
			ctx := context.Background()
			// Offset by the run's length so that a second round (the
			// benchmark calls this function more than once) asks new
			// questions too.
			off := int(benchOffset.Add(1)) * 100_000
			reportCPU(b)
			for i := 0; b.Loop(); i++ {
				if _, err := ix.Retrieve(ctx, Question{Text: qs.Text(off + i), Limit: 3}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var benchOffset atomic.Int64

// demoDocs is the demo help centre as the server indexes it.
func demoDocs() []Doc {
	var docs []Doc
	for _, a := range demo.FAQArticles() {
		docs = append(docs, Doc{ID: strconv.FormatInt(a.ID, 10), Title: a.Title, Summary: a.Summary, Body: a.Body,
			Phrasings: a.Phrasings, Tags: a.Tags, Locale: a.Locale, Published: true})
	}
	return docs
}

func benchIndexOf(b *testing.B, name string, docs func() []Doc) *Index {
	b.Helper()
	if v, ok := benchIndexes.Load(name); ok {
		return v.(*Index)
	}
	ix, err := NewMemory(Config{})
	if err != nil {
		b.Fatal(err)
	}
	if err := ix.Rebuild(context.Background(), docs()); err != nil {
		b.Fatal(err)
	}
	benchIndexes.Store(name, ix)
	return ix
}
