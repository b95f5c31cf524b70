package sqlstore

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// CreatePendingSignup stores a sign-up until its link is used.
func (s *Store) CreatePendingSignup(ctx context.Context, p *portal.PendingSignup) error {
	p.Email = portal.NormalizeEmail(p.Email)
	_, err := s.db.Exec(ctx, `INSERT INTO signup_confirmations (token_hash, email, name, password_hash, time_zone, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		p.TokenHash, p.Email, p.Name, p.PasswordHash, p.TimeZone, p.CreatedAt, p.ExpiresAt)
	return wrap("create pending signup", err)
}

// ConfirmSignup uses a sign-up link once and creates its customer.
func (s *Store) ConfirmSignup(ctx context.Context, tokenHash string, now time.Time) (*portal.User, error) {
	var u *portal.User
	err := s.db.InTx(ctx, func(q Querier) error {
		u = &portal.User{Role: portal.RoleCustomer}
		err := q.QueryRow(ctx, `UPDATE signup_confirmations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING email, name, password_hash, time_zone`,
			now, tokenHash, now).Scan(&u.Email, &u.Name, &u.PasswordHash, &u.TimeZone)
		if err != nil {
			if portal.IsNotFound(notFound(err, "")) {
				return portal.Errorf(portal.EINVALID, "This sign-up link is invalid, already used or has expired. Sign up again to get a new one.")
			}
			return wrap("confirm signup", err)
		}
		if err := u.Validate(); err != nil {
			return err
		}
		u.CreatedAt, u.UpdatedAt = now, now
		err = q.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, time_zone, phone, postcode, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, '', '', ?, ?) RETURNING id`,
			u.Email, u.Name, u.Role, u.PasswordHash, u.TimeZone, now, now).Scan(&u.ID)
		if s.db.IsUniqueViolation(err) {
			return portal.Errorf(portal.EINVALID, "An account with this email already exists. Sign in, or reset your password if you forgot it.")
		}
		if err != nil {
			return wrap("create user", err)
		}
		// One confirmed sign-up ends every other link the address was sent.
		_, err = q.Exec(ctx, `UPDATE signup_confirmations SET used_at = ? WHERE email = ? AND used_at IS NULL`, now, u.Email)
		return wrap("end other signups", err)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// DeleteExpiredSignups removes sign-ups whose link can no longer be used.
func (s *Store) DeleteExpiredSignups(ctx context.Context, now time.Time) (int, error) {
	n, err := s.db.Exec(ctx, `DELETE FROM signup_confirmations WHERE expires_at <= ? OR used_at IS NOT NULL`, now)
	return int(n), wrap("delete expired signups", err)
}
