package analytics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

const cdnowPath = "/work/shared/data/clv/cdnow_sample.csv"

// mustCDNOW reads the CDNOW sample; the test skips when the shared data is
// not on this machine.
func mustCDNOW(tb testing.TB) Summary {
	tb.Helper()
	f, err := os.Open(cdnowPath)
	if os.IsNotExist(err) {
		tb.Skip("CDNOW sample not available")
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	txs, err := ReadTransactions(f)
	if err != nil {
		tb.Fatal(err)
	}
	return Summarize(txs, time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC), time.Time{})
}

func within(tb testing.TB, name string, got, want, rel float64) {
	tb.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		tb.Errorf("%s = %.4f, want %.4f ± %.1f%%", name, got, want, rel*100)
	}
}

// TestFitCDNOWPublished reproduces Fader, Hardie & Lee (2005) and Fader &
// Hardie (2013) on the CDNOW sample, as described in the data's README.
func TestFitCDNOWPublished(t *testing.T) {
	s := mustCDNOW(t)
	if got, want := len(s.Customers), 2357; got != want {
		t.Fatalf("customers = %d, want %d", got, want)
	}
	res, err := Fit(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.RepeatCustomers, 946; got != want {
		t.Errorf("repeat customers = %d, want %d", got, want)
	}
	bg := res.BGNBD
	within(t, "r", bg.R, 0.243, 0.01)
	within(t, "alpha", bg.Alpha, 4.414, 0.01)
	within(t, "a", bg.A, 0.793, 0.01)
	within(t, "b", bg.B, 2.426, 0.01)
	within(t, "loglik", bg.LogLik, -9582.4, 0.0001)
	gg := res.GammaGamma
	if gg == nil {
		t.Fatal("no Gamma-Gamma fit")
	}
	within(t, "p", gg.P, 6.25, 0.01)
	within(t, "q", gg.Q, 3.74, 0.01)
	within(t, "gamma", gg.Gamma, 15.44, 0.01)
	if got, want := res.SpendCustomers, 946; got != want {
		t.Errorf("spend customers = %d, want %d", got, want)
	}
	// Fader & Hardie (2013) report a correlation of 0.11 between frequency
	// and average spend; the note must therefore stay quiet.
	within(t, "correlation", res.SpendFrequencyCorrelation, 0.11, 0.05)
	if len(res.Notes) != 0 {
		t.Errorf("notes = %q, want none", res.Notes)
	}
	// The holdout: 39 weeks, in which the cohort made 1,882 transactions;
	// the paper's forecast is close to it (within 15% in aggregate).
	within(t, "holdout weeks", res.HoldoutWeeks, 39, 1e-9)
	if got, want := res.HoldoutActual, 1882; got != want {
		t.Errorf("holdout actual = %d, want %d", got, want)
	}
	within(t, "holdout forecast", res.HoldoutForecast, float64(res.HoldoutActual), 0.15)
	var eq float64
	for _, c := range res.Customers {
		if c.PAlive < 0 || c.PAlive > 1 || c.CLV < 0 || math.IsNaN(c.CLV) {
			t.Fatalf("customer %s: P(alive)=%v CLV=%v", c.ID, c.PAlive, c.CLV)
		}
		eq += c.CLV
	}
	within(t, "equity", res.Equity, eq, 1e-9)
}

// TestExpectedPurchasesPaper checks the conditional expectation against the
// paper's worked example: a customer with x=2, t_x=30.43, T=38.86 is
// expected to make 1.226 purchases in the next 39 weeks.
func TestExpectedPurchasesPaper(t *testing.T) {
	m := BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	within(t, "E[Y(39)]", m.ExpectedPurchases(RFT{X: 2, Tx: 30.43, T: 38.86}, 39), 1.226, 0.01)
	if got := m.PAlive(RFT{X: 0, T: 30}); got != 1 {
		t.Errorf("P(alive) with no repeat = %v, want 1", got)
	}
	// More recent purchases mean more likely alive.
	if a, b := m.PAlive(RFT{X: 3, Tx: 35, T: 38}), m.PAlive(RFT{X: 3, Tx: 5, T: 38}); a <= b {
		t.Errorf("P(alive) recent %v <= old %v", a, b)
	}
}

// simulate draws customers from a BG/NBD and Gamma-Gamma process with known
// parameters, as transactions on whole days.
func simulate(seed uint64, n int, r, alpha, a, b, p, q, gamma float64) []Transaction {
	src := rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
	rng := rand.New(src)
	lam := distuv.Gamma{Alpha: r, Beta: alpha, Src: src}
	drop := distuv.Beta{Alpha: a, Beta: b, Src: src}
	nu := distuv.Gamma{Alpha: q, Beta: gamma, Src: src}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []Transaction
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("c%05d", i)
		first := start.AddDate(0, 0, rng.IntN(84))
		l, pd, v := lam.Rand(), drop.Rand(), nu.Rand()
		z := distuv.Gamma{Alpha: p, Beta: v, Src: src}
		out = append(out, Transaction{id, first, z.Rand()})
		// Active from the first purchase until a drop-out, which can only
		// follow a repeat purchase.
		for t := rng.ExpFloat64() / l; t < 80; t += rng.ExpFloat64() / l {
			out = append(out, Transaction{id, first.Add(time.Duration(t * float64(Week))), z.Rand()})
			if rng.Float64() < pd {
				break
			}
		}
	}
	for i := range out {
		out[i].Date = day(out[i].Date)
	}
	return out
}

