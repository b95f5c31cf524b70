package main

import (
	"context"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/bot/openai"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/web"
)

// openChat builds the chat engine: the bot retrieves through the knowledge
// base's index (the same retrieval as FAQ search) and reads article details
// from the store, so edits count at once; plus the optional language model,
// and the bus and hub.
func (m *Main) openChat(ctx context.Context) error {
	start := time.Now()
	kb := bot.NewStoreKnowledge(m.KB, m.Store)
	cfg := bot.Config{Store: m.Store, Users: m.Store, Orders: m.Store, Knowledge: kb, Logger: m.Logger,
		ArticleURL: func(a *portal.Article) string { return web.ArticleURL(a) }}
	if c, err := m.completer(); err != nil {
		return err
	} else if c != nil {
		cfg.Completer = c
	}
	m.Chat = bot.New(cfg)
	m.ChatHub = bot.NewHub(m.Chat.Bus())
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
