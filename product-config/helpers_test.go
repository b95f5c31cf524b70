package productconfig

import (
	"os"
	"path/filepath"
	"testing"
)

const sharedData = "../../shared/data/configurator"

// mustRead reads a shared model file in place.
func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(sharedData, name))
	if err != nil {
		tb.Fatalf("read %s: %v", name, err)
	}
	return data
}

// mustPC returns the PC RICHMOND catalogue imported from FeatureIDE XML.
func mustPC(tb testing.TB) *Catalog {
	tb.Helper()
	c, err := ParseFeatureIDE(mustRead(tb, "pc-richmond__Sprey2020.xml"))
	if err != nil {
		tb.Fatalf("import pc: %v", err)
	}
	return c
}

// mustCompile compiles c or fails.
func mustCompile(tb testing.TB, c *Catalog) *Engine {
	tb.Helper()
	e, err := Compile(c)
	if err != nil {
		tb.Fatalf("compile: %v", err)
	}
	return e
}
