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
	return s.historyPage(c, kinds, empty, "history", "Your history", func(items template.HTML) any {
		return historyPage{Items: items, Kind: kind, Kinds: portal.HistoryKinds}
	})
}

// historyPage renders a page showing a page of the customer's timeline
// (kinds, empty for all; the list and pager as data's items).
//
// Rendered pages are cached per customer under the customer's history
// version, which the store moves in the same transaction as any change to
// the history, on any node: a cached page is served only while it is
// exactly what rendering would give, checked with one indexed read. The
// whole page is reused for the same session (its CSRF token), the same
// account details shown in the header and no flash message; otherwise only
// the list is.
func (s *Server) historyPage(c *fiber.Ctx, kinds []string, empty, page, title string, data func(items template.HTML) any) error {
	ctx := c.UserContext()
	u := currentUser(c)
	zone := zoneOf(u)
	key := historyKey{customer: u.ID, url: c.Path() + "?" + string(c.Context().QueryArgs().QueryString()), zone: zone.String()}
	shell := s.csrfToken(c) + "\x00" + u.Email + "\x00" + string(u.Role)
	var e historyEntry
	hit := false
	// With a page in the cache, one read of the version tells whether it
	// is current; without, the page and its version are read together.
	if s.historyCache.has(key) {
		version, err := s.store.HistoryVersion(ctx, u.ID)
		if err != nil {
			return err
		}
		e, hit = s.historyCache.get(key, version)
		if hit && e.page != nil && e.shell == shell && c.Cookies(flashCookie) == "" {
			c.Set(historyCacheHeader, "hit")
			return s.sendPage(c, fiber.StatusOK, e.page)
		}
	}
	// Says how the page was made, for benchmarks and operators: "hit"
	// (the whole page reused), "list" (the list reused, the page around
	// it rendered) or "miss" (queried and rendered).
	c.Set(historyCacheHeader, "list")
	if !hit {
		c.Set(historyCacheHeader, "miss")
		n := pageParam(c)
		items, total, version, err := s.store.FindHistoryWithVersion(ctx, portal.HistoryFilter{CustomerID: u.ID, Kinds: kinds, Limit: perPage, Offset: (n - 1) * perPage})
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		list := historyList{Items: items, Pager: newPager(c, n, perPage, total), Zone: zone, Empty: empty}
		if err := renderHistoryItems(&buf, s.pages.pages[page], list); err != nil {
			return err
		}
		e = historyEntry{version: version, items: template.HTML(buf.String())}
	}
	b, oneTime, err := s.renderPage(c, page, title, data(e.items))
	if err != nil {
		return err
	}
	e.page, e.shell = nil, ""
	if !oneTime {
		e.page, e.shell = b, shell
	}
	s.historyCache.put(key, e)
	return s.sendPage(c, fiber.StatusOK, b)
}

// historyCacheHeader tells how a history page was made.
const historyCacheHeader = "X-Frontdesk-History-Cache"

// historyKey identifies a rendered history page: the customer, the URL
// (filter and page) and the time zone dates are shown in.
type historyKey struct {
	customer int64
	url      string
	zone     string
}

type historyEntry struct {
	version int64
	items   template.HTML // the rendered list and pager
	shell   string        // what the whole page was rendered for
	page    []byte        // the whole page
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

// has reports whether a page is kept for k (at whatever version).
func (hc *historyCache) has(k historyKey) bool {
	if hc == nil || hc.max <= 0 {
		return false
	}
	hc.mu.Lock()
	_, ok := hc.entries[k]
	hc.mu.Unlock()
	return ok
}

// get returns the entry for k if it was rendered at this version.
func (hc *historyCache) get(k historyKey, version int64) (historyEntry, bool) {
	if hc == nil || hc.max <= 0 {
		return historyEntry{}, false
	}
	hc.mu.Lock()
	e, ok := hc.entries[k]
	hc.mu.Unlock()
	if !ok || e.version != version {
		return historyEntry{}, false
	}
	return e, true
}

func (hc *historyCache) put(k historyKey, e historyEntry) {
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
	hc.entries[k] = e
}

// len reports the number of cached pages (for tests and metrics).
func (hc *historyCache) len() int {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	return len(hc.entries)
}
