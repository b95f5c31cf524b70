package storetest

import (
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

func testAddresses(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	bob := MustCreateUser(t, s, portal.RoleCustomer, "bob@example.com")
	berlin := portal.Address{Name: " Ada  Becker ", Line1: "Invalidenstr. 7", City: "Berlin", Postcode: "10115", Country: "de"}

	t.Run("Validated", func(t *testing.T) {
		for _, a := range []portal.Address{
			{Line1: "x 1", City: "Berlin", Postcode: "10115", Country: "DE"},
			{Name: "A", City: "Berlin", Postcode: "10115", Country: "DE"},
			{Name: "A", Line1: "x 1", City: "Berlin", Postcode: "1011", Country: "DE"},
			{Name: "A", Line1: "x 1", City: "Berlin", Postcode: "10115", Country: "Germany"},
			{Name: "A", Line1: "x 1", City: "Amsterdam", Postcode: "1011", Country: "NL"},
		} {
			wantCode(t, s.CreateAddress(ctx(), &portal.CustomerAddress{CustomerID: ada.ID, Address: a}), portal.EINVALID)
		}
	})

	first := &portal.CustomerAddress{CustomerID: ada.ID, Address: berlin}
	if err := s.CreateAddress(ctx(), first); err != nil {
		t.Fatal(err)
	}
	if !first.Default || first.Name != "Ada Becker" || first.Country != "DE" {
		t.Fatalf("first address %+v: want the default, trimmed, country in capitals", first)
	}
	second := &portal.CustomerAddress{CustomerID: ada.ID, Default: true, Address: portal.Address{Name: "Ada", Line1: "Damrak 1", City: "Amsterdam", Postcode: "1012 lg", Country: "NL"}}
	if err := s.CreateAddress(ctx(), second); err != nil {
		t.Fatal(err)
	}
	as, err := s.FindAddresses(ctx(), ada.ID)
	if err != nil || len(as) != 2 || as[0].ID != second.ID || !as[0].Default || as[1].Default {
		t.Fatalf("addresses=%+v err=%v: want the new default first, one default", as, err)
	}

	t.Run("AnotherCustomersAddressIsNotFound", func(t *testing.T) {
		_, err := s.FindAddress(ctx(), first.ID, bob.ID)
		wantCode(t, err, portal.ENOTFOUND)
		wantCode(t, s.UpdateAddress(ctx(), &portal.CustomerAddress{ID: first.ID, CustomerID: bob.ID, Address: berlin}), portal.ENOTFOUND)
		wantCode(t, s.SetDefaultAddress(ctx(), first.ID, bob.ID), portal.ENOTFOUND)
		wantCode(t, s.DeleteAddress(ctx(), first.ID, bob.ID), portal.ENOTFOUND)
		if as, _ := s.FindAddresses(ctx(), bob.ID); len(as) != 0 {
			t.Fatalf("bob sees %+v", as)
		}
		if got, _ := s.FindAddress(ctx(), first.ID, ada.ID); got.Line1 != "Invalidenstr. 7" {
			t.Fatalf("ada's address changed: %+v", got)
		}
	})

	t.Run("DefaultMovesOnDelete", func(t *testing.T) {
		if err := s.SetDefaultAddress(ctx(), first.ID, ada.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAddress(ctx(), first.ID, ada.ID); err != nil {
			t.Fatal(err)
		}
		as, _ := s.FindAddresses(ctx(), ada.ID)
		if len(as) != 1 || as[0].ID != second.ID || !as[0].Default {
			t.Fatalf("after deleting the default: %+v", as)
		}
		second.City = "Haarlem"
		second.Postcode = "2011 AA"
		if err := s.UpdateAddress(ctx(), second); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindAddress(ctx(), second.ID, ada.ID); got.City != "Haarlem" || !got.Default {
			t.Fatalf("after update: %+v", got)
		}
	})
}
