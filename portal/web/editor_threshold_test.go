package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// TestEditorThreshold: an editor sees what a hand-off threshold would have
// done with the questions asked lately, stores one, and resets it to the
// fitted value; customers may not.
func TestEditorThreshold(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		mustArticle(t, s, &portal.Article{Title: "How do I return a sofa?", Summary: "Within 30 days, free.", Status: portal.ArticlePublished})
		mustArticle(t, s, &portal.Article{Title: "When will my refund arrive?", Summary: "Within 5 working days.", Status: portal.ArticlePublished})
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleEditor, "ed@example.com")
		cust := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		for _, q := range []string{"return a sofa", "violin lessons in Vienna"} {
			if err := s.RecordSearch(ctx(), &portal.SearchLogEntry{Query: q, Locale: "en"}); err != nil {
				t.Fatal(err)
			}
		}
		ed := newClient(t, srv)
		ed.login("ed@example.com")

		t.Run("CustomersCannot", func(t *testing.T) {
			c := newClient(t, srv)
			c.login(cust.Email)
			wantStatus(t, c.get("/editor/threshold"), 403)
			wantStatus(t, c.post("/editor/threshold", url.Values{"threshold": {"0.5"}}), 403)
		})
		t.Run("ShowsWhatAValueWouldDo", func(t *testing.T) {
			res := ed.get("/editor/threshold")
			wantStatus(t, res, 200)
			if !strings.Contains(res.body, "fitted on the knowledge base") || !strings.Contains(res.body, "of the 2 different questions") {
				t.Fatalf("page: %s", res.body)
			}
			res = ed.get("/editor/threshold?threshold=1")
			wantStatus(t, res, 200)
			if !strings.Contains(res.body, "would have answered <strong>0</strong> and handed <strong>2</strong>") {
				t.Fatalf("at 1: %s", res.body)
			}
			res = ed.get("/editor/threshold?threshold=0")
			if !strings.Contains(res.body, "would have answered <strong>2</strong> and handed <strong>0</strong>") {
				t.Fatalf("at 0: %s", res.body)
			}
		})
		t.Run("BadValueIsRefused", func(t *testing.T) {
			for _, v := range []string{"abc", "-1", "250%", "NaN"} {
				wantStatus(t, ed.get("/editor/threshold?threshold="+url.QueryEscape(v)), 400)
				wantStatus(t, ed.post("/editor/threshold", url.Values{"threshold": {v}}), 400)
			}
		})
		t.Run("SaveThenReset", func(t *testing.T) {
			wantStatus(t, ed.post("/editor/threshold", url.Values{"threshold": {"0.9"}}), 303)
			ts, err := s.KBThresholds(ctx())
			if err != nil || len(ts) != 1 || ts[0].Threshold != 0.9 || ts[0].Locale != "en" {
				t.Fatalf("stored: %+v, %v", ts, err)
			}
			res := ed.get("/editor/threshold")
			if !strings.Contains(res.body, "<strong>90%</strong>, chosen by an editor") || !strings.Contains(res.body, "Reset to the fitted value") {
				t.Fatalf("after save: %s", res.body)
			}
			wantStatus(t, ed.post("/editor/threshold", url.Values{"action": {"reset"}}), 303)
			if ts, err := s.KBThresholds(ctx()); err != nil || len(ts) != 0 {
				t.Fatalf("after reset: %+v, %v", ts, err)
			}
			if res := ed.get("/editor/threshold"); strings.Contains(res.body, "chosen by an editor") {
				t.Fatalf("after reset: %s", res.body)
			}
		})
		t.Run("EachLocaleReplaysItsOwnQuestions", func(t *testing.T) {
			// A chat asked in the English knowledge base, and a German search.
			chat := &portal.Conversation{VisitorID: "v1", CustomerID: &cust.ID, Locale: "en"}
			if err := s.CreateConversation(ctx(), chat); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AppendMessage(ctx(), &portal.Message{ConversationID: chat.ID, Author: portal.AuthorCustomer, Body: "When will my refund arrive?"}); err != nil {
				t.Fatal(err)
			}
			if err := s.RecordSearch(ctx(), &portal.SearchLogEntry{Query: "Sofa zurückgeben", Locale: "de"}); err != nil {
				t.Fatal(err)
			}
			if res := ed.get("/editor/threshold"); !strings.Contains(res.body, "of the 3 different questions") {
				t.Fatalf("English page: %s", res.body)
			}
			res := ed.get("/editor/threshold?locale=de")
			wantStatus(t, res, 200)
			if !strings.Contains(res.body, "of the 1 different question customers asked") || strings.Contains(res.body, "refund") {
				t.Fatalf("German page replays other locales' questions: %s", res.body)
			}
		})
	})
}
