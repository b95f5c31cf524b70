package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// TestGracefulShutdownEndsStreams stops a server while a customer has a live
// shipment page open: the stream ends and the server stops at once instead
// of waiting out the shutdown timeout.
func TestGracefulShutdownEndsStreams(t *testing.T) {
	dir := t.TempDir()
	cfg := ConfigFromEnv(func(string) string { return "" })
	cfg.Addr, cfg.DataDir, cfg.Demo = "127.0.0.1:0", dir, "1"
	m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	base := m.URL()

	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	// Sign in as the demo customer.
	page, _ := hc.Get(base + "/login")
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	tok := benchCSRF.FindSubmatch(body)[1]
	res, err := hc.PostForm(base+"/login", url.Values{"_csrf": {string(tok)}, "email": {"customer@example.com"}, "password": {"demo"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	u, _ := m.Store.FindUserByEmail(ctx, "customer@example.com")
	ships, _, _ := m.Store.FindShipments(ctx, portal.ShipmentFilter{CustomerID: &u.ID, Limit: 1})
	stream, err := hc.Get(fmt.Sprintf("%s/account/shipments/%d/events", base, ships[0].ID))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	line, _ := bufio.NewReader(stream.Body).ReadString('\n')
	if !strings.HasPrefix(line, "retry:") {
		t.Fatalf("stream starts %q", line)
	}
	start := time.Now()
	cancel() // what SIGTERM does in main
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server still running 20s after shutdown began")
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("shutdown took %s", d)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("server still answers after shutdown")
	}
}
