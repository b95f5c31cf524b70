package bot

import (
	"context"
	"encoding/json"
)

// Completer is a chat-completion model (bot/openai adapts go-openai to it).
// The bot works without one, answering with article summaries.
type Completer interface {
	// Complete sends the conversation and returns the model's reply. Text
	// arrives in pieces through onDelta as the model produces it (onDelta
	// may be nil). A reply may ask for tool calls instead of text.
	Complete(ctx context.Context, req CompletionRequest, onDelta func(string)) (Completion, error)
}

// CompletionRequest is one call to the model.
type CompletionRequest struct {
	Messages []ChatMessage
	Tools    []Tool
}

// Roles of chat messages sent to a model.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// ChatMessage is one message of a model conversation.
type ChatMessage struct {
	Role       string
	Content    string
	ToolCalls  []ToolCall // assistant messages asking for tools
	ToolCallID string     // tool messages answering a call
}

// ToolCall is the model asking to run a tool with JSON arguments.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	// Parameters is a JSON Schema object.
	Parameters json.RawMessage
}

// Completion is the model's reply.
type Completion struct {
	Content   string
	ToolCalls []ToolCall
}
