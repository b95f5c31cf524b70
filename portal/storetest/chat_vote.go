package storetest

import (
	"slices"
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
	t.Run("GapOncePerAnswer", func(t *testing.T) {
		count := func() (n int) {
			t.Helper()
			list, err := s.FindUnansweredQuestions(ctx(), portal.GapFilter{Since: c.t.Add(-time.Hour), Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range list {
				if u.ConversationID != nil && *u.ConversationID == conv.ID {
					n++
				}
			}
			return n
		}
		record := func(seq *int64) *portal.UnansweredQuestion {
			t.Helper()
			u := &portal.UnansweredQuestion{Question: "Where is my sofa?", ConversationID: &conv.ID, AnswerSeq: seq}
			if err := s.RecordUnanswered(ctx(), u); err != nil {
				t.Fatal(err)
			}
			return u
		}
		two, four := int64(2), int64(4)
		if u := record(&two); u.ID == 0 {
			t.Fatal("first gap of answer 2 not stored")
		}
		if u := record(&two); u.ID != 0 {
			t.Fatalf("answer 2's question stored again as %d", u.ID)
		}
		if got, want := count(), 1; got != want {
			t.Fatalf("gaps of the conversation = %d, want %d (once per answer)", got, want)
		}
		record(&four)
		record(nil) // questions of no answer are not limited
		record(nil)
		if got, want := count(), 4; got != want {
			t.Fatalf("gaps of the conversation = %d, want %d", got, want)
		}
	})
	t.Run("CountedAndFiltered", func(t *testing.T) {
		if _, err := vote(2, true); err != nil {
			t.Fatal(err)
		}
		if _, err := vote(4, false); err != nil {
			t.Fatal(err)
		}
		if err := s.VoteAnswer(ctx(), &portal.AnswerVote{ConversationID: other.ID, Seq: 1, Helpful: true}); err != nil {
			t.Fatal(err)
		}
		got, err := s.CountAnswerVotes(ctx(), []int64{conv.ID, other.ID, other.ID + 999})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]portal.AnswerVoteCount{conv.ID: {Helpful: 1, NotHelpful: 1}, other.ID: {Helpful: 1}}
		if len(got) != len(want) || got[conv.ID] != want[conv.ID] || got[other.ID] != want[other.ID] {
			t.Fatalf("counts = %v, want %v", got, want)
		}
		all, err := s.CountAnswerVotes(ctx(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := all[0], (portal.AnswerVoteCount{Helpful: 2, NotHelpful: 1}); got != want || len(all) != 1 {
			t.Fatalf("all counts = %v, want {0: %v}", all, want)
		}
		for _, tc := range []struct {
			voted portal.VoteFilter
			want  []int64
		}{
			{portal.VotedNotHelpful, []int64{conv.ID}},
			{portal.VotedHelpful, []int64{other.ID, conv.ID}},
			{portal.VotedAny, []int64{other.ID, conv.ID}},
		} {
			list, total, err := s.FindConversations(ctx(), portal.ConversationFilter{Voted: tc.voted})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, tc.want) || total != len(tc.want) {
				t.Fatalf("voted %s: %v (total %d), want %v", tc.voted, ids, total, tc.want)
			}
		}
		_, _, err = s.FindConversations(ctx(), portal.ConversationFilter{Voted: "sideways"})
		wantCode(t, err, portal.EINVALID)
	})
}
