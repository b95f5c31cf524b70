// Package web is Frontdesk's fiber app: routes, middleware (sessions, CSRF,
// roles, security headers, metrics) and one file per page or action.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/casefiles"
	"github.com/frontdesk/frontdesk/portal/casework"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// Config configures a Server. The caller builds every piece the server
// works with (store, bus, knowledge base, tracking, analysis; the chat
// engine when chat is on): New builds none. Zero values of the other
// fields mean the documented defaults. Tests get a whole one from
// TestConfig.
type Config struct {
	Store portal.Store
	// Secret signs CSRF tokens and cookies; at least 32 bytes.
	Secret []byte
	// BaseURL is the public address, used in emails; default http://localhost:8080.
	BaseURL string
	// BodyLimit caps request bodies; default 1 MiB.
	BodyLimit int
	// SessionTTL is how long an idle session lives; default 30 days.
	SessionTTL time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// Registry receives the HTTP metrics; default a new registry.
	Registry *prometheus.Registry
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Ready reports extra readiness conditions besides the store answering.
	Ready func(ctx context.Context) error
	// Login limits: failures per account and per IP in LoginWindow.
	// Defaults 5 per account and 50 per IP in 15 minutes.
	LoginAccountLimit int
	LoginIPLimit      int
	LoginWindow       time.Duration
	// Chat is the chat engine and ChatHub routes its events to this
	// process's sockets; without them the chat routes are off.
	Chat    *bot.Engine
	ChatHub *bot.Hub
	// ChatPingInterval is how often chat sockets are pinged; default 25s.
	ChatPingInterval time.Duration
	// ChatSendQueue bounds each chat socket's queue of outgoing frames; a
	// client that lets it fill is disconnected. Default 256.
	ChatSendQueue int
	// ChatReadTimeout is how long a chat client may take to send the rest
	// of a frame it has begun; default 10s.
	ChatReadTimeout time.Duration
	// Bus is the node's bus: live updates (tracking changes) to open
	// pages, session revocations and refits between nodes. Required.
	Bus portal.Bus
	// Tracking stores carriers' tracking updates (the webhooks) and
	// announces them on the bus. Required.
	Tracking TrackingIngester
	// WebhookSecrets holds each tracking webhook source's HMAC secret; a
	// source without one is refused.
	WebhookSecrets map[string][]byte
	// TrackLookup is the guest order look-up, shared with the chat bot so
	// that both count against one per-IP limit. Required.
	TrackLookup OrderLookup
	// SessionCacheTTL is how long a node trusts a session it has read; default 10s.
	SessionCacheTTL time.Duration
	// NodeName, when set, is sent as X-Frontdesk-Node on every response, to
	// tell nodes apart behind a load balancer.
	NodeName string
	// KB is the knowledge base (FAQ search and index upkeep). Required.
	KB Knowledge
	// HistoryCacheSize is how many rendered account-history pages a node
	// keeps (checked against the customer's history version on every
	// request); default 4096, negative turns the cache off.
	HistoryCacheSize int
	// Analytics is the customer analysis (RFM and lifetime value) behind
	// the report pages. Required.
	Analytics Analytics
	// ReportFacts keeps the support report's per-item facts; default one
	// on Store (whose rebuilds start with the first report).
	ReportFacts *analytics.FactKeeper
	// TrustedProxies are the proxies in front (CIDRs): only from them is
	// X-Forwarded-For believed, and the client is its rightmost address
	// that is not a trusted proxy. Empty: the client is the peer.
	TrustedProxies []netip.Prefix
	// MaxConnsPerIP caps open connections from one address (trusted
	// proxies exempt); default 256, negative for no cap.
	MaxConnsPerIP int
	// FDReserve is how many of the open-file limit's descriptors chat
	// sockets and event streams leave for short requests (health checks,
	// sign-in); default an eighth of the limit, at least 64; negative for none.
	FDReserve int
	// ChatSocketsPerVisitor caps the chat sockets of one guest visitor
	// and of one signed-in session (a few tabs); default 8, negative for no cap.
	ChatSocketsPerVisitor int
	// ConfiguratorBudget bounds the configurator's and the catalogue
	// editor's requests (the solver gives up, saying the catalogue is too
	// hard to check); default 10s.
	ConfiguratorBudget time.Duration
	// MetricsFrom are the client addresses /metrics answers; nil means
	// loopback and private networks (never the internet).
	MetricsFrom []netip.Prefix
	// ChatSocketsPerIP caps the chat sockets of one client address;
	// default 64, negative for no cap.
	ChatSocketsPerIP int
	// Seller is the retailer as invoices name it; default portal.DemoSeller.
	Seller portal.Seller
	// DataDir keeps uploaded files (return photos, under return-photos);
	// default a "frontdesk" directory in the system's temporary directory.
	DataDir string
	// Attachments keeps the files attached to cases; nil accepts none.
	Attachments *casefiles.Store
	// Cases runs the case workflow (acknowledgements, alerts, replies).
	Cases *casework.Service
}

