package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// testReportExports: an export's progress, its file, its owner's count and
// the hour after which it is deleted.
func testReportExports(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	boss := MustCreateUser(t, s, portal.RoleManager, "boss@example.com")
	t0 := time.Date(2026, 3, 6, 9, 0, 0, 0, time.UTC)
	e := &portal.ReportExport{ID: "a1", OwnerID: boss.ID, Name: "customers-champions", CreatedAt: t0}
	if err := s.CreateReportExport(ctx(), e); err != nil {
		t.Fatal(err)
	}
	if err := s.SetReportExportProgress(ctx(), "a1", 0.5); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindReportExport(ctx(), "a1")
	if err != nil || got.OwnerID != boss.ID || got.Name != e.Name || !got.CreatedAt.Equal(t0) || got.Progress != 0.5 || got.Done || got.Failed {
		t.Fatalf("running export = %+v, %v", got, err)
	}
	if _, err := s.ReportExportData(ctx(), "a1"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("data of a running export: err = %v, want ENOTFOUND", err)
	}
	file := []byte("customer_id,email\n1,a@example.com\n")
	if err := s.FinishReportExport(ctx(), "a1", file, false); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FindReportExport(ctx(), "a1"); err != nil || !got.Done || got.Failed || got.Progress != 1 {
		t.Fatalf("finished export = %+v, %v", got, err)
	}
	if data, err := s.ReportExportData(ctx(), "a1"); err != nil || !bytes.Equal(data, file) {
		t.Fatalf("data = %q, %v", data, err)
	}
	// A failed one has no file.
	if err := s.CreateReportExport(ctx(), &portal.ReportExport{ID: "b2", OwnerID: boss.ID, Name: "x", CreatedAt: t0.Add(30 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishReportExport(ctx(), "b2", nil, true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FindReportExport(ctx(), "b2"); err != nil || !got.Done || !got.Failed {
		t.Fatalf("failed export = %+v, %v", got, err)
	}
	if _, err := s.ReportExportData(ctx(), "b2"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("data of a failed export: err = %v, want ENOTFOUND", err)
	}
	if n, err := s.CountReportExports(ctx(), boss.ID, t0); err != nil || n != 2 {
		t.Errorf("count = %d, %v, want 2", n, err)
	}
	if n, err := s.CountReportExports(ctx(), boss.ID+1, t0); err != nil || n != 0 {
		t.Errorf("someone else's count = %d, %v, want 0", n, err)
	}
	// Those created before a moment go, the later stays.
	if n, err := s.DeleteReportExports(ctx(), t0.Add(15*time.Minute)); err != nil || n != 1 {
		t.Errorf("deleted %d, %v, want 1", n, err)
	}
	if _, err := s.FindReportExport(ctx(), "a1"); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("deleted export: err = %v, want ENOTFOUND", err)
	}
	if err := s.SetReportExportProgress(ctx(), "a1", 0.7); portal.ErrorCode(err) != portal.ENOTFOUND {
		t.Errorf("progress of a deleted export: err = %v, want ENOTFOUND", err)
	}
	if _, err := s.FindReportExport(ctx(), "b2"); err != nil {
		t.Errorf("newer export: %v", err)
	}
}
