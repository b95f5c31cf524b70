package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// TestCustomerCaseList: a customer's cases are listed in their account,
// newest first, with a status in words and, for open ones, when we answer
// by; another customer's case never is; the list pages, and an empty list
// points to "Contact us".
func TestCustomerCaseList(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		ada := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		bob := MustUser(t, s, portal.RoleCustomer, "bob@example.com")
		MustUser(t, s, portal.RoleCustomer, "cy@example.com")

		cust := newClient(t, srv)
		cust.login(ada.Email)
		cust.get("/contact")
		wantStatus(t, cust.post("/contact", url.Values{"topic": {"delivery"}, "body": {"Where is my sofa?"}}), 303)
		wantStatus(t, cust.post("/contact", url.Values{"topic": {"invoice"}, "body": {"Wrong VAT."}}), 303)
		other := newClient(t, srv)
		other.login(bob.Email)
		other.get("/contact")
		wantStatus(t, other.post("/contact", url.Values{"topic": {"return"}, "body": {"Bob's return."}}), 303)
		bobCases, _, err := s.FindCases(ctx(), portal.CaseFilter{CustomerID: &bob.ID})
		if err != nil || len(bobCases) != 1 {
			t.Fatalf("bob's cases %v %v", bobCases, err)
		}

		page := cust.get("/account/cases")
		wantStatus(t, page, 200)
		wantBody(t, page, `href="/account/cases"`) // in the navigation
		wantBody(t, page, "A delivery")
		wantBody(t, page, "Received")
		wantBody(t, page, "We will answer by ")
		if strings.Index(page.body, "An invoice or payment") > strings.Index(page.body, "A delivery") {
			t.Fatalf("not newest first: %s", page.body)
		}
		if strings.Contains(page.body, "A return or refund") || strings.Contains(page.body, "/account/cases/"+itoa(bobCases[0].ID)+`"`) {
			t.Fatalf("another customer's case listed: %s", page.body)
		}

		// A case waiting on the customer says so and promises nothing.
		adaCases, _, _ := s.FindCases(ctx(), portal.CaseFilter{CustomerID: &ada.ID})
		pending := portal.CasePending
		if _, err := s.UpdateCase(ctx(), adaCases[0].ID, portal.CaseUpdate{Status: &pending}, nil, nil); err != nil {
			t.Fatal(err)
		}
		page = cust.get("/account/cases")
		wantBody(t, page, "Waiting for your answer")
		if n := strings.Count(page.body, "We will answer by "); n != 1 {
			t.Fatalf("%d answer-by lines, want 1 (the pending case has none): %s", n, page.body)
		}

		// Bob sees only his.
		page = other.get("/account/cases")
		wantBody(t, page, "A return or refund")
		if strings.Contains(page.body, "A delivery") {
			t.Fatalf("bob sees ada's case: %s", page.body)
		}

		// Pages of 20.
		for i := 0; i < 20; i++ {
			c := &portal.Case{Channel: portal.ChannelAPI, Subject: "Bulk " + itoa(int64(i)), Body: "x", CustomerID: &ada.ID, Email: ada.Email}
			if err := s.CreateCase(ctx(), c, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		page = cust.get("/account/cases")
		wantBody(t, page, "Bulk 19")
		wantBody(t, page, "page=2")
		page = cust.get("/account/cases?page=2")
		wantBody(t, page, "A delivery")
		if strings.Contains(page.body, "Bulk 19") {
			t.Fatalf("page 2 repeats page 1: %s", page.body)
		}

		wantBody(t, cust.get("/account"), `<a href="/account/cases">Your cases →</a>`)

		// Nothing yet: a way to write to us.
		empty := newClient(t, srv)
		empty.login("cy@example.com")
		page = empty.get("/account/cases")
		wantStatus(t, page, 200)
		wantBody(t, page, "You have no cases yet")
		wantBody(t, page, `<a href="/contact">Contact us</a> and we will answer`)

		// Staff and guests do not have a customer's list.
		wantStatus(t, newClient(t, srv).get("/account/cases"), 303)
	})
}
