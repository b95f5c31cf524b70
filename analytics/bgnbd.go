// Package analytics holds the customer models of the analytical CRM: the
// BG/NBD model of repeat purchases and of whether a customer is still active,
// the Gamma-Gamma model of spend, customer lifetime value and equity, and RFM
// scoring. It imports the standard library, gonum and the portal domain only.
package analytics

import (
	"errors"
	"math"
	"sync"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/optimize"
)

// RFT is one customer's calibration summary in the model's time unit: X
// repeat transactions, the last of them at Tx after the first purchase, and T
// from the first purchase to the end of the calibration period.
type RFT struct {
	X  float64
	Tx float64
	T  float64
}

// BGNBD holds the fitted parameters of the BG/NBD model (Fader, Hardie & Lee
// 2005): purchase rates are gamma(R, Alpha) across customers, and after each
// purchase a customer drops out with a probability that is beta(A, B).
type BGNBD struct {
	R, Alpha, A, B float64
	// LogLik is the log-likelihood of the calibration data at the optimum.
	LogLik float64
}

// bgnbdLogLik is one customer's log-likelihood.
func bgnbdLogLik(r, alpha, a, b float64, c RFT) float64 {
	x, tx, T := c.X, c.Tx, c.T
	lgR, _ := math.Lgamma(r)
	lgRX, _ := math.Lgamma(r + x)
	lgAB, _ := math.Lgamma(a + b)
	lgBX, _ := math.Lgamma(b + x)
	lgB, _ := math.Lgamma(b)
	lgABX, _ := math.Lgamma(a + b + x)
	a1 := lgRX - lgR + r*math.Log(alpha)
	a2 := lgAB + lgBX - lgB - lgABX
	a3 := -(r + x) * math.Log(alpha+T)
	if x == 0 {
		return a1 + a2 + a3
	}
	a4 := math.Log(a) - math.Log(b+x-1) - (r+x)*math.Log(alpha+tx)
	return a1 + a2 + logAddExp(a3, a4)
}

func logAddExp(u, v float64) float64 {
	if u < v {
		u, v = v, u
	}
	return u + math.Log1p(math.Exp(v-u))
}

// bgData is the calibration data arranged for fast likelihood evaluations:
// customers grouped by x (the gamma-function terms depend on x only) and
// each group's distinct (t_x, T) rows pointing into the distinct values of
// t_x and T, whose logarithms are computed once per evaluation.
type bgData struct {
	groups []bgGroup
	vals   []float64 // distinct values of t_x and T
	total  float64
}

type bgGroup struct {
	x    float64
	n    float64 // customers in the group
	rows []bgRow
}

// bgRow is a distinct (t_x, T), as indexes into bgData.vals, and how many
// customers share it.
type bgRow struct {
	tx, T int
	n     float64
}

func newBGData(cs []RFT) *bgData {
	d := &bgData{total: float64(len(cs))}
	byX := map[float64]int{}
	rows := map[RFT]int{}
	vals := map[float64]int{}
	val := func(v float64) int {
		i, ok := vals[v]
		if !ok {
			i = len(d.vals)
			vals[v] = i
			d.vals = append(d.vals, v)
		}
		return i
	}
	for _, c := range cs {
		gi, ok := byX[c.X]
		if !ok {
			gi = len(d.groups)
			byX[c.X] = gi
			d.groups = append(d.groups, bgGroup{x: c.X})
		}
		g := &d.groups[gi]
		g.n++
		key := c
		if c.X == 0 {
			key.Tx = 0
		}
		if ri, ok := rows[key]; ok {
			g.rows[ri].n++
			continue
		}
		rows[key] = len(g.rows)
		g.rows = append(g.rows, bgRow{val(key.Tx), val(key.T), 1})
	}
	return d
}

