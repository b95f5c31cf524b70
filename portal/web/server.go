// Package web is Frontdesk's fiber app: routes, middleware (sessions, CSRF,
// roles, security headers, metrics) and one file per page or action.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/frontdesk/frontdesk/portal/casefiles"
	"github.com/frontdesk/frontdesk/portal/casework"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// Config configures a Server. Zero values mean the documented defaults.
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
	// Bus carries live updates (tracking changes) to open pages; default in-process.
	Bus portal.Bus
	// WebhookSecrets holds each tracking webhook source's HMAC secret; a
	// source without one is refused.
	WebhookSecrets map[string][]byte
	// TrackLimit caps guest tracking look-ups per IP per 15 minutes; default 30.
	TrackLimit int
	// TrackLookup is the guest order look-up, shared with the chat bot so
	// that both count against one limit; default one over Store with
	// TrackLimit.
	TrackLookup *tracking.Lookup
	// SessionCacheTTL is how long a node trusts a session it has read; default 10s.
	SessionCacheTTL time.Duration
	// NodeName, when set, is sent as X-Frontdesk-Node on every response, to
	// tell nodes apart behind a load balancer.
	NodeName string
	// KB is the knowledge base (FAQ search and index upkeep); default an
	// in-memory index built from the store.
	KB Knowledge
	// HistoryCacheSize is how many rendered account-history pages a node
	// keeps (checked against the customer's history version on every
	// request); default 4096, negative turns the cache off.
	HistoryCacheSize int
	// Analytics is the customer analysis (RFM and lifetime value) behind
	// the report pages; default one refitting from the store on demand.
	Analytics Analytics
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
	// Attachments keeps the files attached to cases; nil accepts none.
	Attachments *casefiles.Store
	// Cases runs the case workflow (acknowledgements, alerts, replies);
	// default one over Store with BaseURL.
	Cases *casework.Service
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
	ingester *tracking.Ingester
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
	// guard caps connections (see Serve).
	guard   *connGuard
	exports *exportJobs
	// instance tells this server's bus messages from other nodes'.
	instance string
	cases    *casework.Service
}

// New builds the app and its routes.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: store is required")
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
	if cfg.Bus == nil {
		cfg.Bus = bus.NewMemory()
	}
	if cfg.TrackLimit == 0 {
		cfg.TrackLimit = 30
	}
	if cfg.TrackLookup == nil {
		cfg.TrackLookup = &tracking.Lookup{Store: cfg.Store, Limit: cfg.TrackLimit, Window: 15 * time.Minute, Now: cfg.Now}
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
	pages, err := newRenderer()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, now: cfg.Now, pages: pages, metrics: newMetrics(cfg.Registry), bus: cfg.Bus, historyCache: newHistoryCache(cfg.HistoryCacheSize)}
	if s.kb = cfg.KB; s.kb == nil {
		if s.kb, err = memoryKB(cfg.Store, cfg.Logger); err != nil {
			return nil, err
		}
	}
	s.guard = newConnGuard(cfg)
	s.md = newMarkdown()
	s.exports = newExportJobs()
	if s.cases = cfg.Cases; s.cases == nil {
		s.cases = casework.New(casework.Config{Store: cfg.Store, BaseURL: cfg.BaseURL, Logger: cfg.Logger, Now: cfg.Now})
	}
	s.ingester = &tracking.Ingester{Store: cfg.Store, Bus: cfg.Bus, BaseURL: cfg.BaseURL, Logger: cfg.Logger, Now: cfg.Now}
	s.sessions = newSessionCache(cfg.SessionCacheTTL)
	var bg context.Context
	bg, s.stop = context.WithCancel(context.Background())
	s.done, s.stopCtx = bg.Done(), bg
	if s.analytics = cfg.Analytics; s.analytics == nil {
		s.analytics = s.ownAnalytics()
	}
	revs, unsub := s.bus.Subscribe(sessionTopic)
	s.instance = newInstanceID()
	refits, unsubRefits := s.bus.Subscribe(analyticsTopic)
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
		// small requests, and chat sockets do without (see pollableConn).
	})
	// Chat sockets outlive their upgrade handler (they wait for frames in
	// the chat poller), so fasthttp must not close hijacked connections
	// when it returns: every hijack handler closes its connection itself.
	// Only the chat sockets hijack.
	s.App.Server().KeepHijackedConns = true
	s.routes()
	// After routes: revocations also close chat sockets (s.chat).
	go s.followRevocations(bg, revs, unsub)
	return s, nil
}

