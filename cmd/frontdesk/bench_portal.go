package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/frontdesk/frontdesk/internal/loadgen"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/jackc/pgx/v5"
	"github.com/valyala/fasthttp"
)

// portalBenchResult is one store's figures. Fixed-rate figures count
// from each request's scheduled time, failed and late requests as
// infinitely slow ("inf"), with every failure counted by kind.
type portalBenchResult struct {
	Store       string   `json:"store"`
	Postgres    *benchPG `json:"postgres,omitempty"`
	Customers   int      `json:"customers"`
	Orders      int      `json:"orders_per_customer"`
	ChangeShare float64  `json:"change_share"`
	Rate        int      `json:"rate"`

	// Closed loop (conns connections back to back), pages in the cache.
	HistoryRPS    float64        `json:"history_rps"`
	HistoryP50    loadgen.Millis `json:"history_p50_ms"`
	HistoryP99    loadgen.Millis `json:"history_p99_ms"`
	HistoryErrors int64          `json:"history_errors"`
	// Closed loop on a server with the page cache off: every request
	// queries and renders, as the first view and any view after a change.
	HistoryUncachedRPS    float64        `json:"history_uncached_rps"`
	HistoryUncachedP50    loadgen.Millis `json:"history_uncached_closed_p50_ms"`
	HistoryUncachedErrors int64          `json:"history_uncached_errors"`
	// Server CPU time per request in the closed-loop runs: steadier than
	// throughput on a machine shared with the load generator and others.
	HistoryCPUus         float64 `json:"history_cpu_us_per_req"`
	HistoryUncachedCPUus float64 `json:"history_uncached_cpu_us_per_req"`
	ShipmentCPUus        float64 `json:"shipment_cpu_us_per_req"`

	// Fixed rate over all customers, ChangeShare of the requests right
	// after a change to that customer's history: all requests, those the
	// server answered from its cache ("hit"/"list") and those it queried
	// and rendered ("miss").
	HistoryAtRate         loadgen.Summary `json:"history_at_rate"`
	HistoryP99AtRate      loadgen.Millis  `json:"history_p99_at_rate_ms"`
	HistoryErrsAtRate     int64           `json:"history_errors_at_rate"`
	HistoryCachedAtRate   loadgen.Summary `json:"history_cached_at_rate"`
	HistoryUncachedAtRate loadgen.Summary `json:"history_uncached_at_rate"`
	HistoryUncachedP99    loadgen.Millis  `json:"history_uncached_p99_ms"`
	// HistoryWithChangeAtRate times the ChangeShare requests from their
	// schedule through the change (a tracking webhook) and the page.
	HistoryWithChangeAtRate loadgen.Summary `json:"history_with_change_at_rate"`
	// Changes are the tracking webhooks sent before those requests.
	Changes loadgen.Summary `json:"changes"`
	// ChangesAlone are the changes during which, through their page, no
	// other request of the same customer ran (one that did may render the
	// changed page first, and the change's page is then rightly served
	// from the cache); ChangesAloneCached those of them whose page still
	// came from the cache: a page older than the change, which must be 0.
	ChangesAlone       int64 `json:"changes_alone"`
	ChangesAloneCached int64 `json:"changes_alone_cached"`
	// HistoryPoolAtRate is the server's PostgreSQL pool during that run.
	HistoryPoolAtRate *poolUse `json:"history_pool_at_rate,omitempty"`

	ShipmentRPS       float64         `json:"shipment_rps"`
	ShipmentP50       loadgen.Millis  `json:"shipment_p50_ms"`
	ShipmentP99       loadgen.Millis  `json:"shipment_p99_ms"`
	ShipmentErrors    int64           `json:"shipment_errors"`
	ShipmentAtRate    loadgen.Summary `json:"shipment_at_rate"`
	ShipmentP99AtRate loadgen.Millis  `json:"shipment_p99_at_rate_ms"`
	ShipmentErrsRate  int64           `json:"shipment_errors_at_rate"`

	WebhookEventsPerS float64        `json:"webhook_events_per_s"`
	WebhookP99        loadgen.Millis `json:"webhook_p99_ms"`
	WebhookErrors     int64          `json:"webhook_errors"`

	// Errors is the sum of every error count above.
	Errors       int64           `json:"errors"`
	ServerRSSKiB int64           `json:"server_rss_kib"`
	Machine      loadgen.Machine `json:"machine"`
}

