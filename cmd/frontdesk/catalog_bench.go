package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	productconfig "github.com/frontdesk/frontdesk/product-config"
)

// runCatalogBench times the configurator on a model: a human summary, then
// the result as one JSON line.
func runCatalogBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("catalog bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "", "model file: FeatureIDE XML, SXFM, DIMACS CNF or catalogue JSON (required)")
	sessions := fs.Int("sessions", 50, "random sessions")
	steps := fs.Int("steps", 20, "choices per session")
	seed := fs.Int64("seed", 1, "random seed; the same seed replays the same sessions")
	replicate := fs.Int("replicate", 1, "compose this many linked copies of the model, to measure growth with size")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *model == "" || *sessions < 1 || *steps < 1 || *replicate < 1 {
		fmt.Fprint(stderr, catalogUsage)
		return errUsage
	}
	cat, format, err := loadModel(*model)
	if err != nil {
		return err
	}
	if *replicate > 1 {
		cat = productconfig.Replicate(cat, *replicate)
	}
	start := time.Now()
	e, err := productconfig.Compile(cat)
	if err != nil {
		return err
	}
	compiled := time.Since(start)
	res, err := e.Bench(ctx, *sessions, *steps, *seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Model %q (%s, x%d): %d options, %d SAT variables, compiled in %s.\n",
		res.Model, format, *replicate, res.Options, res.Vars, compiled.Round(time.Millisecond))
	fmt.Fprintf(stdout, "%d sessions, %d recomputes of every option's state: p50 %.2f ms, p95 %.2f ms, max %.2f ms, %.1f SAT calls each.\n",
		res.Sessions, res.Steps, res.P50ms, res.P95ms, res.MaxMs, res.SATCalls)
	line, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(line))
	return nil
}