// bgnbdObjective returns the mean negative log-likelihood at the log
// parameters p, and its gradient with respect to them in grad when grad is
// not nil.
func bgnbdObjective(d *bgData, p, grad []float64) float64 {
	r, alpha, a, b := math.Exp(p[0]), math.Exp(p[1]), math.Exp(p[2]), math.Exp(p[3])
	lgR, _ := math.Lgamma(r)
	lgAB, _ := math.Lgamma(a + b)
	lgB, _ := math.Lgamma(b)
	psiR, psiAB, psiB := mathext.Digamma(r), mathext.Digamma(a+b), mathext.Digamma(b)
	lnA, lnAlpha := math.Log(a), math.Log(alpha)
	lnV := make([]float64, len(d.vals))  // log(alpha + v)
	invV := make([]float64, len(d.vals)) // 1 / (alpha + v)
	for i, v := range d.vals {
		lnV[i] = math.Log(alpha + v)
		invV[i] = 1 / (alpha + v)
	}
	var ll, gr, gal, ga, gb float64
	for _, g := range d.groups {
		x := g.x
		lgRX, _ := math.Lgamma(r + x)
		lgBX, _ := math.Lgamma(b + x)
		lgABX, _ := math.Lgamma(a + b + x)
		ll += g.n * (lgRX - lgR + r*lnAlpha + lgAB + lgBX - lgB - lgABX)
		if grad != nil {
			psiRX, psiABX := mathext.Digamma(r+x), mathext.Digamma(a+b+x)
			gr += g.n * (psiRX - psiR + lnAlpha)
			gal += g.n * r / alpha
			ga += g.n * (psiAB - psiABX)
			gb += g.n * (psiAB + mathext.Digamma(b+x) - psiB - psiABX)
		}
		if x == 0 {
			for _, row := range g.rows {
				ll -= row.n * r * lnV[row.T]
				if grad != nil {
					gr -= row.n * lnV[row.T]
					gal -= row.n * r * invV[row.T]
				}
			}
			continue
		}
		lnB1 := math.Log(b + x - 1)
		for _, row := range g.rows {
			lT, lTx := lnV[row.T], lnV[row.tx]
			a3 := -(r + x) * lT
			a4 := lnA - lnB1 - (r+x)*lTx
			// log(exp(a3) + exp(a4)), and the drop-out term's share.
			e := math.Exp(-math.Abs(a3 - a4))
			ll += row.n * (math.Max(a3, a4) + math.Log1p(e))
			if grad != nil {
				w4 := 1 / (1 + e)
				if a3 > a4 {
					w4 = e / (1 + e)
				}
				w3 := 1 - w4
				gr -= row.n * (w3*lT + w4*lTx)
				gal -= row.n * (r + x) * (w3*invV[row.T] + w4*invV[row.tx])
				ga += row.n * w4 / a
				gb -= row.n * w4 / (b + x - 1)
			}
		}
	}
	if grad != nil {
		// Chain rule to log parameters; negated and averaged like the value.
		t := d.total
		grad[0], grad[1], grad[2], grad[3] = -gr*r/t, -gal*alpha/t, -ga*a/t, -gb*b/t
	}
	v := -ll / d.total
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	return v
}

// ErrTooFewCustomers is returned when there is nothing to fit.
var ErrTooFewCustomers = errors.New("analytics: no customers to fit")

// FitBGNBD fits the BG/NBD model by maximum likelihood. The optimiser works on
// the logarithms of the parameters, so that they stay positive, and starts
// from several points, keeping the best optimum.
func FitBGNBD(cs []RFT) (BGNBD, error) {
	if len(cs) == 0 {
		return BGNBD{}, ErrTooFewCustomers
	}
	d := newBGData(cs)
	total := d.total
	// Mean, not sum: keeps the gradient's scale independent of the number
	// of customers, so the convergence tests mean the same thing.
	f := func(p []float64) float64 { return bgnbdObjective(d, p, nil) }
	grad := func(g, p []float64) { bgnbdObjective(d, p, g) }
	// Starting points: the usual (1,1,1,1), and ones scaled to the data's
	// time unit (alpha near the mean age of the customers).
	var meanT float64
	for _, c := range cs {
		meanT += c.T
	}
	meanT /= total
	starts := [][]float64{
		{0, 0, 0, 0},
		{math.Log(0.5), math.Log(math.Max(meanT/10, 1e-3)), math.Log(0.8), math.Log(2.5)},
		{math.Log(2), math.Log(math.Max(meanT, 1e-3)), math.Log(2), math.Log(5)},
	}
	best, err := minimize(f, grad, starts)
	if err != nil {
		return BGNBD{}, err
	}
	m := BGNBD{R: math.Exp(best[0]), Alpha: math.Exp(best[1]), A: math.Exp(best[2]), B: math.Exp(best[3])}
	m.LogLik = -f(best) * total
	return m, nil
}

