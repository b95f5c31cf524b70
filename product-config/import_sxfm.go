package productconfig

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var (
	sxfmID    = regexp.MustCompile(`^(.*?)\s*\(([^()]*)\)\s*$`)
	sxfmGroup = regexp.MustCompile(`^\[\s*(\d+)\s*,\s*(\d+|\*)\s*\]`)
)

// ParseSXFM imports an S.P.L.O.T. SXFM feature model (<feature_model> with
// a tab-indented <feature_tree> and CNF <constraints>). :m features are
// mandatory options, :o optional ones, :g [a,b] groups (exactly-one for
// [1,1]); constraint clauses become formula rules labelled by their name.
func ParseSXFM(data []byte) (*Catalog, error) {
	text := string(data)
	lines := strings.Split(text, "\n")
	type feat struct {
		depth  int
		kind   string // r, m, o, g, member
		name   string
		id     string
		line   int
		lo, hi int
	}
	var feats []feat
	var cons []feat
	section := ""
	seenModel := false
	for i, raw := range lines {
		ln := i + 1
		t := strings.TrimSpace(raw)
		switch {
		case strings.HasPrefix(t, "<feature_model"):
			seenModel = true
			continue
		case t == "<feature_tree>", t == "<constraints>":
			section = strings.Trim(t, "<>")
			continue
		case t == "</feature_tree>", t == "</constraints>", t == "</feature_model>", t == "":
			section = map[bool]string{true: section, false: ""}[t == ""]
			continue
		}
		switch section {
		case "feature_tree":
			depth := len(raw) - len(strings.TrimLeft(raw, "\t"))
			if !strings.HasPrefix(t, ":") {
				return nil, Errorf(EINVALID, "sxfm: line %d: feature line must start with ':'", ln)
			}
			f := feat{depth: depth, line: ln}
			body := ""
			switch {
			case strings.HasPrefix(t, ":r "), strings.HasPrefix(t, ":m "), strings.HasPrefix(t, ":o "), strings.HasPrefix(t, ":g "):
				f.kind, body = t[1:2], strings.TrimSpace(t[3:])
			case strings.HasPrefix(t, ": "):
				f.kind, body = "member", strings.TrimSpace(t[2:])
			default:
				return nil, Errorf(EINVALID, "sxfm: line %d: unknown feature marker in %q", ln, t)
			}
			if f.kind == "g" {
				mm := sxfmGroup.FindStringSubmatch(body)
				if mm == nil {
					return nil, Errorf(EINVALID, "sxfm: line %d: bad group cardinality %q", ln, body)
				}
				f.lo, _ = strconv.Atoi(mm[1])
				if mm[2] != "*" {
					f.hi, _ = strconv.Atoi(mm[2])
				}
			} else {
				f.name = body
				if mm := sxfmID.FindStringSubmatch(body); mm != nil {
					f.name, f.id = strings.TrimSpace(mm[1]), strings.TrimSpace(mm[2])
				}
				if f.name == "" {
					return nil, Errorf(EINVALID, "sxfm: line %d: feature without name", ln)
				}
			}
			feats = append(feats, f)
		case "constraints":
			name, clause, ok := strings.Cut(t, ":")
			if !ok {
				return nil, Errorf(EINVALID, "sxfm: line %d: constraint must read \"name: clause\"", ln)
			}
			cons = append(cons, feat{name: strings.TrimSpace(name), id: strings.TrimSpace(clause), line: ln})
		default:
			if seenModel {
				return nil, Errorf(EINVALID, "sxfm: line %d: unexpected text outside <feature_tree> and <constraints>", ln)
			}
		}
	}
	if !seenModel {
		return nil, Errorf(EINVALID, "sxfm: no <feature_model> element")
	}
	if len(feats) == 0 || feats[0].kind != "r" {
		return nil, Errorf(EINVALID, "sxfm: feature tree must start with a root ':r' line")
	}
	ids := &idMaker{used: map[string]bool{}}
	for _, f := range feats {
		if f.id != "" {
			if ids.used[f.id] {
				return nil, Errorf(EINVALID, "sxfm: line %d: duplicate feature id %q", f.line, f.id)
			}
			ids.used[f.id] = true
		}
	}
	c := &Catalog{Name: feats[0].name, ID: feats[0].id}
	if c.ID == "" {
		c.ID = ids.make(c.Name)
	}
	byRef := map[string]string{c.ID: ""}
	// stack[d] is the option id ("" for root) or group id at depth d.
	type frame struct {
		option, group string
	}
	stack := []frame{{}}
	for _, f := range feats[1:] {
		if f.depth < 1 || f.depth > len(stack) {
			return nil, Errorf(EINVALID, "sxfm: line %d: bad indentation", f.line)
		}
		stack = stack[:f.depth]
		up := stack[f.depth-1]
		switch f.kind {
		case "r":
			return nil, Errorf(EINVALID, "sxfm: line %d: second root", f.line)
		case "g":
			if up.group != "" {
				return nil, Errorf(EINVALID, "sxfm: line %d: group directly inside a group", f.line)
			}
			g := Group{ID: fmt.Sprintf("group-%d", len(c.Groups)+1), Parent: up.option, Kind: GroupAny, Min: f.lo, Max: f.hi}
			if up.option != "" {
				g.Name = c.Options[c.OptionIndex(up.option)].Name
			} else {
				g.Name = c.Name
			}
			if f.lo == 1 && f.hi == 1 {
				g.Kind, g.Min, g.Max = GroupOne, 0, 0
			}
			c.Groups = append(c.Groups, g)
			stack = append(stack, frame{option: up.option, group: g.ID})
		default:
			if (f.kind == "member") != (up.group != "") {
				return nil, Errorf(EINVALID, "sxfm: line %d: ': ' lines must sit directly in a :g group, and only they", f.line)
			}
			id := f.id
			if id == "" {
				id = ids.make(f.name)
			}
			o := Option{ID: id, Name: f.name, Parent: up.option, Group: up.group, Mandatory: f.kind == "m"}
			c.Options = append(c.Options, o)
			byRef[id] = id
			stack = append(stack, frame{option: id})
		}
	}
	for _, k := range cons {
		x := &Expr{Op: "or"}
		for _, tok := range strings.Split(k.id, " or ") {
			tok = strings.TrimSpace(tok)
			neg := strings.HasPrefix(tok, "~")
			tok = strings.TrimSpace(strings.TrimPrefix(tok, "~"))
			id, ok := byRef[tok]
			if !ok {
				return nil, Errorf(EINVALID, "sxfm: line %d: constraint %q names unknown feature %q", k.line, k.name, tok)
			}
			if id == "" {
				return nil, Errorf(EINVALID, "sxfm: line %d: constraint %q on the root is not supported", k.line, k.name)
			}
			v := Var(id)
			if neg {
				v = Not(v)
			}
			x.Args = append(x.Args, v)
		}
		c.Rules = append(c.Rules, Rule{ID: k.name, Kind: RuleFormula, Expr: x})
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("sxfm: %w", err)
	}
	return c, nil
}
