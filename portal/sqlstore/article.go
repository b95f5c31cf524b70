package sqlstore

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

// CreateCategory stores a category.
func (s *Store) CreateCategory(ctx context.Context, c *portal.Category) error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return portal.FieldError("name", "Name is required.")
	}
	if c.Slug == "" {
		c.Slug = Slugify(c.Name)
	}
	err := s.db.QueryRow(ctx, `INSERT INTO categories (slug, name, parent_id, position) VALUES (?, ?, ?, ?) RETURNING id`,
		c.Slug, c.Name, c.ParentID, c.Position).Scan(&c.ID)
	if s.db.IsUniqueViolation(err) {
		return portal.FieldError("slug", "A category with this slug already exists.")
	}
	return wrap("create category", err)
}

// FindCategories returns every category in display order.
func (s *Store) FindCategories(ctx context.Context) ([]*portal.Category, error) {
	rows, err := s.db.Query(ctx, `SELECT id, slug, name, parent_id, position FROM categories ORDER BY position, name`)
	if err != nil {
		return nil, wrap("find categories", err)
	}
	defer rows.Close()
	var out []*portal.Category
	for rows.Next() {
		var c portal.Category
		if err := rows.Scan(&c.ID, &c.Slug, &c.Name, &c.ParentID, &c.Position); err != nil {
			return nil, wrap("scan category", err)
		}
		out = append(out, &c)
	}
	return out, wrap("find categories", rows.Err())
}

const articleCols = `id, slug, title, summary, body, category_id, tags, phrasings, locale, status, author_id, version, created_at, updated_at, published_at`

func scanArticle(r Row) (*portal.Article, error) {
	var a portal.Article
	var tags, phr string
	err := r.Scan(&a.ID, &a.Slug, &a.Title, &a.Summary, &a.Body, &a.CategoryID, &tags, &phr, &a.Locale, &a.Status, &a.AuthorID,
		&a.Version, &a.CreatedAt, &a.UpdatedAt, &a.PublishedAt)
	if err == nil {
		_ = json.Unmarshal([]byte(tags), &a.Tags)
		_ = json.Unmarshal([]byte(phr), &a.Phrasings)
	}
	return &a, err
}

// CreateArticle stores a new article at version 1.
func (s *Store) CreateArticle(ctx context.Context, a *portal.Article) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.Slug == "" {
		a.Slug = Slugify(a.Title)
	}
	now := s.now()
	a.CreatedAt, a.UpdatedAt, a.Version = now, now, 1
	if a.Status == portal.ArticlePublished && a.PublishedAt == nil {
		a.PublishedAt = &now
	}
	tags, _ := json.Marshal(nonNil(a.Tags))
	phr, _ := json.Marshal(nonNil(a.Phrasings))
	err := s.db.QueryRow(ctx, `INSERT INTO articles (slug, title, summary, body, category_id, tags, phrasings, locale, status, author_id, version, created_at, updated_at, published_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Slug, a.Title, a.Summary, a.Body, a.CategoryID, string(tags), string(phr), a.Locale, a.Status, a.AuthorID, a.Version, now, now, a.PublishedAt).Scan(&a.ID)
	if s.db.IsUniqueViolation(err) {
		return portal.FieldError("slug", "An article with this slug already exists.")
	}
	return wrap("create article", err)
}

// FindArticles returns a page of articles, most recently updated first.
func (s *Store) FindArticles(ctx context.Context, f portal.ArticleFilter) ([]*portal.Article, int, error) {
	var w where
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.Slug != nil {
		w.add("slug = ?", *f.Slug)
	}
	if f.Status != nil {
		w.add("status = ?", *f.Status)
	}
	if f.CategoryID != nil {
		w.add("category_id = ?", *f.CategoryID)
	}
	if f.Locale != "" {
		w.add("locale = ?", f.Locale)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM articles`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count articles", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+articleCols+` FROM articles`+w.String()+` ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`,
		append(w.args, limit(f.Limit, 50, 10000), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find articles", err)
	}
	out, err := collect(rows, scanArticle)
	return out, total, wrap("find articles", err)
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify turns a title into a URL slug.
func Slugify(s string) string {
	s = strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	if s == "" {
		s = "item"
	}
	return s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