// TrackingIngester stores carriers' tracking updates; *tracking.Ingester
// implements it.
type TrackingIngester interface {
	Ingest(ctx context.Context, updates []tracking.Update) (tracking.Result, error)
}

// OrderLookup finds a guest's order by number and email or postcode, under
// a per-IP limit; *tracking.Lookup implements it.
type OrderLookup interface {
	Find(ctx context.Context, ip, number, contact string) (*portal.Order, error)
}

// Server is the web front end.
type Server struct {
	App      *fiber.App
	cfg      Config
	store    portal.Store
	log      *slog.Logger
	now      func() time.Time
	pages    *renderer
	metrics  *metrics
	bus      portal.Bus
	ingester TrackingIngester
	sessions *sessionCache
	// done closes when the server stops, ending long-lived streams.
	done    <-chan struct{}
	stopCtx context.Context
	stop    context.CancelFunc
	kb      Knowledge
	md      *markdown
	chat    *chatHub
	// historyCache holds rendered account-history pages.
	historyCache *historyCache
	analytics    Analytics
	facts        *analytics.FactKeeper
	// guard caps connections (see Serve).
	guard   *connGuard
	exports *exportJobs
	cases   *casework.Service
	signer  *signer
}

// New builds the app and its routes.
func New(cfg Config) (*Server, error) {
	for _, f := range []struct {
		name    string
		missing bool
	}{{"Store", cfg.Store == nil}, {"Bus", cfg.Bus == nil}, {"Tracking", cfg.Tracking == nil},
		{"TrackLookup", cfg.TrackLookup == nil}, {"KB", cfg.KB == nil}, {"Analytics", cfg.Analytics == nil},
		{"Cases", cfg.Cases == nil}} {
		if f.missing {
			return nil, fmt.Errorf("web: Config.%s is required", f.name)
		}
	}
	if len(cfg.Secret) < 32 {
		return nil, errors.New("web: secret must be at least 32 bytes")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://localhost:8080"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 30 * 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.LoginAccountLimit == 0 {
		cfg.LoginAccountLimit = 5
	}
	if cfg.LoginIPLimit == 0 {
		cfg.LoginIPLimit = 50
	}
	if cfg.LoginWindow == 0 {
		cfg.LoginWindow = 15 * time.Minute
	}
	if cfg.SessionCacheTTL == 0 {
		cfg.SessionCacheTTL = 10 * time.Second
	}
	if cfg.HistoryCacheSize == 0 {
		cfg.HistoryCacheSize = 4096
	}
	if cfg.ConfiguratorBudget == 0 {
		cfg.ConfiguratorBudget = 10 * time.Second
	}
	if cfg.MaxConnsPerIP == 0 {
		cfg.MaxConnsPerIP = 256
	}
	if cfg.ChatSocketsPerVisitor == 0 {
		cfg.ChatSocketsPerVisitor = 8
	}
	if cfg.ChatSocketsPerIP == 0 {
		cfg.ChatSocketsPerIP = 64
	}
	if cfg.Seller.Name == "" {
		cfg.Seller = portal.DemoSeller
	}
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(os.TempDir(), "frontdesk")
	}
	pages, err := newRenderer()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, now: cfg.Now, pages: pages, metrics: newMetrics(cfg.Registry), bus: cfg.Bus,
		historyCache: newHistoryCache(cfg.HistoryCacheSize), kb: cfg.KB, ingester: cfg.Tracking, analytics: cfg.Analytics, facts: cfg.ReportFacts}
	if s.facts == nil {
		s.facts = analytics.NewFactKeeper(cfg.Store, cfg.Logger)
	}
	s.guard = newConnGuard(cfg)
	s.signer = newSigner(cfg.Secret)
	s.md = newMarkdown()
	s.exports = newExportJobs(cfg.Store, cfg.Logger)
	// Return parcels are received when the carrier delivers them: the
	// server hears of it from the ingester it is given.
	if in, ok := cfg.Tracking.(*tracking.Ingester); ok && in.OnChange == nil {
		in.OnChange = s.returnParcelChanged
	}
	s.cases = cfg.Cases
	s.sessions = newSessionCache(cfg.SessionCacheTTL)
	var bg context.Context
	bg, s.stop = context.WithCancel(context.Background())
	s.done, s.stopCtx = bg.Done(), bg
	revs, unsub := portal.SubscribeChan(s.bus, sessionTopic, 256)
	refits, unsubRefits := portal.SubscribeChan(s.bus, analyticsTopic, 4)
	go s.followRefits(bg, refits, unsubRefits)
	s.App = fiber.New(fiber.Config{
		AppName:               "frontdesk",
		BodyLimit:             cfg.BodyLimit,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		// 4 KiB (fasthttp's default) bounds request headers.
		ReadBufferSize: 4 << 10,
		// X-Forwarded-For is believed only from TrustedProxies (see
		// clientIP); X-Forwarded-Proto and -Host likewise.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          prefixStrings(cfg.TrustedProxies),
		ProxyHeader:             proxyHeader(cfg.TrustedProxies),
		// Not ReduceMemoryUsage: it costs about a fifth of the throughput of
		// small requests.
		//
		// Immutable: without it the strings fiber hands out (c.Query,
		// c.Params, c.FormValue, headers) point into fasthttp's request
		// buffer, which the connection's next request overwrites. A value
		// kept beyond the request (a cache key, background work, the
		// search index's cached list of a locale's articles) silently
		// turned into another: after an editor opened the German
		// threshold page, "de" kept there could read "en", and the bot
		// then found no article for any English question.
		Immutable: true,
	})
	// A chat socket closes its connection itself, once its reader and
	// writer are done: fasthttp must not close hijacked connections when
	// the handler returns. Only the chat sockets hijack.
	s.App.Server().KeepHijackedConns = true
	if cfg.Chat != nil && cfg.ChatHub != nil {
		s.chat = newChatHub(s)
		s.App.Hooks().OnShutdown(s.chat.shutdown)
	}
	s.routes()
	// After routes: revocations also close chat sockets (s.chat).
	go s.followRevocations(bg, revs, unsub)
	return s, nil
}

// Serve serves HTTP on ln until the app shuts down. Connections pass the
// guard: accept errors are retried, connections per IP capped, and a
// reserve of descriptors kept for short requests.
func (s *Server) Serve(ln net.Listener) error {
	return s.App.Listener(&guardedListener{Listener: ln, g: s.guard, sleep: time.Sleep})
}

// Close stops the server's background work and ends open event streams, so
// that a graceful App.Shutdown need not wait for them.
func (s *Server) Close() { s.stop() }

// audit records a staff action; failures are logged, never shown.
func (s *Server) audit(c *fiber.Ctx, action, entity, entityID, detail string) {
	u := currentUser(c)
	if u == nil {
		return
	}
	e := &portal.AuditEntry{ActorID: u.ID, ActorEmail: u.Email, Action: action, Entity: entity, EntityID: entityID, Detail: detail, IP: c.IP()}
	if err := s.store.RecordAudit(c.UserContext(), e); err != nil {
		s.log.Error("record audit", "action", action, "err", err)
	}
}