// portalBenchConfig is one run of `bench portal`.
type portalBenchConfig struct {
	PGURL       string
	Durable     bool
	Customers   int
	Orders      int
	ChangeShare float64
	Conns       int
	Duration    time.Duration
	Rate        int
	Timeout     time.Duration
	// PGPool: the server's PostgreSQL pool bound (pool_max_conns); 0
	// keeps the server's default.
	PGPool int
}

// runBenchPortal measures the history page, the shipment page and webhook
// ingest for many customers, on SQLite and (given a server) PostgreSQL,
// against a real "frontdesk serve" process.
func runBenchPortal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c portalBenchConfig
	fs := flag.NewFlagSet("bench portal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.PGURL, "postgres-url", os.Getenv("FRONTDESK_TEST_POSTGRES_URL"), "PostgreSQL admin URL; a scratch database is created and dropped (empty: SQLite only)")
	fs.BoolVar(&c.Durable, "durable", true, "PostgreSQL with fsync and synchronous_commit on (when the server has fsync off, the bench starts its own cluster); false measures without durability, and says so")
	fs.IntVar(&c.Customers, "customers", 10000, "customers; requests are spread over all of them")
	fs.IntVar(&c.Orders, "orders", 5, "orders per customer (each with an invoice and a shipment with two tracking events)")
	fs.Float64Var(&c.ChangeShare, "change-share", 0.10, "share of the fixed-rate history requests that follow a change (a tracking event) to that customer's history")
	fs.IntVar(&c.Conns, "conns", 64, "connections for the throughput runs")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "length of each run")
	fs.IntVar(&c.Rate, "rate", 2000, "requests per second for the fixed-rate runs")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "a request answered later than this after its scheduled time counts as failed")
	fs.IntVar(&c.PGPool, "pg-pool", 0, "the server's PostgreSQL pool bound (pool_max_conns; 0: the server's default)")
	stores := fs.String("stores", "sqlite,postgres", "stores to measure, comma-separated (postgres only with a PostgreSQL URL)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if c.Customers < 1 || c.Orders < 1 || c.ChangeShare < 0 || c.ChangeShare > 1 || c.Conns < 1 || c.Rate < 1 {
		fmt.Fprintln(stderr, "bench portal: -customers, -orders, -conns and -rate must be positive, -change-share between 0 and 1")
		return errUsage
	}
	kinds, err := benchStores("portal", *stores, c.PGURL, stderr)
	if err != nil {
		return err
	}
	var results []portalBenchResult
	for _, kind := range kinds {
		fmt.Fprintf(stdout, "== %s: %d customers with %d orders each\n", kind, c.Customers, c.Orders)
		r, err := benchPortalStore(ctx, kind, c, stdout)
		if err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
		results = append(results, r)
	}
	b, _ := json.Marshal(results)
	fmt.Fprintln(stdout, string(b))
	return nil
}

// benchCustomer is a seeded customer with a signed-in session.
type benchCustomer struct {
	cookie   string
	shipment int64
	tracking []string
	changes  atomic.Int64
	// active counts this customer's requests in flight in the fixed-rate
	// run and started all that began: a change is alone when no other
	// request of the customer ran while it and its page did.
	active, started atomic.Int64
}

