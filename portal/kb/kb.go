// Package kb keeps the knowledge-base search index in step with the store:
// it builds the index at start when missing or stale, updates it at once
// after every save made through this node, and catches up with saves made on
// other nodes by following the store's change watermark.
//
// Only published articles are indexed, so a draft can never reach a
// customer through search or the bot, whatever the query.
package kb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/search"
)

// Store is what the knowledge base reads.
type Store interface {
	FindCategories(ctx context.Context) ([]*portal.Category, error)
	FindArticles(ctx context.Context, f portal.ArticleFilter) ([]*portal.Article, int, error)
	ArticleChanges(ctx context.Context, watermark int64, limit int) ([]portal.ArticleChange, error)
	KBThresholds(ctx context.Context) ([]portal.KBThreshold, error)
}

// Config configures a Service. Zero values mean the documented defaults.
type Config struct {
	Store Store
	Index *search.Index
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// FollowInterval is how often Follow polls for saves made on other
	// nodes; default 5s.
	FollowInterval time.Duration
	// OnIndexed, when set, is called after index updates with the article
	// IDs re-indexed (published) and removed. Issue hooks such as a bus
	// broadcast to other nodes or to open pages hang here.
	OnIndexed func(ctx context.Context, upserted, removed []int64)
}

// Service keeps an index in step with the store.
type Service struct {
	cfg Config
	log *slog.Logger

	mu        sync.Mutex // serialises index updates and the watermark
	watermark int64
	synced    map[int64]int64 // article ID -> watermark of the save indexed

	// thresholdMu makes reading the stored thresholds and applying them
	// one step: without it a catch-up that read before an editor's save
	// could apply its stale copy after the save's own apply.
	thresholdMu sync.Mutex
}

// New returns a service; call Start before serving searches.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Index == nil {
		return nil, errors.New("kb: store and index are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.FollowInterval == 0 {
		cfg.FollowInterval = 5 * time.Second
	}
	return &Service{cfg: cfg, log: cfg.Logger, synced: map[int64]int64{}}, nil
}

// Index returns the search index, for FAQ search and the bot's Retrieve.
func (s *Service) Index() *search.Index { return s.cfg.Index }

// Generation changes whenever the index does: after every save indexed
// here, and after saves on other nodes once this node has followed them.
func (s *Service) Generation() uint64 { return s.cfg.Index.Generation() }

// Start rebuilds the index from the store when it is missing or stale and
// remembers the store's watermark.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	// Take the watermark first: saves after it are caught up by Follow.
	mark, err := s.latestWatermark(ctx)
	if err != nil {
		return err
	}
	docs, err := s.publishedDocs(ctx)
	if err != nil {
		return err
	}
	rebuilt, err := s.cfg.Index.EnsureFresh(ctx, docs)
	if err != nil {
		return fmt.Errorf("kb: build index: %w", err)
	}
	s.watermark = mark
	if _, err := s.applyThresholds(ctx); err != nil {
		return err
	}
	level := slog.LevelDebug
	if rebuilt {
		level = slog.LevelInfo
	}
	s.log.Log(ctx, level, "knowledge base index ready", "articles", len(docs), "rebuilt", rebuilt, "ms", time.Since(start).Milliseconds())
	return nil
}

func (s *Service) latestWatermark(ctx context.Context) (int64, error) {
	var mark int64
	for {
		ch, err := s.cfg.Store.ArticleChanges(ctx, mark, 5000)
		if err != nil {
			return 0, fmt.Errorf("kb: watermark: %w", err)
		}
		if len(ch) == 0 {
			return mark, nil
		}
		for _, c := range ch {
			s.synced[c.ArticleID] = c.Watermark
		}
		mark = ch[len(ch)-1].Watermark
	}
}

