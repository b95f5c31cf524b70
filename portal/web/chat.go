package web

import (
	"context"
	"crypto/hmac"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/frontdesk/frontdesk/portal/casework"
	fws "github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
)

const visitorCookie = "fd_visitor"

// visitorID returns the signed visitor id from the cookie, or "".
func (s *Server) visitorID(c *fiber.Ctx) string {
	v := c.Cookies(visitorCookie)
	id, sig, ok := strings.Cut(v, ".")
	if !ok || id == "" || !hmac.Equal([]byte(sig), []byte(s.sign("visitor|"+id))) {
		return ""
	}
	return id
}

// handleChatVisitor gives the browser a signed visitor cookie, which
// identifies a guest's chats across reconnects and page loads.
func (s *Server) handleChatVisitor(c *fiber.Ctx) error {
	if s.visitorID(c) == "" {
		s.newVisitor(c)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"ok": true})
}

// newVisitor sets a new signed visitor cookie.
func (s *Server) newVisitor(c *fiber.Ctx) {
	id := auth.NewToken()[:22]
	s.setCookie(c, visitorCookie, id+"."+s.sign("visitor|"+id), 365*24*time.Hour)
}

func (s *Server) participant(c *fiber.Ctx) bot.Participant {
	p := bot.Participant{VisitorID: s.visitorID(c), IP: strings.Clone(c.IP())}
	if u := currentUser(c); u != nil && u.Role == portal.RoleCustomer {
		p.Customer = u
	}
	return p
}

// customerHandshake admits guests with a signed visitor cookie and
// signed-in customers.
func (h *chatHub) customerHandshake(c *fiber.Ctx) error {
	p := h.s.participant(c)
	if p.VisitorID == "" && p.Customer == nil {
		return portal.Errorf(portal.EUNAUTHORIZED, "Get a visitor cookie from /chat/visitor first.")
	}
	// The socket outlives the request, whose memory fasthttp reuses once
	// the upgrade handler returns: keep no string pointing into it.
	p.VisitorID = strings.Clone(p.VisitorID)
	release, err := h.admitSocket(c, p.VisitorID)
	if err != nil {
		return err
	}
	sk := &socket{h: h, p: p, sess: bot.NewSession(0), release: release, ip: strings.Clone(c.IP())}
	if p.Customer != nil {
		sk.sessionID, sk.userID = strings.Clone(currentSession(c).ID), p.Customer.ID
	}
	c.Locals("chat_socket", sk)
	err = c.Next()
	if c.Response().StatusCode() != fiber.StatusSwitchingProtocols {
		release() // no socket: the upgrade failed
	}
	return err
}

func (h *chatHub) agentHandshake(c *fiber.Ctx) error {
	u := currentUser(c)
	c.Locals("chat_socket", &socket{h: h, agent: u, sess: bot.NewSession(u.ID), sessionID: strings.Clone(currentSession(c).ID), userID: u.ID})
	return c.Next()
}

// revoked closes, on this node, the sockets of a session signed out, or
// of an account whose sessions were revoked and which may no longer use
// them (signed out everywhere, password changed elsewhere, disabled, or
// no longer in a role the socket needs). An agent who may no longer take
// chats has their chats given back at once.
func (h *chatHub) revoked(r revocation) {
	var hit []*socket
	for i := range h.buckets {
		b := &h.buckets[i]
		b.mu.Lock()
		for sk := range b.sockets {
			if sk.sessionID != "" && (sk.sessionID == r.SessionID || r.UserID != 0 && sk.userID == r.UserID) {
				hit = append(hit, sk)
			}
		}
		b.mu.Unlock()
	}
	if len(hit) == 0 {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		gone := map[int64]bool{}
		for _, sk := range hit {
			ok, roleLost := h.stillAllowed(ctx, sk, r)
			if ok {
				continue
			}
			h.s.log.Info("chat socket closed: session revoked", "user_id", sk.userID)
			sk.revokedClose()
			if sk.agent != nil && roleLost {
				gone[sk.agent.ID] = true
			}
		}
		for id := range gone {
			if err := h.engine.AgentGone(ctx, id); err != nil {
				h.s.log.Error("give back chats of revoked agent", "agent_id", id, "err", err)
			}
		}
	}()
}

// stillAllowed checks a socket's session and account again; roleLost
// says the account itself may no longer chat as before.
func (h *chatHub) stillAllowed(ctx context.Context, sk *socket, r revocation) (ok, roleLost bool) {
	if sk.sessionID == r.SessionID {
		return false, false
	}
	u, err := h.s.store.FindUserByID(ctx, sk.userID)
	if err != nil {
		return !portal.IsNotFound(err), portal.IsNotFound(err)
	}
	if u.DisabledAt != nil {
		return false, true
	}
	if sk.agent != nil && u.Role != portal.RoleAgent && u.Role != portal.RoleAdmin && !bot.Supervises(u) ||
		sk.agent == nil && u.Role != portal.RoleCustomer {
		return false, true
	}
	if sk.agent != nil && u.Role != sk.agent.Role {
		// Still an agent, with other powers (an admin made agent): the
		// console reconnects with the account as it now is.
		return false, false
	}
	if _, err := h.s.store.FindSession(ctx, sk.sessionID, h.s.now()); err != nil {
		return !portal.IsNotFound(err), false
	}
	return true, false
}

