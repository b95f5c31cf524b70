package main

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/search"
)

// TestBrowserEditorThreshold: an editor tries a hand-off threshold on the
// questions asked so far, uses it (the bot then decides with it), and
// resets it to the fitted value, at desktop size and at 360 px, with axe
// on every page.
func TestBrowserEditorThreshold(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			srv := MustStartServer(t, kind)
			ctx := context.Background()
			for _, q := range []string{"How long does a refund take?", "Do you sell violins?"} {
				if err := srv.Store.RecordSearch(ctx, &portal.SearchLogEntry{Query: q, Locale: "en"}); err != nil {
					t.Fatal(err)
				}
			}
			// The German knowledge base's page replays its own question only.
			if err := srv.Store.RecordSearch(ctx, &portal.SearchLogEntry{Query: "Wie lange dauert eine Erstattung?", Locale: "de"}); err != nil {
				t.Fatal(err)
			}
			decide := func() search.Decision {
				t.Helper()
				r, err := srv.KB.Retrieve(ctx, search.Question{Text: "How do I return an item?"})
				if err != nil {
					t.Fatal(err)
				}
				return r.Decision
			}
			b := MustBrowser(t)
			for _, vp := range []viewport{viewports[0], phone360} {
				t.Run(vp.name, func(t *testing.T) {
					p := b.newPage(t, srv, vp)
					p.signIn("editor@example.com", "demo")
					p.visit("/editor/threshold")
					p.waitText("#threshold-result", "of the 2 different questions")
					p.run("type 1", chromedp.SetValue(chromedp.ID("threshold"), "1"))
					p.submit("#threshold-preview")
					p.waitText("#threshold-result", "would have answered 0 and handed 2 to a person")
					p.check()
					p.submit("#threshold-use")
					p.waitText(".flash", "The bot now answers at a confidence of 100% or more.")
					p.check()
					if got := decide(); got != search.DecisionHandoff {
						t.Errorf("at 100%%: the bot decides %s, want handoff", got)
					}
					p.submit("#threshold-reset")
					p.waitText(".flash", "fitted threshold again")
					p.check()
					if got := decide(); got != search.DecisionAnswer {
						cur, fitted, chosen := srv.KB.Threshold("en")
						r, _ := srv.KB.Retrieve(ctx, search.Question{Text: "How do I return an item?"})
						t.Errorf("after reset: the bot decides %s, want answer (threshold %.3f, fitted %.3f, chosen %v; %+v)", got, cur, fitted, chosen, r)
					}
					p.visit("/editor/threshold?locale=de")
					p.waitText("#threshold-result", "of the 1 different question customers asked")
					p.check()
				})
			}
		})
	}
}
