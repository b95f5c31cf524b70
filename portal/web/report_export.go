package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// Exports of long customer lists run in the background: the manager gets a
// page with the export's progress and a download link when it is ready,
// and no request waits for the whole list.

// exportJob is one background export; only its owner may see it.
type exportJob struct {
	id      string
	owner   int64
	name    string
	created time.Time

	mu       sync.Mutex
	progress float64
	done     bool
	err      error
	data     []byte
}

func (j *exportJob) status() (progress float64, done bool, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.progress, j.done, j.err
}

// exportJobs holds recent exports for an hour.
type exportJobs struct {
	mu   sync.Mutex
	jobs map[string]*exportJob
}

const (
	exportTTL       = time.Hour
	exportsPerOwner = 5
)

func newExportJobs() *exportJobs { return &exportJobs{jobs: map[string]*exportJob{}} }

// start runs build in the background for owner; too many exports of the
// owner's at once is ECONFLICT.
func (e *exportJobs) start(ctx context.Context, owner int64, name string, now time.Time, build func(ctx context.Context, progress func(float64)) ([]byte, error)) (*exportJob, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	mine := 0
	for id, j := range e.jobs {
		if now.Sub(j.created) > exportTTL {
			delete(e.jobs, id)
			continue
		}
		if j.owner == owner {
			mine++
		}
	}
	if mine >= exportsPerOwner {
		return nil, portal.Errorf(portal.ECONFLICT, "You have %d recent exports; wait for them to expire (an hour) before starting more.", exportsPerOwner)
	}
	b := make([]byte, 12)
	rand.Read(b)
	j := &exportJob{id: hex.EncodeToString(b), owner: owner, name: name, created: now}
	e.jobs[j.id] = j
	go func() {
		data, err := build(ctx, func(f float64) {
			j.mu.Lock()
			j.progress = f
			j.mu.Unlock()
		})
		j.mu.Lock()
		j.done, j.err, j.data, j.progress = true, err, data, 1
		j.mu.Unlock()
	}()
	return j, nil
}

// find returns the owner's job; anyone else's is not found.
func (e *exportJobs) find(id string, owner int64) (*exportJob, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if j, ok := e.jobs[id]; ok && j.owner == owner {
		return j, nil
	}
	return nil, portal.Errorf(portal.ENOTFOUND, "Export not found (exports are kept for an hour).")
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
	return c.Redirect("/reports/customers/exports/"+j.id, fiber.StatusSeeOther)
}

// handleCustomerExportView shows an export's progress (as JSON for the
// page's script with ?format=json) and its download link when done.
func (s *Server) handleCustomerExportView(c *fiber.Ctx) error {
	j, err := s.exports.find(c.Params("id"), currentUser(c).ID)
	if err != nil {
		return err
	}
	progress, done, jerr := j.status()
	if c.Query("format") == "json" {
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(fiber.Map{"running": !done, "progress": progress, "failed": jerr != nil})
	}
	if jerr != nil {
		s.log.Error("customer export", "err", jerr)
	}
	return s.render(c, fiber.StatusOK, "report_export", "Export", fiber.Map{
		"ID": j.id, "Name": j.name, "Done": done, "Failed": jerr != nil, "Progress": int(math.Round(progress * 100)),
	})
}

// handleCustomerExportDownload sends a finished export.
func (s *Server) handleCustomerExportDownload(c *fiber.Ctx) error {
	j, err := s.exports.find(c.Params("id"), currentUser(c).ID)
	if err != nil {
		return err
	}
	_, done, jerr := j.status()
	if !done {
		return portal.Errorf(portal.ECONFLICT, "The export is not ready yet.")
	}
	if jerr != nil {
		return portal.Errorf(portal.EINTERNAL, "The export failed.")
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.csv"`, j.name))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(j.data)
}
