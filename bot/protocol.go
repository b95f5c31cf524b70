package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

// Protocol speaks the chat protocol on this node's sockets: it makes a
// Session per socket and holds what they share. The transport (the web
// layer) upgrades, authenticates and moves frames; what a frame means,
// what is answered and what a socket may see is decided here.
type Protocol struct {
	engine *Engine
	hub    *Hub
	cfg    ProtocolConfig
	log    *slog.Logger
}

// ProtocolConfig configures a Protocol. The funcs are what the chat needs
// of the web layer; nil means none.
type ProtocolConfig struct {
	Engine *Engine
	Hub    *Hub
	// CustomerPanel answers an agent's "open": the frame telling the agent
	// who they chat with (account, orders, cases...). Nil sends the
	// conversation's id and state only.
	CustomerPanel func(ctx context.Context, conv *portal.Conversation, agentID int64) (any, error)
	// LeaveMessageLimit refuses a leave-a-message past the sender's limits
	// (each message sends an email).
	LeaveMessageLimit func(ctx context.Context, p Participant, email string) error
	Logger            *slog.Logger
}

// NewProtocol returns the protocol of a node.
func NewProtocol(cfg ProtocolConfig) *Protocol {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Protocol{engine: cfg.Engine, hub: cfg.Hub, cfg: cfg, log: cfg.Logger}
}

// Conn is what a session needs of its socket. The transport queues what
// it is given and writes it on the socket's writer, one item at a time:
// frames as they are, catch-ups with Session.CatchUp, queue refreshes
// with Session.WriteQueue and bus events (Notify) with Session.Deliver.
// None of these may block.
type Conn interface {
	Client
	// Send queues a frame.
	Send(frame any)
	// CatchUp queues a catch-up of conv from the store.
	CatchUp(conv int64)
	// RefreshQueue queues the agent's queue.
	RefreshQueue()
}

// CustomerSession returns the session of a customer's or guest's socket.
func (p *Protocol) CustomerSession(c Conn, who Participant) *Session {
	return &Session{proto: p, conn: c, part: who}
}

// AgentSession returns the session of an agent's socket.
func (p *Protocol) AgentSession(c Conn, agent *portal.User) *Session {
	s := NewSession(agent.ID)
	s.proto, s.conn, s.user = p, c, agent
	return s
}

// Participant returns the customer side of a customer's session.
func (s *Session) Participant() Participant { return s.part }

// User returns the agent of an agent's session (nil on customers').
func (s *Session) User() *portal.User { return s.user }

// Open starts the session on the hub: a customer's hears of their other
// tabs' conversations; an agent's hears the queue, and is told who they
// are and sent it.
func (s *Session) Open() {
	h := s.proto.hub
	if !s.Agent() {
		h.JoinParticipant(s.part.Key(), s.conn)
		return
	}
	h.JoinAgents(s.conn)
	s.conn.Send(OutFrame{Type: "welcome", AgentID: s.user.ID, AgentName: firstNonEmpty(s.user.Name, s.user.Email)})
	s.conn.RefreshQueue()
}

// Close takes the session off the hub.
func (s *Session) Close() {
	h := s.proto.hub
	if !s.Agent() {
		h.LeaveParticipant(s.part.Key(), s.conn)
	} else {
		h.LeaveAgents(s.conn)
	}
	for _, c := range s.Followed() {
		h.Leave(c, s.conn)
	}
}

// follow makes the session follow conv from after seq on the hub (a
// customer's stops following their previous one) and catches it up.
func (s *Session) follow(conv, after int64) {
	if left := s.Watch(conv, after); left != 0 {
		s.proto.hub.Leave(left, s.conn)
	}
	s.proto.hub.Join(conv, s.conn)
	s.conn.CatchUp(conv)
}

