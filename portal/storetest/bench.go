package storetest

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// BenchChatAppend stores messages from 256 conversations at once, a
// customer's message and the bot's answer each, as the chat does under
// load (the appends share commits). One op is one question and answer.
func BenchChatAppend(b *testing.B, s portal.Store) {
	ctx := context.Background()
	const convs = 256
	ids := make(chan int64, convs)
	for i := 0; i < convs; i++ {
		ids <- MustCreateConversation(b, s, fmt.Sprintf("v%d", i), nil).ID
	}
	b.SetParallelism(convs / max(1, runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := <-ids
		for n := 0; pb.Next(); n++ {
			m := &portal.Message{ConversationID: id, Author: portal.AuthorCustomer, Body: "How long does delivery take?", ClientID: fmt.Sprintf("c%d", n)}
			if _, err := s.AppendMessage(ctx, m); err != nil {
				b.Fatal(err)
			}
			m = &portal.Message{ConversationID: id, Author: portal.AuthorBot, Body: "Standard delivery takes 3 to 5 working days.", Meta: `{"links":[{"title":"Delivery","url":"/help/articles/2-delivery"}]}`}
			if _, err := s.AppendMessage(ctx, m, portal.ConvBot); err != nil {
				b.Fatal(err)
			}
		}
	})
}
