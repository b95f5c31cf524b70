package web

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/kb"
	"github.com/gofiber/fiber/v2"
)

// editorArticleFilter reads the editors' article filter (search, status,
// category, locale) from the query string.
func editorArticleFilter(c *fiber.Ctx) portal.ArticleFilter {
	f := portal.ArticleFilter{Query: strings.TrimSpace(c.Query("q")), Locale: c.Query("locale")}
	f.Query = portal.Truncate(f.Query, 200)
	if st := portal.ArticleStatus(c.Query("status")); st.Valid() {
		f.Status = &st
	}
	if id, err := strconv.ParseInt(c.Query("category"), 10, 64); err == nil {
		f.CategoryID = &id
	}
	return f
}

type transferPage struct {
	Result     *kb.ImportResult
	Lines      []kb.LineError
	Error      string
	FileName   string
	Categories []*portal.Category
	Names      map[int64]string
	Statuses   []portal.ArticleStatus
	// MaxUpload is the largest file the server accepts, in words.
	MaxUpload string
}

func (s *Server) transferPage(c *fiber.Ctx, status int, p transferPage) error {
	cats, err := s.store.FindCategories(c.UserContext())
	if err != nil {
		return err
	}
	p.Categories, p.Names = cats, categoryNames(cats)
	p.Statuses = []portal.ArticleStatus{portal.ArticleDraft, portal.ArticleInReview, portal.ArticlePublished, portal.ArticleArchived}
	// Requests are capped as a whole (BodyLimit), uploads included.
	p.MaxUpload = fmt.Sprintf("%.1f MB", float64(s.cfg.BodyLimit)/1e6)
	return s.render(c, status, "editor_transfer", "Import and export articles", p)
}

// handleEditorTransfer shows the import form and the export choices.
func (s *Server) handleEditorTransfer(c *fiber.Ctx) error {
	return s.transferPage(c, fiber.StatusOK, transferPage{})
}

// handleEditorExport downloads the articles the filter selects (all by
// default) as JSON Lines or CSV, in the format kb import reads back.
func (s *Server) handleEditorExport(c *fiber.Ctx) error {
	format := c.Query("format", kb.FormatJSONL)
	if format != kb.FormatJSONL && format != kb.FormatCSV {
		return portal.FieldError("format", "Choose JSON Lines or CSV.")
	}
	var buf bytes.Buffer
	n, err := kb.Export(c.UserContext(), s.store, &buf, format, editorArticleFilter(c))
	if err != nil {
		return err
	}
	ctype := "application/x-ndjson; charset=utf-8"
	if format == kb.FormatCSV {
		ctype = "text/csv; charset=utf-8"
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="articles-%s.%s"`, s.now().UTC().Format("20060102-150405"), format))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Article-Count", strconv.Itoa(n))
	return c.Send(buf.Bytes())
}

// handleEditorImport imports an uploaded JSON Lines or CSV file: all of
// it, or, when any line is broken or invalid, nothing, with every such
// line named. The page's script uploads with progress and asks for JSON.
func (s *Server) handleEditorImport(c *fiber.Ctx) error {
	wantJSON := strings.Contains(c.Get(fiber.HeaderAccept), "application/json")
	fail := func(status int, p transferPage) error {
		if wantJSON {
			return c.Status(status).JSON(fiber.Map{"error": p.Error, "lines": p.Lines, "file": p.FileName})
		}
		return s.transferPage(c, status, p)
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return fail(fiber.StatusBadRequest, transferPage{Error: "Choose a JSON Lines (.jsonl) or CSV (.csv) file to import."})
	}
	p := transferPage{FileName: fh.Filename}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := kb.Import(c.UserContext(), s.store, f, kb.FormatOf(c.FormValue("format"), fh.Filename), userID(c))
	var le *kb.LinesError
	switch {
	case errors.As(err, &le):
		p.Error, p.Lines = fmt.Sprintf("Nothing was imported: %d line%s of %s need%s fixing.", len(le.Lines), plural(len(le.Lines)), fh.Filename, map[bool]string{true: "s"}[len(le.Lines) == 1]), le.Lines
		return fail(fiber.StatusUnprocessableEntity, p)
	case portal.ErrorCode(err) == portal.EINVALID:
		p.Error = portal.ErrorMessage(err)
		return fail(fiber.StatusBadRequest, p)
	case err != nil:
		return err
	}
	if len(res.Articles) > 0 {
		s.syncIndex(c, res.Articles...)
	}
	s.audit(c, "article.import", "article", "", fmt.Sprintf("%s: %d new, %d updated, %d unchanged", fh.Filename, res.Created, res.Updated, res.Unchanged))
	if wantJSON {
		return c.JSON(fiber.Map{"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged, "file": fh.Filename})
	}
	p.Result = &res
	return s.transferPage(c, fiber.StatusOK, p)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
