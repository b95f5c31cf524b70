package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/sqlstore"
)

// The group commit on both stores: a group commits together, and with a
// statement failing part-way through a group every other message is still
// stored once, in order, without gaps.
func TestAppendGroupCommit(t *testing.T) {
	stores := map[string]func(tb testing.TB) *sqlstore.Store{
		"sqlite": func(tb testing.TB) *sqlstore.Store {
			s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(tb.TempDir(), "x.db")})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { s.Close() })
			return s.Store
		},
		"postgres": func(tb testing.TB) *sqlstore.Store {
			s, err := postgres.Open(context.Background(), postgres.Config{URL: pgtest.URL(tb)})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { s.Close() })
			return s.Store
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			t.Run("a clean group: all stored together", func(t *testing.T) { testAppendGroup(t, open(t), noPoison) })
			t.Run("failing only in a group: all stored", func(t *testing.T) { testAppendGroup(t, open(t), poisonInGroup) })
			t.Run("failing always: only it is lost", func(t *testing.T) { testAppendGroup(t, open(t), poisonAlways) })
		})
	}
}

var errPoison = errors.New("poisoned statement")

type poison int

const (
	noPoison      poison = iota // and no retries: nothing fails
	poisonInGroup               // a message whose statement fails in a group only
	poisonAlways                // a message whose statement always fails
)

func testAppendGroup(t *testing.T, s *sqlstore.Store, mode poison) {
	always := mode == poisonAlways
	ctx := context.Background()
	const convs, each = 4, 6
	ids := make([]int64, convs)
	for i := range ids {
		c := &portal.Conversation{VisitorID: fmt.Sprintf("v%d", i)}
		if err := s.CreateConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids[i] = c.ID
	}
	// The first append holds its transaction until all the others queue
	// up behind it, so they make one group, with the poison in its middle.
	sqlstore.SetWriters(s, 1)
	gate, atGate := make(chan struct{}), make(chan struct{})
	var gateOnce sync.Once
	var grouped sync.Map
	var groupedN atomic.Int32
	sqlstore.SetAppendHook(s, func(m *portal.Message, batched bool) error {
		if m.Body == "gate" {
			gateOnce.Do(func() { close(atGate); <-gate })
		}
		if batched {
			grouped.Store(m.ClientID, true)
			groupedN.Add(1)
		}
		if m.Body == "poison" && (batched || always) {
			return errPoison
		}
		return nil
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := s.AppendMessage(ctx, &portal.Message{ConversationID: ids[0], Author: portal.AuthorSystem, Body: "gate"}); err != nil {
			t.Error(err)
		}
	}()
	<-atGate
	type result struct {
		client string
		seq    int64
		stored bool
		err    error
	}
	results := make(chan result, convs*each*2+2)
	send := func(conv int64, client, body string) {
		m := &portal.Message{ConversationID: conv, Author: portal.AuthorCustomer, Body: body, ClientID: client}
		stored, err := s.AppendMessage(ctx, m)
		results <- result{client, m.Seq, stored, err}
	}
	total := 1
	for i, id := range ids {
		for n := 0; n < each; n++ {
			client := fmt.Sprintf("c%d-%d", i, n)
			wg.Add(1)
			total++
			go func() { defer wg.Done(); send(id, client, client) }()
			if mode != noPoison {
				wg.Add(1)
				total++
				go func() { defer wg.Done(); send(id, client, client) }() // a retry racing the first copy
			}
		}
	}
	if mode != noPoison {
		wg.Add(1)
		total++
		go func() { defer wg.Done(); send(ids[1], "poison", "poison") }()
	}
	deadline := time.Now().Add(10 * time.Second)
	for sqlstore.PendingAppends(s) < total-1 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d appends queued, want %d", sqlstore.PendingAppends(s), total-1)
		}
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	close(results)

	seqOf := map[string]int64{}
	storedCount := map[string]int{}
	for r := range results {
		if r.client == "poison" {
			if always && !errors.Is(r.err, errPoison) {
				t.Fatalf("poisoned message: err=%v, want the poison", r.err)
			}
			if !always && (r.err != nil || !r.stored) {
				t.Fatalf("message failing only in a group: stored=%v err=%v, want stored alone", r.stored, r.err)
			}
			continue
		}
		if r.err != nil {
			t.Fatalf("%s: %v", r.client, r.err)
		}
		if old, ok := seqOf[r.client]; ok && old != r.seq {
			t.Fatalf("%s acknowledged at seq %d and %d", r.client, old, r.seq)
		}
		seqOf[r.client] = r.seq
		if r.stored {
			storedCount[r.client]++
		}
	}
	if _, ok := grouped.Load("c0-0"); !ok {
		t.Fatal("the appends were not committed as a group")
	}
	if got, want := int(groupedN.Load()), convs*each; mode == noPoison && got != want {
		t.Fatalf("%d messages numbered in the group, want all %d", got, want)
	}
	for client, n := range storedCount {
		if n != 1 {
			t.Fatalf("%s reported stored %d times", client, n)
		}
	}
	for i, id := range ids {
		msgs, err := s.FindMessages(ctx, id, 0, true, 1000)
		if err != nil {
			t.Fatal(err)
		}
		want := each
		if i == 0 {
			want++ // the gate
		}
		if i == 1 && mode == poisonInGroup {
			want++ // the poison, stored alone
		}
		if len(msgs) != want {
			t.Fatalf("conversation %d: %d messages, want %d", i, len(msgs), want)
		}
		for n, m := range msgs {
			if m.Seq != int64(n+1) {
				t.Fatalf("conversation %d: message %d has seq %d", i, n, m.Seq)
			}
			if m.ClientID != "" && m.ClientID != "poison" && seqOf[m.ClientID] != m.Seq {
				t.Fatalf("%s stored at %d, acknowledged at %d", m.ClientID, m.Seq, seqOf[m.ClientID])
			}
		}
	}
}

