package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/web"
	productconfig "github.com/frontdesk/frontdesk/product-config"
)

// TestCatalogTooHardToCheck: publishing a catalogue the solver cannot
// decide within the budget (a pigeonhole: 13 options for 12 places)
// answers, within the budget, that it is too hard to check, instead of
// keeping a core busy (or giving a 500).
func TestCatalogTooHardToCheck(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv, err := web.New(web.TestConfig(t, web.Config{Store: s, ConfiguratorBudget: 300 * time.Millisecond}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		const pigeons, holes = 13, 12
		var b strings.Builder
		var cls []string
		for p := 0; p < pigeons; p++ {
			var c []string
			for h := 0; h < holes; h++ {
				c = append(c, fmt.Sprint(p*holes+h+1))
			}
			cls = append(cls, strings.Join(c, " ")+" 0")
		}
		for h := 0; h < holes; h++ {
			for p := 0; p < pigeons; p++ {
				for q := p + 1; q < pigeons; q++ {
					cls = append(cls, fmt.Sprintf("-%d -%d 0", p*holes+h+1, q*holes+h+1))
				}
			}
		}
		fmt.Fprintf(&b, "p cnf %d %d\n%s\n", pigeons*holes, len(cls), strings.Join(cls, "\n"))
		cat, err := productconfig.ParseDIMACS([]byte(b.String()), "pigeons")
		if err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(cat)
		p := &portal.Product{Slug: "pigeons", Name: "Pigeons"}
		if err := s.CreateProduct(ctx(), p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveDraft(ctx(), p.ID, string(js), "", "test"); err != nil {
			t.Fatal(err)
		}
		MustUser(t, s, portal.RoleEditor, "editor@example.com")
		ed := newClient(t, srv)
		ed.login("editor@example.com")
		page := ed.get("/editor/catalog/pigeons")
		wantStatus(t, page, 200)
		wantBody(t, page, "too hard to check")
		res := ed.post("/editor/catalog/pigeons/publish", url.Values{})
		if res.StatusCode != 400 || !strings.Contains(res.body, "too hard to check") {
			t.Fatalf("publish a pigeonhole: status %d; %.300s", res.StatusCode, res.body)
		}
	})
}
