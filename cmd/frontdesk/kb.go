package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/search"
)

const kbUsage = `usage:
  frontdesk kb import [--format jsonl|csv] FILE   create or update articles (by id) from JSON Lines or CSV
  frontdesk kb export [--format jsonl|csv] [--out FILE]
  frontdesk kb eval --articles A.jsonl --queries Q.jsonl [--failures]`

// kbRecord is one article in the import/export formats.
type kbRecord struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Summary   string   `json:"summary"`
	Body      string   `json:"body"`
	Phrasings []string `json:"phrasings"`
	Category  string   `json:"category"`
	Locale    string   `json:"locale"`
}

var csvHeader = []string{"id", "title", "summary", "body", "phrasings", "category", "locale"}

// runKB dispatches the kb subcommands.
func runKB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, kbUsage)
		return errUsage
	}
	switch args[0] {
	case "import":
		return runKBImport(ctx, args[1:], stdout, stderr)
	case "export":
		return runKBExport(ctx, args[1:], stdout, stderr)
	case "eval":
		return runKBEval(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, kbUsage)
	return errUsage
}

// lineError is a broken input line.
type lineError struct {
	Line int
	Msg  string
}

func (e lineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// formatOf picks the format from the flag or the file name.
func formatOf(flagValue, name string) string {
	if flagValue != "" {
		return flagValue
	}
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		return "csv"
	}
	return "jsonl"
}

// readKB parses every record, returning them with their line numbers, or
// all the broken lines.
func readKB(r io.Reader, format string) ([]kbRecord, []int, error) {
	var recs []kbRecord
	var lines []int
	var bad []error
	switch format {
	case "jsonl":
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			var rec kbRecord
			dec := json.NewDecoder(strings.NewReader(line))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&rec); err != nil {
				bad = append(bad, lineError{n, "not a valid article object: " + err.Error()})
				continue
			}
			recs, lines = append(recs, rec), append(lines, n)
		}
		if err := sc.Err(); err != nil {
			return nil, nil, fmt.Errorf("read: %w", err)
		}
	case "csv":
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		head, err := cr.Read()
		if err != nil {
			return nil, nil, fmt.Errorf("read csv header: %w", err)
		}
		col := map[string]int{}
		for i, h := range head {
			col[strings.TrimSpace(strings.ToLower(h))] = i
		}
		if _, ok := col["title"]; !ok {
			return nil, nil, lineError{1, "the header needs at least a title column (" + strings.Join(csvHeader, ",") + ")"}
		}
		for {
			row, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			line, _ := cr.FieldPos(0)
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return nil, nil, lineError{pe.Line, pe.Err.Error()}
				}
				return nil, nil, err
			}
			get := func(k string) string {
				if i, ok := col[k]; ok && i < len(row) {
					return row[i]
				}
				return ""
			}
			rec := kbRecord{ID: get("id"), Title: get("title"), Summary: get("summary"), Body: get("body"), Category: get("category"), Locale: get("locale")}
			for _, p := range strings.Split(get("phrasings"), "\n") {
				if p = strings.TrimSpace(p); p != "" {
					rec.Phrasings = append(rec.Phrasings, p)
				}
			}
			recs, lines = append(recs, rec), append(lines, line)
		}
	default:
		return nil, nil, fmt.Errorf("unknown format %q: use jsonl or csv", format)
	}
	if len(bad) > 0 {
		return nil, nil, errors.Join(bad...)
	}
	return recs, lines, nil
}

func runKBImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	var format string
	cfg, fs, err := parseFlags("kb import", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "", "jsonl or csv (default: from the file name)")
	})
	if err != nil {
		return err
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		fmt.Fprintln(stderr, kbUsage)
		return errUsage
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, lines, err := readKB(f, formatOf(format, file))
	if err != nil {
		return fmt.Errorf("%s: nothing imported:\n%w", file, err)
	}
	items := make([]portal.ArticleImport, len(recs))
	for i, r := range recs {
		items[i] = portal.ArticleImport{Category: r.Category, Article: &portal.Article{Slug: slugOf(r.ID), Title: r.Title, Summary: r.Summary,
			Body: r.Body, Phrasings: r.Phrasings, Locale: r.Locale, Status: portal.ArticlePublished}}
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.ImportArticles(ctx, items); err != nil {
		var be *portal.BulkError
		if errors.As(err, &be) {
			idx := make([]int, 0, len(be.Items))
			for i := range be.Items {
				idx = append(idx, i)
			}
			sort.Ints(idx)
			var errs []error
			for _, i := range idx {
				errs = append(errs, lineError{lines[i], be.Items[i]})
			}
			return fmt.Errorf("%s: nothing imported:\n%w", file, errors.Join(errs...))
		}
		return err
	}
	fmt.Fprintf(stdout, "Imported %d articles from %s. Running servers pick them up within seconds; the search index is brought up to date at start.\n", len(items), file)
	return nil
}

// slugOf turns an import ID into a slug, keeping it stable across imports.
func slugOf(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(id)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.Trim(b.String(), "-")
}

func runKBExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var format, out string
	cfg, _, err := parseFlags("kb export", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "", "jsonl or csv (default: from --out, else jsonl)")
		fs.StringVar(&out, "out", "", "write to this file instead of standard output")
	})
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	cats, err := st.FindCategories(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, c := range cats {
		names[c.ID] = c.Name
	}
	w := stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	format = formatOf(format, out)
	var cw *csv.Writer
	if format == "csv" {
		cw = csv.NewWriter(bw)
		cw.Write(csvHeader)
	} else if format != "jsonl" {
		return fmt.Errorf("unknown format %q: use jsonl or csv", format)
	}
	n := 0
	for off := 0; ; off += 1000 {
		arts, total, err := st.FindArticles(ctx, portal.ArticleFilter{Offset: off, Limit: 1000})
		if err != nil {
			return err
		}
		for _, a := range arts {
			if a.Status == portal.ArticleArchived {
				continue
			}
			r := kbRecord{ID: a.Slug, Title: a.Title, Summary: a.Summary, Body: a.Body, Phrasings: nonNilStrings(a.Phrasings), Locale: a.Locale}
			if a.CategoryID != nil {
				r.Category = names[*a.CategoryID]
			}
			if cw != nil {
				cw.Write([]string{r.ID, r.Title, r.Summary, r.Body, strings.Join(r.Phrasings, "\n"), r.Category, r.Locale})
			} else {
				b, _ := json.Marshal(r)
				bw.Write(append(b, '\n'))
			}
			n++
		}
		if off+len(arts) >= total || len(arts) == 0 {
			break
		}
	}
	if cw != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if out != "" {
		fmt.Fprintf(stdout, "Exported %d articles to %s.\n", n, out)
	}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func runKBEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kb eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	articles := fs.String("articles", "", "articles, JSON Lines (required)")
	queries := fs.String("queries", "", "labelled queries, JSON Lines (required)")
	failures := fs.Bool("failures", false, "print every miss: query, expected, answered, confidence")
	if err := fs.Parse(args); err != nil || *articles == "" || *queries == "" {
		fmt.Fprintln(stderr, "usage: frontdesk kb eval --articles A.jsonl --queries Q.jsonl [--failures]")
		return errUsage
	}
	docs, qs, err := readEvalFiles(*articles, *queries)
	if err != nil {
		return err
	}
	res, err := search.Evaluate(ctx, docs, qs)
	if err != nil {
		return err
	}
	name := filepath.Base(filepath.Dir(*articles))
	if *failures {
		if err := search.WriteFailures(stdout, res); err != nil {
			return err
		}
	}
	if err := search.WriteSummary(stdout, name, res); err != nil {
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(b))
	return nil
}

func readEvalFiles(articles, queries string) ([]search.Doc, []search.EvalQuery, error) {
	af, err := os.Open(articles)
	if err != nil {
		return nil, nil, err
	}
	defer af.Close()
	docs, err := search.ReadArticles(af)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", articles, err)
	}
	qf, err := os.Open(queries)
	if err != nil {
		return nil, nil, err
	}
	defer qf.Close()
	qs, err := search.ReadQueries(qf)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", queries, err)
	}
	return docs, qs, nil
}
