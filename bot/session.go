package bot

import "sync"

// Session is the chat engine's side of one socket: who is on it (an agent,
// or a customer or guest), which conversations it follows and the last
// message sent of each, and so what it may see. The transport moves
// frames; what reaches a socket is decided here, in one place:
//
//   - internal notes reach agents only (Sees, Internal);
//   - queue and presence changes reach agents only, as a queue refresh;
//   - a conversation's messages, typing, read marks, partial answers and
//     state reach only sockets that follow it;
//   - an assignment reaches the agent it names; a new conversation of the
//     same customer reaches that customer's other sockets, which follow it.
//
// A customer's session follows one conversation at a time; an agent's
// follows every chat they open or own.
type Session struct {
	agent   int64 // 0 on customer sessions
	mu      sync.Mutex
	current int64           // customer: the conversation followed
	last    map[int64]int64 // last sequence sent, per conversation followed
}

// NewSession returns the session of a customer's or guest's socket
// (agentID 0) or of an agent's.
func NewSession(agentID int64) *Session {
	return &Session{agent: agentID, last: map[int64]int64{}}
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
	case EventQueue, EventPresence:
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
	case EventTyping, EventRead, EventPartial:
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
	prev := s.current
	if !s.Agent() {
		if prev != 0 && prev != conv {
			delete(s.last, prev)
			left = prev
		}
		s.current = conv
	}
	if cur, ok := s.last[conv]; !ok || s.Agent() || prev != conv || after > cur {
		s.last[conv] = after
	}
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
	_, ok := s.last[conv]
	return ok
}

// LastSeq returns the last sequence sent of conv.
func (s *Session) LastSeq(conv int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[conv]
}

// Sent records that conv's message seq went out, if conv is still followed.
func (s *Session) Sent(conv, seq int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.last[conv]; ok {
		s.last[conv] = seq
	}
}

// Followed returns the conversations the session follows.
func (s *Session) Followed() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	convs := make([]int64, 0, len(s.last))
	for c := range s.last {
		convs = append(convs, c)
	}
	return convs
}