func benchPortalStore(ctx context.Context, kind string, c portalBenchConfig, out io.Writer) (portalBenchResult, error) {
	res := portalBenchResult{Store: kind, Customers: c.Customers, Orders: c.Orders, ChangeShare: c.ChangeShare, Rate: c.Rate,
		Machine: loadgen.Machine{CPUs: runtime.NumCPU(), LoadBefore: loadgen.ReadLoad()}}
	dir, err := os.MkdirTemp("", "frontdesk-bench-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
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
		if c.PGPool > 0 {
			sep := "?"
			if strings.Contains(cfg.DatabaseURL, "?") {
				sep = "&"
			}
			cfg.DatabaseURL += sep + "pool_max_conns=" + strconv.Itoa(c.PGPool)
			fmt.Fprintf(out, "server pool: at most %d PostgreSQL connections\n", c.PGPool)
		}
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return res, err
	}
	seedStart := time.Now()
	customers, err := seedBenchCustomers(ctx, store, c.Customers, c.Orders)
	store.Close()
	if err != nil {
		return res, err
	}
	fmt.Fprintf(out, "seeded in %.1f s\n", time.Since(seedStart).Seconds())
	timeout := c.Timeout
	client := func(srv *serveProcess, conns int) *fasthttp.HostClient {
		// Requests wait for a free connection (up to the timeout) rather
		// than fail at once: the wait is the server's slowness, and counts
		// from the schedule.
		return &fasthttp.HostClient{Addr: srv.Host, MaxConns: conns, ReadTimeout: timeout, WriteTimeout: timeout, MaxConnWaitTimeout: timeout}
	}
	// get fetches path as customer i; it returns the history cache header.
	get := func(hc *fasthttp.HostClient, ctx context.Context, path string, cu *benchCustomer) (string, error) {
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI("http://" + hc.Addr + path)
		req.Header.SetCookie("fd_session", cu.cookie)
		dl, ok := ctx.Deadline()
		if !ok {
			dl = time.Now().Add(timeout)
		}
		if err := hc.DoDeadline(req, resp, dl); err != nil {
			return "", err
		}
		if resp.StatusCode() != 200 {
			return "", fmt.Errorf("%s: status %d", path, resp.StatusCode())
		}
		return string(resp.Header.Peek("X-Frontdesk-History-Cache")), nil
	}
	var seq atomic.Int64
	secret := []byte("bench-webhook-secret")
	// hook posts a tracking event; its status alternates per customer, so
	// that each changes what the customer's history shows.
	hook := func(hc *fasthttp.HostClient, ctx context.Context, cu *benchCustomer, tn string) error {
		n := seq.Add(1)
		status := "out_for_delivery"
		if cu.changes.Add(1)%2 == 0 {
			status = "in_transit"
		}
		body := []byte(fmt.Sprintf(`{"events":[{"id":"bench-%d","tracking_number":%q,"carrier":"DHL","status":%q,"message":"Scan %d","city":"Leipzig","country":"DE","occurred_at":%q}]}`,
			n, tn, status, n, time.Now().UTC().Format(time.RFC3339Nano)))
		ts, sig := tracking.Sign(secret, time.Now(), body)
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI("http://" + hc.Addr + "/api/v1/webhooks/tracking/frontdesk")
		req.Header.SetMethod("POST")
		req.Header.SetContentType("application/json")
		req.Header.Set(tracking.HeaderTimestamp, ts)
		req.Header.Set(tracking.HeaderSignature, sig)
		req.SetBody(body)
		dl, ok := ctx.Deadline()
		if !ok {
			dl = time.Now().Add(timeout)
		}
		if err := hc.DoDeadline(req, resp, dl); err != nil {
			return err
		}
		if resp.StatusCode() != 200 {
			return fmt.Errorf("webhook: status %d: %s", resp.StatusCode(), resp.Body())
		}
		return nil
	}
	// The customer of request i: a fixed pseudo-random walk over all of them.
	pick := func(i int) *benchCustomer { return &customers[int(uint64(i)*2654435761%uint64(len(customers)))] }

	// 1. The uncached page: a server with the page cache off.
	{
		cfgOff := cfg
		cfgOff.HistoryCachePages = -1
		srv, stop, err := startServeProcess(ctx, cfgOff)
		if err != nil {
			return res, err
		}
		hc := client(srv, c.Conns)
		var n atomic.Int64
		history := func() error {
			_, err := get(hc, ctx, "/account/history", pick(int(n.Add(1))))
			return err
		}
		closedLoop(ctx, c.Conns, time.Second, history) // warm up
		cpu := loadgen.ProcessCPU(srv.pid)
		l, el := closedLoop(ctx, c.Conns, c.Duration, history)
		res.HistoryUncachedCPUus = cpuPerReq(loadgen.ProcessCPU(srv.pid)-cpu, l.count())
		res.HistoryUncachedRPS, res.HistoryUncachedP50 = float64(l.count())/el.Seconds(), loadgen.Millis(l.quantile(.5))
		res.HistoryUncachedErrors = l.errs.Load()
		fmt.Fprintf(out, "history page, uncached (page cache off): %8.0f req/s at %d connections, p50 %v ms, %d errors; server CPU %.0f µs per request\n",
			res.HistoryUncachedRPS, c.Conns, res.HistoryUncachedP50, res.HistoryUncachedErrors, res.HistoryUncachedCPUus)
		stop()
	}

	srv, stop, err := startServeProcess(ctx, cfg)
	if err != nil {
		return res, err
	}
	defer stop()
	hc := client(srv, c.Conns)

	// 2. The cached page: closed loop over as many customers as the
	// server's page cache surely holds, each viewed once before.
	{
		warm := customers[:min(len(customers), 2048)]
		for i := range warm {
			if _, err := get(hc, ctx, "/account/history", &warm[i]); err != nil {
				return res, err
			}
		}
		var n atomic.Int64
		var misses atomic.Int64
		history := func() error {
			h, err := get(hc, ctx, "/account/history", &warm[int(n.Add(1))%len(warm)])
			if h == "miss" {
				misses.Add(1)
			}
			return err
		}
		cpu := loadgen.ProcessCPU(srv.pid)
		l, el := closedLoop(ctx, c.Conns, c.Duration, history)
		res.HistoryCPUus = cpuPerReq(loadgen.ProcessCPU(srv.pid)-cpu, l.count())
		res.HistoryRPS, res.HistoryP50, res.HistoryP99 = float64(l.count())/el.Seconds(), loadgen.Millis(l.quantile(.5)), loadgen.Millis(l.quantile(.99))
		res.HistoryErrors = l.errs.Load()
		fmt.Fprintf(out, "history page, cached:  %8.0f req/s at %d connections (%d customers), p50 %v ms, p99 %v ms, %d errors, %d not from the cache; server CPU %.0f µs per request\n",
			res.HistoryRPS, c.Conns, len(warm), res.HistoryP50, res.HistoryP99, res.HistoryErrors, misses.Load(), res.HistoryCPUus)
	}

	// 3. Fixed rate over all customers, a share of requests after a change.
	{
		all := loadgen.NewRecorder(timeout)
		cached := loadgen.NewRecorder(timeout)
		uncached := loadgen.NewRecorder(timeout)
		changes := loadgen.NewRecorder(timeout)
		var seen sync.Map
		var alone, aloneCached atomic.Int64
		every := 0
		if c.ChangeShare > 0 {
			every = max(1, int(math.Round(1/c.ChangeShare)))
		}
		poolBefore, poolErr := readPoolUse("http://" + srv.Host)
		loadgen.OpenLoop(ctx, float64(c.Rate), c.Duration, 100000, all, func(ctx context.Context, i int) error {
			cu := pick(i)
			_, viewed := seen.LoadOrStore(cu, true)
			expectMiss := !viewed
			first := cu.active.Add(1) == 1
			gen := cu.started.Add(1)
			defer cu.active.Add(-1)
			start := time.Now()
			change := every > 0 && i%every == 0
			if change {
				// The change, then the page (timed from when the change
				// was answered: a page view cannot follow a change sooner).
				expectMiss = true
				due := start // OpenLoop started this call at (or after) its due time
				if err := hook(hc, ctx, cu, cu.tracking[0]); err != nil {
					changes.Fail(loadgen.Error)
				} else {
					changes.Done(time.Since(due))
				}
				start = time.Now()
			}
			h, err := get(hc, ctx, "/account/history", cu)
			if change && err == nil && first && cu.started.Load() == gen {
				alone.Add(1)
				if h != "miss" {
					aloneCached.Add(1)
				}
			}
			switch {
			case err != nil && expectMiss:
				uncached.Fail(failKind(ctx, err))
			case err != nil:
				cached.Fail(failKind(ctx, err))
			case h == "miss":
				uncached.Done(time.Since(start))
			default:
				cached.Done(time.Since(start))
			}
			return err
		})
		// The page views: each from its scheduled time, or, after a change,
		// from when the change was answered (the carrier's webhook is not
		// the customer's wait); the driver's own overload and the lost
		// ones count too. all also holds the change before the page.
		page := loadgen.NewRecorder(timeout)
		page.Add(cached.Samples())
		page.Add(uncached.Samples())
		withChange := all.Summary()
		page.FailN(loadgen.Overload, withChange.Failed[loadgen.Overload])
		page.FailN(loadgen.Lost, withChange.Failed[loadgen.Lost])
		res.HistoryAtRate, res.HistoryWithChangeAtRate = page.Summary(), withChange
		res.HistoryCachedAtRate, res.HistoryUncachedAtRate, res.Changes = cached.Summary(), uncached.Summary(), changes.Summary()
		res.ChangesAlone, res.ChangesAloneCached = alone.Load(), aloneCached.Load()
		res.HistoryP99AtRate, res.HistoryErrsAtRate = res.HistoryAtRate.P99, res.HistoryAtRate.FailedTotal
		res.HistoryUncachedP99 = res.HistoryUncachedAtRate.P99
		fmt.Fprintf(out, "history page at a fixed %d req/s over %d customers, %.0f%% after a change: p50 %v ms, p99 %v ms, %s\n",
			c.Rate, c.Customers, c.ChangeShare*100, res.HistoryAtRate.P50, res.HistoryAtRate.P99, res.HistoryAtRate.FailedString())
		fmt.Fprintf(out, "  from the cache: %d, p99 %v ms; queried and rendered: %d, p50 %v ms, p99 %v ms; changes: %d, p99 %v ms, %s; change and page together: p99 %v ms\n",
			res.HistoryCachedAtRate.Scheduled, res.HistoryCachedAtRate.P99, res.HistoryUncachedAtRate.Scheduled, res.HistoryUncachedAtRate.P50,
			res.HistoryUncachedAtRate.P99, res.Changes.Scheduled, res.Changes.P99, res.Changes.FailedString(), res.HistoryWithChangeAtRate.P99)
		fmt.Fprintf(out, "  changes with no other request of the customer meanwhile: %d, their page from the cache: %d (must be 0)\n", res.ChangesAlone, res.ChangesAloneCached)
		if after, err := readPoolUse("http://" + srv.Host); err == nil && poolErr == nil {
			u := after.since(poolBefore)
			res.HistoryPoolAtRate = &u
			fmt.Fprintf(out, "  PostgreSQL pool: %s\n", u)
		}
	}

	// 4. The shipment page, spread over the customers.
	{
		var n atomic.Int64
		shipment := func(ctx context.Context, cu *benchCustomer) error {
			_, err := get(hc, ctx, "/account/shipments/"+strconv.FormatInt(cu.shipment, 10), cu)
			return err
		}
		cpu := loadgen.ProcessCPU(srv.pid)
		l, el := closedLoop(ctx, c.Conns, c.Duration, func() error { return shipment(ctx, pick(int(n.Add(1)))) })
		res.ShipmentCPUus = cpuPerReq(loadgen.ProcessCPU(srv.pid)-cpu, l.count())
		res.ShipmentRPS, res.ShipmentP50, res.ShipmentP99 = float64(l.count())/el.Seconds(), loadgen.Millis(l.quantile(.5)), loadgen.Millis(l.quantile(.99))
		res.ShipmentErrors = l.errs.Load()
		fmt.Fprintf(out, "shipment page: %8.0f req/s at %d connections, p50 %v ms, p99 %v ms, %d errors; server CPU %.0f µs per request\n",
			res.ShipmentRPS, c.Conns, res.ShipmentP50, res.ShipmentP99, res.ShipmentErrors, res.ShipmentCPUus)
		r := loadgen.NewRecorder(timeout)
		loadgen.OpenLoop(ctx, float64(c.Rate), c.Duration, 100000, r, func(ctx context.Context, i int) error { return shipment(ctx, pick(i)) })
		res.ShipmentAtRate = r.Summary()
		res.ShipmentP99AtRate, res.ShipmentErrsRate = res.ShipmentAtRate.P99, res.ShipmentAtRate.FailedTotal
		fmt.Fprintf(out, "shipment page at a fixed %d req/s: p50 %v ms, p99 %v ms, %s\n", c.Rate, res.ShipmentAtRate.P50, res.ShipmentAtRate.P99, res.ShipmentAtRate.FailedString())
	}

	// 5. Webhook ingest.
	{
		var n atomic.Int64
		l, el := closedLoop(ctx, 16, c.Duration, func() error {
			cu := pick(int(n.Add(1)))
			return hook(hc, ctx, cu, cu.tracking[len(cu.tracking)-1])
		})
		res.WebhookEventsPerS, res.WebhookP99 = float64(l.count())/el.Seconds(), loadgen.Millis(l.quantile(.99))
		res.WebhookErrors = l.errs.Load()
		fmt.Fprintf(out, "webhooks:      %8.0f events/s at 16 connections, p99 %v ms, %d errors\n", res.WebhookEventsPerS, res.WebhookP99, res.WebhookErrors)
	}
	res.Errors = res.HistoryErrors + res.HistoryUncachedErrors + res.HistoryErrsAtRate + res.Changes.FailedTotal +
		res.ShipmentErrors + res.ShipmentErrsRate + res.WebhookErrors
	res.ServerRSSKiB = rssKiB(srv.pid)
	res.Machine.LoadAfter = loadgen.ReadLoad()
	fmt.Fprintf(out, "errors in all: %d; load average %v before, %v after (%d CPUs)\n", res.Errors, res.Machine.LoadBefore, res.Machine.LoadAfter, res.Machine.CPUs)
	return res, nil
}

