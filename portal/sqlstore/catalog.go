package sqlstore

import (
	"context"
	"regexp"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

const productCols = `p.id, p.slug, p.name, p.summary, p.created_at, p.updated_at,
	COALESCE((SELECT MAX(v.version) FROM catalog_versions v WHERE v.product_id = p.id AND v.status = 'published'), 0),
	COALESCE((SELECT MAX(v.version) FROM catalog_versions v WHERE v.product_id = p.id AND v.status = 'draft'), 0)`

func checkProduct(p *portal.Product) error {
	p.Slug = strings.TrimSpace(p.Slug)
	p.Name = strings.TrimSpace(p.Name)
	if !slugRE.MatchString(p.Slug) || len(p.Slug) > 60 {
		return portal.FieldError("slug", "The product's URL name must be lower-case letters, digits and dashes (at most 60).")
	}
	if p.Name == "" || len(p.Name) > 200 {
		return portal.FieldError("name", "The product needs a name (at most 200 characters).")
	}
	return nil
}

// CreateProduct stores a product with no catalogue version yet.
func (s *Store) CreateProduct(ctx context.Context, p *portal.Product) error {
	if err := checkProduct(p); err != nil {
		return err
	}
	now := s.now()
	p.CreatedAt, p.UpdatedAt = now, now
	err := s.db.QueryRow(ctx, `INSERT INTO products (slug, name, summary, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		p.Slug, p.Name, p.Summary, p.CreatedAt, p.UpdatedAt).Scan(&p.ID)
	if s.db.IsUniqueViolation(err) {
		return portal.FieldError("slug", "A product with this URL name already exists.")
	}
	return wrap("create product", err)
}

// UpdateProduct changes a product's name and summary.
func (s *Store) UpdateProduct(ctx context.Context, p *portal.Product) error {
	if err := checkProduct(p); err != nil {
		return err
	}
	p.UpdatedAt = s.now()
	return s.execOne(ctx, "update product", "Product not found.", `UPDATE products SET name = ?, summary = ?, updated_at = ? WHERE id = ?`, p.Name, p.Summary, p.UpdatedAt, p.ID)
}

// FindProducts returns a page of products ordered by name.
func (s *Store) FindProducts(ctx context.Context, f portal.ProductFilter) ([]*portal.Product, int, error) {
	var w where
	if f.ID != nil {
		w.add("p.id = ?", *f.ID)
	}
	if f.Slug != nil {
		w.add("p.slug = ?", strings.TrimSpace(*f.Slug))
	}
	if f.PublishedOnly {
		w.add("EXISTS (SELECT 1 FROM catalog_versions v WHERE v.product_id = p.id AND v.status = 'published')")
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM products p`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count products", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+productCols+` FROM products p`+w.String()+` ORDER BY p.name, p.id LIMIT ? OFFSET ?`,
		append(w.args, limit(f.Limit, 50, 500), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find products", err)
	}
	defer rows.Close()
	var out []*portal.Product
	for rows.Next() {
		var p portal.Product
		if err := rows.Scan(&p.ID, &p.Slug, &p.Name, &p.Summary, &p.CreatedAt, &p.UpdatedAt, &p.Published, &p.Draft); err != nil {
			return nil, 0, wrap("scan product", err)
		}
		out = append(out, &p)
	}
	return out, total, wrap("find products", rows.Err())
}

const versionCols = `id, product_id, version, status, catalog, note, created_by, created_at, updated_at, published_at`

func scanVersion(r interface{ Scan(...any) error }) (*portal.CatalogVersion, error) {
	var v portal.CatalogVersion
	err := r.Scan(&v.ID, &v.ProductID, &v.Version, &v.Status, &v.Catalog, &v.Note, &v.CreatedBy, &v.CreatedAt, &v.UpdatedAt, &v.PublishedAt)
	return &v, err
}

// lockProduct takes the product's row lock so that versions of one product
// are numbered, published and ordered against one at a time.
func (s *Store) lockProduct(ctx context.Context, q Querier, productID int64) error {
	n, err := q.Exec(ctx, `UPDATE products SET updated_at = updated_at WHERE id = ?`, productID)
	if err != nil {
		return err
	}
	if n == 0 {
		return portal.Errorf(portal.ENOTFOUND, "Product not found.")
	}
	return nil
}

// SaveDraft creates the product's draft or replaces its catalogue.
func (s *Store) SaveDraft(ctx context.Context, productID int64, catalog, note, by string) (*portal.CatalogVersion, error) {
	if strings.TrimSpace(catalog) == "" {
		return nil, portal.FieldError("catalog", "The catalogue is empty.")
	}
	var out *portal.CatalogVersion
	now := s.now()
	err := s.db.InTx(ctx, func(q Querier) error {
		if err := s.lockProduct(ctx, q, productID); err != nil {
			return err
		}
		v, err := scanVersion(q.QueryRow(ctx, `SELECT `+versionCols+` FROM catalog_versions WHERE product_id = ? AND status = 'draft'`, productID))
		if err == nil {
			v.Catalog, v.Note, v.CreatedBy, v.UpdatedAt = catalog, note, by, now
			_, err = q.Exec(ctx, `UPDATE catalog_versions SET catalog = ?, note = ?, created_by = ?, updated_at = ? WHERE id = ?`, catalog, note, by, now, v.ID)
			out = v
			return err
		} else if !portal.IsNotFound(notFound(err, "")) {
			return err
		}
		v = &portal.CatalogVersion{ProductID: productID, Status: portal.VersionDraft, Catalog: catalog, Note: note, CreatedBy: by, CreatedAt: now, UpdatedAt: now}
		if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM catalog_versions WHERE product_id = ?`, productID).Scan(&v.Version); err != nil {
			return err
		}
		if err := q.QueryRow(ctx, `INSERT INTO catalog_versions (product_id, version, status, catalog, note, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			productID, v.Version, v.Status, catalog, note, by, now, now).Scan(&v.ID); err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, wrap("save draft", err)
}

// PublishDraft publishes the product's draft, making it current.
func (s *Store) PublishDraft(ctx context.Context, productID int64, by string) (*portal.CatalogVersion, error) {
	var out *portal.CatalogVersion
	now := s.now()
	err := s.db.InTx(ctx, func(q Querier) error {
		if err := s.lockProduct(ctx, q, productID); err != nil {
			return err
		}
		v, err := scanVersion(q.QueryRow(ctx, `SELECT `+versionCols+` FROM catalog_versions WHERE product_id = ? AND status = 'draft'`, productID))
		if err != nil {
			return notFound(err, "Draft")
		}
		if _, err := q.Exec(ctx, `UPDATE catalog_versions SET status = 'published', published_at = ?, updated_at = ? WHERE id = ?`, now, now, v.ID); err != nil {
			return err
		}
		v.Status, v.PublishedAt, v.UpdatedAt = portal.VersionPublished, &now, now
		if by != "" && v.CreatedBy == "" {
			v.CreatedBy = by
		}
		out = v
		return nil
	})
	return out, wrap("publish draft", err)
}

// DiscardDraft deletes the product's draft.
func (s *Store) DiscardDraft(ctx context.Context, productID int64) error {
	return s.execOne(ctx, "discard draft", "Draft not found.", `DELETE FROM catalog_versions WHERE product_id = ? AND status = 'draft'`, productID)
}

// FindCatalogVersions returns a page of versions, newest first.
func (s *Store) FindCatalogVersions(ctx context.Context, f portal.CatalogVersionFilter) ([]*portal.CatalogVersion, int, error) {
	var w where
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.ProductID != nil {
		w.add("product_id = ?", *f.ProductID)
	}
	if f.Version != nil {
		w.add("version = ?", *f.Version)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	lim := limit(f.Limit, 20, 500)
	if f.Current {
		w.add("status = 'published'")
		lim = 1
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM catalog_versions`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count versions", err)
	}
	if f.Current && total > 1 {
		total = 1
	}
	rows, err := s.db.Query(ctx, `SELECT `+versionCols+` FROM catalog_versions`+w.String()+` ORDER BY version DESC, id DESC LIMIT ? OFFSET ?`,
		append(w.args, lim, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find versions", err)
	}
	defer rows.Close()
	var out []*portal.CatalogVersion
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, 0, wrap("scan version", err)
		}
		out = append(out, v)
	}
	return out, total, wrap("find versions", rows.Err())
}
