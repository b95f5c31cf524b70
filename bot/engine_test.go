package bot_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/search"
)

// testEnv is an engine on a fresh SQLite store with three articles.
type testEnv struct {
	store  *sqlite.Store
	engine *bot.Engine
	hub    *bot.Hub
	agent  *portal.User
	cust   *portal.User
}

var articles = []*portal.Article{
	{Title: "Returning an item", Slug: "returns", Summary: "You can return unused items within 30 days for a full refund.", Body: "Start a return from your account.", Phrasings: []string{"how do I send something back", "can I return my order"}, Status: portal.ArticlePublished},
	{Title: "Delivery times", Slug: "delivery", Summary: "Standard delivery takes 3 to 5 working days.", Body: "Express delivery is next day.", Phrasings: []string{"when will my order arrive", "how long does delivery take"}, Status: portal.ArticlePublished},
	{Title: "Warranty cover", Slug: "warranty", Summary: "Furniture has a 10-year warranty against manufacturing defects.", Phrasings: []string{"is my sofa under guarantee"}, Status: portal.ArticlePublished},
}

func mustEnv(tb testing.TB, completer bot.Completer) *testEnv {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(tb.TempDir(), "t.db")})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
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
	cust := &portal.User{Email: "cust@example.com", Name: "Cara", Role: portal.RoleCustomer}
	for _, u := range []*portal.User{agent, cust} {
		if err := st.CreateUser(ctx, u); err != nil {
			tb.Fatal(err)
		}
	}
	e := bot.New(bot.Config{Store: st, Users: st, Orders: st, Knowledge: kb, Completer: completer, ModelTimeout: 2 * time.Second})
	tb.Cleanup(e.Close)
	hub := bot.NewHub(e.Bus())
	tb.Cleanup(hub.Close)
	return &testEnv{store: st, engine: e, hub: hub, agent: agent, cust: cust}
}

// recorder is a hub client that keeps every event.
type recorder struct {
	mu  sync.Mutex
	evs []bot.Event
	ch  chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 1000)} }

func (r *recorder) Notify(e bot.Event) {
	r.mu.Lock()
	r.evs = append(r.evs, e)
	r.mu.Unlock()
	r.ch <- struct{}{}
}

