package web

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

type historyPage struct {
	Items template.HTML // the rendered list and pager, see historyItems
	Kind  string
	Kinds []string
}

// historyList is what the "history_items" template renders.
type historyList struct {
	Items []*portal.HistoryItem
	Pager *pager
	Zone  any
	Empty string
}

// handleHistoryList shows everything the customer has done with us in one
// timeline, filterable by kind.
func (s *Server) handleHistoryList(c *fiber.Ctx) error {
	kind := c.Query("kind")
	var kinds []string
	if kind != "" {
		valid := false
		for _, k := range portal.HistoryKinds {
			valid = valid || k == kind
		}
		if !valid {
			return portal.Errorf(portal.EINVALID, "Unknown kind %q.", kind)
		}
		kinds = []string{kind}
	}
	empty := "Nothing here yet: your orders, invoices, parcels, chats and quotes will show up here."
	if kind != "" {
		empty = "Nothing of this kind yet."
	}
	items, err := s.historyItems(c, kinds, empty)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "history", "Your history", historyPage{Items: items, Kind: kind, Kinds: portal.HistoryKinds})
}

// historyItems renders a page of the customer's timeline (list and pager).
// Rendered pages are cached per customer under the customer's history
// version, which the store moves in the same transaction as any change to
// the history, on any node; so a cached page is served only while it is
// exactly what the store would give, and costs one indexed read.
func (s *Server) historyItems(c *fiber.Ctx, kinds []string, empty string) (template.HTML, error) {
	ctx := c.UserContext()
	u := currentUser(c)
	version, err := s.store.HistoryVersion(ctx, u.ID)
	if err != nil {
		return "", err
	}
	zone := zoneOf(u)
	key := historyKey{customer: u.ID, url: c.Path() + "?" + string(c.Context().QueryArgs().QueryString()), zone: zone.String()}
	if html, ok := s.historyCache.get(key, version); ok {
		return html, nil
	}
	page := pageParam(c)
	items, total, err := s.store.FindHistory(ctx, portal.HistoryFilter{CustomerID: u.ID, Kinds: kinds, Limit: perPage, Offset: (page - 1) * perPage})
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	list := historyList{Items: items, Pager: newPager(c, page, perPage, total), Zone: zone, Empty: empty}
	if err := s.pages.pages["history"].ExecuteTemplate(&buf, "history_items", list); err != nil {
		return "", err
	}
	html := template.HTML(buf.String())
	s.historyCache.put(key, version, html)
	return html, nil
}

// historyKey identifies a rendered history page: the customer, the URL
// (filter and page) and the time zone dates are shown in.
type historyKey struct {
	customer int64
	url      string
	zone     string
}

type historyEntry struct {
	version int64
	html    template.HTML
}

// historyCache holds rendered history pages, bounded: when full, an
// arbitrary eighth of the entries is dropped.
type historyCache struct {
	mu      sync.Mutex
	max     int
	entries map[historyKey]historyEntry
}

func newHistoryCache(max int) *historyCache {
	return &historyCache{max: max, entries: make(map[historyKey]historyEntry)}
}

func (hc *historyCache) get(k historyKey, version int64) (template.HTML, bool) {
	if hc == nil || hc.max <= 0 {
		return "", false
	}
	hc.mu.Lock()
	e, ok := hc.entries[k]
	hc.mu.Unlock()
	return e.html, ok && e.version == version
}

func (hc *historyCache) put(k historyKey, version int64, html template.HTML) {
	if hc == nil || hc.max <= 0 || len(k.url) > 512 {
		return
	}
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if _, ok := hc.entries[k]; !ok && len(hc.entries) >= hc.max {
		drop := max(1, hc.max/8)
		for old := range hc.entries {
			delete(hc.entries, old)
			if drop--; drop == 0 {
				break
			}
		}
	}
	hc.entries[k] = historyEntry{version: version, html: html}
}

// len reports the number of cached pages (for tests and metrics).
func (hc *historyCache) len() int {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	return len(hc.entries)
}
