package productconfig

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// laptop is a small catalogue exercising every rule kind.
func laptop() *Catalog {
	return &Catalog{
		ID: "laptop", Name: "Laptop", Currency: "EUR", BasePrice: 50000,
		Groups: []Group{
			{ID: "colour", Name: "Colour", Kind: GroupOne},
			{ID: "cpu", Name: "Processor", Kind: GroupOne},
			{ID: "gpu-model", Name: "Graphics model", Kind: GroupOne, Parent: "dgpu"},
			{ID: "psu", Name: "Power supply", Kind: GroupOne},
			{ID: "extras", Name: "Extras", Kind: GroupAny, Max: 2},
		},
		Options: []Option{
			{ID: "red", Name: "Red", Group: "colour"},
			{ID: "blue", Name: "Blue", Group: "colour", Price: 1000},
			{ID: "black", Name: "Black", Group: "colour", Price: 1500},
			{ID: "cpu-basic", Name: "Basic CPU", Group: "cpu", Attrs: map[string]int64{"watts": 65}},
			{ID: "cpu-fast", Name: "Fast CPU", Group: "cpu", Price: 20000, Attrs: map[string]int64{"watts": 125}},
			{ID: "dgpu", Name: "Dedicated graphics", Price: 5000},
			{ID: "gtx", Name: "GTX 1080 Ti", Group: "gpu-model", Price: 30000, Attrs: map[string]int64{"watts": 350}},
			{ID: "rtx", Name: "RTX", Group: "gpu-model", Price: 50000, Attrs: map[string]int64{"watts": 420}},
			{ID: "psu-400", Name: "400 W", Group: "psu", Attrs: map[string]int64{"supply": 400}},
			{ID: "psu-650", Name: "650 W", Group: "psu", Price: 6000, Attrs: map[string]int64{"supply": 650}},
			{ID: "bag", Name: "Bag", Group: "extras", Price: 2000},
			{ID: "mouse", Name: "Mouse", Group: "extras", Price: 1500},
			{ID: "dock", Name: "Dock", Group: "extras", Price: 9000},
		},
		Rules: []Rule{
			{ID: "power", Label: "the power drawn must not exceed what the power supply gives", Kind: RuleResource, Attr: "watts", Provides: "supply"},
			{ID: "dock-cpu", Kind: RuleRequires, If: []string{"dock"}, Then: []string{"cpu-fast"}},
			{ID: "no-red-rtx", Kind: RuleExcludes, Options: []string{"red", "rtx"}},
			{ID: "red-basic", Kind: RuleCompat, Columns: []string{"colour", "cpu"},
				Rows: [][]string{{"red", "cpu-basic"}, {"blue", ""}, {"black", ""}}},
			{ID: "max-addons", Kind: RuleCardinality, Options: []string{"dgpu", "bag", "mouse", "dock"}, Max: 2},
			{ID: "black-mouse", Kind: RuleFormula, Expr: Implies(Var("black"), Not(Var("mouse")))},
		},
		PriceRules: []PriceRule{{ID: "bundle", Label: "Bag and mouse bundle", When: []string{"bag", "mouse"}, Delta: -1000}},
		Defaults:   []string{"blue", "psu-650"},
	}
}

// allValid enumerates every valid configuration of a small catalogue.
func allValid(tb testing.TB, c *Catalog) [][]bool {
	tb.Helper()
	if len(c.Options) > 16 {
		tb.Fatalf("catalogue too large for brute force: %d options", len(c.Options))
	}
	idx := map[string]int{}
	for i, o := range c.Options {
		idx[o.ID] = i
	}
	k := newChecker(c, idx)
	var out [][]bool
	for mask := 0; mask < 1<<len(c.Options); mask++ {
		sel := make([]bool, len(c.Options))
		for i := range sel {
			sel[i] = mask&(1<<i) != 0
		}
		if k.valid(sel) {
			out = append(out, sel)
		}
	}
	return out
}

func consistent(c *Catalog, sel []bool, choices []Choice) bool {
	for _, ch := range choices {
		if sel[c.OptionIndex(ch.Option)] == ch.Exclude {
			return false
		}
	}
	return true
}

func ids(c *Catalog, sel []bool) []string {
	var out []string
	for i, v := range sel {
		if v {
			out = append(out, c.Options[i].ID)
		}
	}
	return out
}

