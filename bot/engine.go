// Package bot is Frontdesk's chat engine: the conversation state machine
// (bot, queued, agent, closed), hand-off to people, answering from the
// knowledge base (and optionally a language model), and the hub that fans
// stored messages out to connected sockets through a Bus.
//
// Every message is stored before anything is published about it; events
// carry ids, so a socket that misses one catches up from the store by
// sequence number. bot never imports a store or the web layer: it works on
// portal's service interfaces.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/bus"
)

// Store is the storage the engine needs.
type Store interface {
	portal.ChatService
	// CreateCase opens a case (see portal.CaseService).
	CreateCase(ctx context.Context, c *portal.Case, first *portal.CaseEntry, mail portal.CaseMail) error
}

// UserFinder looks up agents and customers by id.
type UserFinder interface {
	FindUserByID(ctx context.Context, id int64) (*portal.User, error)
}

// OrderReader reads a customer's orders, parcels and invoices, for the
// bot's answers from them and the model's tools.
type OrderReader interface {
	FindOrders(ctx context.Context, f portal.OrderFilter) ([]*portal.Order, int, error)
	FindShipments(ctx context.Context, f portal.ShipmentFilter) ([]*portal.Shipment, int, error)
	FindTrackingEvents(ctx context.Context, shipmentID int64) ([]*portal.TrackingEvent, error)
	FindInvoices(ctx context.Context, f portal.InvoiceFilter) ([]*portal.Invoice, int, error)
}

// Config configures an Engine. Zero values mean the documented defaults.
type Config struct {
	Store Store
	Users UserFinder
	// Bus carries chat events (topic Topic) to the hubs of every node;
	// default an in-process bus.
	Bus portal.Bus
	// Knowledge answers questions; nil means the bot only offers a person.
	Knowledge *Knowledge
	// Completer, when set, writes answers grounded on the top articles.
	Completer Completer
	// Orders gives signed-in customers' questions about their orders to
	// the model's tools; nil disables the tools.
	Orders OrderReader
	// GuestOrders checks a guest's order number and email or postcode as
	// /track does; nil sends guests to /track.
	GuestOrders GuestOrderFinder
	// ParcelLink, when set, is a guest's signed link that follows one
	// parcel live (as /track gives); nil gives guests the /track page only.
	ParcelLink func(shipmentID int64) string
	// Gaps records the questions the bot could not answer, for the
	// editors' content gaps; nil records none.
	Gaps portal.UnansweredRecorder
	// ArticleURL links an article; default "/help/" + slug.
	ArticleURL func(a *portal.Article) string
	// ModelTimeout bounds one model answer before falling back to the
	// article answer; default 15s.
	ModelTimeout time.Duration
	// AgentGrace is how long an agent whose every socket is closed or
	// silent still counts as online: a reload or a network blip within it
	// changes nothing; after it their chats go back to the queue. It also
	// bounds a guest's wait in the queue with no socket. Default 60s.
	AgentGrace time.Duration
	Logger     *slog.Logger
	Now        func() time.Time
	// OpenCase, when set, opens a leave-a-message case with the
	// customer's acknowledgement and the staff's alerts (casework);
	// verified tells whether the address is the signed-in customer's. Nil
	// stores the case with a plain acknowledgement.
	OpenCase func(ctx context.Context, c *portal.Case, verified bool) error
}

// Engine runs conversations.
type Engine struct {
	cfg   Config
	store Store
	bus   portal.Bus
	log   *slog.Logger
	now   func() time.Time

	ctx    context.Context
	cancel context.CancelFunc
	// wg counts the work started in the background (see background);
	// closed, under bgMu, says Close has begun waiting for it.
	wg     sync.WaitGroup
	bgMu   sync.Mutex
	closed bool

	// starting serialises, per participant on this node, finding or
	// creating the open conversation, so that two tabs sending at once
	// share one.
	starting keyedMutex
	// hints: what the bot last saw of its conversations (exchange.go).
	hints botHints
	// gaps: unanswered questions waiting to be recorded (gaps.go).
	gaps gapQueue
	// staffing: the chat settings and agents' presence, kept until an
	// event changes them (staffing.go); unsubStaff stops its listening.
	staffing   staffing
	unsubStaff func()
	// beating: the agents of this node's last heartbeat (presence.go).
	beatMu  sync.Mutex
	beating map[int64]bool
}