// Bot answers that wait behind a transaction commit as one group on both
// stores, and each sets its own conversation's failure count.
func TestBotAnswersGroupCommitTheirCounts(t *testing.T) {
	for name, open := range map[string]func(tb testing.TB) *sqlstore.Store{
		"sqlite": func(tb testing.TB) *sqlstore.Store {
			s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(tb.TempDir(), "x.db")})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { s.Close() })
			return s.Store
		},
		"postgres": func(tb testing.TB) *sqlstore.Store {
			s, err := postgres.Open(context.Background(), postgres.Config{URL: pgtest.URL(tb)})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { s.Close() })
			return s.Store
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			const n = 6
			ids := make([]int64, n)
			for i := range ids {
				c := &portal.Conversation{VisitorID: fmt.Sprintf("v%d", i)}
				if err := s.CreateConversation(ctx, c); err != nil {
					t.Fatal(err)
				}
				ids[i] = c.ID
			}
			sqlstore.SetWriters(s, 1)
			gate, atGate := make(chan struct{}), make(chan struct{})
			var gateOnce sync.Once
			var groupedN atomic.Int32
			sqlstore.SetAppendHook(s, func(m *portal.Message, batched bool) error {
				if m.Body == "gate" {
					gateOnce.Do(func() { close(atGate); <-gate })
				}
				if batched {
					groupedN.Add(1)
				}
				return nil
			})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.AppendMessage(ctx, &portal.Message{ConversationID: ids[0], Author: portal.AuthorSystem, Body: "gate"}); err != nil {
					t.Error(err)
				}
			}()
			<-atGate
			for i, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					m := &portal.Message{ConversationID: id, Author: portal.AuthorBot, Body: "answer"}
					if stored, err := s.AppendBotAnswer(ctx, m, 1+i%2); err != nil || !stored {
						t.Errorf("conversation %d: stored=%v err=%v", id, stored, err)
					}
				}()
			}
			deadline := time.Now().Add(10 * time.Second)
			for sqlstore.PendingAppends(s) < n {
				if time.Now().After(deadline) {
					t.Fatalf("only %d appends queued, want %d", sqlstore.PendingAppends(s), n)
				}
				time.Sleep(time.Millisecond)
			}
			close(gate)
			wg.Wait()
			if got := groupedN.Load(); got != n {
				t.Fatalf("%d answers went in a group, want %d", got, n)
			}
			for i, id := range ids {
				c, err := s.FindConversation(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				wantSeq := int64(1)
				if i == 0 {
					wantSeq = 2 // after the gate's message
				}
				if c.BotFailures != 1+i%2 || c.LastSeq != wantSeq {
					t.Fatalf("conversation %d: bot failures=%d last seq=%d, want %d and %d", id, c.BotFailures, c.LastSeq, 1+i%2, wantSeq)
				}
			}
		})
	}
}

