package portal

import (
	"context"
	"time"
)

// CustomerAddress is an entry in a customer's address book.
type CustomerAddress struct {
	Address
	ID         int64
	CustomerID int64
	Default    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// AddressService keeps customers' address books. Every method is scoped
// to the customer: another customer's address is ENOTFOUND.
type AddressService interface {
	// CreateAddress validates and stores an address; a customer's first
	// address, or one with Default set, becomes the default.
	CreateAddress(ctx context.Context, a *CustomerAddress) error
	// UpdateAddress changes an address of a.CustomerID (and makes it the
	// default when a.Default is set).
	UpdateAddress(ctx context.Context, a *CustomerAddress) error
	// DeleteAddress removes an address; when it was the default, the
	// oldest remaining one becomes the default.
	DeleteAddress(ctx context.Context, id, customerID int64) error
	SetDefaultAddress(ctx context.Context, id, customerID int64) error
	// FindAddresses lists a customer's addresses, the default first.
	FindAddresses(ctx context.Context, customerID int64) ([]*CustomerAddress, error)
	FindAddress(ctx context.Context, id, customerID int64) (*CustomerAddress, error)
}
