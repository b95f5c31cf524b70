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
	p := bot.Participant{VisitorID: s.visitorID(c), IP: c.IP()}
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
	// The socket outlives the request: what it keeps of it (the visitor
	// and session IDs) is its own, as fiber's Immutable makes every value
	// read from a request (TestRequestValuesOutliveTheRequest).
	release, err := h.admitSocket(c, p.VisitorID)
	if err != nil {
		return err
	}
	sk := &socket{h: h, release: release}
	sk.sess = h.proto.CustomerSession(sk, p)
	if p.Customer != nil {
		sk.sessionID, sk.userID = currentSession(c).ID, p.Customer.ID
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
	sk := &socket{h: h, sessionID: currentSession(c).ID, userID: u.ID}
	sk.sess = h.proto.AgentSession(sk, u)
	c.Locals("chat_socket", sk)
	return c.Next()
}

// revoked closes, on this node, the sockets of a session signed out, or
// of an account whose sessions were revoked and which may no longer use
// them (signed out everywhere, password changed elsewhere, disabled, or
// no longer in a role the socket needs). An agent who may no longer take
// chats has their chats given back at once, and so has one signed out of
// their last session: they left, and nobody should wait the grace for
// them. An agent signed out of one session while another is still signed
// in (a console on another device, say) keeps their chats; if no socket of
// theirs is left either, the grace gives them back as for a closed tab.
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
		gone, signedOut := map[int64]bool{}, map[int64]bool{}
		for _, sk := range hit {
			ok, roleLost := h.stillAllowed(ctx, sk, r)
			if ok {
				continue
			}
			h.s.log.Info("chat socket closed: session revoked", "user_id", sk.userID)
			sk.revokedClose()
			if a := sk.sess.User(); a != nil && roleLost {
				gone[a.ID] = true
			} else if a != nil {
				signedOut[a.ID] = true
			}
		}
		for id := range signedOut {
			if gone[id] {
				continue
			}
			n, err := h.s.store.CountUserSessions(ctx, id, h.s.now())
			if err != nil {
				h.s.log.Error("sessions of signed-out agent", "agent_id", id, "err", err)
				continue // the grace gives the chats back
			}
			gone[id] = n == 0
		}
		for id, g := range gone {
			if !g {
				continue
			}
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
	agent := sk.sess.User()
	if agent != nil && u.Role != portal.RoleAgent && u.Role != portal.RoleAdmin && !bot.Supervises(u) ||
		agent == nil && u.Role != portal.RoleCustomer {
		return false, true
	}
	if agent != nil && u.Role != agent.Role {
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

// run serves a socket from the upgrade until it closes: the session
// speaks the protocol, the socket moves frames. Customers may send 5
// frames a second (bursts of 20), agents 20 (bursts of 60).
func (h *chatHub) run(sk *socket) {
	perSecond, burst := 5.0, 20.0
	if sk.sess.Agent() {
		perSecond, burst = 20, 60
		h.agentsMu.Lock()
		h.agents[sk] = struct{}{}
		h.agentsMu.Unlock()
	}
	sk.sess.Open()
	if sk.sess.Agent() {
		sk.enqueue(outItem{alert: &casework.Alert{}})
	}
	sk.read(perSecond, burst)
}

// ended runs when a socket's reader is done.
func (h *chatHub) ended(sk *socket) {
	if sk.sess.Agent() {
		h.agentsMu.Lock()
		delete(h.agents, sk)
		h.agentsMu.Unlock()
	}
	sk.sess.Close()
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
	// URL is the parcel's staff page (every tracking event, live);
	// OrderURL the order's.
	URL      string `json:"url"`
	OrderURL string `json:"order_url,omitempty"`
	// ETA is the carrier's estimated delivery date, "" when none.
	ETA string `json:"eta,omitempty"`
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
	URL    string `json:"url"`
}

type pastChat struct {
	ID int64 `json:"id"`
	// URL is the chat's transcript in the staff's history.
	URL     string `json:"url"`
	Date    string `json:"date"`
	State   string `json:"state"`
	Subject string `json:"subject"`
	Rating  int    `json:"rating,omitempty"`
	Comment string `json:"comment,omitempty"`
	// Helpful and NotHelpful count the customer's votes on the bot's
	// answers.
	Helpful    int `json:"helpful,omitempty"`
	NotHelpful int `json:"not_helpful,omitempty"`
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
	URL    string `json:"url"`
}

// customerPanel is the protocol's CustomerPanel: what an agent who opens a
// chat sees beside it.
func (s *Server) customerPanel(ctx context.Context, conv *portal.Conversation, me int64) (any, error) {
	return s.customerInfo(ctx, conv, me)
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
			f.Orders = append(f.Orders, orderInfo{Number: o.Number, URL: staffOrderURL(o.Number), Status: portal.Label(o.Status), Total: formatMoney(o.TotalMinor, o.Currency), Placed: o.PlacedAt.Format("2 Jan 2006")})
		}
		shs, _, err := s.store.FindShipments(ctx, portal.ShipmentFilter{CustomerID: &u.ID, Limit: 5})
		if err != nil {
			return f, err
		}
		if err := s.nameShipmentOrders(ctx, orders, shs); err != nil {
			return f, err
		}
		for _, sh := range shs {
			p := parcelInfo{Carrier: sh.Carrier, TrackingNumber: sh.TrackingNumber, Status: portal.Label(string(sh.Status)), Order: sh.OrderNumber,
				URL: "/staff/shipments/" + strconv.FormatInt(sh.ID, 10)}
			if sh.OrderNumber != "" {
				p.OrderURL = staffOrderURL(sh.OrderNumber)
			}
			if sh.EstimatedDelivery != nil {
				p.ETA = sh.EstimatedDelivery.Format("2 Jan 2006")
			}
			f.Parcels = append(f.Parcels, p)
		}
		invs, _, err := s.store.FindInvoices(ctx, portal.InvoiceFilter{CustomerID: &u.ID, Limit: 5})
		if err != nil {
			return f, err
		}
		for _, in := range invs {
			f.Invoices = append(f.Invoices, invoiceInfo{Number: in.Number, Status: portal.Label(in.Status), Total: formatMoney(in.TotalMinor, in.Currency), URL: staffInvoiceURL(in.Number)})
		}
		rets, _, err := s.store.FindReturns(ctx, portal.ReturnFilter{CustomerID: &u.ID, Limit: 5})
		if err != nil {
			return f, err
		}
		for _, r := range rets {
			f.Returns = append(f.Returns, returnInfo{Number: r.Number(), Kind: portal.Label(r.Kind), Status: portal.Label(r.Status), Order: r.OrderNumber, URL: "/agent/returns/" + strconv.FormatInt(r.ID, 10)})
		}
		chats, _, err := s.store.FindConversations(ctx, portal.ConversationFilter{CustomerID: &u.ID, Limit: 6, NoTotal: true})
		if err != nil {
			return f, err
		}
		ids := make([]int64, len(chats))
		for i, pc := range chats {
			ids[i] = pc.ID
		}
		var votes map[int64]portal.AnswerVoteCount
		if len(ids) > 0 {
			if votes, err = s.store.CountAnswerVotes(ctx, ids); err != nil {
				return f, err
			}
		}
		for _, pc := range chats {
			if pc.ID == conv.ID || len(f.Chats) == 5 {
				continue
			}
			v := votes[pc.ID]
			p := pastChat{ID: pc.ID, URL: "/agent/history/" + strconv.FormatInt(pc.ID, 10), Date: pc.CreatedAt.Format("2 Jan 2006"), State: string(pc.State), Subject: pc.Subject, Comment: pc.RatingComment,
				Helpful: v.Helpful, NotHelpful: v.NotHelpful}
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
			f.Cases = append(f.Cases, caseInfoShort{Number: c.Number(), Status: portal.Label(string(c.Status)), URL: "/agent/cases/" + strconv.FormatInt(c.ID, 10)})
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
