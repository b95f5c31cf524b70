package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// MustCreateArticle stores an article or fails the test.
func MustCreateArticle(tb testing.TB, s portal.Store, a *portal.Article) *portal.Article {
	tb.Helper()
	if err := s.CreateArticle(ctx(), a); err != nil {
		tb.Fatalf("create article %q: %v", a.Title, err)
	}
	return a
}

func mustFindArticle(tb testing.TB, s portal.Store, id int64) *portal.Article {
	tb.Helper()
	got, _, err := s.FindArticles(ctx(), portal.ArticleFilter{ID: &id})
	if err != nil || len(got) != 1 {
		tb.Fatalf("find article %d: %v (%d found)", id, err, len(got))
	}
	return got[0]
}

func testArticleRevisions(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	editor := MustCreateUser(t, s, portal.RoleEditor, "editor@example.com")
	other := MustCreateUser(t, s, portal.RoleEditor, "other@example.com")
	a := MustCreateArticle(t, s, &portal.Article{Title: "Returns", Summary: "30 days.", Body: "v1", AuthorID: &editor.ID})

	t.Run("EverySaveIsARevision", func(t *testing.T) {
		c.t = c.t.Add(time.Minute)
		a.Body, a.Status = "v2", portal.ArticlePublished
		if err := s.UpdateArticle(ctx(), a, "published"); err != nil {
			t.Fatal(err)
		}
		if got, want := a.Version, 2; got != want {
			t.Fatalf("version=%d, want %d", got, want)
		}
		if a.PublishedAt == nil || !a.PublishedAt.Equal(c.t.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("published_at=%v, want %v", a.PublishedAt, c.t)
		}
		revs, err := s.FindArticleRevisions(ctx(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(revs), 2; got != want {
			t.Fatalf("revisions=%d, want %d", got, want)
		}
		if revs[0].Version != 2 || revs[0].Body != "v2" || revs[0].Note != "published" || revs[0].AuthorEmail != "editor@example.com" || revs[1].Body != "v1" {
			t.Fatalf("revisions: %+v %+v", revs[0], revs[1])
		}
		r1, err := s.FindArticleRevision(ctx(), a.ID, 1)
		if err != nil || r1.Body != "v1" || r1.Status != portal.ArticleDraft {
			t.Fatalf("revision 1: %+v %v", r1, err)
		}
		_, err = s.FindArticleRevision(ctx(), a.ID, 99)
		wantCode(t, err, portal.ENOTFOUND)
	})
	t.Run("StaleSaveIsAConflictAndStoresNothing", func(t *testing.T) {
		mine := *mustFindArticle(t, s, a.ID)
		theirs := *mustFindArticle(t, s, a.ID)
		theirs.Body, theirs.AuthorID = "their text", &other.ID
		if err := s.UpdateArticle(ctx(), &theirs, ""); err != nil {
			t.Fatal(err)
		}
		mine.Body = "my text"
		err := s.UpdateArticle(ctx(), &mine, "")
		wantCode(t, err, portal.ECONFLICT)
		if mine.Body != "my text" {
			t.Fatalf("editor's text lost: %q", mine.Body)
		}
		if got := mustFindArticle(t, s, a.ID); got.Body != "their text" || got.Version != theirs.Version {
			t.Fatalf("stored %+v", got)
		}
		revs, _ := s.FindArticleRevisions(ctx(), a.ID)
		if got, want := len(revs), theirs.Version; got != want {
			t.Fatalf("revisions=%d, want %d", got, want)
		}
	})
	t.Run("ConcurrentSavesOneWins", func(t *testing.T) {
		cur := mustFindArticle(t, s, a.ID)
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			go func(i int) {
				x := *cur
				x.Body = strings.Repeat("x", i+1)
				errs <- s.UpdateArticle(ctx(), &x, "")
			}(i)
		}
		ok := 0
		for i := 0; i < 4; i++ {
			if err := <-errs; err == nil {
				ok++
			} else if portal.ErrorCode(err) != portal.ECONFLICT {
				t.Fatalf("err=%v, want conflict", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d saves won, want 1", ok)
		}
	})
	t.Run("RestoreIsANewRevision", func(t *testing.T) {
		cur := mustFindArticle(t, s, a.ID)
		r1, _ := s.FindArticleRevision(ctx(), a.ID, 1)
		r1.Apply(cur)
		if err := s.UpdateArticle(ctx(), cur, "restored v1"); err != nil {
			t.Fatal(err)
		}
		if got := mustFindArticle(t, s, a.ID); got.Body != "v1" || got.Version != cur.Version || got.Status != portal.ArticlePublished {
			t.Fatalf("restored %+v", got)
		}
	})
	t.Run("UnknownArticle", func(t *testing.T) {
		wantCode(t, s.UpdateArticle(ctx(), &portal.Article{ID: 9999, Title: "x", Version: 1}, ""), portal.ENOTFOUND)
	})
	t.Run("ChangesWatermark", func(t *testing.T) {
		ch, err := s.ArticleChanges(ctx(), 0, 0)
		if err != nil || len(ch) != 1 || ch[0].ArticleID != a.ID || ch[0].Watermark == 0 {
			t.Fatalf("changes: %+v err=%v", ch, err)
		}
		mark := ch[0].Watermark
		if again, _ := s.ArticleChanges(ctx(), mark, 0); len(again) != 0 {
			t.Fatalf("changes after the watermark: %+v, want none", again)
		}
		b := MustCreateArticle(t, s, &portal.Article{Title: "New one"})
		next, _ := s.ArticleChanges(ctx(), mark, 0)
		if len(next) != 1 || next[0].ArticleID != b.ID || next[0].Watermark <= mark {
			t.Fatalf("after create: %+v (mark %d)", next, mark)
		}
	})
}

func testArticleQueries(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	cat := &portal.Category{Name: "Delivery"}
	if err := s.CreateCategory(ctx(), cat); err != nil {
		t.Fatal(err)
	}
	pub := MustCreateArticle(t, s, &portal.Article{Title: "Shipping costs", Phrasings: []string{"how much is postage"}, CategoryID: &cat.ID, Status: portal.ArticlePublished})
	draft := MustCreateArticle(t, s, &portal.Article{Title: "Shipping to Mars", CategoryID: &cat.ID})
	MustCreateArticle(t, s, &portal.Article{Title: "Versand", Locale: "de", Status: portal.ArticlePublished})
	t.Run("DraftsAreNeverPublished", func(t *testing.T) {
		got, n, _ := s.FindArticles(ctx(), portal.ArticleFilter{Status: ptr(portal.ArticlePublished), Locale: "en"})
		if n != 1 || got[0].ID != pub.ID {
			t.Fatalf("published en: %d %+v", n, got)
		}
		if d := mustFindArticle(t, s, draft.ID); d.PublishedAt != nil || d.Status != portal.ArticleDraft {
			t.Fatalf("draft %+v", d)
		}
	})
	t.Run("QueryMatchesTitleAndPhrasings", func(t *testing.T) {
		for q, want := range map[string]int{"SHIPPING": 2, "postage": 1, "nothing like it": 0} {
			if _, n, err := s.FindArticles(ctx(), portal.ArticleFilter{Query: q}); err != nil || n != want {
				t.Fatalf("query %q: %d (%v), want %d", q, n, err, want)
			}
		}
	})
	t.Run("OrderByViews", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			if err := s.CountArticleView(ctx(), draft.ID); err != nil {
				t.Fatal(err)
			}
		}
		got, _, _ := s.FindArticles(ctx(), portal.ArticleFilter{Order: "views", Limit: 1})
		if got[0].ID != draft.ID || got[0].Views != 3 {
			t.Fatalf("most read: %+v", got[0])
		}
	})
	t.Run("Categories", func(t *testing.T) {
		child := &portal.Category{Name: "Express", ParentID: &cat.ID}
		if err := s.CreateCategory(ctx(), child); err != nil {
			t.Fatal(err)
		}
		cat.ParentID = &child.ID
		wantCode(t, s.UpdateCategory(ctx(), cat), portal.EINVALID)
		cat.ParentID = nil
		child.Name = "Express delivery"
		child.Slug = ""
		if err := s.UpdateCategory(ctx(), child); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.DeleteCategory(ctx(), cat.ID), portal.ECONFLICT)
		if err := s.DeleteCategory(ctx(), child.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.DeleteCategory(ctx(), child.ID), portal.ENOTFOUND)
		cats, _ := s.FindCategories(ctx())
		if len(cats) != 1 {
			t.Fatalf("categories: %+v", cats)
		}
	})
}