// Docs returns every published article as search documents.
func (s *Service) publishedDocs(ctx context.Context) ([]search.Doc, error) {
	paths, err := s.categoryPaths(ctx)
	if err != nil {
		return nil, err
	}
	var docs []search.Doc
	pub := portal.ArticlePublished
	for off := 0; ; off += 1000 {
		arts, total, err := s.cfg.Store.FindArticles(ctx, portal.ArticleFilter{Status: &pub, Offset: off, Limit: 1000})
		if err != nil {
			return nil, fmt.Errorf("kb: load articles: %w", err)
		}
		for _, a := range arts {
			docs = append(docs, DocOf(a, paths))
		}
		if off+len(arts) >= total || len(arts) == 0 {
			return docs, nil
		}
	}
}

// categoryPaths maps category IDs to their names from the root down.
func (s *Service) categoryPaths(ctx context.Context) (map[int64][]string, error) {
	cats, err := s.cfg.Store.FindCategories(ctx)
	if err != nil {
		return nil, fmt.Errorf("kb: load categories: %w", err)
	}
	return CategoryPaths(cats), nil
}

// CategoryPaths maps each category's ID to its names from the root down.
func CategoryPaths(cats []*portal.Category) map[int64][]string {
	byID := map[int64]*portal.Category{}
	for _, c := range cats {
		byID[c.ID] = c
	}
	out := map[int64][]string{}
	for _, c := range cats {
		var path []string
		for x, hops := c, 0; x != nil && hops < 50; hops++ {
			path = append([]string{x.Name}, path...)
			if x.ParentID == nil {
				break
			}
			x = byID[*x.ParentID]
		}
		out[c.ID] = path
	}
	return out
}

// DocOf converts an article into a search document.
func DocOf(a *portal.Article, paths map[int64][]string) search.Doc {
	d := search.Doc{ID: DocID(a.ID), Title: a.Title, Summary: a.Summary, Body: a.Body, Phrasings: a.Phrasings, Tags: a.Tags,
		Locale: a.Locale, Published: a.Status == portal.ArticlePublished, UpdatedAt: a.UpdatedAt}
	if a.CategoryID != nil {
		d.CategoryPath = paths[*a.CategoryID]
		if n := len(d.CategoryPath); n > 0 {
			d.Category = d.CategoryPath[n-1]
		}
	}
	return d
}

// DocID is an article's ID in the index.
func DocID(id int64) string { return strconv.FormatInt(id, 10) }

// ArticleID parses a search hit's ID back into an article ID.
func ArticleID(docID string) (int64, bool) {
	id, err := strconv.ParseInt(docID, 10, 64)
	return id, err == nil
}

// Sync re-indexes the given articles from the store at once: published
// ones are added or replaced, others removed. Call it after every save.
func (s *Service) Sync(ctx context.Context, ids ...int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sync(ctx, ids)
}

func (s *Service) sync(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	paths, err := s.categoryPaths(ctx)
	if err != nil {
		return err
	}
	var up []search.Doc
	var upIDs, gone []int64
	for _, id := range ids {
		arts, _, err := s.cfg.Store.FindArticles(ctx, portal.ArticleFilter{ID: &id, Limit: 1})
		if err != nil {
			return fmt.Errorf("kb: load article %d: %w", id, err)
		}
		if len(arts) == 1 && arts[0].Status == portal.ArticlePublished {
			up = append(up, DocOf(arts[0], paths))
			upIDs = append(upIDs, id)
		} else {
			gone = append(gone, id)
		}
	}
	if len(up) > 0 {
		if err := s.cfg.Index.Upsert(ctx, up...); err != nil {
			return fmt.Errorf("kb: index: %w", err)
		}
	}
	if len(gone) > 0 {
		del := make([]string, len(gone))
		for i, id := range gone {
			del[i] = DocID(id)
		}
		if err := s.cfg.Index.Delete(ctx, del...); err != nil {
			return fmt.Errorf("kb: unindex: %w", err)
		}
	}
	if s.cfg.OnIndexed != nil {
		s.cfg.OnIndexed(ctx, upIDs, gone)
	}
	return nil
}