// revokedClose tells the client why (policy violation, "signed out") and
// closes the socket; the client must not reconnect with the same cookies.
func (sk *socket) revokedClose() {
	sk.mu.Lock()
	ws, closed := sk.ws, sk.closed
	sk.mu.Unlock()
	if ws != nil && !closed {
		msg := fws.FormatCloseMessage(fws.ClosePolicyViolation, "signed out")
		_ = ws.WriteControl(fws.CloseMessage, msg, time.Now().Add(200*time.Millisecond))
	}
	sk.close()
}

// watch makes the socket follow conv from after seq (and stop following
// the customer's previous conversation).
func (sk *socket) watch(conv, after int64) {
	if left := sk.sess.Watch(conv, after); left != 0 {
		sk.h.hub.Leave(left, sk)
	}
	sk.h.hub.Join(conv, sk)
	sk.enqueue(outItem{catchup: conv})
}

func (sk *socket) currentConv() int64 { return sk.sess.Current() }

func (h *chatHub) runCustomer(sk *socket) {
	key := sk.p.Key()
	h.hub.JoinParticipant(key, sk)
	leave := func() {
		h.hub.LeaveParticipant(key, sk)
		if c := sk.currentConv(); c != 0 {
			h.hub.Leave(c, sk)
		}
	}
	sk.read(h.handleCustomerFrame(sk), 5, 20, leave)
}