func (s *Server) routes() {
	app := s.App
	app.Use(s.clientIP, s.recoverPanics, s.observe, s.securityHeaders, s.shedIdle, s.requestContext)
	app.Get("/healthz", s.handleHealth)
	app.Get("/readyz", s.handleReady)
	app.Get("/metrics", s.handleMetrics)
	app.Get("/static/:hash/:name", s.handleStatic)

	app.Use(s.loadSession, s.checkText, s.checkCSRF)
	app.Get("/", s.handleHome)
	app.Get("/login", s.handleLoginPage)
	app.Post("/login", s.handleLogin)
	app.Post("/logout", s.handleLogout)
	app.Get("/signup", s.handleSignupPage)
	app.Post("/signup", s.handleSignup)
	app.Get("/signup/confirm", s.handleSignupConfirmPage)
	app.Post("/signup/confirm", s.handleSignupConfirm)
	app.Get("/password/forgot", s.handlePasswordForgotPage)
	app.Post("/password/forgot", s.handlePasswordForgot)
	app.Get("/password/reset", s.handlePasswordResetPage)
	app.Post("/password/reset", s.handlePasswordReset)

	account := s.withRole(app.Group("/account"), portal.RoleCustomer)
	account.Get("/", s.handleAccount)
	account.Post("/profile", s.handleProfileUpdate)
	account.Post("/password", s.handlePasswordChange)
	account.Get("/orders/:number", s.handleOrderView)
	account.Get("/history", s.handleHistoryList)
	account.Get("/chats", s.handleChatHistory)
	account.Get("/chats/:id<int>", s.handleChatView)
	account.Get("/shipments/:id<int>", s.handleShipmentView)
	account.Get("/shipments/:id<int>/events", s.handleShipmentEvents)
	account.Get("/invoices/:number", s.handleInvoiceView)
	account.Get("/invoices/:number/pdf", s.handleInvoicePDF)
	account.Post("/notifications", s.handleNotificationsUpdate)
	app.Get("/track", s.handleTrackPage)
	app.Post("/track", s.handleTrack)
	app.Get("/track/shipments/:id<int>", s.handleTrackLinkView)
	app.Get("/track/shipments/:id<int>/events", s.handleTrackLinkEvents)

	staff := s.withRole(app.Group("/staff"), portal.RoleAgent, portal.RoleEditor, portal.RoleManager, portal.RoleAdmin)
	staff.Get("/customers", s.handleStaffCustomerList)
	staff.Get("/customers/:id", s.handleStaffCustomerView)

	s.kbRoutes(app)

	reports := s.withRole(app.Group("/reports"), portal.RoleManager, portal.RoleAdmin)
	reports.Get("/customers", s.handleCustomerAnalytics)
	reports.Post("/customers/refit", s.handleCustomerAnalyticsRefit)
	reports.Get("/customers/status", s.handleCustomerAnalyticsStatus)
	reports.Get("/customers/segments.csv", s.handleCustomerSegmentsCSV)
	reports.Get("/customers/list", s.handleCustomerList)
	reports.Get("/customers/list.csv", s.handleCustomerListCSV)
	reports.Post("/customers/exports", s.handleCustomerExportStart)
	reports.Get("/customers/exports/:id", s.handleCustomerExportView)
	reports.Get("/customers/exports/:id/csv", s.handleCustomerExportDownload)
	reports.Get("/support", s.handleSupportReport)
	reports.Get("/support.csv", s.handleSupportReportCSV)

	admin := s.withRole(app.Group("/admin"), portal.RoleAdmin)
	admin.Get("/staff", s.handleStaffList)
	admin.Post("/staff", s.handleStaffCreate)
	admin.Post("/staff/:id/:action<regex(^(enable|disable)$)>", s.handleStaffToggle)
	admin.Post("/staff/:id<int>/role", s.handleStaffRole)
	admin.Get("/audit", s.handleAuditList)
	admin.Get("/tokens", s.handleTokenList)
	admin.Post("/tokens", s.handleTokenCreate)
	admin.Post("/tokens/:id<int>/revoke", s.handleTokenRevoke)

	api := app.Group("/api/v1")
	api.Get("/me", s.requireRole(portal.Roles...), s.handleAPIMe)
	api.Post("/webhooks/tracking/:source", s.handleTrackingWebhook)
	s.backOfficeRoutes(api)
	s.configuratorRoutes()
	s.chatRoutes(app)
	s.caseRoutes(app)
	app.Use(s.handleNotFound)
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