// Receive handles one client text message: it checks and decodes the
// frame, does what it asks and answers, on ctx (the socket's: it ends
// when the socket closes). A frame that cannot be handled is answered
// with an error frame; the conversation carries on.
func (s *Session) Receive(ctx context.Context, buf []byte) {
	var f InFrame
	if !portal.ValidJSONText(buf) {
		// The transport let only UTF-8 through: a NUL then, raw or escaped.
		s.conn.Send(ErrorFrame(portal.EINVALID, "Text must not hold NUL characters.", ""))
		return
	}
	if err := json.Unmarshal(buf, &f); err != nil {
		s.conn.Send(ErrorFrame("invalid_json", "That frame is not valid JSON.", ""))
		return
	}
	var err error
	if s.Agent() {
		err = s.agentFrame(ctx, &f)
	} else {
		err = s.customerFrame(ctx, &f)
	}
	if err != nil {
		if ctx.Err() != nil {
			return // the socket closed meanwhile: nobody to answer, nothing wrong
		}
		if !errors.Is(err, errUnknownType) && portal.ErrorCode(err) == portal.EINTERNAL {
			s.proto.log.Error("chat frame", "type", f.Type, "err", err)
		}
		s.conn.Send(errorFrameFor(err, f.ID))
	}
}

func (s *Session) customerFrame(ctx context.Context, f *InFrame) error {
	e, p, conn := s.proto.engine, s.part, s.conn
	switch f.Type {
	case "hello":
		ok, why, err := e.Availability(ctx)
		if err != nil {
			return err
		}
		w := OutFrame{Type: "welcome", Staffed: &ok, Reason: why}
		conv, err := e.Conversation(ctx, p, f.ConversationID)
		if portal.IsNotFound(err) && f.ConversationID != 0 {
			conv, err = e.Conversation(ctx, p, 0)
		}
		if portal.IsNotFound(err) {
			conn.Send(w)
			return nil
		} else if err != nil {
			return err
		}
		after := f.LastSeq
		if conv.ID != f.ConversationID {
			after = 0
		}
		w.ConversationID, w.State, w.LastSeq = conv.ID, string(conv.State), &conv.LastSeq
		w.QueuePosition, _ = e.QueuePosition(ctx, conv)
		conn.Send(w)
		s.follow(conv.ID, after)
		return s.sendVotes(ctx, conv.ID)
	case "send":
		if f.ID == "" {
			return portal.FieldError("id", "Every message needs a client id.")
		}
		cur := s.Current()
		conv, m, stored, err := e.Send(ctx, p, cur, f.ID, f.Text)
		if err != nil {
			return err
		}
		if conv.ID != cur {
			s.follow(conv.ID, 0)
		}
		conn.Send(OutFrame{Type: "ack", ID: f.ID, ConversationID: conv.ID, Seq: m.Seq, Duplicate: !stored})
	case "handoff":
		cur := s.Current()
		if cur == 0 {
			conv, err := e.Start(ctx, p)
			if err != nil {
				return err
			}
			cur = conv.ID
			s.follow(cur, 0)
		}
		return e.RequestPerson(ctx, p, cur)
	case "typing":
		if cur := s.Current(); cur != 0 {
			e.Typing(ctx, cur, portal.AuthorCustomer)
		}
	case "read":
		if cur := s.Current(); cur != 0 {
			e.Read(ctx, cur, f.Seq, portal.AuthorCustomer)
		}
	case "leave_message":
		// The offer is for when nobody can take the chat.
		staffed, _, err := e.Availability(ctx)
		if err != nil {
			return err
		}
		if staffed {
			return portal.Errorf(portal.ECONFLICT, "Someone can take your chat now: ask for a person instead of leaving a message.")
		}
		if lim := s.proto.cfg.LeaveMessageLimit; lim != nil {
			if err := lim(ctx, p, f.Email); err != nil {
				return err
			}
		}
		cs, err := e.LeaveMessage(ctx, p, s.Current(), f.Email, f.Name, f.Text)
		if err != nil {
			return err
		}
		conn.Send(OutFrame{Type: "case", Number: cs.Number(), ID: f.ID})
	case "rate":
		conv := firstNonZero(f.ConversationID, s.Current())
		if err := e.Rate(ctx, p, conv, f.Rating, f.Comment); err != nil {
			return err
		}
		// The answer names the frame (id); every socket following the
		// chat, this one too, also hears the rating from the bus.
		conn.Send(OutFrame{Type: "rated", ID: f.ID, ConversationID: conv, Rating: f.Rating, Comment: f.Comment})
	case "vote":
		if f.Helpful == nil {
			return portal.FieldError("helpful", "Say whether the answer helped (true or false).")
		}
		conv := firstNonZero(f.ConversationID, s.Current())
		if err := e.Vote(ctx, p, conv, f.Seq, *f.Helpful); err != nil {
			return err
		}
		// The answer names the frame (id); every socket following the
		// chat, this one too, also hears the vote from the bus.
		conn.Send(OutFrame{Type: "voted", ID: f.ID, ConversationID: conv, Seq: f.Seq, Helpful: f.Helpful})
	case "end":
		return e.EndByCustomer(ctx, p, s.Current())
	case "ping":
		conn.Send(OutFrame{Type: "pong"})
	default:
		return errUnknownType
	}
	return nil
}

