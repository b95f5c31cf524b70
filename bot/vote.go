package bot

import (
	"context"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

// Vote records a customer's "Helpful? Yes / No" on a bot answer of their
// own conversation (seq is the answer's); voting again replaces the vote.
// Another's conversation is ENOTFOUND, as is a message that is not the
// bot's. An answer voted not helpful records the question it answered
// among the content gaps, as an unanswered question is, once per answer
// (No, Yes, No is one gap): editors see where the articles fall short.
func (e *Engine) Vote(ctx context.Context, p Participant, convID, seq int64, helpful bool) error {
	if convID == 0 || seq <= 0 {
		return portal.Errorf(portal.EINVALID, "Say which answer the vote is for.")
	}
	conv, err := e.Conversation(ctx, p, convID)
	if err != nil {
		return err
	}
	v := &portal.AnswerVote{ConversationID: conv.ID, Seq: seq, Helpful: helpful}
	if err := e.store.VoteAnswer(ctx, v); err != nil {
		return err
	}
	if !v.Changed {
		return nil
	}
	// The customer's other tabs and the agents who follow the chat see
	// the vote now, on every node.
	e.publish(ctx, Event{Kind: EventVote, ConversationID: conv.ID, Seq: seq, Helpful: helpful})
	if !helpful {
		e.recordNotHelpfulGap(ctx, conv, seq)
	}
	return nil
}

// Votes returns the votes on a conversation's answers, by sequence number.
func (e *Engine) Votes(ctx context.Context, convID int64) (map[int64]bool, error) {
	return e.store.AnswerVotes(ctx, convID)
}

// recordNotHelpfulGap records the customer's question that the answer at
// seq answered.
func (e *Engine) recordNotHelpfulGap(ctx context.Context, conv *portal.Conversation, seq int64) {
	if e.cfg.Gaps == nil {
		return
	}
	msgs, err := e.store.FindMessages(ctx, conv.ID, max(seq-8, 0), false, 8)
	if err != nil {
		e.log.Error("bot: read conversation", "conversation_id", conv.ID, "err", err)
		return
	}
	var question *portal.Message
	for _, m := range msgs {
		if m.Seq < seq && m.Author == portal.AuthorCustomer {
			question = m
		}
	}
	if question != nil {
		e.recordAnswerGap(ctx, conv, question.Body, seq)
	}
}

// recordAnswerGap records the question that the bot's answer at seq
// answered and that did not help (voted not helpful, or followed by a
// request for a person): once per answer, however often it is said (the
// store keeps one per answer). It writes in the background: the customer
// does not wait for it.
func (e *Engine) recordAnswerGap(ctx context.Context, conv *portal.Conversation, question string, seq int64) {
	if e.cfg.Gaps == nil || strings.TrimSpace(question) == "" {
		return
	}
	u := &portal.UnansweredQuestion{Question: question, Locale: conv.Locale, ConversationID: &conv.ID, AnswerSeq: &seq}
	e.background(func() {
		if err := e.cfg.Gaps.RecordUnanswered(context.WithoutCancel(ctx), u); err != nil {
			e.log.Error("bot: record unhelpful answer's question", "conversation_id", conv.ID, "err", err)
		}
	})
}
