package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/internal/loadgen"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/frontdesk/frontdesk/portal/sqlstore"
	"gonum.org/v1/gonum/stat/distuv"
)

// reportsBenchConfig is one run of `bench reports`.
type reportsBenchConfig struct {
	PGURL     string
	Durable   bool
	Customers int
	Orders    int
	Messages  int
	Searches  int
	Cases     int
	Requests  int
	Seed      uint64
	Timeout   time.Duration
	KeepDir   string
}

// reportPageFigure is one report page's latency over its requests, each
// with different parameters (so no answer comes from a cache).
type reportPageFigure struct {
	Page     string         `json:"page"`
	Requests int            `json:"requests"`
	Errors   int            `json:"errors"`
	P50      loadgen.Millis `json:"p50_ms"`
	P95      loadgen.Millis `json:"p95_ms"`
	Max      loadgen.Millis `json:"max_ms"`
}

// reportsBenchResult is one store's figures.
type reportsBenchResult struct {
	Store         string   `json:"store"`
	Postgres      *benchPG `json:"postgres,omitempty"`
	Customers     int      `json:"customers"`
	Orders        int      `json:"orders"`
	Conversations int      `json:"conversations"`
	Messages      int      `json:"messages"`
	Searches      int      `json:"searches"`
	SeedSeconds   float64  `json:"seed_s"`
	RefitSeconds  float64  `json:"refit_s"`
	RefitCPU      float64  `json:"refit_server_cpu_s"`
	// FactsWaitSeconds is how long the support report's facts took to be
	// ready after the first analysis.
	FactsWaitSeconds float64            `json:"facts_wait_s"`
	Pages            []reportPageFigure `json:"pages"`
	Errors           int                `json:"errors"`
	ServerRSSKiB     int64              `json:"server_rss_kib"`
	Machine          loadgen.Machine    `json:"machine"`
}

// runBenchReports creates a store of the size managers' reports must
// handle (by default 100,000 customers, 1,000,000 orders and 1,000,000
// chat messages), then times every report page and a full customer
// analysis against a real "frontdesk serve" process, on SQLite and (given
// a server) PostgreSQL.
func runBenchReports(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c reportsBenchConfig
	fs := flag.NewFlagSet("bench reports", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.PGURL, "postgres-url", os.Getenv("FRONTDESK_TEST_POSTGRES_URL"), "PostgreSQL admin URL; a scratch database is created and dropped (empty: SQLite only)")
	fs.BoolVar(&c.Durable, "durable", true, "PostgreSQL with fsync and synchronous_commit on (when the server has fsync off, the bench starts its own cluster)")
	fs.IntVar(&c.Customers, "customers", 100_000, "customers")
	fs.IntVar(&c.Orders, "orders", 1_000_000, "orders, spread unevenly over the customers and the last two years")
	fs.IntVar(&c.Messages, "messages", 1_000_000, "chat messages, in conversations of 2 to 18 messages over the last year")
	fs.IntVar(&c.Searches, "searches", 200_000, "help-centre searches over the last year")
	fs.IntVar(&c.Cases, "cases", 100_000, "cases over the last year, from every channel, most answered and solved")
	fs.IntVar(&c.Requests, "requests", 20, "requests per report page, each with other parameters")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed for the generated store")
	fs.DurationVar(&c.Timeout, "timeout", time.Minute, "a page answered later than this counts as failed")
	fs.StringVar(&c.KeepDir, "keep", "", "keep the SQLite store in this directory and use it again on the next run with the same sizes and seed")
	stores := fs.String("stores", "sqlite,postgres", "stores to measure, comma-separated (postgres only with a PostgreSQL URL)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if c.Customers < 1 || c.Orders < c.Customers || c.Messages < 0 || c.Searches < 0 || c.Cases < 0 || c.Requests < 1 {
		fmt.Fprintln(stderr, "bench reports: -customers and -requests must be positive, -orders at least -customers, -messages, -searches and -cases not negative")
		return errUsage
	}
	kinds, err := benchStores("reports", *stores, c.PGURL, stderr)
	if err != nil {
		return err
	}
	var results []reportsBenchResult
	for _, kind := range kinds {
		fmt.Fprintf(stdout, "== %s: %d customers, %d orders, %d chat messages, %d searches\n", kind, c.Customers, c.Orders, c.Messages, c.Searches)
		r, err := benchReportsStore(ctx, kind, c, stdout)
		if err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
		results = append(results, r)
	}
	b, _ := json.Marshal(results)
	fmt.Fprintln(stdout, string(b))
	return nil
}

