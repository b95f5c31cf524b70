package search

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// EvalQuery is one labelled query. Expect is the ID of the article that
// answers it, or empty when no article does and a hand-off is right.
type EvalQuery struct {
	ID     string `json:"id"`
	Query  string `json:"query"`
	Expect string `json:"expect"`
}

// evalArticle is the articles.jsonl line format.
type evalArticle struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Body      string   `json:"body"`
	Phrasings []string `json:"phrasings"`
	Category  string   `json:"category"`
}

// ReadArticles reads articles in the kb-eval JSON Lines format. They come
// back published, in the default locale.
func ReadArticles(r io.Reader) ([]Doc, error) {
	var docs []Doc
	err := readJSONL(r, func(line []byte) error {
		var a evalArticle
		if err := json.Unmarshal(line, &a); err != nil {
			return err
		}
		if a.ID == "" {
			return fmt.Errorf("article without id")
		}
		docs = append(docs, Doc{
			ID: a.ID, Title: a.Title, Body: a.Body, Phrasings: a.Phrasings,
			Category: a.Category, Locale: DefaultLocale, Published: true,
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read articles: %w", err)
	}
	return docs, nil
}

// ReadQueries reads labelled queries in the kb-eval JSON Lines format;
// "expect": null becomes an empty Expect.
func ReadQueries(r io.Reader) ([]EvalQuery, error) {
	var qs []EvalQuery
	err := readJSONL(r, func(line []byte) error {
		var q struct {
			ID     string  `json:"id"`
			Query  string  `json:"query"`
			Expect *string `json:"expect"`
		}
		if err := json.Unmarshal(line, &q); err != nil {
			return err
		}
		eq := EvalQuery{ID: q.ID, Query: q.Query}
		if q.Expect != nil {
			eq.Expect = *q.Expect
		}
		qs = append(qs, eq)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read queries: %w", err)
	}
	return qs, nil
}

// LoadEvalSet reads dir/articles.jsonl and dir/queries.jsonl.
func LoadEvalSet(dir string) ([]Doc, []EvalQuery, error) {
	af, err := os.Open(filepath.Join(dir, "articles.jsonl"))
	if err != nil {
		return nil, nil, fmt.Errorf("load eval set: %w", err)
	}
	defer af.Close()
	docs, err := ReadArticles(af)
	if err != nil {
		return nil, nil, fmt.Errorf("load eval set %s: %w", dir, err)
	}
	qf, err := os.Open(filepath.Join(dir, "queries.jsonl"))
	if err != nil {
		return nil, nil, fmt.Errorf("load eval set: %w", err)
	}
	defer qf.Close()
	qs, err := ReadQueries(qf)
	if err != nil {
		return nil, nil, fmt.Errorf("load eval set %s: %w", dir, err)
	}
	return docs, qs, nil
}

func readJSONL(r io.Reader, fn func([]byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if len(trimSpaceBytes(line)) == 0 {
			continue
		}
		if err := fn(line); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}

func trimSpaceBytes(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
