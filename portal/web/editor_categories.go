package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

func (s *Server) renderCategories(c *fiber.Ctx, status int, errMsg string) error {
	cats, err := s.store.FindCategories(c.UserContext())
	if err != nil {
		return err
	}
	return s.render(c, status, "editor_categories", "Categories", fiber.Map{"Categories": cats, "Names": categoryNames(cats), "Error": errMsg})
}

func (s *Server) handleEditorCategoryList(c *fiber.Ctx) error {
	return s.renderCategories(c, fiber.StatusOK, "")
}

func categoryFromForm(c *fiber.Ctx, cat *portal.Category) {
	cat.Name = strings.TrimSpace(c.FormValue("name"))
	cat.Slug = strings.TrimSpace(c.FormValue("slug"))
	cat.Position, _ = strconv.Atoi(c.FormValue("position"))
	cat.ParentID = nil
	if id, err := strconv.ParseInt(c.FormValue("parent_id"), 10, 64); err == nil && id > 0 {
		cat.ParentID = &id
	}
}

// categoryDone re-indexes (category paths are searchable) and redirects.
func (s *Server) categoryDone(c *fiber.Ctx, action string, cat *portal.Category, msg string) error {
	if err := s.kb.SyncAll(c.UserContext()); err != nil {
		s.log.Error("reindex after category change", "err", err)
	}
	s.audit(c, action, "category", strconv.FormatInt(cat.ID, 10), cat.Name)
	s.setFlash(c, "ok", msg)
	return c.Redirect("/editor/categories", fiber.StatusSeeOther)
}

func (s *Server) handleEditorCategoryCreate(c *fiber.Ctx) error {
	cat := &portal.Category{}
	categoryFromForm(c, cat)
	if err := s.store.CreateCategory(c.UserContext(), cat); err != nil {
		if portal.ErrorCode(err) == portal.EINVALID {
			return s.renderCategories(c, fiber.StatusBadRequest, portal.ErrorMessage(err))
		}
		return err
	}
	return s.categoryDone(c, "category.create", cat, fmt.Sprintf("Category %q added.", cat.Name))
}

func (s *Server) handleEditorCategoryUpdate(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	cat := &portal.Category{ID: id}
	categoryFromForm(c, cat)
	if err := s.store.UpdateCategory(c.UserContext(), cat); err != nil {
		if portal.ErrorCode(err) == portal.EINVALID {
			return s.renderCategories(c, fiber.StatusBadRequest, portal.ErrorMessage(err))
		}
		return err
	}
	return s.categoryDone(c, "category.update", cat, fmt.Sprintf("Category %q saved.", cat.Name))
}

func (s *Server) handleEditorCategoryDelete(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	if err := s.store.DeleteCategory(c.UserContext(), id); err != nil {
		if portal.ErrorCode(err) == portal.ECONFLICT {
			return s.renderCategories(c, fiber.StatusConflict, portal.ErrorMessage(err))
		}
		return err
	}
	return s.categoryDone(c, "category.delete", &portal.Category{ID: id, Name: c.FormValue("name")}, "Category deleted.")
}