func TestEvaluate_MatchesBruteForce(t *testing.T) {
	c := laptop()
	e := mustCompile(t, c)
	valid := allValid(t, c)
	if len(valid) == 0 {
		t.Fatal("laptop has no valid configuration")
	}
	rng := rand.New(rand.NewSource(7))
	for s := 0; s < 40; s++ {
		var choices []Choice
		for step := 0; ; step++ {
			st, err := e.Evaluate(context.Background(), choices)
			if err != nil {
				t.Fatalf("session %d step %d: %v", s, step, err)
			}
			var open []int
			for i, os := range st.Options {
				if os.Chosen || os.Excluded {
					continue
				}
				wantAvail, wantForced := false, true
				for _, sel := range valid {
					if consistent(c, sel, choices) {
						wantAvail = wantAvail || sel[i]
						wantForced = wantForced && sel[i]
					}
				}
				if got := os.Available; got != wantAvail {
					t.Fatalf("choices %v: %s available=%v, want %v", choices, os.ID, got, wantAvail)
				}
				if got := os.Forced; got != (wantAvail && wantForced) {
					t.Fatalf("choices %v: %s forced=%v, want %v", choices, os.ID, got, wantForced)
				}
				if (!os.Available || os.Forced) && (os.Reason == nil || os.Reason.Text == "") {
					t.Fatalf("choices %v: %s has no reason", choices, os.ID)
				}
				if os.Available && !os.Forced {
					open = append(open, i)
				}
			}
			if len(open) == 0 {
				if !st.Complete {
					t.Fatalf("choices %v: nothing open but state not complete", choices)
				}
				break
			}
			choices = append(choices, Choice{Option: c.Options[open[rng.Intn(len(open))]].ID, Exclude: rng.Intn(4) == 0})
		}
	}
}

func TestEvaluate_ReasonNamesChoiceAndRule(t *testing.T) {
	e := mustCompile(t, laptop())
	st, err := e.Evaluate(context.Background(), []Choice{{Option: "gtx"}})
	if err != nil {
		t.Fatal(err)
	}
	os := st.Options[e.Catalog().OptionIndex("psu-400")]
	if os.Available {
		t.Fatalf("psu-400 available with GTX chosen")
	}
	if got, want := os.Reason.Text, "Not available: you chose GTX 1080 Ti, but the power drawn must not exceed what the power supply gives"; !strings.HasPrefix(got, want) {
		t.Fatalf("reason=%q, want prefix %q", got, want)
	}
	if got := os.Reason.Rules; !slices.Contains(got, "power") || !slices.Equal(os.Reason.Choices, []string{"gtx"}) {
		t.Fatalf("rules=%v choices=%v, want power rule and gtx", got, os.Reason.Choices)
	}
	forced := st.Options[e.Catalog().OptionIndex("psu-650")]
	if !forced.Forced || forced.Reason == nil {
		t.Fatalf("psu-650 not forced with reason: %+v", forced)
	}
}

func TestEvaluate_Errors(t *testing.T) {
	e := mustCompile(t, laptop())
	tests := []struct {
		name    string
		choices []Choice
		code    string
	}{
		{"unknown option", []Choice{{Option: "nope"}}, ENOTFOUND},
		{"twice", []Choice{{Option: "red"}, {Option: "red", Exclude: true}}, EINVALID},
		{"conflict", []Choice{{Option: "red"}, {Option: "rtx"}}, ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Evaluate(context.Background(), tt.choices)
			if got := ErrorCode(err); got != tt.code {
				t.Fatalf("code=%q (err %v), want %q", got, err, tt.code)
			}
		})
	}
}

func TestPrice(t *testing.T) {
	c := laptop()
	tests := []struct {
		name string
		sel  []string
		want int64
	}{
		{"base only", nil, 50000},
		{"blue fast", []string{"blue", "cpu-fast", "psu-400"}, 50000 + 1000 + 20000},
		{"bundle", []string{"red", "cpu-basic", "psu-400", "bag", "mouse"}, 50000 + 2000 + 1500 - 1000},
		{"gpu", []string{"black", "cpu-basic", "dgpu", "gtx", "psu-650"}, 50000 + 1500 + 5000 + 30000 + 6000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := c.Price(tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.Total; got != tt.want {
				t.Fatalf("total=%d, want %d (lines %+v)", got, tt.want, q.Lines)
			}
			var sum int64 = q.Base
			for _, l := range q.Lines {
				sum += l.Amount
			}
			if sum != q.Total {
				t.Fatalf("lines sum to %d, total %d", sum, q.Total)
			}
		})
	}
	if _, err := c.Price([]string{"nope"}); ErrorCode(err) != EINVALID {
		t.Fatalf("unknown option: err=%v, want EINVALID", err)
	}
}