// cpuPerReq is CPU time per request in microseconds.
func cpuPerReq(cpu time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return math.Round(float64(cpu.Microseconds())/float64(n)*10) / 10
}

// failKind tells a late request (its time ran out) from a failed one.
func failKind(ctx context.Context, err error) string {
	if ctx.Err() != nil || errors.Is(err, fasthttp.ErrTimeout) || errors.Is(err, fasthttp.ErrNoFreeConns) {
		return loadgen.Late
	}
	return loadgen.Error
}

type serveProcess struct {
	Host string
	pid  int
}

// startServeProcess runs "frontdesk serve" from this binary on a free
// loopback port (with extra environment variables, which win) and waits
// until it is ready.
func startServeProcess(ctx context.Context, cfg Config, env ...string) (*serveProcess, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	exe, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "serve")
	cmd.Env = append(os.Environ(), "FRONTDESK_ADDR="+addr, "FRONTDESK_DATA_DIR="+cfg.DataDir, "FRONTDESK_DATABASE_URL="+cfg.DatabaseURL,
		"FRONTDESK_DEMO=0", "FRONTDESK_LOG_LEVEL=error", "FRONTDESK_WEBHOOK_SECRETS=frontdesk=bench-webhook-secret",
		"FRONTDESK_HISTORY_CACHE_PAGES="+strconv.Itoa(cfg.HistoryCachePages),
		// The load comes from a few loopback addresses standing for many
		// users: the per-client caps that guard a public server are off.
		"FRONTDESK_MAX_CONNS_PER_IP=-1", "FRONTDESK_CHAT_SOCKETS_PER_VISITOR=-1", "FRONTDESK_CHAT_SOCKETS_PER_IP=-1",
		// 19,000 idle sockets under a 20,000-descriptor limit: the default
		// reserve (an eighth) would refuse them past about 17,400.
		"FRONTDESK_FD_RESERVE=256")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(35 * time.Second):
			cmd.Process.Kill()
		}
	}
	// Serving starts once the search index is built: a minute or more for
	// a large help centre on a busy machine.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		r, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return &serveProcess{Host: addr, pid: cmd.Process.Pid}, stop, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			return nil, nil, errors.New("server did not become ready within 3 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var benchCSRF = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// signInWith signs c (which keeps cookies and does not follow redirects)
