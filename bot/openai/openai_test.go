package openai_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/bot/openai"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/sqlite"
	"github.com/frontdesk/frontdesk/portal/storetest"
	"github.com/frontdesk/frontdesk/search"
)

// fakeAPI is a chat-completions server for tests: each request is recorded
// and answered by the next handler in turn.
type fakeAPI struct {
	t        testing.TB
	mu       sync.Mutex
	requests []map[string]any
	answers  []func(w http.ResponseWriter, r *http.Request, body map[string]any)
	srv      *httptest.Server
}

func newFakeAPI(t testing.TB, answers ...func(w http.ResponseWriter, r *http.Request, body map[string]any)) *fakeAPI {
	f := &fakeAPI{t: t, answers: answers}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer test-key" {
			http.Error(w, "bad path or key", http.StatusNotFound)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		json.Unmarshal(b, &body)
		f.mu.Lock()
		n := len(f.requests)
		f.requests = append(f.requests, body)
		f.mu.Unlock()
		if n >= len(f.answers) {
			http.Error(w, "unexpected request", http.StatusInternalServerError)
			return
		}
		f.answers[n](w, r, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) completer(t testing.TB, noStream bool) *openai.Completer {
	c, err := openai.New(openai.Config{APIKey: "test-key", BaseURL: f.srv.URL + "/v1", Model: "test-model", NoStream: noStream})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fakeAPI) request(i int) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.requests) {
		f.t.Fatalf("only %d requests", len(f.requests))
	}
	return f.requests[i]
}

func (f *fakeAPI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// plain answers with a whole message.
func plain(content string, calls ...map[string]any) func(http.ResponseWriter, *http.Request, map[string]any) {
	return func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		msg := map[string]any{"role": "assistant", "content": content}
		if len(calls) > 0 {
			msg["tool_calls"] = calls
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": "test-model",
			"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": "stop"}}})
	}
}

