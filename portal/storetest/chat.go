package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// MustCreateConversation stores a conversation in state bot.
func MustCreateConversation(tb testing.TB, s portal.Store, visitor string, customer *portal.User) *portal.Conversation {
	tb.Helper()
	c := &portal.Conversation{VisitorID: visitor, Subject: "Help"}
	if customer != nil {
		c.CustomerID = &customer.ID
	}
	if err := s.CreateConversation(ctx(), c); err != nil {
		tb.Fatalf("create conversation: %v", err)
	}
	return c
}

func testChat(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	agent1 := MustCreateUser(t, s, portal.RoleAgent, "agent1@example.com")
	agent2 := MustCreateUser(t, s, portal.RoleAgent, "agent2@example.com")

	t.Run("ConversationRoundTrip", func(t *testing.T) {
		conv := MustCreateConversation(t, s, "v-1", ada)
		got, err := s.FindConversation(ctx(), conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != portal.ConvBot || got.VisitorID != "v-1" || got.CustomerID == nil || *got.CustomerID != ada.ID || !got.CreatedAt.Equal(c.t.Truncate(time.Microsecond)) {
			t.Fatalf("got %+v", got)
		}
		_, err = s.FindConversation(ctx(), conv.ID+1000)
		wantCode(t, err, portal.ENOTFOUND)
		list, total, err := s.FindConversations(ctx(), portal.ConversationFilter{VisitorID: ptr("v-1")})
		if err != nil || total != 1 || list[0].ID != conv.ID {
			t.Fatalf("by visitor: %v total=%d err=%v", list, total, err)
		}
	})

	t.Run("NoTotalSkipsTheCountNotTheRows", func(t *testing.T) {
		older := MustCreateConversation(t, s, "v-nototal", nil)
		newer := MustCreateConversation(t, s, "v-nototal", nil)
		f := portal.ConversationFilter{VisitorID: ptr("v-nototal"), Limit: 1}
		list, total, err := s.FindConversations(ctx(), f)
		if err != nil || total != 2 || len(list) != 1 || list[0].ID != newer.ID {
			t.Fatalf("counted: %v total=%d err=%v", list, total, err)
		}
		f.NoTotal = true
		list, total, err = s.FindConversations(ctx(), f)
		if err != nil || total != -1 || len(list) != 1 || list[0].ID != newer.ID {
			t.Fatalf("not counted: %v total=%d err=%v", list, total, err)
		}
		f.Offset = 1
		if list, _, err = s.FindConversations(ctx(), f); err != nil || len(list) != 1 || list[0].ID != older.ID {
			t.Fatalf("second page: %v err=%v", list, err)
		}
	})

	t.Run("SequenceIsGapFreeAndIdempotent", func(t *testing.T) {
		conv := MustCreateConversation(t, s, "v-seq", nil)
		for i := 1; i <= 3; i++ {
			m := &portal.Message{ConversationID: conv.ID, Author: portal.AuthorCustomer, Body: fmt.Sprintf("hello %d", i), ClientID: fmt.Sprintf("c%d", i)}
			stored, err := s.AppendMessage(ctx(), m)
			if err != nil || !stored || m.Seq != int64(i) {
				t.Fatalf("append %d: stored=%v seq=%d err=%v", i, stored, m.Seq, err)
			}
		}
		dup := &portal.Message{ConversationID: conv.ID, Author: portal.AuthorCustomer, Body: "hello 2 again", ClientID: "c2"}
		stored, err := s.AppendMessage(ctx(), dup)
		if err != nil || stored || dup.Seq != 2 || dup.Body != "hello 2" {
			t.Fatalf("duplicate: stored=%v seq=%d body=%q err=%v", stored, dup.Seq, dup.Body, err)
		}
		m4 := &portal.Message{ConversationID: conv.ID, Author: portal.AuthorBot, Body: "answer", Meta: `{"links":[]}`}
		if _, err := s.AppendMessage(ctx(), m4); err != nil || m4.Seq != 4 {
			t.Fatalf("after duplicate: seq=%d err=%v (want 4: no gap)", m4.Seq, err)
		}
		msgs, err := s.FindMessages(ctx(), conv.ID, 1, false, 0)
		if err != nil || len(msgs) != 3 || msgs[0].Seq != 2 || msgs[2].Seq != 4 || msgs[2].Meta != `{"links":[]}` {
			t.Fatalf("after seq 1: %+v err=%v", msgs, err)
		}
		got, _ := s.FindConversation(ctx(), conv.ID)
		if got.LastSeq != 4 {
			t.Fatalf("last seq=%d, want 4", got.LastSeq)
		}
	})

	t.Run("InternalNotesHiddenFromCustomers", func(t *testing.T) {
		conv := MustCreateConversation(t, s, "v-note", nil)
		s.AppendMessage(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorCustomer, Body: "hi"})
		s.AppendMessage(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorAgent, AuthorID: &agent1.ID, Body: "vip", Internal: true})
		s.AppendMessage(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorAgent, AuthorID: &agent1.ID, Body: "hello"})
		pub, _ := s.FindMessages(ctx(), conv.ID, 0, false, 0)
		all, _ := s.FindMessages(ctx(), conv.ID, 0, true, 0)
		if len(pub) != 2 || len(all) != 3 || !all[1].Internal || pub[1].Body != "hello" {
			t.Fatalf("public=%d all=%d", len(pub), len(all))
		}
	})

	t.Run("InvalidMessagesRejected", func(t *testing.T) {
		conv := MustCreateConversation(t, s, "v-bad", nil)
		_, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorCustomer, Body: "  "})
		wantCode(t, err, portal.EINVALID)
		_, err = s.AppendMessage(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorCustomer, Body: strings.Repeat("x", portal.MaxMessageLen+1)})
		wantCode(t, err, portal.ETOOLARGE)
		_, err = s.AppendMessage(ctx(), &portal.Message{ConversationID: conv.ID + 9999, Author: portal.AuthorCustomer, Body: "x"})
		wantCode(t, err, portal.ENOTFOUND)
		got, _ := s.FindConversation(ctx(), conv.ID)
		if got.LastSeq != 0 {
			t.Fatalf("rejected messages used sequence numbers: %d", got.LastSeq)
		}
	})

	t.Run("AppendIfStateGuardsTheBot", func(t *testing.T) {
		conv := MustCreateConversation(t, s, "v-guard", nil)
		if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorBot, Body: "ok"}, portal.ConvBot); err != nil {
			t.Fatal(err)
		}
		st := portal.ConvAgent
		if _, err := s.UpdateConversation(ctx(), conv.ID, portal.ConversationUpdate{State: &st, AgentID: &agent1.ID}); err != nil {
			t.Fatal(err)
		}
		_, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorBot, Body: "late"}, portal.ConvBot)
		wantCode(t, err, portal.ECONFLICT)
		if got, _ := s.FindConversation(ctx(), conv.ID); got.LastSeq != 1 {
			t.Fatalf("last seq=%d after refused append", got.LastSeq)
		}
	})

	t.Run("BotAnswerStoresTheFailureCountWithIt", func(t *testing.T) {
		conv := MustCreateConversation(t, s, "v-botcount", nil)
		m := &portal.Message{ConversationID: conv.ID, Author: portal.AuthorBot, Body: "Sorry, I could not find an answer."}
		if stored, err := s.AppendBotAnswer(ctx(), m, 1); err != nil || !stored || m.Seq != 1 || m.ID == 0 {
			t.Fatalf("stored=%v seq=%d id=%d err=%v", stored, m.Seq, m.ID, err)
		}
		got, err := s.FindConversation(ctx(), conv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.BotFailures != 1 || got.LastSeq != 1 {
			t.Fatalf("bot failures=%d last seq=%d, want 1 and 1", got.BotFailures, got.LastSeq)
		}
		if msgs, err := s.FindMessages(ctx(), conv.ID, 0, false, 10); err != nil || len(msgs) != 1 || msgs[0].Author != portal.AuthorBot || msgs[0].Body != m.Body {
			t.Fatalf("messages %v err=%v", msgs, err)
		}
		if _, err := s.AppendBotAnswer(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorBot, Body: "Here it is."}, 0); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindConversation(ctx(), conv.ID); got.BotFailures != 0 || got.LastSeq != 2 {
			t.Fatalf("bot failures=%d last seq=%d, want 0 and 2", got.BotFailures, got.LastSeq)
		}
		_, err = s.AppendBotAnswer(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorBot, Body: "x"}, -1)
		wantCode(t, err, portal.EINVALID)
		_, err = s.AppendBotAnswer(ctx(), &portal.Message{ConversationID: conv.ID + 1_000_000, Author: portal.AuthorBot, Body: "x"}, 1)
		wantCode(t, err, portal.ENOTFOUND)

		// Once a person has the chat, neither the answer nor its count is
		// stored.
		st := portal.ConvAgent
		if _, err := s.UpdateConversation(ctx(), conv.ID, portal.ConversationUpdate{State: &st, AgentID: &agent1.ID}); err != nil {
			t.Fatal(err)
		}
		_, err = s.AppendBotAnswer(ctx(), &portal.Message{ConversationID: conv.ID, Author: portal.AuthorBot, Body: "late"}, 1)
		wantCode(t, err, portal.ECONFLICT)
		if got, _ := s.FindConversation(ctx(), conv.ID); got.BotFailures != 0 || got.LastSeq != 2 {
			t.Fatalf("after a refused answer: bot failures=%d last seq=%d, want 0 and 2", got.BotFailures, got.LastSeq)
		}
	})

	t.Run("ExchangeStoresQuestionAndAnswerTogether", func(t *testing.T) {
		exchange := func(conv int64, client string, was int, cust *int64, visitor string) *portal.Exchange {
			return &portal.Exchange{
				Question:    &portal.Message{ConversationID: conv, Author: portal.AuthorCustomer, AuthorID: cust, ClientID: client, Body: "Q " + client},
				Answer:      &portal.Message{ConversationID: conv, Author: portal.AuthorBot, Body: "A " + client, Meta: `{"offer":"person"}`},
				WasFailures: was, CustomerID: cust, VisitorID: visitor, BotFailures: was + 1,
			}
		}
		guest := MustCreateConversation(t, s, "v-ex", nil)
		x := exchange(guest.ID, "q1", 0, nil, "v-ex")
		if stored, err := s.AppendExchange(ctx(), x); err != nil || !stored {
			t.Fatalf("stored=%v err=%v", stored, err)
		}
		if x.Question.Seq != 1 || x.Answer.Seq != 2 || x.Question.ID == 0 || x.Answer.ID == 0 || x.Question.ID == x.Answer.ID {
			t.Fatalf("question seq=%d id=%d, answer seq=%d id=%d", x.Question.Seq, x.Question.ID, x.Answer.Seq, x.Answer.ID)
		}
		got, err := s.FindConversation(ctx(), guest.ID)
		if err != nil || got.LastSeq != 2 || got.BotFailures != 1 {
			t.Fatalf("conversation %+v err=%v, want last seq 2 and 1 failure", got, err)
		}
		msgs, err := s.FindMessages(ctx(), guest.ID, 0, false, 10)
		if err != nil || len(msgs) != 2 {
			t.Fatalf("messages %v err=%v", msgs, err)
		}
		if m := msgs[0]; m.Author != portal.AuthorCustomer || m.ClientID != "q1" || m.Body != "Q q1" || m.ID != x.Question.ID {
			t.Fatalf("question stored as %+v", m)
		}
		if m := msgs[1]; m.Author != portal.AuthorBot || m.Body != "A q1" || m.Meta != `{"offer":"person"}` || m.ID != x.Answer.ID {
			t.Fatalf("answer stored as %+v", m)
		}

		// Not as the bot saw it: nothing is stored, no number is used, and
		// the messages come back unnumbered for the usual way.
		refused := map[string]*portal.Exchange{
			"another count of failures":  exchange(guest.ID, "q2", 0, nil, "v-ex"),
			"another visitor":            exchange(guest.ID, "q2", 1, nil, "v-other"),
			"a customer's claim":         exchange(guest.ID, "q2", 1, &ada.ID, "v-ex"),
			"no such conversation":       exchange(guest.ID+1_000_000, "q2", 1, nil, "v-ex"),
			"its question's id is known": exchange(guest.ID, "q1", 1, nil, "v-ex"),
		}
		for name, x := range refused {
			if stored, err := s.AppendExchange(ctx(), x); err != nil || stored {
				t.Fatalf("%s: stored=%v err=%v, want refused quietly", name, stored, err)
			}
			if x.Question.Seq != 0 || x.Answer.Seq != 0 || x.Question.ID != 0 || x.Answer.ID != 0 {
				t.Fatalf("%s: refused messages numbered %d/%d", name, x.Question.Seq, x.Answer.Seq)
			}
		}
		if got, _ := s.FindConversation(ctx(), guest.ID); got.LastSeq != 2 || got.BotFailures != 1 {
			t.Fatalf("after refused exchanges: last seq=%d failures=%d, want 2 and 1", got.LastSeq, got.BotFailures)
		}

		// A customer's conversation, then a person takes it: refused.
		mine := MustCreateConversation(t, s, "v-ex-ada", ada)
		if stored, err := s.AppendExchange(ctx(), exchange(mine.ID, "m1", 0, &ada.ID, "v-ex-ada")); err != nil || !stored {
			t.Fatalf("customer's exchange: stored=%v err=%v", stored, err)
		}
		if stored, err := s.AppendExchange(ctx(), exchange(mine.ID, "m2", 1, nil, "v-ex-ada")); err != nil || stored {
			t.Fatalf("a guest's exchange in a customer's conversation: stored=%v err=%v", stored, err)
		}
		st := portal.ConvAgent
		if _, err := s.UpdateConversation(ctx(), mine.ID, portal.ConversationUpdate{State: &st, AgentID: &agent1.ID}); err != nil {
			t.Fatal(err)
		}
		if stored, err := s.AppendExchange(ctx(), exchange(mine.ID, "m3", 1, &ada.ID, "")); err != nil || stored {
			t.Fatalf("exchange with a person on the chat: stored=%v err=%v", stored, err)
		}
		if got, _ := s.FindConversation(ctx(), mine.ID); got.LastSeq != 2 {
			t.Fatalf("last seq=%d, want 2", got.LastSeq)
		}

		bad := exchange(guest.ID, "q9", 1, nil, "v-ex")
		bad.Answer.Author = portal.AuthorAgent
		_, err = s.AppendExchange(ctx(), bad)
		wantCode(t, err, portal.EINVALID)
		bad = exchange(guest.ID, "q9", 1, nil, "")
		_, err = s.AppendExchange(ctx(), bad)
		wantCode(t, err, portal.EINVALID)
		bad = exchange(guest.ID, "q9", 1, nil, "v-ex")
		bad.Question.Body = " "
		_, err = s.AppendExchange(ctx(), bad)
		wantCode(t, err, portal.EINVALID)
	})

	t.Run("ConcurrentExchangesAndAppendsStayInOrder", func(t *testing.T) {
		const convs, each = 3, 12
		ids := make([]int64, convs)
		for i := range ids {
			ids[i] = MustCreateConversation(t, s, fmt.Sprintf("v-exc-%d", i), nil).ID
		}
		var wg sync.WaitGroup
		errs := make(chan error, convs*each*2)
		for i, id := range ids {
			// One asker per conversation (each question waits for its
			// answer, as a socket does), beside system messages.
			wg.Add(2)
			go func() {
				defer wg.Done()
				for n := 0; n < each; n++ {
					client := fmt.Sprintf("x%d-%d", i, n)
					x := &portal.Exchange{
						Question:    &portal.Message{ConversationID: id, Author: portal.AuthorCustomer, ClientID: client, Body: client},
						Answer:      &portal.Message{ConversationID: id, Author: portal.AuthorBot, Body: "answer to " + client},
						WasFailures: 0, VisitorID: fmt.Sprintf("v-exc-%d", i),
					}
					stored, err := s.AppendExchange(ctx(), x)
					if err == nil && (!stored || x.Answer.Seq != x.Question.Seq+1) {
						err = fmt.Errorf("%s: stored=%v seqs %d/%d", client, stored, x.Question.Seq, x.Answer.Seq)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for n := 0; n < each; n++ {
					if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: id, Author: portal.AuthorSystem, Body: "note"}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for i, id := range ids {
			msgs, err := s.FindMessages(ctx(), id, 0, false, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 3*each {
				t.Fatalf("conversation %d: %d messages, want %d", i, len(msgs), 3*each)
			}
			for n, m := range msgs {
				if m.Seq != int64(n+1) {
					t.Fatalf("conversation %d: message %d has seq %d", i, n, m.Seq)
				}
				if m.Author == portal.AuthorCustomer && (n+1 >= len(msgs) || msgs[n+1].Body != "answer to "+m.ClientID) {
					t.Fatalf("conversation %d: question %s not followed by its answer", i, m.ClientID)
				}
			}
		}
	})

	t.Run("ConcurrentBotAnswersKeepTheirCounts", func(t *testing.T) {
		// Answers that arrive together share a commit (group commit):
		// each conversation still gets its own message and count.
		const n = 12
		convs := make([]*portal.Conversation, n)
		for i := range convs {
			convs[i] = MustCreateConversation(t, s, fmt.Sprintf("v-botgroup-%d", i), nil)
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i, conv := range convs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := &portal.Message{ConversationID: conv.ID, Author: portal.AuthorBot, Body: "answer"}
				if stored, err := s.AppendBotAnswer(ctx(), m, i%2); err != nil || !stored || m.Seq != 1 {
					errs <- fmt.Errorf("conversation %d: stored=%v seq=%d err=%v", conv.ID, stored, m.Seq, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for i, conv := range convs {
			got, err := s.FindConversation(ctx(), conv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.BotFailures != i%2 || got.LastSeq != 1 {
				t.Fatalf("conversation %d: bot failures=%d last seq=%d, want %d and 1", i, got.BotFailures, got.LastSeq, i%2)
			}
		}
	})

	t.Run("ConcurrentAppendsNumberWithoutGaps", func(t *testing.T) {
		conv := MustCreateConversation(t, s, "v-conc", nil)
		const writers, each = 4, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each*2)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					// Each message is sent twice, as a retry would.
					for r := 0; r < 2; r++ {
						m := &portal.Message{ConversationID: conv.ID, Author: portal.AuthorCustomer, Body: "x", ClientID: fmt.Sprintf("w%d-%d", w, i)}
						if _, err := s.AppendMessage(ctx(), m); err != nil {
							errs <- err
						}
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		msgs, err := s.FindMessages(ctx(), conv.ID, 0, true, 1000)
		if err != nil || len(msgs) != writers*each {
			t.Fatalf("stored %d messages, want %d (err %v)", len(msgs), writers*each, err)
		}
		for i, m := range msgs {
			if m.Seq != int64(i+1) {
				t.Fatalf("message %d has seq %d", i, m.Seq)
			}
		}
	})

	t.Run("ConcurrentAppendsAcrossConversationsStoreEachOnceInOrder", func(t *testing.T) {
		// Many writers on many conversations at once (the store may commit
		// them together), mixed with appends that must fail on their own:
		// to a missing conversation, and the bot's after an agent took over.
		const convs, each = 8, 12
		ids := make([]int64, convs)
		for i := range ids {
			ids[i] = MustCreateConversation(t, s, fmt.Sprintf("v-many-%d", i), nil).ID
		}
		type ack struct {
			client string
			seq    int64
		}
		var mu sync.Mutex
		acks := map[int64][]ack{} // per conversation, in the order acknowledged
		var wg sync.WaitGroup
		errs := make(chan error, convs*each*4)
		for i, id := range ids {
			wg.Add(3)
			go func(i int, id int64) { // a customer, retrying every message
				defer wg.Done()
				for n := 0; n < each; n++ {
					client := fmt.Sprintf("c%d-%d", i, n)
					var seqs []int64
					for r := 0; r < 2; r++ {
						m := &portal.Message{ConversationID: id, Author: portal.AuthorCustomer, Body: client, ClientID: client}
						stored, err := s.AppendMessage(ctx(), m)
						if err != nil {
							errs <- err
							return
						}
						if stored != (r == 0) || m.Body != client {
							errs <- fmt.Errorf("%s try %d: stored=%v body=%q", client, r, stored, m.Body)
						}
						seqs = append(seqs, m.Seq)
					}
					if seqs[0] != seqs[1] {
						errs <- fmt.Errorf("%s: retry acknowledged seq %d, first %d", client, seqs[1], seqs[0])
					}
					mu.Lock()
					acks[id] = append(acks[id], ack{client, seqs[0]})
					mu.Unlock()
				}
			}(i, id)
			go func(id int64) { // the bot, allowed only while it owns the chat
				defer wg.Done()
				for n := 0; n < each/2; n++ {
					m := &portal.Message{ConversationID: id, Author: portal.AuthorBot, Body: "answer"}
					if _, err := s.AppendMessage(ctx(), m, portal.ConvBot); err != nil && portal.ErrorCode(err) != portal.ECONFLICT {
						errs <- err
					}
				}
			}(id)
			go func(id int64) { // appends that fail alone
				defer wg.Done()
				for n := 0; n < each/2; n++ {
					_, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: id + 1_000_000, Author: portal.AuthorCustomer, Body: "lost", ClientID: "x"})
					if portal.ErrorCode(err) != portal.ENOTFOUND {
						errs <- fmt.Errorf("append to a missing conversation: %v", err)
					}
				}
			}(id)
		}
		// Meanwhile an agent takes the first chat: the bot's later
		// appends there fail, the customer's go on.
		st := portal.ConvAgent
		if _, err := s.UpdateConversation(ctx(), ids[0], portal.ConversationUpdate{State: &st, AgentID: &agent1.ID}); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for _, id := range ids {
			msgs, err := s.FindMessages(ctx(), id, 0, true, 1000)
			if err != nil {
				t.Fatal(err)
			}
			conv, _ := s.FindConversation(ctx(), id)
			if conv.LastSeq != int64(len(msgs)) {
				t.Fatalf("conversation %d: last seq %d, %d messages", id, conv.LastSeq, len(msgs))
			}
			bySeq := map[int64]string{}
			customer := 0
			for i, m := range msgs {
				if m.Seq != int64(i+1) {
					t.Fatalf("conversation %d: message %d has seq %d", id, i, m.Seq)
				}
				if m.Author == portal.AuthorCustomer {
					customer++
					bySeq[m.Seq] = m.ClientID
				}
			}
			if customer != each {
				t.Fatalf("conversation %d: %d customer messages, want %d", id, customer, each)
			}
			last := int64(0)
			for _, a := range acks[id] {
				if bySeq[a.seq] != a.client {
					t.Fatalf("conversation %d: ack of %s says seq %d, which holds %q", id, a.client, a.seq, bySeq[a.seq])
				}
				if a.seq <= last {
					t.Fatalf("conversation %d: %s stored at %d, before the message sent ahead of it (%d)", id, a.client, a.seq, last)
				}
				last = a.seq
			}
		}
	})

	t.Run("ConcurrentClaimHasOneWinner", func(t *testing.T) {
		for round := 0; round < 5; round++ {
			conv := MustCreateConversation(t, s, "v-claim", nil)
			q := portal.ConvQueued
			if _, err := s.UpdateConversation(ctx(), conv.ID, portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvBot}, State: &q}); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			results := make([]error, 2)
			for i, a := range []*portal.User{agent1, agent2} {
				wg.Add(1)
				go func(i int, a *portal.User) {
					defer wg.Done()
					st := portal.ConvAgent
					_, results[i] = s.UpdateConversation(ctx(), conv.ID, portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvQueued}, State: &st, AgentID: &a.ID})
				}(i, a)
			}
			wg.Wait()
			wins := 0
			for _, err := range results {
				if err == nil {
					wins++
				} else {
					wantCode(t, err, portal.ECONFLICT)
				}
			}
			if wins != 1 {
				t.Fatalf("round %d: %d winners (%v)", round, wins, results)
			}
			got, _ := s.FindConversation(ctx(), conv.ID)
			if got.State != portal.ConvAgent || got.AgentID == nil {
				t.Fatalf("after claim: %+v", got)
			}
		}
	})

	t.Run("QueueOldestFirstAndTransfer", func(t *testing.T) {
		q := portal.ConvQueued
		var ids []int64
		for i := 0; i < 3; i++ {
			c.t = c.t.Add(time.Minute)
			conv := MustCreateConversation(t, s, fmt.Sprintf("v-q%d", i), nil)
			if _, err := s.UpdateConversation(ctx(), conv.ID, portal.ConversationUpdate{State: &q}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, conv.ID)
		}
		queue, _, err := s.FindConversations(ctx(), portal.ConversationFilter{States: []portal.ConversationState{portal.ConvQueued}})
		if err != nil || len(queue) != 3 || queue[0].ID != ids[0] || queue[2].ID != ids[2] || queue[0].QueuedAt == nil {
			t.Fatalf("queue %v err=%v", queue, err)
		}
		st := portal.ConvAgent
		s.UpdateConversation(ctx(), ids[0], portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvQueued}, State: &st, AgentID: &agent1.ID})
		_, err = s.UpdateConversation(ctx(), ids[0], portal.ConversationUpdate{IfAgentID: &agent2.ID, AgentID: &agent1.ID})
		wantCode(t, err, portal.ECONFLICT)
		got, err := s.UpdateConversation(ctx(), ids[0], portal.ConversationUpdate{IfAgentID: &agent1.ID, AgentID: &agent2.ID})
		if err != nil || *got.AgentID != agent2.ID {
			t.Fatalf("transfer: %+v %v", got, err)
		}
		bot, zero, fails := portal.ConvBot, int64(0), 0
		got, err = s.UpdateConversation(ctx(), ids[0], portal.ConversationUpdate{State: &bot, AgentID: &zero, BotFailures: &fails})
		if err != nil || got.AgentID != nil || got.State != portal.ConvBot || got.QueuedAt != nil {
			t.Fatalf("hand back: %+v %v", got, err)
		}
	})

	t.Run("CloseAndRate", func(t *testing.T) {
		conv := MustCreateConversation(t, s, "v-rate", ada)
		closed := portal.ConvClosed
		if _, err := s.UpdateConversation(ctx(), conv.ID, portal.ConversationUpdate{State: &closed}); err != nil {
			t.Fatal(err)
		}
		bad := 6
		_, err := s.UpdateConversation(ctx(), conv.ID, portal.ConversationUpdate{Rating: &bad})
		wantCode(t, err, portal.EINVALID)
		r, cm := 5, "Quick and kind"
		got, err := s.UpdateConversation(ctx(), conv.ID, portal.ConversationUpdate{From: []portal.ConversationState{portal.ConvClosed}, Rating: &r, RatingComment: &cm})
		if err != nil || got.Rating == nil || *got.Rating != 5 || got.RatingComment != cm || got.ClosedAt == nil {
			t.Fatalf("rate: %+v %v", got, err)
		}
	})

	t.Run("AgentPresence", func(t *testing.T) {
		if err := s.SetAgentPresence(ctx(), agent1.ID, portal.AgentAvailable, c.t); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAgentPresence(ctx(), agent2.ID, portal.AgentAvailable, c.t.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAgentPresence(ctx(), agent1.ID, portal.AgentAway, c.t); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.SetAgentPresence(ctx(), agent1.ID, "sleeping", c.t), portal.EINVALID)
		got, err := s.FindAgentPresence(ctx(), c.t.Add(-time.Minute))
		if err != nil || len(got) != 1 || got[0].AgentID != agent1.ID || got[0].Status != portal.AgentAway {
			t.Fatalf("presence %+v err=%v", got, err)
		}
		// A heartbeat keeps the chosen status; an agent without a record
		// starts away.
		agent3 := MustCreateUser(t, s, portal.RoleAgent, "agent3@example.com")
		if err := s.TouchAgents(ctx(), []int64{agent2.ID, agent3.ID}, c.t); err != nil {
			t.Fatal(err)
		}
		got, err = s.FindAgentPresence(ctx(), c.t.Add(-time.Minute))
		if err != nil || len(got) != 3 {
			t.Fatalf("after touch: %+v err=%v", got, err)
		}
		want := map[int64]portal.AgentStatus{agent1.ID: portal.AgentAway, agent2.ID: portal.AgentAvailable, agent3.ID: portal.AgentAway}
		for _, p := range got {
			if want[p.AgentID] != p.Status || !p.SeenAt.Equal(c.t.Truncate(time.Microsecond)) {
				t.Fatalf("after touch: %+v, want status %s seen %v", p, want[p.AgentID], c.t)
			}
		}
		all, err := s.FindAgentPresence(ctx(), time.Time{})
		if err != nil || len(all) != 3 {
			t.Fatalf("all presence: %+v err=%v", all, err)
		}
	})

	t.Run("QueuePlaceAndCustomerHeartbeat", func(t *testing.T) {
		a := MustCreateConversation(t, s, "v-q1", nil)
		b := MustCreateConversation(t, s, "v-q2", ada)
		q := portal.ConvQueued
		if _, err := s.UpdateConversation(ctx(), a.ID, portal.ConversationUpdate{State: &q}); err != nil {
			t.Fatal(err)
		}
		early := c.t.Add(-time.Hour)
		got, err := s.UpdateConversation(ctx(), b.ID, portal.ConversationUpdate{State: &q, QueuedAt: &early})
		if err != nil || got.QueuedAt == nil || !got.QueuedAt.Equal(early.Truncate(time.Microsecond)) || got.CustomerSeenAt == nil {
			t.Fatalf("queued at %+v err=%v", got, err)
		}
		queue, _, err := s.FindConversations(ctx(), portal.ConversationFilter{States: []portal.ConversationState{portal.ConvQueued}})
		if err != nil || len(queue) < 2 || queue[0].ID != b.ID {
			t.Fatalf("queue %+v err=%v: the earlier place is not first", queue, err)
		}
		later := c.t.Add(time.Minute)
		if err := s.TouchConversations(ctx(), []int64{a.ID}, later); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindConversation(ctx(), a.ID); got.CustomerSeenAt == nil || !got.CustomerSeenAt.Equal(later.Truncate(time.Microsecond)) {
			t.Fatalf("customer seen at %v, want %v", got.CustomerSeenAt, later)
		}
		guests, _, err := s.FindConversations(ctx(), portal.ConversationFilter{GuestOnly: true, States: []portal.ConversationState{portal.ConvQueued}})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range guests {
			if g.CustomerID != nil {
				t.Fatalf("guest-only filter returned customer %d's conversation", *g.CustomerID)
			}
		}
		for _, conv := range []int64{a.ID, b.ID} {
			closed := portal.ConvClosed
			s.UpdateConversation(ctx(), conv, portal.ConversationUpdate{State: &closed})
		}
	})

	t.Run("StaffHistorySearchAndRatings", func(t *testing.T) {
		grace := MustCreateUser(t, s, portal.RoleCustomer, "grace.hopper@example.com")
		MustCreateOrder(t, s, grace, "HS-77", c.t)
		a := MustCreateConversation(t, s, "v-hs1", grace)
		b := MustCreateConversation(t, s, "v-hs2", nil)
		for _, m := range []*portal.Message{
			{ConversationID: a.ID, Author: portal.AuthorCustomer, Body: "My Sofa arrived scratched"},
			{ConversationID: b.ID, Author: portal.AuthorCustomer, Body: "Where is order HS-77 100%?"},
		} {
			if _, err := s.AppendMessage(ctx(), m); err != nil {
				t.Fatal(err)
			}
		}
		st, five, three := portal.ConvAgent, 5, 3
		closed := portal.ConvClosed
		for _, x := range []struct {
			id     int64
			agent  *portal.User
			rating *int
		}{{a.ID, agent1, &five}, {b.ID, agent2, &three}} {
			if _, err := s.UpdateConversation(ctx(), x.id, portal.ConversationUpdate{State: &st, AgentID: &x.agent.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.UpdateConversation(ctx(), x.id, portal.ConversationUpdate{State: &closed}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.UpdateConversation(ctx(), x.id, portal.ConversationUpdate{Rating: x.rating}); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(f portal.ConversationFilter) []int64 {
			t.Helper()
			list, total, err := s.FindConversations(ctx(), f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, c := range list {
				out = append(out, c.ID)
			}
			if total != len(out) {
				t.Fatalf("total %d for %d rows", total, len(out))
			}
			return out
		}
		day := c.t.Truncate(24 * time.Hour)
		next := day.Add(24 * time.Hour)
		for name, tc := range map[string]struct {
			f    portal.ConversationFilter
			want []int64
		}{
			"text, any case":           {portal.ConversationFilter{Text: "sofa ARRIVED"}, []int64{a.ID}},
			"text with a wildcard":     {portal.ConversationFilter{Text: "100%"}, []int64{b.ID}},
			"customer name or email":   {portal.ConversationFilter{Customer: "hopper"}, []int64{a.ID}},
			"order: owner or mention":  {portal.ConversationFilter{OrderNumber: "HS-77"}, []int64{b.ID, a.ID}},
			"rating":                   {portal.ConversationFilter{Rating: &three}, []int64{b.ID}},
			"agent and state":          {portal.ConversationFilter{AgentID: &agent1.ID, States: []portal.ConversationState{portal.ConvClosed}, Rated: true}, []int64{a.ID}},
			"date range":               {portal.ConversationFilter{From: &day, To: &next, Text: "sofa"}, []int64{a.ID}},
			"date range after nothing": {portal.ConversationFilter{From: &next, Text: "sofa"}, nil},
		} {
			if got := ids(tc.f); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s: got %v, want %v", name, got, tc.want)
			}
		}
		rs, err := s.AgentRatings(ctx())
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]float64{}
		for _, r := range rs {
			got[r.AgentID] = r.Average()
		}
		if got[agent1.ID] != 5 || got[agent2.ID] != 3 {
			t.Fatalf("ratings %+v", rs)
		}
	})

	t.Run("Settings", func(t *testing.T) {
		got, err := s.ChatSettings(ctx())
		if err != nil || !got.AlwaysOpen {
			t.Fatalf("defaults %+v %v", got, err)
		}
		want := portal.ChatSettings{TimeZone: "Europe/Berlin", OpenHour: 8, CloseHour: 18, Days: []int{1, 2}}
		if err := s.SaveChatSettings(ctx(), want); err != nil {
			t.Fatal(err)
		}
		got, _ = s.ChatSettings(ctx())
		if got.AlwaysOpen || got.TimeZone != "Europe/Berlin" || got.CloseHour != 18 || len(got.Days) != 2 {
			t.Fatalf("saved %+v", got)
		}
		// Monday 2026-03-02 10:00 Berlin is open; Sunday is not.
		if !got.Open(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) || got.Open(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)) {
			t.Fatal("hours wrong")
		}
		wantCode(t, s.SaveChatSettings(ctx(), portal.ChatSettings{OpenHour: 10, CloseHour: 9}), portal.EINVALID)
	})
}
