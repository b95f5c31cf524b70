package web

import (
	"context"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

const perPage = 25

func (s *Server) handleStaffCustomerList(c *fiber.Ctx) error {
	q := strings.TrimSpace(c.Query("q"))
	q = portal.Truncate(q, 200)
	page := pageParam(c)
	users, total, err := s.store.FindUsers(c.UserContext(), portal.UserFilter{Roles: []portal.Role{portal.RoleCustomer}, Query: q, Limit: perPage, Offset: (page - 1) * perPage})
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "staff_customers", "Customers", fiber.Map{"Users": users, "Query": q, "Pager": newPager(c, page, perPage, total)})
}

func (s *Server) handleStaffCustomerView(c *fiber.Ctx) error {
	id, err := c.ParamsInt("id")
	if err != nil {
		return portal.Errorf(portal.ENOTFOUND, "Customer not found.")
	}
	ctx := c.UserContext()
	u, err := s.store.FindUserByID(ctx, int64(id))
	if err != nil {
		return err
	}
	if u.Role != portal.RoleCustomer {
		return portal.Errorf(portal.ENOTFOUND, "Customer not found.")
	}
	orders, _, err := s.store.FindOrders(ctx, portal.OrderFilter{CustomerID: &u.ID, Limit: 50})
	if err != nil {
		return err
	}
	returns, _, err := s.store.FindReturns(ctx, portal.ReturnFilter{CustomerID: &u.ID, Limit: 20})
	if err != nil {
		return err
	}
	// The parcels: the console's customer panel links each to its row.
	shipments, _, err := s.store.FindShipments(ctx, portal.ShipmentFilter{CustomerID: &u.ID, Limit: 50})
	if err != nil {
		return err
	}
	if err := s.nameShipmentOrders(ctx, orders, shipments); err != nil {
		return err
	}
	data := fiber.Map{"Customer": u, "Orders": orders, "Returns": returns, "Shipments": shipments}
	// The customer's segment and value from the latest analysis, for the
	// agent talking to them.
	if rep := s.analytics.Status().Report; rep != nil {
		if sc, ok := rep.Customer(u.ID); ok {
			cur := "EUR"
			if len(orders) > 0 {
				cur = orders[0].Currency
			}
			data["Score"] = scoreRow(sc, cur)
		}
	}
	return s.render(c, fiber.StatusOK, "staff_customer", u.Email, data)
}

func (s *Server) handleAPIMe(c *fiber.Ctx) error {
	u := currentUser(c)
	return c.JSON(fiber.Map{"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role, "time_zone": u.TimeZone})
}

// nameShipmentOrders fills in the order number of each shipment (the
// store gives it the order's id): from the orders already read, else from
// the store.
func (s *Server) nameShipmentOrders(ctx context.Context, orders []*portal.Order, shipments []*portal.Shipment) error {
	numbers := make(map[int64]string, len(orders))
	for _, o := range orders {
		numbers[o.ID] = o.Number
	}
	for _, sh := range shipments {
		if sh.OrderNumber != "" || sh.OrderID == 0 {
			continue
		}
		n, ok := numbers[sh.OrderID]
		if !ok {
			os, _, err := s.store.FindOrders(ctx, portal.OrderFilter{ID: &sh.OrderID, CustomerID: &sh.CustomerID, Limit: 1})
			if err != nil {
				return err
			}
			if len(os) == 1 {
				n = os[0].Number
			}
			numbers[sh.OrderID] = n
		}
		sh.OrderNumber = n
	}
	return nil
}
