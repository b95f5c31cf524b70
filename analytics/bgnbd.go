// Package analytics holds the customer models of the analytical CRM: the
// BG/NBD model of repeat purchases and of whether a customer is still active,
// the Gamma-Gamma model of spend, customer lifetime value and equity, and RFM
// scoring. It imports the standard library, gonum and the portal domain only.
package analytics

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/diff/fd"
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

// weighted is a distinct customer summary and how many customers share it;
// fitting on distinct rows keeps a refit on many customers fast.
type weighted struct {
	RFT
	n float64
}

func group(cs []RFT) []weighted {
	idx := make(map[RFT]int, len(cs))
	var out []weighted
	for _, c := range cs {
		if i, ok := idx[c]; ok {
			out[i].n++
			continue
		}
		idx[c] = len(out)
		out = append(out, weighted{c, 1})
	}
	return out
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
	ws := group(cs)
	var total float64
	for _, w := range ws {
		total += w.n
	}
	negLL := func(p []float64) float64 {
		r, alpha, a, b := math.Exp(p[0]), math.Exp(p[1]), math.Exp(p[2]), math.Exp(p[3])
		var ll float64
		for _, w := range ws {
			ll += w.n * bgnbdLogLik(r, alpha, a, b, w.RFT)
		}
		// Mean, not sum: keeps the gradient's scale independent of the
		// number of customers, so the convergence tests mean the same thing.
		v := -ll / total
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	// Starting points: the usual (1,1,1,1), and ones scaled to the data's
	// time unit (alpha near the mean age of the customers).
	var meanT float64
	for _, w := range ws {
		meanT += w.n * w.T
	}
	meanT /= total
	starts := [][]float64{
		{0, 0, 0, 0},
		{math.Log(0.5), math.Log(math.Max(meanT/10, 1e-3)), math.Log(0.8), math.Log(2.5)},
		{math.Log(2), math.Log(math.Max(meanT, 1e-3)), math.Log(2), math.Log(5)},
	}
	best, err := minimize(negLL, starts)
	if err != nil {
		return BGNBD{}, err
	}
	m := BGNBD{R: math.Exp(best[0]), Alpha: math.Exp(best[1]), A: math.Exp(best[2]), B: math.Exp(best[3])}
	m.LogLik = -negLL(best) * total
	return m, nil
}

// minimize runs BFGS (with a finite-difference gradient) and Nelder-Mead
// from each start and returns the best point found.
func minimize(f func([]float64) float64, starts [][]float64) ([]float64, error) {
	problem := optimize.Problem{
		Func: f,
		Grad: func(grad, x []float64) {
			fd.Gradient(grad, f, x, &fd.Settings{Formula: fd.Central})
		},
	}
	var best []float64
	bestV := math.Inf(1)
	var lastErr error
	for _, x0 := range starts {
		if v := f(x0); math.IsInf(v, 0) || math.IsNaN(v) {
			continue
		}
		for _, method := range []optimize.Method{&optimize.BFGS{}, &optimize.NelderMead{}} {
			res, err := optimize.Minimize(problem, x0, &optimize.Settings{MajorIterations: 2000}, method)
			if res == nil {
				lastErr = err
				continue
			}
			// A stopped run (iteration limit, line search failure near a
			// flat optimum) still holds the best point it reached.
			if v := res.F; !math.IsNaN(v) && v < bestV && finite(res.X) {
				bestV, best = v, append([]float64(nil), res.X...)
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
