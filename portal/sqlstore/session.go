package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, ss *portal.Session) error {
	_, err := s.db.Exec(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent, ip) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		ss.ID, ss.UserID, ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt, truncate(ss.UserAgent, 300), ss.IP)
	return wrap("create session", err)
}

// FindSession returns an unexpired session.
func (s *Store) FindSession(ctx context.Context, id string, now time.Time) (*portal.Session, error) {
	var ss portal.Session
	err := s.db.QueryRow(ctx, `SELECT id, user_id, created_at, last_seen_at, expires_at, user_agent, ip FROM sessions WHERE id = ? AND expires_at > ?`, id, now).
		Scan(&ss.ID, &ss.UserID, &ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt, &ss.UserAgent, &ss.IP)
	if err != nil {
		return nil, wrap("find session", notFound(err, "Session"))
	}
	return &ss, nil
}

// sessionUserQuery reads a session and its user together.
var sessionUserQuery = `SELECT s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.user_agent, s.ip, u.` +
	strings.ReplaceAll(userCols, ", ", ", u.") + ` FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.expires_at > ?`

// FindSessionUser returns an unexpired session and its user in one read:
// a signed-in request whose session is not in the node's cache used to
// make two round trips to the database before its own queries.
func (s *Store) FindSessionUser(ctx context.Context, id string, now time.Time) (*portal.Session, *portal.User, error) {
	var ss portal.Session
	var u portal.User
	err := s.db.QueryRow(ctx, sessionUserQuery, id, now).
		Scan(append([]any{&ss.ID, &ss.UserID, &ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt, &ss.UserAgent, &ss.IP}, userDest(&u)...)...)
	if err != nil {
		return nil, nil, wrap("find session", notFound(err, "Session"))
	}
	return &ss, &u, nil
}

// TouchSession slides a session's expiry.
func (s *Store) TouchSession(ctx context.Context, id string, seen, expires time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?`, seen, expires, id)
	return wrap("touch session", err)
}

// DeleteSession signs one session out.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return wrap("delete session", err)
}

// DeleteUserSessions signs a user out everywhere but keepID.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64, keepID string) error {
	_, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepID)
	return wrap("delete user sessions", err)
}

// CountUserSessions counts a user's unexpired sessions.
func (s *Store) CountUserSessions(ctx context.Context, userID int64, now time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = ? AND expires_at > ?`, userID, now).Scan(&n)
	return n, wrap("count user sessions", err)
}

// DeleteExpiredSessions removes expired sessions.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now)
	return int(n), wrap("delete expired sessions", err)
}

// CreatePasswordReset stores a reset token hash.
func (s *Store) CreatePasswordReset(ctx context.Context, r *portal.PasswordReset) error {
	_, err := s.db.Exec(ctx, `INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		r.TokenHash, r.UserID, r.CreatedAt, r.ExpiresAt)
	return wrap("create password reset", err)
}

// ConsumePasswordReset uses a token once.
func (s *Store) ConsumePasswordReset(ctx context.Context, tokenHash string, now time.Time) (int64, error) {
	var userID int64
	err := s.db.QueryRow(ctx, `UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING user_id`,
		now, tokenHash, now).Scan(&userID)
	if err != nil {
		if portal.IsNotFound(notFound(err, "")) {
			return 0, portal.Errorf(portal.EINVALID, "This reset link is invalid or has expired. Ask for a new one.")
		}
		return 0, wrap("consume password reset", err)
	}
	// One reset ends every other link the account was sent.
	if _, err := s.db.Exec(ctx, `UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, userID); err != nil {
		return 0, wrap("end other password resets", err)
	}
	return userID, nil
}

// truncate cuts s to n bytes at a character boundary.
func truncate(s string, n int) string { return portal.Truncate(s, n) }
