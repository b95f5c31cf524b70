package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// routes declares every route of the site, by audience: its table of
// contents. A route that needs a role checks it itself (withRole,
// requireRole, requireToken) rather than a prefix's middleware, so that a
// URL no route matches answers 404 to everyone.
func (s *Server) routes() {
	app := s.App
	cf := newConfigurator(s)

	// Every request: client address, panics, metrics, security headers,
	// load shedding, the request's context.
	app.Use(s.clientIP, s.recoverPanics, s.observe, s.securityHeaders, s.shedIdle, s.requestContext)

	// Machines: health, metrics, static files (no session).
	app.Get("/healthz", s.handleHealth)
	app.Get("/readyz", s.handleReady)
	app.Get("/metrics", s.handleMetrics)
	app.Get("/static/:hash/:name", s.handleStatic)

	// Pages from here on: the session, hostile text, CSRF.
	app.Use(s.loadSession, s.checkText, s.checkCSRF)

	// Everyone: home, signing in and up, passwords.
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

	// Everyone: the help centre.
	app.Get("/help", s.handleHelpHome)
	app.Get("/faq", func(c *fiber.Ctx) error { return c.Redirect("/help", fiber.StatusMovedPermanently) })
	app.Get("/help/search", s.handleHelpSearch)
	app.Get("/help/categories/:slug", s.handleHelpCategory)
	app.Get("/help/articles/:ref", s.handleHelpArticle)
	app.Post("/help/articles/:ref/vote", s.handleArticleVote)

	// Everyone: the contact form (a case for the support team).
	app.Get("/contact", s.handleContactPage)
	app.Post("/contact", s.handleContact)

	// Everyone: parcel tracking (guests give an order number and contact).
	app.Get("/track", s.handleTrackPage)
	app.Post("/track", s.handleTrack)
	app.Get("/track/shipments/:id<int>", s.handleTrackLinkView)
	app.Get("/track/shipments/:id<int>/events", s.handleTrackLinkEvents)

	// Everyone: the product configurator (a quote needs an account).
	app.Get("/configure", cf.handleProductList)
	app.Get("/configure/:slug", cf.handleConfiguratorView)
	app.Post("/configure/:slug/quote", s.requireRole(portal.RoleCustomer), cf.handleQuoteCreate)

	// Customers: their account.
	account := s.withRole(app.Group("/account"), portal.RoleCustomer)
	account.Get("/", s.handleAccount)
	account.Post("/profile", s.handleProfileUpdate)
	account.Post("/password", s.handlePasswordChange)
	account.Get("/orders/:number", s.handleOrderView)
	account.Get("/orders/:number/cancel", s.handleOrderCancelPage)
	account.Post("/orders/:number/cancel", s.handleOrderCancel)
	account.Get("/orders/:number/address", s.handleOrderAddressPage)
	account.Post("/orders/:number/address", s.handleOrderAddress)
	account.Get("/addresses", s.handleAddressList)
	account.Post("/addresses", s.handleAddressCreate)
	account.Get("/addresses/:id<int>", s.handleAddressEdit)
	account.Post("/addresses/:id<int>", s.handleAddressUpdate)
	account.Post("/addresses/:id<int>/default", s.handleAddressDefault)
	account.Post("/addresses/:id<int>/delete", s.handleAddressDelete)
	account.Get("/history", s.handleHistoryList)
	account.Get("/chats", s.handleChatHistory)
	account.Get("/chats/:id<int>", s.handleChatView)
	account.Get("/cases", s.handleCustomerCaseList)
	account.Get("/cases/:id<int>", s.handleCaseView)
	account.Post("/cases/:id<int>/reply", s.handleCaseCustomerReply)
	account.Get("/cases/:id<int>/files/:aid<int>", s.handleCaseFileCustomer)
	account.Get("/shipments/:id<int>", s.handleShipmentView)
	account.Get("/shipments/:id<int>/events", s.handleShipmentEvents)
	account.Get("/invoices/:number", s.handleInvoiceView)
	account.Get("/invoices/:number/pdf", s.handleInvoicePDF)
	account.Post("/notifications", s.handleNotificationsUpdate)
	account.Get("/orders/:number/return", s.handleReturnForm)
	account.Post("/orders/:number/return", s.handleReturnCreate)
	account.Get("/returns/:id<int>", s.handleReturnView)
	account.Get("/returns/:id<int>/label", s.handleReturnLabel)
	account.Get("/returns/:id<int>/photos/:photo<int>", s.handleReturnPhoto)
	account.Get("/quotes", cf.handleQuoteList)
	account.Get("/quotes/:number", cf.handleQuoteView)
	account.Get("/quotes/:number/checkout", cf.handleQuoteCheckout)
	account.Post("/quotes/:number/checkout/address", cf.handleQuoteCheckoutAddress)
	account.Post("/quotes/:number/order", cf.handleQuoteOrder)

	// Staff: customers' pages.
	staff := s.withRole(app.Group("/staff"), portal.RoleAgent, portal.RoleEditor, portal.RoleManager, portal.RoleAdmin)
	staff.Get("/customers", s.handleStaffCustomerList)
	staff.Get("/customers/:id", s.handleStaffCustomerView)
	// Support staff: any customer's order, parcel and invoice.
	desk := s.withRole(app.Group("/staff"), portal.RoleAgent, portal.RoleManager, portal.RoleAdmin)
	desk.Get("/orders", s.handleStaffOrderFind)
	desk.Get("/orders/:number", s.handleStaffOrderView)
	desk.Get("/shipments/:id<int>", s.handleStaffShipmentView)
	desk.Get("/shipments/:id<int>/events", s.handleStaffShipmentEvents)
	desk.Get("/invoices/:number", s.handleStaffInvoiceView)
	desk.Get("/invoices/:number/pdf", s.handleStaffInvoicePDF)

	// Agents: cases, their alerts, and returns to approve or decline.
	cases := s.withRole(app.Group("/agent"), portal.RoleAgent, portal.RoleManager, portal.RoleAdmin)
	cases.Get("/cases", s.handleCaseList)
	cases.Post("/cases/bulk", s.handleCaseBulk)
	cases.Get("/cases/:id<int>", s.handleCaseStaffView)
	cases.Post("/cases/:id<int>/reply", s.handleCaseReply)
	cases.Get("/cases/:id<int>/files/:aid<int>", s.handleCaseFileStaff)
	cases.Post("/cases/:id<int>/note", s.handleCaseNote)
	cases.Post("/cases/:id<int>/update", s.handleCaseUpdate)
	cases.Post("/cases/:id<int>/merge", s.handleCaseMerge)
	cases.Post("/chats/:id<int>/case", s.handleChatToCase)
	cases.Get("/alerts", s.handleStaffAlerts)
	cases.Post("/alerts/read", s.handleStaffAlertsRead)
	returns := s.withRole(app.Group("/agent/returns"), portal.RoleAgent, portal.RoleManager, portal.RoleAdmin)
	returns.Get("/", s.handleStaffReturnList)
	returns.Get("/:id<int>", s.handleStaffReturnView)
	returns.Post("/:id<int>/:action<regex(^(approve|reject)$)>", s.handleStaffReturnAct)
	returns.Get("/:id<int>/photos/:photo<int>", s.handleStaffReturnPhoto)

	// Editors: the help centre's articles and categories, content gaps,
	// the configurator's catalogues.
	editor := s.withRole(app.Group("/editor"), portal.RoleEditor, portal.RoleAdmin)
	editor.Get("/articles", s.handleEditorArticleList)
	editor.Get("/articles/new", s.handleEditorArticleNew)
	editor.Get("/articles/transfer", s.handleEditorTransfer)
	editor.Get("/articles/export", s.handleEditorExport)
	editor.Post("/articles/import", s.handleEditorImport)
	editor.Post("/articles", s.handleEditorArticleCreate)
	editor.Get("/articles/:id<int>", s.handleEditorArticleEdit)
	editor.Post("/articles/:id<int>", s.handleEditorArticleSave)
	editor.Get("/articles/:id<int>/revisions", s.handleEditorRevisionList)
	editor.Get("/articles/:id<int>/diff", s.handleEditorRevisionDiff)
	editor.Post("/articles/:id<int>/revisions/:version<int>/restore", s.handleEditorRevisionRestore)
	editor.Post("/preview", s.handleEditorPreview)
	editor.Get("/categories", s.handleEditorCategoryList)
	editor.Post("/categories", s.handleEditorCategoryCreate)
	editor.Post("/categories/:id<int>", s.handleEditorCategoryUpdate)
	editor.Post("/categories/:id<int>/delete", s.handleEditorCategoryDelete)
	editor.Get("/gaps", s.handleEditorGapList)
	editor.Post("/gaps/draft", s.handleEditorGapDraft)
	editor.Get("/threshold", s.handleEditorThreshold)
	editor.Post("/threshold", s.handleEditorThresholdSave)
	editor.Get("/catalog", cf.handleCatalogList)
	editor.Post("/catalog", cf.handleCatalogCreate)
	editor.Get("/catalog/:slug", cf.handleCatalogEdit)
	editor.Post("/catalog/:slug/draft", cf.handleCatalogSave)
	editor.Post("/catalog/:slug/rules", cf.handleCatalogRuleAdd)
	editor.Post("/catalog/:slug/publish", cf.handleCatalogPublish)
	editor.Post("/catalog/:slug/discard", cf.handleCatalogDiscard)

	// Managers (and admins): reports.
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
	reports.Get("/support/facts", s.handleSupportFactsStatus)

	// Admins: staff accounts, the audit log, API tokens.
	admin := s.withRole(app.Group("/admin"), portal.RoleAdmin)
	admin.Get("/staff", s.handleStaffList)
	admin.Post("/staff", s.handleStaffCreate)
	admin.Post("/staff/:id/:action<regex(^(enable|disable)$)>", s.handleStaffToggle)
	admin.Post("/staff/:id<int>/role", s.handleStaffRole)
	admin.Get("/audit", s.handleAuditList)
	admin.Get("/tokens", s.handleTokenList)
	admin.Post("/tokens", s.handleTokenCreate)
	admin.Post("/tokens/:id<int>/revoke", s.handleTokenRevoke)
	admin.Get("/returns", s.handleReturnPolicyPage)
	admin.Get("/cases", s.handleCaseSettings)
	admin.Post("/cases/policies", s.handleSLAPolicySave)
	admin.Post("/cases/policies/delete", s.handleSLAPolicyDelete)
	admin.Post("/cases/calendars", s.handleCalendarSave)
	admin.Post("/cases/teams", s.handleTeamSave)
	admin.Post("/cases/teams/:id<int>/delete", s.handleTeamDelete)
	admin.Post("/cases/rules", s.handleRuleSave)
	admin.Post("/cases/rules/:id<int>/delete", s.handleRuleDelete)
	admin.Post("/returns", s.handleReturnPolicySave)
	admin.Get("/webhooks", s.handleWebhookList)
	admin.Post("/webhooks", s.handleWebhookCreate)
	admin.Post("/webhooks/:id<int>/:action<regex(^(enable|disable|secret|delete)$)>", s.handleWebhookAction)
	admin.Post("/webhooks/deliveries/:id<int>/resend", s.handleWebhookResend)

	// The JSON API: search and the configurator for the pages' scripts,
	// carriers' webhooks (signed), the back office (tokens with scopes).
	api := app.Group("/api/v1")
	api.Get("/search", s.handleAPISearch)
	api.Get("/me", s.requireRole(portal.Roles...), s.handleAPIMe)
	api.Post("/configurator/:slug/evaluate", cf.handleConfiguratorEvaluate)
	api.Post("/configurator/:slug/repair", cf.handleConfiguratorRepair)
	api.Post("/configurator/:slug/complete", cf.handleConfiguratorComplete)
	api.Post("/configurator/:slug/quotes", s.requireRole(portal.RoleCustomer), cf.handleQuoteCreateAPI)
	api.Post("/webhooks/tracking/:source", s.handleTrackingWebhook)
	// POST /api/v1/X and /api/v1/X/bulk for each kind.
	upsertRoute[APICustomer](api, "/customers", s.requireToken(portal.ScopeCustomersWrite), s.upsertCustomers)
	upsertRoute[APIOrder](api, "/orders", s.requireToken(portal.ScopeOrdersWrite), s.upsertOrders)
	upsertRoute[APIInvoice](api, "/invoices", s.requireToken(portal.ScopeInvoicesWrite), s.upsertInvoices)
	upsertRoute[APIShipment](api, "/shipments", s.requireToken(portal.ScopeShipmentsWrite), s.upsertShipments)
	api.Get("/orders/:number", s.requireToken(portal.ScopeRead), s.handleAPIOrderView)
	api.Post("/cases", s.requireToken(portal.ScopeCasesWrite), s.handleAPICaseCreate)
	api.Get("/cases/:number", s.requireToken(portal.ScopeRead), s.handleAPICaseView)
	api.Post("/cases/:number/messages", s.requireToken(portal.ScopeCasesWrite), s.handleAPICaseMessage)
	api.Get("/returns", s.requireToken(portal.ScopeRead), s.handleAPIReturnList)
	api.Get("/returns/:rma", s.requireToken(portal.ScopeRead), s.handleAPIReturnView)
	api.Post("/returns/:rma/received", s.requireToken(portal.ScopeReturnsWrite), s.apiReturnAction(portal.ActReceive))
	api.Post("/returns/:rma/refund", s.requireToken(portal.ScopeReturnsWrite), s.apiReturnAction(portal.ActRefund))
	api.Post("/returns/:rma/exchange", s.requireToken(portal.ScopeReturnsWrite), s.apiReturnAction(portal.ActExchange))
	api.Get("/openapi.json", s.handleOpenAPI)

	// Chat, when the engine is configured: the widget and its socket for
	// everyone, the console and its socket for agents, settings for admins.
	if h := s.chat; h != nil {
		app.Get("/chat/visitor", s.handleChatVisitor)
		app.Get("/chat", s.handleChatPage)
		app.Get("/ws/chat", h.checkOrigin, h.customerHandshake, h.upgrader(h.run))
		agents := s.withRole(app, portal.RoleAgent, portal.RoleManager, portal.RoleAdmin)
		agents.Get("/ws/agent", h.checkOrigin, h.agentHandshake, h.upgrader(h.run))
		agents.Get("/agent", s.handleAgentConsole)
		agents.Get("/agent/history", s.handleAgentHistory)
		agents.Get("/agent/history/:id<int>", s.handleAgentHistoryView)
		admin.Get("/chat", s.handleChatSettingsPage)
		admin.Post("/chat", s.handleChatSettingsSave)
	}

	// Anything else: 404, the same for everyone.
	app.Use(s.handleNotFound)
}

// roleRouter registers routes that require one of some roles. The check
// is part of each route, not middleware on a prefix, so that a URL no
// route matches answers 404 to everyone, instead of a sign-in redirect
// (303) or 403 that also tells which prefixes exist.
type roleRouter struct {
	r    fiber.Router
	auth fiber.Handler
}

// withRole returns a router on r whose routes require one of roles.
func (s *Server) withRole(r fiber.Router, roles ...portal.Role) roleRouter {
	return roleRouter{r: r, auth: s.requireRole(roles...)}
}

func (g roleRouter) Get(path string, h ...fiber.Handler) {
	g.r.Get(path, append([]fiber.Handler{g.auth}, h...)...)
}

func (g roleRouter) Post(path string, h ...fiber.Handler) {
	g.r.Post(path, append([]fiber.Handler{g.auth}, h...)...)
}
