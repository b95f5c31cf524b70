package portal

import (
	"context"
	"strings"
	"time"
)

// ArticleStatus is where an article is in the editorial workflow.
type ArticleStatus string

// The article statuses.
const (
	ArticleDraft     ArticleStatus = "draft"
	ArticleInReview  ArticleStatus = "in_review"
	ArticlePublished ArticleStatus = "published"
	ArticleArchived  ArticleStatus = "archived"
)

// Valid reports whether s is a known status.
func (s ArticleStatus) Valid() bool {
	switch s {
	case ArticleDraft, ArticleInReview, ArticlePublished, ArticleArchived:
		return true
	}
	return false
}

// Category groups FAQ articles; categories nest.
type Category struct {
	ID       int64
	Slug     string
	Name     string
	ParentID *int64
	Position int
}

// Article is a knowledge-base entry: what FAQ search and the bot answer from.
type Article struct {
	ID         int64
	Slug       string
	Title      string
	Summary    string // the short answer shown first
	Body       string // Markdown
	CategoryID *int64
	Tags       []string
	Phrasings  []string // other ways customers ask the question
	Locale     string
	Status     ArticleStatus
	AuthorID   *int64
	// Version counts saves; an update must name the version it edited.
	Version int
	// Views counts reads of the article page.
	Views       int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	PublishedAt *time.Time
}

// Validate checks an article before it is stored.
func (a *Article) Validate() error {
	a.Title = strings.TrimSpace(a.Title)
	if a.Title == "" {
		return FieldError("title", "Title is required.")
	}
	if len(a.Title) > 300 {
		return FieldError("title", "Title is too long (300 characters at most).")
	}
	if len(a.Summary) > 2000 {
		return FieldError("summary", "Summary is too long (2,000 characters at most).")
	}
	if len(a.Body) > 200_000 {
		return FieldError("body", "Body is too long (200,000 characters at most).")
	}
	if a.Locale == "" {
		a.Locale = "en"
	}
	if a.Status == "" {
		a.Status = ArticleDraft
	}
	if len(a.Phrasings) > 200 || len(a.Tags) > 50 {
		return FieldError("phrasings", "Too many phrasings or tags.")
	}
	if !a.Status.Valid() {
		return FieldError("status", "Unknown status.")
	}
	return nil
}

// ArticleFilter selects articles.
type ArticleFilter struct {
	ID         *int64
	Slug       *string
	Status     *ArticleStatus
	CategoryID *int64
	Locale     string
	// Query matches title, summary or phrasings, case-insensitively.
	Query string
	// Order is "updated" (the default, newest first) or "views" (most read first).
	Order  string
	Offset int
	Limit  int
}

// ArticleService stores FAQ articles, their revisions and categories.
//
// Every save is a revision. UpdateArticle names the version it edited
// (Article.Version); when another save came first it fails with ECONFLICT and
// stores nothing, so the caller still holds the editor's text.
type ArticleService interface {
	CreateCategory(ctx context.Context, c *Category) error
	// UpdateCategory renames or moves a category; a category cannot
	// become its own ancestor.
	UpdateCategory(ctx context.Context, c *Category) error
	// DeleteCategory removes an empty category (ECONFLICT when it still
	// holds articles or subcategories).
	DeleteCategory(ctx context.Context, id int64) error
	FindCategories(ctx context.Context) ([]*Category, error)
	// CreateArticle stores a new article at version 1 and its first revision.
	CreateArticle(ctx context.Context, a *Article) error
	// UpdateArticle saves a new version of a.ID edited from a.Version, and
	// its revision note. On success a.Version is the new version.
	UpdateArticle(ctx context.Context, a *Article, note string) error
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, int, error)
	// FindArticleRevisions returns an article's revisions, newest first,
	// with their author's email.
	FindArticleRevisions(ctx context.Context, articleID int64) ([]*ArticleRevision, error)
	// FindArticleRevision returns one version of an article.
	FindArticleRevision(ctx context.Context, articleID int64, version int) (*ArticleRevision, error)
	// ArticleChanges returns the articles saved after watermark, each with
	// the watermark of its last save, in watermark order. Watermarks grow
	// with every save on any node; a follower passes the last one it saw.
	ArticleChanges(ctx context.Context, watermark int64, limit int) ([]ArticleChange, error)
	// CountArticleView adds one to an article's read count.
	CountArticleView(ctx context.Context, id int64) error
	// ImportArticles creates or updates articles by slug, creating missing
	// categories by name, all in one transaction: on any invalid item
	// nothing is stored and the error is a *BulkError keyed by item index.
	ImportArticles(ctx context.Context, items []ArticleImport) error
}

// ArticleImport is one article to import; Category names its category
// (created when missing, none when empty). An empty status means
// published for new articles and unchanged for existing ones. An existing
// article that the import would not change is left alone (no revision).
type ArticleImport struct {
	Article  *Article
	Category string
	// Outcome is set by ImportArticles: created, updated or unchanged.
	Outcome string
}

// Import outcomes.
const (
	ImportCreated   = "created"
	ImportUpdated   = "updated"
	ImportUnchanged = "unchanged"
)

// ArticleChange says an article was saved; Watermark orders saves.
type ArticleChange struct {
	ArticleID int64
	Watermark int64
}

// ArticleRevision is one saved version of an article.
type ArticleRevision struct {
	ID          int64
	ArticleID   int64
	Version     int
	Title       string
	Summary     string
	Body        string
	CategoryID  *int64
	Tags        []string
	Phrasings   []string
	Locale      string
	Status      ArticleStatus
	AuthorID    *int64
	AuthorEmail string
	// Note says what the save did: "created", "published", "restored v3"...
	Note      string
	CreatedAt time.Time
}

// Apply copies the revision's content onto a, keeping a's ID, slug and version.
func (r *ArticleRevision) Apply(a *Article) {
	a.Title, a.Summary, a.Body, a.CategoryID = r.Title, r.Summary, r.Body, r.CategoryID
	a.Tags, a.Phrasings, a.Locale = r.Tags, r.Phrasings, r.Locale
}
