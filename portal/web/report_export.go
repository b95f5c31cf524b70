package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// Exports of long customer lists run in the background: the manager gets a
// page with the export's progress and a download link when it is ready,
// and no request waits for the whole list. The export, its progress and
// its file are kept in the store, so that with several nodes behind a
// load balancer any node shows them; the node that started it does the
// work.

// exportJobs starts background exports and finds them in the store.
type exportJobs struct {
	store portal.ReportExportService
	log   *slog.Logger
	// wg counts running exports, for tests and shutdown.
	wg sync.WaitGroup
}

const (
	exportTTL       = time.Hour
	exportsPerOwner = 5
	// exportProgressStep is how much progress is worth a write to the store.
	exportProgressStep = 0.05
)

func newExportJobs(store portal.ReportExportService, log *slog.Logger) *exportJobs {
	return &exportJobs{store: store, log: log}
}

// start records an export for owner and runs build in the background; too
// many recent exports of the owner's is ECONFLICT. Expired exports are
// deleted on the way.
func (e *exportJobs) start(ctx context.Context, owner int64, name string, now time.Time, build func(ctx context.Context, progress func(float64)) ([]byte, error)) (*portal.ReportExport, error) {
	if _, err := e.store.DeleteReportExports(ctx, now.Add(-exportTTL)); err != nil {
		return nil, err
	}
	mine, err := e.store.CountReportExports(ctx, owner, now.Add(-exportTTL))
	if err != nil {
		return nil, err
	}
	if mine >= exportsPerOwner {
		return nil, portal.Errorf(portal.ECONFLICT, "You have %d recent exports; wait for them to expire (an hour) before starting more.", exportsPerOwner)
	}
	b := make([]byte, 12)
	rand.Read(b)
	j := &portal.ReportExport{ID: hex.EncodeToString(b), OwnerID: owner, Name: name, CreatedAt: now}
	if err := e.store.CreateReportExport(ctx, j); err != nil {
		return nil, err
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		last := 0.0
		data, err := build(ctx, func(f float64) {
			if f-last < exportProgressStep {
				return
			}
			last = f
			if err := e.store.SetReportExportProgress(ctx, j.ID, f); err != nil && ctx.Err() == nil {
				e.log.Warn("customer export progress", "export", j.ID, "err", err)
			}
		})
		if err != nil {
			e.log.Error("customer export", "export", j.ID, "err", err)
		}
		// Recorded even when the server is stopping, so that no page
		// shows the export running for ever.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if ferr := e.store.FinishReportExport(fctx, j.ID, data, err != nil); ferr != nil {
			e.log.Error("customer export: store the file", "export", j.ID, "err", ferr)
		}
	}()
	return j, nil
}

// find returns the owner's export if it has not expired; anyone else's is
// not found.
func (e *exportJobs) find(ctx context.Context, id string, owner int64, now time.Time) (*portal.ReportExport, error) {
	j, err := e.store.FindReportExport(ctx, id)
	if err != nil {
		return nil, err
	}
	if j.OwnerID != owner || now.Sub(j.CreatedAt) > exportTTL {
		return nil, portal.Errorf(portal.ENOTFOUND, "Export not found (exports are kept for an hour).")
	}
	return j, nil
}

// handleCustomerExportStart starts a background export of the list the
// query selects and shows its page.
func (s *Server) handleCustomerExportStart(c *fiber.Ctx) error {
	f, _, err := parseListFilter(c)
	if err != nil {
		return err
	}
	rep := s.analytics.Status().Report
	if rep == nil {
		return portal.Errorf(portal.ECONFLICT, "No analysis has finished yet; run it first.")
	}
	u := currentUser(c)
	all := rep.Select(f)
	name := listFileName(f)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-s.done:
		case <-ctx.Done():
		}
		cancel()
	}()
	j, err := s.exports.start(ctx, u.ID, name, s.now(), func(ctx context.Context, progress func(float64)) ([]byte, error) {
		defer cancel()
		var buf bytes.Buffer
		err := s.writeCustomerCSV(ctx, &buf, rep, all, progress)
		return buf.Bytes(), err
	})
	if err != nil {
		cancel()
		return err
	}
	s.audit(c, "analytics.export", "analytics", name, fmt.Sprintf("%d customers, in the background", len(all)))
	return c.Redirect("/reports/customers/exports/"+j.ID, fiber.StatusSeeOther)
}

// handleCustomerExportView shows an export's progress (as JSON for the
// page's script with ?format=json) and its download link when done.
func (s *Server) handleCustomerExportView(c *fiber.Ctx) error {
	j, err := s.exports.find(c.UserContext(), c.Params("id"), currentUser(c).ID, s.now())
	if err != nil {
		return err
	}
	if c.Query("format") == "json" {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(fiber.Map{"running": !j.Done, "progress": j.Progress, "failed": j.Failed})
	}
	return s.render(c, fiber.StatusOK, "report_export", "Export", fiber.Map{
		"ID": j.ID, "Name": j.Name, "Done": j.Done, "Failed": j.Failed, "Progress": int(math.Round(j.Progress * 100)),
	})
}

// handleCustomerExportDownload sends a finished export.
func (s *Server) handleCustomerExportDownload(c *fiber.Ctx) error {
	j, err := s.exports.find(c.UserContext(), c.Params("id"), currentUser(c).ID, s.now())
	if err != nil {
		return err
	}
	if !j.Done {
		return portal.Errorf(portal.ECONFLICT, "The export is not ready yet.")
	}
	if j.Failed {
		return portal.Errorf(portal.EINTERNAL, "The export failed.")
	}
	data, err := s.store.ReportExportData(c.UserContext(), j.ID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.csv"`, j.Name))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(data)
}
