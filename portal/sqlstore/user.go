package sqlstore

import (
	"context"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

const userCols = `id, email, name, role, password_hash, time_zone, phone, postcode, created_at, updated_at, disabled_at`

func scanUser(r Row) (*portal.User, error) {
	var u portal.User
	err := r.Scan(userDest(&u)...)
	return &u, err
}

// userDest is where userCols scan to.
func userDest(u *portal.User) []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.TimeZone, &u.Phone, &u.Postcode,
		&u.CreatedAt, &u.UpdatedAt, &u.DisabledAt}
}

// CreateUser stores u.
func (s *Store) CreateUser(ctx context.Context, u *portal.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	now := s.now()
	u.CreatedAt, u.UpdatedAt = now, now
	err := s.db.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, time_zone, phone, postcode, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, u.Name, u.Role, u.PasswordHash, u.TimeZone, u.Phone, u.Postcode, now, now).Scan(&u.ID)
	if s.db.IsUniqueViolation(err) {
		return portal.FieldError("email", "An account with this email already exists.")
	}
	return wrap("create user", err)
}

// FindUserByID returns one user.
func (s *Store) FindUserByID(ctx context.Context, id int64) (*portal.User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, wrap("find user", notFound(err, "User"))
	}
	return u, nil
}

// FindUserByEmail returns the user with an address, compared normalised.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*portal.User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE email = ?`, portal.NormalizeEmail(email)))
	if err != nil {
		return nil, wrap("find user by email", notFound(err, "User"))
	}
	return u, nil
}

// FindUsers returns a page of users, newest first, and the total.
func (s *Store) FindUsers(ctx context.Context, f portal.UserFilter) ([]*portal.User, int, error) {
	var w where
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.Email != nil {
		w.add("email = ?", portal.NormalizeEmail(*f.Email))
	}
	if len(f.Roles) > 0 {
		ph := placeholders(len(f.Roles))
		args := make([]any, len(f.Roles))
		for i, r := range f.Roles {
			args[i] = string(r)
		}
		w.add("role IN ("+ph+")", args...)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		w.add(`(LOWER(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`, like, like)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM users`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count users", err)
	}
	args := append(w.args, limit(f.Limit, 50, 500), max(f.Offset, 0))
	rows, err := s.db.Query(ctx, `SELECT `+userCols+` FROM users`+w.String()+` ORDER BY id DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, 0, wrap("find users", err)
	}
	out, err := collect(rows, scanUser)
	return out, total, wrap("find users", err)
}

// UpdateUser changes a user's profile fields.
func (s *Store) UpdateUser(ctx context.Context, id int64, upd portal.UserUpdate) (*portal.User, error) {
	var u *portal.User
	err := s.db.InTx(ctx, func(q Querier) error {
		var err error
		u, err = scanUser(q.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
		if err != nil {
			return notFound(err, "User")
		}
		if upd.Name != nil {
			u.Name = *upd.Name
		}
		if upd.TimeZone != nil {
			u.TimeZone = *upd.TimeZone
		}
		if upd.Phone != nil {
			u.Phone = strings.TrimSpace(*upd.Phone)
		}
		if upd.Postcode != nil {
			u.Postcode = strings.TrimSpace(*upd.Postcode)
		}
		if upd.Role != nil {
			u.Role = *upd.Role
		}
		if upd.Disabled != nil {
			if *upd.Disabled && u.DisabledAt == nil {
				t := s.now()
				u.DisabledAt = &t
			} else if !*upd.Disabled {
				u.DisabledAt = nil
			}
		}
		if err := u.Validate(); err != nil {
			return err
		}
		u.UpdatedAt = s.now()
		_, err = q.Exec(ctx, `UPDATE users SET name = ?, time_zone = ?, phone = ?, postcode = ?, role = ?, disabled_at = ?, updated_at = ? WHERE id = ?`,
			u.Name, u.TimeZone, u.Phone, u.Postcode, u.Role, u.DisabledAt, u.UpdatedAt, id)
		return err
	})
	if err != nil {
		return nil, wrap("update user", err)
	}
	return u, nil
}

// SetPasswordHash replaces a user's password hash.
func (s *Store) SetPasswordHash(ctx context.Context, id int64, hash string) error {
	return s.execOne(ctx, "set password", "User not found.", `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, s.now(), id)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
