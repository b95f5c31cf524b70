package bot_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
)

// fakeConn records what a session queues on its socket.
type fakeConn struct {
	mu       sync.Mutex
	frames   []map[string]any
	catchups []int64
	queues   int
}

func (c *fakeConn) Notify(bot.Event) {}

func (c *fakeConn) Send(frame any) {
	b, err := json.Marshal(frame)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.frames = append(c.frames, m)
	c.mu.Unlock()
}

func (c *fakeConn) CatchUp(conv int64) {
	c.mu.Lock()
	c.catchups = append(c.catchups, conv)
	c.mu.Unlock()
}

func (c *fakeConn) RefreshQueue() {
	c.mu.Lock()
	c.queues++
	c.mu.Unlock()
}

// last returns the last frame queued.
func (c *fakeConn) last(t *testing.T) map[string]any {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.frames) == 0 {
		t.Fatal("no frame sent")
	}
	return c.frames[len(c.frames)-1]
}

// TestProtocolFrames: the chat engine speaks the protocol without the web
// layer: frames are checked and decoded, dispatched by type and the
// session's kind, and answered (errors as error frames with the frame's
// id); the web layer's needs come in as funcs.
func TestProtocolFrames(t *testing.T) {
	env := mustEnv(t, nil)
	var limited []string
	proto := bot.NewProtocol(bot.ProtocolConfig{Engine: env.engine, Hub: env.hub,
		CustomerPanel: func(_ context.Context, conv *portal.Conversation, agentID int64) (any, error) {
			return map[string]any{"type": "conversation", "conversation_id": conv.ID, "panel_for": agentID}, nil
		},
		LeaveMessageLimit: func(_ context.Context, p bot.Participant, email string) error {
			limited = append(limited, p.VisitorID+" "+email)
			return portal.Errorf(portal.ETOOMANY, "Enough.")
		}})
	ctx := context.Background()
	cc := &fakeConn{}
	guest := proto.CustomerSession(cc, bot.Participant{VisitorID: "v-proto", IP: "127.0.0.1"})
	guest.Open()
	defer guest.Close()
	ac := &fakeConn{}
	agent := proto.AgentSession(ac, env.agent)
	agent.Open()
	defer agent.Close()

	if f := ac.last(t); f["type"] != "welcome" || f["agent_name"] != "Alex" || ac.queues != 1 {
		t.Fatalf("agent's opening: %v, %d queue refreshes", f, ac.queues)
	}
	for _, tc := range []struct {
		name, frame, code string
	}{
		{"NotJSON", `{"type":`, "invalid_json"},
		{"EscapedNUL", `{"type":"send","id":"1","text":"a\u0000b"}`, portal.EINVALID},
		{"UnknownType", `{"type":"claim","id":"x"}`, "unknown_type"},
		{"SendWithoutID", `{"type":"send","text":"hi"}`, portal.EINVALID},
		{"VoteWithoutHelpful", `{"type":"vote","seq":1}`, portal.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			guest.Receive(ctx, []byte(tc.frame))
			if f := cc.last(t); f["type"] != "error" || f["code"] != tc.code {
				t.Fatalf("%s answered %v, want error %s", tc.frame, f, tc.code)
			}
		})
	}
	t.Run("UnknownIDIsEchoed", func(t *testing.T) {
		guest.Receive(ctx, []byte(`{"type":"nope","id":"abc"}`))
		if f := cc.last(t); f["code"] != "unknown_type" || f["id"] != "abc" {
			t.Fatalf("got %v", f)
		}
	})
	t.Run("SendFollowsAndAcks", func(t *testing.T) {
		guest.Receive(ctx, []byte(`{"type":"send","id":"m1","text":"How long does delivery take?"}`))
		f := cc.last(t)
		if f["type"] != "ack" || f["id"] != "m1" {
			t.Fatalf("got %v", f)
		}
		conv := int64(f["conversation_id"].(float64))
		if guest.Current() != conv || len(cc.catchups) == 0 || cc.catchups[len(cc.catchups)-1] != conv {
			t.Fatalf("session follows %d (catch-ups %v), want %d", guest.Current(), cc.catchups, conv)
		}
		agent.Receive(ctx, []byte(`{"type":"open","conversation_id":`+jsonInt(conv)+`}`))
		if f := ac.last(t); f["type"] != "conversation" || f["panel_for"] != float64(env.agent.ID) || !agent.Watching(conv) {
			t.Fatalf("agent's open: %v (watching %v)", f, agent.Watching(conv))
		}
	})
	t.Run("LeaveMessageAsksTheWebLayer", func(t *testing.T) {
		guest.Receive(ctx, []byte(`{"type":"leave_message","id":"l1","email":"a@example.com","name":"A","text":"Call me"}`))
		if f := cc.last(t); f["code"] != portal.ETOOMANY || f["id"] != "l1" || len(limited) != 1 || limited[0] != "v-proto a@example.com" {
			t.Fatalf("got %v, limit asked %v", f, limited)
		}
	})
	t.Run("AgentFramesAreNotCustomers", func(t *testing.T) {
		agent.Receive(ctx, []byte(`{"type":"vote","seq":1,"helpful":true}`))
		if f := ac.last(t); f["code"] != "unknown_type" {
			t.Fatalf("agent's vote answered %v", f)
		}
	})
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
