package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// TestOpenAPIDocumentValidWithKin validates the served OpenAPI document
// with kin-openapi (an independent implementation of the specification),
// and checks the configurator API against it: a valid evaluate request
// is answered with a response the document describes, and requests the
// document forbids (wrong types) are refused with 400.
func TestOpenAPIDocumentValidWithKin(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		mustBike(t, s)
		guest := newClient(t, srv)
		res := guest.get("/api/v1/openapi.json")
		wantStatus(t, res, 200)
		ctx := context.Background()
		doc, err := openapi3.NewLoader().LoadFromData([]byte(res.body))
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		if err := doc.Validate(ctx); err != nil {
			t.Fatalf("the served document is not valid OpenAPI: %v", err)
		}
		doc.Servers = openapi3.Servers{{URL: "/"}}
		router, err := legacy.NewRouter(doc)
		if err != nil {
			t.Fatal(err)
		}
		guest.get("/configure/trail-bike")
		call := func(body string) (*http.Request, *response) {
			req := httptest.NewRequest("POST", "/api/v1/configurator/trail-bike/evaluate", bytes.NewReader([]byte(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", guest.csrf)
			return req, guest.do(req)
		}
		check := func(req *http.Request, body string, res *response) error {
			route, params, err := router.FindRoute(req)
			if err != nil {
				t.Fatalf("route: %v", err)
			}
			opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
			in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
			in.Request.Body = io.NopCloser(bytes.NewReader([]byte(body)))
			if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
				return err
			}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Options: opts}
			out.SetBodyBytes([]byte(res.body))
			if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
				t.Fatalf("the %d answer does not match the document: %v\n%.300s", res.StatusCode, err, res.body)
			}
			return nil
		}
		good := `{"version":1,"choices":[]}`
		req, r := call(good)
		wantStatus(t, r, 200)
		if err := check(req, good, r); err != nil {
			t.Fatalf("a valid request does not match the document: %v", err)
		}
		for _, bad := range []string{`{"version":"1","choices":[]}`, `{"version":1,"choices":"all"}`, `{"version":1,"choices":[{"option":7}]}`} {
			req, r := call(bad)
			if check(req, bad, r) == nil {
				t.Fatalf("%s: the document allows it; pick another case", bad)
			}
			if r.StatusCode != 400 {
				t.Errorf("%s: status %d, want 400 (the document forbids it)", bad, r.StatusCode)
			}
			var e struct{ Error struct{ Code string } }
			if json.Unmarshal([]byte(r.body), &e) != nil || e.Error.Code == "" {
				t.Errorf("%s: error is not JSON: %.200s", bad, r.body)
			}
		}
	})
}
