package portal

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// API token scopes.
const (
	ScopeCustomersWrite = "customers:write"
	ScopeOrdersWrite    = "orders:write"
	ScopeInvoicesWrite  = "invoices:write"
	ScopeShipmentsWrite = "shipments:write"
	ScopeRead           = "read"
	// ScopeReturnsWrite lets the back office mark returns received,
	// refunded or exchanged.
	ScopeReturnsWrite = "returns:write"
	// ScopeCasesWrite opens cases and adds messages to them.
	ScopeCasesWrite = "cases:write"
)

// Scopes lists every scope a token may carry.
var Scopes = []string{ScopeCustomersWrite, ScopeOrdersWrite, ScopeInvoicesWrite, ScopeShipmentsWrite, ScopeReturnsWrite, ScopeCasesWrite, ScopeRead}

// APIToken lets one of the retailer's systems call the back-office API.
// Only the token's SHA-256 is stored; the token is shown once at creation.
type APIToken struct {
	ID         int64
	Name       string
	Prefix     string // the first characters, to recognise a token in lists
	Hash       string
	Scopes     []string
	CreatedBy  int64
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// HasScope reports whether the token carries scope.
func (t *APIToken) HasScope(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// APITokenService stores API tokens.
type APITokenService interface {
	CreateAPIToken(ctx context.Context, t *APIToken) error
	// FindAPITokenByHash returns an unrevoked token and records its use.
	FindAPITokenByHash(ctx context.Context, hash string, now time.Time) (*APIToken, error)
	FindAPITokens(ctx context.Context) ([]*APIToken, error)
	RevokeAPIToken(ctx context.Context, id int64, now time.Time) error
}

// BulkError reports, per item index, why a bulk request was refused. A bulk
// request is all-or-nothing: when any item fails, none is stored.
type BulkError struct {
	Items map[int]string
}

// Error implements error.
func (e *BulkError) Error() string {
	idx := make([]int, 0, len(e.Items))
	for i := range e.Items {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	var b strings.Builder
	for _, i := range idx {
		fmt.Fprintf(&b, "item %d: %s; ", i, e.Items[i])
	}
	return strings.TrimSuffix(b.String(), "; ")
}

// BackOfficeService upserts the retailer's records by their natural keys:
// customers by email, orders and invoices by number, shipments by tracking
// number. Each call is one transaction; a failing item fails the call with a
// *BulkError naming it, and nothing is stored.
type BackOfficeService interface {
	UpsertCustomers(ctx context.Context, us []*User) error
	UpsertOrders(ctx context.Context, os []*Order) error
	UpsertInvoices(ctx context.Context, is []*Invoice) error
	UpsertShipments(ctx context.Context, ss []*Shipment) error
}
