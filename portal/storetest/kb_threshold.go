package storetest

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

func testKBThresholds(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	ed := MustCreateUser(t, s, portal.RoleEditor, "editor@example.com")
	t.Run("SetReplaceReset", func(t *testing.T) {
		got, err := s.KBThresholds(ctx())
		if err != nil || len(got) != 0 {
			t.Fatalf("thresholds before any: %+v, %v", got, err)
		}
		for _, v := range []float64{0.4, 0.35} {
			if err := s.SetKBThreshold(ctx(), &portal.KBThreshold{Locale: "en", Threshold: v, UpdatedBy: &ed.ID}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetKBThreshold(ctx(), &portal.KBThreshold{Locale: "de", Threshold: 0}); err != nil {
			t.Fatal(err)
		}
		got, err = s.KBThresholds(ctx())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Locale != "de" || got[1].Locale != "en" || got[1].Threshold != 0.35 || got[1].UpdatedBy == nil || *got[1].UpdatedBy != ed.ID || got[1].UpdatedAt.IsZero() {
			t.Fatalf("thresholds=%+v", got)
		}
		if err := s.ResetKBThreshold(ctx(), "en"); err != nil {
			t.Fatal(err)
		}
		if err := s.ResetKBThreshold(ctx(), "en"); err != nil {
			t.Fatalf("second reset: %v", err)
		}
		got, err = s.KBThresholds(ctx())
		if err != nil || len(got) != 1 || got[0].Locale != "de" {
			t.Fatalf("after reset: %+v, %v", got, err)
		}
	})
	t.Run("OutOfRangeIsInvalid", func(t *testing.T) {
		for _, v := range []float64{-0.1, 1.5} {
			wantCode(t, s.SetKBThreshold(ctx(), &portal.KBThreshold{Locale: "en", Threshold: v}), portal.EINVALID)
		}
		wantCode(t, s.SetKBThreshold(ctx(), &portal.KBThreshold{Threshold: 0.3}), portal.EINVALID)
	})
	t.Run("RecentQuestions", func(t *testing.T) {
		chat := MustCreateConversation(t, s, "v1", nil)
		for _, m := range []*portal.Message{
			{ConversationID: chat.ID, Author: portal.AuthorCustomer, Body: "Where is my sofa?"},
			{ConversationID: chat.ID, Author: portal.AuthorBot, Body: "Let me look."},
			{ConversationID: chat.ID, Author: portal.AuthorAgent, Body: "internal note", Internal: true},
			{ConversationID: chat.ID, Author: portal.AuthorCustomer, Body: "where is my SOFA"},
		} {
			c.t = c.t.Add(time.Second)
			if _, err := s.AppendMessage(ctx(), m); err != nil {
				t.Fatal(err)
			}
		}
		// A chat asked in the German knowledge base belongs to its page only.
		de := &portal.Conversation{VisitorID: "v2", Subject: "Hilfe", Locale: "de"}
		if err := s.CreateConversation(ctx(), de); err != nil {
			t.Fatal(err)
		}
		if got, err := s.FindConversation(ctx(), de.ID); err != nil || got.Locale != "de" {
			t.Fatalf("conversation locale: %+v, %v", got, err)
		}
		if got, err := s.FindConversation(ctx(), chat.ID); err != nil || got.Locale != "en" {
			t.Fatalf("conversation default locale: %+v, %v", got, err)
		}
		c.t = c.t.Add(time.Second)
		if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: de.ID, Author: portal.AuthorCustomer, Body: "Wo ist mein Sofa?"}); err != nil {
			t.Fatal(err)
		}
		for _, e := range []*portal.SearchLogEntry{{Query: "gift cards", Locale: "en"}, {Query: "Geschenkkarte", Locale: "de"}, {Query: "returns", Locale: "en", Source: "article"}} {
			c.t = c.t.Add(time.Second)
			if err := s.RecordSearch(ctx(), e); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.RecentQuestions(ctx(), "en", portal.GapFilter{Since: c.t.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, q := range got {
			texts = append(texts, q.Source+":"+q.Text)
		}
		if len(got) != 2 || texts[0] != "search:gift cards" || texts[1] != "chat:where is my SOFA" {
			t.Fatalf("recent questions=%q, want the English search then the newest wording of the chat question", texts)
		}
		got, err = s.RecentQuestions(ctx(), "de", portal.GapFilter{Since: c.t.Add(-time.Hour)})
		texts = nil
		for _, q := range got {
			texts = append(texts, q.Source+":"+q.Text)
		}
		if len(got) != 2 || texts[0] != "search:Geschenkkarte" || texts[1] != "chat:Wo ist mein Sofa?" {
			t.Fatalf("German questions=%q, want the German search and chat question only", texts)
		}
		got, err = s.RecentQuestions(ctx(), "en", portal.GapFilter{Since: c.t.Add(time.Hour)})
		if err != nil || len(got) != 0 {
			t.Fatalf("questions after now: %+v, %v", got, err)
		}
	})
}
