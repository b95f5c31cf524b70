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
	Version     int
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
	Offset     int
	Limit      int
}

// ArticleService stores FAQ articles and categories.
type ArticleService interface {
	CreateCategory(ctx context.Context, c *Category) error
	FindCategories(ctx context.Context) ([]*Category, error)
	CreateArticle(ctx context.Context, a *Article) error
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, int, error)
}
