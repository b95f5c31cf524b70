package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// TestCaseSegmentTargets sets targets for a customer segment in the
// admin form: an open case of a customer in that segment takes them at
// once (not at its next change), and shows them on its page.
func TestCaseSegmentTargets(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		MustUser(t, s, portal.RoleAgent, "agent@example.com")
		MustUser(t, s, portal.RoleAdmin, "admin@example.com")
		if _, err := s.SaveCustomerSegments(ctx(), map[int64]string{ada.ID: "Champions"}); err != nil {
			t.Fatal(err)
		}
		cs := &portal.Case{CustomerID: &ada.ID, Email: ada.Email, Body: "Where is my sofa?"}
		if err := s.CreateCase(ctx(), cs, nil, nil); err != nil {
			t.Fatal(err)
		}
		before := *cs.FirstResponseDue

		admin := newClient(t, srv)
		admin.login("admin@example.com")
		page := admin.get("/admin/cases")
		wantStatus(t, page, 200)
		wantBody(t, page, "No segment has its own targets.")
		// Bad input is a clear error, never a 500.
		res := admin.post("/admin/cases/policies", url.Values{"priority": {"normal"}, "segment": {"Royalty"}, "calendar": {"1"}, "first_response": {"30"}})
		wantStatus(t, res, 303)
		wantBody(t, admin.get("/admin/cases"), "Choose a customer segment from the list.")
		res = admin.post("/admin/cases/policies", url.Values{"priority": {"normal"}, "segment": {"Champions"}, "calendar": {"1"}, "first_response": {"-5"}})
		wantStatus(t, res, 303)
		wantBody(t, admin.get("/admin/cases"), "Give targets in whole minutes")

		res = admin.post("/admin/cases/policies", url.Values{"priority": {"normal"}, "segment": {"Champions"}, "calendar": {"1"}, "first_response": {"30"}, "next_response": {"60"}, "resolution": {"240"}})
		wantStatus(t, res, 303)
		page = admin.get("/admin/cases")
		wantBody(t, page, "Targets for Normal (Champions) saved. Open cases&#39; due times are up to date.")
		wantBody(t, page, "Champions, Normal priority")
		got, err := s.FindCase(ctx(), cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.FirstResponseDue == nil || !got.FirstResponseDue.Before(before) {
			t.Fatalf("first response due %v, want earlier than %v (30 business minutes, not 8 hours)", got.FirstResponseDue, before)
		}

		agent := newClient(t, srv)
		agent.login("agent@example.com")
		page = agent.get("/agent/cases/" + itoa(cs.ID))
		wantStatus(t, page, 200)
		wantBody(t, page, "first response 30 min · next response 1 h · resolution 4 h · customer segment Champions (its own targets)")

		// Removing them brings the defaults back.
		wantStatus(t, admin.post("/admin/cases/policies/delete", url.Values{"priority": {"high"}, "segment": {"Nobody"}}), 303)
		wantBody(t, admin.get("/admin/cases"), "Choose a segment&#39;s targets to remove.")
		wantStatus(t, admin.post("/admin/cases/policies/delete", url.Values{"priority": {"normal"}, "segment": {"Champions"}}), 303)
		got, _ = s.FindCase(ctx(), cs.ID)
		if got.FirstResponseDue == nil || !got.FirstResponseDue.Equal(before) {
			t.Fatalf("first response due %v after removing the segment's targets, want %v", got.FirstResponseDue, before)
		}
		page = agent.get("/agent/cases/" + itoa(cs.ID))
		if strings.Contains(page.body, "its own targets") {
			t.Fatal("the case still shows the segment's targets")
		}
	})
}
