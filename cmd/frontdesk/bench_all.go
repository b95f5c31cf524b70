package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-air/gini"
	"github.com/go-air/gini/z"

	"github.com/frontdesk/frontdesk/internal/loadgen"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/demo"
	"github.com/frontdesk/frontdesk/portal/kb"
	productconfig "github.com/frontdesk/frontdesk/product-config"
	"github.com/frontdesk/frontdesk/search"
)

// benchRow is one line of the `bench all` table.
type benchRow struct {
	Bench   string `json:"bench"`
	Measure string `json:"measure"`
	Value   string `json:"frontdesk"`
	Peer    string `json:"peer,omitempty"`
	PeerVal string `json:"peer_value,omitempty"`
	Failed  string `json:"failed,omitempty"`
}

// runBenchAll runs a short version of every benchmark, each beside its
// peer where there is one (PostgreSQL full-text search for search; a
// plain fiber + contrib/websocket echo server for sockets and message
// latency; a plain gini valid-domain harness for the configurator), and
// prints one table (Markdown), then the rows as JSON.
func runBenchAll(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench all", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pgURL := fs.String("postgres-url", os.Getenv("FRONTDESK_TEST_POSTGRES_URL"), "PostgreSQL admin URL (empty: SQLite only, no full-text peer)")
	durable := fs.Bool("durable", true, "PostgreSQL with fsync and synchronous_commit on")
	dur := fs.Duration("duration", 5*time.Second, "length of each timed run")
	customers := fs.Int("customers", 2000, "bench portal: customers")
	portalRate := fs.Int("portal-rate", 2000, "bench portal: requests per second in the fixed-rate runs")
	idle := fs.Int("idle", 5000, "bench chat: idle sockets (each a visitor with an open conversation)")
	active := fs.Int("active", 250, "bench chat: asking sockets")
	chatRate := fs.Float64("chat-rate", 500, "bench chat: questions per second (each new)")
	peopleRate := fs.Float64("people-rate", 1000, "bench chat -mode people: messages per second between customers and agents (bot silent)")
	chats := fs.Int("chats", 250, "bench chat -mode people: chats, each a customer with an agent")
	agents := fs.Int("agents", 50, "bench chat -mode people: agents sharing the chats")
	articles := fs.Int("articles", 10000, "bench search: synthetic articles")
	searchRate := fs.Float64("search-rate", 500, "bench search: queries per second")
	kbArticles := fs.Int("kb-articles", 10000, "bench chat: also on a help centre of this many synthetic articles (SQLite; 0 skips)")
	kbRate := fs.Float64("kb-chat-rate", 500, "bench chat on the large help centre: questions per second (each new)")
	model := fs.String("model", "../shared/data/configurator/pc-richmond__Sprey2020.dimacs", "configurator model in DIMACS CNF (empty skips the configurator)")
	only := fs.String("only", "", "run only these parts, comma-separated: portal, search, chat, people, kb, configurator (default: all)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	parts := map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		switch p = strings.TrimSpace(p); p {
		case "":
		case "portal", "search", "chat", "people", "kb", "configurator":
			parts[p] = true
		default:
			fmt.Fprintf(stderr, "bench all: -only: no part %q (portal, search, chat, people, kb, configurator)\n", p)
			return errUsage
		}
	}
	want := func(part string) bool { return len(parts) == 0 || parts[part] }
	start := time.Now()
	machine := loadgen.Machine{CPUs: runtime.NumCPU(), LoadBefore: loadgen.ReadLoad()}
	fmt.Fprintf(stdout, "bench all: %s, %d CPUs, Go %s; load average %v\n", start.UTC().Format("2006-01-02 15:04 MST"), machine.CPUs, runtime.Version(), machine.LoadBefore)
	var rows []benchRow
	log := &prefixWriter{w: stdout, prefix: "  | "}

	chatStores := []string{"sqlite"}
	if *pgURL != "" {
		chatStores = append(chatStores, "postgres")
	}
	if want("portal") {
		// Portal pages.
		stores := "sqlite"
		if *pgURL != "" {
			stores += ",postgres"
		}
		var portal []portalBenchResult
		fmt.Fprintln(stdout, "== bench portal")
		if err := runAndParse(ctx, runBenchPortal, []string{"-stores", stores, "-postgres-url", *pgURL, "-durable=" + strconv.FormatBool(*durable),
			"-customers", strconv.Itoa(*customers), "-duration", dur.String(), "-rate", strconv.Itoa(*portalRate)}, log, stderr, &portal); err != nil {
			return fmt.Errorf("bench portal: %w", err)
		}
		for _, r := range portal {
			st := storeName(r.Store, r.Postgres)
			rows = append(rows,
				benchRow{Bench: "history page, uncached " + st, Measure: "req/s, 64 connections", Value: fmt.Sprintf("%.0f", r.HistoryUncachedRPS), Failed: strconv.FormatInt(r.HistoryUncachedErrors, 10)},
				benchRow{Bench: "history page, uncached " + st, Measure: "server CPU µs per request", Value: fmt.Sprintf("%.0f", r.HistoryUncachedCPUus)},
				benchRow{Bench: "history page, cached " + st, Measure: "req/s, 64 connections", Value: fmt.Sprintf("%.0f", r.HistoryRPS), Failed: strconv.FormatInt(r.HistoryErrors, 10)},
				benchRow{Bench: fmt.Sprintf("history page %s, %d customers, %.0f%% after a change", st, r.Customers, r.ChangeShare*100), Measure: fmt.Sprintf("p99 ms at %d req/s (uncached p99)", r.Rate),
					Value: fmt.Sprintf("%v (%v)", r.HistoryAtRate.P99, r.HistoryUncachedAtRate.P99), Failed: strconv.FormatInt(r.HistoryAtRate.FailedTotal, 10)},
				benchRow{Bench: "shipment page " + st, Measure: "req/s, 64 connections", Value: fmt.Sprintf("%.0f", r.ShipmentRPS), Failed: strconv.FormatInt(r.ShipmentErrors, 10)},
				benchRow{Bench: "shipment page " + st, Measure: fmt.Sprintf("p99 ms at %d req/s", r.Rate), Value: r.ShipmentAtRate.P99.String(), Failed: strconv.FormatInt(r.ShipmentAtRate.FailedTotal, 10)},
				benchRow{Bench: "tracking webhooks " + st, Measure: "events/s, 16 connections", Value: fmt.Sprintf("%.0f", r.WebhookEventsPerS), Failed: strconv.FormatInt(r.WebhookErrors, 10)},
			)
		}
	}
	if want("search") {
		// Search, against PostgreSQL full-text search.
		var srch searchBenchReport
		fmt.Fprintln(stdout, "== bench search")
		if err := runAndParse(ctx, runBenchSearch, []string{"-articles", strconv.Itoa(*articles), "-rate", strconv.FormatFloat(*searchRate, 'f', -1, 64),
			"-duration", dur.String(), "-pg", *pgURL, "-eval", ""}, log, stderr, &srch); err != nil {
			return fmt.Errorf("bench search: %w", err)
		}
		row := benchRow{Bench: fmt.Sprintf("search as you type, %d articles", *articles), Measure: fmt.Sprintf("p99 ms at %.0f q/s from the first query after indexing", *searchRate),
			Value: srch.Bleve.Load.P99Ms.String(), Failed: strconv.FormatInt(srch.Bleve.Load.Summary.FailedTotal, 10)}
		if srch.Postgres != nil {
			row.Peer, row.PeerVal = "PostgreSQL full-text search", srch.Postgres.Load.P99Ms.String()
			row.Failed += " / " + strconv.FormatInt(srch.Postgres.Load.Summary.FailedTotal, 10)
		}
		rows = append(rows, row)
	}
	if want("chat") {
		// Chat, against the echo server.
		chatArgs := []string{"-peer-echo=false", "-idle", strconv.Itoa(*idle), "-active", strconv.Itoa(*active), "-rate", strconv.FormatFloat(*chatRate, 'f', -1, 64), "-duration", dur.String()}
		echo, err := benchChatPeer(ctx, chatArgs, log, stderr)
		if err != nil {
			return fmt.Errorf("bench chat (echo peer): %w", err)
		}
		for _, st := range chatStores {
			fmt.Fprintf(stdout, "== bench chat (%s)\n", st)
			r, pg, err := benchChatOn(ctx, st, *pgURL, *durable, 0, chatArgs, log, stderr)
			if err != nil {
				return fmt.Errorf("bench chat (%s): %w", st, err)
			}
			name := storeName(st, pg)
			rows = append(rows,
				benchRow{Bench: fmt.Sprintf("chat %s, %d idle sockets with open conversations, a new question each time", name, r.Idle), Measure: fmt.Sprintf("p50 / p99 ms question to answer at %.0f q/s", *chatRate),
					Value: fmt.Sprintf("%v / %v", r.P50, r.P99), Peer: "fiber + contrib/websocket echo", PeerVal: fmt.Sprintf("%v / %v", echo.P50, echo.P99),
					Failed: fmt.Sprintf("%d / %d", r.Failed, echo.Failed)},
				benchRow{Bench: "chat " + name + ", a new question each time", Measure: "server CPU µs per answer", Value: fmt.Sprintf("%.0f", r.CPUPerAnswer),
					Peer: "fiber + contrib/websocket echo", PeerVal: fmt.Sprintf("%.0f", echo.CPUPerAnswer)},
				benchRow{Bench: "chat sockets " + name, Measure: "server memory per socket, KiB", Value: fmt.Sprintf("%.1f", r.RSSPerConn),
					Peer: "fiber + contrib/websocket echo", PeerVal: fmt.Sprintf("%.1f", echo.RSSPerConn)})
		}
	}
	if want("people") {
		// Chat between people: customers who asked for a person and their
		// agents, the bot silent.
		peopleArgs := []string{"-mode", "people", "-peer-echo=false", "-idle", strconv.Itoa(*idle), "-active", strconv.Itoa(*chats), "-agents", strconv.Itoa(*agents),
			"-rate", strconv.FormatFloat(*peopleRate, 'f', -1, 64), "-duration", dur.String()}
		for _, st := range chatStores {
			fmt.Fprintf(stdout, "== bench chat -mode people (%s)\n", st)
			r, pg, err := benchChatOn(ctx, st, *pgURL, *durable, *agents, peopleArgs, log, stderr)
			if err != nil {
				return fmt.Errorf("bench chat -mode people (%s): %w", st, err)
			}
			name := storeName(st, pg)
			rows = append(rows,
				benchRow{Bench: fmt.Sprintf("chat between people %s, %d idle sockets with open conversations, %d chats with %d agents, bot silent", name, r.Idle, *chats, *agents),
					Measure: fmt.Sprintf("p50 / p99 ms send to delivery at %.0f messages/s", *peopleRate), Value: fmt.Sprintf("%v / %v", r.P50, r.P99),
					Failed: fmt.Sprintf("%d (%d lost, %d duplicated)", r.Failed, r.Lost, r.Duplicated)},
				benchRow{Bench: "chat between people " + name, Measure: "server CPU µs per message", Value: fmt.Sprintf("%.0f", r.CPUPerMessage)})
		}
	}
	if want("kb") {
		// Chat on a large help centre: every answer searches it.
		if *kbArticles > 0 {
			fmt.Fprintf(stdout, "== bench chat (SQLite, %d articles)\n", *kbArticles)
			args := []string{"-peer-echo=false", "-idle", strconv.Itoa(*idle), "-active", strconv.Itoa(*active), "-rate", strconv.FormatFloat(*kbRate, 'f', -1, 64), "-duration", dur.String()}
			r, err := benchChatLargeKB(ctx, *kbArticles, args, log, stderr)
			if err != nil {
				return fmt.Errorf("bench chat (%d articles): %w", *kbArticles, err)
			}
			rows = append(rows,
				benchRow{Bench: fmt.Sprintf("chat (SQLite), %d-article help centre, %d idle sockets with open conversations, a new question each time", *kbArticles, r.Idle),
					Measure: fmt.Sprintf("p50 / p99 ms question to answer at %.0f q/s", *kbRate), Value: fmt.Sprintf("%v / %v", r.P50, r.P99), Failed: strconv.FormatInt(r.Failed, 10)},
				benchRow{Bench: fmt.Sprintf("chat (SQLite), %d-article help centre", *kbArticles), Measure: "server CPU µs per answer", Value: fmt.Sprintf("%.0f", r.CPUPerAnswer)})
		}
	}
	if want("configurator") {
		// The configurator, against a plain gini harness.
		if _, err := os.Stat(*model); err != nil && *model != "" && !explicit(fs, "model") {
			fmt.Fprintf(stdout, "== configurator: skipped, no model at %s (-model FILE.dimacs)\n", *model)
			*model = ""
		}
		if *model != "" {
			fmt.Fprintln(stdout, "== configurator")
			fd, peer, err := benchConfigurator(ctx, *model, 20, 20, 1)
			if err != nil {
				return fmt.Errorf("configurator: %w", err)
			}
			rows = append(rows, benchRow{Bench: fmt.Sprintf("configurator %s (%d options)", fd.Model, fd.Options), Measure: "p50 / p95 ms per choice, every option's state",
				Value: fmt.Sprintf("%.2f / %.2f", fd.P50ms, fd.P95ms), Peer: "gini valid-domain harness", PeerVal: fmt.Sprintf("%.2f / %.2f", peer.P50ms, peer.P95ms)})
		}
	}
	machine.LoadAfter = loadgen.ReadLoad()
	fmt.Fprintf(stdout, "\nFrontdesk `bench all`, %s, %d CPUs shared by server and load generator, Go %s; load average %v before, %v after; took %s.\n\n",
		start.UTC().Format("2006-01-02"), machine.CPUs, runtime.Version(), machine.LoadBefore, machine.LoadAfter, time.Since(start).Round(time.Second))
	fmt.Fprintln(stdout, "| benchmark | measure | Frontdesk | peer | failed |")
	fmt.Fprintln(stdout, "|---|---|---|---|---|")
	for _, r := range rows {
		peer := ""
		if r.Peer != "" {
			peer = r.Peer + ": " + r.PeerVal
		}
		fmt.Fprintf(stdout, "| %s | %s | %s | %s | %s |\n", r.Bench, r.Measure, r.Value, peer, r.Failed)
	}
	b, _ := json.Marshal(map[string]any{"rows": rows, "machine": machine})
	fmt.Fprintln(stdout, string(b))
	return nil
}

