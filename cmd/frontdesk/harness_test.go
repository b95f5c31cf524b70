package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
)

// testServer is a running Main on a free loopback port with a temp data dir.
type testServer struct {
	*Main
	URL     string
	DataDir string
}

// MustStartServer starts Frontdesk with demo data on the given store kind
// ("sqlite" or "postgres") and stops it when the test ends. Options adjust
// the Main before it opens.
func MustStartServer(tb testing.TB, kind string, opts ...func(*Main)) *testServer {
	tb.Helper()
	dir := tb.TempDir()
	cfg := ConfigFromEnv(func(string) string { return "" })
	cfg.Addr, cfg.DataDir, cfg.Demo, cfg.LogLevel = "127.0.0.1:0", dir, "1", "warn"
	cfg.WebhookSecrets = map[string][]byte{"frontdesk": []byte(testWebhookSecret)}
	if kind == "postgres" {
		cfg.DatabaseURL = pgtest.URL(tb)
	}
	m := &Main{Config: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if testing.Verbose() {
		m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	for _, o := range opts {
		o(m)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		cancel()
		tb.Fatalf("start server: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(40 * time.Second):
			tb.Error("server did not stop within 40s")
		}
	})
	return &testServer{Main: m, URL: m.URL(), DataDir: dir}
}

const testWebhookSecret = "browser-test-webhook-secret"

// stores lists the store kinds tests run on.
var stores = []string{"sqlite", "postgres"}

// chromiumPath finds Chromium; under CI a missing browser fails the test.
func chromiumPath(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{os.Getenv("FRONTDESK_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("Chromium not found (install the chromium package): browser tests are required under CI")
	}
	tb.Skip("Chromium not found: set FRONTDESK_CHROMIUM or install chromium to run browser tests")
	return ""
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript returns axe-core's source: FRONTDESK_AXE_JS, the repo's
// node_modules, or an npm install into the user cache dir.
func axeScript(tb testing.TB) string {
	tb.Helper()
	axeOnce.Do(func() {
		candidates := []string{os.Getenv("FRONTDESK_AXE_JS"), "../../node_modules/axe-core/axe.min.js"}
		cache, _ := os.UserCacheDir()
		cacheDir := filepath.Join(cache, "frontdesk-axe")
		candidates = append(candidates, filepath.Join(cacheDir, "node_modules/axe-core/axe.min.js"))
		for _, p := range candidates {
			if p == "" {
				continue
			}
			if b, err := os.ReadFile(p); err == nil {
				axeSource = string(b)
				return
			}
		}
		os.MkdirAll(cacheDir, 0o755)
		out, err := exec.Command("npm", "install", "--no-audit", "--no-fund", "--prefix", cacheDir, "axe-core@4").CombinedOutput()
		if err != nil {
			axeErr = fmt.Errorf("npm install axe-core: %v: %s", err, out)
			return
		}
		b, err := os.ReadFile(candidates[len(candidates)-1])
		axeSource, axeErr = string(b), err
	})
	if axeErr != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("axe-core unavailable: %v", axeErr)
		}
		tb.Skipf("axe-core unavailable: %v", axeErr)
	}
	return axeSource
}

// viewport is a screen size a scenario runs at.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var viewports = []viewport{{"desktop", 1280, 900, false}, {"mobile", 390, 844, true}}

// browser is one headless Chromium with a fresh profile.
type browser struct {
	tb  testing.TB
	ctx context.Context
}

// MustBrowser starts Chromium; it is closed when the test ends.
func MustBrowser(tb testing.TB) *browser {
	tb.Helper()
	path := chromiumPath(tb)
	axeScript(tb)
	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil {
		cancelB()
		cancelA()
		tb.Fatalf("start chromium: %v", err)
	}
	tb.Cleanup(func() { cancelB(); cancelA() })
	return &browser{tb: tb, ctx: ctx}
}

// page is one tab at a viewport, tied to a subtest.
type page struct {
	t   *testing.T
	ctx context.Context
	srv *testServer
	vp  viewport
}

// newPage opens a tab in a fresh incognito-like context, so cookies are not
// shared between scenarios, and saves a screenshot if the test fails.
func (b *browser) newPage(t *testing.T, srv *testServer, vp viewport) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	p := &page{t: t, ctx: ctx, srv: srv, vp: vp}
	opts := []chromedp.EmulateViewportOption{}
	if vp.mobile {
		opts = append(opts, chromedp.EmulateScale(3), chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height, opts...)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			p.screenshot("failure")
		}
		cancelT()
		cancel()
	})
	return p
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// screenshot saves a full-page PNG under FRONTDESK_TEST_ARTIFACTS (default
// the system temp dir) and logs where.
func (p *page) screenshot(label string) string {
	dir := os.Getenv("FRONTDESK_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "frontdesk-screenshots")
	}
	os.MkdirAll(dir, 0o755)
	name := filepath.Join(dir, unsafeName.ReplaceAllString(p.t.Name()+"-"+label, "_")+".png")
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot failed: %v", err)
		return ""
	}
	if err := os.WriteFile(name, buf, 0o644); err == nil {
		p.t.Logf("screenshot: %s", name)
	}
	return name
}

