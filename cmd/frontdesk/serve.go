package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only on FRONTDESK_PPROF_ADDR
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/frontdesk/frontdesk/portal/casefiles"
	"github.com/frontdesk/frontdesk/portal/casework"
	"github.com/frontdesk/frontdesk/portal/demo"
	"github.com/frontdesk/frontdesk/portal/inbound"
	"github.com/frontdesk/frontdesk/portal/kb"
	"github.com/frontdesk/frontdesk/portal/mail"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/frontdesk/frontdesk/portal/web"
	"github.com/frontdesk/frontdesk/portal/webhook"
	"github.com/frontdesk/frontdesk/search"
	"github.com/prometheus/client_golang/prometheus"
)

// Main is a running Frontdesk server: the store, the web app, the outbox
// worker and housekeeping. Tests start it on :0 with a temp data dir.
type Main struct {
	Config Config
	Store  portal.Store
	Web    *web.Server
	// KB keeps the FAQ search index (under the data dir) in step with the
	// store; the chat bot retrieves answers through KB.Retrieve.
	KB *kb.Service
	// Chat is the chat engine; ChatHub routes its events to sockets.
	Chat    *bot.Engine
	ChatHub *bot.Hub
	// Analytics refits the customer analysis (RFM, lifetime value) in the
	// background for the manager pages.
	Analytics *analytics.Refitter
	// ReportFacts keeps the support report's per-item facts.
	ReportFacts *analytics.FactKeeper
	// Cases runs the case workflow and its escalation loop.
	Cases *casework.Service
	// ChatSendQueue overrides the chat sockets' send queue bound (tests).
	ChatSendQueue int
	// trackLookup is the guest order look-up /track and the bot share.
	trackLookup *tracking.Lookup
	// Inbound takes mail for the support address (FRONTDESK_SMTP_LISTEN).
	Inbound *inbound.Server
	smtpLn  net.Listener
	// Bus carries events between this node's parts and, on PostgreSQL, between nodes.
	Bus    portal.Bus
	Logger *slog.Logger
	// Stdout receives the start banner.
	Stdout io.Writer

	ln       net.Listener
	cancel   context.CancelFunc
	closeBus func() error
	wg       sync.WaitGroup
}

// openStore opens the configured store and applies migrations.
func openStore(ctx context.Context, cfg Config) (portal.Store, error) {
	if cfg.Embedded() {
		return sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(cfg.DataDir, "frontdesk.db")})
	}
	return postgres.Open(ctx, postgres.Config{URL: cfg.DatabaseURL})
}