// sendVotes sends the customer's votes on conv's answers, if any. It goes
// after the catch-up (follow queues it first): the votes mark its answers.
// Later votes reach the session live (EventVote).
func (s *Session) sendVotes(ctx context.Context, conv int64) error {
	votes, err := s.proto.engine.Votes(ctx, conv)
	if err != nil {
		return err
	}
	if len(votes) > 0 {
		s.conn.Send(OutFrame{Type: "votes", ConversationID: conv, Votes: votes})
	}
	return nil
}

func firstNonZero(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

func (s *Session) agentFrame(ctx context.Context, f *InFrame) error {
	e, a, conn := s.proto.engine, s.user, s.conn
	switch f.Type {
	case "status":
		if err := e.SetStatus(ctx, a, portal.AgentStatus(f.Status)); err != nil {
			return err
		}
	case "open":
		conv, err := e.store.FindConversation(ctx, f.ConversationID)
		if err != nil {
			return err
		}
		var panel any = OutFrame{Type: "conversation", ConversationID: conv.ID, State: string(conv.State)}
		if cp := s.proto.cfg.CustomerPanel; cp != nil {
			if panel, err = cp(ctx, conv, a.ID); err != nil {
				return err
			}
		}
		conn.Send(panel)
		s.follow(conv.ID, f.LastSeq)
		return s.sendVotes(ctx, conv.ID)
	case "claim":
		conv, err := e.Claim(ctx, a, f.ConversationID)
		if err != nil {
			return err
		}
		conn.Send(OutFrame{Type: "claimed", ConversationID: conv.ID})
	case "take_over":
		conv, err := e.TakeOver(ctx, a, f.ConversationID)
		if err != nil {
			return err
		}
		conn.Send(OutFrame{Type: "claimed", ConversationID: conv.ID})
	case "send":
		if f.ID == "" {
			return portal.FieldError("id", "Every message needs a client id.")
		}
		m, stored, err := e.AgentSend(ctx, a, f.ConversationID, f.ID, f.Text, f.Internal)
		if err != nil {
			return err
		}
		conn.Send(OutFrame{Type: "ack", ID: f.ID, ConversationID: f.ConversationID, Seq: m.Seq, Duplicate: !stored})
	case "typing":
		e.Typing(ctx, f.ConversationID, portal.AuthorAgent)
	case "read":
		e.Read(ctx, f.ConversationID, f.Seq, portal.AuthorAgent)
	case "transfer":
		return e.Transfer(ctx, a, f.ConversationID, f.AgentID)
	case "release":
		return e.Release(ctx, a, f.ConversationID)
	case "end":
		return e.CloseByAgent(ctx, a, f.ConversationID)
	case "ping":
		conn.Send(OutFrame{Type: "pong"})
	default:
		return errUnknownType
	}
	return nil
}

// Deliver turns a bus event into frames, if the session sees it, and
// writes them with write (on the socket's writer). An error from write
// ends the socket; the store's errors are logged, and the next event or
// a reconnect retries.
func (s *Session) Deliver(ctx context.Context, e Event, write func(frame any) error) error {
	if s.Sees(e) != Visible {
		return nil
	}
	switch e.Kind {
	case EventMessage:
		return s.catchUp(ctx, e.ConversationID, e.Message, write)
	case EventTyping, EventRead:
		return write(OutFrame{Type: string(e.Kind), ConversationID: e.ConversationID, Author: e.Author, Seq: e.Seq})
	case EventPartial:
		return write(OutFrame{Type: "partial", ConversationID: e.ConversationID, Stream: e.Stream, Text: e.Text})
	case EventVote:
		helpful := e.Helpful
		return write(OutFrame{Type: "voted", ConversationID: e.ConversationID, Seq: e.Seq, Helpful: &helpful})
	case EventRated:
		return write(OutFrame{Type: "rated", ConversationID: e.ConversationID, Rating: e.Rating, Comment: e.Text})
	case EventState:
		if s.Agent() {
			s.conn.RefreshQueue()
		}
		if s.Watching(e.ConversationID) {
			return s.writeState(ctx, e.ConversationID, write)
		}
	case EventAssigned:
		f := OutFrame{Type: "assigned", ConversationID: e.ConversationID, AgentName: e.Author}
		if by, ok := strings.CutPrefix(e.Author, "taken:"); ok {
			f.Type, f.AgentName = "taken", by
		}
		s.conn.RefreshQueue()
		return write(f)
	case EventStarted:
		// Another tab of this participant started a conversation: follow
		// it here too, so that both tabs show one chat.
		conv, err := s.proto.engine.store.FindConversation(ctx, e.ConversationID)
		if err != nil {
			return nil
		}
		s.follow(conv.ID, 0)
		return write(OutFrame{Type: "started", ConversationID: conv.ID, State: string(conv.State)})
	}
	return nil
}

// CatchUp writes every message of conv after the last one sent, from the
// store.
func (s *Session) CatchUp(ctx context.Context, conv int64, write func(frame any) error) error {
	return s.catchUp(ctx, conv, nil, write)
}

// catchUp: a message in hand (just published) is written directly when
// it is next.
func (s *Session) catchUp(ctx context.Context, conv int64, m *portal.Message, write func(frame any) error) error {
	if !s.Watching(conv) {
		return nil
	}
	last := s.LastSeq(conv)
	var msgs []*portal.Message
	if m != nil && m.Seq == last+1 {
		msgs = []*portal.Message{m}
	} else {
		var err error
		msgs, err = s.proto.engine.store.FindMessages(ctx, conv, last, s.Internal(), 500)
		if err != nil {
			s.proto.log.Error("chat catch-up", "conversation_id", conv, "err", err)
			return nil // the next event or reconnect retries
		}
	}
	for _, m := range msgs {
		if m.Seq <= last {
			continue
		}
		if err := write(NewMessageFrame(m)); err != nil {
			return err
		}
		last = m.Seq
		s.Sent(conv, last)
	}
	return nil
}

func (s *Session) writeState(ctx context.Context, convID int64, write func(frame any) error) error {
	e := s.proto.engine
	conv, err := e.store.FindConversation(ctx, convID)
	if err != nil {
		return nil
	}
	f := OutFrame{Type: "state", ConversationID: conv.ID, State: string(conv.State)}
	if conv.State == portal.ConvQueued {
		f.QueuePosition, _ = e.QueuePosition(ctx, conv)
	}
	if conv.AgentID != nil {
		f.AgentID = *conv.AgentID
		if u, err := e.cfg.Users.FindUserByID(ctx, *conv.AgentID); err == nil {
			f.AgentName = firstNonEmpty(u.Name, "Agent")
		}
	}
	if conv.Rating != nil {
		f.Rating = *conv.Rating
	}
	return write(f)
}

// WriteQueue writes an agent's queue (and follows the agent's own chats,
// so that the console can mark new messages unread).
func (s *Session) WriteQueue(ctx context.Context, write func(frame any) error) error {
	e := s.proto.engine
	queued, mine, others, err := e.Queue(ctx, s.user)
	if err != nil {
		s.proto.log.Error("chat queue", "err", err)
		return nil
	}
	st, err := e.Status(ctx, s.user.ID)
	if err != nil {
		s.proto.log.Error("chat queue: status", "err", err)
		return nil
	}
	for _, it := range mine {
		if !s.Watching(it.ConversationID) {
			s.follow(it.ConversationID, it.LastSeq)
		}
	}
	ok, why, _ := e.Availability(ctx)
	agents, err := e.TransferTargets(ctx, s.user.ID)
	if err != nil {
		s.proto.log.Error("chat queue: transfer targets", "err", err)
		return nil
	}
	return write(QueueFrame{Type: "queue", Queued: queued, Mine: mine, Others: others, Status: string(st), Staffed: ok, Reason: why, Supervisor: Supervises(s.user), Agents: agents})
}
