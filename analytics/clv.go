package analytics

import (
	"fmt"
	"math"
	"sync"
)

// Options tune a CLV fit. Zero values mean the documented defaults.
type Options struct {
	// HorizonWeeks is how far ahead lifetime value looks; default 52.
	HorizonWeeks float64
	// DiscountRate is the yearly discount rate of future spend; default
	// 0.10. Negative means none.
	DiscountRate float64
	// Progress, when set, is called with the fraction done (0 to 1).
	Progress func(float64)
}

// CustomerValue is one customer's forecast.
type CustomerValue struct {
	CustomerSummary
	// PAlive is the probability the customer is still active.
	PAlive float64
	// Purchases is the expected number of transactions over the horizon.
	Purchases float64
	// HoldoutForecast is the expected number of transactions in the holdout
	// period, to compare with HoldoutX.
	HoldoutForecast float64
	// MeanSpend is the expected value of one future transaction.
	MeanSpend float64
	// CLV is the discounted expected value over the horizon.
	CLV float64
}

// Result is a fitted CLV model and its forecasts.
type Result struct {
	BGNBD BGNBD
	// GammaGamma is nil when there were no repeat customers with positive
	// spend to fit it on.
	GammaGamma *GammaGamma
	// Customers holds one forecast per customer of the calibration cohort.
	Customers       []CustomerValue
	RepeatCustomers int
	// SpendCustomers is how many customers the Gamma-Gamma fit used.
	SpendCustomers int
	// SpendFrequencyCorrelation is the Pearson correlation between the
	// number of repeat transactions and their mean value across repeat
	// customers; Gamma-Gamma assumes it is near zero. NaN when undefined.
	SpendFrequencyCorrelation float64
	// Equity is the sum of the customers' CLV.
	Equity       float64
	HorizonWeeks float64
	DiscountRate float64
	// Holdout compares the forecast with what happened after calibration.
	HoldoutWeeks    float64
	HoldoutActual   int
	HoldoutForecast float64
	// Notes say in plain words where the model's assumptions fail.
	Notes []string
}

// Thresholds for the assumption notes.
const (
	minRepeatCustomers   = 30
	maxSpendFrequencyCor = 0.3
)

// Fit fits BG/NBD and Gamma-Gamma to a calibration summary and forecasts
// every customer's purchases, probability of being active and lifetime
// value.
func Fit(s Summary, opt Options) (*Result, error) {
	if opt.HorizonWeeks == 0 {
		opt.HorizonWeeks = 52
	}
	if opt.DiscountRate == 0 {
		opt.DiscountRate = 0.10
	}
	if opt.DiscountRate < 0 {
		opt.DiscountRate = 0
	}
	progress := func(f float64) {
		if opt.Progress != nil {
			opt.Progress(f)
		}
	}
	if len(s.Customers) == 0 {
		return nil, ErrTooFewCustomers
	}
	res := &Result{HorizonWeeks: opt.HorizonWeeks, DiscountRate: opt.DiscountRate, HoldoutWeeks: s.HoldoutLength}
	rft := make([]RFT, len(s.Customers))
	var spends []Spend
	nonPositive := 0
	for i, c := range s.Customers {
		rft[i] = c.RFT
		if c.RFT.X > 0 {
			res.RepeatCustomers++
			if c.Spend.M > 0 {
				spends = append(spends, c.Spend)
			} else {
				nonPositive++
			}
		}
	}
	progress(0.05)
	// The two models are independent: the spend model is fitted while the
	// purchase model is.
	res.SpendCustomers = len(spends)
	var gg GammaGamma
	var ggErr error
	var wg sync.WaitGroup
	if len(spends) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gg, ggErr = FitGammaGamma(spends)
		}()
	}
	bg, err := FitBGNBD(rft)
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("fit BG/NBD: %w", err)
	}
	res.BGNBD = bg
	if ggErr != nil {
		return nil, fmt.Errorf("fit Gamma-Gamma: %w", ggErr)
	}
	if len(spends) > 0 {
		res.GammaGamma = &gg
	}
	progress(0.6)
	res.SpendFrequencyCorrelation = correlation(spends)
	res.Notes = notes(res, len(s.Customers), nonPositive, s.Later)

	// Value: expected purchases month by month (a twelfth of a year),
	// each month's spend discounted to today.
	const month = 52.0 / 12
	steps := int(math.Ceil(opt.HorizonWeeks/month - 1e-9))
	memo := map[RFT][2]float64{} // customers sharing a summary share a forecast
	overflow := 0
	res.Customers = make([]CustomerValue, len(s.Customers))
	for i, c := range s.Customers {
		v := CustomerValue{CustomerSummary: c, PAlive: bg.PAlive(c.RFT)}
		if res.GammaGamma != nil {
			v.MeanSpend = res.GammaGamma.ExpectedSpend(c.Spend)
		} else if c.Spend.M > 0 {
			v.MeanSpend = c.Spend.M
		}
		f, ok := memo[c.RFT]
		if !ok {
			var prev, disc float64
			for k := 1; k <= steps; k++ {
				t := math.Min(float64(k)*month, opt.HorizonWeeks)
				e := bg.ExpectedPurchases(c.RFT, t)
				disc += (e - prev) / math.Pow(1+opt.DiscountRate, t/52)
				prev = e
			}
			f = [2]float64{prev, disc}
			memo[c.RFT] = f
		}
		v.Purchases = f[0]
		v.CLV = f[1] * v.MeanSpend
		v.HoldoutForecast = bg.ExpectedPurchases(c.RFT, s.HoldoutLength)
		if !finite([]float64{v.PAlive, v.Purchases, v.CLV, v.HoldoutForecast, v.MeanSpend}) {
			// Degenerate fits (one customer, parameters at the edge of the
			// space) can overflow; such a customer counts as unknown, 0.
			v.PAlive, v.Purchases, v.CLV, v.HoldoutForecast = zeroIfNotFinite(v.PAlive), zeroIfNotFinite(v.Purchases), zeroIfNotFinite(v.CLV), zeroIfNotFinite(v.HoldoutForecast)
			v.MeanSpend = zeroIfNotFinite(v.MeanSpend)
			overflow++
		}
		res.Equity += v.CLV
		res.HoldoutActual += c.HoldoutX
		res.HoldoutForecast += v.HoldoutForecast
		res.Customers[i] = v
		if i%1024 == 0 {
			progress(0.6 + 0.4*float64(i)/float64(len(s.Customers)))
		}
	}
	if overflow > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("The fitted models give no usable forecast for %d customers (the fit is degenerate); they are counted as 0.", overflow))
	}
	progress(1)
	return res, nil
}

