package bot_test

import (
	"testing"

	"github.com/frontdesk/frontdesk/bot"
)

// TestSessionSees: what a socket may see is decided by its session.
func TestSessionSees(t *testing.T) {
	customer := bot.NewSession(0)
	customer.Watch(7, 2)
	agent := bot.NewSession(42)
	agent.Watch(7, 0)
	note := bot.Event{Kind: bot.EventMessage, ConversationID: 7, Seq: 3, Internal: true}
	msg := bot.Event{Kind: bot.EventMessage, ConversationID: 7, Seq: 3}
	for _, tc := range []struct {
		name string
		s    *bot.Session
		e    bot.Event
		want bot.Visibility
	}{
		{"InternalNoteHiddenFromCustomer", customer, note, bot.Hidden},
		{"InternalNoteShownToAgent", agent, note, bot.Visible},
		{"MessageShownToFollower", customer, msg, bot.Visible},
		{"MessageAlreadySentHidden", customer, bot.Event{Kind: bot.EventMessage, ConversationID: 7, Seq: 2}, bot.Hidden},
		{"OtherConversationHidden", customer, bot.Event{Kind: bot.EventMessage, ConversationID: 8, Seq: 1}, bot.Hidden},
		{"TypingInOtherConversationHidden", agent, bot.Event{Kind: bot.EventTyping, ConversationID: 8}, bot.Hidden},
		{"PresenceHiddenFromCustomer", customer, bot.Event{Kind: bot.EventPresence}, bot.Hidden},
		{"PresenceRefreshesAgentsQueue", agent, bot.Event{Kind: bot.EventPresence}, bot.QueueRefresh},
		{"QueueHiddenFromCustomer", customer, bot.Event{Kind: bot.EventQueue}, bot.Hidden},
		{"AssignmentToAnotherAgentHidden", agent, bot.Event{Kind: bot.EventAssigned, ConversationID: 9, AgentID: 43}, bot.Hidden},
		{"AssignmentToThisAgentShown", agent, bot.Event{Kind: bot.EventAssigned, ConversationID: 9, AgentID: 42}, bot.Visible},
		{"AssignmentHiddenFromCustomer", customer, bot.Event{Kind: bot.EventAssigned, ConversationID: 7, AgentID: 0}, bot.Hidden},
		{"NewConversationOfCustomerShown", customer, bot.Event{Kind: bot.EventStarted, ConversationID: 8}, bot.Visible},
		{"NewConversationHiddenFromAgent", agent, bot.Event{Kind: bot.EventStarted, ConversationID: 8}, bot.Hidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Sees(tc.e); got != tc.want {
				t.Fatalf("Sees(%+v)=%v, want %v", tc.e, got, tc.want)
			}
		})
	}
	// A customer follows one conversation at a time.
	if left := customer.Watch(8, 0); left != 7 || customer.Watching(7) || customer.Current() != 8 {
		t.Fatalf("watch 8: left %d, watching 7 %v, current %d", left, customer.Watching(7), customer.Current())
	}
	customer.Sent(8, 4)
	if got := customer.LastSeq(8); got != 4 {
		t.Fatalf("last seq %d, want 4", got)
	}
}

var sessionSink *bot.Session

// A customer's session is held by every idle customer socket: it must
// cost one small object, not a map.
func TestCustomerSessionIsOneAllocation(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		s := bot.NewSession(0)
		s.Watch(7, 2)
		s.Sent(7, 3)
		s.Watch(8, 0)
		sessionSink = s
	})
	if allocs > 1 {
		t.Fatalf("%v allocations per customer session, want 1", allocs)
	}
	if sessionSink.Watching(7) || !sessionSink.Watching(8) || sessionSink.LastSeq(8) != 0 {
		t.Fatal("session follows the wrong conversation")
	}
}
