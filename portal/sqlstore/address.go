package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/frontdesk/frontdesk/portal"
)

const addressCols = `id, customer_id, name, line1, line2, city, region, postcode, country, is_default, created_at, updated_at`

func scanAddress(r Row) (*portal.CustomerAddress, error) {
	var a portal.CustomerAddress
	var def int
	err := r.Scan(&a.ID, &a.CustomerID, &a.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.Postcode, &a.Country, &def, &a.CreatedAt, &a.UpdatedAt)
	a.Default = def == 1
	return &a, err
}

// maxAddresses bounds a customer's address book.
const maxAddresses = 50

// CreateAddress stores an address in the customer's book.
func (s *Store) CreateAddress(ctx context.Context, a *portal.CustomerAddress) error {
	if err := a.Address.Validate(); err != nil {
		return err
	}
	now := s.now()
	a.CreatedAt, a.UpdatedAt = now, now
	err := s.db.InTx(ctx, func(q Querier) error {
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM customer_addresses WHERE customer_id = ?`, a.CustomerID).Scan(&n); err != nil {
			return err
		}
		if n >= maxAddresses {
			return portal.Errorf(portal.EINVALID, "Your address book is full (%d addresses): delete one first.", maxAddresses)
		}
		if n == 0 {
			a.Default = true
		}
		if a.Default {
			if _, err := q.Exec(ctx, `UPDATE customer_addresses SET is_default = 0 WHERE customer_id = ? AND is_default = 1`, a.CustomerID); err != nil {
				return err
			}
		}
		return q.QueryRow(ctx, `INSERT INTO customer_addresses (customer_id, name, line1, line2, city, region, postcode, country, is_default, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.CustomerID, a.Name, a.Line1, a.Line2, a.City, a.Region, a.Postcode, a.Country, boolInt(a.Default), now, now).Scan(&a.ID)
	})
	return wrap("create address", err)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// UpdateAddress changes one of the customer's addresses.
func (s *Store) UpdateAddress(ctx context.Context, a *portal.CustomerAddress) error {
	if err := a.Address.Validate(); err != nil {
		return err
	}
	a.UpdatedAt = s.now()
	err := s.db.InTx(ctx, func(q Querier) error {
		n, err := q.Exec(ctx, `UPDATE customer_addresses SET name = ?, line1 = ?, line2 = ?, city = ?, region = ?, postcode = ?, country = ?, updated_at = ? WHERE id = ? AND customer_id = ?`,
			a.Name, a.Line1, a.Line2, a.City, a.Region, a.Postcode, a.Country, a.UpdatedAt, a.ID, a.CustomerID)
		if err != nil {
			return err
		}
		if n == 0 {
			return portal.Errorf(portal.ENOTFOUND, "Address not found.")
		}
		if a.Default {
			return setDefaultAddress(ctx, q, a.ID, a.CustomerID)
		}
		return nil
	})
	return wrap("update address", err)
}

func setDefaultAddress(ctx context.Context, q Querier, id, customerID int64) error {
	var one int
	if err := q.QueryRow(ctx, `SELECT 1 FROM customer_addresses WHERE id = ? AND customer_id = ?`, id, customerID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return portal.Errorf(portal.ENOTFOUND, "Address not found.")
	} else if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `UPDATE customer_addresses SET is_default = 0 WHERE customer_id = ? AND is_default = 1 AND id <> ?`, customerID, id); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `UPDATE customer_addresses SET is_default = 1 WHERE id = ? AND customer_id = ?`, id, customerID)
	return err
}

// SetDefaultAddress makes one of the customer's addresses the default.
func (s *Store) SetDefaultAddress(ctx context.Context, id, customerID int64) error {
	return wrap("set default address", s.db.InTx(ctx, func(q Querier) error { return setDefaultAddress(ctx, q, id, customerID) }))
}

// DeleteAddress removes one of the customer's addresses.
func (s *Store) DeleteAddress(ctx context.Context, id, customerID int64) error {
	err := s.db.InTx(ctx, func(q Querier) error {
		var def int
		err := q.QueryRow(ctx, `SELECT is_default FROM customer_addresses WHERE id = ? AND customer_id = ?`, id, customerID).Scan(&def)
		if errors.Is(err, sql.ErrNoRows) {
			return portal.Errorf(portal.ENOTFOUND, "Address not found.")
		} else if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `DELETE FROM customer_addresses WHERE id = ? AND customer_id = ?`, id, customerID); err != nil {
			return err
		}
		if def == 1 {
			_, err = q.Exec(ctx, `UPDATE customer_addresses SET is_default = 1 WHERE id = (SELECT MIN(id) FROM customer_addresses WHERE customer_id = ?)`, customerID)
		}
		return err
	})
	return wrap("delete address", err)
}

// FindAddresses lists the customer's addresses, the default first.
func (s *Store) FindAddresses(ctx context.Context, customerID int64) ([]*portal.CustomerAddress, error) {
	rows, err := s.db.Query(ctx, `SELECT `+addressCols+` FROM customer_addresses WHERE customer_id = ? ORDER BY is_default DESC, id`, customerID)
	if err != nil {
		return nil, wrap("find addresses", err)
	}
	out, err := collect(rows, scanAddress)
	return out, wrap("find addresses", err)
}

// FindAddress returns one of the customer's addresses.
func (s *Store) FindAddress(ctx context.Context, id, customerID int64) (*portal.CustomerAddress, error) {
	a, err := scanAddress(s.db.QueryRow(ctx, `SELECT `+addressCols+` FROM customer_addresses WHERE id = ? AND customer_id = ?`, id, customerID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, portal.Errorf(portal.ENOTFOUND, "Address not found.")
	}
	return a, wrap("find address", err)
}
