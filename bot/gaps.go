package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/search"
)

// recordGap records a question the bot could not answer, with its
// conversation, so that editors find it among the content gaps. It writes
// in the background (gapQueue): the customer's answer does not wait for it.
func (e *Engine) recordGap(ctx context.Context, conv *portal.Conversation, question string, ret search.Retrieval) {
	if e.cfg.Gaps == nil || strings.TrimSpace(question) == "" {
		return
	}
	u := &portal.UnansweredQuestion{Question: question, Locale: conv.Locale, Confidence: ret.Confidence, ConversationID: &conv.ID}
	if best, ok := ret.Best(); ok {
		if id, err := strconv.ParseInt(best.ID, 10, 64); err == nil {
			u.BestArticleID = &id
		}
	}
	e.gaps.add(e, u)
}

// gapBatchWait is how long the first unanswered question of a batch waits
// for others to join it: on a busy bot that turns a write (and a commit)
// per question into one per batch. The gaps page reads them minutes later.
const gapBatchWait = 100 * time.Millisecond

// unansweredBatcher is a Gaps recorder that stores several questions in
// one statement (the SQL stores).
type unansweredBatcher interface {
	RecordUnansweredBatch(ctx context.Context, qs []*portal.UnansweredQuestion) error
}

// gapQueue holds the unanswered questions waiting to be written; one
// goroutine at a time writes them, a batch at a time.
type gapQueue struct {
	mu      sync.Mutex
	pending []*portal.UnansweredQuestion
	running bool
}

func (q *gapQueue) add(e *Engine, u *portal.UnansweredQuestion) {
	q.mu.Lock()
	q.pending = append(q.pending, u)
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		e.background(func() { q.drain(e) })
	}
}

// drain writes batches until none is left; Close (the engine's context
// ending) cuts the wait short, so nothing is left behind.
func (q *gapQueue) drain(e *Engine) {
	for {
		t := time.NewTimer(gapBatchWait)
		select {
		case <-t.C:
		case <-e.ctx.Done():
			t.Stop()
		}
		q.mu.Lock()
		batch := q.pending
		q.pending = nil
		if len(batch) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		e.writeGaps(batch)
	}
}

func (e *Engine) writeGaps(batch []*portal.UnansweredQuestion) {
	ctx := context.WithoutCancel(e.ctx)
	if b, ok := e.cfg.Gaps.(unansweredBatcher); ok {
		if err := b.RecordUnansweredBatch(ctx, batch); err != nil {
			e.log.Error("bot: record unanswered questions", "questions", len(batch), "err", err)
		}
		return
	}
	for _, u := range batch {
		if err := e.cfg.Gaps.RecordUnanswered(ctx, u); err != nil {
			e.log.Error("bot: record unanswered question", "conversation_id", *u.ConversationID, "err", err)
		}
	}
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
	e.recordAnswerGap(ctx, conv, question.Body, answer.Seq)
}
