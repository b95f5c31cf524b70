package kb

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

// Record is one article in the import and export formats (JSON Lines, one
// object a line, or CSV with a header). ID is the article's slug, which
// keeps it stable across imports.
type Record struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Summary   string   `json:"summary"`
	Body      string   `json:"body"`
	Phrasings []string `json:"phrasings"`
	Tags      []string `json:"tags"`
	Category  string   `json:"category"`
	Locale    string   `json:"locale"`
	// Status is draft, in_review, published or archived; empty imports
	// new articles as published and leaves existing ones as they are.
	Status string `json:"status,omitempty"`
}

// CSVHeader is the CSV export's header; phrasings and tags are one per
// line inside their cell.
var CSVHeader = []string{"id", "title", "summary", "body", "phrasings", "tags", "category", "locale", "status"}

// Formats of import and export.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// FormatOf picks the format: the given one, else from the file name's
// extension (.csv), else JSON Lines.
func FormatOf(format, name string) string {
	if format != "" {
		return format
	}
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		return FormatCSV
	}
	return FormatJSONL
}

// LineError is a broken input line.
type LineError struct {
	Line int    `json:"line"`
	Msg  string `json:"message"`
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// LinesError lists every broken line of an input; nothing was imported.
type LinesError struct {
	Lines []LineError
}

func (e *LinesError) Error() string {
	msgs := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		msgs[i] = l.Error()
	}
	return strings.Join(msgs, "\n")
}

// ReadRecords parses every record with its line number. Broken lines are
// all reported, as a *LinesError.
func ReadRecords(r io.Reader, format string) ([]Record, []int, error) {
	var recs []Record
	var lines []int
	var bad []LineError
	switch format {
	case FormatJSONL:
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if n == 1 {
				line = strings.TrimPrefix(line, "\ufeff")
			}
			if line == "" {
				continue
			}
			var rec Record
			dec := json.NewDecoder(strings.NewReader(line))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&rec); err != nil {
				bad = append(bad, LineError{n, "not a valid article object: " + err.Error()})
				continue
			}
			recs, lines = append(recs, rec), append(lines, n)
		}
		if err := sc.Err(); err != nil {
			return nil, nil, fmt.Errorf("read: %w", err)
		}
	case FormatCSV:
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		head, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, nil, &LinesError{[]LineError{{1, "the file is empty"}}}
		}
		if err != nil {
			return nil, nil, &LinesError{[]LineError{{1, "not a CSV header: " + err.Error()}}}
		}
		col := map[string]int{}
		for i, h := range head {
			if i == 0 {
				h = strings.TrimPrefix(h, "\ufeff")
			}
			col[strings.TrimSpace(strings.ToLower(h))] = i
		}
		if _, ok := col["title"]; !ok {
			return nil, nil, &LinesError{[]LineError{{1, "the header needs at least a title column (" + strings.Join(CSVHeader, ",") + ")"}}}
		}
		for {
			row, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					bad = append(bad, LineError{pe.Line, pe.Err.Error()})
					break // the rest of the file cannot be read reliably
				}
				return nil, nil, err
			}
			// After the error check: a row that failed to parse has no
			// fields, and FieldPos panics on it.
			line, _ := cr.FieldPos(0)
			get := func(k string) string {
				if i, ok := col[k]; ok && i < len(row) {
					return row[i]
				}
				return ""
			}
			rec := Record{ID: get("id"), Title: get("title"), Summary: get("summary"), Body: get("body"), Category: get("category"),
				Locale: get("locale"), Status: strings.TrimSpace(get("status")), Phrasings: splitLines(get("phrasings")), Tags: splitLines(get("tags"))}
			recs, lines = append(recs, rec), append(lines, line)
		}
	default:
		return nil, nil, portal.Errorf(portal.EINVALID, "Unknown format %q: use jsonl or csv.", format)
	}
	for i, r := range recs {
		// Text the stores cannot keep (PostgreSQL refuses NUL and invalid
		// UTF-8) is the file's fault, reported by line.
		ok := true
		for _, f := range append([]string{r.ID, r.Title, r.Summary, r.Body, r.Category, r.Locale, r.Status}, append(r.Phrasings, r.Tags...)...) {
			ok = ok && portal.ValidText(f)
		}
		if !ok {
			bad = append(bad, LineError{lines[i], "text that is not valid UTF-8, or a NUL character"})
		}
	}
	if len(bad) > 0 {
		return nil, nil, &LinesError{bad}
	}
	if len(recs) == 0 {
		return nil, nil, &LinesError{[]LineError{{1, "there are no articles in the file"}}}
	}
	return recs, lines, nil
}

