package storetest

import (
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// testManagerRole checks the schema accepts the manager role (migration
// 007 widens the role constraint on both stores).
func testManagerRole(t *testing.T, open Opener) {
	s := open(t, newClock().Now)
	m := MustCreateUser(t, s, portal.RoleManager, "manager@example.com")
	got, total, err := s.FindUsers(ctx(), portal.UserFilter{Roles: []portal.Role{portal.RoleManager}})
	if err != nil || total != 1 || got[0].ID != m.ID || got[0].Role != portal.RoleManager {
		t.Fatalf("managers = %+v, total %d, err %v", got, total, err)
	}
	a := MustCreateUser(t, s, portal.RoleAgent, "agent@example.com")
	role := portal.RoleManager
	u, err := s.UpdateUser(ctx(), a.ID, portal.UserUpdate{Role: &role})
	if err != nil || u.Role != portal.RoleManager {
		t.Fatalf("promote to manager: %+v, %v", u, err)
	}
}
