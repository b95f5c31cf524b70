package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/search"
)

// exchangeStore is what these tests need of either store.
type exchangeStore interface {
	bot.Store
	bot.UserFinder
	bot.OrderReader
	bot.ArticleFinder
	CreateArticle(ctx context.Context, a *portal.Article) error
	CreateUser(ctx context.Context, u *portal.User) error
}

// exchangeEngines returns an engine with the test articles on each store.
// configure, when set, changes the engine's config first.
func exchangeEngines(t *testing.T, configure func(cfg *bot.Config, st exchangeStore)) map[string]func(tb testing.TB) (*bot.Engine, exchangeStore, *portal.User) {
	open := func(tb testing.TB, st exchangeStore) (*bot.Engine, exchangeStore, *portal.User) {
		ctx := context.Background()
		for _, a := range articles {
			a := *a
			if err := st.CreateArticle(ctx, &a); err != nil {
				tb.Fatal(err)
			}
		}
		ix, err := search.NewMemory(search.Config{})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { ix.Close() })
		kb, err := bot.LoadKnowledge(ctx, st, ix)
		if err != nil {
			tb.Fatal(err)
		}
		agent := &portal.User{Email: "agent@example.com", Name: "Alex", Role: portal.RoleAgent}
		if err := st.CreateUser(ctx, agent); err != nil {
			tb.Fatal(err)
		}
		cfg := bot.Config{Store: st, Users: st, Orders: st, Knowledge: kb}
		if configure != nil {
			configure(&cfg, st)
		}
		e := bot.New(cfg)
		tb.Cleanup(e.Close)
		return e, st, agent
	}
	return map[string]func(tb testing.TB) (*bot.Engine, exchangeStore, *portal.User){
		"sqlite": func(tb testing.TB) (*bot.Engine, exchangeStore, *portal.User) {
			st, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(tb.TempDir(), "t.db")})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { st.Close() })
			return open(tb, st)
		},
		"postgres": func(tb testing.TB) (*bot.Engine, exchangeStore, *portal.User) {
			st, err := postgres.Open(context.Background(), postgres.Config{URL: pgtest.URL(tb)})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { st.Close() })
			return open(tb, st)
		},
	}
}

// waitFor polls the conversation until it holds n public messages.
func waitFor(tb testing.TB, st exchangeStore, conv int64, n int) []*portal.Message {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, err := st.FindMessages(context.Background(), conv, 0, false, 100)
		if err != nil {
			tb.Fatal(err)
		}
		if len(msgs) >= n || time.Now().After(deadline) {
			return msgs
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func bodies(msgs []*portal.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Author+": "+m.Body)
	}
	return out
}

