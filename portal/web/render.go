package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/assets"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// renderer holds the parsed pages and the content hashes of static files.
type renderer struct {
	pages  map[string]*template.Template
	static map[string]staticFile
}

type staticFile struct {
	hash  string
	body  []byte
	ctype string
}

func newRenderer() (*renderer, error) {
	r := &renderer{pages: map[string]*template.Template{}, static: map[string]staticFile{}}
	err := fs.WalkDir(assets.Static(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets.Static(), p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		r.static[p] = staticFile{hash: hex.EncodeToString(sum[:])[:12], body: b, ctype: contentType(p)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: load static: %w", err)
	}
	funcs := template.FuncMap{
		"asset":     r.assetURL,
		"money":     formatMoney,
		"date":      func(z *time.Location, t time.Time) string { return t.In(z).Format("2 Jan 2006") },
		"datetime":  func(z *time.Location, t time.Time) string { return t.In(z).Format("2 Jan 2006, 15:04 MST") },
		"deref":     func(p *int64) int64 { return *p },
		"label":     func(v any) string { return portal.Label(fmt.Sprint(v)) },
		"eventTime": eventTime,
		"dec":       func(n int) int { return n - 1 },
		"inc":       func(n int) int { return n + 1 },
		"join":      strings.Join,
		"duration":  func(d time.Duration) string { return portal.HumanDuration(d) },
		// slug makes an id fragment of a name ("Can't lose them": "can-t-lose-them").
		"slug": func(v string) string {
			return strings.Trim(strings.Map(func(r rune) rune {
				if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
					return r
				}
				return '-'
			}, strings.ToLower(v)), "-")
		},
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"percent": func(f float64) string {
			if f <= 0 {
				return "–"
			}
			return fmt.Sprintf("%.0f%%", f*100)
		},
		"scoreField": func(name, label, value string) scoreField {
			return scoreField{Name: name, Label: label, Value: value, Options: []string{"1", "2", "3", "4", "5"}}
		},
	}
	base, err := template.New("").Funcs(funcs).ParseFS(assets.Templates(), "layout.html", "partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	names, _ := fs.Glob(assets.Templates(), "*.html")
	for _, n := range names {
		if n == "layout.html" || n == "partials.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(assets.Templates(), n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		r.pages[strings.TrimSuffix(n, ".html")] = t
	}
	return r, nil
}

// assetURL returns a static file's URL under its content hash, so it can be
// cached forever and still change on deploy.
func (r *renderer) assetURL(name string) (string, error) {
	f, ok := r.static[name]
	if !ok {
		return "", fmt.Errorf("unknown asset %q", name)
	}
	return "/static/" + f.hash + "/" + name, nil
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	}
	return "application/octet-stream"
}

// formatMoney renders minor units, e.g. 4660 EUR as "€46.60".
func formatMoney(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	sym := map[string]string{"EUR": "€", "USD": "$", "GBP": "£"}[currency]
	units := fmt.Sprintf("%d", minor/100)
	// Thousands separators.
	for i := len(units) - 3; i > 0; i -= 3 {
		units = units[:i] + "," + units[i:]
	}
	if sym == "" {
		return fmt.Sprintf("%s%s.%02d %s", sign, units, minor%100, currency)
	}
	return fmt.Sprintf("%s%s%s.%02d", sign, sym, units, minor%100)
}

// navItem is one link in the main navigation.
type navItem struct {
	Href, Label string
	Current     bool
	// Alerts marks the staff's case link, which shows the unread alert
	// count (Unread), kept current by the agent console.
	Alerts bool
	Unread int
}

// flash is a one-time message shown after a redirect.
type flash struct {
	Kind, Message string
}

// view is what every page template receives.
type view struct {
	Title string
	User  *portal.User
	CSRF  string
	Nav   []navItem
	Flash *flash
	Zone  *time.Location
	Data  any
	// BodyLimit is what one request may carry in all, uploads
	// included; forms with files tell the page's script and the reader.
	BodyLimit int
}

// BodyLimitText is the body limit in human words, e.g. "1.0 MB".
func (v view) BodyLimitText() string { return fmt.Sprintf("%.1f MB", float64(v.BodyLimit)/1e6) }

func navFor(u *portal.User, current string) []navItem {
	var items []navItem
	add := func(href, label string) {
		items = append(items, navItem{Href: href, Label: label, Current: current == href || strings.HasPrefix(current, href+"/")})
	}
	if u == nil {
		add("/track", "Track an order")
		add("/help", "Help")
		add("/configure", "Configure")
		add("/contact", "Contact us")
		return items
	}
	switch u.Role {
	case portal.RoleCustomer:
		add("/account", "Your account")
		add("/account/history", "History")
		add("/track", "Track an order")
		add("/configure", "Configure")
		add("/account/quotes", "Quotes")
		add("/account/chats", "Your chats")
		add("/account/cases", "Your cases")
		add("/contact", "Contact us")
	case portal.RoleAgent:
		add("/agent", "Chats")
		add("/agent/returns", "Returns")
		add("/agent/cases", "Cases")
		add("/staff/customers", "Customers")
	case portal.RoleEditor:
		add("/editor/articles", "Articles")
		add("/editor/gaps", "Content gaps")
		add("/editor/catalog", "Catalogue")
		add("/staff/customers", "Customers")
	case portal.RoleManager:
		add("/reports/customers", "Customer analytics")
		add("/reports/customers/list", "Customer lists")
		add("/reports/support", "Support report")
		add("/agent/cases", "Cases")
		add("/staff/customers", "Customers")
	case portal.RoleAdmin:
		add("/agent", "Chats")
		add("/agent/returns", "Returns")
		add("/admin/returns", "Returns rules")
		add("/agent/cases", "Cases")
		add("/admin/cases", "Case settings")
		add("/admin/chat", "Chat settings")
		add("/staff/customers", "Customers")
		add("/editor/articles", "Articles")
		add("/editor/gaps", "Content gaps")
		add("/editor/catalog", "Catalogue")
		add("/admin/staff", "Staff")
		add("/admin/audit", "Audit log")
		add("/admin/tokens", "API tokens")
		add("/admin/webhooks", "Webhooks")
		add("/reports/customers", "Customer analytics")
		add("/reports/support", "Support report")
	}
	add("/help", "Help")
	// Only the most specific match is current: on /account/quotes that is
	// "Quotes", not "Your account" as well.
	best := -1
	for i, it := range items {
		if it.Current && (best < 0 || len(it.Href) > len(items[best].Href)) {
			best = i
		}
	}
	for i := range items {
		items[i].Current = i == best
	}
	return items
}

// render writes a page with the layout.
func (s *Server) render(c *fiber.Ctx, status int, page, title string, data any) error {
	b, _, err := s.renderPage(c, page, title, data)
	if err != nil {
		return err
	}
	return s.sendPage(c, status, b)
}

// renderPage renders a page for the current request. oneTime reports that
// it shows something meant for this response only (a flash message), so it
// must not be reused.
func (s *Server) renderPage(c *fiber.Ctx, page, title string, data any) (b []byte, oneTime bool, err error) {
	t, ok := s.pages.pages[page]
	if !ok {
		return nil, false, fmt.Errorf("web: no page %q", page)
	}
	u := currentUser(c)
	v := view{Title: title, User: u, CSRF: s.csrfToken(c), Nav: navFor(u, c.Path()), Flash: s.takeFlash(c), Zone: zoneOf(u), Data: data, BodyLimit: s.cfg.BodyLimit}
	s.navAlerts(c, v.Nav)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, false, fmt.Errorf("web: render %s: %w", page, err)
	}
	return buf.Bytes(), v.Flash != nil, nil
}