// New returns an engine. Call Close to wait for answers in flight.
func New(cfg Config) *Engine {
	if cfg.Bus == nil {
		cfg.Bus = bus.NewMemory()
	}
	if cfg.ArticleURL == nil {
		cfg.ArticleURL = func(a *portal.Article) string { return "/help/" + a.Slug }
	}
	if cfg.ModelTimeout == 0 {
		cfg.ModelTimeout = 15 * time.Second
	}
	if cfg.AgentGrace == 0 {
		cfg.AgentGrace = 60 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{cfg: cfg, store: cfg.Store, bus: cfg.Bus, log: cfg.Logger, now: cfg.Now, ctx: ctx, cancel: cancel}
	e.unsubStaff = e.bus.Subscribe(Topic, e.onStaffEvent)
	if g, ok := e.bus.(interface{ OnGap(func()) }); ok {
		g.OnGap(e.staffing.invalidate) // events were lost: read again
	}
	return e
}

// Bus returns the engine's bus.
func (e *Engine) Bus() portal.Bus { return e.bus }

// Close stops answering and waits for answers in flight.
func (e *Engine) Close() {
	e.unsubStaff()
	e.bgMu.Lock()
	e.closed = true
	e.bgMu.Unlock()
	e.cancel()
	e.wg.Wait()
}

// background runs fn on a goroutine of its own that Close waits for. Once
// Close has begun it runs fn at once instead (fn then sees the engine's
// context ended): a WaitGroup must not be added to while it is waited on,
// and what fn records (a content gap, say) is not dropped.
func (e *Engine) background(fn func()) {
	e.bgMu.Lock()
	if e.closed {
		e.bgMu.Unlock()
		fn()
		return
	}
	e.wg.Add(1)
	e.bgMu.Unlock()
	go func() {
		defer e.wg.Done()
		fn()
	}()
}

// Participant is the customer side of a chat: a guest's visitor id and,
// when signed in, the customer.
type Participant struct {
	VisitorID string
	Customer  *portal.User
	// IP is the client's address: guests' order look-ups are limited per IP.
	IP string
}

// owns: a customer owns their account's conversations; a guest only guest
// conversations of their browser, never one a customer had there (a
// guest's open one joins the account when they sign in: Adopt).
func (p Participant) owns(c *portal.Conversation) bool {
	if p.Customer != nil {
		return c.CustomerID != nil && *c.CustomerID == p.Customer.ID
	}
	return p.VisitorID != "" && c.VisitorID == p.VisitorID && c.CustomerID == nil
}

// Key names the participant on the bus: "c:" and the customer id, or "v:"
// and the visitor id.
func (p Participant) Key() string {
	if p.Customer != nil {
		return "c:" + strconv.FormatInt(p.Customer.ID, 10)
	}
	if p.VisitorID != "" {
		return "v:" + p.VisitorID
	}
	return ""
}

// Conversation returns the participant's conversation id, or when id is 0
// their latest open one. No such conversation is ENOTFOUND.
func (e *Engine) Conversation(ctx context.Context, p Participant, id int64) (*portal.Conversation, error) {
	if id != 0 {
		c, err := e.store.FindConversation(ctx, id)
		if err != nil {
			return nil, err
		}
		if !p.owns(c) {
			return nil, portal.Errorf(portal.ENOTFOUND, "Conversation not found.")
		}
		return c, nil
	}
	f := portal.ConversationFilter{States: []portal.ConversationState{portal.ConvBot, portal.ConvQueued, portal.ConvAgent}, Limit: 1, NoTotal: true}
	if p.Customer != nil {
		f.CustomerID = &p.Customer.ID
	} else if p.VisitorID != "" {
		f.VisitorID, f.GuestOnly = &p.VisitorID, true
	} else {
		return nil, portal.Errorf(portal.EUNAUTHORIZED, "No visitor.")
	}
	list, _, err := e.store.FindConversations(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "No open conversation.")
	}
	return list[0], nil
}

// append stores a message and publishes it.
func (e *Engine) append(ctx context.Context, m *portal.Message, ifState ...portal.ConversationState) (bool, error) {
	stored, err := e.store.AppendMessage(ctx, m, ifState...)
	if err != nil || !stored {
		return stored, err
	}
	e.publishMessage(ctx, m)
	return true, nil
}

