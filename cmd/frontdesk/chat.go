package main

import (
	"context"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/bot/openai"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/tracking"
	"github.com/frontdesk/frontdesk/portal/web"
)

// openChat builds the chat engine: the bot retrieves through the knowledge
// base's index (the same retrieval as FAQ search) and reads article details
// from the store, so edits count at once; plus the optional language model,
// and the bus and hub.
func (m *Main) openChat(ctx context.Context, secret []byte) error {
	start := time.Now()
	kb := bot.NewStoreKnowledge(m.KB, m.Store)
	// Guests' order questions in chat are checked like /track, against
	// the same per-IP limit.
	m.trackLookup = &tracking.Lookup{Store: m.Store}
	cfg := bot.Config{Store: m.Store, Users: m.Store, Orders: m.Store, GuestOrders: m.trackLookup, Gaps: m.Store, Knowledge: kb, Logger: m.Logger,
		ArticleURL: func(a *portal.Article) string { return web.ArticleURL(a) },
		// Guests get the same signed parcel links as on /track.
		ParcelLink: func(id int64) string { return tracking.LinkPath(secret, id, time.Now().Add(tracking.LinkTTL)) },
		// Leave-a-message cases get the SLA-based acknowledgement and alert staff.
		OpenCase: func(ctx context.Context, c *portal.Case, verified bool) error {
			return m.Cases.Open(ctx, c, nil, verified)
		}}
	grace, err := m.Config.agentGrace()
	if err != nil {
		return err
	}
	cfg.AgentGrace = grace
	if c, err := m.completer(); err != nil {
		return err
	} else if c != nil {
		cfg.Completer = c
	}
	// Chat events travel on the node's one bus: with PostgreSQL, to every
	// node. Should the bus be cut off longer than it catches up on,
	// sockets re-read from the store.
	cfg.Bus = m.Bus
	m.Chat = bot.New(cfg)
	m.ChatHub = bot.NewHub(m.Bus)
	if g, ok := m.Bus.(interface{ OnGap(func()) }); ok {
		g.OnGap(m.ChatHub.Resync)
	}
	m.Logger.Info("chat ready", "llm", cfg.Completer != nil, "ms", time.Since(start).Milliseconds())
	return nil
}

// completer returns the configured language model, or nil without
// FRONTDESK_OPENAI_API_KEY.
func (m *Main) completer() (bot.Completer, error) {
	if m.Config.OpenAIKey == "" {
		return nil, nil
	}
	c, err := openai.New(openai.Config{APIKey: m.Config.OpenAIKey, BaseURL: m.Config.OpenAIBaseURL, Model: m.Config.OpenAIModel})
	if err != nil {
		return nil, fmt.Errorf("chat: %w", err)
	}
	return c, nil
}
