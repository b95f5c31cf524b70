package sqlstore

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// CreateAPIToken stores a token's hash and scopes.
func (s *Store) CreateAPIToken(ctx context.Context, t *portal.APIToken) error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return portal.FieldError("name", "Give the token a name, like the system that will use it.")
	}
	if len(t.Scopes) == 0 {
		return portal.FieldError("scopes", "Choose at least one scope.")
	}
	for _, sc := range t.Scopes {
		ok := false
		for _, k := range portal.Scopes {
			ok = ok || sc == k
		}
		if !ok {
			return portal.FieldError("scopes", "Unknown scope "+sc+".")
		}
	}
	t.CreatedAt = s.now()
	scopes, _ := json.Marshal(t.Scopes)
	err := s.db.QueryRow(ctx, `INSERT INTO api_tokens (name, prefix, token_hash, scopes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		t.Name, t.Prefix, t.Hash, string(scopes), t.CreatedBy, t.CreatedAt).Scan(&t.ID)
	return wrap("create api token", err)
}

const tokenCols = `id, name, prefix, token_hash, scopes, created_by, created_at, last_used_at, revoked_at`

func scanToken(r Row) (*portal.APIToken, error) {
	var t portal.APIToken
	var scopes string
	err := r.Scan(&t.ID, &t.Name, &t.Prefix, &t.Hash, &scopes, &t.CreatedBy, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
	if err == nil {
		_ = json.Unmarshal([]byte(scopes), &t.Scopes)
	}
	return &t, err
}

// FindAPITokenByHash returns an unrevoked token and records its use (at
// most once a minute, to keep API calls read-only in the common case).
func (s *Store) FindAPITokenByHash(ctx context.Context, hash string, now time.Time) (*portal.APIToken, error) {
	t, err := scanToken(s.db.QueryRow(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`, hash))
	if err != nil {
		return nil, wrap("find api token", notFound(err, "Token"))
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if _, err := s.db.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, t.ID); err != nil {
			return nil, wrap("touch api token", err)
		}
		t.LastUsedAt = &now
	}
	return t, nil
}

// FindAPITokens lists every token, newest first.
func (s *Store) FindAPITokens(ctx context.Context) ([]*portal.APIToken, error) {
	rows, err := s.db.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY id DESC`)
	if err != nil {
		return nil, wrap("find api tokens", err)
	}
	out, err := collect(rows, scanToken)
	return out, wrap("find api tokens", err)
}

// RevokeAPIToken stops a token working.
func (s *Store) RevokeAPIToken(ctx context.Context, id int64, now time.Time) error {
	return s.execOne(ctx, "revoke api token", "Token not found or already revoked.", `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, now, id)
}

// NotifyStatuses returns the statuses that email a customer.
func (s *Store) NotifyStatuses(ctx context.Context, userID int64) ([]portal.ShipmentStatus, error) {
	var raw *string
	if err := s.db.QueryRow(ctx, `SELECT notify_statuses FROM users WHERE id = ?`, userID).Scan(&raw); err != nil {
		return nil, wrap("notify statuses", notFound(err, "User"))
	}
	if raw == nil {
		return append([]portal.ShipmentStatus(nil), portal.DefaultNotifyStatuses...), nil
	}
	var out []portal.ShipmentStatus
	if err := json.Unmarshal([]byte(*raw), &out); err != nil {
		return nil, wrap("decode notify statuses", err)
	}
	return out, nil
}

// SetNotifyStatuses stores a customer's choice.
func (s *Store) SetNotifyStatuses(ctx context.Context, userID int64, statuses []portal.ShipmentStatus) error {
	for _, st := range statuses {
		if !st.Valid() {
			return portal.FieldError("statuses", "Unknown shipment status "+string(st)+".")
		}
	}
	if statuses == nil {
		statuses = []portal.ShipmentStatus{}
	}
	b, _ := json.Marshal(statuses)
	return s.execOne(ctx, "set notify statuses", "User not found.", `UPDATE users SET notify_statuses = ?, updated_at = ? WHERE id = ?`, string(b), s.now(), userID)
}
