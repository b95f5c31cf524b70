package storetest

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// testAnswerVotes: a vote on a bot answer is kept once per answer,
// changing it replaces it, only the bot's messages take one, and the
// support figures see a "not helpful" vote.
func testAnswerVotes(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	conv := MustCreateConversation(t, s, "v-vote", nil)
	for _, author := range []string{portal.AuthorCustomer, portal.AuthorBot, portal.AuthorCustomer, portal.AuthorBot} {
		if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: conv.ID, Author: author, Body: "text"}); err != nil {
			t.Fatal(err)
		}
	}
	other := MustCreateConversation(t, s, "v-other", nil)
	if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: other.ID, Author: portal.AuthorBot, Body: "answer"}); err != nil {
		t.Fatal(err)
	}
	vote := func(seq int64, helpful bool) (*portal.AnswerVote, error) {
		v := &portal.AnswerVote{ConversationID: conv.ID, Seq: seq, Helpful: helpful}
		return v, s.VoteAnswer(ctx(), v)
	}
	stats := func() portal.ConversationStat {
		t.Helper()
		cs, err := s.ConversationStats(ctx(), portal.SupportFilter{From: c.t.Add(-time.Hour), To: c.t.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range cs {
			if st.ID == conv.ID {
				return st
			}
		}
		t.Fatalf("conversation %d not in the stats", conv.ID)
		return portal.ConversationStat{}
	}

	t.Run("OnlyBotAnswers", func(t *testing.T) {
		_, err := vote(1, true) // the customer's own message
		wantCode(t, err, portal.ENOTFOUND)
		_, err = vote(9, true) // no such message
		wantCode(t, err, portal.ENOTFOUND)
		err = s.VoteAnswer(ctx(), &portal.AnswerVote{ConversationID: conv.ID + 1000, Seq: 2, Helpful: true})
		wantCode(t, err, portal.ENOTFOUND)
	})
	t.Run("OnePerAnswerAndReplaced", func(t *testing.T) {
		v, err := vote(2, true)
		if err != nil || !v.Changed {
			t.Fatalf("first vote: changed=%v err=%v", v.Changed, err)
		}
		if st := stats(); st.NotHelpful {
			t.Fatal("a helpful vote counts as not helpful")
		}
		v, err = vote(2, true)
		if err != nil || v.Changed {
			t.Fatalf("same vote again: changed=%v err=%v, want unchanged", v.Changed, err)
		}
		v, err = vote(2, false)
		if err != nil || !v.Changed {
			t.Fatalf("changed vote: changed=%v err=%v", v.Changed, err)
		}
		if _, err := vote(4, true); err != nil {
			t.Fatal(err)
		}
		got, err := s.AnswerVotes(ctx(), conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[2] != false || got[4] != true {
			t.Fatalf("votes = %v, want {2: false, 4: true}", got)
		}
		if st := stats(); !st.NotHelpful {
			t.Fatal("a not-helpful vote is not in the stats")
		}
		if got, err := s.AnswerVotes(ctx(), other.ID); err != nil || len(got) != 0 {
			t.Fatalf("other conversation's votes = %v, %v; want none", got, err)
		}
		v, err = vote(2, true)
		if err != nil || !v.Changed {
			t.Fatalf("back to helpful: changed=%v err=%v", v.Changed, err)
		}
		if st := stats(); st.NotHelpful {
			t.Fatal("a vote changed back to helpful still counts as not helpful")
		}
	})
}
