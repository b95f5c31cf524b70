package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

func mustArticle(tb testing.TB, s portal.Store, a *portal.Article) *portal.Article {
	tb.Helper()
	if err := s.CreateArticle(ctx(), a); err != nil {
		tb.Fatal(err)
	}
	return a
}

type apiSearch struct {
	Total    uint64  `json:"total"`
	AllTotal *uint64 `json:"all_total"`
	Hits     []struct {
		ID         string              `json:"id"`
		Title      string              `json:"title"`
		Summary    string              `json:"summary"`
		URL        string              `json:"url"`
		Score      float64             `json:"score"`
		Highlights map[string][]string `json:"highlights"`
	} `json:"hits"`
}

func searchAPI(tb testing.TB, c *client, q string) apiSearch {
	tb.Helper()
	res := c.get("/api/v1/search?q=" + url.QueryEscape(q))
	wantStatus(tb, res, 200)
	var out apiSearch
	if err := json.Unmarshal([]byte(res.body), &out); err != nil {
		tb.Fatalf("decode %s: %v", res.body, err)
	}
	return out
}

func TestHelpCentre(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		cat := &portal.Category{Name: "Returns"}
		if err := s.CreateCategory(ctx(), cat); err != nil {
			t.Fatal(err)
		}
		pub := mustArticle(t, s, &portal.Article{Title: "How do I return a sofa?", Summary: "Book a collection within 30 days.", CategoryID: &cat.ID,
			Body: "Steps:\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) **bold**", Status: portal.ArticlePublished})
		draft := mustArticle(t, s, &portal.Article{Title: "Secret sofa discount", Summary: "Unreleased.", Status: portal.ArticleDraft})
		mustArticle(t, s, &portal.Article{Title: "Reset your password", Summary: "Choose a new one from the sign-in page.", Status: portal.ArticlePublished})
		srv := MustServer(t, s)
		guest := newClient(t, srv)

		t.Run("APIReturnsHitsWithHighlights", func(t *testing.T) {
			got := searchAPI(t, guest, "return sofa")
			if len(got.Hits) != 1 || got.Hits[0].ID != itoa(pub.ID) || got.Hits[0].Summary == "" || got.Hits[0].Score <= 0 {
				t.Fatalf("hits %+v", got)
			}
			if h := got.Hits[0].Highlights["title"]; len(h) == 0 || !strings.Contains(h[0], "<mark>") {
				t.Fatalf("title highlights %v", got.Hits[0].Highlights)
			}
		})
		t.Run("SuggestionsForgiveTyposAndCountTheResultsPage", func(t *testing.T) {
			for _, q := range []string{"pasword", "retrun", "forgot my pasword"} {
				res := guest.get("/api/v1/search?as_you_type=1&q=" + url.QueryEscape(q))
				wantStatus(t, res, 200)
				var typing apiSearch
				if err := json.Unmarshal([]byte(res.body), &typing); err != nil {
					t.Fatal(err)
				}
				page := searchAPI(t, guest, q)
				if len(typing.Hits) == 0 || len(page.Hits) == 0 || typing.Hits[0].ID != page.Hits[0].ID {
					t.Errorf("%q: suggestions %+v, results page %+v: want the same first article", q, typing.Hits, page.Hits)
				}
				if typing.AllTotal == nil || *typing.AllTotal != page.Total {
					t.Errorf("%q: all_total %v, results page total %d", q, typing.AllTotal, page.Total)
				}
			}
		})
		t.Run("DraftsNeverReachCustomers", func(t *testing.T) {
			if got := searchAPI(t, guest, "secret discount"); len(got.Hits) != 0 {
				t.Fatalf("draft found: %+v", got)
			}
			wantStatus(t, guest.get("/help/articles/"+itoa(draft.ID)), 404)
			res := guest.get("/help")
			wantStatus(t, res, 200)
			if strings.Contains(res.body, "Secret sofa") {
				t.Fatal("draft listed on help home")
			}
			wantBody(t, res, "How do I return a sofa?")
		})
		t.Run("MarkdownIsSanitized", func(t *testing.T) {
			res := guest.get("/help/articles/" + itoa(pub.ID) + "-how-do-i-return-a-sofa")
			wantStatus(t, res, 200)
			wantBody(t, res, "<strong>bold</strong>")
			for _, bad := range []string{"<script>alert", "onerror", "javascript:alert"} {
				if strings.Contains(res.body, bad) {
					t.Fatalf("article page contains %q", bad)
				}
			}
			wantBody(t, res, `href="/chat?q=How`)
		})
		t.Run("ResultsPageAndEmptyState", func(t *testing.T) {
			res := guest.get("/help/search?q=sofa")
			wantStatus(t, res, 200)
			wantBody(t, res, "<mark>")
			res = guest.get("/help/search?q=" + url.QueryEscape("gift vouchers"))
			wantStatus(t, res, 200)
			wantBody(t, res, "No articles match")
			wantBody(t, res, `href="/chat?q=gift`)
		})
		t.Run("VoteAndGaps", func(t *testing.T) {
			guest.get("/help/articles/" + itoa(pub.ID))
			wantStatus(t, guest.post("/help/articles/"+itoa(pub.ID)+"/vote", url.Values{"helpful": {"no"}, "comment": {"Which address?"}}), 303)
			wantStatus(t, guest.post("/help/articles/"+itoa(draft.ID)+"/vote", url.Values{"helpful": {"yes"}}), 404)
			if v, _ := s.CountVotes(ctx(), pub.ID); v.NotHelpful != 1 {
				t.Fatalf("votes %+v", v)
			}
			MustUser(t, s, portal.RoleEditor, "ed@example.com")
			ed := newClient(t, srv)
			ed.login("ed@example.com")
			res := ed.get("/editor/gaps")
			wantStatus(t, res, 200)
			wantBody(t, res, "gift vouchers")
			wantBody(t, res, "Which address?")
			res = ed.post("/editor/gaps/draft", url.Values{"query": {"gift vouchers"}})
			wantStatus(t, res, 303)
			arts, _, _ := s.FindArticles(ctx(), portal.ArticleFilter{Query: "gift vouchers"})
			if len(arts) != 1 || arts[0].Status != portal.ArticleDraft || arts[0].Title != "Gift vouchers" {
				t.Fatalf("draft from gap: %+v", arts)
			}
			// A second click, and a double submit, open the same draft.
			want := "/editor/articles/" + itoa(arts[0].ID)
			if got := res.Header.Get("Location"); got != want {
				t.Fatalf("first click goes to %q, want %q", got, want)
			}
			var wg sync.WaitGroup
			locs := make([]string, 3)
			eds := make([]*client, len(locs))
			for i := range eds {
				eds[i] = newClient(t, srv)
				eds[i].login("ed@example.com")
				eds[i].get("/editor/gaps")
			}
			for i := range locs {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					r := eds[i].post("/editor/gaps/draft", url.Values{"query": {"Gift vouchers?"}})
					locs[i] = r.Header.Get("Location") + fmt.Sprint(r.StatusCode)
				}(i)
			}
			wg.Wait()
			for _, got := range locs {
				if got != want+"303" {
					t.Fatalf("second clicks go to %q, want %q", locs, want)
				}
			}
			if arts, _, _ := s.FindArticles(ctx(), portal.ArticleFilter{Query: "gift vouchers"}); len(arts) != 1 {
				t.Fatalf("%d drafts after four clicks", len(arts))
			}
			// Questions the bot could not answer show under Chat, with their conversation.
			conv := &portal.Conversation{VisitorID: "v1"}
			if err := s.CreateConversation(ctx(), conv); err != nil {
				t.Fatal(err)
			}
			if err := s.RecordUnanswered(ctx(), &portal.UnansweredQuestion{Question: "Can I pay with seashells?", ConversationID: &conv.ID, Confidence: 0.04}); err != nil {
				t.Fatal(err)
			}
			res = ed.get("/editor/gaps")
			wantBody(t, res, `<a href="`+want+`">Open its article`)
			wantBody(t, res, "Can I pay with seashells?")
			wantBody(t, res, "Chat "+itoa(conv.ID))
		})
	})
}

