package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/kb"
	"github.com/frontdesk/frontdesk/search"
)

const kbUsage = `usage:
  frontdesk kb import [--format jsonl|csv] FILE   create or update articles (by id) from JSON Lines or CSV
  frontdesk kb export [--format jsonl|csv] [--out FILE]
  frontdesk kb eval --articles A.jsonl --queries Q.jsonl [--failures]`

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
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := kb.Import(ctx, st, f, kb.FormatOf(format, file), nil)
	var le *kb.LinesError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: nothing imported:\n%w", file, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Imported %d articles from %s: %d new, %d updated, %d unchanged. Running servers pick them up within seconds; the search index is brought up to date at start.\n",
		res.Created+res.Updated+res.Unchanged, file, res.Created, res.Updated, res.Unchanged)
	return nil
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
	format = kb.FormatOf(format, out)
	if format != kb.FormatJSONL && format != kb.FormatCSV {
		return fmt.Errorf("unknown format %q: use jsonl or csv", format)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	w := stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	n, err := kb.Export(ctx, st, w, format, portal.ArticleFilter{})
	if err != nil {
		return err
	}
	if out != "" {
		fmt.Fprintf(stdout, "Exported %d articles to %s.\n", n, out)
	}
	return nil
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
