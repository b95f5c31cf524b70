package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestBrowserKnowledgeBase(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			for _, vp := range viewports {
				t.Run(vp.name+"/CustomerSearchesAsTheyTypeOpensAndVotes", func(t *testing.T) {
					p := b.newPage(t, srv, vp)
					p.visit("/help")
					p.run("type", chromedp.SendKeys(chromedp.ID("help-q"), "where is my pack"))
					p.waitText("#help-suggest", "How do I track my order?")
					p.check()
					p.submit(`#help-suggest a[href^="/help/articles/"]`)
					p.check()
					if h := p.text("main h1"); h != "How do I track my order?" {
						t.Fatalf("article heading %q", h)
					}
					if !strings.Contains(get(p, "ask link", chromedp.Evaluate[string](`document.querySelector('.ask a').getAttribute('href')`)), "/chat?q=where+is+my+pack") {
						t.Fatal("Ask us does not carry the question")
					}
					p.run("vote", chromedp.SendKeys(chromedp.ID("vote-comment"), "Clear, thanks"), chromedp.Click(chromedp.CSS(`[data-vote] button[value="yes"]`)))
					p.waitText("[data-vote-status]", "Thank you")
					p.check()
				})
			}
			t.Run("EditorWritesPreviewsPublishesAndRestores", func(t *testing.T) {
				p := b.newPage(t, srv, viewports[0])
				p.signIn("editor@example.com", "demo")
				p.visit("/editor/articles/new")
				p.run("write",
					chromedp.SendKeys(chromedp.ID("title"), "Can I recycle the packaging?"),
					chromedp.SendKeys(chromedp.ID("summary"), "Yes: our boxes are cardboard and go in paper recycling."),
					chromedp.SendKeys(chromedp.ID("body"), "All **cardboard** boxes recycle.\n\n<script>alert(1)</script>"),
					chromedp.SendKeys(chromedp.ID("phrasings"), "recycle box\nwhat to do with the box"),
				)
				p.waitText("#preview strong", "cardboard")
				if n := get(p, "scripts in preview", chromedp.Evaluate[int](`document.querySelectorAll('#preview script').length`)); n != 0 {
					t.Fatal("preview kept a script")
				}
				p.check()
				p.submit(`button[name="action"][value="publish"]`)
				p.waitText(".flash", "Article created")
				p.check()
				editURL := p.location()

				c := b.newPage(t, srv, viewports[0])
				c.visit("/help")
				c.run("type", chromedp.SendKeys(chromedp.ID("help-q"), "recycle packag"))
				c.waitText("#help-suggest", "Can I recycle the packaging?")

				// A second save, then restore the first version.
				p.run("edit summary", chromedp.Clear(chromedp.ID("summary")), chromedp.SendKeys(chromedp.ID("summary"), "Changed my mind."))
				p.submit(`button[name="action"][value="save"]`)
				p.waitText(".flash", "Version 2 saved")
				p.visit(editURL + "/revisions")
				p.submit(`button[aria-label="Restore version 1"]`)
				p.waitText(".flash", "Version 1 restored as version 3")
				if got := get(p, "summary", chromedp.Evaluate[string](`document.getElementById('summary').value`)); !strings.HasPrefix(got, "Yes: our boxes") {
					t.Fatalf("summary after restore %q", got)
				}
				p.check()
			})
		})
	}
}