// A question the bot answers from the articles is stored with its answer:
// when Send acknowledges it the answer is stored too, right after it. A
// retried client id stores nothing and gets no second answer; a stranger
// sending into the conversation is refused; once a person has the chat the
// bot says nothing; the failure count and the hand-off after two
// unanswered questions work as on the usual way. On both stores.
func TestQuestionStoredWithItsAnswer(t *testing.T) {
	for name, open := range exchangeEngines(t, nil) {
		t.Run(name, func(t *testing.T) {
			e, st, agent := open(t)
			ctx := context.Background()
			p := bot.Participant{VisitorID: "v-ex"}
			conv, _, stored, err := e.Send(ctx, p, 0, "c1", "how long does delivery take?")
			if err != nil || !stored {
				t.Fatalf("first question: stored=%v err=%v", stored, err)
			}
			if msgs := waitFor(t, st, conv.ID, 2); len(msgs) != 2 {
				t.Fatalf("first question: %q", bodies(msgs))
			}

			_, q, stored, err := e.Send(ctx, p, conv.ID, "c2", "what warranty does furniture have?")
			if err != nil || !stored || q.Seq != 3 {
				t.Fatalf("second question: stored=%v seq=%d err=%v", stored, q.Seq, err)
			}
			// Acknowledged: the answer is stored already.
			msgs, err := st.FindMessages(ctx, conv.ID, 0, false, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 4 || msgs[3].Author != portal.AuthorBot || !strings.Contains(msgs[3].Body, "10-year warranty") || !strings.Contains(msgs[3].Meta, "/help/warranty") {
				t.Fatalf("at the acknowledgement: %q", bodies(msgs))
			}

			// A retry: the same acknowledgement, no second copy or answer.
			_, q, stored, err = e.Send(ctx, p, conv.ID, "c2", "what warranty does furniture have?")
			if err != nil || stored || q.Seq != 3 {
				t.Fatalf("retry: stored=%v seq=%d err=%v", stored, q.Seq, err)
			}
			// A stranger's message is refused and stores nothing.
			if _, _, _, err := e.Send(ctx, bot.Participant{VisitorID: "v-other"}, conv.ID, "s1", "is my sofa under guarantee?"); portal.ErrorCode(err) != portal.ENOTFOUND {
				t.Fatalf("stranger: err=%v, want ENOTFOUND", err)
			}

			// Two unanswered questions in a row: the second hands off (to
			// leave-a-message: no agent is available).
			// (Each asked once the answer before is in, as the widget does:
			// the count is the conversation's as the bot last stored it.)
			for i, client := range []string{"c3", "c4"} {
				if _, _, stored, err := e.Send(ctx, p, conv.ID, client, "zzqx wibble frobnicate"); err != nil || !stored {
					t.Fatalf("unanswered question %d: stored=%v err=%v", i, stored, err)
				}
				waitFor(t, st, conv.ID, 6+2*i)
			}
			msgs = waitFor(t, st, conv.ID, 9)
			want := []string{"customer", "bot", "customer", "bot", "customer", "bot", "customer", "bot", "system"}
			if len(msgs) != len(want) {
				t.Fatalf("messages %q, want authors %v", bodies(msgs), want)
			}
			for i, m := range msgs {
				if m.Author != want[i] || m.Seq != int64(i+1) {
					t.Fatalf("message %d: %s at seq %d, want %s: %q", i, m.Author, m.Seq, want[i], bodies(msgs))
				}
			}
			if !strings.Contains(msgs[5].Meta, `"offer":"person"`) || strings.Contains(msgs[7].Meta, "offer") || !strings.Contains(msgs[8].Meta, "leave_message") {
				t.Fatalf("offers: %q %q %q", msgs[5].Meta, msgs[7].Meta, msgs[8].Meta)
			}
			if c, err := st.FindConversation(ctx, conv.ID); err != nil || c.BotFailures != 0 {
				t.Fatalf("bot failures after the hand-off: %+v err=%v", c, err)
			}

			// A person takes the chat: the bot is silent.
			if _, err := e.Claim(ctx, agent, conv.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, stored, err := e.Send(ctx, p, conv.ID, "c5", "how long does delivery take?"); err != nil || !stored {
				t.Fatalf("question to the agent: stored=%v err=%v", stored, err)
			}
			msgs = waitFor(t, st, conv.ID, 11)
			if last := msgs[len(msgs)-1]; last.Author != portal.AuthorCustomer || len(msgs) != 11 {
				t.Fatalf("with a person on the chat: %q", bodies(msgs))
			}
			// Back with the bot: it answers again.
			if err := e.Release(ctx, agent, conv.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, stored, err := e.Send(ctx, p, conv.ID, "c6", "how long does delivery take?"); err != nil || !stored {
				t.Fatalf("question after release: stored=%v err=%v", stored, err)
			}
			msgs = waitFor(t, st, conv.ID, 14)
			if last := msgs[len(msgs)-1]; len(msgs) != 14 || last.Author != portal.AuthorBot || !strings.Contains(last.Body, "3 to 5 working days") {
				t.Fatalf("after release: %q", bodies(msgs))
			}
		})
	}
}

// gapCounter records unanswered questions through the store, counting
// the calls of each kind.
type gapCounter struct {
	st             exchangeStore
	single, batchN atomic.Int32
}

func (g *gapCounter) RecordUnanswered(ctx context.Context, u *portal.UnansweredQuestion) error {
	g.single.Add(1)
	return g.st.(portal.UnansweredRecorder).RecordUnanswered(ctx, u)
}

func (g *gapCounter) RecordUnansweredBatch(ctx context.Context, qs []*portal.UnansweredQuestion) error {
	g.batchN.Add(1)
	return g.st.(interface {
		RecordUnansweredBatch(ctx context.Context, qs []*portal.UnansweredQuestion) error
	}).RecordUnansweredBatch(ctx, qs)
}

// The questions the bot could not answer, asked at once in many
// conversations, are recorded for the content gaps in batches, each once
// with its conversation; closing the engine writes what is still waiting.
// On both stores.
func TestUnansweredQuestionsRecordedInBatches(t *testing.T) {
	var counters sync.Map
	engines := exchangeEngines(t, func(cfg *bot.Config, st exchangeStore) {
		g := &gapCounter{st: st}
		counters.Store(st, g)
		cfg.Gaps = g
	})
	for name, open := range engines {
		t.Run(name, func(t *testing.T) {
			e, st, _ := open(t)
			ctx := context.Background()
			const n = 12
			var wg sync.WaitGroup
			convs := make([]int64, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					p := bot.Participant{VisitorID: fmt.Sprintf("v-gap-%d", i)}
					conv, _, _, err := e.Send(ctx, p, 0, "first", "how long does delivery take?")
					if err != nil {
						t.Error(err)
						return
					}
					convs[i] = conv.ID
					waitFor(t, st, conv.ID, 2)
					// Answered with the question (one commit), or not: either
					// way it is recorded once.
					if _, _, _, err := e.Send(ctx, p, conv.ID, "gap", fmt.Sprintf("zzqx wibble %d", i)); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			e.Close() // writes what waits
			got, err := st.(portal.FeedbackService).FindUnansweredQuestions(ctx, portal.GapFilter{Since: time.Now().Add(-time.Hour), Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			per := map[int64]int{}
			for _, u := range got {
				if u.ConversationID != nil {
					per[*u.ConversationID]++
				}
			}
			for i, c := range convs {
				if per[c] != 1 {
					t.Fatalf("conversation %d: %d questions recorded, want 1 (%d in all)", i, per[c], len(got))
				}
			}
			g, _ := counters.Load(st)
			if c := g.(*gapCounter); c.single.Load() != 0 || c.batchN.Load() == 0 {
				t.Fatalf("%d single writes and %d batches, want batches only", c.single.Load(), c.batchN.Load())
			}
		})
	}
}
