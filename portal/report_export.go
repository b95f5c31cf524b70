package portal

import (
	"context"
	"time"
)

// ReportExport is a report file made in the background (a long customer
// list as CSV). It lives in the store, not in one node's memory, so that a
// manager behind a load balancer sees its progress and downloads it from
// whichever node answers.
type ReportExport struct {
	ID        string
	OwnerID   int64
	Name      string
	CreatedAt time.Time
	// Progress runs from 0 to 1; Done is set when the file is there, or
	// with Failed when it could not be made.
	Progress float64
	Done     bool
	Failed   bool
}

// ReportExportService keeps background exports and their files.
type ReportExportService interface {
	// CreateReportExport stores a new running export.
	CreateReportExport(ctx context.Context, e *ReportExport) error
	// SetReportExportProgress records how far a running export is.
	SetReportExportProgress(ctx context.Context, id string, progress float64) error
	// FinishReportExport stores the file (nil when failed) and marks the
	// export done.
	FinishReportExport(ctx context.Context, id string, data []byte, failed bool) error
	// FindReportExport returns an export without its file; ENOTFOUND when
	// there is none.
	FindReportExport(ctx context.Context, id string) (*ReportExport, error)
	// ReportExportData returns a finished export's file.
	ReportExportData(ctx context.Context, id string) ([]byte, error)
	// CountReportExports counts the owner's exports created since then.
	CountReportExports(ctx context.Context, ownerID int64, since time.Time) (int, error)
	// DeleteReportExports removes the exports created before then, with
	// their files.
	DeleteReportExports(ctx context.Context, before time.Time) (int, error)
}
