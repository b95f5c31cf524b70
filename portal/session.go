package portal

import (
	"context"
	"time"
)

// Session is a signed-in browser. The cookie holds a random token; the store
// keeps only its SHA-256 (ID), so a leaked table does not leak sessions.
type Session struct {
	ID         string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	UserAgent  string
	IP         string
}

// SessionService stores sessions in the database so that every node can
// serve every request.
type SessionService interface {
	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns an unexpired session; expired or missing is ENOTFOUND.
	FindSession(ctx context.Context, id string, now time.Time) (*Session, error)
	// FindSessionUser returns an unexpired session and its user in one
	// read, what every signed-in request needs; ENOTFOUND as FindSession.
	FindSessionUser(ctx context.Context, id string, now time.Time) (*Session, *User, error)
	// TouchSession extends a session's expiry (sliding expiration).
	TouchSession(ctx context.Context, id string, seen, expires time.Time) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions signs a user out everywhere except keepID ("" for all).
	DeleteUserSessions(ctx context.Context, userID int64, keepID string) error
	// CountUserSessions counts a user's unexpired sessions: none left
	// means they are signed out everywhere.
	CountUserSessions(ctx context.Context, userID int64, now time.Time) (int, error)
	// DeleteExpiredSessions removes sessions that expired before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// PasswordReset is a one-time token, stored as its hash, that lets a user
// choose a new password.
type PasswordReset struct {
	TokenHash string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PasswordResetService stores reset tokens.
type PasswordResetService interface {
	CreatePasswordReset(ctx context.Context, r *PasswordReset) error
	// ConsumePasswordReset marks a token used and returns its user. A token
	// works once: unknown, used or expired tokens are EINVALID. The user's
	// other tokens stop working too.
	ConsumePasswordReset(ctx context.Context, tokenHash string, now time.Time) (int64, error)
}

// PendingSignup is a sign-up waiting for its owner to open the link mailed to
// the address. The token is stored as its hash, the password as its hash.
type PendingSignup struct {
	TokenHash    string
	Email        string
	Name         string
	PasswordHash string
	TimeZone     string
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// SignupService stores sign-ups until the address is confirmed.
type SignupService interface {
	CreatePendingSignup(ctx context.Context, p *PendingSignup) error
	// ConfirmSignup uses a token once and creates the customer it stands
	// for, in one transaction. Unknown, used or expired tokens are EINVALID;
	// an address that got an account meanwhile is EINVALID too. The
	// address's other pending sign-ups stop working.
	ConfirmSignup(ctx context.Context, tokenHash string, now time.Time) (*User, error)
	// DeleteExpiredSignups removes sign-ups (and the password hashes they
	// hold) whose link expired or was used before now.
	DeleteExpiredSignups(ctx context.Context, now time.Time) (int, error)
}
