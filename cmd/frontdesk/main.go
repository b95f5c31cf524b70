// Command frontdesk runs the Frontdesk customer portal and its tools.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `Frontdesk: a self-service customer portal with a real-time chatbot.

Usage: frontdesk [command] [flags]

Commands:
  serve         run the server (the default)
  migrate       apply database migrations and exit
  user create   create an account: --email E --role customer|agent|editor|manager|admin [--name N] [--password P]
  bench all     a short run of every benchmark beside its peer, as one table
  bench portal  the history and shipment pages (many customers, cached and uncached) and webhook ingest on each store
  bench chat    chat sockets and questions at a fixed rate against a server (-url)
  bench mail    inbound mail at a fixed rate through the SMTP listener, threaded into cases, on each store
  catalog import FILE [--slug S] [--publish]
                import a product model (FeatureIDE XML, SXFM, DIMACS CNF, JSON) as a draft
  catalog bench --model FILE [--sessions 50] [--steps 20]
                time the configurator on a model; the last line is JSON
  clv fit --transactions FILE.csv --calibration-end YYYY-MM-DD
                fit BG/NBD and Gamma-Gamma to a transaction file; the last line is JSON
  kb import     import FAQ articles: kb import [--format jsonl|csv] FILE (all or nothing)
  kb export     export FAQ articles: kb export [--format jsonl|csv] [--out FILE]
  kb eval       measure answer quality: kb eval --articles A.jsonl --queries Q.jsonl [--failures]
  bench search  FAQ search latency (bleve and PostgreSQL full-text): bench search --articles 10000
  help          show this help

Configuration comes from the environment (flags mirror it; run
"frontdesk serve -h" for the flags):
  FRONTDESK_ADDR          listen address (default :8080)
  FRONTDESK_DATA_DIR      data directory (default ./data)
  FRONTDESK_DATABASE_URL  postgres://... selects PostgreSQL; empty means embedded SQLite
  FRONTDESK_BASE_URL      public URL for links in emails (default http://localhost:8080)
  FRONTDESK_SECRET        signing key; generated and kept in the data dir when unset
  FRONTDESK_DEMO          1 seeds demo data into an empty store, 0 never; default: embedded store only
  FRONTDESK_SMTP_URL      smtp://user:pass@host:587; empty writes emails as .eml files in the data dir
  FRONTDESK_MAIL_FROM     sender address (default "Frontdesk <no-reply@localhost>")
  FRONTDESK_LOG_LEVEL     debug, info, warn or error (default info)
  FRONTDESK_LOG_FORMAT    text or json (default text)
  FRONTDESK_WEBHOOK_SECRETS  tracking webhook secrets, "aftership=S1,easypost=S2,frontdesk=S3"
  FRONTDESK_NODE_NAME     this node's name in the X-Frontdesk-Node response header
  FRONTDESK_PPROF_ADDR    serve Go's pprof profiles on this address (e.g. 127.0.0.1:6060); off by default
  FRONTDESK_OPENAI_API_KEY   lets the chat bot write answers with a language model (optional)
  FRONTDESK_OPENAI_BASE_URL  any OpenAI-compatible API (default OpenAI's)
  FRONTDESK_OPENAI_MODEL     model name (default gpt-4o-mini)
`

// run executes one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, args, stdout, stderr)
	case "migrate":
		err = runMigrate(ctx, args, stdout, stderr)
	case "user":
		err = runUser(ctx, args, stdout, stderr)
	case "kb":
		err = runKB(ctx, args, stdout, stderr)
	case "bench":
		err = runBench(ctx, args, stdout, stderr)
	case "catalog":
		err = runCatalog(ctx, args, stdout, stderr)
	case "clv":
		err = runCLV(ctx, args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "frontdesk: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err == errUsage {
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "frontdesk %s: %v\n", cmd, err)
		return 1
	}
	return 0
}
