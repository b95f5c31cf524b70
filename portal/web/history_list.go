package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

type historyPage struct {
	Items []*portal.HistoryItem
	Kind  string
	Kinds []string
	Pager *pager
}

// handleHistoryList shows everything the customer has done with us in one
// timeline, filterable by kind.
func (s *Server) handleHistoryList(c *fiber.Ctx) error {
	u := currentUser(c)
	kind := c.Query("kind")
	f := portal.HistoryFilter{CustomerID: u.ID, Limit: perPage}
	if kind != "" {
		valid := false
		for _, k := range portal.HistoryKinds {
			valid = valid || k == kind
		}
		if !valid {
			return portal.Errorf(portal.EINVALID, "Unknown kind %q.", kind)
		}
		f.Kinds = []string{kind}
	}
	page := pageParam(c)
	f.Offset = (page - 1) * perPage
	items, total, err := s.store.FindHistory(c.UserContext(), f)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "history", "Your history", historyPage{Items: items, Kind: kind, Kinds: portal.HistoryKinds, Pager: newPager(c, page, perPage, total)})
}
