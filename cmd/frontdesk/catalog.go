package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	productconfig "github.com/frontdesk/frontdesk/product-config"
)

const catalogUsage = `usage:
  frontdesk catalog import FILE [--slug S] [--name N] [--publish]
      import a FeatureIDE XML, SXFM, DIMACS CNF or catalogue JSON file as a
      product's draft (a new product unless --slug names an existing one);
      --publish runs the publish checks and publishes it
  frontdesk catalog bench --model FILE [--sessions 50] [--steps 20] [--seed 1] [--replicate 1]
      time the recompute of every option's state over random sessions;
      the last line printed is the result as JSON
`

// runCatalog dispatches the catalog subcommands.
func runCatalog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, catalogUsage)
		return errUsage
	}
	switch args[0] {
	case "import":
		return runCatalogImport(ctx, args[1:], stdout, stderr)
	case "bench":
		return runCatalogBench(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "frontdesk catalog: unknown command %q\n%s", args[0], catalogUsage)
	return errUsage
}

// loadModel reads a model file and imports it by its content (or, when
// the content is ambiguous, its extension). Malformed files fail with the
// importer's error, which names the line or element at fault.
func loadModel(path string) (*productconfig.Catalog, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	format := modelFormat(path, data)
	var cat *productconfig.Catalog
	switch format {
	case "featureide":
		cat, err = productconfig.ParseFeatureIDE(data)
	case "sxfm":
		cat, err = productconfig.ParseSXFM(data)
	case "dimacs":
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		cat, err = productconfig.ParseDIMACS(data, name)
	case "json":
		cat, err = productconfig.ParseCatalog(data)
	default:
		return nil, "", fmt.Errorf("%s: unknown model format (want FeatureIDE XML, SXFM, DIMACS CNF or catalogue JSON)", path)
	}
	if err != nil {
		return nil, format, fmt.Errorf("%s: %w", path, err)
	}
	return cat, format, nil
}

// modelFormat names the format of data: "featureide", "sxfm", "dimacs",
// "json" or "".
func modelFormat(path string, data []byte) string {
	head := data
	if len(head) > 4096 {
		head = head[:4096]
	}
	trimmed := bytes.TrimSpace(head)
	switch {
	case bytes.Contains(head, []byte("<featureModel")) || bytes.Contains(head, []byte("<extendedFeatureModel")):
		return "featureide"
	case bytes.Contains(head, []byte("<feature_model")):
		return "sxfm"
	case bytes.HasPrefix(trimmed, []byte("{")):
		return "json"
	case bytes.HasPrefix(trimmed, []byte("c ")) || bytes.HasPrefix(trimmed, []byte("p cnf")) || bytes.HasPrefix(trimmed, []byte("c\n")):
		return "dimacs"
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".dimacs", ".cnf":
		return "dimacs"
	case ".sxfm":
		return "sxfm"
	case ".xml":
		return "featureide"
	case ".json":
		return "json"
	}
	return ""
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slugify turns a name into a product URL name.
func slugify(s string) string {
	s = strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	if s == "" {
		s = "product"
	}
	return s
}
