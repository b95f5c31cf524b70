package web_test

import (
	"net/url"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/frontdesk/frontdesk/portal/web"
)

// TestRevocationReachesOtherNodes runs two servers on one store and bus, as
// two nodes would: a session cached on node B stops working as soon as it
// is signed out, or its password changed, on node A.
func TestRevocationReachesOtherNodes(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		b := bus.NewMemory()
		// Two nodes: two buses of one in-process medium.
		node := func(b portal.Bus) *web.Server {
			srv, err := web.New(web.TestConfig(t, web.Config{Store: s, Bus: b}))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			return srv
		}
		a, bNode := node(b), node(b.Peer())
		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		ca := newClient(t, a)
		ca.login("ada@example.com")
		cb := newClient(t, bNode)
		cb.cookies["fd_session"] = ca.cookies["fd_session"]
		wantStatus(t, cb.get("/account"), 200) // now cached on B
		ca.get("/account")
		wantStatus(t, ca.post("/logout", url.Values{}), 303)
		waitFor(t, func() bool { return cb.get("/account").StatusCode == 303 })

		// Disabling an account signs it out on every node.
		ca = newClient(t, a)
		ca.login("ada@example.com")
		cb.cookies = map[string]string{"fd_session": ca.cookies["fd_session"]}
		wantStatus(t, cb.get("/account"), 200)
		MustUser(t, s, portal.RoleAdmin, "admin@example.com")
		admin := newClient(t, a)
		admin.login("admin@example.com")
		admin.get("/admin/staff")
		if _, err := s.UpdateUser(ctx(), ada.ID, portal.UserUpdate{Role: ptrRole(portal.RoleAgent)}); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, admin.post("/admin/staff/"+itoa(ada.ID)+"/disable", url.Values{}), 303)
		waitFor(t, func() bool { return cb.get("/staff/customers").StatusCode == 303 })
	})
}
