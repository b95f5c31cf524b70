package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/search"
)

// recordGap records a question the bot could not answer, with its
// conversation, so that editors find it among the content gaps. It writes
// in the background: the customer's answer does not wait for it.
func (e *Engine) recordGap(ctx context.Context, conv *portal.Conversation, question string, ret search.Retrieval) {
	if e.cfg.Gaps == nil || strings.TrimSpace(question) == "" {
		return
	}
	u := &portal.UnansweredQuestion{Question: question, Confidence: ret.Confidence, ConversationID: &conv.ID}
	if best, ok := ret.Best(); ok {
		if id, err := strconv.ParseInt(best.ID, 10, 64); err == nil {
			u.BestArticleID = &id
		}
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		if err := e.cfg.Gaps.RecordUnanswered(context.WithoutCancel(ctx), u); err != nil {
			e.log.Error("bot: record unanswered question", "conversation_id", conv.ID, "err", err)
		}
	}()
}

// recordHandoffGap records the question behind a hand-off that follows an
// answer from the knowledge base: the customer asking for a person right
// after it says the answer did not help. A hand-off after an unanswered
// question needs nothing more (the question was recorded when the bot
// failed it), nor one after an answer from the customer's own orders.
func (e *Engine) recordHandoffGap(ctx context.Context, conv *portal.Conversation) {
	if e.cfg.Gaps == nil || conv.State != portal.ConvBot || conv.BotFailures > 0 || conv.LastSeq < 2 {
		return
	}
	msgs, err := e.store.FindMessages(ctx, conv.ID, max(conv.LastSeq-6, 0), false, 8)
	if err != nil {
		e.log.Error("bot: read conversation", "conversation_id", conv.ID, "err", err)
		return
	}
	var answer, question *portal.Message
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Seq > conv.LastSeq {
			continue // the request for a person itself
		}
		if answer == nil {
			if m.Seq != conv.LastSeq || m.Author != portal.AuthorBot {
				return // the chat moved on since the bot's last answer
			}
			answer = m
			continue
		}
		if m.Author == portal.AuthorCustomer {
			question = m
			break
		}
	}
	if answer == nil || question == nil {
		return
	}
	var meta map[string]json.RawMessage
	if json.Unmarshal([]byte(answer.Meta), &meta) != nil || meta[orderKey] != nil || meta["links"] == nil {
		return
	}
	e.recordGap(ctx, conv, question.Body, search.Retrieval{})
}