// publishMessage tells every node of a stored message.
func (e *Engine) publishMessage(ctx context.Context, m *portal.Message) {
	e.publish(ctx, Event{Kind: EventMessage, ConversationID: m.ConversationID, Seq: m.Seq, Internal: m.Internal, Author: m.Author, Message: m})
}

func (e *Engine) publish(ctx context.Context, ev Event) {
	if err := e.bus.Publish(ctx, Topic, encodeEvent(ev)); err != nil {
		e.log.Warn("publish chat event", "kind", string(ev.Kind), "conversation_id", ev.ConversationID, "err", err)
	}
}

func (e *Engine) system(ctx context.Context, convID int64, body string, meta map[string]any) {
	m := &portal.Message{ConversationID: convID, Author: portal.AuthorSystem, Body: body, Meta: metaJSON(meta)}
	if _, err := e.append(ctx, m); err != nil {
		e.log.Error("append system message", "conversation_id", convID, "err", err)
	}
}

func metaJSON(meta map[string]any) string {
	if len(meta) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(meta)
	return string(b)
}

// Start returns the participant's open conversation, or opens a new,
// empty one, for a customer who asks for a person before writing anything.
func (e *Engine) Start(ctx context.Context, p Participant) (*portal.Conversation, error) {
	return e.openConversation(ctx, p, "")
}

// openConversation returns the participant's open conversation or creates
// one; a new one is announced to the participant's other sockets, which
// then follow it too.
func (e *Engine) openConversation(ctx context.Context, p Participant, subject string) (*portal.Conversation, error) {
	key := p.Key()
	unlock := e.starting.lock(key)
	defer unlock()
	conv, err := e.Conversation(ctx, p, 0)
	if err == nil {
		return conv, nil
	} else if !portal.IsNotFound(err) {
		return nil, err
	}
	conv = &portal.Conversation{VisitorID: p.VisitorID, Subject: subject, Locale: chatLocale}
	if p.Customer != nil {
		conv.CustomerID = &p.Customer.ID
	}
	if err := e.store.CreateConversation(ctx, conv); err != nil {
		return nil, err
	}
	e.hints.set(conv.ID, 0)
	e.publish(ctx, Event{Kind: EventStarted, ConversationID: conv.ID, Participant: key})
	return conv, nil
}

// Send stores a customer's message, in their open conversation (a new one
// when they have none or convID is closed), and lets the bot answer when it
// owns the chat. A client id already stored is acknowledged again without a
// second copy or a second answer. A question the bot answers from the
// knowledge base alone is stored together with its answer (sendAnswered);
// the conversation returned then holds only what that needed (id, state,
// owner, failure count).
func (e *Engine) Send(ctx context.Context, p Participant, convID int64, clientID, text string) (*portal.Conversation, *portal.Message, bool, error) {
	// Refuse what cannot be stored before opening a conversation for it.
	if probe := (&portal.Message{Author: portal.AuthorCustomer, Body: text, ClientID: clientID}); probe.Validate() != nil {
		return nil, nil, false, probe.Validate()
	}
	var conv *portal.Conversation
	var err error
	if convID != 0 {
		// Most questions: answered from the knowledge base and stored
		// with their answer in one commit.
		if conv, m, ok, err := e.sendAnswered(ctx, p, convID, clientID, text); ok || err != nil {
			return conv, m, ok, err
		}
		conv, err = e.Conversation(ctx, p, convID)
		if err != nil {
			return nil, nil, false, err
		}
	}
	if conv == nil || conv.State == portal.ConvClosed {
		// A tab that knows no conversation (or only a closed one) joins
		// the participant's open one, which another tab may have started:
		// one conversation per participant, and a retried client id finds
		// its first copy there.
		if conv, err = e.openConversation(ctx, p, text); err != nil {
			return nil, nil, false, err
		}
	}
	m := &portal.Message{ConversationID: conv.ID, Author: portal.AuthorCustomer, ClientID: clientID, Body: text}
	if p.Customer != nil {
		m.AuthorID = &p.Customer.ID
	}
	stored, err := e.append(ctx, m)
	if err != nil {
		return nil, nil, false, err
	}
	if stored && conv.State == portal.ConvBot {
		e.background(func() { e.respond(e.ctx, conv, p, m) })
	}
	return conv, m, stored, nil
}

