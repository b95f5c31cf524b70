package web

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/kb"
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

// kbRoutes adds the FAQ pages, the search API and the editor console.
func (s *Server) kbRoutes(app *fiber.App) {
	app.Get("/help", s.handleHelpHome)
	app.Get("/faq", func(c *fiber.Ctx) error { return c.Redirect("/help", fiber.StatusMovedPermanently) })
	app.Get("/help/search", s.handleHelpSearch)
	app.Get("/help/categories/:slug", s.handleHelpCategory)
	app.Get("/help/articles/:ref", s.handleHelpArticle)
	app.Post("/help/articles/:ref/vote", s.handleArticleVote)
	app.Get("/api/v1/search", s.handleAPISearch)

	ed := s.withRole(app.Group("/editor"), portal.RoleEditor, portal.RoleAdmin)
	ed.Get("/articles", s.handleEditorArticleList)
	ed.Get("/articles/new", s.handleEditorArticleNew)
	ed.Get("/articles/transfer", s.handleEditorTransfer)
	ed.Get("/articles/export", s.handleEditorExport)
	ed.Post("/articles/import", s.handleEditorImport)
	ed.Post("/articles", s.handleEditorArticleCreate)
	ed.Get("/articles/:id<int>", s.handleEditorArticleEdit)
	ed.Post("/articles/:id<int>", s.handleEditorArticleSave)
	ed.Get("/articles/:id<int>/revisions", s.handleEditorRevisionList)
	ed.Get("/articles/:id<int>/diff", s.handleEditorRevisionDiff)
	ed.Post("/articles/:id<int>/revisions/:version<int>/restore", s.handleEditorRevisionRestore)
	ed.Post("/preview", s.handleEditorPreview)
	ed.Get("/categories", s.handleEditorCategoryList)
	ed.Post("/categories", s.handleEditorCategoryCreate)
	ed.Post("/categories/:id<int>", s.handleEditorCategoryUpdate)
	ed.Post("/categories/:id<int>/delete", s.handleEditorCategoryDelete)
	ed.Get("/gaps", s.handleEditorGapList)
	ed.Post("/gaps/draft", s.handleEditorGapDraft)
	ed.Get("/threshold", s.handleEditorThreshold)
	ed.Post("/threshold", s.handleEditorThresholdSave)
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

// memoryKB builds an in-memory knowledge base from the store, for servers
// (tests, mostly) configured without one.
func memoryKB(st portal.Store, log *slog.Logger) (Knowledge, error) {
	ix, err := search.NewMemory(search.Config{})
	if err != nil {
		return nil, fmt.Errorf("web: search index: %w", err)
	}
	svc, err := kb.New(kb.Config{Store: st, Index: ix, Logger: log})
	if err != nil {
		return nil, err
	}
	if err := svc.Start(context.Background()); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return svc, nil
}