// SyncAll re-indexes every published article, e.g. after a category is
// renamed (which changes the category path of its articles).
func (s *Service) SyncAll(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	docs, err := s.publishedDocs(ctx)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Index.EnsureFresh(ctx, docs); err != nil {
		return fmt.Errorf("kb: rebuild index: %w", err)
	}
	return nil
}

// CatchUp indexes the articles saved since the last watermark, including
// saves made on other nodes. Call it when a bus message says the knowledge
// base changed; Follow also calls it periodically.
func (s *Service) CatchUp(ctx context.Context) error {
	if _, err := s.applyThresholds(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Re-read a window before the watermark: on PostgreSQL a save that
	// took its revision ID earlier may commit after a later one. Saves
	// already indexed are skipped.
	from := max(s.watermark-256, 0)
	for {
		ch, err := s.cfg.Store.ArticleChanges(ctx, from, 1000)
		if err != nil {
			return fmt.Errorf("kb: changes: %w", err)
		}
		var ids []int64
		for _, c := range ch {
			if c.Watermark > s.synced[c.ArticleID] && (c.Watermark > s.watermark || s.watermark-c.Watermark <= 256) {
				ids = append(ids, c.ArticleID)
			}
		}
		if err := s.sync(ctx, ids); err != nil {
			return err
		}
		for _, c := range ch {
			s.synced[c.ArticleID] = max(s.synced[c.ArticleID], c.Watermark)
			s.watermark = max(s.watermark, c.Watermark)
		}
		if len(ch) < 1000 {
			return nil
		}
		from = ch[len(ch)-1].Watermark
	}
}

// Follow calls CatchUp every FollowInterval until ctx ends.
func (s *Service) Follow(ctx context.Context) {
	t := time.NewTicker(s.cfg.FollowInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.CatchUp(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("knowledge base catch-up", "err", err)
		}

	}
}

// ApplyThresholds reads the hand-off thresholds editors chose from the
// store and makes Retrieve decide with them; when they changed, it tells
// the other nodes through OnIndexed (with no article), whose CatchUp
// applies them too. The node that saved a threshold calls it at once;
// Start and CatchUp (so Follow, within FollowInterval) read them as well.
func (s *Service) ApplyThresholds(ctx context.Context) error {
	changed, err := s.applyThresholds(ctx)
	if err == nil && changed && s.cfg.OnIndexed != nil {
		s.cfg.OnIndexed(ctx, nil, nil)
	}
	return err
}

func (s *Service) applyThresholds(ctx context.Context) (bool, error) {
	s.thresholdMu.Lock()
	defer s.thresholdMu.Unlock()
	ts, err := s.cfg.Store.KBThresholds(ctx)
	if err != nil {
		return false, fmt.Errorf("kb: thresholds: %w", err)
	}
	by := make(map[string]float64, len(ts))
	for _, t := range ts {
		by[t.Locale] = t.Threshold
	}
	changed := s.cfg.Index.SetThresholds(by)
	if changed {
		s.log.Info("knowledge base hand-off thresholds", "chosen", by)
	}
	return changed, nil
}

// Threshold returns the confidence at or above which the bot answers in a
// locale, the one fitted on the knowledge base, and whether an editor
// chose the first.
func (s *Service) Threshold(locale string) (current, fitted float64, chosen bool) {
	current, chosen = s.cfg.Index.Threshold(locale)
	return current, s.cfg.Index.FittedThreshold(), chosen
}

// Search runs an FAQ search (see search.Index.Search).
func (s *Service) Search(ctx context.Context, q search.Query) (search.Result, error) {
	return s.cfg.Index.Search(ctx, q)
}

// Retrieve answers a question or says to hand off (see search.Index.Retrieve);
// FAQ pages and the chat bot both call it.
func (s *Service) Retrieve(ctx context.Context, q search.Question) (search.Retrieval, error) {
	return s.cfg.Index.Retrieve(ctx, q)
}
