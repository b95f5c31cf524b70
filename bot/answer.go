package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/search"
)

// personPhrases are ways customers ask for a person.
var personPhrases = []string{
	"talk to a human", "speak to a human", "a human", "human please", "real person", "a person", "talk to someone",
	"speak to someone", "live agent", "an agent", "talk to agent", "speak to agent", "operator", "representative",
	"customer service", "talk to support", "contact support",
}

// WantsPerson reports whether text asks for a person.
func WantsPerson(text string) bool {
	t := " " + strings.Join(strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ") + " "
	for _, p := range personPhrases {
		if strings.Contains(t, " "+p+" ") {
			return true
		}
	}
	return strings.TrimSpace(t) == "human" || strings.TrimSpace(t) == "agent" || strings.TrimSpace(t) == "person"
}

// Link is an article shown under a bot answer.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// respond is the bot's turn after a customer message: hand off when asked,
// otherwise answer, and after two failures in a row hand off anyway. conv
// is the conversation as Send found it, not read again: whatever changed
// since, the bot's writes are conditional on it still owning the chat
// (checked in the transaction that stores its answer).
func (e *Engine) respond(ctx context.Context, conv *portal.Conversation, p Participant, m *portal.Message) {
	convID := conv.ID
	if WantsPerson(m.Body) {
		e.recordHandoffGap(ctx, conv)
		if _, err := e.handoff(ctx, conv); err != nil {
			e.log.Error("bot: hand off", "conversation_id", convID, "err", err)
		}
		return
	}
	meta := map[string]any{}
	var body string
	var links []Link
	var answered bool
	if r, ok := e.answerOrder(ctx, conv, p, m.Body); ok {
		body, links, answered = r.body, r.links, r.answered
		for k, v := range r.meta {
			meta[k] = v
		}
	} else {
		body, links, answered = e.answer(ctx, conv, p, m.Body)
	}
	answer, count, fails := botMessage(conv, body, links, answered, meta)
	// The bot speaks only while it owns the chat: checked by the statement
	// that stores its message, which also stores the count (one commit).
	stored, err := e.store.AppendBotAnswer(ctx, answer, count)
	if err != nil || !stored {
		e.hints.forget(convID)
		if err != nil && !isConflict(err) {
			e.log.Error("bot: store answer", "conversation_id", convID, "err", err)
		}
		return
	}
	e.hints.set(convID, count)
	e.publishMessage(ctx, answer)
	conv.BotFailures = count
	if fails >= 2 {
		if _, err := e.handoff(ctx, conv); err != nil {
			e.log.Error("bot: hand off", "conversation_id", convID, "err", err)
		}
	}
}

// botMessage is the bot's message for a reply (meta may hold extras
// already), with the conversation's new count of unanswered questions in
// a row (count) and the failures so far (fails; two or more hand off).
func botMessage(conv *portal.Conversation, body string, links []Link, answered bool, meta map[string]any) (m *portal.Message, count, fails int) {
	if len(links) > 0 {
		if meta == nil {
			meta = map[string]any{}
		}
		meta["links"] = links
	}
	if !answered {
		fails = conv.BotFailures + 1
		if fails < 2 {
			if meta == nil {
				meta = map[string]any{}
			}
			meta["offer"] = "person"
		}
	}
	// The failure count is stored with the answer: a customer who reads
	// the answer and asks again must find it counted. The second failure in
	// a row hands the chat off, and the count starts again with it: a
	// person takes the chat, or nobody can, and a customer who carries on
	// asking is not told so after every unanswered question, only after
	// two more in a row. (Reset before the offer is shown, not after: the
	// next question may come at once.)
	count = fails
	if fails >= 2 {
		count = 0
	}
	return &portal.Message{ConversationID: conv.ID, Author: portal.AuthorBot, Body: body, Meta: metaJSON(meta)}, count, fails
}

const (
	noAnswerText  = "Sorry, I could not find an answer to that. Try asking in other words, or talk to a person."
	noAnswer2Text = "I still could not find an answer, so let me get you a person."
)

// answer writes the bot's reply and reports whether it answered.
func (e *Engine) answer(ctx context.Context, conv *portal.Conversation, p Participant, question string) (string, []Link, bool) {
	var ret search.Retrieval
	if e.cfg.Knowledge != nil {
		var err error
		ret, err = e.cfg.Knowledge.Retrieve(ctx, question)
		if err != nil {
			e.log.Error("bot: retrieve", "conversation_id", conv.ID, "err", err)
		}
	}
	if e.cfg.Completer != nil {
		body, links, ok, err := e.answerWithModel(ctx, conv, p, question, ret)
		if err == nil {
			if ok {
				return body, links, true
			}
			e.recordGap(ctx, conv, question, ret)
			return e.failText(conv), nil, false
		}
		e.log.Warn("bot: model failed; answering from articles", "conversation_id", conv.ID, "err", err)
	}
	body, links, ok := e.articleAnswer(conv, ret)
	if !ok {
		e.recordGap(ctx, conv, question, ret)
	}
	return body, links, ok
}

func (e *Engine) failText(conv *portal.Conversation) string {
	if conv.BotFailures >= 1 {
		return noAnswer2Text
	}
	return noAnswerText
}

// articleAnswer answers with the best article's summary and a link when
// the retrieval says it is good enough.
func (e *Engine) articleAnswer(conv *portal.Conversation, ret search.Retrieval) (string, []Link, bool) {
	best, ok := ret.Best()
	if !ok || ret.Decision != search.DecisionAnswer {
		return e.failText(conv), nil, false
	}
	a, known := e.cfg.Knowledge.Article(best.ID)
	if !known {
		return e.failText(conv), nil, false
	}
	body := strings.TrimSpace(a.Summary)
	if body == "" {
		body = a.Title
	}
	return body, []Link{{Title: a.Title, URL: e.cfg.ArticleURL(a)}}, true
}

const noAnswerToken = "NO_ANSWER"

var citation = regexp.MustCompile(`\[(\d+)\]`)

// answerWithModel asks the model, grounded on the retrieved articles and,
// for signed-in customers, tools over their own orders. Text streams to the
// customer as partial events. ok is false when the model says the articles
// do not answer the question.
func (e *Engine) answerWithModel(ctx context.Context, conv *portal.Conversation, p Participant, question string, ret search.Retrieval) (string, []Link, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.ModelTimeout)
	defer cancel()
	var arts []*portal.Article
	for _, m := range ret.Matches {
		if a, ok := e.cfg.Knowledge.Article(m.ID); ok && len(arts) < 3 {
			arts = append(arts, a)
		}
	}
	var sys strings.Builder
	sys.WriteString("You are the customer service assistant of an online shop. Answer the customer's question using only the numbered help articles below")
	if p.Customer != nil && e.cfg.Orders != nil {
		sys.WriteString(" and the results of the tools about this customer's own orders and shipments")
	}
	sys.WriteString(". Cite the articles you use as [1], [2]. Be brief and friendly. If the articles do not answer the question, reply exactly " + noAnswerToken + ".\n\n")
	for i, a := range arts {
		fmt.Fprintf(&sys, "[%d] %s (%s)\n%s\n%s\n\n", i+1, a.Title, e.cfg.ArticleURL(a), a.Summary, truncateRunes(a.Body, 1500))
	}
	req := CompletionRequest{Messages: []ChatMessage{{Role: RoleSystem, Content: sys.String()}}}
	history, err := e.store.FindMessages(ctx, conv.ID, max(conv.LastSeq-10, 0), false, 20)
	if err == nil {
		for _, m := range history {
			switch m.Author {
			case portal.AuthorCustomer:
				req.Messages = append(req.Messages, ChatMessage{Role: RoleUser, Content: m.Body})
			case portal.AuthorBot, portal.AuthorAgent:
				req.Messages = append(req.Messages, ChatMessage{Role: RoleAssistant, Content: m.Body})
			}
		}
	}
	if n := len(req.Messages); n == 1 || req.Messages[n-1].Content != question {
		req.Messages = append(req.Messages, ChatMessage{Role: RoleUser, Content: question})
	}
	var tools *orderTools
	if p.Customer != nil && e.cfg.Orders != nil {
		tools = &orderTools{orders: e.cfg.Orders, customerID: p.Customer.ID, find: e.findOnAccount}
		req.Tools = tools.specs()
	}
	stream := newStreamID()
	var sent strings.Builder
	var pending strings.Builder
	onDelta := func(d string) {
		if sent.Len() == 0 {
			// Hold back text that might be the no-answer token.
			pending.WriteString(d)
			s := pending.String()
			if strings.HasPrefix(noAnswerToken, strings.TrimSpace(s)) || strings.HasPrefix(strings.TrimSpace(s), noAnswerToken) {
				return
			}
			d = s
		}
		sent.WriteString(d)
		e.publish(ctx, Event{Kind: EventPartial, ConversationID: conv.ID, Stream: stream, Text: d})
	}
	for round := 0; round < 4; round++ {
		c, err := e.cfg.Completer.Complete(ctx, req, onDelta)
		if err != nil {
			return "", nil, false, err
		}
		if len(c.ToolCalls) == 0 || tools == nil {
			text := strings.TrimSpace(c.Content)
			if text == "" || strings.Contains(text, noAnswerToken) {
				return "", nil, false, nil
			}
			var links []Link
			seen := map[int]bool{}
			for _, mm := range citation.FindAllStringSubmatch(text, -1) {
				n, _ := strconv.Atoi(mm[1])
				if n >= 1 && n <= len(arts) && !seen[n] {
					seen[n] = true
					links = append(links, Link{Title: arts[n-1].Title, URL: e.cfg.ArticleURL(arts[n-1])})
				}
			}
			return text, links, true, nil
		}
		req.Messages = append(req.Messages, ChatMessage{Role: RoleAssistant, Content: c.Content, ToolCalls: c.ToolCalls})
		for _, tc := range c.ToolCalls {
			req.Messages = append(req.Messages, ChatMessage{Role: RoleTool, ToolCallID: tc.ID, Content: tools.call(ctx, tc)})
		}
	}
	return "", nil, false, fmt.Errorf("bot: model kept calling tools")
}

