// Package openai adapts go-openai to bot.Completer, so the chat bot can use
// OpenAI or any server speaking the OpenAI chat-completions API.
package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/frontdesk/frontdesk/bot"
)

// DefaultModel is used when Config.Model is empty.
const DefaultModel = "gpt-4o-mini"

// Config configures a Completer. Zero values mean defaults.
type Config struct {
	APIKey string
	// BaseURL is the API's base, e.g. http://localhost:11434/v1; default
	// OpenAI's.
	BaseURL string
	// Model defaults to DefaultModel.
	Model string
	// NoStream asks for whole answers instead of streamed tokens, for
	// servers that do not stream.
	NoStream bool
	// MaxTokens bounds an answer; default 400.
	MaxTokens int
	// HTTPClient defaults to http.DefaultClient.
	HTTPClient *http.Client
}

// Completer is a bot.Completer on the chat-completions API.
type Completer struct {
	cfg    Config
	client *goopenai.Client
}

var _ bot.Completer = (*Completer)(nil)

// New returns a completer; an API key is required.
func New(cfg Config) (*Completer, error) {
	if cfg.APIKey == "" {
		return nil, errors.New("openai: api key is required")
	}
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.MaxTokens == 0 {
		cfg.MaxTokens = 400
	}
	cc := goopenai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		cc.BaseURL = cfg.BaseURL
	}
	if cfg.HTTPClient != nil {
		cc.HTTPClient = cfg.HTTPClient
	}
	return &Completer{cfg: cfg, client: goopenai.NewClientWithConfig(cc)}, nil
}

func (c *Completer) request(req bot.CompletionRequest) goopenai.ChatCompletionRequest {
	r := goopenai.ChatCompletionRequest{Model: c.cfg.Model, MaxTokens: c.cfg.MaxTokens, Temperature: 0.2}
	for _, m := range req.Messages {
		om := goopenai.ChatCompletionMessage{Role: m.Role, Content: m.Content, ToolCallID: m.ToolCallID}
		for _, tc := range m.ToolCalls {
			om.ToolCalls = append(om.ToolCalls, goopenai.ToolCall{ID: tc.ID, Type: goopenai.ToolTypeFunction,
				Function: goopenai.FunctionCall{Name: tc.Name, Arguments: tc.Arguments}})
		}
		r.Messages = append(r.Messages, om)
	}
	for _, t := range req.Tools {
		r.Tools = append(r.Tools, goopenai.Tool{Type: goopenai.ToolTypeFunction,
			Function: &goopenai.FunctionDefinition{Name: t.Name, Description: t.Description, Parameters: t.Parameters}})
	}
	return r
}

// Complete asks the model; with onDelta it streams.
func (c *Completer) Complete(ctx context.Context, req bot.CompletionRequest, onDelta func(string)) (bot.Completion, error) {
	r := c.request(req)
	if c.cfg.NoStream || onDelta == nil {
		res, err := c.client.CreateChatCompletion(ctx, r)
		if err != nil {
			return bot.Completion{}, fmt.Errorf("openai: complete: %w", err)
		}
		if len(res.Choices) == 0 {
			return bot.Completion{}, errors.New("openai: complete: no choices")
		}
		m := res.Choices[0].Message
		out := bot.Completion{Content: m.Content}
		for _, tc := range m.ToolCalls {
			out.ToolCalls = append(out.ToolCalls, bot.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
		}
		if onDelta != nil && out.Content != "" {
			onDelta(out.Content)
		}
		return out, nil
	}
	r.Stream = true
	stream, err := c.client.CreateChatCompletionStream(ctx, r)
	if err != nil {
		return bot.Completion{}, fmt.Errorf("openai: stream: %w", err)
	}
	defer stream.Close()
	var out bot.Completion
	var content []byte
	calls := map[int]*bot.ToolCall{}
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bot.Completion{}, fmt.Errorf("openai: stream: %w", err)
		}
		if len(chunk.Choices) == 0 {
			continue
		}
		d := chunk.Choices[0].Delta
		if d.Content != "" {
			content = append(content, d.Content...)
			onDelta(d.Content)
		}
		// Tool calls arrive in pieces keyed by index.
		for _, tc := range d.ToolCalls {
			i := 0
			if tc.Index != nil {
				i = *tc.Index
			}
			acc := calls[i]
			if acc == nil {
				acc = &bot.ToolCall{}
				calls[i] = acc
			}
			if tc.ID != "" {
				acc.ID = tc.ID
			}
			acc.Name += tc.Function.Name
			acc.Arguments += tc.Function.Arguments
		}
	}
	out.Content = string(content)
	idx := make([]int, 0, len(calls))
	for i := range calls {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		out.ToolCalls = append(out.ToolCalls, *calls[i])
	}
	return out, nil
}