func benchReportsStore(ctx context.Context, kind string, c reportsBenchConfig, out io.Writer) (reportsBenchResult, error) {
	res := reportsBenchResult{Store: kind, Customers: c.Customers, Orders: c.Orders, Searches: c.Searches,
		Machine: loadgen.Machine{CPUs: runtime.NumCPU(), LoadBefore: loadgen.ReadLoad()}}
	dir := c.KeepDir
	if kind != "sqlite" || dir == "" {
		d, err := os.MkdirTemp("", "frontdesk-bench-reports-*")
		if err != nil {
			return res, err
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	cfg := ConfigFromEnv(func(string) string { return "" })
	cfg.DataDir = dir
	if kind == "postgres" {
		dbURL, info, drop, err := benchPostgres(ctx, c.PGURL, c.Durable, out)
		if err != nil {
			return res, err
		}
		defer drop()
		fmt.Fprintln(out, info)
		res.Postgres = &info
		cfg.DatabaseURL = dbURL
	}
	// A kept SQLite store made with the same sizes and seed (and this
	// version of the seeding: "threads" has the cases' threads) is used again;
	// any other is made anew.
	kept := filepath.Join(dir, "bench-reports.json")
	want := fmt.Sprintf("threads/%d/%d/%d/%d/%d/%d", c.Customers, c.Orders, c.Messages, c.Searches, c.Cases, c.Seed)
	var seed reportSeed
	seedStart := time.Now()
	if b, err := os.ReadFile(kept); kind == "sqlite" && err == nil && json.Unmarshal(b, &seed) == nil && seed.Sizes == want {
		fmt.Fprintf(out, "using the store kept in %s\n", dir)
	} else {
		for _, f := range []string{kept, "frontdesk.db", "frontdesk.db-wal", "frontdesk.db-shm"} {
			os.Remove(filepath.Join(dir, filepath.Base(f)))
		}
		store, err := openStore(ctx, cfg)
		if err != nil {
			return res, err
		}
		seed, err = seedReportStore(ctx, store, c, out)
		store.Close()
		if err != nil {
			return res, err
		}
		seed.Sizes = want
		if c.KeepDir != "" && kind == "sqlite" {
			b, _ := json.Marshal(seed)
			if err := os.WriteFile(kept, b, 0o600); err != nil {
				return res, err
			}
		}
	}
	res.Conversations, res.Messages = seed.Conversations, seed.Messages
	res.SeedSeconds = math.Round(time.Since(seedStart).Seconds()*10) / 10
	fmt.Fprintf(out, "seeded in %.1f s\n", res.SeedSeconds)

	srv, stop, err := startServeProcess(ctx, cfg)
	if err != nil {
		return res, err
	}
	defer stop()
	base := "http://" + srv.Host
	hc := &http.Client{Timeout: c.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) ([]byte, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		req.AddCookie(&http.Cookie{Name: "fd_session", Value: seed.ManagerCookie})
		r, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		if err == nil && r.StatusCode != 200 {
			err = fmt.Errorf("%s: status %d", path, r.StatusCode)
		}
		return b, err
	}

	// The full customer analysis (RFM + CLV) from the store, as a manager
	// starts it: timed from the request to the finished report.
	if err := waitAnalysis(ctx, get, time.Time{}); err != nil {
		return res, fmt.Errorf("first analysis: %w", err)
	}
	// The support report's per-item facts, built in the background from
	// the server's start (a store made before them, or kept from an
	// earlier run, has none): the pages are timed on them, and the refit
	// is not timed while they are built.
	factsStart := time.Now()
	if err := waitReportFacts(ctx, get); err != nil {
		return res, fmt.Errorf("report facts: %w", err)
	}
	res.FactsWaitSeconds = math.Round(time.Since(factsStart).Seconds()*100) / 100
	fmt.Fprintf(out, "support report facts ready %.2f s after the first analysis\n", res.FactsWaitSeconds)
	page, err := get("/reports/customers")
	if err != nil {
		return res, err
	}
	m := benchCSRF.FindSubmatch(page)
	if m == nil {
		return res, errors.New("no CSRF token on /reports/customers")
	}
	cpu := loadgen.ProcessCPU(srv.pid)
	refitStart := time.Now()
	form := url.Values{"_csrf": {string(m[1])}}
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/reports/customers/refit", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "fd_session", Value: seed.ManagerCookie})
	r, err := hc.Do(req)
	if err != nil {
		return res, err
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		return res, fmt.Errorf("refit: status %d", r.StatusCode)
	}
	if err := waitAnalysis(ctx, get, refitStart); err != nil {
		return res, fmt.Errorf("refit: %w", err)
	}
	res.RefitSeconds = math.Round(time.Since(refitStart).Seconds()*100) / 100
	res.RefitCPU = math.Round((loadgen.ProcessCPU(srv.pid)-cpu).Seconds()*100) / 100
	fmt.Fprintf(out, "customer analysis (RFM + CLV) of %d customers: %.2f s, %.2f s of server CPU\n", c.Customers, res.RefitSeconds, res.RefitCPU)
	// The refit moved customers between segments, and their cases' facts
	// with them: the pages are timed once those are refreshed.
	factsStart = time.Now()
	if err := waitReportFacts(ctx, get); err != nil {
		return res, fmt.Errorf("report facts after the refit: %w", err)
	}
	fmt.Fprintf(out, "support report facts up to date %.2f s after the refit\n", time.Since(factsStart).Seconds())

	// Each page, requests one after another as a manager browses, each
	// with other parameters.
	today := time.Now().UTC()
	day := func(d int) string { return today.AddDate(0, 0, -d).Format("2006-01-02") }
	pages := []struct {
		name string
		path func(i int) string
	}{
		{"support report, 4 weeks by day", func(i int) string { return "/reports/support?to=" + day(i*7) }},
		{"support report, a year by week", func(i int) string {
			return "/reports/support?by=week&from=" + day(365+i) + "&to=" + day(i+1)
		}},
		{"support report, email and form cases, 4 weeks", func(i int) string {
			return "/reports/support?channel=email&channel=portal&to=" + day(i*7+1)
		}},
		{"support report CSV, 4 weeks", func(i int) string { return "/reports/support.csv?to=" + day(i*7+3) }},
		{"customer analysis", func(i int) string { return "/reports/customers" }},
		{"customer list, a segment, a page", func(i int) string {
			return "/reports/customers/list?" + url.Values{"segment": {analytics.Segments[i%len(analytics.Segments)]}, "page": {fmt.Sprint(1 + i%3)}}.Encode()
		}},
		{"customer list, RFM filter", func(i int) string {
			return fmt.Sprintf("/reports/customers/list?min_r=%d&page=%d", 1+i%5, 1+i%4)
		}},
		{"customer list CSV, a segment", func(i int) string {
			return "/reports/customers/list.csv?" + url.Values{"segment": {analytics.Segments[i%len(analytics.Segments)]}}.Encode()
		}},
	}
	for _, p := range pages {
		l := &latencies{}
		for i := 0; i < c.Requests; i++ {
			t := time.Now()
			if _, err := get(p.path(i)); err != nil {
				fmt.Fprintf(out, "  %s: %v\n", p.name, err)
				l.errs.Add(1)
				continue
			}
			l.add(time.Since(t))
		}
		f := reportPageFigure{Page: p.name, Requests: c.Requests, Errors: int(l.errs.Load()),
			P50: loadgen.Millis(l.quantile(.5)), P95: loadgen.Millis(l.quantile(.95)), Max: loadgen.Millis(l.quantile(1))}
		res.Pages = append(res.Pages, f)
		res.Errors += f.Errors
		fmt.Fprintf(out, "%-36s p50 %8v ms, p95 %8v ms, max %8v ms, %d errors\n", p.name+":", f.P50, f.P95, f.Max, f.Errors)
	}
	res.ServerRSSKiB = rssKiB(srv.pid)
	res.Machine.LoadAfter = loadgen.ReadLoad()
	fmt.Fprintf(out, "errors in all: %d; server RSS %d MiB; load average %v before, %v after (%d CPUs)\n",
		res.Errors, res.ServerRSSKiB/1024, res.Machine.LoadBefore, res.Machine.LoadAfter, res.Machine.CPUs)
	return res, nil
}

// waitAnalysis polls the analysis status until a report newer than after
// is there and nothing runs.
func waitAnalysis(ctx context.Context, get func(string) ([]byte, error), after time.Time) error {
	deadline := time.Now().Add(10 * time.Minute)
	for {
		b, err := get("/reports/customers/status")
		if err != nil {
			return err
		}
		var st struct {
			Running bool      `json:"running"`
			Failed  bool      `json:"failed"`
			At      time.Time `json:"at"`
		}
		if err := json.Unmarshal(b, &st); err != nil {
			return err
		}
		switch {
		case st.Failed && !st.Running:
			return errors.New("the analysis failed (see the server's log)")
		case !st.Running && !st.At.IsZero() && st.At.After(after):
			return nil
		case time.Now().After(deadline):
			return errors.New("the analysis did not finish within 10 minutes")
		case ctx.Err() != nil:
			return ctx.Err()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitReportFacts polls the support report's facts until they are ready.
func waitReportFacts(ctx context.Context, get func(string) ([]byte, error)) error {
	deadline := time.Now().Add(10 * time.Minute)
	for {
		b, err := get("/reports/support/facts")
		if err != nil {
			return err
		}
		var st struct {
			Ready bool `json:"ready"`
		}
		if err := json.Unmarshal(b, &st); err != nil {
			return err
		}
		switch {
		case st.Ready:
			return nil
		case time.Now().After(deadline):
			return errors.New("the facts were not ready within 10 minutes")
		case ctx.Err() != nil:
			return ctx.Err()
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// reportSeed is what seedReportStore made.
type reportSeed struct {
	ManagerCookie string `json:"manager_cookie"`
	Conversations int    `json:"conversations"`
	Messages      int    `json:"messages"`
	// Sizes names the configuration the store was made with.
	Sizes string `json:"sizes"`
}

// seedReportStore fills s with c.Customers customers and c.Orders orders
// through the back-office upserts, as the retailer's systems would, and
// with a year of chats and searches written straight into their tables
// (the chat stores every message at the time it is sent, so a year of
// history cannot be made through it). Purchase rates and spend differ
// between customers, so the RFM segments and the CLV model have real work.
func seedReportStore(ctx context.Context, s portal.Store, c reportsBenchConfig, out io.Writer) (reportSeed, error) {
	var seed reportSeed
	src := rand.NewPCG(c.Seed, 0x5eed)
	rng := rand.New(src)
	now := time.Now().UTC()
	// progress prints a line each time another tenth is done.
	progress := func(what string, before, done, all int, start time.Time) {
		if tenth := max(1, all/10); done == all || done/tenth != before/tenth {
			fmt.Fprintf(out, "  %s: %d of %d (%.0f s)\n", what, done, all, time.Since(start).Seconds())
		}
	}

	// Customers.
	start := time.Now()
	ids := make([]int64, c.Customers)
	const batch = 1000
	for lo := 0; lo < c.Customers; lo += batch {
		var us []*portal.User
		for i := lo; i < min(c.Customers, lo+batch); i++ {
			us = append(us, &portal.User{Email: fmt.Sprintf("rep-%d@example.com", i), Name: fmt.Sprintf("Report Customer %d", i), TimeZone: "Europe/Berlin"})
		}
		if err := s.UpsertCustomers(ctx, us); err != nil {
			return seed, fmt.Errorf("seed customers: %w", err)
		}
		for j, u := range us {
			ids[lo+j] = u.ID
		}
		progress("customers", lo, min(c.Customers, lo+batch), c.Customers, start)
	}

	// Orders: each customer gets one, the rest go to customers in
	// proportion to a gamma-distributed purchase rate; each customer has
	// a typical basket (lognormal), and orders fall uniformly in the two
	// years after the customer's first purchase date.
	rate := distuv.Gamma{Alpha: 0.6, Beta: 1, Src: src} // heterogeneous purchase rates
	weights := make([]float64, c.Customers)
	var sum float64
	for i := range weights {
		weights[i] = rate.Rand()
		sum += weights[i]
	}
	counts := make([]int, c.Customers)
	extra := c.Orders - c.Customers
	given := 0
	for i := range counts {
		counts[i] = 1 + int(float64(extra)*weights[i]/sum)
		given += counts[i]
	}
	for given < c.Orders { // rounding leftovers
		counts[rng.IntN(c.Customers)]++
		given++
	}
	span := 2 * 365 * 24 * time.Hour
	start = time.Now()
	// Batches go to the store from a few writers: on PostgreSQL each order
	// costs round trips, which several connections overlap; SQLite takes
	// one writer at a time anyway.
	writers := 1
	if raw, ok := s.(interface{ DB() sqlstore.DB }); ok && raw.DB().Dialect() == "postgres" {
		writers = 6
	}
	batches := make(chan []*portal.Order, writers)
	errc := make(chan error, writers)
	var wg sync.WaitGroup
	var done atomic.Int64
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				if err := s.UpsertOrders(ctx, b); err != nil {
					errc <- fmt.Errorf("seed orders: %w", err)
					for range batches { // drain
					}
					return
				}
				n := int(done.Add(int64(len(b))))
				progress("orders", n-len(b), n, c.Orders, start)
			}
		}()
	}
	var orders []*portal.Order
	for i, n := range counts {
		basket := math.Exp(3.6 + 0.6*rng.NormFloat64()) // about 37 EUR, skewed
		first := now.Add(-time.Duration(rng.Int64N(int64(span))))
		for k := 0; k < n; k++ {
			placed := first
			if k > 0 {
				placed = first.Add(time.Duration(rng.Int64N(int64(now.Sub(first)) + 1)))
			}
			minor := int64(math.Round(basket*(0.7+0.6*rng.Float64())*100)) + 100
			orders = append(orders, &portal.Order{Number: fmt.Sprintf("R-%06d-%04d", i, k), CustomerID: ids[i], Email: fmt.Sprintf("rep-%d@example.com", i),
				Status: portal.OrderDelivered, PaymentStatus: portal.PaymentPaid, Currency: "EUR",
				SubtotalMinor: minor, TotalMinor: minor, TaxMinor: minor * 19 / 119, PlacedAt: placed,
				ShippingAddress: portal.Address{Name: "Report Customer", Line1: "Torstraße 1", City: "Berlin", Postcode: "10115", Country: "DE"},
				Items:           []portal.OrderItem{{SKU: "NW-THROW-03", Name: "Wool throw blanket", Quantity: 1, UnitPriceMinor: minor, TotalMinor: minor}}})
			if len(orders) == batch {
				batches <- orders
				orders = nil
			}
		}
	}
	if len(orders) > 0 {
		batches <- orders
	}
	close(batches)
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return seed, err
	}

	// Staff: a manager (signed in with a session, as signing in would
	// create it) and ten agents who took the handed-off chats.
	mgr := &portal.User{Email: "rep-manager@example.com", Name: "Report Manager", Role: portal.RoleManager}
	if err := s.CreateUser(ctx, mgr); err != nil {
		return seed, fmt.Errorf("seed manager: %w", err)
	}
	tok := auth.NewToken()
	if err := s.CreateSession(ctx, &portal.Session{ID: auth.HashToken(tok), UserID: mgr.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(24 * time.Hour), UserAgent: "frontdesk bench", IP: "127.0.0.1"}); err != nil {
		return seed, fmt.Errorf("seed session: %w", err)
	}
	seed.ManagerCookie = tok
	var agents []int64
	for a := 0; a < 10; a++ {
		u := &portal.User{Email: fmt.Sprintf("rep-agent-%d@example.com", a), Name: fmt.Sprintf("Agent %d", a), Role: portal.RoleAgent}
		if err := s.CreateUser(ctx, u); err != nil {
			return seed, fmt.Errorf("seed agents: %w", err)
		}
		agents = append(agents, u.ID)
	}

	raw, ok := s.(interface{ DB() sqlstore.DB })
	if !ok {
		return seed, errors.New("this store has no SQL database to write chat history into")
	}
	db := raw.DB()
	year := 365 * 24 * time.Hour

	// Conversations and their messages, a thousand conversations to a
	// transaction.
	start = time.Now()
	for seed.Messages < c.Messages {
		before := seed.Messages
		err := db.InTx(ctx, func(q sqlstore.Querier) error {
			for k := 0; k < 1000 && seed.Messages < c.Messages; k++ {
				n := min(2+rng.IntN(17), c.Messages-seed.Messages)
				created := now.Add(-time.Duration(rng.Int64N(int64(year))))
				var customer, agent any
				if rng.Float64() < 0.8 {
					customer = ids[rng.IntN(len(ids))]
				}
				var queued, closed, rating any
				handedOff := n >= 4 && rng.Float64() < 0.3
				if handedOff {
					queued = created.Add(time.Duration(n/2) * 20 * time.Second)
					agent = agents[rng.IntN(len(agents))]
				}
				closed = created.Add(time.Duration(n+3) * 20 * time.Second)
				comment := ""
				if rng.Float64() < 0.2 {
					rating = 1 + rng.IntN(5)
					if rng.Float64() < 0.3 {
						comment = []string{"Quick and helpful.", "Took too long.", "The bot did not understand me.", "Thanks!"}[rng.IntN(4)]
					}
				}
				var sb strings.Builder
				args := make([]any, 0, n*6)
				bots := 0
				var firstAgent any
				sb.WriteString(`INSERT INTO messages (conversation_id, seq, author, author_id, body, created_at) VALUES `)
				for j := 1; j <= n; j++ {
					at := created.Add(time.Duration(j) * 20 * time.Second)
					author, by, body := "customer", customer, "Where is my order? It was due yesterday."
					switch {
					case handedOff && j > n/2 && j%2 == 0:
						author, by, body = "agent", agent, "Let me check that for you: it is with the carrier and arrives tomorrow."
						if firstAgent == nil {
							firstAgent = at
						}
					case j%2 == 0:
						author, by, body = "bot", nil, "Standard delivery takes 3 to 5 working days."
						bots++
					}
					if j > 1 {
						sb.WriteString(", ")
					}
					sb.WriteString("(?, ?, ?, ?, ?, ?)")
					args = append(args, nil, j, author, by, body, at)
				}
				// The conversation's counters are what the chat's append
				// would have kept.
				var conv int64
				if err := q.QueryRow(ctx, `INSERT INTO conversations (visitor_id, customer_id, state, agent_id, bot_failures, last_seq, subject, queued_at, closed_at, rating, rating_comment, created_at, updated_at, bot_messages, first_agent_at)
					VALUES (?, ?, 'closed', ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
					fmt.Sprintf("rep-visitor-%d", rng.Int64()), customer, agent, rng.IntN(3), n, queued, closed, rating, comment, created, closed, bots, firstAgent).Scan(&conv); err != nil {
					return err
				}
				for j := 0; j < len(args); j += 6 {
					args[j] = conv
				}
				if _, err := q.Exec(ctx, sb.String(), args...); err != nil {
					return err
				}
				seed.Conversations++
				seed.Messages += n
			}
			return nil
		})
		if err != nil {
			return seed, fmt.Errorf("seed chats: %w", err)
		}
		progress("chat messages", before, seed.Messages, c.Messages, start)
	}

	// Help-centre searches: a fifth find nothing, half of the rest open an
	// article, some by signed-in customers.
	start = time.Now()
	queries := []string{"refund", "delivery time", "return label", "invoice", "change address", "warranty", "track parcel", "pay by invoice", "ship to austria", "cancel order"}
	for lo := 0; lo < c.Searches; lo += batch {
		err := db.InTx(ctx, func(q sqlstore.Querier) error {
			var sb strings.Builder
			var args []any
			sb.WriteString(`INSERT INTO search_log (query, norm, locale, hits, article_id, source, user_id, created_at) VALUES `)
			for i := lo; i < min(c.Searches, lo+batch); i++ {
				qs := queries[rng.IntN(len(queries))]
				hits := rng.IntN(6)
				if rng.Float64() < 0.2 {
					hits = 0
				}
				var article, user any
				if hits > 0 && rng.Float64() < 0.5 {
					article = int64(1 + rng.IntN(40))
				}
				if rng.Float64() < 0.4 {
					user = ids[rng.IntN(len(ids))]
				}
				if i > lo {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, ?, 'en', ?, ?, 'search', ?, ?)")
				args = append(args, qs, qs, hits, article, user, now.Add(-time.Duration(rng.Int64N(int64(year)))))
			}
			_, err := q.Exec(ctx, sb.String(), args...)
			return err
		})
		if err != nil {
			return seed, fmt.Errorf("seed searches: %w", err)
		}
	}
	if c.Searches > 0 {
		fmt.Fprintf(out, "  searches: %d (%.0f s)\n", c.Searches, time.Since(start).Seconds())
	}
	// Cases for the support report: from every channel; nine in ten
	// answered within 0 to 16 hours by one of the agents, a third of
	// those with the customer writing again and (mostly) answered once
	// more, two in three solved within 0 to 4 days, with business time
	// on the clock. Their threads hold the customer's messages and the
	// replies (the next-response figures and the agent filter read them).
	start = time.Now()
	channels := []string{portal.ChannelPortal, portal.ChannelEmail, portal.ChannelChat, portal.ChannelAPI}
	priorities := []string{portal.PriorityLow, portal.PriorityNormal, portal.PriorityNormal, portal.PriorityHigh, portal.PriorityUrgent}
	for lo := 0; lo < c.Cases; lo += batch {
		err := db.InTx(ctx, func(q sqlstore.Querier) error {
			var sb, eb strings.Builder
			var args, eargs []any
			sb.WriteString(`INSERT INTO cases (token, subject, status, priority, channel, customer_id, email, body, first_response_at, solved_at, sla_since, sla_spent, last_customer_at, created_at, updated_at) VALUES `)
			eb.WriteString(`INSERT INTO case_entries (case_id, kind, channel, author_id, body, created_at) VALUES `)
			entry := func(token, kind string, by any, at time.Time) {
				if len(eargs) > 0 {
					eb.WriteString(", ")
				}
				eb.WriteString("((SELECT id FROM cases WHERE token = ?), ?, ?, ?, 'Where is my order?', ?)")
				ch := portal.ChannelPortal
				if kind == portal.EntryReply {
					ch = portal.ChannelAgent
				}
				eargs = append(eargs, token, kind, ch, by, at)
			}
			for i := lo; i < min(c.Cases, lo+batch); i++ {
				at := now.Add(-time.Duration(rng.Int64N(int64(year))))
				token := fmt.Sprintf("bench%027d", i)
				status, spent := portal.CaseOpen, int64(0)
				var first, solved, since any
				since = at
				entry(token, portal.EntryCustomer, nil, at)
				if rng.Float64() < 0.9 {
					f := at.Add(time.Duration(rng.Int64N(int64(16 * time.Hour))))
					first = f
					agent := agents[rng.IntN(len(agents))]
					entry(token, portal.EntryReply, agent, f)
					if rng.Float64() < 0.33 {
						again := f.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
						if again.Before(now) {
							entry(token, portal.EntryCustomer, nil, again)
							if ans := again.Add(time.Duration(rng.Int64N(int64(12 * time.Hour)))); rng.Float64() < 0.9 && ans.Before(now) {
								entry(token, portal.EntryReply, agent, ans)
							}
						}
					}
					if rng.Float64() < 0.67 {
						sv := f.Add(time.Duration(rng.Int64N(int64(96 * time.Hour))))
						if sv.Before(now) {
							status, solved, since, spent = portal.CaseSolved, sv, nil, int64(sv.Sub(at).Seconds()/3)
						}
					}
				}
				if i > lo {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, 'Where is my order?', ?, ?, ?, ?, 'bench@example.com', 'Where is my order?', ?, ?, ?, ?, ?, ?, ?)")
				args = append(args, token, status, priorities[rng.IntN(len(priorities))], channels[rng.IntN(len(channels))],
					ids[rng.IntN(len(ids))], first, solved, since, spent, at, at, at)
			}
			if _, err := q.Exec(ctx, sb.String(), args...); err != nil {
				return err
			}
			_, err := q.Exec(ctx, eb.String(), eargs...)
			return err
		})
		if err != nil {
			return seed, fmt.Errorf("seed cases: %w", err)
		}
	}
	if c.Cases > 0 {
		fmt.Fprintf(out, "  cases: %d (%.0f s)\n", c.Cases, time.Since(start).Seconds())
	}
	if db.Dialect() == "postgres" {
		if _, err := db.Exec(ctx, `ANALYZE`); err != nil {
			return seed, err
		}
	}
	return seed, nil
}
