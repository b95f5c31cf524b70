package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/frontdesk/frontdesk/portal"
	productconfig "github.com/frontdesk/frontdesk/product-config"
)

// runCatalogImport imports a model file as a product's draft and, with
// --publish, publishes it after the publish checks pass.
func runCatalogImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var slug, name string
	var publish bool
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	cfg, fs, err := parseFlags("catalog import", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "slug", "", "product URL name; default from the model's name")
		fs.StringVar(&name, "name", "", "product name; default the model's name")
		fs.BoolVar(&publish, "publish", false, "publish after the checks pass (default: keep as a draft)")
	})
	if err != nil {
		return err
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		fmt.Fprint(stderr, catalogUsage)
		return errUsage
	}
	cat, format, err := loadModel(file)
	if err != nil {
		return err
	}
	if name == "" {
		name = cat.Name
	}
	if slug == "" {
		slug = slugify(name)
	}
	var rep *productconfig.Report
	if publish {
		rep, err = productconfig.CheckCatalog(ctx, cat)
		if err != nil {
			return err
		}
		if err := rep.Err(); err != nil {
			return fmt.Errorf("cannot publish: %w", err)
		}
	}
	js, err := json.Marshal(cat)
	if err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	products, _, err := s.FindProducts(ctx, portal.ProductFilter{Slug: &slug, Limit: 1})
	if err != nil {
		return err
	}
	var p *portal.Product
	if len(products) == 1 {
		p = products[0]
	} else {
		p = &portal.Product{Slug: slug, Name: name}
		if err := s.CreateProduct(ctx, p); err != nil {
			return fmt.Errorf("%s", portal.ErrorMessage(err))
		}
	}
	v, err := s.SaveDraft(ctx, p.ID, string(js), "Imported from "+file, "frontdesk catalog import")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Imported %s (%s): %d options, %d groups, %d rules as draft version %d of product %q.\n",
		file, format, len(cat.Options), len(cat.Groups), len(cat.Rules), v.Version, p.Slug)
	if publish {
		if _, err := s.PublishDraft(ctx, p.ID, "frontdesk catalog import"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Published version %d: %d dead options, %d always included.\n", v.Version, len(rep.Dead), len(rep.Core))
	}
	return nil
}
