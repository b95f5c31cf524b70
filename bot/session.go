package bot

import (
	"sync"

	"github.com/frontdesk/frontdesk/portal"
)

// Session is the chat engine's side of one socket: who is on it (an agent,
// or a customer or guest), which conversations it follows and the last
// message sent of each, and so what it may see. The transport moves
// frames; what reaches a socket is decided here, in one place:
//
//   - internal notes reach agents only (Sees, Internal);
//   - queue and presence changes reach agents only, as a queue refresh;
//   - a conversation's messages, typing, read marks, partial answers,
//     votes on answers and state reach only sockets that follow it;
//   - an assignment reaches the agent it names; a new conversation of the
//     same customer reaches that customer's other sockets, which follow it.
//
// A customer's session follows one conversation at a time; an agent's
// follows every chat they open or own.
type Session struct {
	// proto and conn: the node's protocol and the socket (nil on a
	// session made with NewSession, which only decides visibility).
	proto *Protocol
	conn  Conn
	// part is a customer's side; user the agent on agents' sessions.
	part  Participant
	user  *portal.User
	agent int64 // 0 on customer sessions
	mu    sync.Mutex
	// A customer's session: the conversation followed (0 if none) and
	// the last sequence sent of it. Fields, not a map: tens of thousands
	// of idle customer sockets each hold a session.
	current, currentLast int64
	// An agent's session: the last sequence sent, per conversation
	// followed.
	last map[int64]int64
}

// NewSession returns the visibility rules of a customer's or guest's
// socket (agentID 0) or of an agent's. Sockets get theirs from
// Protocol.CustomerSession and Protocol.AgentSession.
func NewSession(agentID int64) *Session {
	s := &Session{agent: agentID}
	if agentID != 0 {
		s.last = map[int64]int64{}
	}
	return s
}

// lastLocked returns the last sequence sent of conv and whether conv is
// followed. s.mu is held.
func (s *Session) lastLocked(conv int64) (int64, bool) {
	if !s.Agent() {
		return s.currentLast, conv != 0 && conv == s.current
	}
	seq, ok := s.last[conv]
	return seq, ok
}

// Agent reports whether the session is an agent's.
func (s *Session) Agent() bool { return s.agent != 0 }

// Internal reports whether internal notes may be sent on this session.
func (s *Session) Internal() bool { return s.Agent() }

// Visibility says what a session does with an event.
type Visibility int

const (
	// Hidden: nothing is sent.
	Hidden Visibility = iota
	// Visible: the event becomes frames on this socket.
	Visible
	// QueueRefresh: the agent's queue is sent again instead.
	QueueRefresh
)

// Sees decides what the session does with an event.
func (s *Session) Sees(e Event) Visibility {
	switch e.Kind {
	case EventQueue, EventPresence, EventSettings:
		if s.Agent() {
			return QueueRefresh
		}
		return Hidden
	case EventMessage:
		if e.Internal && !s.Agent() {
			return Hidden
		}
		if !s.Watching(e.ConversationID) || e.Seq <= s.LastSeq(e.ConversationID) {
			return Hidden
		}
	case EventTyping, EventRead, EventPartial, EventVote, EventRated:
		if !s.Watching(e.ConversationID) {
			return Hidden
		}
	case EventState:
		// Agents' queues show states; followers see the conversation's.
		if !s.Agent() && !s.Watching(e.ConversationID) {
			return Hidden
		}
	case EventAssigned:
		if e.AgentID != s.agent || !s.Agent() {
			return Hidden
		}
	case EventStarted:
		if s.Agent() || s.Current() == e.ConversationID {
			return Hidden
		}
	default:
		return Hidden
	}
	return Visible
}

// Watch makes the session follow conv from after seq. A customer's
// session stops following its previous conversation, which Watch returns
// (0 if none) so that the caller can leave it on the hub.
func (s *Session) Watch(conv, after int64) (left int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Agent() {
		s.last[conv] = after
		return 0
	}
	prev := s.current
	if prev != 0 && prev != conv {
		left = prev
	}
	if prev != conv || after > s.currentLast {
		s.currentLast = after
	}
	s.current = conv
	return left
}

// Current returns the conversation a customer's session follows (0 if
// none, and on agents' sessions).
func (s *Session) Current() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// Watching reports whether the session follows conv.
func (s *Session) Watching(conv int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.lastLocked(conv)
	return ok
}

// LastSeq returns the last sequence sent of conv.
func (s *Session) LastSeq(conv int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	seq, _ := s.lastLocked(conv)
	return seq
}

// Sent records that conv's message seq went out, if conv is still followed.
func (s *Session) Sent(conv, seq int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.lastLocked(conv); !ok {
		return
	}
	if s.Agent() {
		s.last[conv] = seq
	} else {
		s.currentLast = seq
	}
}

// Followed returns the conversations the session follows.
func (s *Session) Followed() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.Agent() {
		if s.current == 0 {
			return nil
		}
		return []int64{s.current}
	}
	convs := make([]int64, 0, len(s.last))
	for c := range s.last {
		convs = append(convs, c)
	}
	return convs
}