// Open connects everything and starts listening, but serves nothing yet.
func (m *Main) Open(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	if m.Stdout == nil {
		m.Stdout = io.Discard
	}
	cfg := m.Config
	secret, err := cfg.secret()
	if err != nil {
		return err
	}
	start := time.Now()
	m.Store, err = openStore(ctx, cfg)
	if err != nil {
		return err
	}
	seeded, err := m.seed(ctx)
	if err != nil {
		return err
	}
	if err := m.openKB(ctx); err != nil {
		return err
	}
	m.ln, err = net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	if cfg.BaseURL == "" {
		// Links in emails point at the address actually bound (":0" in tests).
		m.Config.BaseURL = m.URL()
	}
	var ready func(context.Context) error
	m.Bus = bus.NewMemory()
	registry := prometheus.NewRegistry()
	if pg, ok := m.Store.(*postgres.Store); ok {
		registry.MustRegister(newPoolCollector(pg.Pool))
		// Several nodes may share this database: they talk over LISTEN/NOTIFY.
		pb, err := postgres.NewBus(ctx, pg.Pool, postgres.BusConfig{Logger: m.Logger})
		if err != nil {
			m.ln.Close()
			return err
		}
		m.Bus, m.closeBus = pb, pb.Close
		ready = func(context.Context) error { return pb.Healthy() }
		// Messages may have been lost while the listener was down (longer
		// than the bus catches up on).
		pb.OnGap(func() {
			if err := m.KB.CatchUp(context.Background()); err != nil {
				m.Logger.Warn("index catch-up after reconnect", "err", err)
			}
		})
	}
	support, _ := cfg.supportAddress() // validated with the config
	digestHour, err := cfg.caseDigestHour()
	if err != nil {
		m.ln.Close()
		return err
	}
	interval, err := cfg.caseEscalationInterval()
	if err != nil {
		m.ln.Close()
		return err
	}
	m.Cases = casework.New(casework.Config{Store: m.Store, BaseURL: m.Config.BaseURL, Node: cfg.NodeName, Logger: m.Logger,
		SupportAddress: support, SenderName: cfg.senderName(), Bus: m.Bus, DigestHour: digestHour, Interval: interval})
	if err := m.openChat(ctx, secret); err != nil {
		m.ln.Close()
		return err
	}
	// On PostgreSQL (several nodes) one node computes each analysis and
	// the others load it from the store.
	var shared portal.SharedAnalysisService
	if !cfg.Embedded() {
		shared = m.Store
	}
	m.Analytics = analytics.NewRefitter(analytics.RefitterConfig{Store: m.Store, OnReport: m.applySegments, Shared: shared})
	m.ReportFacts = analytics.NewFactKeeper(m.Store, m.Logger)
	proxies, err := web.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		m.ln.Close()
		return fmt.Errorf("FRONTDESK_TRUSTED_PROXIES: %w", err)
	}
	metricsFrom, _ := web.ParseTrustedProxies(cfg.MetricsFrom) // validated with the config
	m.Web, err = web.New(web.Config{TrustedProxies: proxies, MetricsFrom: metricsFrom, MaxConnsPerIP: cfg.MaxConnsPerIP, FDReserve: cfg.FDReserve,
		ChatSocketsPerVisitor: cfg.ChatSocketsPerVisitor, ChatSocketsPerIP: cfg.ChatSocketsPerIP,
		Store: m.Store, Secret: secret, BaseURL: m.Config.BaseURL, Logger: m.Logger, Registry: registry,
		Bus: m.Bus, Tracking: &tracking.Ingester{Store: m.Store, Bus: m.Bus, BaseURL: strings.TrimRight(m.Config.BaseURL, "/"), Logger: m.Logger}, WebhookSecrets: cfg.WebhookSecrets, Ready: ready, NodeName: cfg.NodeName, KB: m.KB,
		Chat: m.Chat, ChatHub: m.ChatHub, ChatSendQueue: m.ChatSendQueue, TrackLookup: m.trackLookup,
		HistoryCacheSize: cfg.HistoryCachePages, Analytics: m.Analytics, ReportFacts: m.ReportFacts, Seller: cfg.Seller, DataDir: cfg.DataDir,
		Cases: m.Cases, Attachments: &casefiles.Store{Dir: filepath.Join(cfg.DataDir, "attachments")}})
	if err != nil {
		m.ln.Close()
		return err
	}
	if err := m.openInbound(); err != nil {
		m.ln.Close()
		return err
	}
	store := "sqlite " + filepath.Join(cfg.DataDir, "frontdesk.db")
	if !cfg.Embedded() {
		store = "postgres"
	}
	m.Logger.Info("frontdesk ready", "addr", m.ln.Addr().String(), "store", store, "startup_ms", time.Since(start).Milliseconds())
	fmt.Fprintf(m.Stdout, "Frontdesk is running at %s (store: %s)\n", m.URL(), store)
	if m.smtpLn != nil {
		support, _ := cfg.supportAddress()
		fmt.Fprintf(m.Stdout, "Taking mail for %s at %s\n", support, m.SMTPAddr())
	}
	if seeded {
		fmt.Fprintf(m.Stdout, "Demo data loaded. Sign in with password %q as:\n", demo.Password)
		for _, l := range demo.Logins {
			fmt.Fprintf(m.Stdout, "  %-22s %s\n", l.Email, l.Role)
		}
	}
	return nil
}

// kbTopic announces index changes to the other nodes.
const kbTopic = "kb"

