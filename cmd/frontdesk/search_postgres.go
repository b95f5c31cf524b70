package main

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/frontdesk/frontdesk/search"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgSearcher is FAQ search on PostgreSQL full-text search (a weighted
// tsvector with a GIN index, ranked by ts_rank), the baseline the bleve
// index is compared with in "bench search". It implements search.Searcher.
type pgSearcher struct {
	pool  *pgxpool.Pool
	table string
	// Any matches documents with any query word (OR), as a question
	// answerer needs; otherwise every word must match (AND), as a typical
	// as-you-type box on PostgreSQL does.
	Any bool
}

var _ search.Searcher = (*pgSearcher)(nil)

// loadPG creates table and fills it with docs: title and phrasings weigh
// A, summary B, body C, as the bleve mapping boosts them.
func loadPG(ctx context.Context, pool *pgxpool.Pool, table string, docs []search.Doc) error {
	_, err := pool.Exec(ctx, `CREATE TABLE `+table+` (id TEXT PRIMARY KEY, title TEXT NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL,
		phrasings TEXT NOT NULL, category TEXT NOT NULL, locale TEXT NOT NULL, published BOOLEAN NOT NULL, tsv TSVECTOR)`)
	if err != nil {
		return fmt.Errorf("create %s: %w", table, err)
	}
	rows := make([][]any, len(docs))
	for i, d := range docs {
		loc := d.Locale
		if loc == "" {
			loc = search.DefaultLocale
		}
		rows[i] = []any{d.ID, d.Title, d.Summary, d.Body, strings.Join(d.Phrasings, "\n"), d.Category, loc, d.Published}
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{table}, []string{"id", "title", "summary", "body", "phrasings", "category", "locale", "published"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	for _, q := range []string{
		`UPDATE ` + table + ` SET tsv = setweight(to_tsvector('english', title || ' ' || phrasings), 'A') || setweight(to_tsvector('english', summary), 'B') || setweight(to_tsvector('english', body), 'C')`,
		`CREATE INDEX ` + table + `_tsv ON ` + table + ` USING GIN (tsv)`,
		`ANALYZE ` + table,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("index %s: %w", table, err)
		}
	}
	return nil
}

// tsQuery builds a to_tsquery expression from what the user typed: words
// of letters and digits only, the last one a prefix while typing.
func tsQuery(text string, asYouType, any bool) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 {
		return ""
	}
	if asYouType {
		words[len(words)-1] += ":*"
	}
	op := " & "
	if any {
		op = " | "
	}
	return strings.Join(words, op)
}

// Search implements search.Searcher (without highlights or facets).
func (p *pgSearcher) Search(ctx context.Context, q search.Query) (search.Result, error) {
	start := time.Now()
	tq := tsQuery(q.Text, q.AsYouType, p.Any)
	if tq == "" {
		return search.Result{}, nil
	}
	size := q.Size
	if size == 0 {
		size = 10
	}
	locale := q.Locale
	if locale == "" {
		locale = search.DefaultLocale
	}
	rows, err := p.pool.Query(ctx, `SELECT id, title, summary, category, ts_rank(tsv, q) AS r FROM `+p.table+`, to_tsquery('english', $1) q
		WHERE published AND locale = $2 AND tsv @@ q ORDER BY r DESC, id LIMIT $3 OFFSET $4`, tq, locale, size, q.From)
	if err != nil {
		return search.Result{}, err
	}
	defer rows.Close()
	var res search.Result
	for rows.Next() {
		var h search.Hit
		var r float32
		if err := rows.Scan(&h.ID, &h.Title, &h.Summary, &h.Category, &r); err != nil {
			return search.Result{}, err
		}
		h.Score = float64(r)
		res.Hits = append(res.Hits, h)
	}
	res.Total, res.Took = uint64(len(res.Hits)), time.Since(start)
	return res, rows.Err()
}

// pgQuality is PostgreSQL full-text search on a labelled set. It has no
// hand-off decision of its own, so OverallAccuracy uses the best possible
// ts_rank threshold (an oracle, chosen on the very queries it is scored on).
type pgQuality struct {
	Set             string  `json:"set"`
	InScopeTop1     float64 `json:"in_scope_top1"`
	MRR10           float64 `json:"mrr10"`
	Recall5         float64 `json:"recall5"`
	OverallAccuracy float64 `json:"overall_accuracy_oracle_threshold"`
	Threshold       float64 `json:"threshold"`
	P50Ms           float64 `json:"p50_ms"`
	P99Ms           float64 `json:"p99_ms"`
}

func evalPG(ctx context.Context, pool *pgxpool.Pool, table, set string, docs []search.Doc, qs []search.EvalQuery) (pgQuality, error) {
	if err := loadPG(ctx, pool, table, docs); err != nil {
		return pgQuality{}, err
	}
	s := &pgSearcher{pool: pool, table: table, Any: true}
	type outcome struct {
		best   string
		score  float64
		expect string
	}
	var outs []outcome
	var lat latencies
	var inScope, top1, recall5 int
	var mrr float64
	for _, q := range qs {
		t := time.Now()
		res, err := s.Search(ctx, search.Query{Text: q.Query, Size: 10})
		if err != nil {
			return pgQuality{}, fmt.Errorf("%s %s: %w", set, q.ID, err)
		}
		lat.add(time.Since(t))
		o := outcome{expect: q.Expect}
		if len(res.Hits) > 0 {
			o.best, o.score = res.Hits[0].ID, res.Hits[0].Score
		}
		outs = append(outs, o)
		if q.Expect == "" {
			continue
		}
		inScope++
		for i, h := range res.Hits {
			if h.ID == q.Expect {
				if i == 0 {
					top1++
				}
				if i < 5 {
					recall5++
				}
				mrr += 1 / float64(i+1)
				break
			}
		}
	}
	// The best threshold: try every observed score.
	bestAcc, bestT := 0.0, 0.0
	cands := []float64{0}
	for _, o := range outs {
		cands = append(cands, o.score+1e-9)
	}
	for _, th := range cands {
		ok := 0
		for _, o := range outs {
			answer := o.best != "" && o.score >= th
			if (o.expect == "" && !answer) || (o.expect != "" && answer && o.best == o.expect) {
				ok++
			}
		}
		if acc := float64(ok) / float64(len(outs)); acc > bestAcc {
			bestAcc, bestT = acc, th
		}
	}
	r := func(x float64) float64 { return float64(int(x*10000+0.5)) / 10000 }
	return pgQuality{Set: set, InScopeTop1: r(float64(top1) / float64(max(inScope, 1))), MRR10: r(mrr / float64(max(inScope, 1))),
		Recall5: r(float64(recall5) / float64(max(inScope, 1))), OverallAccuracy: r(bestAcc), Threshold: bestT,
		P50Ms: lat.quantile(0.5), P99Ms: lat.quantile(0.99)}, nil
}