// TestFitRecoversSimulatedParameters draws 8,000 customers from known
// parameters and checks the fit finds them again.
func TestFitRecoversSimulatedParameters(t *testing.T) {
	txs := simulate(7, 8000, 0.5, 6, 0.7, 3, 6, 4, 15)
	s := Summarize(txs, time.Date(2024, 9, 30, 0, 0, 0, 0, time.UTC), time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC))
	res, err := Fit(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bg, gg := res.BGNBD, res.GammaGamma
	t.Logf("bgnbd %+v gg %+v repeat=%d", bg, *gg, res.RepeatCustomers)
	within(t, "r", bg.R, 0.5, 0.15)
	within(t, "alpha", bg.Alpha, 6, 0.2)
	within(t, "a", bg.A, 0.7, 0.25)
	within(t, "b", bg.B, 3, 0.3)
	within(t, "p", gg.P, 6, 0.15)
	within(t, "q", gg.Q, 4, 0.2)
	within(t, "gamma", gg.Gamma, 15, 0.25)
	within(t, "holdout forecast", res.HoldoutForecast, float64(res.HoldoutActual), 0.1)
}

func TestFitEdgeCases(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	end := d("2024-06-30")
	t.Run("no repeat buyers gives a note, not an error", func(t *testing.T) {
		var txs []Transaction
		for i := 0; i < 50; i++ {
			txs = append(txs, Transaction{fmt.Sprint(i), d("2024-01-01").AddDate(0, 0, i), 10})
		}
		res, err := Fit(Summarize(txs, end, time.Time{}), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.GammaGamma != nil || res.RepeatCustomers != 0 {
			t.Errorf("gamma-gamma = %v, repeat = %d", res.GammaGamma, res.RepeatCustomers)
		}
		if len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "more than once") {
			t.Errorf("notes = %q", res.Notes)
		}
		for _, c := range res.Customers {
			if math.IsNaN(c.CLV) || math.IsNaN(c.PAlive) || math.IsNaN(c.Purchases) {
				t.Fatalf("NaN forecast: %+v", c)
			}
		}
	})
	t.Run("single customer", func(t *testing.T) {
		txs := []Transaction{{"a", d("2024-01-01"), 5}, {"a", d("2024-02-01"), 7}, {"a", d("2024-03-01"), 9}}
		res, err := Fit(Summarize(txs, end, time.Time{}), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(res.Customers); got != 1 {
			t.Fatalf("customers = %d", got)
		}
		if c := res.Customers[0]; math.IsNaN(c.CLV) || c.CLV < 0 {
			t.Errorf("CLV = %v", c.CLV)
		}
	})
	t.Run("refunds and duplicates on one day", func(t *testing.T) {
		txs := []Transaction{
			{"a", d("2024-01-01"), 10}, {"a", d("2024-03-01"), 10}, {"a", d("2024-03-01"), -10},
			{"b", d("2024-01-05"), 10}, {"b", d("2024-02-05"), 20}, {"b", d("2024-02-05"), 20},
		}
		s := Summarize(txs, end, time.Time{})
		if got := s.Customers[1].Spend; got.X != 1 || got.M != 40 {
			t.Errorf("b spend = %+v, want one repeat day worth 40", got)
		}
		res, err := Fit(s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.SpendCustomers != 1 {
			t.Errorf("spend customers = %d, want 1 (a's repeat day nets to zero)", res.SpendCustomers)
		}
		if !strings.Contains(strings.Join(res.Notes, " "), "zero or negative") {
			t.Errorf("notes = %q", res.Notes)
		}
	})
	t.Run("nothing before the calibration end", func(t *testing.T) {
		_, err := Fit(Summarize([]Transaction{{"a", d("2025-01-01"), 1}}, end, time.Time{}), Options{})
		if err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("spend correlated with frequency gives a note", func(t *testing.T) {
		var txs []Transaction
		for i := 0; i < 200; i++ {
			n := 1 + i%6
			for k := 0; k <= n; k++ {
				txs = append(txs, Transaction{fmt.Sprint(i), d("2024-01-01").AddDate(0, 0, 7*k+i%5), float64(10 * n)})
			}
		}
		res, err := Fit(Summarize(txs, end, time.Time{}), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(res.Notes, " "), "correlated") {
			t.Errorf("notes = %q (correlation %.2f)", res.Notes, res.SpendFrequencyCorrelation)
		}
	})
}

func TestReadTransactions(t *testing.T) {
	t.Run("unsorted, extra columns, other date forms", func(t *testing.T) {
		in := "amount,note,Customer_ID,date\n12.50,x,7,2024-03-01\n\"1,200.00\",y,7,20240101\n3,z,8,2024-02-01T10:00:00Z\n"
		txs, err := ReadTransactions(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(txs), 3; got != want {
			t.Fatalf("rows = %d, want %d", got, want)
		}
		if got, want := txs[1].Amount, 1200.0; got != want {
			t.Errorf("amount = %v, want %v", got, want)
		}
		if got, want := txs[2].Date, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("date = %v, want %v", got, want)
		}
	})
	t.Run("dates with month names", func(t *testing.T) {
		want := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
		for _, in := range []string{"5 Mar 2024", "05-Mar-2024", "Mar 5, 2024", "March 5, 2024", "2024-03-05 23:59:59", "03/05/2024", "20240305"} {
			if got, err := ParseDate(in, false); err != nil || !got.Equal(want) {
				t.Errorf("ParseDate(%q) = %v, %v", in, got, err)
			}
		}
	})
	t.Run("day-first dates decided for the file", func(t *testing.T) {
		txs, err := ReadTransactions(strings.NewReader("customer_id;date;amount\n1;25/12/2024;1\n1;03/04/2024;2\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := txs[1].Date.Month(); got != time.April {
			t.Errorf("month = %v, want April", got)
		}
	})
	for name, tc := range map[string]struct{ in, want string }{
		"missing column": {"customer_id,when,amount\n1,2024-01-01,3\n", "missing: date"},
		"bad date":       {"customer_id,date,amount\n1,2024-01-01,3\n2,yesterday,4\n", "line 3: \"yesterday\" is not a date"},
		"bad amount":     {"customer_id,date,amount\n1,2024-01-01,three\n", "line 2: \"three\" is not an amount"},
		"empty id":       {"customer_id,date,amount\n,2024-01-01,3\n", "line 2: the customer id is empty"},
		"short row":      {"customer_id,date,amount\n1,2024-01-01\n", "line 2: expected at least 3 fields"},
		"empty file":     {"", "empty"},
		"header only":    {"customer_id,date,amount\n", "no rows"},
	} {
		t.Run(name+" is an error naming the line", func(t *testing.T) {
			_, err := ReadTransactions(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}