// followIndexChanges catches up with another node's article saves as soon
// as it announces them.
func (m *Main) followIndexChanges(ctx context.Context, ch <-chan portal.BusMessage, cancel func()) {
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ch:
			if err := m.KB.CatchUp(ctx); err != nil && ctx.Err() == nil {
				m.Logger.Warn("index catch-up", "err", err)
			}
		}
	}
}

// openKB opens the search index under the data dir and brings it up to
// date with the store (rebuilding it when missing or stale).
func (m *Main) openKB(ctx context.Context) error {
	ix, err := search.Open(filepath.Join(m.Config.DataDir, "search"), search.Config{})
	if err != nil {
		return fmt.Errorf("open search index: %w", err)
	}
	m.KB, err = kb.New(kb.Config{Store: m.Store, Index: ix, Logger: m.Logger,
		// Tell the other nodes at once; they catch up from the store's
		// watermark (and poll it anyway, should a message be lost).
		OnIndexed: func(ctx context.Context, up, gone []int64) {
			if m.Bus != nil {
				b, _ := json.Marshal(map[string]int{"upserted": len(up), "removed": len(gone)})
				if err := m.Bus.Publish(ctx, kbTopic, b); err != nil {
					m.Logger.Warn("publish index change", "err", err)
				}
			}
		}})
	if err == nil {
		err = m.KB.Start(ctx)
	}
	if err != nil {
		ix.Close()
		m.KB = nil
		return err
	}
	return nil
}

// seed loads demo data when the config asks for it and the store is empty.
func (m *Main) seed(ctx context.Context) (bool, error) {
	want := m.Config.Demo == "1" || (m.Config.Demo == "" && m.Config.Embedded())
	if !want {
		return false, nil
	}
	_, total, err := m.Store.FindUsers(ctx, portal.UserFilter{Limit: 1})
	if err != nil || total > 0 {
		return false, err
	}
	start := time.Now()
	n, err := demo.Seed(ctx, m.Store, time.Now())
	if err != nil {
		return false, err
	}
	m.Logger.Info("demo data seeded", "customers", n.Customers, "orders", n.Orders, "shipments", n.Shipments,
		"events", n.Events, "articles", n.Articles, "products", n.Products, "ms", time.Since(start).Milliseconds())
	return true, nil
}

