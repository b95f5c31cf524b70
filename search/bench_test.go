package search

import (
	"context"
	"sync"
	"testing"
)

var benchIndexes sync.Map // articles -> *Index, shared by benchmarks of one run

func benchIndex(b *testing.B, n int) (*Index, []string) {
	b.Helper()
	docs := GenerateKB(1, n)
	qs := TypingPrefixes(GenerateQueries(1, docs, 200), 2)
	if v, ok := benchIndexes.Load(n); ok {
		return v.(*Index), qs
	}
	ix, err := Open(b.TempDir(), Config{})
	if err != nil {
		b.Fatal(err)
	}
	if err := ix.Rebuild(context.Background(), docs); err != nil {
		b.Fatal(err)
	}
	benchIndexes.Store(n, ix)
	return ix, qs
}

func BenchmarkSearchAsYouType10k(b *testing.B) {
	ix, qs := benchIndex(b, 10000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Search(ctx, Query{Text: qs[i%len(qs)], AsYouType: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRetrieve10k(b *testing.B) {
	ix, _ := benchIndex(b, 10000)
	qs := GenerateQueries(2, GenerateKB(1, 10000), 200)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Retrieve(ctx, Question{Text: qs[i%len(qs)]}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIndex1k(b *testing.B) {
	docs := GenerateKB(1, 1000)
	for b.Loop() {
		ix, err := NewMemory(Config{})
		if err != nil {
			b.Fatal(err)
		}
		if err := ix.Rebuild(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

func BenchmarkSearchAsYouTypeNoHighlight10k(b *testing.B) {
	ix, qs := benchIndex(b, 10000)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Search(ctx, Query{Text: qs[i%len(qs)], AsYouType: true, NoHighlight: true}); err != nil {
			b.Fatal(err)
		}
	}
}