// run performs actions, failing the test with the action's error.
func (p *page) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// get runs one action that returns a value.
func get[T any](p *page, what string, a chromedp.Action[T]) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, a)
	if err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// visit opens a path, waits for the page and checks it with axe-core.
func (p *page) visit(path string) {
	p.t.Helper()
	p.run("open "+path, chromedp.Navigate(p.srv.URL+path), chromedp.WaitReady(chromedp.CSS("body")))
	p.check()
}

// check runs the per-page checks: axe-core (serious and critical
// violations fail the test) and, on phones, no sideways scrolling.
func (p *page) check() {
	p.t.Helper()
	script := axeScript(p.t) + `;
axe.run(document, {resultTypes: ['violations']}).then(function (r) {
  return JSON.stringify(r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
    .map(function (v) { return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.html; })}; }));
});`
	out := get(p, "axe", chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	var violations []map[string]any
	if err := json.Unmarshal([]byte(out), &violations); err != nil {
		p.t.Fatalf("axe result %q: %v", out, err)
	}
	if len(violations) > 0 {
		loc, _ := chromedp.Run(p.ctx, chromedp.Location())
		p.t.Fatalf("axe-core: %d serious/critical violations on %s: %s", len(violations), loc, out)
	}
	if p.vp.mobile {
		overflow := get(p, "overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		if overflow {
			loc, _ := chromedp.Run(p.ctx, chromedp.Location())
			p.t.Fatalf("page %s scrolls sideways at %dpx", loc, p.vp.width)
		}
	}
}

// text returns the visible text of the first element matching sel.
func (p *page) text(sel string) string {
	p.t.Helper()
	return strings.TrimSpace(get(p, "text "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// waitText polls until sel contains want, up to the page deadline.
func (p *page) waitText(sel, want string) {
	p.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		cancel()
		if err == nil && strings.Contains(s, want) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s never contained %q (last %q, err %v)", sel, want, s, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *page) location() string {
	return strings.TrimPrefix(get(p, "location", chromedp.Location()), p.srv.URL)
}

// submit clicks a button that loads a new page and waits until the new
// document has replaced the old one.
func (p *page) submit(sel string) {
	p.t.Helper()
	p.run("mark page", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`window.__fdOld = true`)(ctx, t)
		return err
	}))
	p.run("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
		fresh, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__fdOld === undefined && document.readyState === 'complete'`))
		cancel()
		if err == nil && fresh {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("clicking %s loaded no new page (last err %v)", sel, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// openMenu shows the collapsed navigation on phones.
func (p *page) openMenu() {
	if p.vp.mobile {
		p.run("open menu", chromedp.Click(chromedp.CSS(".menu-toggle")), chromedp.WaitVisible(chromedp.ID("nav")))
	}
}

func portalUserFilterAll() portal.UserFilter { return portal.UserFilter{Limit: 1} }
