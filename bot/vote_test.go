package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
)

// TestVoteRecordsGapOncePerAnswer: No, Yes, No on one answer, then a
// request for a person right after it, record the question among the
// content gaps once; a No on another answer records its own.
func TestVoteRecordsGapOncePerAnswer(t *testing.T) {
	env := mustEnv(t, nil)
	ctx := context.Background()
	// An engine that records gaps, on the same store.
	e := bot.New(bot.Config{Store: env.store, Users: env.store, Knowledge: nil, Gaps: env.store})
	p := bot.Participant{VisitorID: "v-gap"}
	conv, _, _, err := env.engine.Send(ctx, p, 0, "q1", "how long does delivery take?")
	if err != nil {
		t.Fatal(err)
	}
	answer := env.waitMessages(t, conv.ID, 2)[1]
	if answer.Author != portal.AuthorBot {
		t.Fatalf("no answer: %+v", answer)
	}
	for _, helpful := range []bool{false, true, false} {
		if err := e.Vote(ctx, p, conv.ID, answer.Seq, helpful); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.RequestPerson(ctx, p, conv.ID); err != nil {
		t.Fatal(err)
	}
	e.Close() // waits for the gaps being written
	list, err := env.store.FindUnansweredQuestions(ctx, portal.GapFilter{Since: time.Now().Add(-time.Hour), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range list {
		if u.ConversationID != nil && *u.ConversationID == conv.ID {
			n++
			if u.Question != "how long does delivery take?" || u.AnswerSeq == nil || *u.AnswerSeq != answer.Seq {
				t.Fatalf("gap %+v, want the question of answer %d", u, answer.Seq)
			}
		}
	}
	if n != 1 {
		t.Fatalf("the question was recorded %d times, want once", n)
	}
}
