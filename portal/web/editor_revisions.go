package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

func (s *Server) handleEditorRevisionList(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	ctx := c.UserContext()
	a, err := s.findArticle(ctx, id)
	if err != nil {
		return err
	}
	revs, err := s.store.FindArticleRevisions(ctx, a.ID)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "editor_revisions", "History: "+a.Title, fiber.Map{"Article": a, "Revisions": revs})
}

func (s *Server) handleEditorRevisionDiff(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	ctx := c.UserContext()
	a, err := s.findArticle(ctx, id)
	if err != nil {
		return err
	}
	from, to := c.QueryInt("from", a.Version-1), c.QueryInt("to", a.Version)
	if from > to {
		from, to = to, from
	}
	ra, err := s.store.FindArticleRevision(ctx, a.ID, max(from, 1))
	if err != nil {
		return err
	}
	rb, err := s.store.FindArticleRevision(ctx, a.ID, to)
	if err != nil {
		return err
	}
	lines := diffArticles(ra.Title, ra.Summary, ra.Body, rb.Title, rb.Summary, rb.Body)
	meta := []diffLine{}
	if ra.Status != rb.Status {
		meta = append(meta, diffLine{"-", "status: " + string(ra.Status)}, diffLine{"+", "status: " + string(rb.Status)})
	}
	if a, b := strings.Join(ra.Phrasings, " | "), strings.Join(rb.Phrasings, " | "); a != b {
		meta = append(meta, diffLine{"-", "phrasings: " + a}, diffLine{"+", "phrasings: " + b})
	}
	if a, b := strings.Join(ra.Tags, ", "), strings.Join(rb.Tags, ", "); a != b {
		meta = append(meta, diffLine{"-", "tags: " + a}, diffLine{"+", "tags: " + b})
	}
	return s.render(c, fiber.StatusOK, "editor_diff", fmt.Sprintf("Changes v%d → v%d", ra.Version, rb.Version),
		fiber.Map{"Article": a, "From": ra, "To": rb, "Lines": lines, "Meta": meta})
}

// handleEditorRevisionRestore saves an old version's content as a new
// version; the status stays, so restoring never publishes by surprise.
func (s *Server) handleEditorRevisionRestore(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	version, _ := strconv.Atoi(c.Params("version"))
	ctx := c.UserContext()
	a, err := s.findArticle(ctx, id)
	if err != nil {
		return err
	}
	rev, err := s.store.FindArticleRevision(ctx, a.ID, version)
	if err != nil {
		return err
	}
	rev.Apply(a)
	if v, err := strconv.Atoi(c.FormValue("version")); err == nil {
		a.Version = v // the version the editor was looking at
	}
	a.AuthorID = userID(c)
	if err := s.store.UpdateArticle(ctx, a, fmt.Sprintf("restored v%d", version)); err != nil {
		if portal.ErrorCode(err) == portal.ECONFLICT {
			s.setFlash(c, "error", portal.ErrorMessage(err))
			return c.Redirect(fmt.Sprintf("/editor/articles/%d/revisions", id), fiber.StatusSeeOther)
		}
		return err
	}
	s.syncIndex(c, a.ID)
	s.audit(c, "article.restore", "article", strconv.FormatInt(a.ID, 10), fmt.Sprintf("%s: v%d restored as v%d", a.Title, version, a.Version))
	s.setFlash(c, "ok", fmt.Sprintf("Version %d restored as version %d.", version, a.Version))
	return c.Redirect(fmt.Sprintf("/editor/articles/%d", id), fiber.StatusSeeOther)
}