// streamed answers with server-sent events, one chunk per piece.
func streamed(pieces []string, calls ...map[string]any) func(http.ResponseWriter, *http.Request, map[string]any) {
	return func(w http.ResponseWriter, r *http.Request, body map[string]any) {
		w.Header().Set("Content-Type", "text/event-stream")
		chunk := func(delta map[string]any) {
			b, _ := json.Marshal(map[string]any{"id": "x", "object": "chat.completion.chunk", "model": "test-model",
				"choices": []any{map[string]any{"index": 0, "delta": delta}}})
			fmt.Fprintf(w, "data: %s\n\n", b)
			w.(http.Flusher).Flush()
		}
		for _, p := range pieces {
			chunk(map[string]any{"content": p})
		}
		for i, c := range calls {
			// Split each call's arguments in two chunks, as servers do.
			fn := c["function"].(map[string]any)
			args := fn["arguments"].(string)
			chunk(map[string]any{"tool_calls": []any{map[string]any{"index": i, "id": c["id"], "type": "function", "function": map[string]any{"name": fn["name"], "arguments": args[:len(args)/2]}}}})
			chunk(map[string]any{"tool_calls": []any{map[string]any{"index": i, "function": map[string]any{"arguments": args[len(args)/2:]}}}})
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
}

func toolCall(id, name, args string) map[string]any {
	return map[string]any{"id": id, "type": "function", "function": map[string]any{"name": name, "arguments": args}}
}

func TestCompleterPlain(t *testing.T) {
	api := newFakeAPI(t, plain("", toolCall("c1", "get_order", `{"number":"A-1"}`)))
	c := api.completer(t, true)
	got, err := c.Complete(context.Background(), bot.CompletionRequest{
		Messages: []bot.ChatMessage{{Role: bot.RoleSystem, Content: "sys"}, {Role: bot.RoleUser, Content: "where is A-1?"}},
		Tools:    []bot.Tool{{Name: "get_order", Description: "d", Parameters: json.RawMessage(`{"type":"object","properties":{}}`)}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ToolCalls) != 1 || got.ToolCalls[0].Name != "get_order" || got.ToolCalls[0].Arguments != `{"number":"A-1"}` {
		t.Fatalf("completion %+v", got)
	}
	req := api.request(0)
	if req["model"] != "test-model" || req["stream"] == true {
		t.Fatalf("request %v", req)
	}
	tools, _ := json.Marshal(req["tools"])
	if !strings.Contains(string(tools), `"name":"get_order"`) {
		t.Fatalf("tools %s", tools)
	}
}

func TestCompleterStream(t *testing.T) {
	api := newFakeAPI(t, streamed([]string{"Hel", "lo"}, toolCall("c1", "list_orders", `{"all":true}`)))
	var deltas []string
	got, err := api.completer(t, false).Complete(context.Background(), bot.CompletionRequest{Messages: []bot.ChatMessage{{Role: bot.RoleUser, Content: "hi"}}},
		func(d string) { deltas = append(deltas, d) })
	if err != nil {
		t.Fatal(err)
	}
	if got.Content != "Hello" || strings.Join(deltas, "|") != "Hel|lo" {
		t.Fatalf("content %q deltas %q", got.Content, deltas)
	}
	if len(got.ToolCalls) != 1 || got.ToolCalls[0].ID != "c1" || got.ToolCalls[0].Arguments != `{"all":true}` {
		t.Fatalf("tool calls %+v", got.ToolCalls)
	}
	if api.request(0)["stream"] != true {
		t.Fatal("did not ask for a stream")
	}
}

// env is a chat engine on SQLite using the fake model.
type env struct {
	store  *sqlite.Store
	engine *bot.Engine
	hub    *bot.Hub
	ada    *portal.User
	bob    *portal.User
}

func mustEnv(t *testing.T, c bot.Completer, timeout time.Duration) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "t.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, a := range []*portal.Article{
		{Title: "Delivery times", Slug: "delivery", Summary: "Standard delivery takes 3 to 5 working days.", Body: "Express is next day.", Phrasings: []string{"how long does delivery take"}, Status: portal.ArticlePublished},
		{Title: "Returning an item", Slug: "returns", Summary: "Return unused items within 30 days.", Phrasings: []string{"can I return my order"}, Status: portal.ArticlePublished},
	} {
		if err := st.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	ix, _ := search.NewMemory(search.Config{})
	t.Cleanup(func() { ix.Close() })
	kb, err := bot.LoadKnowledge(ctx, st, ix)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{store: st}
	e.ada = storetest.MustCreateUser(t, st, portal.RoleCustomer, "ada@example.com")
	e.bob = storetest.MustCreateUser(t, st, portal.RoleCustomer, "bob@example.com")
	storetest.MustCreateOrder(t, st, e.ada, "A-1", time.Now())
	storetest.MustCreateOrder(t, st, e.bob, "B-1", time.Now())
	e.engine = bot.New(bot.Config{Store: st, Users: st, Orders: st, Knowledge: kb, Completer: c, ModelTimeout: timeout})
	t.Cleanup(e.engine.Close)
	e.hub = bot.NewHub(e.engine.Bus())
	t.Cleanup(e.hub.Close)
	return e
}

type recorder struct {
	mu  sync.Mutex
	evs []bot.Event
}

func (r *recorder) Notify(e bot.Event) { r.mu.Lock(); r.evs = append(r.evs, e); r.mu.Unlock() }

func (r *recorder) partial() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.evs {
		if e.Kind == bot.EventPartial {
			b.WriteString(e.Text)
		}
	}
	return b.String()
}

// ask sends a question and returns the bot's reply once stored.
func (e *env) ask(t *testing.T, p bot.Participant, q string) (*portal.Message, *recorder) {
	t.Helper()
	ctx := context.Background()
	conv, err := e.engine.Start(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	e.hub.Join(conv.ID, rec)
	if _, _, _, err := e.engine.Send(ctx, p, conv.ID, "q1", q); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs, _ := e.store.FindMessages(ctx, conv.ID, 1, false, 10)
		for _, m := range msgs {
			if m.Author == portal.AuthorBot {
				return m, rec
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no bot answer")
	return nil, nil
}

func TestBotGroundedStreamedAnswer(t *testing.T) {
	api := newFakeAPI(t, streamed([]string{"Standard delivery ", "takes 3 to 5 ", "working days [1]."}))
	e := mustEnv(t, api.completer(t, false), 5*time.Second)
	m, rec := e.ask(t, bot.Participant{VisitorID: "guest"}, "How long does delivery take?")
	if m.Body != "Standard delivery takes 3 to 5 working days [1]." || !strings.Contains(m.Meta, `"url":"/help/delivery"`) {
		t.Fatalf("answer %q meta %s", m.Body, m.Meta)
	}
	if got := rec.partial(); got != m.Body {
		t.Fatalf("streamed %q, want the answer", got)
	}
	req := api.request(0)
	msgs, _ := json.Marshal(req["messages"])
	for _, want := range []string{"[1] Delivery times (/help/delivery)", "Standard delivery takes 3 to 5 working days.", "only the numbered help articles", "How long does delivery take?"} {
		if !strings.Contains(string(msgs), want) {
			t.Errorf("prompt lacks %q: %s", want, msgs)
		}
	}
	if req["tools"] != nil {
		t.Fatalf("guests get no tools: %v", req["tools"])
	}
}

func TestBotToolsReadOnlyTheCustomersOrders(t *testing.T) {
	var second []byte
	api := newFakeAPI(t,
		plain("", toolCall("c1", "get_order", `{"number":"B-1"}`), toolCall("c2", "list_orders", `{}`)),
		func(w http.ResponseWriter, r *http.Request, body map[string]any) {
			second, _ = json.Marshal(body["messages"])
			plain("Your order A-1 is placed.")(w, r, body)
		})
	e := mustEnv(t, api.completer(t, true), 5*time.Second)
	m, _ := e.ask(t, bot.Participant{Customer: e.ada}, "Where are my orders?")
	if m.Body != "Your order A-1 is placed." {
		t.Fatalf("answer %q", m.Body)
	}
	tools, _ := json.Marshal(api.request(0)["tools"])
	if !strings.Contains(string(tools), "get_order") || !strings.Contains(string(tools), "list_orders") {
		t.Fatalf("tools offered %s", tools)
	}
	s := string(second)
	if !strings.Contains(s, `No order B-1 on this account.`) || !strings.Contains(s, `A-1`) || strings.Contains(s, `"number\":\"B-1\",\"status`) {
		t.Fatalf("tool results leak or miss data: %s", s)
	}
	if !strings.Contains(s, `"tool_call_id":"c1"`) || !strings.Contains(s, `"tool_call_id":"c2"`) {
		t.Fatalf("tool results not tied to calls: %s", s)
	}
}

func TestBotFallsBackToArticles(t *testing.T) {
	t.Run("OnError", func(t *testing.T) {
		api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
			http.Error(w, `{"error":{"message":"overloaded","type":"server_error"}}`, http.StatusServiceUnavailable)
		})
		e := mustEnv(t, api.completer(t, false), 5*time.Second)
		m, _ := e.ask(t, bot.Participant{VisitorID: "g"}, "How long does delivery take?")
		if m.Body != "Standard delivery takes 3 to 5 working days." {
			t.Fatalf("fallback %q", m.Body)
		}
	})
	t.Run("OnTimeout", func(t *testing.T) {
		api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, body map[string]any) {
			<-r.Context().Done() // never answers
		})
		e := mustEnv(t, api.completer(t, false), 200*time.Millisecond)
		m, _ := e.ask(t, bot.Participant{VisitorID: "g"}, "How long does delivery take?")
		if m.Body != "Standard delivery takes 3 to 5 working days." {
			t.Fatalf("fallback %q", m.Body)
		}
	})
	t.Run("NoAnswerIsAFailure", func(t *testing.T) {
		api := newFakeAPI(t, streamed([]string{"NO_", "ANSWER"}))
		e := mustEnv(t, api.completer(t, false), 5*time.Second)
		m, rec := e.ask(t, bot.Participant{VisitorID: "g"}, "Can I pay with seashells?")
		if !strings.Contains(m.Meta, `"offer":"person"`) || strings.Contains(m.Body, "NO_ANSWER") {
			t.Fatalf("answer %q meta %s", m.Body, m.Meta)
		}
		if rec.partial() != "" {
			t.Fatalf("streamed %q to the customer", rec.partial())
		}
	})
}
