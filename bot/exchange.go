package bot

import (
	"context"
	"sync"

	"github.com/frontdesk/frontdesk/portal"
)

// A question the bot can answer from the knowledge base alone is answered
// before it is stored, and the question and its answer are stored together
// (portal.Exchange): one transaction and one commit instead of two, and no
// read of the conversation first. The question is still stored before it
// is acknowledged, and the statement that stores the pair checks that the
// conversation is as the bot saw it (state bot, the same count of
// unanswered questions, the asker's); when it is not, or the question's
// client id is stored already, nothing is stored and the question takes
// the usual way (Send's), which says what became of the chat.
//
// What the bot saw comes from botHints: the count it stored with its last
// answer in the conversation on this node. A stale hint costs one refused
// statement, never a wrong answer.

// maxBotHints bounds the hints kept; when full they are dropped, and the
// next question of each conversation takes the usual way once.
const maxBotHints = 1 << 16

// botHints holds, per conversation, the count of unanswered questions in
// a row the bot last stored with an answer there (or 0 for a conversation
// this node opened).
type botHints struct {
	mu sync.Mutex
	m  map[int64]int32
}

func (h *botHints) get(conv int64) (int, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n, ok := h.m[conv]
	return int(n), ok
}

func (h *botHints) set(conv int64, failures int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil || len(h.m) >= maxBotHints {
		h.m = make(map[int64]int32)
	}
	h.m[conv] = int32(failures)
}

func (h *botHints) forget(conv int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.m, conv)
}

// answersAtOnce reports whether the bot's reply to text comes from the
// knowledge base alone, with no model, no order data, no hand-off and no
// read of the conversation: respond would take exactly that way.
func (e *Engine) answersAtOnce(p Participant, text string) bool {
	if e.cfg.Completer != nil || WantsPerson(text) {
		return false
	}
	if e.cfg.Orders == nil {
		return true
	}
	// answerOrder's choice, without its reads.
	q, isOrder := parseOrderQuestion(text)
	if isOrder {
		return false
	}
	return p.Customer != nil || e.cfg.GuestOrders == nil || q.email == "" && q.postcode == ""
}

// sendAnswered stores a customer's question in convID together with the
// bot's answer, when the hints say the bot has the chat and the answer
// needs nothing but the knowledge base. It reports false, having stored
// nothing, when the question must take the usual way.
func (e *Engine) sendAnswered(ctx context.Context, p Participant, convID int64, clientID, text string) (*portal.Conversation, *portal.Message, bool, error) {
	failures, ok := e.hints.get(convID)
	if !ok || p.Key() == "" || !e.answersAtOnce(p, text) {
		return nil, nil, false, nil
	}
	conv := &portal.Conversation{ID: convID, State: portal.ConvBot, BotFailures: failures, VisitorID: p.VisitorID}
	q := &portal.Message{ConversationID: convID, Author: portal.AuthorCustomer, ClientID: clientID, Body: text}
	x := &portal.Exchange{Question: q, WasFailures: failures, VisitorID: p.VisitorID}
	if p.Customer != nil {
		q.AuthorID, conv.CustomerID, x.CustomerID = &p.Customer.ID, &p.Customer.ID, &p.Customer.ID
	}
	ret := e.retrieve(ctx, conv, text)
	body, links, answered := e.articleAnswer(conv, ret)
	answer, count, fails := botMessage(conv, body, links, answered, nil)
	x.Answer, x.BotFailures = answer, count
	stored, err := e.store.AppendExchange(ctx, x)
	if err != nil || !stored {
		e.hints.forget(convID)
		return nil, nil, false, err
	}
	e.hints.set(convID, count)
	if !answered {
		e.recordGap(ctx, conv, q.Body, ret)
	}
	e.publishMessage(ctx, q)
	e.publishMessage(ctx, answer)
	if fails >= 2 {
		conv.BotFailures, conv.LastSeq = count, answer.Seq
		e.background(func() {
			if _, err := e.handoff(e.ctx, conv); err != nil {
				e.log.Error("bot: hand off", "conversation_id", convID, "err", err)
			}
		})
	}
	return conv, q, true, nil
}