// Availability reports whether a person can take a chat now, and if not,
// why: "closed" outside business hours, "busy" with no agent available.
// The settings and presence are kept between changes (staffing.go).
func (e *Engine) Availability(ctx context.Context) (bool, string, error) {
	st, err := e.staffState(ctx)
	if err != nil {
		return false, "", err
	}
	now := e.now()
	if !st.set.OpenIn(now, st.loc) {
		return false, "closed", nil
	}
	if len(e.available(st, now, 0)) == 0 {
		return false, "busy", nil
	}
	return true, "", nil
}

// RequestPerson moves a bot conversation into the queue when someone can
// take it, and otherwise tells the customer and offers to leave a message.
func (e *Engine) RequestPerson(ctx context.Context, p Participant, convID int64) error {
	conv, err := e.Conversation(ctx, p, convID)
	if err != nil {
		return err
	}
	e.recordHandoffGap(ctx, conv)
	_, err = e.handoff(ctx, conv)
	return err
}

// handoff queues a bot conversation for a person, or, when nobody can
// take it, tells the customer and offers to leave a message (running
// beforeOffer, if any, first); it reports whether it made that offer.
func (e *Engine) handoff(ctx context.Context, conv *portal.Conversation, beforeOffer ...func()) (offered bool, err error) {
	if conv.State != portal.ConvBot {
		return false, nil // already queued or with a person
	}
	ok, why, err := e.Availability(ctx)
	if err != nil {
		return false, err
	}
	if !ok {
		msg := "No one is available to chat right now. Leave a message and we will answer by email."
		if why == "closed" {
			msg = "We are outside our chat hours right now. Leave a message and we will answer by email."
		}
		for _, f := range beforeOffer {
			f()
		}
		e.system(ctx, conv.ID, msg, map[string]any{"offer": "leave_message", "reason": why})
		return true, nil
	}
	q := portal.ConvQueued
	updated, err := e.store.UpdateConversation(ctx, conv.ID, portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvBot}, State: &q})
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return false, nil
	} else if err != nil {
		return false, err
	}
	e.hints.forget(conv.ID) // the bot has it no more
	pos, err := e.QueuePosition(ctx, updated)
	if err != nil {
		return false, err
	}
	e.system(ctx, conv.ID, fmt.Sprintf("You are number %d in the queue. A person will be with you shortly.", pos), map[string]any{"queue_position": pos})
	e.publish(ctx, Event{Kind: EventState, ConversationID: conv.ID})
	e.publish(ctx, Event{Kind: EventQueue, ConversationID: conv.ID})
	return false, nil
}

// QueuePosition is a queued conversation's place in the queue, from 1; 0
// when it is not queued.
func (e *Engine) QueuePosition(ctx context.Context, conv *portal.Conversation) (int, error) {
	if conv.State != portal.ConvQueued {
		return 0, nil
	}
	queue, _, err := e.store.FindConversations(ctx, portal.ConversationFilter{States: []portal.ConversationState{portal.ConvQueued}, Limit: 1000, NoTotal: true})
	if err != nil {
		return 0, err
	}
	for i, c := range queue {
		if c.ID == conv.ID {
			return i + 1, nil
		}
	}
	return len(queue) + 1, nil
}

// LeaveMessage turns a conversation nobody could take into a case: the
// transcript goes with it, the customer gets an email with the case number
// and the conversation closes.
func (e *Engine) LeaveMessage(ctx context.Context, p Participant, convID int64, email, name, text string) (*portal.Case, error) {
	cs := &portal.Case{Email: email, Name: name, Body: text, Channel: portal.ChannelChat}
	if p.Customer != nil {
		cs.CustomerID = &p.Customer.ID
		if cs.Email == "" {
			cs.Email = p.Customer.Email
		}
		if cs.Name == "" {
			cs.Name = p.Customer.Name
		}
	}
	var conv *portal.Conversation
	if convID != 0 {
		c, err := e.Conversation(ctx, p, convID)
		if err != nil {
			return nil, err
		}
		conv = c
		cs.ConversationID = &c.ID
		msgs, err := e.store.FindMessages(ctx, c.ID, 0, false, 1000)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, m := range msgs {
			fmt.Fprintf(&b, "[%s] %s: %s\n", m.CreatedAt.Format(time.RFC3339), m.Author, m.Body)
		}
		cs.Transcript = b.String()
	}
	// Only a signed-in customer's own address is known to be theirs: to
	// any other, the confirmation quotes nothing the sender wrote (name
	// or message), so it cannot carry someone's text to a stranger.
	verified := p.Customer != nil && portal.NormalizeEmail(cs.Email) == portal.NormalizeEmail(p.Customer.Email)
	open := func(ctx context.Context, c *portal.Case, verified bool) error {
		return e.store.CreateCase(ctx, c, nil, plainAck(verified))
	}
	if e.cfg.OpenCase != nil {
		open = e.cfg.OpenCase
	}
	if err := open(ctx, cs, verified); err != nil {
		return nil, err
	}
	if conv != nil && conv.State != portal.ConvClosed {
		closed := portal.ConvClosed
		if _, err := e.store.UpdateConversation(ctx, conv.ID, portal.ConversationUpdate{State: &closed}); err == nil {
			e.system(ctx, conv.ID, fmt.Sprintf("Thank you. Your case number is %s; we will answer by email at %s.", cs.Number(), cs.Email), map[string]any{"case": cs.Number()})
			e.publish(ctx, Event{Kind: EventState, ConversationID: conv.ID})
			if conv.State == portal.ConvQueued {
				e.publish(ctx, Event{Kind: EventQueue, ConversationID: conv.ID})
			}
		}
	}
	return cs, nil
}

