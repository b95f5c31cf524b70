package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

var errExportNotFound = portal.Errorf(portal.ENOTFOUND, "Export not found (exports are kept for an hour).")

// CreateReportExport stores a new running export.
func (s *Store) CreateReportExport(ctx context.Context, e *portal.ReportExport) error {
	_, err := s.db.Exec(ctx, `INSERT INTO report_exports (id, owner_id, name, created_at, progress, done, failed) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.OwnerID, e.Name, e.CreatedAt, e.Progress, e.Done, e.Failed)
	return wrap("create report export", err)
}

// SetReportExportProgress records a running export's progress.
func (s *Store) SetReportExportProgress(ctx context.Context, id string, progress float64) error {
	n, err := s.db.Exec(ctx, `UPDATE report_exports SET progress = ? WHERE id = ? AND NOT done`, progress, id)
	if err == nil && n == 0 {
		err = errExportNotFound
	}
	return wrap("set report export progress", err)
}

// FinishReportExport stores the file and marks the export done.
func (s *Store) FinishReportExport(ctx context.Context, id string, data []byte, failed bool) error {
	if data == nil {
		data = []byte{}
	}
	n, err := s.db.Exec(ctx, `UPDATE report_exports SET progress = 1, done = ?, failed = ?, data = ? WHERE id = ?`, true, failed, data, id)
	if err == nil && n == 0 {
		err = errExportNotFound
	}
	return wrap("finish report export", err)
}

// FindReportExport returns an export without its file.
func (s *Store) FindReportExport(ctx context.Context, id string) (*portal.ReportExport, error) {
	var e portal.ReportExport
	err := s.db.QueryRow(ctx, `SELECT id, owner_id, name, created_at, progress, done, failed FROM report_exports WHERE id = ?`, id).
		Scan(&e.ID, &e.OwnerID, &e.Name, &e.CreatedAt, &e.Progress, &e.Done, &e.Failed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errExportNotFound
	}
	if err != nil {
		return nil, wrap("find report export", err)
	}
	return &e, nil
}

// ReportExportData returns a finished export's file.
func (s *Store) ReportExportData(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	err := s.db.QueryRow(ctx, `SELECT data FROM report_exports WHERE id = ? AND done AND NOT failed`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errExportNotFound
	}
	return data, wrap("report export data", err)
}

// CountReportExports counts the owner's exports created since then.
func (s *Store) CountReportExports(ctx context.Context, ownerID int64, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM report_exports WHERE owner_id = ? AND created_at >= ?`, ownerID, since).Scan(&n)
	return n, wrap("count report exports", err)
}

// DeleteReportExports removes the exports created before then.
func (s *Store) DeleteReportExports(ctx context.Context, before time.Time) (int, error) {
	n, err := s.db.Exec(ctx, `DELETE FROM report_exports WHERE created_at < ?`, before)
	return int(n), wrap("delete report exports", err)
}
