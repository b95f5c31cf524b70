package portal

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Role is what a user may do. Customers see their own account; staff roles
// are ordered agent < editor < admin only where a page says so. Managers read
// the reports and customer analytics.
type Role string

// The roles.
const (
	RoleCustomer Role = "customer"
	RoleAgent    Role = "agent"
	RoleEditor   Role = "editor"
	RoleAdmin    Role = "admin"
	RoleManager  Role = "manager"
)

// Roles lists every role in display order.
var Roles = []Role{RoleCustomer, RoleAgent, RoleEditor, RoleManager, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// IsStaff reports whether r is a staff role.
func (r Role) IsStaff() bool {
	return r == RoleAgent || r == RoleEditor || r == RoleManager || r == RoleAdmin
}

// User is a person who signs in: a customer or a member of staff.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	PasswordHash string
	// TimeZone is an IANA zone name used to show dates; "" means the browser's.
	TimeZone string
	// Phone and Postcode help agents and guest tracking; optional.
	Phone     string
	Postcode  string
	CreatedAt time.Time
	UpdatedAt time.Time
	// DisabledAt is set when an admin disables the account.
	DisabledAt *time.Time
}

// Customer is a user with the customer role; the alias keeps domain
// vocabulary readable where only customers make sense.
type Customer = User

// NormalizeEmail lower-cases and trims an address so lookups are stable.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateEmail checks that s is a plain address.
func ValidateEmail(s string) error {
	if s == "" {
		return FieldError("email", "Email is required.")
	}
	if len(s) > 254 {
		return FieldError("email", "Email is too long.")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return FieldError("email", "Enter a valid email address, like name@example.com.")
	}
	return nil
}

// Validate checks a user before it is stored.
func (u *User) Validate() error {
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	if err := ValidateEmail(u.Email); err != nil {
		return err
	}
	if len(u.Name) > 200 {
		return FieldError("name", "Name is too long (200 characters at most).")
	}
	if !u.Role.Valid() {
		return FieldError("role", "Unknown role.")
	}
	if u.TimeZone != "" {
		if _, err := time.LoadLocation(u.TimeZone); err != nil {
			return FieldError("time_zone", "Unknown time zone.")
		}
	}
	return nil
}

// UserFilter selects users. Nil fields match everything.
type UserFilter struct {
	ID     *int64
	Email  *string
	Roles  []Role
	Query  string // matches name or email, case-insensitive
	Offset int
	Limit  int
}

// UserUpdate changes a user's profile; nil fields are left alone.
type UserUpdate struct {
	Name     *string
	TimeZone *string
	Phone    *string
	Postcode *string
	Role     *Role
	Disabled *bool
}

// UserService stores users.
type UserService interface {
	// CreateUser stores u and sets its ID and timestamps. A taken email is ECONFLICT.
	CreateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// FindUsers returns a page of users and the total that match.
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	SetPasswordHash(ctx context.Context, id int64, hash string) error
}