// Rate records the customer's rating of a closed chat.
func (e *Engine) Rate(ctx context.Context, p Participant, convID int64, rating int, comment string) error {
	if _, err := e.Conversation(ctx, p, convID); err != nil {
		return err
	}
	if _, err := e.store.UpdateConversation(ctx, convID, portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvClosed}, Rating: &rating, RatingComment: &comment}); err != nil {
		return err
	}
	// The customer's other tabs and the agents who follow the chat see
	// the rating now, on every node.
	e.publish(ctx, Event{Kind: EventRated, ConversationID: convID, Rating: rating, Text: comment})
	return nil
}

// EndByCustomer closes the customer's conversation.
func (e *Engine) EndByCustomer(ctx context.Context, p Participant, convID int64) error {
	conv, err := e.Conversation(ctx, p, convID)
	if err != nil {
		return err
	}
	return e.close(ctx, conv, nil)
}

func (e *Engine) close(ctx context.Context, conv *portal.Conversation, agentID *int64) error {
	closed := portal.ConvClosed
	upd := portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvBot, portal.ConvQueued, portal.ConvAgent}, State: &closed, IfAgentID: agentID}
	if _, err := e.store.UpdateConversation(ctx, conv.ID, upd); err != nil {
		return err
	}
	e.system(ctx, conv.ID, "This chat has ended. How did we do?", map[string]any{"offer": "rating"})
	e.publish(ctx, Event{Kind: EventState, ConversationID: conv.ID})
	if conv.State == portal.ConvQueued {
		e.publish(ctx, Event{Kind: EventQueue, ConversationID: conv.ID})
	}
	return nil
}

// Typing tells the other side that author is typing (best-effort).
func (e *Engine) Typing(ctx context.Context, convID int64, author string) {
	e.publish(ctx, Event{Kind: EventTyping, ConversationID: convID, Author: author})
}

