package portal

import (
	"context"
	"time"
)

// AuditEntry records one change a member of staff made.
type AuditEntry struct {
	ID         int64
	ActorID    int64
	ActorEmail string
	Action     string // e.g. "user.create", "article.publish"
	Entity     string // e.g. "user"
	EntityID   string
	Detail     string
	IP         string
	At         time.Time
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	ActorID *int64
	Entity  string
	Offset  int
	Limit   int
}

// AuditService stores the audit log.
type AuditService interface {
	RecordAudit(ctx context.Context, e *AuditEntry) error
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error)
}

// RateLimitService counts events per key in fixed windows, in the database,
// so that limits hold across every node.
type RateLimitService interface {
	// HitRate counts one event for key in the window containing now and
	// returns the count so far and when the window ends.
	HitRate(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error)
	// UndoRate takes back one event HitRate counted at now (an attempt
	// counted before it was known to be allowed, such as a sign-in that
	// turned out right).
	UndoRate(ctx context.Context, key string, window time.Duration, now time.Time) error
	// RateCount returns the count without adding to it.
	RateCount(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error)
	// DeleteOldRates removes windows that ended before now.
	DeleteOldRates(ctx context.Context, before time.Time) error
}
