package productconfig

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// DIMACS limits: a catalogue is for people to configure; larger files are
// refused before anything is built from their counts.
const (
	maxDIMACSVars    = 20_000
	maxDIMACSClauses = 200_000
)

// ParseDIMACS imports a CNF model: every variable becomes an option (named
// by its "c <n> <name>" comment when present) and every clause a formula
// rule. Malformed input is rejected with the line at fault.
func ParseDIMACS(data []byte, name string) (*Catalog, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	names := map[int]string{}
	nvars, nclauses := -1, 0
	var clauses [][]int
	var cur []int
	line := 0
	bad := func(format string, args ...any) error {
		return Errorf(EINVALID, "dimacs: line %d: %s", line, fmt.Sprintf(format, args...))
	}
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		switch {
		case text == "" || text == "%":
			continue
		case strings.HasPrefix(text, "c"):
			f := strings.Fields(text)
			if len(f) >= 3 && f[0] == "c" {
				// "c <var> <name>": the name is the rest of the line
				// (fields may be separated by tabs as well as spaces).
				if n, err := strconv.Atoi(f[1]); err == nil && n > 0 && n <= maxDIMACSVars {
					rest := strings.TrimSpace(text[1:])
					rest = strings.TrimSpace(rest[strings.IndexFunc(rest, unicode.IsSpace):])
					names[n] = rest
				}
			}
			continue
		case strings.HasPrefix(text, "p"):
			f := strings.Fields(text)
			if nvars >= 0 {
				return nil, bad("second problem line")
			}
			if len(f) != 4 || f[1] != "cnf" {
				return nil, bad("bad problem line %q, want \"p cnf <vars> <clauses>\"", text)
			}
			v, err1 := strconv.Atoi(f[2])
			c, err2 := strconv.Atoi(f[3])
			if err1 != nil || err2 != nil || v <= 0 || c < 0 {
				return nil, bad("bad counts in problem line %q", text)
			}
			// The counts size what is built: a forged header must not
			// exhaust memory.
			if v > maxDIMACSVars || c > maxDIMACSClauses {
				return nil, bad("too large: at most %d variables and %d clauses", maxDIMACSVars, maxDIMACSClauses)
			}
			nvars, nclauses = v, c
			continue
		}
		if nvars < 0 {
			return nil, bad("clause before the problem line")
		}
		for _, tok := range strings.Fields(text) {
			n, err := strconv.Atoi(tok)
			if err != nil {
				return nil, bad("bad literal %q", tok)
			}
			if n == 0 {
				if len(clauses) >= nclauses {
					return nil, bad("more clauses than the problem line announces (%d)", nclauses)
				}
				if len(cur) == 0 {
					return nil, bad("empty clause")
				}
				clauses = append(clauses, cur)
				cur = nil
				continue
			}
			if n > nvars || -n > nvars {
				return nil, bad("literal %d out of range 1..%d", n, nvars)
			}
			cur = append(cur, n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dimacs: read: %w", err)
	}
	if nvars < 0 {
		return nil, Errorf(EINVALID, "dimacs: no problem line")
	}
	if len(cur) > 0 {
		return nil, Errorf(EINVALID, "dimacs: line %d: last clause not terminated by 0", line)
	}
	if len(clauses) != nclauses {
		return nil, Errorf(EINVALID, "dimacs: problem line announces %d clauses, found %d", nclauses, len(clauses))
	}
	ids := &idMaker{used: map[string]bool{}}
	c := &Catalog{ID: ids.make(name), Name: name}
	for v := 1; v <= nvars; v++ {
		n := names[v]
		if n == "" {
			n = fmt.Sprintf("x%d", v)
		}
		c.Options = append(c.Options, Option{ID: ids.make(n), Name: n})
	}
	for k, cl := range clauses {
		x := &Expr{Op: "or"}
		for _, l := range cl {
			v := Var(c.Options[abs(l)-1].ID)
			if l < 0 {
				v = Not(v)
			}
			x.Args = append(x.Args, v)
		}
		c.Rules = append(c.Rules, Rule{ID: fmt.Sprintf("clause-%d", k+1), Kind: RuleFormula, Expr: x})
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("dimacs: %w", err)
	}
	return c, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
