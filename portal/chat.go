package portal

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ConversationState is where a chat is: with the bot, waiting in the queue
// for a person, owned by an agent, or closed.
type ConversationState string

// The conversation states.
const (
	ConvBot    ConversationState = "bot"
	ConvQueued ConversationState = "queued"
	ConvAgent  ConversationState = "agent"
	ConvClosed ConversationState = "closed"
)

// Valid reports whether s is a known state.
func (s ConversationState) Valid() bool {
	switch s {
	case ConvBot, ConvQueued, ConvAgent, ConvClosed:
		return true
	}
	return false
}

// Conversation is one chat between a customer (or guest visitor) and the
// bot and agents.
type Conversation struct {
	ID int64
	// VisitorID identifies a guest's browser (a signed cookie); for
	// signed-in customers it is the visitor id they chatted from.
	VisitorID  string
	CustomerID *int64
	State      ConversationState
	AgentID    *int64
	// BotFailures counts the bot's unanswered questions in a row.
	BotFailures int
	// LastSeq is the sequence number of the newest message.
	LastSeq int64
	// Subject is the customer's first message, shown in the queue.
	Subject string
	// Locale is the knowledge base the chat is asked in (the bot answers
	// from it); empty means "en" when stored.
	Locale   string
	QueuedAt *time.Time
	ClosedAt *time.Time
	// CustomerSeenAt is when a socket of the customer's last watched the
	// conversation while it was queued (on any node).
	CustomerSeenAt *time.Time
	Rating         *int
	RatingComment  string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Message authors.
const (
	AuthorCustomer = "customer"
	AuthorBot      = "bot"
	AuthorAgent    = "agent"
	AuthorSystem   = "system"
)

// MaxMessageLen is the longest message body accepted, in bytes.
const MaxMessageLen = 4000

// Message is one stored chat message. Seq numbers a conversation's messages
// 1, 2, 3, ... without gaps, in the order they were stored.
type Message struct {
	ID             int64
	ConversationID int64
	Seq            int64
	// ClientID is the sender's id for the message: the same client id in
	// one conversation is stored once, so retries never duplicate.
	ClientID string
	Author   string
	AuthorID *int64
	Body     string
	// Internal marks an agents' note the customer never sees.
	Internal bool
	// Meta is a JSON object with extras: article links, offers of a person.
	Meta      string
	CreatedAt time.Time
}

// Validate checks a message before it is stored.
func (m *Message) Validate() error {
	m.Body = strings.TrimSpace(m.Body)
	switch m.Author {
	case AuthorCustomer, AuthorBot, AuthorAgent, AuthorSystem:
	default:
		return FieldError("author", "Unknown author.")
	}
	if m.Body == "" {
		return FieldError("body", "Message is empty.")
	}
	if len(m.Body) > MaxMessageLen {
		return Errorf(ETOOLARGE, "Message is too long (%d characters at most).", MaxMessageLen)
	}
	if len(m.ClientID) > 64 {
		return FieldError("client_id", "Client id is too long.")
	}
	if m.Meta == "" {
		m.Meta = "{}"
	}
	return nil
}

// ConversationFilter selects conversations, newest first (queued ones by
// time queued, oldest first, when States is exactly [ConvQueued]).
type ConversationFilter struct {
	ID         *int64
	VisitorID  *string
	CustomerID *int64
	AgentID    *int64
	// GuestOnly selects conversations of no customer account: a guest
	// sees only those, never a customer's who used the same browser.
	GuestOnly bool
	// Staff history search: Text in any message (internal notes too),
	// Customer in the customer's name or email, OrderNumber one of the
	// customer's orders or mentioned in a message, created in [From, To),
	// Rating exactly (Rated: any rating).
	Text        string
	Customer    string
	OrderNumber string
	From, To    *time.Time
	Rating      *int
	Rated       bool
	// Voted selects by the customer's votes on the bot's answers.
	Voted  VoteFilter
	States []ConversationState
	Offset int
	Limit  int
	// NoTotal skips counting every match (a second query) for callers
	// that only want the page: the total returned is then -1.
	NoTotal bool
}

// ConversationUpdate changes a conversation if it is still as the caller
// expects; otherwise the update is ECONFLICT and nothing changes. That is
// how two agents claiming one chat at once end with exactly one owner.
type ConversationUpdate struct {
	// From lists the states the conversation must be in; empty means any.
	From []ConversationState
	// IfAgentID requires this agent to own the conversation.
	IfAgentID *int64
	State     *ConversationState
	// AgentID sets the owner; a pointer to 0 clears it.
	AgentID *int64
	// QueuedAt, with State queued, sets the place in the queue (default
	// now: the back); a chat given back keeps an earlier one.
	QueuedAt      *time.Time
	BotFailures   *int
	Rating        *int
	RatingComment *string
	CustomerID    *int64
}

// AgentStatus is whether an agent takes chats.
type AgentStatus string

// Agent statuses.
const (
	AgentAvailable AgentStatus = "available"
	AgentAway      AgentStatus = "away"
)

// AgentPresence is an agent's chosen status (kept across reloads and
// tabs) and when a socket of theirs was last seen on any node.
type AgentPresence struct {
	AgentID   int64
	Status    AgentStatus
	UpdatedAt time.Time
	// SeenAt is the last heartbeat of any of the agent's sockets.
	SeenAt time.Time
}

// ChatSettings are the admin's chat settings.
type ChatSettings struct {
	// AlwaysOpen ignores the hours below.
	AlwaysOpen bool `json:"always_open"`
	// TimeZone is an IANA name; the hours are local to it.
	TimeZone string `json:"time_zone"`
	// OpenHour and CloseHour bound the day, 0-24 (close exclusive).
	OpenHour  int `json:"open_hour"`
	CloseHour int `json:"close_hour"`
	// Days lists the open weekdays, 0 = Sunday.
	Days []int `json:"days"`
	// Canned are the agents' quick replies, managed by admins; nil
	// means the defaults (DefaultCanned), empty means none.
	Canned []CannedResponse `json:"canned"`
}

// CannedResponse is a quick reply: the agent types "/" and the shortcut.
// Text may hold placeholders the console fills in:
// {{customer.first_name}}, {{customer.name}}, {{order.number}} (the
// latest order) and {{agent.name}}.
type CannedResponse struct {
	Shortcut string `json:"shortcut"`
	Text     string `json:"text"`
}

// DefaultCanned are the quick replies until an admin sets their own.
var DefaultCanned = []CannedResponse{
	{"wait", "Thanks for waiting, {{customer.first_name}}. Let me look into that for you."},
	{"order", "Could you tell me your order number, please?"},
	{"status", "I am checking order {{order.number}} for you now."},
	{"passed", "I have passed this on to our team; you will hear from us by email."},
	{"else", "Is there anything else I can help you with?"},
}

// CannedOrDefault returns the quick replies in force.
func (s ChatSettings) CannedOrDefault() []CannedResponse {
	if s.Canned == nil {
		return DefaultCanned
	}
	return s.Canned
}

// DefaultChatSettings is open around the clock.
func DefaultChatSettings() ChatSettings {
	return ChatSettings{AlwaysOpen: true, TimeZone: "UTC", OpenHour: 9, CloseHour: 17, Days: []int{1, 2, 3, 4, 5}}
}

// Validate checks settings before they are stored.
func (s *ChatSettings) Validate() error {
	if s.TimeZone == "" {
		s.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return FieldError("time_zone", "Unknown time zone.")
	}
	if s.OpenHour < 0 || s.OpenHour > 23 || s.CloseHour < 1 || s.CloseHour > 24 || s.CloseHour <= s.OpenHour {
		return FieldError("hours", "Opening hours must be 0-24 with opening before closing.")
	}
	for _, d := range s.Days {
		if d < 0 || d > 6 {
			return FieldError("days", "Unknown weekday.")
		}
	}
	if len(s.Canned) > 100 {
		return FieldError("canned", "Keep it to 100 quick replies.")
	}
	seen := map[string]bool{}
	for i := range s.Canned {
		r := &s.Canned[i]
		r.Shortcut, r.Text = strings.ToLower(strings.TrimSpace(r.Shortcut)), strings.TrimSpace(r.Text)
		if !validShortcut(r.Shortcut) {
			return FieldError("canned", fmt.Sprintf("Shortcut %q: use 1 to 20 letters, digits or hyphens.", r.Shortcut))
		}
		if seen[r.Shortcut] {
			return FieldError("canned", fmt.Sprintf("Shortcut %q is used twice.", r.Shortcut))
		}
		seen[r.Shortcut] = true
		if r.Text == "" || len(r.Text) > 2000 {
			return FieldError("canned", fmt.Sprintf("The reply for %q must have 1 to 2000 characters.", r.Shortcut))
		}
	}
	return nil
}

func validShortcut(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Open reports whether chat is staffed at t by the business hours.
func (s ChatSettings) Open(t time.Time) bool {
	if s.AlwaysOpen {
		return true
	}
	return s.OpenIn(t, s.Location())
}

// Location is the time zone the hours are local to (UTC when the name is
// unknown). Loading it reads the zone database: callers that ask often
// keep it.
func (s ChatSettings) Location() *time.Location {
	z, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return z
}

// OpenIn is Open with the settings' Location already loaded.
func (s ChatSettings) OpenIn(t time.Time, z *time.Location) bool {
	if s.AlwaysOpen {
		return true
	}
	lt := t.In(z)
	for _, d := range s.Days {
		if int(lt.Weekday()) == d {
			return lt.Hour() >= s.OpenHour && lt.Hour() < s.CloseHour
		}
	}
	return false
}

// AgentRating is the customers' satisfaction with one agent's chats.
type AgentRating struct {
	AgentID int64
	Rated   int
	Sum     int
}

// Average is the mean rating, 0 with none.
func (r AgentRating) Average() float64 {
	if r.Rated == 0 {
		return 0
	}
	return float64(r.Sum) / float64(r.Rated)
}

// Exchange is a customer's question and the bot's answer to it, stored
// together by AppendExchange when the bot could answer at once (from the
// knowledge base alone), so that the question costs one commit, not two.
// The question is still stored before it is acknowledged: the caller
// acknowledges it once AppendExchange returns.
type Exchange struct {
	// Question is the customer's message; Answer the bot's. Both get
	// their sequence numbers and ids when stored.
	Question, Answer *Message
	// WasFailures is the count of unanswered questions in a row the bot
	// saw (Conversation.BotFailures); the exchange is stored only if the
	// conversation still has it, is still in state bot and belongs to
	// the asker: CustomerID's when set, otherwise a guest conversation of
	// VisitorID.
	WasFailures int
	CustomerID  *int64
	VisitorID   string
	// BotFailures is the conversation's new count, stored with them.
	BotFailures int
}

// ChatService stores conversations, messages, the queue, agent presence,
// cases and chat settings.
type ChatService interface {
	// CreateConversation stores c in state bot (unless set) with no messages.
	CreateConversation(ctx context.Context, c *Conversation) error
	FindConversation(ctx context.Context, id int64) (*Conversation, error)
	FindConversations(ctx context.Context, f ConversationFilter) ([]*Conversation, int, error)
	// UpdateConversation applies upd if its conditions hold (ECONFLICT
	// otherwise) and returns the conversation as it now is.
	UpdateConversation(ctx context.Context, id int64, upd ConversationUpdate) (*Conversation, error)
	// AppendMessage stores m with the conversation's next sequence number.
	// A message whose client id the conversation already has is not stored
	// again: m is filled from the stored one and AppendMessage reports
	// false. With ifState, the conversation must be in one of those states
	// (ECONFLICT otherwise), checked in the same transaction.
	AppendMessage(ctx context.Context, m *Message, ifState ...ConversationState) (bool, error)
	// AppendBotAnswer is AppendMessage of the bot's answer while the
	// conversation is in state bot, setting its count of unanswered
	// questions in a row (Conversation.BotFailures) in the same statement:
	// the count and the answer are stored together or not at all, with
	// one commit.
	AppendBotAnswer(ctx context.Context, m *Message, botFailures int) (bool, error)
	// AppendExchange stores a customer's question and the bot's answer to
	// it together, numbered one after the other in one transaction (one
	// commit), if the conversation is still as the bot saw it when it
	// answered (see Exchange). It reports false, storing nothing, when it
	// is not, or when the question's client id is stored already: the
	// caller then stores the question on its own (AppendMessage), which
	// also acknowledges a retry without a second copy.
	AppendExchange(ctx context.Context, x *Exchange) (bool, error)
	// FindMessages returns up to limit messages with Seq > afterSeq in order;
	// internal notes only when internal is true.
	FindMessages(ctx context.Context, conversationID, afterSeq int64, internal bool, limit int) ([]*Message, error)

	// SetAgentPresence records an agent's status at now (also a heartbeat).
	SetAgentPresence(ctx context.Context, agentID int64, status AgentStatus, now time.Time) error
	// TouchAgents records a heartbeat at now for each agent (one with no
	// record yet starts away).
	TouchAgents(ctx context.Context, agentIDs []int64, now time.Time) error
	// FindAgentPresence lists presence records seen at or after since
	// (every record for the zero time).
	FindAgentPresence(ctx context.Context, since time.Time) ([]*AgentPresence, error)
	// AgentRatings sums the ratings of the chats each agent held last.
	AgentRatings(ctx context.Context) ([]AgentRating, error)
	// TouchConversations records that the customers of these queued
	// conversations are still connected, at now.
	TouchConversations(ctx context.Context, ids []int64, now time.Time) error

	ChatSettings(ctx context.Context) (ChatSettings, error)
	SaveChatSettings(ctx context.Context, s ChatSettings) error

	// VoteAnswer records a vote on a bot's answer: one per answer, a
	// later vote replaces it (Changed tells whether it did anything).
	// A message that is not the bot's is ENOTFOUND.
	VoteAnswer(ctx context.Context, v *AnswerVote) error
	// AnswerVotes returns the votes on a conversation's answers, by
	// sequence number (true: helpful).
	AnswerVotes(ctx context.Context, conversationID int64) (map[int64]bool, error)
	// CountAnswerVotes counts the votes on the answers of each of these
	// conversations (those with none are left out); no ids counts every
	// conversation's, under id 0.
	CountAnswerVotes(ctx context.Context, conversationIDs []int64) (map[int64]AnswerVoteCount, error)
}

// AnswerVoteCount sums the votes on bot answers.
type AnswerVoteCount struct {
	Helpful, NotHelpful int
}

// Total is the number of answers voted on.
func (c AnswerVoteCount) Total() int { return c.Helpful + c.NotHelpful }

// HelpfulPercent is the share of votes that said helpful, in whole
// percent (rounded), 0 with none.
func (c AnswerVoteCount) HelpfulPercent() int {
	if c.Total() == 0 {
		return 0
	}
	return (200*c.Helpful + c.Total()) / (2 * c.Total())
}

// VoteFilter selects conversations by the votes on their bot answers.
type VoteFilter string

// Vote filters: any vote, some answer voted helpful, some answer voted
// not helpful.
const (
	VotedAny        VoteFilter = "any"
	VotedHelpful    VoteFilter = "helpful"
	VotedNotHelpful VoteFilter = "not_helpful"
)

// Valid reports whether f is a known filter ("" is none).
func (f VoteFilter) Valid() bool {
	switch f {
	case "", VotedAny, VotedHelpful, VotedNotHelpful:
		return true
	}
	return false
}

// AnswerVote is a customer's "Helpful? Yes / No" on one bot answer of
// their chat.
type AnswerVote struct {
	ConversationID int64
	Seq            int64
	Helpful        bool
	// Changed is set by VoteAnswer: the vote is new or differs from the
	// one it replaced.
	Changed bool
}
