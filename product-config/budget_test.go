package productconfig_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	productconfig "github.com/frontdesk/frontdesk/product-config"
)

// pigeonhole is the DIMACS of pigeons in holes, one pigeon a hole: no
// assignment exists, and a CDCL solver needs exponential time to see it.
func pigeonhole(pigeons, holes int) string {
	v := func(p, h int) int { return p*holes + h + 1 }
	var cl []string
	for p := 0; p < pigeons; p++ {
		var c []string
		for h := 0; h < holes; h++ {
			c = append(c, fmt.Sprint(v(p, h)))
		}
		cl = append(cl, strings.Join(c, " ")+" 0")
	}
	for h := 0; h < holes; h++ {
		for p := 0; p < pigeons; p++ {
			for q := p + 1; q < pigeons; q++ {
				cl = append(cl, fmt.Sprintf("-%d -%d 0", v(p, h), v(q, h)))
			}
		}
	}
	return fmt.Sprintf("p cnf %d %d\n%s\n", pigeons*holes, len(cl), strings.Join(cl, "\n"))
}

// TestCheckHonoursContext: checking a catalogue too hard for the solver
// (a pigeonhole of 13 in 12) stops when the context ends (a deadline, or
// cancelled: the client left, the server is stopping) and says the
// catalogue is too hard to check, instead of keeping a core busy.
func TestCheckHonoursContext(t *testing.T) {
	cat, err := productconfig.ParseDIMACS([]byte(pigeonhole(13, 12)), "pigeons")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = productconfig.CheckCatalog(ctx, cat)
	if !productconfig.IsTooHard(err) || productconfig.ErrorCode(err) != productconfig.ETOOHARD {
		t.Fatalf("check with a deadline: %v, want too hard", err)
	}
	if !strings.Contains(err.Error(), "too hard to check") {
		t.Fatalf("message %q", err)
	}
	eng, err := productconfig.Compile(cat)
	if err != nil {
		t.Fatal(err)
	}
	gone, leave := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, leave)
	if _, err := eng.Evaluate(gone, nil); !productconfig.IsTooHard(err) {
		t.Fatalf("evaluate after the client left: %v, want too hard", err)
	}
	// The engine is still usable afterwards: an easy question is answered.
	easy, err := productconfig.ParseDIMACS([]byte("p cnf 2 1\n1 2 0\n"), "easy")
	if err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if rep, err := productconfig.CheckCatalog(ctx2, easy); err != nil || !rep.Valid {
		t.Fatalf("easy check: %v %v", rep, err)
	}
}

// TestDIMACSBounds: a forged header cannot make the import build millions
// of options, and malformed comments cannot panic it.
func TestDIMACSBounds(t *testing.T) {
	for _, in := range []string{
		"p cnf 2000000000 1\n1 0\n",
		"p cnf 3 999999999\n1 0\n",
		"p cnf 2 1\n1 0\n2 0\n",
		"c\t1\tname\np cnf 1 1\n1 0\n",
	} {
		_, err := productconfig.ParseDIMACS([]byte(in), "x")
		if in[0] == 'c' {
			if err != nil {
				t.Errorf("tab-separated comment: %v", err)
			}
			continue
		}
		if productconfig.ErrorCode(err) != productconfig.EINVALID {
			t.Errorf("%q: %v, want invalid", in, err)
		}
	}
}
