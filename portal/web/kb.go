package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/search"
	"github.com/gofiber/fiber/v2"
)

// Knowledge is the knowledge base as the web app uses it: search and
// retrieval over the index, and keeping the index in step after a save.
// *kb.Service implements it.
type Knowledge interface {
	Search(ctx context.Context, q search.Query) (search.Result, error)
	Retrieve(ctx context.Context, q search.Question) (search.Retrieval, error)
	// Sync re-indexes articles at once after they were saved.
	Sync(ctx context.Context, ids ...int64) error
	// SyncAll re-indexes everything, e.g. after categories changed.
	SyncAll(ctx context.Context) error
	// Threshold returns the confidence at or above which the bot answers
	// in a locale, the one fitted on the knowledge base, and whether an
	// editor chose the first.
	Threshold(locale string) (current, fitted float64, chosen bool)
	// ApplyThresholds makes this node decide with the thresholds stored.
	ApplyThresholds(ctx context.Context) error
}

// localeOf is the locale FAQ content is shown in: ?locale= when given,
// else English.
func localeOf(c *fiber.Ctx) string {
	if l := c.Query("locale"); len(l) >= 2 && len(l) <= 10 && strings.Trim(l, "abcdefghijklmnopqrstuvwxyz-_ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
		return l
	}
	return search.DefaultLocale
}

// ArticleURL is the public address of an article; the chat bot links to it.
func ArticleURL(a *portal.Article) string { return articleURL(a) }

// articleURL is the public address of an article.
func articleURL(a *portal.Article) string {
	return "/help/articles/" + strconv.FormatInt(a.ID, 10) + "-" + a.Slug
}

// articleRefID reads the ID at the start of an article reference like "12-how-to-return".
func articleRefID(ref string) (int64, bool) {
	head, _, _ := strings.Cut(ref, "-")
	id, err := strconv.ParseInt(head, 10, 64)
	return id, err == nil && id > 0
}

// findArticle loads one article by ID.
func (s *Server) findArticle(ctx context.Context, id int64) (*portal.Article, error) {
	arts, _, err := s.store.FindArticles(ctx, portal.ArticleFilter{ID: &id, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(arts) == 0 {
		return nil, portal.Errorf(portal.ENOTFOUND, "Article not found.")
	}
	return arts[0], nil
}

// findPublished loads an article only if customers may see it.
func (s *Server) findPublished(ctx context.Context, id int64) (*portal.Article, error) {
	a, err := s.findArticle(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Status != portal.ArticlePublished {
		return nil, portal.Errorf(portal.ENOTFOUND, "Article not found.")
	}
	return a, nil
}

// syncIndex updates the index after a save; a failure is logged, the save stands.
func (s *Server) syncIndex(c *fiber.Ctx, ids ...int64) {
	if err := s.kb.Sync(c.UserContext(), ids...); err != nil {
		s.log.Error("sync search index", "article_ids", ids, "err", err)
	}
}

func userID(c *fiber.Ctx) *int64 {
	if u := currentUser(c); u != nil {
		return &u.ID
	}
	return nil
}
