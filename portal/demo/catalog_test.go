package demo

import (
	"context"
	"strings"
	"testing"

	productconfig "github.com/frontdesk/frontdesk/product-config"
)

func TestProductsPublishable(t *testing.T) {
	products, err := Products()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(products), 2; got != want {
		t.Fatalf("%d products, want %d", got, want)
	}
	for _, p := range products {
		rep, err := productconfig.CheckCatalog(context.Background(), p.Catalog)
		if err != nil {
			t.Fatalf("%s: %v", p.Slug, err)
		}
		if !rep.Valid {
			t.Fatalf("%s: no valid configuration: %s", p.Slug, rep.ConflictText)
		}
		if len(rep.Dead) > 0 {
			t.Logf("%s: dead options %v", p.Slug, rep.Dead)
		}
	}
}

func TestBikeUsesEveryRuleKind(t *testing.T) {
	products, err := Products()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[productconfig.RuleKind]bool{}
	for _, r := range products[1].Catalog.Rules {
		kinds[r.Kind] = true
	}
	for _, k := range []productconfig.RuleKind{productconfig.RuleRequires, productconfig.RuleExcludes, productconfig.RuleCompat,
		productconfig.RuleCardinality, productconfig.RuleResource, productconfig.RuleFormula} {
		if !kinds[k] {
			t.Errorf("bike has no %s rule", k)
		}
	}
	if len(products[1].Catalog.PriceRules) == 0 || len(products[1].Catalog.Defaults) == 0 {
		t.Error("bike has no price rules or defaults")
	}
}

func TestPCReasonUsesReadableLabel(t *testing.T) {
	products, err := Products()
	if err != nil {
		t.Fatal(err)
	}
	e, err := productconfig.Compile(products[0].Catalog)
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.Evaluate(context.Background(), []productconfig.Choice{{Option: "msi-gaming-x-11g"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range st.Options {
		if o.ID == "vs450" {
			if o.Available || o.Reason == nil || !strings.Contains(o.Reason.Text, "500 W or more") {
				t.Fatalf("vs450 state %+v, want disabled with the power-supply rule's label", o)
			}
			t.Logf("reason: %s", o.Reason.Text)
			return
		}
	}
	t.Fatal("no option vs450")
}
