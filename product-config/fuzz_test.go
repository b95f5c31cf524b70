package productconfig

import (
	"os"
	"path/filepath"
	"testing"
)

// fuzzImport: an imported file never panics the importer or the compiler,
// and every refusal is the file's fault (EINVALID).
func fuzzImport(f *testing.F, parse func([]byte) (*Catalog, error), files string, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if files != "" {
		paths, _ := filepath.Glob(files)
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := parse(data)
		if err != nil {
			if code := ErrorCode(err); code != EINVALID {
				t.Fatalf("error code %s (%v), want invalid", code, err)
			}
			return
		}
		if len(cat.Options) > 2000 {
			return // compiling is not what is fuzzed here
		}
		Compile(cat) // may refuse, must not panic
	})
}

func FuzzParseDIMACS(f *testing.F) {
	fuzzImport(f, func(b []byte) (*Catalog, error) { return ParseDIMACS(b, "fuzz") }, "",
		"p cnf 3 2\n1 -2 0\n2 3 0\n", "c 1 Sofa\nc 2 Chair\np cnf 2 1\n1 2 0\n", "p cnf 1 1\n1\n", "p cnf 0 0\n", "c\t1\tx\np cnf 1 0\n", "p cnf 2 1\n3 0\n")
}

func FuzzParseFeatureIDE(f *testing.F) {
	fuzzImport(f, ParseFeatureIDE, "testdata/*.xml",
		`<featureModel><struct><and name="Root" mandatory="true"><feature name="A"/><alt name="B"><feature name="B1"/><feature name="B2"/></alt></and></struct><constraints><rule><imp><var>A</var><var>B1</var></imp></rule></constraints></featureModel>`,
		`<featureModel><struct><or name="R"><feature name="X"/></or></struct></featureModel>`, `<featureModel>`, `<!DOCTYPE x [<!ENTITY a "aaaa">]><featureModel/>`)
}

func FuzzParseSXFM(f *testing.F) {
	fuzzImport(f, ParseSXFM, "testdata/*.sxfm",
		"<feature_model name=\"m\">\n<feature_tree>\n:r Root (root)\n\t:m Engine (engine)\n\t:o Sunroof (sunroof)\n\t:g [1,1]\n\t\t: Red (red)\n\t\t: Blue (blue)\n</feature_tree>\n<constraints>\nc1: ~sunroof or engine\n</constraints>\n</feature_model>\n",
		"<feature_model><feature_tree>\n:r R\n\t:g [2,1]\n</feature_tree></feature_model>")
}

func FuzzParseCatalog(f *testing.F) {
	fuzzImport(f, ParseCatalog, "testdata/*.json",
		`{"id":"sofa","name":"Sofa","options":[{"id":"a","name":"A","price":100},{"id":"b","name":"B"}],"rules":[{"id":"r1","kind":"requires","if":"a","then":"b"}]}`,
		`{"id":"x","options":[{"id":"a"}],"groups":[{"id":"g","options":["a"],"min":2,"max":1}]}`, `{}`, `[]`, `{"options":null}`)
}