func splitLines(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Slug turns an import ID into a slug, keeping it stable across imports.
func Slug(id string) string {
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

// Importer is the store an import writes to.
type Importer interface {
	ImportArticles(ctx context.Context, items []portal.ArticleImport) error
}

// ImportResult counts what an import did; Articles are the articles
// created or updated (for the search index).
type ImportResult struct {
	Created, Updated, Unchanged int
	Articles                    []int64
}

// Import reads records and imports them in one transaction: on any broken
// or invalid line nothing is imported and the error is a *LinesError
// naming every such line.
func Import(ctx context.Context, st Importer, r io.Reader, format string, authorID *int64) (ImportResult, error) {
	var res ImportResult
	recs, lines, err := ReadRecords(r, format)
	if err != nil {
		return res, err
	}
	items := make([]portal.ArticleImport, len(recs))
	for i, rec := range recs {
		items[i] = portal.ArticleImport{Category: rec.Category, Article: &portal.Article{Slug: Slug(rec.ID), Title: rec.Title, Summary: rec.Summary,
			Body: rec.Body, Phrasings: rec.Phrasings, Tags: rec.Tags, Locale: rec.Locale, Status: portal.ArticleStatus(rec.Status), AuthorID: authorID}}
	}
	if err := st.ImportArticles(ctx, items); err != nil {
		var be *portal.BulkError
		if errors.As(err, &be) {
			idx := make([]int, 0, len(be.Items))
			for i := range be.Items {
				idx = append(idx, i)
			}
			sort.Ints(idx)
			le := &LinesError{}
			for _, i := range idx {
				le.Lines = append(le.Lines, LineError{lines[i], be.Items[i]})
			}
			return res, le
		}
		return res, err
	}
	for _, it := range items {
		switch it.Outcome {
		case portal.ImportCreated:
			res.Created++
		case portal.ImportUpdated:
			res.Updated++
		default:
			res.Unchanged++
			continue
		}
		res.Articles = append(res.Articles, it.Article.ID)
	}
	return res, nil
}

// Exporter is the store an export reads from.
type Exporter interface {
	FindArticles(ctx context.Context, f portal.ArticleFilter) ([]*portal.Article, int, error)
	FindCategories(ctx context.Context) ([]*portal.Category, error)
}

// Export writes the articles f selects (every status unless f.Status is
// set; Offset and Limit are ignored) as JSON Lines or CSV, and returns how
// many it wrote. Importing the output again changes nothing.
func Export(ctx context.Context, st Exporter, w io.Writer, format string, f portal.ArticleFilter) (int, error) {
	if format != FormatJSONL && format != FormatCSV {
		return 0, portal.Errorf(portal.EINVALID, "Unknown format %q: use jsonl or csv.", format)
	}
	cats, err := st.FindCategories(ctx)
	if err != nil {
		return 0, err
	}
	names := map[int64]string{}
	for _, c := range cats {
		names[c.ID] = c.Name
	}
	bw := bufio.NewWriter(w)
	var cw *csv.Writer
	if format == FormatCSV {
		cw = csv.NewWriter(bw)
		cw.Write(CSVHeader)
	}
	n := 0
	f.Order = ""
	for off := 0; ; off += 1000 {
		f.Offset, f.Limit = off, 1000
		arts, total, err := st.FindArticles(ctx, f)
		if err != nil {
			return n, err
		}
		for _, a := range arts {
			r := Record{ID: a.Slug, Title: a.Title, Summary: a.Summary, Body: a.Body, Phrasings: nonNil(a.Phrasings), Tags: nonNil(a.Tags),
				Locale: a.Locale, Status: string(a.Status)}
			if a.CategoryID != nil {
				r.Category = names[*a.CategoryID]
			}
			if cw != nil {
				cw.Write([]string{r.ID, r.Title, r.Summary, r.Body, strings.Join(r.Phrasings, "\n"), strings.Join(r.Tags, "\n"), r.Category, r.Locale, r.Status})
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
			return n, err
		}
	}
	return n, bw.Flush()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
