package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/search"
)

// GuestOrderFinder checks a guest's order number and the email address or
// postcode it was placed with (tracking.Lookup, the check behind /track:
// one rate limit per IP, one answer for an unknown number and a wrong
// contact). A refused look-up is an error with code ETOOMANY.
type GuestOrderFinder interface {
	Find(ctx context.Context, ip, number, contact string) (*portal.Order, error)
}

// orderReply is the bot's answer from the customer's own data.
type orderReply struct {
	body     string
	links    []Link
	answered bool
	meta     map[string]any
}

// Meta keys of order answers. A guest asked for details carries
// orderAskKey, and the reference they gave so far under orderRefKey, so
// that the next message (the postcode, say) completes it.
const (
	orderKey    = "order"
	orderAskKey = "order_ask"
	orderRefKey = "order_ref"
)

// answerOrder answers questions about the customer's own orders, parcels
// and invoices from the store. ok is false when the message is not such a
// question (or the bot has no access to orders): the knowledge base
// answers it.
func (e *Engine) answerOrder(ctx context.Context, conv *portal.Conversation, p Participant, text string) (orderReply, bool) {
	if e.cfg.Orders == nil {
		return orderReply{}, false
	}
	q, ok := parseOrderQuestion(text)
	if p.Customer == nil {
		if !ok {
			// Perhaps the contact (or number) a guest was asked for.
			return e.guestFollowUp(ctx, conv, p, q)
		}
		return e.guestOrderAnswer(ctx, conv, p, q, ""), true
	}
	if !ok {
		return orderReply{}, false
	}
	if e.cfg.Completer != nil {
		// The model answers from the same facts through its tools.
		body, links, answered, err := e.answerWithModel(ctx, conv, p, text, e.retrieve(ctx, conv, text))
		if err == nil && answered {
			return orderReply{body: body, links: links, answered: true, meta: map[string]any{orderKey: true}}, true
		}
		if err != nil {
			e.log.Warn("bot: model failed; answering from the order data", "conversation_id", conv.ID, "err", err)
		}
	}
	r, err := e.customerOrderAnswer(ctx, p.Customer, q, text)
	if err != nil {
		e.log.Error("bot: order answer", "conversation_id", conv.ID, "err", err)
		return orderReply{}, false
	}
	return r, true
}

func (e *Engine) retrieve(ctx context.Context, conv *portal.Conversation, text string) search.Retrieval {
	if e.cfg.Knowledge == nil {
		return search.Retrieval{}
	}
	ret, err := e.cfg.Knowledge.Retrieve(ctx, text)
	if err != nil {
		e.log.Error("bot: retrieve", "conversation_id", conv.ID, "err", err)
	}
	return ret
}

// orderFacts is one order with its parcels and invoices, as the bot tells
// them.
type orderFacts struct {
	order     *portal.Order
	shipments []shipmentFacts
	invoices  []*portal.Invoice
	matched   []string // names of items the question named
}

type shipmentFacts struct {
	s      *portal.Shipment
	latest *portal.TrackingEvent
}