func testFeedback(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	cust := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")
	a := MustCreateArticle(t, s, &portal.Article{Title: "Returns", Status: portal.ArticlePublished})
	b := MustCreateArticle(t, s, &portal.Article{Title: "Refunds", Status: portal.ArticlePublished})
	t.Run("Votes", func(t *testing.T) {
		for _, v := range []*portal.Vote{{ArticleID: a.ID, Helpful: true}, {ArticleID: a.ID, Helpful: false, Comment: "Too vague", UserID: &cust.ID},
			{ArticleID: b.ID, Helpful: false}, {ArticleID: b.ID, Helpful: false, Comment: "old"}, {ArticleID: b.ID, Helpful: false, Comment: "Wrong link"}} {
			c.t = c.t.Add(time.Second)
			if err := s.RecordVote(ctx(), v); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, s.RecordVote(ctx(), &portal.Vote{ArticleID: 999}), portal.ENOTFOUND)
		got, err := s.CountVotes(ctx(), a.ID)
		if err != nil || got != (portal.VoteCounts{Helpful: 1, NotHelpful: 1}) {
			t.Fatalf("votes=%+v err=%v", got, err)
		}
		un, err := s.FindUnhelpfulArticles(ctx(), portal.GapFilter{Since: c.t.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if len(un) != 2 || un[0].ArticleID != b.ID || un[0].Votes.NotHelpful != 3 || un[0].LastComment != "Wrong link" || un[1].LastComment != "Too vague" {
			t.Fatalf("unhelpful: %+v %+v", un[0], un[len(un)-1])
		}
	})
	t.Run("ContentGaps", func(t *testing.T) {
		for _, e := range []*portal.SearchLogEntry{{Query: "Gift cards?", Hits: 0}, {Query: "gift   cards", Hits: 0}, {Query: "returns", Hits: 2, ArticleID: &a.ID},
			{Query: "klarna", Hits: 0, UserID: &cust.ID}} {
			c.t = c.t.Add(time.Second)
			if err := s.RecordSearch(ctx(), e); err != nil {
				t.Fatal(err)
			}
			if e.ID == 0 {
				t.Fatal("search id not set")
			}
		}
		wantCode(t, s.RecordSearch(ctx(), &portal.SearchLogEntry{Query: "  "}), portal.EINVALID)
		c.t = c.t.Add(time.Second)
		if err := s.RecordUnanswered(ctx(), &portal.UnansweredQuestion{Question: "Klarna!", Confidence: 0.05}); err != nil {
			t.Fatal(err)
		}
		gaps, err := s.FindContentGaps(ctx(), portal.GapFilter{Since: c.t.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if len(gaps) != 2 {
			t.Fatalf("gaps: %+v", gaps)
		}
		// A tie on counts goes to the most recent: klarna was asked last.
		if g := gaps[0]; g.Normalized != "klarna" || g.Searches != 1 || g.Unanswered != 1 || !g.LastAt.Equal(c.t.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("first gap %+v", g)
		}
		if g := gaps[1]; g.Normalized != "gift cards" || g.Total() != 2 {
			t.Fatalf("second gap %+v", g)
		}
		if old, _ := s.FindContentGaps(ctx(), portal.GapFilter{Since: c.t.Add(time.Hour)}); len(old) != 0 {
			t.Fatalf("gaps since later: %+v", old)
		}
		// The same gaps counted in a window: all of them, then one that
		// leaves the last (unanswered klarna) out.
		counts, err := s.ContentGapCounts(ctx(), []string{"klarna", "gift cards", "nothing"}, c.t.Add(-time.Hour), c.t.Add(time.Microsecond))
		if err != nil {
			t.Fatal(err)
		}
		if counts["klarna"] != 2 || counts["gift cards"] != 2 || counts["nothing"] != 0 || len(counts) != 2 {
			t.Fatalf("gap counts: %v", counts)
		}
		if counts, _ := s.ContentGapCounts(ctx(), []string{"klarna"}, c.t.Add(-time.Hour), c.t); counts["klarna"] != 1 {
			t.Fatalf("gap counts before the last question: %v", counts)
		}
	})
	t.Run("UnansweredQuestionsKeepTheirConversation", func(t *testing.T) {
		conv := &portal.Conversation{VisitorID: "v-gaps"}
		if err := s.CreateConversation(ctx(), conv); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(time.Second)
		if err := s.RecordUnanswered(ctx(), &portal.UnansweredQuestion{Question: "Do you sell gift cards?", Confidence: 0.2, BestArticleID: &a.ID, ConversationID: &conv.ID}); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindUnansweredQuestions(ctx(), portal.GapFilter{Since: c.t.Add(-time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) < 1 || got[0].Question != "Do you sell gift cards?" || got[0].ConversationID == nil || *got[0].ConversationID != conv.ID ||
			got[0].BestArticleID == nil || *got[0].BestArticleID != a.ID {
			t.Fatalf("unanswered questions: %+v", got)
		}
	})
	t.Run("DraftFromGapIsIdempotent", func(t *testing.T) {
		// The question's slug is taken by another article: both are kept.
		MustCreateArticle(t, s, &portal.Article{Title: "Gift wrapping", Status: portal.ArticlePublished})
		const n = 8
		ids := make(chan int64, n)
		created := make(chan bool, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				a := &portal.Article{Title: "Gift wrapping?", Phrasings: []string{"gift wrapping?"}, Status: portal.ArticleDraft}
				// Different wordings of one gap get one draft.
				ok, err := s.DraftFromGap(ctx(), []string{"Gift wrapping?", "gift  wrapping"}[i%2], a)
				if err != nil {
					t.Error(err)
					return
				}
				ids <- a.ID
				created <- ok
			}(i)
		}
		wg.Wait()
		close(ids)
		close(created)
		var first int64
		for id := range ids {
			if first == 0 {
				first = id
			}
			if id != first || id == 0 {
				t.Fatalf("drafts %d and %d for one gap", first, id)
			}
		}
		made := 0
		for ok := range created {
			if ok {
				made++
			}
		}
		if made != 1 {
			t.Fatalf("%d calls created a draft, want 1", made)
		}
		d := mustFindArticle(t, s, first)
		if d.Status != portal.ArticleDraft || d.Title != "Gift wrapping?" || d.Slug == "gift-wrapping" {
			t.Fatalf("draft %+v", d)
		}
		wantCode(t, func() error { _, err := s.DraftFromGap(ctx(), " ?! ", &portal.Article{Title: "x"}); return err }(), portal.EINVALID)
		// The gap report links the draft.
		if err := s.RecordUnanswered(ctx(), &portal.UnansweredQuestion{Question: "GIFT WRAPPING"}); err != nil {
			t.Fatal(err)
		}
		gaps, err := s.FindContentGaps(ctx(), portal.GapFilter{Since: c.t.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		linked := false
		for _, g := range gaps {
			if g.Normalized == "gift wrapping" {
				linked = g.DraftID != nil && *g.DraftID == first
			} else if g.DraftID != nil {
				t.Fatalf("gap %q links draft %d", g.Normalized, *g.DraftID)
			}
		}
		if !linked {
			t.Fatalf("gap not linked to draft %d: %+v", first, gaps)
		}
	})
	t.Run("UnansweredQuestionsInABatch", func(t *testing.T) {
		b, ok := s.(interface {
			RecordUnansweredBatch(ctx context.Context, qs []*portal.UnansweredQuestion) error
		})
		if !ok {
			t.Fatal("the store records no batches of unanswered questions")
		}
		conv := &portal.Conversation{VisitorID: "v-gap-batch"}
		if err := s.CreateConversation(ctx(), conv); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.Add(time.Hour)
		var batch []*portal.UnansweredQuestion
		for i := 0; i < 70; i++ {
			batch = append(batch, &portal.UnansweredQuestion{Question: fmt.Sprintf("  Batch question %d? ", i), Confidence: 0.1, ConversationID: &conv.ID})
		}
		batch = append(batch, &portal.UnansweredQuestion{Question: "   "}, &portal.UnansweredQuestion{Question: "Batch with an article", BestArticleID: &a.ID, ConversationID: &conv.ID})
		if err := b.RecordUnansweredBatch(ctx(), batch); err != nil {
			t.Fatal(err)
		}
		for _, u := range batch {
			if (u.ID != 0) != (u.Question != "") {
				t.Fatalf("question %q got id %d", u.Question, u.ID)
			}
		}
		got, err := s.FindUnansweredQuestions(ctx(), portal.GapFilter{Since: c.t.Add(-time.Minute), Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, u := range got {
			if u.ConversationID == nil || *u.ConversationID != conv.ID || u.Locale != "en" {
				t.Fatalf("stored as %+v", u)
			}
			if u.Question == "Batch with an article" && (u.BestArticleID == nil || *u.BestArticleID != a.ID) {
				t.Fatalf("best article lost: %+v", u)
			}
			seen[u.Question] = true
		}
		if len(got) != 71 || !seen["Batch question 0?"] || !seen["Batch question 69?"] {
			t.Fatalf("%d questions stored, want 71 (the blank one skipped)", len(got))
		}
	})
}
