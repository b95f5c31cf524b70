package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestMetricsSurviveManyRequests: /metrics keeps answering, with the
// methods as they were, after requests of several methods on reused
// connections. Its labels once pointed into fasthttp's reused request
// buffers: a POST became "GETT" and /metrics failed with 500 after a
// benchmark's load.
func TestMetricsSurviveManyRequests(t *testing.T) {
	srv := MustStartServer(t, "sqlite")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(res *http.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	for i := 0; i < 50; i++ {
		do(c.PostForm(srv.URL+"/login", url.Values{"email": {"nobody@example.com"}, "password": {"wrong password"}}))
		do(c.Get(srv.URL + "/"))
		do(c.Head(srv.URL + "/help"))
	}
	res, err := c.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/metrics: status %d: %.500s", res.StatusCode, body)
	}
	for _, want := range []string{`method="POST"`, `method="GET",route="/"`, `method="HEAD",route="/help"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics has no %s", want)
		}
	}
	if strings.Contains(string(body), `method="GETT"`) || strings.Contains(string(body), `method="HEADT"`) {
		t.Errorf("/metrics has a garbled method:\n%s", body)
	}
}
