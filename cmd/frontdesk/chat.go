package main

import (
	"context"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/bot/openai"
	"github.com/frontdesk/frontdesk/search"
)

// openChat builds the chat engine: the published articles in an in-memory
// search index for the bot's retrieval, the optional language model, and
// the in-process bus and hub.
func (m *Main) openChat(ctx context.Context) error {
	start := time.Now()
	ix, err := search.NewMemory(search.Config{})
	if err != nil {
		return fmt.Errorf("chat: index: %w", err)
	}
	kb, err := bot.LoadKnowledge(ctx, m.Store, ix)
	if err != nil {
		ix.Close()
		return err
	}
	m.chatIdx = ix
	cfg := bot.Config{Store: m.Store, Users: m.Store, Orders: m.Store, Knowledge: kb, Logger: m.Logger}
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