// Exchanges (a question with the bot's answer) that wait behind a
// transaction commit as one group with other appends on both stores; an
// exchange whose question is stored already (a unique violation that rolls
// the group back) and one the conversation refuses store nothing, and
// every other message is stored once, the answers right after their
// questions, without gaps.
func TestExchangesGroupCommit(t *testing.T) {
	for name, open := range map[string]func(tb testing.TB) *sqlstore.Store{
		"sqlite": func(tb testing.TB) *sqlstore.Store {
			s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(tb.TempDir(), "x.db")})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { s.Close() })
			return s.Store
		},
		"postgres": func(tb testing.TB) *sqlstore.Store {
			s, err := postgres.Open(context.Background(), postgres.Config{URL: pgtest.URL(tb)})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { s.Close() })
			return s.Store
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			const n = 4
			ids := make([]int64, n)
			for i := range ids {
				c := &portal.Conversation{VisitorID: fmt.Sprintf("v%d", i)}
				if err := s.CreateConversation(ctx, c); err != nil {
					t.Fatal(err)
				}
				ids[i] = c.ID
			}
			// conversation 1 has question "dup" already.
			if _, err := s.AppendMessage(ctx, &portal.Message{ConversationID: ids[1], Author: portal.AuthorCustomer, ClientID: "dup", Body: "dup"}); err != nil {
				t.Fatal(err)
			}
			exchange := func(i int, client string, was int) *portal.Exchange {
				return &portal.Exchange{
					Question:    &portal.Message{ConversationID: ids[i], Author: portal.AuthorCustomer, ClientID: client, Body: client},
					Answer:      &portal.Message{ConversationID: ids[i], Author: portal.AuthorBot, Body: "answer to " + client},
					WasFailures: was, VisitorID: fmt.Sprintf("v%d", i), BotFailures: 1,
				}
			}
			sqlstore.SetWriters(s, 1)
			gate, atGate := make(chan struct{}), make(chan struct{})
			var gateOnce sync.Once
			var grouped sync.Map
			sqlstore.SetAppendHook(s, func(m *portal.Message, batched bool) error {
				if m.Body == "gate" {
					gateOnce.Do(func() { close(atGate); <-gate })
				}
				if batched {
					grouped.Store(m.Body, true)
				}
				return nil
			})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.AppendMessage(ctx, &portal.Message{ConversationID: ids[0], Author: portal.AuthorSystem, Body: "gate"}); err != nil {
					t.Error(err)
				}
			}()
			<-atGate
			type want struct {
				x      *portal.Exchange
				stored bool
			}
			var cases []want
			for i := range ids {
				cases = append(cases, want{exchange(i, fmt.Sprintf("q%d", i), 0), true})
			}
			cases = append(cases, want{exchange(1, "dup", 0), false}, want{exchange(2, "stale", 5), false})
			for _, c := range cases {
				wg.Add(1)
				go func() {
					defer wg.Done()
					stored, err := s.AppendExchange(ctx, c.x)
					if err != nil || stored != c.stored {
						t.Errorf("%s: stored=%v err=%v, want stored=%v", c.x.Question.ClientID, stored, err, c.stored)
					}
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.AppendMessage(ctx, &portal.Message{ConversationID: ids[3], Author: portal.AuthorSystem, Body: "note"}); err != nil {
					t.Error(err)
				}
			}()
			deadline := time.Now().Add(10 * time.Second)
			for sqlstore.PendingAppends(s) < len(cases)+1 {
				if time.Now().After(deadline) {
					t.Fatalf("only %d appends queued, want %d", sqlstore.PendingAppends(s), len(cases)+1)
				}
				time.Sleep(time.Millisecond)
			}
			close(gate)
			wg.Wait()
			if _, ok := grouped.Load("q0"); !ok {
				t.Fatal("the exchanges were not committed as a group")
			}
			for _, c := range cases {
				q, a := c.x.Question, c.x.Answer
				if c.stored != (q.Seq != 0 && a.Seq == q.Seq+1) {
					t.Fatalf("%s: question seq %d, answer seq %d, stored=%v", q.ClientID, q.Seq, a.Seq, c.stored)
				}
			}
			wantLen := []int{3, 3, 2, 3} // gate; dup; -; note
			for i, id := range ids {
				msgs, err := s.FindMessages(ctx, id, 0, true, 100)
				if err != nil {
					t.Fatal(err)
				}
				if len(msgs) != wantLen[i] {
					t.Fatalf("conversation %d: %d messages, want %d", i, len(msgs), wantLen[i])
				}
				for k, m := range msgs {
					if m.Seq != int64(k+1) {
						t.Fatalf("conversation %d: message %d has seq %d", i, k, m.Seq)
					}
					if m.Author == portal.AuthorBot && (k == 0 || msgs[k-1].Body != strings.TrimPrefix(m.Body, "answer to ")) {
						t.Fatalf("conversation %d: answer %q not right after its question", i, m.Body)
					}
				}
				c, err := s.FindConversation(ctx, id)
				if err != nil || c.BotFailures != 1 {
					t.Fatalf("conversation %d: bot failures %d err=%v, want 1", i, c.BotFailures, err)
				}
			}
		})
	}
}
