package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/internal/loadgen"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/demo"
	"github.com/frontdesk/frontdesk/portal/postgres"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/search"
)

// benchStore is what the benchmark needs of either store.
type benchStore interface {
	bot.Store
	bot.UserFinder
	bot.OrderReader
	bot.ArticleFinder
	portal.UnansweredRecorder
	CreateArticle(ctx context.Context, a *portal.Article) error
}

// answerWaiter is a hub client that passes on the sequence numbers of the
// bot's and system messages (a hand-off answers with the latter).
type answerWaiter chan int64

func (w answerWaiter) Notify(e bot.Event) {
	if e.Kind == bot.EventMessage && e.Author != portal.AuthorCustomer {
		w <- e.Seq
	}
}

// BenchmarkSendUnique: one guest asks the demo help centre a new question
// at a time (the bench chat questions, never repeated) and waits for the
// bot's answer: the engine's and the store's whole work per question
// (retrieval, storing the question and the answer, the events), as CPU
// time per question (cpu-ns/op), on SQLite and, with
// FRONTDESK_TEST_POSTGRES_URL, PostgreSQL. The sockets are not in it.
func BenchmarkSendUnique(b *testing.B) {
	stores := map[string]func(tb testing.TB) benchStore{
		"sqlite": func(tb testing.TB) benchStore {
			st, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(tb.TempDir(), "b.db")})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { st.Close() })
			return st
		},
	}
	if os.Getenv("FRONTDESK_TEST_POSTGRES_URL") != "" {
		stores["postgres"] = func(tb testing.TB) benchStore {
			st, err := postgres.Open(context.Background(), postgres.Config{URL: pgtest.URL(tb)})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { st.Close() })
			return st
		}
	}
	qs := loadgen.NewQuestions()
	for name, open := range stores {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			st := open(b)
			for _, a := range demo.FAQArticles() {
				a := *a
				a.ID, a.Status = 0, portal.ArticlePublished
				if err := st.CreateArticle(ctx, &a); err != nil {
					b.Fatal(err)
				}
			}
			ix, err := search.NewMemory(search.Config{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { ix.Close() })
			kb, err := bot.LoadKnowledge(ctx, st, ix)
			if err != nil {
				b.Fatal(err)
			}
			e := bot.New(bot.Config{Store: st, Users: st, Orders: st, Knowledge: kb, Gaps: st})
			b.Cleanup(e.Close)
			hub := bot.NewHub(e.Bus())
			b.Cleanup(hub.Close)
			p := bot.Participant{VisitorID: "v-bench"}
			w := make(answerWaiter, 64)
			c, err := e.Start(ctx, p)
			if err != nil {
				b.Fatal(err)
			}
			conv := c.ID
			hub.Join(conv, w)
			// ask sends a question and waits for the reply to it.
			ask := func(client, text string) {
				_, m, _, err := e.Send(ctx, p, conv, client, text)
				if err != nil {
					b.Fatal(err)
				}
				for {
					select {
					case seq := <-w:
						if seq > m.Seq {
							return
						}
					case <-time.After(10 * time.Second):
						b.Fatalf("no reply to %q within 10 s", text)
					}
				}
			}
			ask("warm", "How long does delivery take?")
			off := int(time.Now().UnixNano() % 1_000_000)
			start := cpuTime()
			for i := 0; b.Loop(); i++ {
				ask("q"+itoa(off+i), qs.Text(off+i))
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

func itoa(i int) string {
	var buf [20]byte
	n := len(buf)
	for {
		n--
		buf[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(buf[n:])
		}
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
