package portal

import "context"

// Store is everything a storage backend provides. portal/web and the
// subcommands take the narrower interfaces they need; Store exists so that
// cmd can pass one value and the conformance suite can test a backend whole.
type Store interface {
	UserService
	SessionService
	PasswordResetService
	SignupService
	OutboxService
	AuditService
	RateLimitService
	OrderService
	ShipmentService
	ArticleService
	FeedbackService
	KBThresholdService
	HistoryService
	APITokenService
	BackOfficeService
	NotificationService
	CatalogService
	ChatService
	CaseService
	CustomerStatsService
	SharedAnalysisService
	SupportStatsService
	ReportFactsService
	ReportExportService
	ReturnService
	WebhookService
	OrderChangeService
	AddressService
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}