// navAlerts puts the unread alert count on the staff's case link.
func (s *Server) navAlerts(c *fiber.Ctx, nav []navItem) {
	unread := -1
	for i := range nav {
		if nav[i].Href != "/agent/cases" {
			continue
		}
		if unread < 0 {
			_, n, err := s.store.FindStaffNotifications(c.UserContext(), currentUser(c).ID, 1)
			if err != nil {
				s.log.Warn("navigation: unread alerts", "err", err)
			}
			unread = n
		}
		nav[i].Alerts, nav[i].Unread = true, unread
	}
}

// sendPage sends a rendered page.
func (s *Server) sendPage(c *fiber.Ctx, status int, b []byte) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	return c.Status(status).Send(b)
}

// zones caches loaded time zones: LoadLocation reads the zone database
// from disk on every call.
var zones sync.Map

// formatDate is how pages and live updates write a date.
func formatDate(z *time.Location, t time.Time) string { return t.In(z).Format("2 Jan 2006") }

func zoneOf(u *portal.User) *time.Location {
	if u == nil || u.TimeZone == "" {
		return time.UTC
	}
	if z, ok := zones.Load(u.TimeZone); ok {
		return z.(*time.Location)
	}
	z, err := time.LoadLocation(u.TimeZone)
	if err != nil {
		return time.UTC
	}
	zones.Store(u.TimeZone, z)
	return z
}

func (s *Server) handleStatic(c *fiber.Ctx) error {
	f, ok := s.pages.static[c.Params("name")]
	if !ok {
		return portal.Errorf(portal.ENOTFOUND, "File not found.")
	}
	if c.Params("hash") == f.hash {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	c.Set(fiber.HeaderContentType, f.ctype)
	return c.Send(f.body)
}