// Read tells the other side that author has read up to seq (best-effort).
func (e *Engine) Read(ctx context.Context, convID, seq int64, author string) {
	e.publish(ctx, Event{Kind: EventRead, ConversationID: convID, Seq: seq, Author: author})
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Supervises reports whether u may take over or reassign any chat, also
// one whose agent is gone: admins and managers.
func Supervises(u *portal.User) bool {
	return u != nil && (u.Role == portal.RoleAdmin || u.Role == portal.RoleManager)
}

// notYours explains why an agent may not act on a chat they do not hold.
func (e *Engine) notYours(ctx context.Context, conv *portal.Conversation) error {
	switch conv.State {
	case portal.ConvClosed:
		return portal.Errorf(portal.ECONFLICT, "This chat has ended.")
	case portal.ConvQueued:
		return portal.Errorf(portal.ECONFLICT, "This chat is waiting in the queue: take it first.")
	case portal.ConvBot:
		return portal.Errorf(portal.ECONFLICT, "The customer is with the assistant: take the chat first.")
	}
	name := "another agent"
	if conv.AgentID != nil {
		if u, err := e.cfg.Users.FindUserByID(ctx, *conv.AgentID); err == nil {
			name = firstNonEmpty(u.Name, u.Email)
		}
	}
	return portal.Errorf(portal.EFORBIDDEN, "This chat belongs to %s.", name)
}

// conflict turns a lost conditional update into the reason, read again.
func (e *Engine) conflict(ctx context.Context, convID int64, err error) error {
	if portal.ErrorCode(err) != portal.ECONFLICT {
		return err
	}
	conv, ferr := e.store.FindConversation(ctx, convID)
	if ferr != nil {
		return err
	}
	return e.notYours(ctx, conv)
}

// Claim gives a queued conversation to agent; of two agents claiming at
// once exactly one wins, the other gets ECONFLICT.
func (e *Engine) Claim(ctx context.Context, agent *portal.User, convID int64) (*portal.Conversation, error) {
	st := portal.ConvAgent
	conv, err := e.store.UpdateConversation(ctx, convID, portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvQueued, portal.ConvBot}, State: &st, AgentID: &agent.ID})
	if err != nil {
		if portal.ErrorCode(err) == portal.ECONFLICT {
			if c, ferr := e.store.FindConversation(ctx, convID); ferr == nil && c.State == portal.ConvClosed {
				return nil, portal.Errorf(portal.ECONFLICT, "This chat has ended.")
			}
			return nil, portal.Errorf(portal.ECONFLICT, "Someone else took this chat first.")
		}
		return nil, err
	}
	e.hints.forget(convID)
	e.system(ctx, convID, firstNonEmpty(agent.Name, "An agent")+" joined the chat.", map[string]any{"agent": firstNonEmpty(agent.Name, "Agent")})
	e.publish(ctx, Event{Kind: EventState, ConversationID: convID, AgentID: agent.ID})
	e.publish(ctx, Event{Kind: EventQueue, ConversationID: convID})
	return conv, nil
}

// TakeOver gives a supervisor any open chat: one another agent holds
// (gone or not; that agent is told), or one still queued or with the bot.
func (e *Engine) TakeOver(ctx context.Context, sup *portal.User, convID int64) (*portal.Conversation, error) {
	if !Supervises(sup) {
		return nil, portal.Errorf(portal.EFORBIDDEN, "Only a supervisor can take over another agent's chat.")
	}
	c, err := e.store.FindConversation(ctx, convID)
	if err != nil {
		return nil, err
	}
	if c.State != portal.ConvAgent {
		if c.State == portal.ConvClosed {
			return nil, portal.Errorf(portal.ECONFLICT, "This chat has ended.")
		}
		return e.Claim(ctx, sup, convID)
	}
	if c.AgentID != nil && *c.AgentID == sup.ID {
		return c, nil
	}
	st := portal.ConvAgent
	conv, err := e.store.UpdateConversation(ctx, convID, portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvAgent}, IfAgentID: c.AgentID, State: &st, AgentID: &sup.ID})
	if err != nil {
		if portal.ErrorCode(err) == portal.ECONFLICT {
			return nil, portal.Errorf(portal.ECONFLICT, "This chat changed meanwhile: look again.")
		}
		return nil, err
	}
	name := firstNonEmpty(sup.Name, "A supervisor")
	e.system(ctx, convID, name+" took over the chat.", map[string]any{"agent": firstNonEmpty(sup.Name, "Agent")})
	e.publish(ctx, Event{Kind: EventAssigned, ConversationID: convID, AgentID: *c.AgentID, Author: "taken:" + name})
	e.publish(ctx, Event{Kind: EventState, ConversationID: convID, AgentID: sup.ID})
	e.publish(ctx, Event{Kind: EventQueue, ConversationID: convID})
	return conv, nil
}

// AgentSend stores an agent's reply (the agent must own the chat) or an
// internal note (any agent may add one).
func (e *Engine) AgentSend(ctx context.Context, agent *portal.User, convID int64, clientID, text string, internal bool) (*portal.Message, bool, error) {
	conv, err := e.store.FindConversation(ctx, convID)
	if err != nil {
		return nil, false, err
	}
	if !internal && (conv.State != portal.ConvAgent || conv.AgentID == nil || *conv.AgentID != agent.ID) {
		return nil, false, e.notYours(ctx, conv)
	}
	m := &portal.Message{ConversationID: convID, Author: portal.AuthorAgent, AuthorID: &agent.ID, ClientID: clientID, Body: text, Internal: internal}
	var states []portal.ConversationState
	if !internal {
		states = []portal.ConversationState{portal.ConvAgent}
	}
	stored, err := e.append(ctx, m, states...)
	if err != nil {
		return nil, false, e.conflict(ctx, convID, err)
	}
	return m, stored, nil
}