func TestComplete_CheapestMatchesBruteForce(t *testing.T) {
	c := laptop()
	e := mustCompile(t, c)
	valid := allValid(t, c)
	choiceSets := [][]Choice{
		nil,
		{{Option: "dgpu"}},
		{{Option: "black"}},
		{{Option: "dock"}},
		{{Option: "bag"}, {Option: "mouse"}},
		{{Option: "rtx"}, {Option: "bag"}},
		{{Option: "cpu-basic", Exclude: true}, {Option: "red", Exclude: true}},
	}
	for _, choices := range choiceSets {
		best := int64(-1)
		for _, sel := range valid {
			if !consistent(c, sel, choices) {
				continue
			}
			q, err := c.Price(ids(c, sel))
			if err != nil {
				t.Fatal(err)
			}
			if best < 0 || q.Total < best {
				best = q.Total
			}
		}
		got, err := e.Complete(context.Background(), choices, CompleteOptions{})
		if err != nil {
			t.Fatalf("choices %v: %v", choices, err)
		}
		if got.Quote.Total != best {
			t.Fatalf("choices %v: cheapest=%d (%v), brute force %d", choices, got.Quote.Total, got.Selected, best)
		}
		if _, err := e.Evaluate(context.Background(), selChoices(got.Selected)); err != nil {
			t.Fatalf("choices %v: completion %v invalid: %v", choices, got.Selected, err)
		}
	}
}

func selChoices(ids []string) []Choice {
	out := make([]Choice, len(ids))
	for i, id := range ids {
		out[i] = Choice{Option: id}
	}
	return out
}

