package productconfig

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// xmlNode is a parsed XML element with its source line, for error messages.
type xmlNode struct {
	name  string
	attrs map[string]string
	kids  []*xmlNode
	text  string
	line  int
}

func parseXMLTree(data []byte) (*xmlNode, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []*xmlNode
	var root *xmlNode
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, Errorf(EINVALID, "xml: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name.Local, attrs: map[string]string{}, line: line}
			for _, a := range t.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, Errorf(EINVALID, "xml: no root element")
	}
	return root, nil
}

// idMaker turns feature names into unique, URL-friendly option ids.
type idMaker struct{ used map[string]bool }

func (m *idMaker) make(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	id := strings.TrimRight(b.String(), "-")
	if id == "" {
		id = "option"
	}
	base := id
	for i := 2; m.used[id]; i++ {
		id = fmt.Sprintf("%s-%d", base, i)
	}
	m.used[id] = true
	return id
}

// ParseFeatureIDE imports a FeatureIDE XML feature model (plain
// <featureModel> or <extendedFeatureModel> with Price attributes). The root
// feature becomes the product (its price the base price); every other
// feature becomes an option; <alt> children form an exactly-one group,
// <or> children an at-least-one group, <and> children optional or
// mandatory options; cross-tree constraints become formula rules. Numeric
// attributes other than Price become option attributes (rounded).
func ParseFeatureIDE(data []byte) (*Catalog, error) {
	root, err := parseXMLTree(data)
	if err != nil {
		return nil, fmt.Errorf("featureide: %w", err)
	}
	if root.name != "featureModel" && root.name != "extendedFeatureModel" {
		return nil, Errorf(EINVALID, "featureide: line %d: root element <%s>, want <featureModel> or <extendedFeatureModel>", root.line, root.name)
	}
	var structN, consN *xmlNode
	for _, k := range root.kids {
		switch k.name {
		case "struct":
			structN = k
		case "constraints":
			consN = k
		}
	}
	if structN == nil || len(structN.kids) != 1 {
		return nil, Errorf(EINVALID, "featureide: line %d: <struct> must hold exactly one root feature", root.line)
	}
	c := &Catalog{Currency: "EUR"}
	ids := &idMaker{used: map[string]bool{}}
	byName := map[string]string{} // feature name -> option id ("" for root)
	var walk func(n *xmlNode, parent string, isRoot bool) error
	walk = func(n *xmlNode, parent string, isRoot bool) error {
		switch n.name {
		case "feature", "and", "or", "alt":
		default:
			return Errorf(EINVALID, "featureide: line %d: unexpected element <%s> in <struct>", n.line, n.name)
		}
		name := strings.TrimSpace(n.attrs["name"])
		if name == "" {
			return Errorf(EINVALID, "featureide: line %d: <%s> without name", n.line, n.name)
		}
		if _, dup := byName[name]; dup {
			return Errorf(EINVALID, "featureide: line %d: duplicate feature %q", n.line, name)
		}
		price, attrs, err := featureAttrs(n)
		if err != nil {
			return err
		}
		id := ""
		if isRoot {
			c.Name = name
			c.ID = ids.make(name)
			c.BasePrice = price
			byName[name] = ""
		} else {
			id = ids.make(name)
			byName[name] = id
			o := Option{ID: id, Name: name, Parent: parent, Price: price, Attrs: attrs,
				Abstract: n.attrs["abstract"] == "true"}
			c.Options = append(c.Options, o)
		}
		var children []*xmlNode
		for _, k := range n.kids {
			if k.name != "attribute" && k.name != "description" && k.name != "graphics" {
				children = append(children, k)
			}
		}
		if n.name == "feature" && len(children) > 0 {
			return Errorf(EINVALID, "featureide: line %d: <feature> %q has child features; use <and>, <or> or <alt>", n.line, name)
		}
		if n.name != "feature" && len(children) == 0 {
			return Errorf(EINVALID, "featureide: line %d: <%s> %q has no child features", n.line, n.name, name)
		}
		group := ""
		if n.name == "alt" || n.name == "or" {
			group = id + "-choice"
			if isRoot {
				group = "root-choice"
			}
			gr := Group{ID: group, Name: name, Kind: GroupOne, Parent: id}
			if n.name == "or" {
				gr.Kind, gr.Min = GroupAny, 1
			}
			c.Groups = append(c.Groups, gr)
		}
		for _, k := range children {
			at := len(c.Options)
			if err := walk(k, id, false); err != nil {
				return err
			}
			o := &c.Options[at]
			if group != "" {
				o.Group = group
			} else if k.attrs["mandatory"] == "true" {
				o.Mandatory = true
			}
		}
		return nil
	}
	if err := walk(structN.kids[0], "", true); err != nil {
		return nil, err
	}
	if len(c.Options) == 0 {
		return nil, Errorf(EINVALID, "featureide: model has no features besides the root")
	}
	if consN != nil {
		n := 0
		for _, r := range consN.kids {
			if r.name != "rule" {
				return nil, Errorf(EINVALID, "featureide: line %d: unexpected <%s> in <constraints>", r.line, r.name)
			}
			var body []*xmlNode
			for _, k := range r.kids {
				if k.name != "description" && k.name != "tags" {
					body = append(body, k)
				}
			}
			if len(body) != 1 {
				return nil, Errorf(EINVALID, "featureide: line %d: <rule> must hold one formula", r.line)
			}
			x, err := featureExpr(body[0], byName)
			if err != nil {
				return nil, err
			}
			n++
			rule := Rule{ID: fmt.Sprintf("constraint-%d", n), Kind: RuleFormula, Expr: x}
			for _, k := range r.kids {
				if k.name == "description" {
					rule.Label = strings.TrimSpace(k.text)
				}
			}
			c.Rules = append(c.Rules, rule)
		}
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("featureide: %w", err)
	}
	return c, nil
}

