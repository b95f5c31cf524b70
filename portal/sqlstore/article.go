package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
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

const articleCols = `id, slug, title, summary, body, category_id, tags, phrasings, locale, status, author_id, version, views, created_at, updated_at, published_at`

func scanArticle(r Row) (*portal.Article, error) {
	var a portal.Article
	var tags, phr string
	err := r.Scan(&a.ID, &a.Slug, &a.Title, &a.Summary, &a.Body, &a.CategoryID, &tags, &phr, &a.Locale, &a.Status, &a.AuthorID,
		&a.Version, &a.Views, &a.CreatedAt, &a.UpdatedAt, &a.PublishedAt)
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
	err := s.db.InTx(ctx, func(q Querier) error { return insertArticle(ctx, q, a) })
	if s.db.IsUniqueViolation(err) {
		return portal.FieldError("slug", "An article with this slug already exists.")
	}
	return wrap("create article", err)
}

// insertArticle stores a new, validated article and its first revision
// on q, inside the caller's transaction.
func insertArticle(ctx context.Context, q Querier, a *portal.Article) error {
	tags, _ := json.Marshal(nonNil(a.Tags))
	phr, _ := json.Marshal(nonNil(a.Phrasings))
	err := q.QueryRow(ctx, `INSERT INTO articles (slug, title, summary, body, category_id, tags, phrasings, locale, status, author_id, version, created_at, updated_at, published_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Slug, a.Title, a.Summary, a.Body, a.CategoryID, string(tags), string(phr), a.Locale, a.Status, a.AuthorID, a.Version, a.CreatedAt, a.UpdatedAt, a.PublishedAt).Scan(&a.ID)
	if err != nil {
		return err
	}
	return insertRevision(ctx, q, a, "created")
}

func insertRevision(ctx context.Context, q Querier, a *portal.Article, note string) error {
	tags, _ := json.Marshal(nonNil(a.Tags))
	phr, _ := json.Marshal(nonNil(a.Phrasings))
	_, err := q.Exec(ctx, `INSERT INTO article_revisions (article_id, version, title, summary, body, category_id, tags, phrasings, locale, status, author_id, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Version, a.Title, a.Summary, a.Body, a.CategoryID, string(tags), string(phr), a.Locale, a.Status, a.AuthorID, note, a.UpdatedAt)
	return err
}

// UpdateArticle saves a new version of an article if nobody saved it since
// the version the editor started from, and records the revision.
func (s *Store) UpdateArticle(ctx context.Context, a *portal.Article, note string) error {
	if err := a.Validate(); err != nil {
		return err
	}
	now := s.now()
	tags, _ := json.Marshal(nonNil(a.Tags))
	phr, _ := json.Marshal(nonNil(a.Phrasings))
	var saved *portal.Article
	err := s.db.InTx(ctx, func(q Querier) error {
		cur, err := scanArticle(q.QueryRow(ctx, `SELECT `+articleCols+` FROM articles WHERE id = ?`, a.ID))
		if err != nil {
			return notFound(err, "Article")
		}
		if cur.Version != a.Version {
			return &portal.Error{Code: portal.ECONFLICT, Message: fmt.Sprintf(
				"Someone else saved this article (now version %d) after you opened version %d. Nothing was saved: your text is kept below; compare and save again.",
				cur.Version, a.Version)}
		}
		next := *a
		next.Slug, next.CreatedAt, next.Views = cur.Slug, cur.CreatedAt, cur.Views
		if a.Slug != "" {
			next.Slug = a.Slug
		}
		next.Version, next.UpdatedAt, next.PublishedAt = cur.Version+1, now, cur.PublishedAt
		if next.Status == portal.ArticlePublished && (cur.Status != portal.ArticlePublished || next.PublishedAt == nil) {
			next.PublishedAt = &now
		}
		n, err := q.Exec(ctx, `UPDATE articles SET slug = ?, title = ?, summary = ?, body = ?, category_id = ?, tags = ?, phrasings = ?, locale = ?, status = ?,
			author_id = ?, version = ?, updated_at = ?, published_at = ? WHERE id = ? AND version = ?`,
			next.Slug, next.Title, next.Summary, next.Body, next.CategoryID, string(tags), string(phr), next.Locale, next.Status,
			next.AuthorID, next.Version, now, next.PublishedAt, a.ID, cur.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return portal.Errorf(portal.ECONFLICT, "Someone else saved this article at the same moment. Nothing was saved: your text is kept below; save again.")
		}
		if err := insertRevision(ctx, q, &next, note); err != nil {
			return err
		}
		saved = &next
		return nil
	})
	if s.db.IsUniqueViolation(err) {
		return portal.FieldError("slug", "An article with this slug already exists.")
	}
	if err != nil {
		return wrap("update article", err)
	}
	*a = *saved
	return nil
}

const revisionCols = `r.id, r.article_id, r.version, r.title, r.summary, r.body, r.category_id, r.tags, r.phrasings, r.locale, r.status, r.author_id, COALESCE(u.email, ''), r.note, r.created_at`

func scanRevision(r Row) (*portal.ArticleRevision, error) {
	var v portal.ArticleRevision
	var tags, phr string
	err := r.Scan(&v.ID, &v.ArticleID, &v.Version, &v.Title, &v.Summary, &v.Body, &v.CategoryID, &tags, &phr, &v.Locale, &v.Status, &v.AuthorID,
		&v.AuthorEmail, &v.Note, &v.CreatedAt)
	if err == nil {
		_ = json.Unmarshal([]byte(tags), &v.Tags)
		_ = json.Unmarshal([]byte(phr), &v.Phrasings)
	}
	return &v, err
}

// FindArticleRevisions returns an article's revisions, newest first.
func (s *Store) FindArticleRevisions(ctx context.Context, articleID int64) ([]*portal.ArticleRevision, error) {
	rows, err := s.db.Query(ctx, `SELECT `+revisionCols+` FROM article_revisions r LEFT JOIN users u ON u.id = r.author_id
		WHERE r.article_id = ? ORDER BY r.version DESC LIMIT 500`, articleID)
	if err != nil {
		return nil, wrap("find revisions", err)
	}
	defer rows.Close()
	var out []*portal.ArticleRevision
	for rows.Next() {
		v, err := scanRevision(rows)
		if err != nil {
			return nil, wrap("scan revision", err)
		}
		out = append(out, v)
	}
	return out, wrap("find revisions", rows.Err())
}

// FindArticleRevision returns one version of an article.
func (s *Store) FindArticleRevision(ctx context.Context, articleID int64, version int) (*portal.ArticleRevision, error) {
	v, err := scanRevision(s.db.QueryRow(ctx, `SELECT `+revisionCols+` FROM article_revisions r LEFT JOIN users u ON u.id = r.author_id
		WHERE r.article_id = ? AND r.version = ?`, articleID, version))
	if err != nil {
		return nil, wrap("find revision", notFound(err, "Revision"))
	}
	return v, nil
}

// ArticleChanges returns the articles saved after watermark. Revision IDs
// serve as the watermark: every save inserts one.
func (s *Store) ArticleChanges(ctx context.Context, watermark int64, n int) ([]portal.ArticleChange, error) {
	rows, err := s.db.Query(ctx, `SELECT article_id, MAX(id) FROM article_revisions WHERE id > ? GROUP BY article_id ORDER BY MAX(id) LIMIT ?`,
		watermark, limit(n, 500, 5000))
	if err != nil {
		return nil, wrap("article changes", err)
	}
	defer rows.Close()
	var out []portal.ArticleChange
	for rows.Next() {
		var c portal.ArticleChange
		if err := rows.Scan(&c.ArticleID, &c.Watermark); err != nil {
			return nil, wrap("scan article change", err)
		}
		out = append(out, c)
	}
	return out, wrap("article changes", rows.Err())
}

// CountArticleView adds one to an article's read count.
func (s *Store) CountArticleView(ctx context.Context, id int64) error {
	_, err := s.db.Exec(ctx, `UPDATE articles SET views = views + 1 WHERE id = ?`, id)
	return wrap("count article view", err)
}

// UpdateCategory renames or moves a category.
func (s *Store) UpdateCategory(ctx context.Context, c *portal.Category) error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		return portal.FieldError("name", "Name is required.")
	}
	if c.Slug == "" {
		c.Slug = Slugify(c.Name)
	}
	cats, err := s.FindCategories(ctx)
	if err != nil {
		return err
	}
	parent := map[int64]*int64{}
	for _, x := range cats {
		parent[x.ID] = x.ParentID
	}
	if _, ok := parent[c.ID]; !ok {
		return portal.Errorf(portal.ENOTFOUND, "Category not found.")
	}
	for p, hops := c.ParentID, 0; p != nil && hops < 100; p, hops = parent[*p], hops+1 {
		if *p == c.ID {
			return portal.FieldError("parent_id", "A category cannot sit inside itself.")
		}
	}
	_, err = s.db.Exec(ctx, `UPDATE categories SET slug = ?, name = ?, parent_id = ?, position = ? WHERE id = ?`, c.Slug, c.Name, c.ParentID, c.Position, c.ID)
	if s.db.IsUniqueViolation(err) {
		return portal.FieldError("slug", "A category with this slug already exists.")
	}
	return wrap("update category", err)
}