// Transfer hands a chat to another agent, who must be available (chosen
// status available and a socket open, on any node); never to oneself. An
// agent transfers their own chats; a supervisor any open chat. The
// receiving agent's sockets are alerted (EventAssigned).
func (e *Engine) Transfer(ctx context.Context, agent *portal.User, convID, toID int64) error {
	if toID == agent.ID {
		return portal.FieldError("agent_id", "You already have this chat: choose another agent.")
	}
	to, err := e.cfg.Users.FindUserByID(ctx, toID)
	if portal.IsNotFound(err) {
		return portal.FieldError("agent_id", "Choose an agent to transfer to.")
	} else if err != nil {
		return err
	}
	if to.Role != portal.RoleAgent && !Supervises(to) || to.DisabledAt != nil {
		return portal.FieldError("agent_id", "Transfer to an agent.")
	}
	avail, err := e.availableAgents(ctx, 0)
	if err != nil {
		return err
	}
	if !avail[to.ID] {
		return portal.FieldError("agent_id", firstNonEmpty(to.Name, to.Email)+" is not available right now: choose an available agent.")
	}
	upd := portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvAgent}, IfAgentID: &agent.ID, AgentID: &to.ID}
	if Supervises(agent) {
		st := portal.ConvAgent
		upd = portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvAgent, portal.ConvQueued, portal.ConvBot}, State: &st, AgentID: &to.ID}
	}
	conv, err := e.store.UpdateConversation(ctx, convID, upd)
	if err != nil {
		return e.conflict(ctx, convID, err)
	}
	e.system(ctx, convID, "You are now chatting with "+firstNonEmpty(to.Name, "another agent")+".", map[string]any{"agent": firstNonEmpty(to.Name, "Agent")})
	e.publish(ctx, Event{Kind: EventAssigned, ConversationID: conv.ID, AgentID: to.ID, Author: firstNonEmpty(agent.Name, agent.Email)})
	e.publish(ctx, Event{Kind: EventState, ConversationID: convID, AgentID: to.ID})
	e.publish(ctx, Event{Kind: EventQueue, ConversationID: convID})
	return nil
}

// Release hands an agent's chat back to the bot.
func (e *Engine) Release(ctx context.Context, agent *portal.User, convID int64) error {
	bot, zero, fails := portal.ConvBot, int64(0), 0
	if _, err := e.store.UpdateConversation(ctx, convID, portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvAgent}, IfAgentID: &agent.ID, State: &bot, AgentID: &zero, BotFailures: &fails}); err != nil {
		return e.conflict(ctx, convID, err)
	}
	e.system(ctx, convID, "You are back with our assistant. Ask for a person any time.", nil)
	e.publish(ctx, Event{Kind: EventState, ConversationID: convID})
	return nil
}

// CloseByAgent ends a chat: the owner's, or one still queued or with the
// bot; a supervisor may end any open chat.
func (e *Engine) CloseByAgent(ctx context.Context, agent *portal.User, convID int64) error {
	conv, err := e.store.FindConversation(ctx, convID)
	if err != nil {
		return err
	}
	if conv.State == portal.ConvClosed {
		return e.notYours(ctx, conv)
	}
	var owner *int64
	if conv.State == portal.ConvAgent && !Supervises(agent) {
		owner = &agent.ID
	}
	if err := e.close(ctx, conv, owner); err != nil {
		return e.conflict(ctx, convID, err)
	}
	return nil
}

// SetStatus records the availability an agent chose: it is theirs, kept
// across reloads, tabs and nodes, not their socket's.
func (e *Engine) SetStatus(ctx context.Context, agent *portal.User, st portal.AgentStatus) error {
	if err := e.store.SetAgentPresence(ctx, agent.ID, st, e.now()); err != nil {
		return err
	}
	e.publish(ctx, Event{Kind: EventPresence, AgentID: agent.ID})
	return nil
}

// Status returns the availability the agent chose (away when never set).
func (e *Engine) Status(ctx context.Context, agentID int64) (portal.AgentStatus, error) {
	ps, err := e.store.FindAgentPresence(ctx, time.Time{})
	if err != nil {
		return "", err
	}
	for _, p := range ps {
		if p.AgentID == agentID {
			return p.Status, nil
		}
	}
	return portal.AgentAway, nil
}

