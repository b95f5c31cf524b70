package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/kb"
)

// TestBrowserEditorImport: an editor uploads the demo FAQ's own export on
// the import page (script path: progress, then the result in place) and
// nothing changes; a broken file is refused line by line. axe runs on the
// page each time.
func TestBrowserEditorImport(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			dir := t.TempDir()
			var buf bytes.Buffer
			n, err := kb.Export(context.Background(), srv.Store, &buf, kb.FormatCSV, portal.ArticleFilter{})
			if err != nil || n == 0 {
				t.Fatalf("export: %d %v", n, err)
			}
			good := filepath.Join(dir, "faq.csv")
			bad := filepath.Join(dir, "broken.jsonl")
			os.WriteFile(good, buf.Bytes(), 0o644)
			os.WriteFile(bad, []byte("{\"id\":\"x\",\"title\":\n"), 0o644)
			b := MustBrowser(t)
			for _, vp := range viewports {
				t.Run(vp.name, func(t *testing.T) {
					p := b.newPage(t, srv, vp)
					p.signIn("editor@example.com", "demo")
					p.visit("/editor/articles/transfer")
					p.run("choose file", chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{good}))
					p.run("import", chromedp.Click(chromedp.CSS(`form[data-import] button[type=submit]`)))
					p.waitText("#import-result", "0 new, 0 updated")
					if loc := p.location(); !strings.HasSuffix(loc, "/editor/articles/transfer") {
						t.Fatalf("the script did not import in place: at %s", loc)
					}
					if v := get(p, "progress", chromedp.Evaluate[int](`document.getElementById('import-progress').value`)); v != 100 {
						t.Fatalf("progress %d after the upload", v)
					}
					p.check()
					p.run("choose broken file", chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{bad}))
					p.run("import again", chromedp.Click(chromedp.CSS(`form[data-import] button[type=submit]`)))
					p.waitText("#import-result", "Line 1: not a valid article object")
					p.check()
				})
			}
		})
	}
}