func TestComplete_Defaults(t *testing.T) {
	e := mustCompile(t, laptop())
	got, err := e.Complete(context.Background(), nil, CompleteOptions{UseDefaults: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"blue", "psu-650"} {
		if !slices.Contains(got.Selected, id) {
			t.Fatalf("default %s missing from %v", id, got.Selected)
		}
	}
}

func TestRepair_MinimalOnLaptop(t *testing.T) {
	c := laptop()
	e := mustCompile(t, c)
	valid := allValid(t, c)
	possible := func(choices []Choice) bool {
		for _, sel := range valid {
			if consistent(c, sel, choices) {
				return true
			}
		}
		return false
	}
	choices := []Choice{{Option: "red"}, {Option: "bag"}, {Option: "mouse"}, {Option: "psu-400"}}
	for _, want := range []Choice{{Option: "rtx"}, {Option: "dock"}, {Option: "cpu-fast"}, {Option: "psu-400", Exclude: true}} {
		r, err := e.Repair(context.Background(), choices, want)
		if err != nil {
			t.Fatalf("want %v: %v", want, err)
		}
		if !possible(ApplyRepair(r)) {
			t.Fatalf("want %v: repair %+v does not work", want, r)
		}
		assertNoSmallerRepair(t, choices, want, len(dropsExcept(r, want)), possible)
	}
}

func dropsExcept(r *Repair, want Choice) []Choice {
	var out []Choice
	for _, d := range r.Drop {
		if d.Option != want.Option {
			out = append(out, d)
		}
	}
	return out
}

// assertNoSmallerRepair checks every subset of choices with fewer than n
// dropped fails to admit want.
func assertNoSmallerRepair(tb testing.TB, choices []Choice, want Choice, n int, possible func([]Choice) bool) {
	tb.Helper()
	var base []Choice
	for _, c := range choices {
		if c.Option != want.Option {
			base = append(base, c)
		}
	}
	for mask := 0; mask < 1<<len(base); mask++ {
		drop := 0
		var keep []Choice
		for i, c := range base {
			if mask&(1<<i) != 0 {
				drop++
			} else {
				keep = append(keep, c)
			}
		}
		if drop < n && possible(append(keep, want)) {
			tb.Fatalf("want %v: dropping %d works (keep %v) but repair drops %d", want, drop, keep, n)
		}
	}
}

func TestCheck(t *testing.T) {
	t.Run("valid lists dead and core", func(t *testing.T) {
		c := laptop()
		c.Rules = append(c.Rules, Rule{ID: "no-rtx", Label: "RTX is sold out", Kind: RuleFormula, Expr: Not(Var("rtx"))})
		rep, err := CheckCatalog(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Valid || rep.Err() != nil {
			t.Fatalf("report invalid: %+v", rep)
		}
		if got, want := rep.Dead, []string{"rtx"}; !slices.Equal(got, want) {
			t.Fatalf("dead=%v, want %v", got, want)
		}
		if len(rep.Core) != 0 {
			t.Fatalf("core=%v, want none", rep.Core)
		}
	})
	t.Run("unsatisfiable names the rules", func(t *testing.T) {
		c := laptop()
		c.Rules = append(c.Rules,
			Rule{ID: "need-dock", Kind: RuleFormula, Expr: Var("dock")},
			Rule{ID: "slow-only", Kind: RuleFormula, Expr: Not(Var("cpu-fast"))})
		rep, err := CheckCatalog(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Valid {
			t.Fatalf("report valid, want conflict")
		}
		slices.Sort(rep.Conflict)
		if got, want := rep.Conflict, []string{"dock-cpu", "need-dock", "slow-only"}; !slices.Equal(got, want) {
			t.Fatalf("conflict=%v, want %v", got, want)
		}
		var pe *Error
		if err := rep.Err(); !errors.As(err, &pe) || pe.Code != ECONFLICT {
			t.Fatalf("Err()=%v, want ECONFLICT", err)
		}
	})
}

func TestCatalog_JSONRoundTrip(t *testing.T) {
	c := laptop()
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseCatalog(data)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(back)
	if string(again) != string(data) {
		t.Fatalf("round trip changed the catalogue:\n%s\n%s", data, again)
	}
}

func TestValidate_Errors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Catalog)
		want   string
	}{
		{"duplicate option", func(c *Catalog) { c.Options = append(c.Options, Option{ID: "red"}) }, `duplicate option id "red"`},
		{"unknown in requires", func(c *Catalog) { c.Rules[1].Then = []string{"turbo"} }, `rule "dock-cpu": then: unknown option "turbo"`},
		{"unknown in formula", func(c *Catalog) { c.Rules[5].Expr = Var("ghost") }, `rule "black-mouse": unknown option "ghost"`},
		{"unknown group", func(c *Catalog) { c.Options[0].Group = "paint" }, `option "red": unknown group "paint"`},
		{"duplicate rule", func(c *Catalog) { c.Rules[1].ID = "power" }, `duplicate rule id "power"`},
		{"compat cell group", func(c *Catalog) { c.Rules[3].Rows[0][0] = "cpu-fast" }, `option "cpu-fast" is not in group "colour"`},
		{"bad bounds", func(c *Catalog) { c.Groups[4].Min = 3 }, `group "extras": bad bounds`},
		{"parent cycle", func(c *Catalog) { c.Options[5].Parent = "gtx" }, "parent cycle"},
		{"unknown default", func(c *Catalog) { c.Defaults = []string{"gold"} }, `defaults: unknown option "gold"`},
		{"price rule", func(c *Catalog) { c.PriceRules[0].When = []string{"hat"} }, `price rule "bundle": unknown option "hat"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := laptop()
			tt.mutate(c)
			err := c.Validate()
			if err == nil || !contains(err.Error(), tt.want) {
				t.Fatalf("err=%v, want it to contain %q", err, tt.want)
			}
			if got := ErrorCode(err); got != EINVALID {
				t.Fatalf("code=%q, want %q", got, EINVALID)
			}
		})
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestSession_ChooseRepairComplete(t *testing.T) {
	ctx := context.Background()
	e := mustCompile(t, laptop())
	s := e.NewSession(nil)
	for _, c := range []Choice{{Option: "red"}, {Option: "psu-400"}} {
		if _, err := s.Choose(ctx, c); err != nil {
			t.Fatalf("choose %v: %v", c, err)
		}
	}
	if _, err := s.Choose(ctx, Choice{Option: "rtx"}); ErrorCode(err) != ECONFLICT {
		t.Fatalf("choose rtx: err=%v, want ECONFLICT", err)
	}
	r, err := s.Repair(ctx, Choice{Option: "rtx"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(r.Drop), 2; got != want {
		t.Fatalf("drop=%v, want %d choices", r.Drop, want)
	}
	st, err := s.ApplyRepair(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Options[e.Catalog().OptionIndex("rtx")].Chosen {
		t.Fatalf("rtx not chosen after repair")
	}
	comp, err := s.Complete(ctx, CompleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(comp.Selected, "psu-650") {
		t.Fatalf("completion %v lacks psu-650", comp.Selected)
	}
}
