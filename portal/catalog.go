package portal

import (
	"context"
	"time"
)

// Catalogue version statuses. A product has at most one draft; the
// published version with the highest number is the one customers see;
// older published versions are kept because quotes refer to them.
const (
	VersionDraft     = "draft"
	VersionPublished = "published"
)

// Quote statuses.
const (
	QuoteOpen    = "open"
	QuoteOrdered = "ordered"
)

// Product is a build-to-order product customers configure.
type Product struct {
	ID      int64
	Slug    string // URL name, unique: lower-case letters, digits and dashes
	Name    string
	Summary string
	// Published is the number of the current published version, 0 when
	// none is published; Draft is the number of the draft, 0 when none.
	Published int
	Draft     int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ProductFilter selects products, by name.
type ProductFilter struct {
	ID            *int64
	Slug          *string
	PublishedOnly bool
	Offset        int
	Limit         int
}

// CatalogVersion is one version of a product's configuration model. The
// store keeps Catalog as opaque JSON; validating it is the caller's job.
type CatalogVersion struct {
	ID          int64
	ProductID   int64
	Version     int // 1, 2, ... per product
	Status      string
	Catalog     string // the productconfig catalogue as JSON
	Note        string
	CreatedBy   string // the editor's email, or what imported it
	CreatedAt   time.Time
	UpdatedAt   time.Time
	PublishedAt *time.Time
}

// CatalogVersionFilter selects versions, newest first. Current picks the
// current published version of ProductID.
type CatalogVersionFilter struct {
	ID        *int64
	ProductID *int64
	Version   *int
	Status    string
	Current   bool
	Offset    int
	Limit     int
}

// Quote is a customer's saved configuration, priced with one catalogue
// version.
type Quote struct {
	ID         int64
	Number     string // customer-facing, unique
	CustomerID int64
	ProductID  int64
	VersionID  int64
	Version    int // the version number of VersionID, filled on read
	// Config is the configuration as JSON (choices and selected options);
	// Breakdown the price breakdown as JSON.
	Config     string
	Breakdown  string
	Currency   string
	TotalMinor int64
	Status     string
	OrderID    *int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// QuoteFilter selects quotes, newest first.
type QuoteFilter struct {
	ID         *int64
	Number     *string
	CustomerID *int64
	ProductID  *int64
	Offset     int
	Limit      int
}

// QuoteReprice is a quote re-priced with a newer catalogue version.
type QuoteReprice struct {
	VersionID  int64
	Config     string
	Breakdown  string
	Currency   string
	TotalMinor int64
}

// CatalogService stores products, catalogue versions and quotes.
type CatalogService interface {
	// CreateProduct stores a product. A taken slug is EINVALID.
	CreateProduct(ctx context.Context, p *Product) error
	// UpdateProduct changes a product's name and summary.
	UpdateProduct(ctx context.Context, p *Product) error
	// FindProducts returns a page of products ordered by name, and the total.
	FindProducts(ctx context.Context, f ProductFilter) ([]*Product, int, error)
	// SaveDraft creates the product's draft version, or replaces the
	// draft's catalogue when one exists.
	SaveDraft(ctx context.Context, productID int64, catalog, note, by string) (*CatalogVersion, error)
	// PublishDraft publishes the product's draft; ENOTFOUND without one.
	PublishDraft(ctx context.Context, productID int64, by string) (*CatalogVersion, error)
	// DiscardDraft deletes the product's draft; ENOTFOUND without one.
	DiscardDraft(ctx context.Context, productID int64) error
	// FindCatalogVersions returns a page of versions, newest first.
	FindCatalogVersions(ctx context.Context, f CatalogVersionFilter) ([]*CatalogVersion, int, error)
	// CreateQuote stores a quote priced with a published version.
	CreateQuote(ctx context.Context, q *Quote) error
	// FindQuotes returns a page of quotes, newest first.
	FindQuotes(ctx context.Context, f QuoteFilter) ([]*Quote, int, error)
	// RepriceQuote moves an open quote of customerID to a newer published
	// version with its new configuration and price.
	RepriceQuote(ctx context.Context, quoteID, customerID int64, r QuoteReprice) (*Quote, error)
	// OrderQuote creates order o from an open quote of customerID and marks
	// the quote ordered, in one transaction. A quote priced with a version
	// that is no longer current is ECONFLICT (re-price it first); so is a
	// quote already ordered.
	OrderQuote(ctx context.Context, quoteID, customerID int64, o *Order) error
	// CheckoutQuote is OrderQuote with the confirmation email and the
	// production order (an order.configured webhook) stored in the same
	// transaction.
	CheckoutQuote(ctx context.Context, co QuoteCheckout) error
}

// QuoteCheckout is a quote ordered at checkout.
type QuoteCheckout struct {
	QuoteID    int64
	CustomerID int64
	Order      *Order
	// Email, when set, is the confirmation queued with the order.
	Email *Email
	// ProductionOrder, when set, returns the order.configured webhook's
	// payload for the stored order (its number and id are final then).
	ProductionOrder func(o *Order) any
}
