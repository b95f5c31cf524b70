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
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/jackc/pgx/v5"
	"github.com/valyala/fasthttp"
)

// portalBenchResult is one store's figures.
type portalBenchResult struct {
	Store             string  `json:"store"`
	HistoryRPS        float64 `json:"history_rps"`
	HistoryP50        float64 `json:"history_p50_ms"`
	HistoryP99        float64 `json:"history_p99_ms"`
	HistoryP99AtRate  float64 `json:"history_p99_at_rate_ms"`
	HistoryErrsAtRate int64   `json:"history_errors_at_rate"`
	ShipmentRPS       float64 `json:"shipment_rps"`
	ShipmentP50       float64 `json:"shipment_p50_ms"`
	ShipmentP99       float64 `json:"shipment_p99_ms"`
	ShipmentP99AtRate float64 `json:"shipment_p99_at_rate_ms"`
	WebhookEventsPerS float64 `json:"webhook_events_per_s"`
	WebhookP99        float64 `json:"webhook_p99_ms"`
	Errors            int64   `json:"errors"`
	ServerRSSKiB      int64   `json:"server_rss_kib"`
}

// runBenchPortal measures the history page, the shipment page and webhook
// ingest for a customer with many orders, on SQLite and (given a server)
// PostgreSQL, against a real "frontdesk serve" process.
func runBenchPortal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench portal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pgURL := fs.String("postgres-url", os.Getenv("FRONTDESK_TEST_POSTGRES_URL"), "PostgreSQL admin URL; a scratch database is created and dropped (empty: SQLite only)")
	orders := fs.Int("orders", 50, "orders of the benchmark customer")
	conns := fs.Int("conns", 64, "connections for the throughput runs")
	dur := fs.Duration("duration", 10*time.Second, "length of each run")
	rate := fs.Int("rate", 2000, "requests per second for the fixed-rate runs")
	stores := fs.String("stores", "sqlite,postgres", "stores to measure, comma-separated (postgres only with a PostgreSQL URL)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	var kinds []string
	for _, k := range strings.Split(*stores, ",") {
		switch k = strings.TrimSpace(k); k {
		case "sqlite":
			kinds = append(kinds, k)
		case "postgres":
			if *pgURL != "" {
				kinds = append(kinds, k)
			}
		default:
			fmt.Fprintf(stderr, "bench portal: unknown store %q (sqlite, postgres)\n", k)
			return errUsage
		}
	}
	var results []portalBenchResult
	for _, kind := range kinds {
		fmt.Fprintf(stdout, "== %s: seeding a customer with %d orders\n", kind, *orders)
		r, err := benchPortalStore(ctx, kind, *pgURL, *orders, *conns, *dur, *rate, stdout)
		if err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
		results = append(results, r)
	}
	b, _ := json.Marshal(results)
	fmt.Fprintln(stdout, string(b))
	return nil
}

