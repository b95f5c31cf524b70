package analytics

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Spend is a repeat customer's spend summary: X repeat transactions whose
// mean value is M.
type Spend struct {
	X float64
	M float64
}

// GammaGamma holds the fitted parameters of the Gamma-Gamma spend model
// (Fader & Hardie 2013): a customer's transaction values are gamma(P, nu) and
// nu is gamma(Q, Gamma) across customers.
type GammaGamma struct {
	P, Q, Gamma float64
	LogLik      float64
}

func ggLogLik(p, q, g float64, s Spend) float64 {
	px := p * s.X
	lg1, _ := math.Lgamma(px + q)
	lg2, _ := math.Lgamma(px)
	lg3, _ := math.Lgamma(q)
	return lg1 - lg2 - lg3 + q*math.Log(g) + (px-1)*math.Log(s.M) + px*math.Log(s.X) - (px+q)*math.Log(g+s.X*s.M)
}

// ggData is the spend data arranged for fast likelihood evaluations: the
// gamma-function terms depend on x only, so they are computed per distinct
// x; the terms linear in p are summed once; only log(gamma + x*m) is left
// per customer.
type ggData struct {
	n       float64
	xs      []float64 // distinct x
	xn      []float64 // customers per distinct x
	xi      []int     // each customer's index into xs
	x, xm   []float64 // per customer: x and x*m
	sumXLnM float64   // sum of x*ln(m) + x*ln(x)
	sumLnM  float64   // sum of ln(m)
	sumX    float64
}

func newGGData(fit []Spend) *ggData {
	d := &ggData{n: float64(len(fit))}
	idx := map[float64]int{}
	for _, s := range fit {
		i, ok := idx[s.X]
		if !ok {
			i = len(d.xs)
			idx[s.X] = i
			d.xs = append(d.xs, s.X)
			d.xn = append(d.xn, 0)
		}
		d.xn[i]++
		d.xi = append(d.xi, i)
		d.x = append(d.x, s.X)
		d.xm = append(d.xm, s.X*s.M)
		d.sumXLnM += s.X * (math.Log(s.M) + math.Log(s.X))
		d.sumLnM += math.Log(s.M)
		d.sumX += s.X
	}
	return d
}

// ggObjective is the mean negative log-likelihood at log parameters v, with
// its gradient in grad when grad is not nil.
func ggObjective(d *ggData, v, grad []float64) float64 {
	p, q, g := math.Exp(v[0]), math.Exp(v[1]), math.Exp(v[2])
	lgQ, _ := math.Lgamma(q)
	psiQ, lnG := mathext.Digamma(q), math.Log(g)
	// Terms that depend on x only.
	ll := d.n*(q*lnG-lgQ) + p*d.sumXLnM - d.sumLnM
	var gp, gq, gg float64
	gp = d.sumXLnM
	gq = d.n * (lnG - psiQ)
	gg = d.n * q / g
	for i, x := range d.xs {
		px := p * x
		lg1, _ := math.Lgamma(px + q)
		lg2, _ := math.Lgamma(px)
		ll += d.xn[i] * (lg1 - lg2)
		if grad != nil {
			psiPXQ := mathext.Digamma(px + q)
			gp += d.xn[i] * x * (psiPXQ - mathext.Digamma(px))
			gq += d.xn[i] * psiPXQ
		}
	}
	for i, x := range d.x {
		den := g + d.xm[i]
		l := math.Log(den)
		px := p * x
		ll -= (px + q) * l
		if grad != nil {
			gp -= x * l
			gq -= l
			gg -= (px + q) / den
		}
	}
	if grad != nil {
		grad[0], grad[1], grad[2] = -gp*p/d.n, -gq*q/d.n, -gg*g/d.n
	}
	r := -ll / d.n
	if math.IsNaN(r) {
		return math.Inf(1)
	}
	return r
}

// FitGammaGamma fits the Gamma-Gamma model by maximum likelihood on
// customers with at least one repeat transaction and a positive mean value.
func FitGammaGamma(ss []Spend) (GammaGamma, error) {
	var fit []Spend
	var meanM float64
	for _, s := range ss {
		if s.X > 0 && s.M > 0 {
			fit = append(fit, s)
			meanM += s.M
		}
	}
	if len(fit) == 0 {
		return GammaGamma{}, ErrTooFewCustomers
	}
	meanM /= float64(len(fit))
	n := float64(len(fit))
	d := newGGData(fit)
	negLL := func(v []float64) float64 { return ggObjective(d, v, nil) }
	grad := func(g, v []float64) { ggObjective(d, v, g) }
	starts := [][]float64{
		{0, 0, 0},
		{math.Log(5), math.Log(3), math.Log(math.Max(meanM, 1e-6))},
		{math.Log(2), math.Log(5), math.Log(math.Max(meanM*2, 1e-6))},
	}
	best, err := minimize(negLL, grad, starts)
	if err != nil {
		return GammaGamma{}, err
	}
	m := GammaGamma{P: math.Exp(best[0]), Q: math.Exp(best[1]), Gamma: math.Exp(best[2])}
	m.LogLik = -negLL(best) * n
	return m, nil
}

// ExpectedSpend is the expected mean transaction value of a customer with
// spend summary s; for a customer without repeat transactions it is the
// population mean. With Q <= 1 the population mean does not exist, and the
// customer's own mean (or 0) stands in.
func (m GammaGamma) ExpectedSpend(s Spend) float64 {
	if m.Q <= 1 {
		if s.X > 0 {
			return s.M
		}
		return 0
	}
	if s.X <= 0 || s.M <= 0 {
		return m.P * m.Gamma / (m.Q - 1)
	}
	return m.P * (m.Gamma + s.X*s.M) / (m.P*s.X + m.Q - 1)
}