// minimize runs BFGS with the analytic gradient from each start (at once,
// each on its own goroutine: f and grad must be safe for concurrent use),
// then Nelder-Mead from the best point found (a check that needs no
// gradient, and the fallback when BFGS stops early), and returns the best
// point. Ties go to the earlier start, so the result does not depend on
// the goroutines' timing.
func minimize(f func([]float64) float64, grad func(g, x []float64), starts [][]float64) ([]float64, error) {
	problem := optimize.Problem{Func: f, Grad: grad}
	type run struct {
		v   float64
		x   []float64
		err error
	}
	try := func(x0 []float64, method optimize.Method) run {
		res, err := optimize.Minimize(problem, x0, &optimize.Settings{MajorIterations: 1000}, method)
		if res == nil {
			return run{v: math.Inf(1), err: err}
		}
		// A stopped run (iteration limit, line search failure near a flat
		// optimum) still holds the best point it reached.
		if v := res.F; !math.IsNaN(v) && finite(res.X) {
			return run{v: v, x: append([]float64(nil), res.X...)}
		}
		return run{v: math.Inf(1)}
	}
	var best []float64
	bestV := math.Inf(1)
	var lastErr error
	keep := func(r run) {
		if r.err != nil {
			lastErr = r.err
		}
		if r.x != nil && r.v < bestV {
			bestV, best = r.v, r.x
		}
	}
	runs := make([]run, len(starts))
	var wg sync.WaitGroup
	for i, x0 := range starts {
		if v := f(x0); math.IsInf(v, 0) || math.IsNaN(v) {
			runs[i] = run{v: math.Inf(1)}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i] = try(x0, &optimize.BFGS{})
		}()
	}
	wg.Wait()
	for _, r := range runs {
		keep(r)
	}
	if best != nil {
		keep(try(best, &optimize.NelderMead{}))
	} else {
		for _, x0 := range starts {
			if v := f(x0); !math.IsInf(v, 0) && !math.IsNaN(v) {
				keep(try(x0, &optimize.NelderMead{}))
			}
		}
	}
	if best == nil {
		if lastErr == nil {
			lastErr = errors.New("no starting point has a finite likelihood")
		}
		return nil, errors.Join(errors.New("analytics: fit failed"), lastErr)
	}
	return best, nil
}

func finite(xs []float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// PAlive is the probability that a customer with summary c is still active
// at the end of the calibration period.
func (m BGNBD) PAlive(c RFT) float64 {
	if c.X == 0 {
		return 1
	}
	lr := math.Log(m.A) - math.Log(m.B+c.X-1) + (m.R+c.X)*(math.Log(m.Alpha+c.T)-math.Log(m.Alpha+c.Tx))
	return 1 / (1 + math.Exp(lr))
}

// ExpectedPurchases is the expected number of transactions of a customer
// with summary c in the next t time units (Fader, Hardie & Lee 2005, eq. 10).
func (m BGNBD) ExpectedPurchases(c RFT, t float64) float64 {
	if t <= 0 {
		return 0
	}
	r, alpha, a, b := m.R, m.Alpha, m.A, m.B
	x := c.X
	z := t / (alpha + c.T + t)
	hyp := mathext.Hypergeo(r+x, b+x, a+b+x-1, z)
	num := 1 - math.Exp((r+x)*math.Log((alpha+c.T)/(alpha+c.T+t)))*hyp
	num *= (a + b + x - 1) / (a - 1)
	den := 1.0
	if x > 0 {
		den += a / (b + x - 1) * math.Exp((r+x)*math.Log((alpha+c.T)/(alpha+c.Tx)))
	}
	v := num / den
	if math.IsNaN(v) || v < 0 {
		// a == 1 exactly makes the closed form 0/0; the limit is the
		// value at a slightly different a.
		if a == 1 {
			return BGNBD{R: r, Alpha: alpha, A: 1 + 1e-9, B: b}.ExpectedPurchases(c, t)
		}
		return 0
	}
	return v
}