func newStreamID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// orderTools are the model's tools over one customer's orders. The
// customer id comes from the session, never from the model, so the model
// cannot read anyone else's data.
type orderTools struct {
	orders     OrderReader
	customerID int64
	// find resolves an order, tracking or invoice number on the account.
	find func(ctx context.Context, customerID int64, ref string) (*portal.Order, error)
}

func (t *orderTools) specs() []Tool {
	return []Tool{
		{Name: "list_orders", Description: "List the signed-in customer's most recent orders.",
			Parameters: json.RawMessage(`{"type":"object","properties":{}}`)},
		{Name: "get_order", Description: "Get one of the signed-in customer's orders by its order number (or a parcel's tracking number, or an invoice number), with items, parcels (status, latest tracking event, estimated delivery) and invoices, and links to their pages.",
			Parameters: json.RawMessage(`{"type":"object","properties":{"number":{"type":"string","description":"order number like NW-10001, tracking number or invoice number"}},"required":["number"]}`)},
	}
}

func (t *orderTools) call(ctx context.Context, tc ToolCall) string {
	out, err := t.run(ctx, tc)
	if err != nil {
		out = map[string]string{"error": portal.ErrorMessage(err)}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

type toolOrder struct {
	Number    string         `json:"number"`
	URL       string         `json:"url"`
	Status    string         `json:"status"`
	Payment   string         `json:"payment_status"`
	Total     string         `json:"total"`
	PlacedAt  string         `json:"placed_at"`
	Items     []string       `json:"items,omitempty"`
	Shipments []toolShipment `json:"shipments,omitempty"`
	Invoices  []toolInvoice  `json:"invoices,omitempty"`
}

type toolInvoice struct {
	Number string `json:"number"`
	Status string `json:"status"`
	Total  string `json:"total"`
	URL    string `json:"url"`
	PDF    string `json:"pdf_url"`
}

type toolShipment struct {
	Carrier  string `json:"carrier"`
	Tracking string `json:"tracking_number"`
	Status   string `json:"status"`
	Meaning  string `json:"meaning"`
	Estimate string `json:"estimated_delivery,omitempty"`
	Latest   string `json:"latest_event,omitempty"`
	URL      string `json:"url"`
}

func (t *orderTools) run(ctx context.Context, tc ToolCall) (any, error) {
	conv := func(o *portal.Order) toolOrder {
		to := toolOrder{Number: o.Number, URL: "/account/orders/" + url.PathEscape(o.Number), Status: o.Status, Payment: o.PaymentStatus, PlacedAt: o.PlacedAt.Format("2006-01-02"),
			Total: fmt.Sprintf("%d.%02d %s", o.TotalMinor/100, o.TotalMinor%100, o.Currency)}
		return to
	}
	switch tc.Name {
	case "list_orders":
		list, _, err := t.orders.FindOrders(ctx, portal.OrderFilter{CustomerID: &t.customerID, Limit: 10})
		if err != nil {
			return nil, err
		}
		out := []toolOrder{}
		for _, o := range list {
			out = append(out, conv(o))
		}
		return map[string]any{"orders": out}, nil
	case "get_order":
		var args struct {
			Number string `json:"number"`
		}
		if err := json.Unmarshal([]byte(tc.Arguments), &args); err != nil || args.Number == "" {
			return nil, portal.FieldError("number", "Give an order number.")
		}
		n := strings.TrimSpace(args.Number)
		found, err := t.find(ctx, t.customerID, n)
		if err != nil {
			return nil, err
		}
		if found == nil {
			return nil, portal.Errorf(portal.ENOTFOUND, "No order %s on this account.", n)
		}
		o := conv(found)
		for _, it := range found.Items {
			o.Items = append(o.Items, fmt.Sprintf("%d x %s", it.Quantity, it.Name))
		}
		ships, _, err := t.orders.FindShipments(ctx, portal.ShipmentFilter{OrderID: &found.ID, CustomerID: &t.customerID})
		if err != nil {
			return nil, err
		}
		for _, s := range ships {
			ts := toolShipment{Carrier: s.Carrier, Tracking: s.TrackingNumber, Status: s.Status.Label(), Meaning: s.Status.Explain(),
				URL: fmt.Sprintf("/account/shipments/%d", s.ID)}
			if s.EstimatedDelivery != nil {
				ts.Estimate = s.EstimatedDelivery.Format("2006-01-02")
			}
			evs, err := t.orders.FindTrackingEvents(ctx, s.ID)
			if err != nil {
				return nil, err
			}
			if len(evs) > 0 {
				ts.Latest = eventText(evs[0])
			}
			o.Shipments = append(o.Shipments, ts)
		}
		invs, _, err := t.orders.FindInvoices(ctx, portal.InvoiceFilter{OrderID: &found.ID, CustomerID: &t.customerID, Limit: 5})
		if err != nil {
			return nil, err
		}
		for _, inv := range invs {
			u := "/account/invoices/" + url.PathEscape(inv.Number)
			o.Invoices = append(o.Invoices, toolInvoice{Number: inv.Number, Status: inv.Status, URL: u, PDF: u + "/pdf",
				Total: fmt.Sprintf("%d.%02d %s", inv.TotalMinor/100, inv.TotalMinor%100, inv.Currency)})
		}
		return o, nil
	}
	return nil, portal.Errorf(portal.EINVALID, "Unknown tool %s.", tc.Name)
}
