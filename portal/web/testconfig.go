package web

import (
	"context"
	"testing"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal/bus"
	"github.com/frontdesk/frontdesk/portal/casework"
	"github.com/frontdesk/frontdesk/portal/kb"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/frontdesk/frontdesk/search"
)

// TestConfig completes cfg (which names at least the Store) for a test:
// what it leaves nil gets an in-memory default, as cmd/frontdesk would
// build it: the chat engine's bus (or a new in-process one), a knowledge
// base on an in-memory index of the store's articles, the tracking
// ingester and guest look-up on the store, and an analysis refitting from
// the store. A missing Secret gets a fixed test secret. What it starts is
// stopped when the test ends.
func TestConfig(tb testing.TB, cfg Config) Config {
	tb.Helper()
	if cfg.Store == nil {
		tb.Fatal("web.TestConfig: the config names no store")
	}
	if cfg.Secret == nil {
		cfg.Secret = []byte("0123456789abcdef0123456789abcdef")
	}
	if cfg.Bus == nil {
		if cfg.Chat != nil {
			cfg.Bus = cfg.Chat.Bus()
		} else {
			cfg.Bus = bus.NewMemory()
		}
	}
	if cfg.KB == nil {
		ix, err := search.NewMemory(search.Config{})
		if err != nil {
			tb.Fatalf("web.TestConfig: search index: %v", err)
		}
		svc, err := kb.New(kb.Config{Store: cfg.Store, Index: ix, Logger: cfg.Logger})
		if err == nil {
			err = svc.Start(context.Background())
		}
		if err != nil {
			tb.Fatalf("web.TestConfig: knowledge base: %v", err)
		}
		cfg.KB = svc
	}
	if cfg.Tracking == nil {
		base := cfg.BaseURL
		if base == "" {
			base = "http://localhost:8080"
		}
		cfg.Tracking = &tracking.Ingester{Store: cfg.Store, Bus: cfg.Bus, BaseURL: base, Logger: cfg.Logger, Now: cfg.Now}
	}
	if cfg.TrackLookup == nil {
		cfg.TrackLookup = &tracking.Lookup{Store: cfg.Store, Now: cfg.Now}
	}
	if cfg.Analytics == nil {
		r := analytics.NewRefitter(analytics.RefitterConfig{Store: cfg.Store, Now: cfg.Now})
		tb.Cleanup(func() { r.Close() })
		cfg.Analytics = r
	}
	if cfg.Cases == nil {
		cfg.Cases = casework.New(casework.Config{Store: cfg.Store, BaseURL: cfg.BaseURL, Logger: cfg.Logger, Now: cfg.Now, Bus: cfg.Bus})
	}
	return cfg
}