func benchPortalStore(ctx context.Context, kind, adminURL string, nOrders, conns int, dur time.Duration, rate int, out io.Writer) (portalBenchResult, error) {
	res := portalBenchResult{Store: kind}
	dir, err := os.MkdirTemp("", "frontdesk-bench-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	cfg := ConfigFromEnv(func(string) string { return "" })
	cfg.DataDir = dir
	if kind == "postgres" {
		dbURL, drop, err := scratchDatabase(ctx, adminURL)
		if err != nil {
			return res, err
		}
		defer drop()
		cfg.DatabaseURL = dbURL
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return res, err
	}
	tns, err := seedBenchCustomer(ctx, store, nOrders)
	store.Close()
	if err != nil {
		return res, err
	}
	srv, stop, err := startServeProcess(ctx, cfg)
	if err != nil {
		return res, err
	}
	defer stop()
	cookie, err := benchLogin(srv)
	if err != nil {
		return res, err
	}
	hc := &fasthttp.HostClient{Addr: srv.Host, MaxConns: conns * 2, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	get := func(path string) func() error {
		return func() error {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI("http://" + srv.Host + path)
			req.Header.SetCookie("fd_session", cookie)
			if err := hc.Do(req, resp); err != nil {
				return err
			}
			if resp.StatusCode() != 200 {
				return fmt.Errorf("%s: status %d", path, resp.StatusCode())
			}
			return nil
		}
	}
	history := get("/account/history")
	ships, _, _ := firstShipment(ctx, cfg)
	shipment := get("/account/shipments/" + strconv.FormatInt(ships, 10))
	closedLoop(ctx, conns, time.Second, history) // warm up
	l, el := closedLoop(ctx, conns, dur, history)
	res.HistoryRPS, res.HistoryP50, res.HistoryP99 = float64(l.count())/el.Seconds(), l.quantile(.5), l.quantile(.99)
	res.Errors += l.errs.Load()
	fmt.Fprintf(out, "history page:  %8.0f req/s at %d connections, p50 %.2f ms, p99 %.2f ms\n", res.HistoryRPS, conns, res.HistoryP50, res.HistoryP99)
	l = openLoop(ctx, rate, dur, 4*conns, history)
	res.HistoryP99AtRate, res.HistoryErrsAtRate = l.quantile(.99), l.errs.Load()
	fmt.Fprintf(out, "history page:  p99 %.2f ms at a fixed %d req/s (%d failed)\n", res.HistoryP99AtRate, rate, res.HistoryErrsAtRate)
	l, el = closedLoop(ctx, conns, dur, shipment)
	res.ShipmentRPS, res.ShipmentP50, res.ShipmentP99 = float64(l.count())/el.Seconds(), l.quantile(.5), l.quantile(.99)
	res.Errors += l.errs.Load()
	fmt.Fprintf(out, "shipment page: %8.0f req/s at %d connections, p50 %.2f ms, p99 %.2f ms\n", res.ShipmentRPS, conns, res.ShipmentP50, res.ShipmentP99)
	l = openLoop(ctx, rate, dur, 4*conns, shipment)
	res.ShipmentP99AtRate = l.quantile(.99)
	fmt.Fprintf(out, "shipment page: p99 %.2f ms at a fixed %d req/s (%d failed)\n", res.ShipmentP99AtRate, rate, l.errs.Load())

	var seq atomic.Int64
	secret := []byte("bench-webhook-secret")
	hook := func() error {
		n := seq.Add(1)
		tn := tns[int(n)%len(tns)]
		body := []byte(fmt.Sprintf(`{"events":[{"id":"bench-%d","tracking_number":%q,"carrier":"DHL","status":"in_transit","message":"Scan %d","city":"Leipzig","country":"DE","occurred_at":%q}]}`,
			n, tn, n, time.Now().UTC().Format(time.RFC3339Nano)))
		ts, sig := tracking.Sign(secret, time.Now(), body)
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI("http://" + srv.Host + "/api/v1/webhooks/tracking/frontdesk")
		req.Header.SetMethod("POST")
		req.Header.SetContentType("application/json")
		req.Header.Set(tracking.HeaderTimestamp, ts)
		req.Header.Set(tracking.HeaderSignature, sig)
		req.SetBody(body)
		if err := hc.Do(req, resp); err != nil {
			return err
		}
		if resp.StatusCode() != 200 {
			return fmt.Errorf("webhook: status %d: %s", resp.StatusCode(), resp.Body())
		}
		return nil
	}
	l, el = closedLoop(ctx, 16, dur, hook)
	res.WebhookEventsPerS, res.WebhookP99 = float64(l.count())/el.Seconds(), l.quantile(.99)
	res.Errors += l.errs.Load()
	fmt.Fprintf(out, "webhooks:      %8.0f events/s at 16 connections, p99 %.2f ms\n", res.WebhookEventsPerS, res.WebhookP99)
	res.ServerRSSKiB = rssKiB(srv.pid)
	return res, nil
}

type serveProcess struct {
	Host string
	pid  int
}

// startServeProcess runs "frontdesk serve" from this binary on a free
// loopback port and waits until it is ready.
func startServeProcess(ctx context.Context, cfg Config) (*serveProcess, func(), error) {
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
		"FRONTDESK_DEMO=0", "FRONTDESK_LOG_LEVEL=error", "FRONTDESK_WEBHOOK_SECRETS=frontdesk=bench-webhook-secret")
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
	deadline := time.Now().Add(30 * time.Second)
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
			return nil, nil, errors.New("server did not become ready within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var benchCSRF = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// benchLogin signs the benchmark customer in and returns the session cookie.
func benchLogin(srv *serveProcess) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "http://" + srv.Host
	if err := signInWith(c, base, "bench@example.com", "bench password"); err != nil {
		return "", err
	}
	u, _ := url.Parse(base)
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "fd_session" {
			return ck.Value, nil
		}
	}
	return "", errors.New("sign-in set no session cookie")
}

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

// seedBenchCustomer creates bench@example.com with n orders, each with an
// invoice and a shipment with five events; it returns the tracking numbers.
func seedBenchCustomer(ctx context.Context, s portal.Store, n int) ([]string, error) {
	hash, err := auth.HashPassword("bench password")
	if err != nil {
		return nil, err
	}
	u := &portal.User{Email: "bench@example.com", Name: "Bench Customer", Role: portal.RoleCustomer, PasswordHash: hash, TimeZone: "Europe/Berlin"}
	if err := s.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	var tns []string
	now := time.Now().UTC()
	for i := 0; i < n; i++ {
		placed := now.Add(-time.Duration(i) * 36 * time.Hour)
		o := &portal.Order{Number: fmt.Sprintf("B-%05d", i), CustomerID: u.ID, Email: u.Email, Status: portal.OrderShipped, PaymentStatus: portal.PaymentPaid,
			Currency: "EUR", SubtotalMinor: 5900, TotalMinor: 5900, TaxMinor: 942, PlacedAt: placed,
			ShippingAddress: portal.Address{Name: u.Name, Line1: "Torstraße 1", City: "Berlin", Postcode: "10115", Country: "DE"},
			Items:           []portal.OrderItem{{SKU: "NW-THROW-03", Name: "Wool throw blanket", Quantity: 1, UnitPriceMinor: 5900, TotalMinor: 5900}}}
		if err := s.CreateOrder(ctx, o); err != nil {
			return nil, err
		}
		if err := s.CreateInvoice(ctx, &portal.Invoice{Number: fmt.Sprintf("BI-%05d", i), OrderID: o.ID, CustomerID: u.ID, Currency: "EUR", TotalMinor: 5900, TaxMinor: 942, Status: "paid", IssuedAt: placed, DueAt: placed.Add(14 * 24 * time.Hour)}); err != nil {
			return nil, err
		}
		sh := &portal.Shipment{OrderID: o.ID, CustomerID: u.ID, Carrier: "DHL", TrackingNumber: fmt.Sprintf("BT%08d", i), CreatedAt: placed}
		if err := s.CreateShipment(ctx, sh); err != nil {
			return nil, err
		}
		tns = append(tns, sh.TrackingNumber)
		for j, st := range []portal.ShipmentStatus{portal.StatusInfoReceived, portal.StatusInTransit, portal.StatusInTransit, portal.StatusOutForDelivery, portal.StatusDelivered} {
			if _, err := s.AddTrackingEvent(ctx, &portal.TrackingEvent{ShipmentID: sh.ID, Source: "seed", EventID: strconv.Itoa(j), Carrier: "DHL", Status: st,
				Message: "Scan", City: "Leipzig", Country: "DE", OccurredAt: placed.Add(time.Duration(j) * 6 * time.Hour)}); err != nil {
				return nil, err
			}
		}
	}
	return tns, nil
}

// firstShipment returns the id of the benchmark customer's newest shipment.
func firstShipment(ctx context.Context, cfg Config) (int64, int, error) {
	s, err := openStore(ctx, cfg)
	if err != nil {
		return 0, 0, err
	}
	defer s.Close()
	u, err := s.FindUserByEmail(ctx, "bench@example.com")
	if err != nil {
		return 0, 0, err
	}
	ships, n, err := s.FindShipments(ctx, portal.ShipmentFilter{CustomerID: &u.ID, Limit: 1})
	if err != nil || len(ships) == 0 {
		return 0, 0, fmt.Errorf("no shipment: %v", err)
	}
	return ships[0].ID, n, nil
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