func (h *chatHub) handleCustomerFrame(sk *socket) func(ctx context.Context, f *inFrame) error {
	e := h.engine
	return func(ctx context.Context, f *inFrame) error {
		switch f.Type {
		case "hello":
			ok, why, err := e.Availability(ctx)
			if err != nil {
				return err
			}
			w := outFrame{Type: "welcome", Staffed: &ok, Reason: why}
			conv, err := e.Conversation(ctx, sk.p, f.ConversationID)
			if portal.IsNotFound(err) && f.ConversationID != 0 {
				conv, err = e.Conversation(ctx, sk.p, 0)
			}
			if portal.IsNotFound(err) {
				sk.send(w)
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
			sk.send(w)
			sk.watch(conv.ID, after)
		case "send":
			if f.ID == "" {
				return portal.FieldError("id", "Every message needs a client id.")
			}
			cur := sk.currentConv()
			conv, m, stored, err := e.Send(ctx, sk.p, cur, f.ID, f.Text)
			if err != nil {
				return err
			}
			if conv.ID != cur {
				sk.watch(conv.ID, 0)
			}
			sk.send(outFrame{Type: "ack", ID: f.ID, ConversationID: conv.ID, Seq: m.Seq, Duplicate: !stored})
		case "handoff":
			cur := sk.currentConv()
			if cur == 0 {
				conv, err := e.Start(ctx, sk.p)
				if err != nil {
					return err
				}
				cur = conv.ID
				sk.watch(cur, 0)
			}
			return e.RequestPerson(ctx, sk.p, cur)
		case "typing":
			if cur := sk.currentConv(); cur != 0 {
				e.Typing(ctx, cur, portal.AuthorCustomer)
			}
		case "read":
			if cur := sk.currentConv(); cur != 0 {
				e.Read(ctx, cur, f.Seq, portal.AuthorCustomer)
			}
		case "leave_message":
			if err := h.allowLeaveMessage(ctx, sk, f.Email); err != nil {
				return err
			}
			cs, err := e.LeaveMessage(ctx, sk.p, sk.currentConv(), f.Email, f.Name, f.Text)
			if err != nil {
				return err
			}
			sk.send(outFrame{Type: "case", Number: cs.Number(), ID: f.ID})
		case "rate":
			if err := e.Rate(ctx, sk.p, firstNonZero(f.ConversationID, sk.currentConv()), f.Rating, f.Comment); err != nil {
				return err
			}
			sk.send(outFrame{Type: "rated", ConversationID: firstNonZero(f.ConversationID, sk.currentConv()), Rating: f.Rating})
		case "end":
			return e.EndByCustomer(ctx, sk.p, sk.currentConv())
		case "ping":
			sk.send(outFrame{Type: "pong"})
		default:
			return errUnknownType
		}
		return nil
	}
}

func firstNonZero(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

func (h *chatHub) runAgent(sk *socket) {
	h.hub.JoinAgents(sk)
	h.agentsMu.Lock()
	h.agents[sk] = struct{}{}
	h.agentsMu.Unlock()
	leave := func() {
		h.hub.LeaveAgents(sk)
		h.agentsMu.Lock()
		delete(h.agents, sk)
		h.agentsMu.Unlock()
		for _, c := range sk.sess.Followed() {
			h.hub.Leave(c, sk)
		}
	}
	sk.send(outFrame{Type: "welcome", AgentID: sk.agent.ID, AgentName: firstNonEmpty(sk.agent.Name, sk.agent.Email)})
	sk.enqueue(outItem{queue: true})
	sk.enqueue(outItem{alert: &casework.Alert{}})
	sk.read(h.handleAgentFrame(sk), 20, 60, leave)
}

func (h *chatHub) handleAgentFrame(sk *socket) func(ctx context.Context, f *inFrame) error {
	e := h.engine
	a := sk.agent
	return func(ctx context.Context, f *inFrame) error {
		switch f.Type {
		case "status":
			st := portal.AgentStatus(f.Status)
			if err := e.SetStatus(ctx, a, st); err != nil {
				return err
			}
		case "open":
			conv, err := h.s.store.FindConversation(ctx, f.ConversationID)
			if err != nil {
				return err
			}
			info, err := h.s.customerInfo(ctx, conv, a.ID)
			if err != nil {
				return err
			}
			sk.send(info)
			sk.watch(conv.ID, f.LastSeq)
		case "claim":
			conv, err := e.Claim(ctx, a, f.ConversationID)
			if err != nil {
				return err
			}
			sk.send(outFrame{Type: "claimed", ConversationID: conv.ID})
		case "take_over":
			conv, err := e.TakeOver(ctx, a, f.ConversationID)
			if err != nil {
				return err
			}
			sk.send(outFrame{Type: "claimed", ConversationID: conv.ID})
		case "send":
			if f.ID == "" {
				return portal.FieldError("id", "Every message needs a client id.")
			}
			m, stored, err := e.AgentSend(ctx, a, f.ConversationID, f.ID, f.Text, f.Internal)
			if err != nil {
				return err
			}
			sk.send(outFrame{Type: "ack", ID: f.ID, ConversationID: f.ConversationID, Seq: m.Seq, Duplicate: !stored})
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
			sk.send(outFrame{Type: "pong"})
		default:
			return errUnknownType
		}
		return nil
	}
}

// customerFrame tells an agent who they are chatting with: the account,
// recent orders and the agents a chat can be transferred to. Statuses are
// in words (portal.Label), ready for the console to show.
type customerFrame struct {
	Type           string                  `json:"type"`
	ConversationID int64                   `json:"conversation_id"`
	State          string                  `json:"state"`
	AgentID        int64                   `json:"agent_id,omitempty"`
	Subject        string                  `json:"subject"`
	Customer       *customerInfo           `json:"customer,omitempty"`
	Orders         []orderInfo             `json:"orders"`
	Agents         []agentInfo             `json:"agents"`
	Canned         []portal.CannedResponse `json:"canned"`
	Cases          []caseInfoShort         `json:"cases"`
	Parcels        []parcelInfo            `json:"parcels"`
	Invoices       []invoiceInfo           `json:"invoices"`
	// Returns are the customer's latest returns and exchanges, linked to
	// the page where agents approve or decline them.
	Returns []returnInfo `json:"returns"`
	// Chats are the customer's other chats, newest first, with ratings.
	Chats []pastChat `json:"chats"`
}

type parcelInfo struct {
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"tracking_number"`
	Status         string `json:"status"`
	Order          string `json:"order"`
}

type returnInfo struct {
	Number string `json:"number"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Order  string `json:"order"`
	URL    string `json:"url"`
}

type invoiceInfo struct {
	Number string `json:"number"`
	Status string `json:"status"`
	Total  string `json:"total"`
}

type pastChat struct {
	ID      int64  `json:"id"`
	Date    string `json:"date"`
	State   string `json:"state"`
	Subject string `json:"subject"`
	Rating  int    `json:"rating,omitempty"`
	Comment string `json:"comment,omitempty"`
}

type customerInfo struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
	Since string `json:"since"`
	URL   string `json:"url"`
	// Value is the customer's segment and worth from the latest analysis.
	Value *customerValue `json:"value,omitempty"`
}

type customerValue struct {
	Segment string `json:"segment"`
	Active  string `json:"active"`
	CLV     string `json:"clv"`
}

type orderInfo struct {
	Number string `json:"number"`
	URL    string `json:"url"`
	Status string `json:"status"`
	Total  string `json:"total"`
	Placed string `json:"placed"`
}

type agentInfo struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type caseInfoShort struct {
	Number string `json:"number"`
	Status string `json:"status"`
}

func (s *Server) customerInfo(ctx context.Context, conv *portal.Conversation, me int64) (customerFrame, error) {
	set, err := s.store.ChatSettings(ctx)
	if err != nil {
		return customerFrame{}, err
	}
	f := customerFrame{Type: "conversation", ConversationID: conv.ID, State: string(conv.State), Subject: conv.Subject, Orders: []orderInfo{}, Agents: []agentInfo{}, Canned: set.CannedOrDefault(), Cases: []caseInfoShort{},
		Parcels: []parcelInfo{}, Invoices: []invoiceInfo{}, Returns: []returnInfo{}, Chats: []pastChat{}}
	if conv.AgentID != nil {
		f.AgentID = *conv.AgentID
	}
	if conv.CustomerID != nil {
		u, err := s.store.FindUserByID(ctx, *conv.CustomerID)
		if err != nil {
			return f, err
		}
		f.Customer = &customerInfo{ID: u.ID, Name: u.Name, Email: u.Email, Phone: u.Phone, Since: u.CreatedAt.Format("Jan 2006"), URL: "/staff/customers/" + strconv.FormatInt(u.ID, 10)}
		if rep := s.analytics.Status().Report; rep != nil {
			if sc, ok := rep.Customer(u.ID); ok {
				r := scoreRow(sc, reportCurrency(rep))
				f.Customer.Value = &customerValue{Segment: r.Segment, Active: r.Active, CLV: r.CLV}
			}
		}
		orders, _, err := s.store.FindOrders(ctx, portal.OrderFilter{CustomerID: &u.ID, Limit: 5})
		if err != nil {
			return f, err
		}
		for _, o := range orders {
			f.Orders = append(f.Orders, orderInfo{Number: o.Number, URL: f.Customer.URL + "#order-" + o.Number, Status: portal.Label(o.Status), Total: formatMoney(o.TotalMinor, o.Currency), Placed: o.PlacedAt.Format("2 Jan 2006")})
		}
		shs, _, err := s.store.FindShipments(ctx, portal.ShipmentFilter{CustomerID: &u.ID, Limit: 5})
		if err != nil {
			return f, err
		}
		for _, sh := range shs {
			f.Parcels = append(f.Parcels, parcelInfo{Carrier: sh.Carrier, TrackingNumber: sh.TrackingNumber, Status: portal.Label(string(sh.Status)), Order: sh.OrderNumber})
		}
		invs, _, err := s.store.FindInvoices(ctx, portal.InvoiceFilter{CustomerID: &u.ID, Limit: 5})
		if err != nil {
			return f, err
		}
		for _, in := range invs {
			f.Invoices = append(f.Invoices, invoiceInfo{Number: in.Number, Status: portal.Label(in.Status), Total: formatMoney(in.TotalMinor, in.Currency)})
		}
		rets, _, err := s.store.FindReturns(ctx, portal.ReturnFilter{CustomerID: &u.ID, Limit: 5})
		if err != nil {
			return f, err
		}
		for _, r := range rets {
			f.Returns = append(f.Returns, returnInfo{Number: r.Number(), Kind: portal.Label(r.Kind), Status: portal.Label(r.Status), Order: r.OrderNumber, URL: "/agent/returns/" + strconv.FormatInt(r.ID, 10)})
		}
		chats, _, err := s.store.FindConversations(ctx, portal.ConversationFilter{CustomerID: &u.ID, Limit: 6})
		if err != nil {
			return f, err
		}
		for _, pc := range chats {
			if pc.ID == conv.ID || len(f.Chats) == 5 {
				continue
			}
			p := pastChat{ID: pc.ID, Date: pc.CreatedAt.Format("2 Jan 2006"), State: string(pc.State), Subject: pc.Subject, Comment: pc.RatingComment}
			if pc.Rating != nil {
				p.Rating = *pc.Rating
			}
			f.Chats = append(f.Chats, p)
		}
		cases, _, err := s.store.FindCases(ctx, portal.CaseFilter{CustomerID: &u.ID, Limit: 5})
		if err != nil {
			return f, err
		}
		for _, c := range cases {
			f.Cases = append(f.Cases, caseInfoShort{Number: c.Number(), Status: portal.Label(string(c.Status))})
		}
	}
	// Transfers go only to agents available now, never to oneself.
	avail, err := s.cfg.Chat.AvailableAgents(ctx, me)
	if err != nil {
		return f, err
	}
	agents, _, err := s.store.FindUsers(ctx, portal.UserFilter{Roles: []portal.Role{portal.RoleAgent, portal.RoleAdmin}, Limit: 100})
	if err != nil {
		return f, err
	}
	for _, a := range agents {
		if a.DisabledAt == nil && avail[a.ID] {
			f.Agents = append(f.Agents, agentInfo{ID: a.ID, Name: firstNonEmpty(a.Name, a.Email)})
		}
	}
	return f, nil
}
