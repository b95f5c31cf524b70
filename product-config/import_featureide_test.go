package productconfig

import (
	"strings"
	"testing"
)

func TestParseFeatureIDE_PC(t *testing.T) {
	c := mustPC(t)
	if got, want := len(c.Options), 376; got != want {
		t.Fatalf("options=%d, want %d", got, want)
	}
	if got, want := c.BasePrice, int64(84190); got != want {
		t.Fatalf("base price=%d, want %d", got, want)
	}
	if got, want := len(c.Rules), 12; got != want {
		t.Fatalf("rules=%d, want %d", got, want)
	}
	i := c.OptionIndex("i3-7100-kaby-lake")
	if i < 0 {
		t.Fatalf("option i3-7100-kaby-lake missing")
	}
	if got, want := c.Options[i].Price, int64(2300); got != want {
		t.Fatalf("i3-7100 price=%d, want %d", got, want)
	}
}

func TestParseFeatureIDE_Errors(t *testing.T) {
	tests := []struct {
		name, xml, want string
	}{
		{"not xml", `<featureModel><struct>`, "xml"},
		{"wrong root", `<foo/>`, "line 1: root element <foo>"},
		{"unknown var", `<featureModel><struct><and name="R"><feature name="A"/></and></struct>
<constraints><rule>
<var>B</var></rule></constraints></featureModel>`, `line 3: <var> names unknown feature "B"`},
		{"duplicate feature", `<featureModel><struct><and name="R">
<feature name="A"/>
<feature name="A"/></and></struct></featureModel>`, `line 3: duplicate feature "A"`},
		{"bad price", `<extendedFeatureModel><struct><and name="R">
<feature name="A">
<attribute name="Price" value="abc"/></feature></and></struct></extendedFeatureModel>`, `line 3: feature "A": bad price "abc"`},
		{"unknown element", `<featureModel><struct><and name="R">
<bogus name="A"/></and></struct></featureModel>`, "line 2: unexpected element <bogus>"},
		{"imp arity", `<featureModel><struct><and name="R"><feature name="A"/></and></struct>
<constraints><rule><imp>
<var>A</var></imp></rule></constraints></featureModel>`, "line 2: <imp> has 1 operands"},
		{"missing name", `<featureModel><struct><and name="R">
<feature/></and></struct></featureModel>`, "line 2: <feature> without name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFeatureIDE([]byte(tt.xml))
			if err == nil {
				t.Fatalf("got nil error, want %q", tt.want)
			}
			if got := err.Error(); !strings.Contains(got, tt.want) {
				t.Fatalf("error=%q, want it to contain %q", got, tt.want)
			}
			if got, want := ErrorCode(err), EINVALID; got != want {
				t.Fatalf("code=%q, want %q", got, want)
			}
		})
	}
}