// QueueItem is one conversation in the agents' queue.
type QueueItem struct {
	ConversationID int64     `json:"conversation_id"`
	Subject        string    `json:"subject"`
	State          string    `json:"state"`
	QueuedAt       time.Time `json:"queued_at"`
	WaitSeconds    int       `json:"wait_seconds"`
	Customer       string    `json:"customer"`
	AgentID        int64     `json:"agent_id,omitempty"`
	// AgentName and AgentOnline describe another agent's chat (the
	// supervisors' list).
	AgentName   string    `json:"agent_name,omitempty"`
	AgentOnline bool      `json:"agent_online,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
	// LastSeq is the newest message's sequence number.
	LastSeq int64 `json:"last_seq"`
}

// Queue lists the waiting conversations, oldest first, then the given
// agent's own open chats, and for supervisors the chats other agents hold.
func (e *Engine) Queue(ctx context.Context, agent *portal.User) (queued, mine, others []QueueItem, err error) {
	q, _, err := e.store.FindConversations(ctx, portal.ConversationFilter{States: []portal.ConversationState{portal.ConvQueued}, Limit: 200, NoTotal: true})
	if err != nil {
		return nil, nil, nil, err
	}
	f := portal.ConversationFilter{States: []portal.ConversationState{portal.ConvAgent}, Limit: 200, NoTotal: true}
	if !Supervises(agent) {
		f.AgentID = &agent.ID
	}
	held, _, err := e.store.FindConversations(ctx, f)
	if err != nil {
		return nil, nil, nil, err
	}
	online := map[int64]bool{}
	if Supervises(agent) {
		ps, err := e.store.FindAgentPresence(ctx, e.now().Add(-e.cfg.AgentGrace))
		if err != nil {
			return nil, nil, nil, err
		}
		for _, p := range ps {
			online[p.AgentID] = true
		}
	}
	now := e.now()
	names := map[int64]string{}
	name := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := ""
		if u, err := e.cfg.Users.FindUserByID(ctx, id); err == nil {
			n = firstNonEmpty(u.Name, u.Email)
		}
		names[id] = n
		return n
	}
	item := func(c *portal.Conversation) QueueItem {
		it := QueueItem{ConversationID: c.ID, Subject: c.Subject, State: string(c.State), Customer: "Guest", UpdatedAt: c.UpdatedAt, LastSeq: c.LastSeq}
		if c.QueuedAt != nil {
			it.QueuedAt = *c.QueuedAt
			it.WaitSeconds = int(now.Sub(*c.QueuedAt).Seconds())
		}
		if c.CustomerID != nil {
			if n := name(*c.CustomerID); n != "" {
				it.Customer = n
			}
		}
		if c.AgentID != nil {
			it.AgentID = *c.AgentID
		}
		return it
	}
	queued, mine, others = []QueueItem{}, []QueueItem{}, []QueueItem{}
	for _, c := range q {
		queued = append(queued, item(c))
	}
	for _, c := range held {
		it := item(c)
		if it.AgentID == agent.ID {
			mine = append(mine, it)
			continue
		}
		it.AgentName, it.AgentOnline = name(it.AgentID), online[it.AgentID]
		others = append(others, it)
	}
	return queued, mine, others, nil
}

// isConflict reports a lost race, which callers treat as "someone else
// acted first" rather than a failure.
func isConflict(err error) bool {
	return err != nil && portal.ErrorCode(err) == portal.ECONFLICT && !errors.Is(err, context.Canceled)
}

// plainAck is the acknowledgement of a leave-a-message case when no
// OpenCase is configured.
func plainAck(verified bool) portal.CaseMail {
	return func(c *portal.Case, _ *portal.CaseEntry) []*portal.Email {
		if !verified {
			return []*portal.Email{{To: c.Email, Subject: "We got your message (case " + c.Number() + ")",
				Body: fmt.Sprintf("Hello,\n\nSomeone left us a message on our website and gave this address for the answer. The case number is %s.\nWe will answer by email as soon as we can.\n\nIf this was not you, you can ignore this email.\n", c.Number())}}
		}
		return []*portal.Email{{To: c.Email, Subject: "We got your message (case " + c.Number() + ")",
			Body: fmt.Sprintf("Hello %s,\n\nThank you for your message. Your case number is %s.\nWe will answer by email as soon as we can.\n\nYour message:\n%s\n", firstNonEmpty(c.Name, "there"), c.Number(), c.Body)}}
	}
}
