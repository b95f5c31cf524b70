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

// ggObjective is the mean negative log-likelihood at log parameters v, with
// its gradient in grad when grad is not nil.
func ggObjective(fit []Spend, n float64, v, grad []float64) float64 {
	p, q, g := math.Exp(v[0]), math.Exp(v[1]), math.Exp(v[2])
	psiQ, lnG := mathext.Digamma(q), math.Log(g)
	var ll, gp, gq, gg float64
	for _, s := range fit {
		ll += ggLogLik(p, q, g, s)
		if grad != nil {
			px := p * s.X
			psiPXQ := mathext.Digamma(px + q)
			lnGXM := math.Log(g + s.X*s.M)
			gp += s.X * (psiPXQ - mathext.Digamma(px) + math.Log(s.M) + math.Log(s.X) - lnGXM)
			gq += psiPXQ - psiQ + lnG - lnGXM
			gg += q/g - (px+q)/(g+s.X*s.M)
		}
	}
	if grad != nil {
		grad[0], grad[1], grad[2] = -gp*p/n, -gq*q/n, -gg*g/n
	}
	r := -ll / n
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
	negLL := func(v []float64) float64 { return ggObjective(fit, n, v, nil) }
	grad := func(g, v []float64) { ggObjective(fit, n, v, g) }
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