// waitMessages waits until the conversation holds n public messages.
func (env *testEnv) waitMessages(tb testing.TB, convID int64, n int) []*portal.Message {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, err := env.store.FindMessages(context.Background(), convID, 0, false, 100)
		if err != nil {
			tb.Fatal(err)
		}
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range msgs {
				got = append(got, m.Author+": "+m.Body)
			}
			tb.Fatalf("conversation has %d messages, want %d: %q", len(msgs), n, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBotAnswersFromArticles(t *testing.T) {
	env := mustEnv(t, nil)
	ctx := context.Background()
	p := bot.Participant{VisitorID: "v1"}
	conv, _, stored, err := env.engine.Send(ctx, p, 0, "c1", "how long does delivery take?")
	if err != nil || !stored {
		t.Fatalf("send: stored=%v err=%v", stored, err)
	}
	msgs := env.waitMessages(t, conv.ID, 2)
	if got := msgs[1]; got.Author != portal.AuthorBot || !strings.Contains(got.Body, "3 to 5 working days") || !strings.Contains(got.Meta, "/help/delivery") {
		t.Fatalf("bot answer %+v", got)
	}
}

func TestBotHandsOffWhenAsked(t *testing.T) {
	env := mustEnv(t, nil)
	ctx := context.Background()
	p := bot.Participant{VisitorID: "v1"}
	t.Run("NoAgentOffersLeaveMessage", func(t *testing.T) {
		conv, _, _, err := env.engine.Send(ctx, p, 0, "c1", "I want to talk to a human")
		if err != nil {
			t.Fatal(err)
		}
		msgs := env.waitMessages(t, conv.ID, 2)
		if !strings.Contains(msgs[1].Meta, "leave_message") {
			t.Fatalf("want leave-message offer, got %+v", msgs[1])
		}
		cs, err := env.engine.LeaveMessage(ctx, p, conv.ID, "guest@example.com", "Gus", "Please call me")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(cs.Transcript, "talk to a human") {
			t.Fatalf("transcript %q", cs.Transcript)
		}
		mails, _ := env.store.FindEmails(ctx, "guest@example.com", 5)
		if len(mails) != 1 || !strings.Contains(mails[0].Body, cs.Number()) {
			t.Fatalf("mails %+v", mails)
		}
		got, _ := env.store.FindConversation(ctx, conv.ID)
		if got.State != portal.ConvClosed {
			t.Fatalf("state %s", got.State)
		}
	})
	t.Run("AgentAvailableQueues", func(t *testing.T) {
		env.engine.SetStatus(ctx, env.agent, portal.AgentAvailable)
		conv, _, _, err := env.engine.Send(ctx, p, 0, "c2", "real person please")
		if err != nil {
			t.Fatal(err)
		}
		msgs := env.waitMessages(t, conv.ID, 2)
		if !strings.Contains(msgs[1].Body, "number 1 in the queue") {
			t.Fatalf("queue message %+v", msgs[1])
		}
		queued, _, _, _ := env.engine.Queue(ctx, env.agent)
		if len(queued) != 1 || queued[0].ConversationID != conv.ID {
			t.Fatalf("queue %+v", queued)
		}
	})
}

func TestBotHandsOffAfterTwoFailures(t *testing.T) {
	env := mustEnv(t, nil)
	ctx := context.Background()
	env.engine.SetStatus(ctx, env.agent, portal.AgentAvailable)
	p := bot.Participant{VisitorID: "v2"}
	conv, _, _, _ := env.engine.Send(ctx, p, 0, "a", "zebra quantum flux capacitor")
	msgs := env.waitMessages(t, conv.ID, 2)
	if !strings.Contains(msgs[1].Meta, `"offer":"person"`) {
		t.Fatalf("first failure %+v", msgs[1])
	}
	env.engine.Send(ctx, p, conv.ID, "b", "purple elephant spaceship")
	msgs = env.waitMessages(t, conv.ID, 5)
	if got, _ := env.store.FindConversation(ctx, conv.ID); got.State != portal.ConvQueued {
		t.Fatalf("state %s after two failures; messages %+v", got.State, msgs)
	}
}

// With nobody available, two failed answers in a row bring the offer to
// leave a message; the count then starts again, so a customer who carries
// on is not told so after every unanswered question.
func TestBotOffersLeaveMessageOncePerTwoFailures(t *testing.T) {
	env := mustEnv(t, nil)
	ctx := context.Background()
	p := bot.Participant{VisitorID: "v3"}
	conv, _, _, _ := env.engine.Send(ctx, p, 0, "a", "zebra quantum flux capacitor")
	env.waitMessages(t, conv.ID, 2)
	env.engine.Send(ctx, p, conv.ID, "b", "purple elephant spaceship")
	msgs := env.waitMessages(t, conv.ID, 5) // question, answer, question, answer, offer
	if last := msgs[4]; last.Author != portal.AuthorSystem || !strings.Contains(last.Meta, "leave_message") {
		t.Fatalf("after two failures with nobody available: %+v", last)
	}
	env.engine.Send(ctx, p, conv.ID, "c", "tangerine submarine orchestra")
	msgs = env.waitMessages(t, conv.ID, 7)
	if last := msgs[6]; last.Author != portal.AuthorBot || !strings.Contains(last.Meta, `"offer":"person"`) {
		t.Fatalf("third failure: %+v, want the bot's answer offering a person", last)
	}
	env.engine.Send(ctx, p, conv.ID, "d", "violet walrus trombone")
	msgs = env.waitMessages(t, conv.ID, 10)
	if last := msgs[9]; last.Author != portal.AuthorSystem || !strings.Contains(last.Meta, "leave_message") {
		t.Fatalf("fourth failure: %+v, want the offer again", last)
	}
	if got, _ := env.store.FindConversation(ctx, conv.ID); got.State != portal.ConvBot {
		t.Fatalf("state %s, want bot", got.State)
	}
}

func TestBotSilentWhileAgentOwns(t *testing.T) {
	env := mustEnv(t, nil)
	ctx := context.Background()
	env.engine.SetStatus(ctx, env.agent, portal.AgentAvailable)
	p := bot.Participant{Customer: env.cust}
	conv, _, _, _ := env.engine.Send(ctx, p, 0, "a", "talk to a human")
	env.waitMessages(t, conv.ID, 2)
	if _, err := env.engine.Claim(ctx, env.agent, conv.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.engine.Claim(ctx, env.agent, conv.ID); portal.ErrorCode(err) != portal.ECONFLICT {
		t.Fatalf("second claim: %v", err)
	}
	rec := newRecorder()
	env.hub.Join(conv.ID, rec)
	env.engine.Send(ctx, p, conv.ID, "b", "how long does delivery take?")
	if _, _, err := env.engine.AgentSend(ctx, env.agent, conv.ID, "x1", "Hi, Alex here", false); err != nil {
		t.Fatal(err)
	}
	env.engine.Close() // waits for any bot answer in flight
	msgs := env.waitMessages(t, conv.ID, 5)
	for _, m := range msgs {
		if m.Author == portal.AuthorBot {
			t.Fatalf("bot spoke while the agent owned the chat: %q", m.Body)
		}
	}
	if msgs[len(msgs)-1].Body != "Hi, Alex here" {
		t.Fatalf("last message %+v", msgs[len(msgs)-1])
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.evs) < 2 || rec.evs[0].Kind != bot.EventMessage {
		t.Fatalf("hub events %+v", rec.evs)
	}
}

func TestWantsPerson(t *testing.T) {
	for in, want := range map[string]bool{
		"Talk to a human!": true, "can I speak to someone": true, "agent": true, "real person please": true,
		"where is my parcel": false, "humane society": false, "my user agent string": false,
	} {
		if got := bot.WantsPerson(in); got != want {
			t.Errorf("WantsPerson(%q)=%v, want %v", in, got, want)
		}
	}
}