// in at base through the sign-in form, CSRF token included.
func signInWith(c *http.Client, base, email, password string) error {
	r, err := c.Get(base + "/login")
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	m := benchCSRF.FindSubmatch(page)
	if m == nil {
		return fmt.Errorf("no CSRF token on %s/login", base)
	}
	r, err = c.PostForm(base+"/login", url.Values{"_csrf": {string(m[1])}, "email": {email}, "password": {password}})
	if err != nil {
		return err
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign-in as %s at %s: status %d", email, base, r.StatusCode)
	}
	return nil
}

// seedBenchCustomers creates n customers (bench-N@example.com), each with
// orders orders, each with an invoice and a shipment with two tracking
// events, through the back-office upserts (a thousand to a transaction),
// and a signed-in session for each.
func seedBenchCustomers(ctx context.Context, s portal.Store, n, orders int) ([]benchCustomer, error) {
	out := make([]benchCustomer, n)
	now := time.Now().UTC()
	const batch = 1000
	ids := make([]int64, n)
	for lo := 0; lo < n; lo += batch {
		var us []*portal.User
		for i := lo; i < min(n, lo+batch); i++ {
			us = append(us, &portal.User{Email: fmt.Sprintf("bench-%d@example.com", i), Name: fmt.Sprintf("Bench Customer %d", i), TimeZone: "Europe/Berlin"})
		}
		if err := s.UpsertCustomers(ctx, us); err != nil {
			return nil, fmt.Errorf("seed customers: %w", err)
		}
		for j, u := range us {
			ids[lo+j] = u.ID
		}
	}
	perBatch := max(1, batch/orders)
	for lo := 0; lo < n; lo += perBatch {
		var os []*portal.Order
		var invs []*portal.Invoice
		var ships []*portal.Shipment
		var placedAt []time.Time
		for i := lo; i < min(n, lo+perBatch); i++ {
			for k := 0; k < orders; k++ {
				placed := now.Add(-time.Duration(k*36+i%24+12) * time.Hour) // its events are in the past
				num := fmt.Sprintf("B-%06d-%03d", i, k)
				os = append(os, &portal.Order{Number: num, CustomerID: ids[i], Email: fmt.Sprintf("bench-%d@example.com", i), Status: portal.OrderShipped, PaymentStatus: portal.PaymentPaid,
					Currency: "EUR", SubtotalMinor: 5900, TotalMinor: 5900, TaxMinor: 942, PlacedAt: placed,
					ShippingAddress: portal.Address{Name: "Bench Customer", Line1: "Torstraße 1", City: "Berlin", Postcode: "10115", Country: "DE"},
					Items:           []portal.OrderItem{{SKU: "NW-THROW-03", Name: "Wool throw blanket", Quantity: 1, UnitPriceMinor: 5900, TotalMinor: 5900}}})
				invs = append(invs, &portal.Invoice{Number: "BI" + num[1:], OrderNumber: num, Currency: "EUR", TotalMinor: 5900, TaxMinor: 942, Status: "paid", IssuedAt: placed, DueAt: placed.Add(14 * 24 * time.Hour)})
				ships = append(ships, &portal.Shipment{OrderNumber: num, Carrier: "DHL", TrackingNumber: fmt.Sprintf("BT%06d%03d", i, k)})
				placedAt = append(placedAt, placed)
			}
		}
		if err := s.UpsertOrders(ctx, os); err != nil {
			return nil, fmt.Errorf("seed orders: %w", err)
		}
		if err := s.UpsertInvoices(ctx, invs); err != nil {
			return nil, fmt.Errorf("seed invoices: %w", err)
		}
		if err := s.UpsertShipments(ctx, ships); err != nil {
			return nil, fmt.Errorf("seed shipments: %w", err)
		}
		var evs []*portal.TrackingEvent
		for j, sh := range ships {
			i := lo + j/orders
			if j%orders == 0 {
				out[i].shipment = sh.ID
			}
			out[i].tracking = append(out[i].tracking, sh.TrackingNumber)
			for e, st := range []portal.ShipmentStatus{portal.StatusInfoReceived, portal.StatusInTransit} {
				evs = append(evs, &portal.TrackingEvent{ShipmentID: sh.ID, Source: "seed", EventID: sh.TrackingNumber + "-" + strconv.Itoa(e), Carrier: "DHL", Status: st,
					Message: "Scan", City: "Leipzig", Country: "DE", OccurredAt: placedAt[j].Add(time.Duration(e) * 6 * time.Hour)})
			}
		}
		if _, _, err := s.AddTrackingEvents(ctx, evs); err != nil {
			return nil, fmt.Errorf("seed tracking events: %w", err)
		}
	}
	// Sessions, as signing in would create them (signing in itself costs
	// an argon2id hash each, which is not what this bench measures).
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				tok := auth.NewToken()
				sess := &portal.Session{ID: auth.HashToken(tok), UserID: ids[i], CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(24 * time.Hour), UserAgent: "frontdesk bench", IP: "127.0.0.1"}
				if err := s.CreateSession(ctx, sess); err != nil {
					errs <- fmt.Errorf("seed sessions: %w", err)
					return
				}
				out[i].cookie = tok
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return out, nil
}