// URL is the address the server listens on.
func (m *Main) URL() string {
	addr := m.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "localhost"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// Run serves until ctx ends, then shuts down gracefully: in-flight requests
// finish (up to 30s), background work stops, the store closes.
func (m *Main) Run(ctx context.Context) error {
	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.startBackground(bg)
	errc := make(chan error, 1)
	go func() { errc <- m.Web.Serve(m.ln) }()
	m.serveInbound()
	select {
	case err := <-errc:
		m.Close()
		return err
	case <-ctx.Done():
	}
	m.Logger.Info("shutting down")
	m.closeInbound(30 * time.Second) // every 250 sent is committed; the rest is sent again
	m.Web.Close()                    // end event streams first, so shutdown waits only for requests
	m.Web.CloseChatSockets()
	err := m.Web.App.ShutdownWithTimeout(30 * time.Second)
	m.Close()
	return err
}

// Close stops background work and closes the store.
func (m *Main) Close() error {
	m.closeInbound(30 * time.Second)
	if m.cancel != nil {
		m.cancel()
	}
	if m.Web != nil {
		m.Web.Close()
	}
	m.wg.Wait()
	if m.Analytics != nil {
		m.Analytics.Close()
	}
	if m.ChatHub != nil {
		m.ChatHub.Close()
	}
	if m.Chat != nil {
		m.Chat.Close()
	}
	// Last but the store: the chat engine publishes until it stops.
	if m.closeBus != nil {
		m.closeBus()
	}
	if m.KB != nil {
		m.KB.Index().Close()
	}
	if m.Store != nil {
		return m.Store.Close()
	}
	return nil
}

func (m *Main) startBackground(ctx context.Context) {
	// Replies' attachments are read from the case attachments directory.
	files := &casefiles.Store{Dir: filepath.Join(m.Config.DataDir, "attachments")}
	var mailer portal.Mailer = &mail.DirMailer{Dir: filepath.Join(m.Config.DataDir, "outbox"), From: m.Config.MailFrom, Logger: m.Logger, Files: files}
	if m.Config.SMTPURL != "" {
		sm, err := mail.NewSMTPMailer(m.Config.SMTPURL, m.Config.MailFrom)
		if err != nil {
			m.Logger.Error("smtp config; writing emails to files instead", "err", err)
		} else {
			sm.Files = files
			mailer = sm
		}
	}
	w := &mail.Worker{Outbox: m.Store, Mailer: mailer, Logger: m.Logger, Interval: time.Second}
	if m.Config.PprofAddr != "" {
		srv := &http.Server{Addr: m.Config.PprofAddr, Handler: http.DefaultServeMux, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
				m.Logger.Error("pprof", "err", err)
			}
		}()
		go func() { <-ctx.Done(); srv.Close() }()
	}
	m.wg.Add(3)
	go func() { defer m.wg.Done(); w.Run(ctx) }()
	go func() { defer m.wg.Done(); m.KB.Follow(ctx) }()
	m.wg.Add(1)
	kbCh, unsub := portal.SubscribeChan(m.Bus, kbTopic, 16)
	go func() { defer m.wg.Done(); m.followIndexChanges(ctx, kbCh, unsub) }()
	go func() { defer m.wg.Done(); m.housekeeping(ctx) }()
	m.wg.Add(1)
	go func() { defer m.wg.Done(); m.refitAnalytics(ctx) }()
	m.wg.Add(1)
	go func() { defer m.wg.Done(); m.ReportFacts.Run(ctx, time.Minute) }()
	// Outbound webhooks: every node drains the outbox; claims keep each
	// delivery to one node.
	hooks := &webhook.Worker{Outbox: m.Store, Logger: m.Logger, Interval: time.Second}
	m.wg.Add(1)
	go func() { defer m.wg.Done(); hooks.Run(ctx) }()
	m.wg.Add(1)
	go func() { defer m.wg.Done(); m.Cases.Run(ctx) }()
}

// applySegments gives the case workflow each customer's segment from a
// finished analysis: segment SLA targets then apply to their open cases.
func (m *Main) applySegments(ctx context.Context, rep *analytics.Report) error {
	segs := make(map[int64]string, len(rep.Customers))
	for _, c := range rep.Customers {
		segs[c.CustomerID] = c.Segment
	}
	return m.Cases.ApplySegments(ctx, segs)
}

// refitAnalytics runs the customer analysis at start and once a day after;
// managers can start one at any time from the analytics page.
func (m *Main) refitAnalytics(ctx context.Context) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		m.Analytics.Refit()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// housekeeping removes expired sessions, sign-ups and rate-limit windows.
func (m *Main) housekeeping(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		now := time.Now()
		if _, err := m.Store.DeleteExpiredSessions(ctx, now); err != nil && !errors.Is(err, context.Canceled) {
			m.Logger.Warn("delete expired sessions", "err", err)
		}
		if _, err := m.Store.DeleteExpiredSignups(ctx, now); err != nil && !errors.Is(err, context.Canceled) {
			m.Logger.Warn("delete expired sign-ups", "err", err)
		}
		if err := m.Store.DeleteOldRates(ctx, now.Add(-time.Hour)); err != nil && !errors.Is(err, context.Canceled) {
			m.Logger.Warn("delete old rates", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parseFlags("serve", args, stderr, nil)
	if err != nil {
		return err
	}
	if setGCPolicy(os.Getenv) {
		tuneGCPercent(ctx)
	}
	m := &Main{Config: cfg, Logger: cfg.logger(stderr), Stdout: stdout}
	if err := m.Open(ctx); err != nil {
		if m.Store != nil {
			m.Store.Close()
		}
		return err
	}
	return m.Run(ctx)
}
