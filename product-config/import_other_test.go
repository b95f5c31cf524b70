package productconfig

import (
	"context"
	"strings"
	"testing"
)

func TestParseDIMACS_Shared(t *testing.T) {
	tests := []struct {
		file           string
		options, rules int
	}{
		{"pc-richmond__Sprey2020.dimacs", 377, 1356},
		{"e_shop__Lau2006.dimacs", 173, 289},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := ParseDIMACS(mustRead(t, tt.file), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(c.Options), tt.options; got != want {
				t.Fatalf("options=%d, want %d", got, want)
			}
			if got, want := len(c.Rules), tt.rules; got != want {
				t.Fatalf("rules=%d, want %d", got, want)
			}
			rep, err := CheckCatalog(context.Background(), c)
			if err != nil || !rep.Valid {
				t.Fatalf("check: %+v, %v", rep, err)
			}
		})
	}
}

func TestParseDIMACS_Errors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no problem line", "1 2 0\n", "line 1: clause before the problem line"},
		{"bad problem", "p cnf x 2\n", `line 1: bad counts`},
		{"bad literal", "c 1 a\np cnf 2 1\n1 b 0\n", `line 3: bad literal "b"`},
		{"out of range", "p cnf 2 1\n1 3 0\n", "line 2: literal 3 out of range 1..2"},
		{"unterminated", "p cnf 2 1\n1 2\n", "last clause not terminated by 0"},
		{"count mismatch", "p cnf 2 2\n1 2 0\n", "announces 2 clauses, found 1"},
		{"empty clause", "p cnf 2 1\n0\n", "line 2: empty clause"},
		{"empty", "", "no problem line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDIMACS([]byte(tt.in), "x")
			if err == nil || !strings.Contains(err.Error(), tt.want) || ErrorCode(err) != EINVALID {
				t.Fatalf("err=%v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}

func TestParseSXFM_EShop(t *testing.T) {
	c, err := ParseSXFM(mustRead(t, "e_shop__Lau2006.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(c.Rules), 21; got != want {
		t.Fatalf("rules=%d, want %d", got, want)
	}
	if c.OptionIndex("registered_checkout") < 0 || c.OptionIndex("store_front") < 0 {
		t.Fatalf("explicit feature ids not kept")
	}
	e := mustCompile(t, c)
	rep, err := e.Check(context.Background())
	if err != nil || !rep.Valid {
		t.Fatalf("check: %+v, %v", rep, err)
	}
	// c2b: choosing registered checkout forces "register to buy".
	st, err := e.Evaluate(context.Background(), []Choice{{Option: "registered_checkout"}})
	if err != nil {
		t.Fatal(err)
	}
	if os := st.Options[c.OptionIndex("register_to_buy")]; !os.Forced || !strings.Contains(strings.Join(os.Reason.Rules, ","), "c2b") {
		t.Fatalf("register_to_buy=%+v, want forced by c2b", os)
	}
}

func TestParseSXFM_Errors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no model", ":r A\n", "no <feature_model>"},
		{"no root", "<feature_model name=\"x\">\n<feature_tree>\n\t:m B\n</feature_tree>\n</feature_model>\n", "must start with a root"},
		{"bad marker", "<feature_model name=\"x\">\n<feature_tree>\n:r A\n\t:x B\n</feature_tree>\n</feature_model>\n", "line 4: unknown feature marker"},
		{"bad group", "<feature_model name=\"x\">\n<feature_tree>\n:r A\n\t:g [a,b]\n</feature_tree>\n</feature_model>\n", "line 4: bad group cardinality"},
		{"unknown in constraint", "<feature_model name=\"x\">\n<feature_tree>\n:r A\n\t:o B (b)\n</feature_tree>\n<constraints>\nc1: ~b or zz\n</constraints>\n</feature_model>\n", `line 7: constraint "c1" names unknown feature "zz"`},
		{"bad indent", "<feature_model name=\"x\">\n<feature_tree>\n:r A\n\t\t\t:o B\n</feature_tree>\n</feature_model>\n", "line 4: bad indentation"},
		{"duplicate id", "<feature_model name=\"x\">\n<feature_tree>\n:r A\n\t:o B (b)\n\t:o C (b)\n</feature_tree>\n</feature_model>\n", `line 5: duplicate feature id "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSXFM([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) || ErrorCode(err) != EINVALID {
				t.Fatalf("err=%v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}

func TestReplicate_Check(t *testing.T) {
	c := Replicate(mustPC(t), 4)
	if got, want := len(c.Options), 4*376; got != want {
		t.Fatalf("options=%d, want %d", got, want)
	}
	rep, err := CheckCatalog(context.Background(), c)
	if err != nil || !rep.Valid {
		t.Fatalf("check: %+v, %v", rep, err)
	}
}
