// Package storetest is the one conformance suite every portal.Store passes.
// Each backend's tests call Run with a constructor for a fresh, empty store.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Opener returns a fresh, empty store whose clock is now; the store is
// closed when the test ends.
type Opener func(tb testing.TB, now func() time.Time) portal.Store

// Run runs the whole suite against stores from open.
func Run(t *testing.T, open Opener) {
	t.Run("Users", func(t *testing.T) { testUsers(t, open) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open) })
	t.Run("PasswordResets", func(t *testing.T) { testPasswordResets(t, open) })
	t.Run("Signups", func(t *testing.T) { testSignups(t, open) })
	t.Run("Outbox", func(t *testing.T) { testOutbox(t, open) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open) })
	t.Run("RateLimits", func(t *testing.T) { testRateLimits(t, open) })
	t.Run("Orders", func(t *testing.T) { testOrders(t, open) })
	t.Run("Shipments", func(t *testing.T) { testShipments(t, open) })
	t.Run("Articles", func(t *testing.T) { testArticles(t, open) })
	t.Run("ArticleRevisions", func(t *testing.T) { testArticleRevisions(t, open) })
	t.Run("ArticleQueries", func(t *testing.T) { testArticleQueries(t, open) })
	t.Run("ArticleImport", func(t *testing.T) { testArticleImport(t, open) })
	t.Run("KnowledgeBaseFeedback", func(t *testing.T) { testFeedback(t, open) })
	t.Run("KnowledgeBaseThresholds", func(t *testing.T) { testKBThresholds(t, open) })
	t.Run("BackOffice", func(t *testing.T) { testBackOffice(t, open) })
	t.Run("History", func(t *testing.T) { testHistory(t, open) })
	t.Run("TokensAndNotifications", func(t *testing.T) { testTokens(t, open) })
	t.Run("Catalogs", func(t *testing.T) { testCatalogs(t, open); testQuotes(t, open) })
	t.Run("Chat", func(t *testing.T) { testChat(t, open) })
	t.Run("ChatAnswerVotes", func(t *testing.T) { testAnswerVotes(t, open) })
	t.Run("Cases", func(t *testing.T) { testCases(t, open) })
	t.Run("CustomerStats", func(t *testing.T) { testCustomerStats(t, open) })
	t.Run("ManagerRole", func(t *testing.T) { testManagerRole(t, open) })
	t.Run("SupportStats", func(t *testing.T) { testSupportStats(t, open) })
	t.Run("CaseStats", func(t *testing.T) { testCaseStats(t, open) })
	t.Run("ReportFacts", func(t *testing.T) { testReportFacts(t, open) })
	t.Run("ReportFactsLargeRefresh", func(t *testing.T) { testReportFactsLargeRefresh(t, open) })
	t.Run("CaseSLASegments", func(t *testing.T) { testCaseSLASegments(t, open) })
	t.Run("ReportExports", func(t *testing.T) { testReportExports(t, open) })
	t.Run("FireEscalations", func(t *testing.T) { testFireEscalations(t, open) })
	t.Run("TextLimits", func(t *testing.T) { testTextLimits(t, open) })
	t.Run("Returns", func(t *testing.T) { testReturns(t, open) })
	t.Run("WebhooksOut", func(t *testing.T) { testWebhooksOut(t, open) })
	t.Run("OrderChanges", func(t *testing.T) { testOrderChanges(t, open) })
	t.Run("Addresses", func(t *testing.T) { testAddresses(t, open) })
	t.Run("CheckoutQuote", func(t *testing.T) { testCheckoutQuote(t, open) })
}

// clock is a settable test clock.
type clock struct{ t time.Time }

func newClock() *clock          { return &clock{t: time.Date(2026, 3, 1, 9, 30, 0, 123456000, time.UTC)} }
func (c *clock) Now() time.Time { return c.t }

func ctx() context.Context { return context.Background() }

// MustCreateUser stores a user with role and email or fails the test.
func MustCreateUser(tb testing.TB, s portal.Store, role portal.Role, email string) *portal.User {
	tb.Helper()
	u := &portal.User{Email: email, Name: "Test " + string(role), Role: role, PasswordHash: "x"}
	if err := s.CreateUser(ctx(), u); err != nil {
		tb.Fatalf("create user %s: %v", email, err)
	}
	return u
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := portal.ErrorCode(err); got != code {
		tb.Fatalf("error code=%q (%v), want %q", got, err, code)
	}
}

func ptr[T any](v T) *T { return &v }