// featureAttrs reads <attribute> children: Price in minor units, others
// as rounded integers.
func featureAttrs(n *xmlNode) (int64, map[string]int64, error) {
	var price int64
	var attrs map[string]int64
	for _, k := range n.kids {
		if k.name != "attribute" {
			continue
		}
		v, ok := k.attrs["value"]
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			if strings.EqualFold(k.attrs["name"], "price") {
				return 0, nil, Errorf(EINVALID, "featureide: line %d: feature %q: bad price %q", k.line, n.attrs["name"], v)
			}
			continue // non-numeric attributes are not modelled
		}
		if strings.EqualFold(k.attrs["name"], "price") {
			price = int64(math.Round(f * 100))
			continue
		}
		if attrs == nil {
			attrs = map[string]int64{}
		}
		attrs[k.attrs["name"]] = int64(math.Round(f))
	}
	return price, attrs, nil
}

func featureExpr(n *xmlNode, byName map[string]string) (*Expr, error) {
	args := func(want int) ([]*Expr, error) {
		if want > 0 && len(n.kids) != want || len(n.kids) == 0 {
			return nil, Errorf(EINVALID, "featureide: line %d: <%s> has %d operands", n.line, n.name, len(n.kids))
		}
		out := make([]*Expr, len(n.kids))
		for i, k := range n.kids {
			x, err := featureExpr(k, byName)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	}
	switch n.name {
	case "var":
		name := strings.TrimSpace(n.text)
		id, ok := byName[name]
		if !ok {
			return nil, Errorf(EINVALID, "featureide: line %d: <var> names unknown feature %q", n.line, name)
		}
		if id == "" { // the root is always chosen
			return nil, Errorf(EINVALID, "featureide: line %d: constraint on the root feature %q is not supported", n.line, name)
		}
		return Var(id), nil
	case "not":
		as, err := args(1)
		if err != nil {
			return nil, err
		}
		return Not(as[0]), nil
	case "imp", "eq":
		as, err := args(2)
		if err != nil {
			return nil, err
		}
		return &Expr{Op: n.name, Args: as}, nil
	case "conj", "disj":
		as, err := args(0)
		if err != nil {
			return nil, err
		}
		return &Expr{Op: map[string]string{"conj": "and", "disj": "or"}[n.name], Args: as}, nil
	}
	return nil, Errorf(EINVALID, "featureide: line %d: unknown formula element <%s>", n.line, n.name)
}