func (e *Engine) loadFacts(ctx context.Context, customerID *int64, o *portal.Order, invoices bool) (*orderFacts, error) {
	f := &orderFacts{order: o}
	ships, _, err := e.cfg.Orders.FindShipments(ctx, portal.ShipmentFilter{OrderID: &o.ID, CustomerID: customerID, Limit: 10})
	if err != nil {
		return nil, err
	}
	for _, s := range ships {
		sf := shipmentFacts{s: s}
		evs, err := e.cfg.Orders.FindTrackingEvents(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		if len(evs) > 0 {
			sf.latest = evs[0]
		}
		f.shipments = append(f.shipments, sf)
	}
	if invoices && customerID != nil {
		f.invoices, _, err = e.cfg.Orders.FindInvoices(ctx, portal.InvoiceFilter{OrderID: &o.ID, CustomerID: customerID, Limit: 5})
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

// findOnAccount resolves a reference the customer gave: an order number,
// a tracking number or an invoice number, as typed or in upper case, and
// always within the customer's own account.
func (e *Engine) findOnAccount(ctx context.Context, customerID int64, ref string) (*portal.Order, error) {
	forms := []string{ref}
	if up := strings.ToUpper(ref); up != ref {
		forms = append(forms, up)
	}
	for _, n := range forms {
		list, _, err := e.cfg.Orders.FindOrders(ctx, portal.OrderFilter{Number: &n, CustomerID: &customerID, Limit: 1})
		if err != nil || len(list) > 0 {
			return first(list), err
		}
	}
	for _, n := range forms {
		ships, _, err := e.cfg.Orders.FindShipments(ctx, portal.ShipmentFilter{TrackingNumber: &n, CustomerID: &customerID, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(ships) > 0 {
			return e.orderByID(ctx, customerID, ships[0].OrderID)
		}
	}
	for _, n := range forms {
		invs, _, err := e.cfg.Orders.FindInvoices(ctx, portal.InvoiceFilter{Number: &n, CustomerID: &customerID, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(invs) > 0 {
			return e.orderByID(ctx, customerID, invs[0].OrderID)
		}
	}
	return nil, nil
}

func (e *Engine) orderByID(ctx context.Context, customerID, id int64) (*portal.Order, error) {
	list, _, err := e.cfg.Orders.FindOrders(ctx, portal.OrderFilter{ID: &id, CustomerID: &customerID, Limit: 1})
	return first(list), err
}

func first(list []*portal.Order) *portal.Order {
	if len(list) == 0 {
		return nil
	}
	return list[0]
}

func openOrder(o *portal.Order) bool {
	return o.Status != portal.OrderDelivered && o.Status != portal.OrderCancelled
}

// customerOrderAnswer answers a signed-in customer from their account.
func (e *Engine) customerOrderAnswer(ctx context.Context, cust *portal.User, q orderQuestion, text string) (orderReply, error) {
	cid := cust.ID
	r := orderReply{answered: true, meta: map[string]any{orderKey: true}}
	var picked []*portal.Order
	var notFound []string
	for i, ref := range q.refs {
		if i == 3 {
			break
		}
		o, err := e.findOnAccount(ctx, cid, ref)
		if err != nil {
			return r, err
		}
		if o == nil {
			notFound = append(notFound, ref)
		} else if !containsOrder(picked, o) {
			picked = append(picked, o)
		}
	}
	var b strings.Builder
	if len(notFound) > 0 {
		fmt.Fprintf(&b, "I could not find %s on your account. Check the number, or talk to a person.", joinAnd(notFound))
		r.meta["offer"] = "person"
		if len(picked) == 0 {
			r.body = b.String()
			r.links = []Link{{Title: "Your orders", URL: "/account"}}
			return r, nil
		}
		b.WriteString("\n\n")
	}
	var matched map[int64][]string
	if len(q.refs) == 0 {
		recent, total, err := e.cfg.Orders.FindOrders(ctx, portal.OrderFilter{CustomerID: &cid, Limit: 20})
		if err != nil {
			return r, err
		}
		if total == 0 {
			r.body = "There are no orders on your account yet. If you ordered as a guest, or with another email address, tell me the order number and I will look for it, or talk to a person."
			r.meta["offer"] = "person"
			return r, nil
		}
		matched = map[int64][]string{}
		if len(q.items) > 0 {
			// The orders holding what the question names: those still on
			// their way, else the latest.
			var withItem []*portal.Order
			for _, o := range recent {
				for _, it := range o.Items {
					if itemMatches(it.Name, q.items) {
						matched[o.ID] = append(matched[o.ID], it.Name)
					}
				}
				if len(matched[o.ID]) > 0 {
					withItem = append(withItem, o)
				}
			}
			for _, o := range withItem {
				if openOrder(o) && len(picked) < 3 {
					picked = append(picked, o)
				}
			}
			if len(picked) == 0 && len(withItem) > 0 {
				picked = append(picked, withItem[0])
			}
		}
		if len(picked) == 0 {
			if len(q.named) > 0 && q.topic == topicStatus {
				fmt.Fprintf(&b, "I could not find %s in your recent orders. ", joinAnd(q.named))
			}
			for _, o := range recent {
				if openOrder(o) && len(picked) < 3 && (q.topic == topicStatus || q.topic == topicCancel) {
					picked = append(picked, o)
				}
			}
			if len(picked) == 0 {
				picked = append(picked, recent[0])
			}
		}
	}
	facts := make([]*orderFacts, 0, len(picked))
	for _, o := range picked {
		f, err := e.loadFacts(ctx, &cid, o, q.topic == topicInvoice)
		if err != nil {
			return r, err
		}
		f.matched = matched[o.ID]
		facts = append(facts, f)
	}
	loc := time.UTC
	if cust.TimeZone != "" {
		if l, err := time.LoadLocation(cust.TimeZone); err == nil {
			loc = l
		}
	}
	numbers := []string{}
	for i, f := range facts {
		if i > 0 {
			b.WriteString("\n\n")
		}
		numbers = append(numbers, f.order.Number)
		switch q.topic {
		case topicInvoice:
			e.tellInvoice(&b, &r, f, loc)
		case topicCancel:
			e.tellStatus(&b, &r, f, loc, true)
			tellCancel(&b, &r, f)
		case topicReturn:
			e.tellStatus(&b, &r, f, loc, true)
			tellReturn(&b, &r, f)
		default:
			e.tellStatus(&b, &r, f, loc, true)
		}
	}
	if q.topic == topicReturn || q.topic == topicCancel {
		// What the store's own help says about it, when it says something.
		if a, ok := e.policyArticle(ctx, text); ok {
			fmt.Fprintf(&b, "\n\nFrom our help centre: %s", strings.TrimSpace(firstNonEmpty(a.Summary, a.Title)))
			r.links = append(r.links, Link{Title: a.Title, URL: e.cfg.ArticleURL(a)})
		}
	}
	r.meta[orderKey] = numbers
	r.body = strings.TrimSpace(b.String())
	return r, nil
}

func containsOrder(list []*portal.Order, o *portal.Order) bool {
	for _, x := range list {
		if x.ID == o.ID {
			return true
		}
	}
	return false
}

// policyArticle is the article the knowledge base answers the question
// with, when it is confident enough to answer at all.
func (e *Engine) policyArticle(ctx context.Context, text string) (*portal.Article, bool) {
	if e.cfg.Knowledge == nil {
		return nil, false
	}
	ret, err := e.cfg.Knowledge.Retrieve(ctx, text)
	best, ok := ret.Best()
	if err != nil || !ok || ret.Decision != search.DecisionAnswer {
		return nil, false
	}
	return e.cfg.Knowledge.Article(best.ID)
}

// orderStatusWords says an order's status in plain words.
func orderStatusWords(status string) string {
	switch status {
	case portal.OrderPlaced:
		return "we have received it and are getting it ready"
	case portal.OrderProcessing:
		return "we are preparing it"
	case portal.OrderPacked:
		return "it is packed and about to ship"
	case portal.OrderShipped:
		return "it has shipped"
	case portal.OrderDelivered:
		return "it has been delivered"
	case portal.OrderCancelled:
		return "it was cancelled"
	}
	return "its status is " + strings.ToLower(portal.Label(status))
}

func day(t time.Time) string { return t.Format("Monday 2 January") }

// eventText is a tracking event in words: what happened, where, and when
// on the local clock where it happened.
func eventText(ev *portal.TrackingEvent) string {
	what := firstNonEmpty(ev.Message, ev.Status.Label())
	if ev.City != "" {
		what += " in " + ev.City
	}
	return what + ", " + ev.LocalTime().Format("2 January 15:04")
}

// tellStatus writes an order's status, its parcels' latest events and
// estimates, and links to the order and parcels (own=true: the account's
// pages; a guest gets each parcel's signed link and the /track page).
func (e *Engine) tellStatus(b *strings.Builder, r *orderReply, f *orderFacts, loc *time.Location, own bool) {
	o := f.order
	fmt.Fprintf(b, "Order %s, placed %s: %s.", o.Number, o.PlacedAt.In(loc).Format("2 January"), orderStatusWords(o.Status))
	if len(f.matched) > 0 {
		fmt.Fprintf(b, " It holds your %s.", joinAnd(uniqueStrings(f.matched)))
	}
	if own {
		r.links = append(r.links, Link{Title: "Order " + o.Number, URL: "/account/orders/" + url.PathEscape(o.Number)})
	}
	if len(f.shipments) == 0 && openOrder(o) {
		b.WriteString(" It has not been handed to a carrier yet.")
	}
	for _, sf := range f.shipments {
		s := sf.s
		fmt.Fprintf(b, "\nParcel %s (%s): %s. %s", s.TrackingNumber, s.Carrier, s.Status.Label(), s.Status.Explain())
		if sf.latest != nil {
			fmt.Fprintf(b, " Latest update: %s.", eventText(sf.latest))
		}
		switch s.Status {
		case portal.StatusDelivered, portal.StatusCancelled, portal.StatusReturning, portal.StatusOutForDelivery, portal.StatusAvailableForPickup:
			// Arrived, or arriving today: an earlier estimate says nothing.
		default:
			if s.EstimatedDelivery != nil {
				fmt.Fprintf(b, " Expected delivery: %s.", day(s.EstimatedDelivery.UTC()))
			}
		}
		if own {
			r.links = append(r.links, Link{Title: "Track parcel " + s.TrackingNumber, URL: fmt.Sprintf("/account/shipments/%d", s.ID)})
		} else if e.cfg.ParcelLink != nil {
			r.links = append(r.links, Link{Title: "Follow parcel " + s.TrackingNumber + " live", URL: e.cfg.ParcelLink(s.ID)})
		}
	}
}

func (e *Engine) tellInvoice(b *strings.Builder, r *orderReply, f *orderFacts, loc *time.Location) {
	o := f.order
	if len(f.invoices) == 0 {
		fmt.Fprintf(b, "There is no invoice for order %s yet. We issue it when the order is paid; a person can look into it for you.", o.Number)
		r.meta["offer"] = "person"
		r.links = append(r.links, Link{Title: "Order " + o.Number, URL: "/account/orders/" + url.PathEscape(o.Number)})
		return
	}
	for i, inv := range f.invoices {
		if i > 0 {
			b.WriteString("\n")
		}
		state := inv.Status
		switch inv.Status {
		case "paid":
			state = "paid"
			if inv.PaidAt != nil {
				state = "paid on " + inv.PaidAt.In(loc).Format("2 January")
			}
		case "open":
			state = "open, due " + inv.DueAt.In(loc).Format("2 January")
		case "void":
			state = "void"
		}
		fmt.Fprintf(b, "Invoice %s for order %s, issued %s: %d.%02d %s, %s. Open it in your account to view it or download the PDF.",
			inv.Number, o.Number, inv.IssuedAt.In(loc).Format("2 January"), inv.TotalMinor/100, inv.TotalMinor%100, inv.Currency, state)
		r.links = append(r.links, Link{Title: "Invoice " + inv.Number, URL: "/account/invoices/" + url.PathEscape(inv.Number)},
			Link{Title: "Invoice " + inv.Number + " (PDF)", URL: "/account/invoices/" + url.PathEscape(inv.Number) + "/pdf"})
	}
}

// shippedYet reports whether any parcel of the order has left us.
func shippedYet(f *orderFacts) bool {
	for _, sf := range f.shipments {
		switch sf.s.Status {
		case portal.StatusPending, portal.StatusInfoReceived, portal.StatusCancelled, "":
		default:
			return true
		}
	}
	return f.order.Status == portal.OrderShipped || f.order.Status == portal.OrderDelivered
}

// deliveredOn is when the order's last parcel was delivered, if it was.
func deliveredOn(f *orderFacts) (time.Time, bool) {
	var at time.Time
	for _, sf := range f.shipments {
		if sf.s.Status != portal.StatusDelivered {
			return time.Time{}, false
		}
		if sf.latest != nil && sf.latest.OccurredAt.After(at) {
			at = sf.latest.OccurredAt
		}
	}
	return at, f.order.Status == portal.OrderDelivered || len(f.shipments) > 0
}

// tellCancel says whether the order can still be cancelled: until the
// back office packs it, the customer does it on the order page.
func tellCancel(b *strings.Builder, r *orderReply, f *orderFacts) {
	o := f.order
	switch {
	case o.Status == portal.OrderCancelled:
		b.WriteString("\nThis order is already cancelled.")
	case o.Changeable():
		b.WriteString("\nIt is not packed yet, so you can still cancel it, or send it to another address, yourself on its order page.")
		r.links = append(r.links, Link{Title: "Cancel order " + o.Number, URL: "/account/orders/" + url.PathEscape(o.Number) + "/cancel"})
	case !shippedYet(f):
		b.WriteString("\nIt is already packed, so it can no longer be cancelled. Once it has arrived you can return it instead.")
	default:
		b.WriteString("\nIt has already left us, so it can no longer be cancelled. Once it has arrived you can return it instead.")
	}
}

// tellReturn says whether and how the order can be returned: once it has
// arrived, the customer starts a return or an exchange on the order's
// return page (the retailer's rules decide there); a person can help too.
func tellReturn(b *strings.Builder, r *orderReply, f *orderFacts) {
	switch at, delivered := deliveredOn(f); {
	case f.order.Status == portal.OrderCancelled:
		b.WriteString("\nThis order was cancelled, so there is nothing to return.")
	case delivered:
		if !at.IsZero() {
			fmt.Fprintf(b, "\nIt was delivered on %s.", day(at))
		} else {
			b.WriteString("\nIt has been delivered.")
		}
		b.WriteString(" You can start a return or an exchange yourself: choose the items on the order's return page. If something went wrong, a person can help too.")
		r.links = append(r.links, Link{Title: "Return or exchange items from order " + f.order.Number, URL: "/account/orders/" + url.PathEscape(f.order.Number) + "/return"})
		r.meta["offer"] = "person"
	default:
		b.WriteString("\nIt has not arrived yet. Once it has, you can return it; if you no longer want it, a person can help.")
		r.meta["offer"] = "person"
	}
}

// guestOrderAnswer answers a guest: without an order number and contact
// it asks for them; with both it checks them exactly as /track does and
// tells only what /track shows (no name, address or items).
func (e *Engine) guestOrderAnswer(ctx context.Context, conv *portal.Conversation, p Participant, q orderQuestion, ref string) orderReply {
	r := orderReply{answered: true, meta: map[string]any{orderKey: true}}
	if ref == "" && len(q.refs) > 0 {
		ref = q.refs[0]
	}
	contact := q.email
	if contact == "" {
		contact = q.postcode
	}
	if q.topic == topicInvoice && ref == "" {
		r.body = "Your invoices are in your account: sign in and open the order. No account? A person can send the invoice to you."
		r.links = []Link{{Title: "Sign in", URL: "/login"}}
		r.meta["offer"] = "person"
		return r
	}
	if e.cfg.GuestOrders == nil {
		r.body = "You can follow your order on the Track an order page with your order number and the email address or postcode you ordered with, or sign in to see all your orders."
		r.links = []Link{{Title: "Track an order", URL: "/track"}, {Title: "Sign in", URL: "/login"}}
		return r
	}
	switch {
	case ref == "":
		r.body = "I can look that up. Send me your order number (it is in your confirmation email) and the email address or postcode you ordered with. Or sign in to see all your orders."
		r.meta[orderAskKey] = "number"
		r.links = []Link{{Title: "Sign in", URL: "/login"}}
		return r
	case contact == "":
		r.body = "Thanks. Now send me the email address or postcode you ordered with, so I know the order is yours."
		r.meta[orderAskKey] = "contact"
		r.meta[orderRefKey] = ref
		return r
	}
	// The look-up takes an order or a tracking number in any case.
	o, err := e.cfg.GuestOrders.Find(ctx, p.IP, ref, contact)
	switch {
	case portal.ErrorCode(err) == portal.ETOOMANY:
		r.body = portal.ErrorMessage(err) + " Or talk to a person."
		r.meta["offer"] = "person"
		return r
	case portal.IsNotFound(err):
		r.body = portal.ErrorMessage(err)
		r.meta[orderAskKey] = "number"
		r.meta["offer"] = "person"
		return r
	case err != nil:
		e.log.Error("bot: guest order look-up", "conversation_id", conv.ID, "err", err)
		r.body, r.answered = e.failText(conv), false
		return r
	}
	f, err := e.loadFacts(ctx, nil, o, false)
	if err != nil {
		e.log.Error("bot: guest order facts", "conversation_id", conv.ID, "err", err)
		r.body, r.answered = e.failText(conv), false
		return r
	}
	// Only what tracking needs: no name, address or items.
	f.order = &portal.Order{Number: o.Number, PlacedAt: o.PlacedAt, Status: o.Status}
	var b strings.Builder
	e.tellStatus(&b, &r, f, time.UTC, false)
	switch q.topic {
	case topicCancel:
		tellCancel(&b, &r, f)
	case topicReturn:
		tellReturn(&b, &r, f)
	case topicInvoice:
		b.WriteString("\nYour invoice is in your account: sign in and open the order.")
	}
	r.body = b.String()
	r.meta[orderKey] = []string{o.Number}
	r.links = append(r.links, Link{Title: "Track an order", URL: "/track"})
	return r
}

// guestFollowUp completes a guest's order look-up over two messages: the
// bot asked for the contact (or the number), and this message brings it.
func (e *Engine) guestFollowUp(ctx context.Context, conv *portal.Conversation, p Participant, q orderQuestion) (orderReply, bool) {
	if e.cfg.GuestOrders == nil || q.email == "" && q.postcode == "" || conv.LastSeq == 0 {
		return orderReply{}, false
	}
	msgs, err := e.store.FindMessages(ctx, conv.ID, max(conv.LastSeq-4, 0), false, 8)
	if err != nil {
		e.log.Error("bot: read conversation", "conversation_id", conv.ID, "err", err)
		return orderReply{}, false
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Seq > conv.LastSeq || m.Author != portal.AuthorBot {
			continue
		}
		var meta struct {
			Ask string `json:"order_ask"`
			Ref string `json:"order_ref"`
		}
		if err := json.Unmarshal([]byte(m.Meta), &meta); err != nil || meta.Ask != "contact" || meta.Ref == "" {
			return orderReply{}, false
		}
		q.topic = topicStatus
		return e.guestOrderAnswer(ctx, conv, p, q, meta.Ref), true
	}
	return orderReply{}, false
}

func joinAnd(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

func uniqueStrings(list []string) []string {
	var out []string
	for _, s := range list {
		out = appendUnique(out, s)
	}
	return out
}