// DeleteCategory removes an empty category.
func (s *Store) DeleteCategory(ctx context.Context, id int64) error {
	err := s.db.InTx(ctx, func(q Querier) error {
		var n int
		if err := q.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM articles WHERE category_id = ?) + (SELECT COUNT(*) FROM categories WHERE parent_id = ?)`, id, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return portal.Errorf(portal.ECONFLICT, "Move this category's articles and subcategories elsewhere before deleting it.")
		}
		m, err := q.Exec(ctx, `DELETE FROM categories WHERE id = ?`, id)
		if err == nil && m == 0 {
			return portal.Errorf(portal.ENOTFOUND, "Category not found.")
		}
		return err
	})
	return wrap("delete category", err)
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
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(q) + "%"
		w.add("(LOWER(title) LIKE ? OR LOWER(summary) LIKE ? OR LOWER(phrasings) LIKE ?)", like, like, like)
	}
	order := "updated_at DESC, id DESC"
	if f.Order == "views" {
		order = "views DESC, id"
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM articles`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count articles", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+articleCols+` FROM articles`+w.String()+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
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

// ImportArticles creates or updates articles by slug in one transaction.
// An article whose content, category, tags, locale and status are already
// as imported is left alone: no new version, no revision.
func (s *Store) ImportArticles(ctx context.Context, items []portal.ArticleImport) error {
	if len(items) == 0 {
		return portal.Errorf(portal.EINVALID, "Nothing to import.")
	}
	berr := &portal.BulkError{Items: map[int]string{}}
	err := s.db.InTx(ctx, func(q Querier) error {
		cats := map[string]int64{}
		for i := range items {
			it := &items[i]
			it.Outcome = ""
			a := it.Article
			if a.Slug == "" {
				a.Slug = Slugify(a.Title)
			}
			keepStatus := a.Status == ""
			if keepStatus {
				a.Status = portal.ArticlePublished
			}
			if err := a.Validate(); err != nil {
				berr.Items[i] = portal.ErrorMessage(err)
				continue
			}
			a.CategoryID = nil
			if name := strings.TrimSpace(it.Category); name != "" {
				id, ok := cats[name]
				if !ok {
					err := q.QueryRow(ctx, `SELECT id FROM categories WHERE name = ? ORDER BY id LIMIT 1`, name).Scan(&id)
					if portal.IsNotFound(notFound(err, "")) {
						err = q.QueryRow(ctx, `INSERT INTO categories (slug, name, parent_id, position) VALUES (?, ?, NULL, 0) RETURNING id`, Slugify(name), name).Scan(&id)
					}
					if err != nil {
						return fmt.Errorf("category %q: %w", name, err)
					}
					cats[name] = id
				}
				a.CategoryID = &id
			}
			now := s.now()
			cur, err := scanArticle(q.QueryRow(ctx, `SELECT `+articleCols+` FROM articles WHERE slug = ?`, a.Slug))
			tags, _ := json.Marshal(nonNil(a.Tags))
			phr, _ := json.Marshal(nonNil(a.Phrasings))
			switch {
			case portal.IsNotFound(notFound(err, "")):
				a.Version, a.CreatedAt, a.UpdatedAt = 1, now, now
				if a.Status == portal.ArticlePublished {
					a.PublishedAt = &now
				}
				err = q.QueryRow(ctx, `INSERT INTO articles (slug, title, summary, body, category_id, tags, phrasings, locale, status, author_id, version, created_at, updated_at, published_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
					a.Slug, a.Title, a.Summary, a.Body, a.CategoryID, string(tags), string(phr), a.Locale, a.Status, a.AuthorID, 1, now, now, a.PublishedAt).Scan(&a.ID)
				it.Outcome = portal.ImportCreated
			case err != nil:
				return err
			default:
				if keepStatus {
					a.Status = cur.Status
				}
				if sameContent(cur, a) {
					*a = *cur
					it.Outcome = portal.ImportUnchanged
					continue
				}
				a.ID, a.Version, a.CreatedAt, a.UpdatedAt, a.PublishedAt = cur.ID, cur.Version+1, cur.CreatedAt, now, cur.PublishedAt
				if a.Status == portal.ArticlePublished && (cur.Status != portal.ArticlePublished || a.PublishedAt == nil) {
					a.PublishedAt = &now
				}
				_, err = q.Exec(ctx, `UPDATE articles SET title = ?, summary = ?, body = ?, category_id = ?, tags = ?, phrasings = ?, locale = ?, status = ?, version = ?, updated_at = ?, published_at = ? WHERE id = ?`,
					a.Title, a.Summary, a.Body, a.CategoryID, string(tags), string(phr), a.Locale, a.Status, a.Version, now, a.PublishedAt, a.ID)
				it.Outcome = portal.ImportUpdated
			}
			if err != nil {
				return err
			}
			if err := insertRevision(ctx, q, a, "imported"); err != nil {
				return err
			}
		}
		if len(berr.Items) > 0 {
			return berr
		}
		return nil
	})
	if errors.As(err, &berr) {
		for i := range items {
			items[i].Outcome = ""
		}
		return &portal.Error{Code: portal.EINVALID, Message: "Nothing was imported: some articles are not valid.", Err: berr}
	}
	return wrap("import articles", err)
}

// sameContent reports whether an import would leave cur as it is.
func sameContent(cur, a *portal.Article) bool {
	eqID := func(x, y *int64) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return cur.Title == a.Title && cur.Summary == a.Summary && cur.Body == a.Body && eqID(cur.CategoryID, a.CategoryID) &&
		slices.Equal(nonNil(cur.Tags), nonNil(a.Tags)) && slices.Equal(nonNil(cur.Phrasings), nonNil(a.Phrasings)) &&
		cur.Locale == a.Locale && cur.Status == a.Status
}
