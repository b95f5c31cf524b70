package bot

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// The chat protocol's frames (docs/chat-protocol.md): JSON text frames,
// each with a "type".

// InFrame is any client frame; Type says which fields matter.
type InFrame struct {
	Type           string `json:"type"`
	ID             string `json:"id,omitempty"`
	ConversationID int64  `json:"conversation_id,omitempty"`
	LastSeq        int64  `json:"last_seq,omitempty"`
	Seq            int64  `json:"seq,omitempty"`
	Text           string `json:"text,omitempty"`
	Internal       bool   `json:"internal,omitempty"`
	Email          string `json:"email,omitempty"`
	Name           string `json:"name,omitempty"`
	Rating         int    `json:"rating,omitempty"`
	Comment        string `json:"comment,omitempty"`
	AgentID        int64  `json:"agent_id,omitempty"`
	Status         string `json:"status,omitempty"`
	// Helpful is a vote on a bot answer (Seq): true or false, required.
	Helpful *bool `json:"helpful,omitempty"`
}

// OutFrame is any server frame except messages, the queue and the
// web layer's own (the customer panel, staff alerts).
type OutFrame struct {
	Type           string `json:"type"`
	ID             string `json:"id,omitempty"`
	ConversationID int64  `json:"conversation_id,omitempty"`
	Seq            int64  `json:"seq,omitempty"`
	LastSeq        *int64 `json:"last_seq,omitempty"`
	State          string `json:"state,omitempty"`
	QueuePosition  int    `json:"queue_position,omitempty"`
	AgentID        int64  `json:"agent_id,omitempty"`
	AgentName      string `json:"agent_name,omitempty"`
	Author         string `json:"author,omitempty"`
	Stream         string `json:"stream,omitempty"`
	Text           string `json:"text,omitempty"`
	Code           string `json:"code,omitempty"`
	Message        string `json:"message,omitempty"`
	RetryAfterMS   int    `json:"retry_after_ms,omitempty"`
	Number         string `json:"number,omitempty"`
	Rating         int    `json:"rating,omitempty"`
	Staffed        *bool  `json:"staffed,omitempty"`
	Reason         string `json:"reason,omitempty"`
	Duplicate      bool   `json:"duplicate,omitempty"`
	// Helpful answers a vote on the answer Seq.
	Helpful *bool `json:"helpful,omitempty"`
	// Votes are the customer's votes on the conversation's answers, by
	// sequence number (sent after the catch-up on "hello").
	Votes map[int64]bool `json:"votes,omitempty"`
	// Comment is the comment of a rating ("rated").
	Comment string `json:"comment,omitempty"`
}

// MessageFrame is one stored message.
type MessageFrame struct {
	Type           string          `json:"type"`
	ConversationID int64           `json:"conversation_id"`
	Seq            int64           `json:"seq"`
	ID             string          `json:"id,omitempty"`
	Author         string          `json:"author"`
	Text           string          `json:"text"`
	Internal       bool            `json:"internal,omitempty"`
	Meta           json.RawMessage `json:"meta,omitempty"`
	At             time.Time       `json:"at"`
}

// NewMessageFrame returns the frame of a stored message.
func NewMessageFrame(m *portal.Message) MessageFrame {
	f := MessageFrame{Type: "message", ConversationID: m.ConversationID, Seq: m.Seq, ID: m.ClientID, Author: m.Author, Text: m.Body, Internal: m.Internal, At: m.CreatedAt}
	if m.Meta != "" && m.Meta != "{}" {
		f.Meta = json.RawMessage(m.Meta)
	}
	return f
}

// QueueFrame is an agent's view of the queue.
type QueueFrame struct {
	Type   string      `json:"type"`
	Queued []QueueItem `json:"queued"`
	Mine   []QueueItem `json:"mine"`
	// Others: the chats other agents hold (supervisors only).
	Others     []QueueItem `json:"others,omitempty"`
	Status     string      `json:"status"`
	Staffed    bool        `json:"staffed"`
	Reason     string      `json:"reason,omitempty"`
	Supervisor bool        `json:"supervisor,omitempty"`
	// Agents are the agents a chat can be transferred to now (available,
	// not oneself): sent with every queue, so that the console's transfer
	// list follows presence changes.
	Agents []AgentRef `json:"agents"`
}

// AgentRef names an agent.
type AgentRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// errUnknownType answers frames of a kind the endpoint does not know.
var errUnknownType = errors.New("unknown frame type")

// ErrorFrame is an error frame; id names the client frame it answers.
func ErrorFrame(code, msg, id string) OutFrame {
	return OutFrame{Type: "error", Code: code, Message: msg, ID: id}
}

// errorFrameFor is the error frame answering err: the domain error's code
// and message (only internal errors are logged, as "Internal error.").
func errorFrameFor(err error, id string) OutFrame {
	if errors.Is(err, errUnknownType) {
		return ErrorFrame("unknown_type", "Unknown frame type.", id)
	}
	return ErrorFrame(portal.ErrorCode(err), portal.ErrorMessage(err), id)
}