func zeroIfNotFinite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

func notes(res *Result, customers, nonPositive, later int) []string {
	var out []string
	switch {
	case res.RepeatCustomers == 0:
		out = append(out, "No customer bought more than once in the calibration period, so the models cannot tell how often customers come back: purchase forecasts and lifetime values are not meaningful.")
	case res.RepeatCustomers < minRepeatCustomers:
		out = append(out, fmt.Sprintf("Only %d of %d customers bought more than once; the models need more repeat buyers (at least %d) for reliable forecasts.", res.RepeatCustomers, customers, minRepeatCustomers))
	}
	if c := res.SpendFrequencyCorrelation; !math.IsNaN(c) && math.Abs(c) > maxSpendFrequencyCor {
		out = append(out, fmt.Sprintf("Spend per purchase is correlated with how often customers buy (correlation %.2f); the Gamma-Gamma spend model assumes they are independent, so lifetime values are less reliable.", c))
	}
	if gg := res.GammaGamma; gg != nil && gg.Q <= 1 {
		out = append(out, "The spend model has no finite average (q ≤ 1): customers without repeat purchases are valued at their own spend only.")
	}
	if res.BGNBD.A > 1e3 || res.BGNBD.B > 1e3 || res.BGNBD.R > 1e3 || res.BGNBD.Alpha > 1e6 {
		out = append(out, "The purchase model's parameters ran to extreme values: the data carry little information about drop-out, so treat P(active) with care.")
	}
	if gg := res.GammaGamma; gg != nil && (gg.P > 1e4 || gg.Q > 1e4) {
		out = append(out, "Spend per purchase hardly varies within customers, so the spend model's parameters ran to extreme values; expected spend is close to each customer's own average.")
	}
	if nonPositive > 0 {
		out = append(out, fmt.Sprintf("%d repeat customers with zero or negative average spend (refunds) were left out of the spend model.", nonPositive))
	}
	if later > 0 {
		out = append(out, fmt.Sprintf("%d customers first bought after the calibration end and are not in the forecast.", later))
	}
	return out
}

// correlation is the Pearson correlation of frequency and mean spend.
func correlation(ss []Spend) float64 {
	n := float64(len(ss))
	if n < 3 {
		return math.NaN()
	}
	var mx, my float64
	for _, s := range ss {
		mx += s.X
		my += s.M
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for _, s := range ss {
		dx, dy := s.X-mx, s.M-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}