// explicit reports whether the flag was given.
func explicit(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

func storeName(kind string, pg *benchPG) string {
	if kind != "postgres" {
		return "(SQLite)"
	}
	if pg != nil && !pg.Durable {
		return "(PostgreSQL, NOT durable)"
	}
	return "(PostgreSQL, durable)"
}

// runAndParse runs a bench, copies its output to log and decodes its
// last line (the JSON summary) into v.
func runAndParse(ctx context.Context, run func(context.Context, []string, io.Writer, io.Writer) error, args []string, log, stderr io.Writer, v any) error {
	var buf bytes.Buffer
	err := run(ctx, args, io.MultiWriter(&buf, log), stderr)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	return json.Unmarshal([]byte(lines[len(lines)-1]), v)
}

// chatSummary is what `bench all` reads from `bench chat`.
type chatSummary struct {
	Idle         int            `json:"idle_conns"`
	Failed       int64          `json:"failed"`
	P50          loadgen.Millis `json:"p50_ms"`
	P99          loadgen.Millis `json:"p99_ms"`
	RSSPerConn   float64        `json:"rss_per_conn_kib"`
	CPUPerAnswer float64        `json:"server_cpu_us_per_answer"`
	// People mode.
	Lost          int64   `json:"lost"`
	Duplicated    int64   `json:"duplicated"`
	CPUPerMessage float64 `json:"server_cpu_us_per_message"`
}

// benchChatOn starts `frontdesk serve` with the demo data on a store
// (and agents bench agents, for people mode) and runs `bench chat`
// against it.
func benchChatOn(ctx context.Context, kind, pgURL string, durable bool, agents int, chatArgs []string, log, stderr io.Writer) (chatSummary, *benchPG, error) {
	var r chatSummary
	dir, err := os.MkdirTemp("", "frontdesk-bench-*")
	if err != nil {
		return r, nil, err
	}
	defer os.RemoveAll(dir)
	cfg := ConfigFromEnv(func(string) string { return "" })
	cfg.DataDir = dir
	var pg *benchPG
	if kind == "postgres" {
		dbURL, info, drop, err := benchPostgres(ctx, pgURL, durable, log)
		if err != nil {
			return r, nil, err
		}
		defer drop()
		fmt.Fprintln(log, info)
		pg, cfg.DatabaseURL = &info, dbURL
	}
	if agents > 0 {
		st, err := openStore(ctx, cfg)
		if err != nil {
			return r, pg, err
		}
		// The demo data first: the server seeds only an empty store.
		if _, err = demo.Seed(ctx, st, time.Now()); err == nil {
			err = createBenchAgents(ctx, st, agents, benchAgentPassword)
		}
		st.Close()
		if err != nil {
			return r, pg, err
		}
	}
	srv, stop, err := startServeProcess(ctx, cfg, "FRONTDESK_DEMO=1")
	if err != nil {
		return r, pg, err
	}
	defer stop()
	args := append([]string{"-url", "http://" + srv.Host, "-server-pid", strconv.Itoa(srv.pid)}, chatArgs...)
	return r, pg, runAndParse(ctx, runBenchChat, args, log, stderr, &r)
}

// benchChatLargeKB imports a synthetic help centre of n articles into a
// fresh SQLite store, starts `frontdesk serve` on it (which indexes it) and
// runs `bench chat` against it.
func benchChatLargeKB(ctx context.Context, n int, chatArgs []string, log, stderr io.Writer) (chatSummary, error) {
	var r chatSummary
	dir, err := os.MkdirTemp("", "frontdesk-bench-*")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	cfg := ConfigFromEnv(func(string) string { return "" })
	cfg.DataDir = dir
	st, err := openStore(ctx, cfg)
	if err != nil {
		return r, err
	}
	docs := search.GenerateKB(1, n)
	items := make([]portal.ArticleImport, len(docs))
	for i, d := range docs {
		items[i] = portal.ArticleImport{Category: d.Category, Article: &portal.Article{Slug: kb.Slug(d.ID), Title: d.Title, Summary: d.Summary,
			Body: d.Body, Phrasings: d.Phrasings, Locale: d.Locale, Status: portal.ArticlePublished}}
	}
	err = st.ImportArticles(ctx, items)
	st.Close()
	if err != nil {
		return r, fmt.Errorf("import %d articles: %w", n, err)
	}
	fmt.Fprintf(log, "imported %d synthetic articles\n", n)
	srv, stop, err := startServeProcess(ctx, cfg)
	if err != nil {
		return r, err
	}
	defer stop()
	args := append([]string{"-url", "http://" + srv.Host, "-server-pid", strconv.Itoa(srv.pid)}, chatArgs...)
	return r, runAndParse(ctx, runBenchChat, args, log, stderr, &r)
}

// benchChatPeer runs `bench chat` against the echo server (`bench echo`)
// in its own process.
func benchChatPeer(ctx context.Context, chatArgs []string, log, stderr io.Writer) (chatSummary, error) {
	var r chatSummary
	fmt.Fprintln(log, "== bench chat (fiber + contrib/websocket echo server)")
	url, pid, stop, err := startEchoServer(ctx, stderr)
	if err != nil {
		return r, err
	}
	defer stop()
	args := append([]string{"-url", url, "-server-pid", strconv.Itoa(pid)}, chatArgs...)
	return r, runAndParse(ctx, runBenchChat, args, log, stderr, &r)
}

// benchConfigurator times Frontdesk's configurator engine and a plain gini
// harness on one DIMACS model, in random sessions of choices (the same
// number of sessions and steps; each picks its own random free options).
func benchConfigurator(ctx context.Context, path string, sessions, steps int, seed int64) (productconfig.BenchResult, productconfig.BenchResult, error) {
	cat, _, err := loadModel(path)
	if err != nil {
		return productconfig.BenchResult{}, productconfig.BenchResult{}, err
	}
	fd, err := productconfig.RunBench(ctx, cat, sessions, steps, seed)
	if err != nil {
		return fd, productconfig.BenchResult{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return fd, productconfig.BenchResult{}, err
	}
	defer f.Close()
	peer, err := giniValidDomains(f, sessions, steps, seed)
	peer.Model = fd.Model
	return fd, peer, err
}

// giniValidDomains is the plain harness: a DIMACS CNF in gini; after each
// random choice (an assumption on a variable still free both ways), it
// finds every variable's valid values, solving under the choices plus
// "v" or "not v" for each value no earlier solution has shown possible.
func giniValidDomains(r io.Reader, sessions, steps int, seed int64) (productconfig.BenchResult, error) {
	g, err := gini.NewDimacs(r)
	if err != nil {
		return productconfig.BenchResult{}, err
	}
	n := int(g.MaxVar())
	rng := rand.New(rand.NewSource(seed))
	res := productconfig.BenchResult{Options: n, Vars: n, Sessions: sessions}
	var times []float64
	calls := 0
	canT, canF := make([]bool, n+1), make([]bool, n+1)
	domains := func(assume []z.Lit) {
		clear(canT)
		clear(canF)
		witness := func() {
			for v := 1; v <= n; v++ {
				if g.Value(z.Var(v).Pos()) {
					canT[v] = true
				} else {
					canF[v] = true
				}
			}
		}
		g.Assume(assume...)
		calls++
		if g.Solve() != 1 {
			return
		}
		witness()
		for v := 1; v <= n; v++ {
			for _, pos := range []bool{true, false} {
				if (pos && canT[v]) || (!pos && canF[v]) {
					continue
				}
				m := z.Var(v).Pos()
				if !pos {
					m = m.Not()
				}
				g.Assume(append(assume, m)...)
				calls++
				if g.Solve() == 1 {
					witness()
				}
			}
		}
	}
	for s := 0; s < sessions; s++ {
		var assume []z.Lit
		domains(assume)
		for k := 0; k < steps; k++ {
			var free []int
			for v := 1; v <= n; v++ {
				if canT[v] && canF[v] {
					free = append(free, v)
				}
			}
			if len(free) == 0 {
				break
			}
			m := z.Var(free[rng.Intn(len(free))]).Pos()
			if rng.Intn(5) == 0 {
				m = m.Not()
			}
			assume = append(assume, m)
			t0 := time.Now()
			domains(assume)
			times = append(times, float64(time.Since(t0).Microseconds())/1000)
		}
	}
	res.Steps = len(times)
	if len(times) == 0 {
		return res, nil
	}
	slices.Sort(times)
	pct := func(p float64) float64 { return times[int(p*float64(len(times)-1)+0.5)] }
	res.P50ms, res.P95ms, res.MaxMs = pct(0.50), pct(0.95), times[len(times)-1]
	res.SATCalls = float64(calls) / float64(len(times)+sessions)
	return res, nil
}

// prefixWriter indents what the benchmarks print.
type prefixWriter struct {
	w      io.Writer
	prefix string
	mid    bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if !p.mid {
			io.WriteString(p.w, p.prefix)
		}
		p.w.Write(line)
		p.mid = line[len(line)-1] != '\n'
	}
	return len(b), nil
}