func TestEditorWorkflow(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleEditor, "ed@example.com")
		MustUser(t, s, portal.RoleEditor, "ed2@example.com")
		cust := MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		ed := newClient(t, srv)
		ed.login("ed@example.com")
		guest := newClient(t, srv)

		t.Run("CustomersCannotEdit", func(t *testing.T) {
			c := newClient(t, srv)
			c.login(cust.Email)
			wantStatus(t, c.get("/editor/articles"), 403)
		})
		form := url.Values{"title": {"Can I pay with Klarna?"}, "summary": {"Yes, in Germany."}, "body": {"Choose **Klarna** at checkout."},
			"phrasings": {"pay later\ninstalments"}, "locale": {"en"}, "action": {"save"}}
		wantStatus(t, ed.get("/editor/articles/new"), 200)
		res := ed.post("/editor/articles", form)
		wantStatus(t, res, 303)
		loc := res.Header.Get("Location")
		id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/editor/articles/"), 10, 64)
		if err != nil {
			t.Fatalf("location %q", loc)
		}
		if got := searchAPI(t, guest, "klarna"); len(got.Hits) != 0 {
			t.Fatal("draft searchable")
		}
		t.Run("PublishIsSearchableAtOnce", func(t *testing.T) {
			form.Set("version", "1")
			form.Set("action", "publish")
			wantStatus(t, ed.post(loc, form), 303)
			if got := searchAPI(t, guest, "klarna"); len(got.Hits) != 1 || got.Hits[0].ID != itoa(id) {
				t.Fatalf("after publish: %+v", got)
			}
			if got := searchAPI(t, guest, "instalments"); len(got.Hits) != 1 {
				t.Fatalf("phrasing not searchable: %+v", got)
			}
		})
		t.Run("StaleSaveIsAConflictAndKeepsText", func(t *testing.T) {
			other := newClient(t, srv)
			other.login("ed2@example.com")
			other.get(loc)
			theirs := url.Values{}
			for k, v := range form {
				theirs[k] = v
			}
			theirs.Del("_csrf")
			theirs.Set("version", "2")
			theirs.Set("action", "save")
			theirs.Set("summary", "Yes, everywhere.")
			wantStatus(t, other.post(loc, theirs), 303)
			form.Set("body", "My careful rewrite.")
			form.Set("action", "save")
			res := ed.post(loc, form) // still version 2
			wantStatus(t, res, 409)
			wantBody(t, res, "My careful rewrite.")
			wantBody(t, res, "Yes, everywhere.") // shown in the diff
			wantBody(t, res, `name="version" value="3"`)
		})
		t.Run("PreviewSanitizes", func(t *testing.T) {
			ed.get(loc)
			req := jsonPost(t, "/editor/preview", `{"markdown":"# Hi\n<script>x()</script>"}`, ed.csrf)
			res := ed.do(req)
			wantStatus(t, res, 200)
			var got struct{ HTML string }
			if err := json.Unmarshal([]byte(res.body), &got); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got.HTML, "<h1>Hi</h1>") || strings.Contains(got.HTML, "<script") {
				t.Fatalf("preview %q", got.HTML)
			}
		})
		t.Run("HistoryDiffAndRestore", func(t *testing.T) {
			res := ed.get(loc + "/revisions")
			wantStatus(t, res, 200)
			wantBody(t, res, "published")
			res = ed.get(loc + "/diff?from=2&to=3")
			wantStatus(t, res, 200)
			wantBody(t, res, "Yes, everywhere.")
			wantStatus(t, ed.post(loc+"/revisions/1/restore", url.Values{"version": {"3"}}), 303)
			a, _, _ := s.FindArticles(ctx(), portal.ArticleFilter{ID: &id})
			if a[0].Version != 4 || a[0].Summary != "Yes, in Germany." || a[0].Status != portal.ArticlePublished {
				t.Fatalf("restored %+v", a[0])
			}
		})
		t.Run("UnpublishRemovesFromSearch", func(t *testing.T) {
			form.Set("version", "4")
			form.Set("action", "unpublish")
			wantStatus(t, ed.post(loc, form), 303)
			if got := searchAPI(t, guest, "klarna"); len(got.Hits) != 0 {
				t.Fatalf("unpublished still found: %+v", got)
			}
			wantStatus(t, guest.get("/help/articles/"+itoa(id)), 404)
		})
		t.Run("AuditLogged", func(t *testing.T) {
			entries, _, _ := s.FindAudit(ctx(), portal.AuditFilter{Limit: 50})
			seen := map[string]bool{}
			for _, e := range entries {
				seen[e.Action] = true
			}
			for _, a := range []string{"article.create", "article.publish", "article.restore", "article.unpublish"} {
				if !seen[a] {
					t.Errorf("no audit entry %s (have %v)", a, seen)
				}
			}
		})
	})
}

// jsonPost builds a fetch-style JSON POST carrying the CSRF header.
func jsonPost(tb testing.TB, path, body, csrf string) *http.Request {
	tb.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	return req
}
