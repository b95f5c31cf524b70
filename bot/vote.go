package bot

import (
	"context"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/search"
)

// Vote records a customer's "Helpful? Yes / No" on a bot answer of their
// own conversation (seq is the answer's); voting again replaces the vote.
// Another's conversation is ENOTFOUND, as is a message that is not the
// bot's. An answer newly voted not helpful records the question it
// answered among the content gaps, as an unanswered question is: editors
// see where the articles fall short.
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
	if v.Changed && !helpful {
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
		e.recordGap(ctx, conv, question.Body, search.Retrieval{})
	}
}
