package demo

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/frontdesk/frontdesk/portal"
	productconfig "github.com/frontdesk/frontdesk/product-config"
)

// The PC model is the real build-to-order configurator from the
// SoftVarE-Group feature-model benchmark (MIT, see the LICENSE file beside it).
//
//go:embed catalog
var catalogFiles embed.FS

// PCModelFile is the embedded path of the PC model, FeatureIDE XML.
const PCModelFile = "catalog/pc-richmond__Sprey2020.xml"

// PCModel returns the PC model's FeatureIDE XML.
func PCModel() []byte {
	b, err := catalogFiles.ReadFile(PCModelFile)
	if err != nil {
		panic(err) // embedded at build time
	}
	return b
}

// pcLabels gives the PC model's cross-tree rules readable labels: the
// FeatureIDE file has none, and a generated label lists every feature.
var pcLabels = map[string]string{
	"constraint-1": "a high-end graphics card needs a power supply of 500 W or more",
	"constraint-2": "an overclocked i7 needs a high-performance cooler",
	"constraint-3": "a four-module RAM kit needs a Z270 mainboard",
	"constraint-4": "a 280 mm or 360 mm water cooler needs a large case",
	"constraint-5": "an ATX mainboard needs a case with room for it",
	"constraint-6": "a large cooler needs a case with room for it",
}

// Product is one demo product with its catalogue.
type Product struct {
	Slug, Name, Summary string
	Catalog             *productconfig.Catalog
}

// Products returns the demo configurable products: the real PC model with
// readable labels on its key rules, and a hand-written bike that uses
// every rule kind.
func Products() ([]Product, error) {
	pc, err := productconfig.ParseFeatureIDE(PCModel())
	if err != nil {
		return nil, fmt.Errorf("demo: pc model: %w", err)
	}
	pc.Name = "Richmond custom PC"
	for i := range pc.Rules {
		if l, ok := pcLabels[pc.Rules[i].ID]; ok {
			pc.Rules[i].Label = l
		}
	}
	b, err := catalogFiles.ReadFile("catalog/bike.json")
	if err != nil {
		return nil, fmt.Errorf("demo: bike: %w", err)
	}
	bike, err := productconfig.ParseCatalog(b)
	if err != nil {
		return nil, fmt.Errorf("demo: bike: %w", err)
	}
	return []Product{
		{Slug: "custom-pc", Name: pc.Name, Summary: "Build your own desktop PC: processor, graphics, memory, storage, case, cooling and peripherals.", Catalog: pc},
		{Slug: "trail-bike", Name: bike.Name, Summary: "A hand-built trail bike: frame, size, tyres, colour, optional electric assist and accessories.", Catalog: bike},
	}, nil
}

func seedCatalogs(ctx context.Context, s Store, n *Counts) error {
	products, err := Products()
	if err != nil {
		return err
	}
	for _, dp := range products {
		p := &portal.Product{Slug: dp.Slug, Name: dp.Name, Summary: dp.Summary}
		if err := s.CreateProduct(ctx, p); err != nil {
			return fmt.Errorf("demo: product %s: %w", dp.Slug, err)
		}
		js, err := json.Marshal(dp.Catalog)
		if err != nil {
			return fmt.Errorf("demo: product %s: %w", dp.Slug, err)
		}
		if _, err := s.SaveDraft(ctx, p.ID, string(js), "Demo catalogue", "demo"); err != nil {
			return fmt.Errorf("demo: product %s: %w", dp.Slug, err)
		}
		if _, err := s.PublishDraft(ctx, p.ID, "demo"); err != nil {
			return fmt.Errorf("demo: product %s: %w", dp.Slug, err)
		}
		n.Products++
	}
	return nil
}