// scratchDatabase creates a database on the admin URL's server and returns
// its URL and a function that drops it.
func scratchDatabase(ctx context.Context, admin string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 5)
	rand.Read(b)
	name := "fdbench_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	drop := func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err == nil {
			c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	}
	return u.String(), drop, nil
}

// rssKiB reads a process's resident set size from /proc.
func rssKiB(pid int) int64 {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// poolUse is the server's PostgreSQL connection pool over a run, from its
// /metrics (frontdesk_db_pool_*).
type poolUse struct {
	Acquires int64   `json:"acquires"`
	Waited   int64   `json:"waited"`
	WaitMs   float64 `json:"wait_ms"`
	NewConns int64   `json:"new_conns"`
	MaxConns int64   `json:"max_conns"`
}

func (u poolUse) String() string {
	avg := 0.0
	if u.Waited > 0 {
		avg = u.WaitMs / float64(u.Waited)
	}
	return fmt.Sprintf("%d acquires, %d found no idle connection (%.1f%%), waiting %.0f ms in all (%.2f ms each); %d connections opened; at most %d",
		u.Acquires, u.Waited, 100*float64(u.Waited)/math.Max(1, float64(u.Acquires)), u.WaitMs, avg, u.NewConns, u.MaxConns)
}

func (u poolUse) since(b poolUse) poolUse {
	return poolUse{Acquires: u.Acquires - b.Acquires, Waited: u.Waited - b.Waited, WaitMs: math.Round((u.WaitMs-b.WaitMs)*10) / 10,
		NewConns: u.NewConns - b.NewConns, MaxConns: u.MaxConns}
}

// readPoolUse reads the pool counters from the server's /metrics; an
// error when it has none (SQLite).
func readPoolUse(base string) (poolUse, error) {
	var u poolUse
	for _, m := range []struct {
		name string
		set  func(float64)
	}{
		{"acquires_total", func(v float64) { u.Acquires = int64(v) }},
		{"empty_acquires_total", func(v float64) { u.Waited = int64(v) }},
		{"acquire_wait_seconds_total", func(v float64) { u.WaitMs = v * 1000 }},
		{"new_conns_total", func(v float64) { u.NewConns = int64(v) }},
		{"max_conns", func(v float64) { u.MaxConns = int64(v) }},
	} {
		v, err := metricValue(base, "frontdesk_db_pool_"+m.name+" ")
		if err != nil {
			return u, err
		}
		m.set(v)
	}
	return u, nil
}
