package analytics

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// CustomerScore is one customer's place in the analysis.
type CustomerScore struct {
	CustomerID int64
	// R, F and M are the quintile scores (5 best); Segment follows from R
	// and the combined FM score.
	R, F, M      int
	Segment      string
	RecencyDays  int
	Orders       int
	RevenueMinor int64
	// PAlive, Purchases and CLV come from the lifetime value models; CLV is
	// in minor units of the store's currency, over the report's horizon.
	PAlive    float64
	Purchases float64
	CLVMinor  float64
}

// SegmentSummary counts one segment.
type SegmentSummary struct {
	Name         string
	Customers    int
	RevenueMinor int64
	CLVMinor     float64
}

// CLVSummary is the fitted lifetime value model without its per-customer
// rows (those are in the report's customers).
type CLVSummary struct {
	BGNBD                     BGNBD
	GammaGamma                *GammaGamma
	Customers                 int
	RepeatCustomers           int
	SpendCustomers            int
	SpendFrequencyCorrelation float64
	EquityMinor               float64
	HorizonWeeks              float64
	DiscountRate              float64
}

// Report is the analysis of every customer with an order.
type Report struct {
	At   time.Time
	Took time.Duration
	// Customers is ordered by customer id.
	Customers    []CustomerScore
	Segments     []SegmentSummary
	RevenueMinor int64
	// Currency is the currency most customers bought in ("" with no
	// orders); amounts in other currencies are added as they are, and a
	// note says so.
	Currency string
	// Grid counts customers by recency score (row 0 is R=5) and FM score
	// (column 0 is FM=1).
	Grid [5][5]int
	// CLV is nil when the models could not be fitted; Notes then say why.
	CLV   *CLVSummary
	Notes []string
	// Moves says how customers moved between segments since PreviousAt
	// (nil when no previous period was given), largest moves first; Stayed
	// counts customers in the same segment as then.
	PreviousAt time.Time
	Moves      []SegmentMove
	Stayed     int

	// byValue lists indices into Customers from the most valuable down
	// (the lists' order), sorted once when the report is built rather
	// than on every page of a list.
	byValue []int32
}

// SegmentMove counts customers who moved from one segment to another; From
// is "" for customers who had not ordered by then.
type SegmentMove struct {
	From, To  string
	Customers int
}

// Segmentation assigns RFM segments as of now, without the models: for the
// previous period of a movement analysis.
func Segmentation(stats []portal.CustomerOrderStats, now time.Time) map[int64]string {
	_, rs, fs, ms := rfmScores(stats, day(now))
	out := make(map[int64]string, len(stats))
	for i, s := range stats {
		out[s.CustomerID] = SegmentOf(rs[i], FMScore(fs[i], ms[i]))
	}
	return out
}

// mainCurrency picks the most used currency and notes any others.
func mainCurrency(stats []portal.CustomerOrderStats, notes []string) (string, []string) {
	count := map[string]int{}
	for _, s := range stats {
		count[s.Currency]++
	}
	var codes []string
	for c := range count {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if count[codes[i]] != count[codes[j]] {
			return count[codes[i]] > count[codes[j]]
		}
		return codes[i] < codes[j]
	})
	if len(codes) > 1 {
		notes = append(notes, fmt.Sprintf("Orders are in several currencies (%s); amounts are added up as they are, without conversion.", strings.Join(codes, ", ")))
	}
	if len(codes) == 0 {
		return "", notes
	}
	return codes[0], notes
}

// rfmScores returns each customer's recency in days and R, F, M scores.
func rfmScores(stats []portal.CustomerOrderStats, today time.Time) (rec []float64, rs, fs, ms []int) {
	n := len(stats)
	rec = make([]float64, n)
	freq, mon := make([]float64, n), make([]float64, n)
	for i, s := range stats {
		rec[i] = math.Max(today.Sub(s.LastDay).Hours()/24, 0)
		freq[i], mon[i] = float64(s.Orders), float64(s.RevenueMinor)
	}
	return rec, Quintiles(rec, false), Quintiles(freq, true), Quintiles(mon, true)
}

// Movements compares segments now with those of an earlier segmentation.
func (r *Report) Movements(previous map[int64]string, at time.Time) {
	r.PreviousAt = at
	count := map[SegmentMove]int{}
	r.Moves, r.Stayed = nil, 0
	for _, c := range r.Customers {
		from := previous[c.CustomerID]
		if from == c.Segment {
			r.Stayed++
			continue
		}
		count[SegmentMove{From: from, To: c.Segment}]++
	}
	for m, n := range count {
		m.Customers = n
		r.Moves = append(r.Moves, m)
	}
	sort.Slice(r.Moves, func(i, j int) bool {
		a, b := r.Moves[i], r.Moves[j]
		if a.Customers != b.Customers {
			return a.Customers > b.Customers
		}
		if a.From != b.From {
			return a.From < b.From
		}
		return a.To < b.To
	})
}

// BuildReport scores customers by RFM and fits the lifetime value models to
// their orders, as of now (the calibration period ends today).
func BuildReport(stats []portal.CustomerOrderStats, now time.Time, opt Options) (*Report, error) {
	start := time.Now()
	today := day(now)
	rep := &Report{At: now}
	n := len(stats)
	if n == 0 {
		rep.Notes = []string{"No customer has an order yet, so there is nothing to analyse."}
		rep.Segments = segmentSummaries(nil)
		return rep, nil
	}
	sum := Summary{Customers: make([]CustomerSummary, n)}
	weeks := func(d time.Duration) float64 { return math.Max(float64(d)/float64(Week), 0) }
	for i, s := range stats {
		c := CustomerSummary{ID: fmt.Sprint(s.CustomerID), First: s.FirstDay, Revenue: float64(s.RevenueMinor)}
		c.RFT = RFT{X: float64(s.Days - 1), Tx: weeks(s.LastDay.Sub(s.FirstDay)), T: weeks(today.Sub(s.FirstDay))}
		if c.RFT.X > 0 {
			c.Spend = Spend{X: c.RFT.X, M: float64(s.RevenueMinor-s.FirstDayMinor) / c.RFT.X}
		}
		sum.Customers[i] = c
	}
	rep.Currency, rep.Notes = mainCurrency(stats, rep.Notes)
	rec, rs, fs, ms := rfmScores(stats, today)
	rep.Customers = make([]CustomerScore, n)
	for i, s := range stats {
		fm := FMScore(fs[i], ms[i])
		rep.Customers[i] = CustomerScore{CustomerID: s.CustomerID, R: rs[i], F: fs[i], M: ms[i], Segment: SegmentOf(rs[i], fm),
			RecencyDays: int(rec[i]), Orders: s.Orders, RevenueMinor: s.RevenueMinor}
		rep.Grid[5-rs[i]][fm-1]++
		rep.RevenueMinor += s.RevenueMinor
	}
	inner := opt.Progress
	opt.Progress = func(f float64) {
		if inner != nil {
			inner(0.1 + 0.9*f)
		}
	}
	res, err := Fit(sum, opt)
	if err != nil {
		rep.Notes = append(rep.Notes, "The lifetime value models could not be fitted to these orders: "+err.Error())
	} else {
		rep.CLV = &CLVSummary{BGNBD: res.BGNBD, GammaGamma: res.GammaGamma, Customers: n, RepeatCustomers: res.RepeatCustomers,
			SpendCustomers: res.SpendCustomers, SpendFrequencyCorrelation: res.SpendFrequencyCorrelation, EquityMinor: res.Equity,
			HorizonWeeks: res.HorizonWeeks, DiscountRate: res.DiscountRate}
		rep.Notes = append(rep.Notes, res.Notes...)
		for i, v := range res.Customers {
			c := &rep.Customers[i]
			c.PAlive, c.Purchases, c.CLVMinor = v.PAlive, v.Purchases, v.CLV
		}
	}
	rep.Segments = segmentSummaries(rep.Customers)
	rep.byValue = valueOrder(rep.Customers)
	rep.Took = time.Since(start)
	return rep, nil
}

func segmentSummaries(cs []CustomerScore) []SegmentSummary {
	idx := map[string]int{}
	out := make([]SegmentSummary, len(Segments))
	for i, s := range Segments {
		out[i].Name = s
		idx[s] = i
	}
	for _, c := range cs {
		s := &out[idx[c.Segment]]
		s.Customers++
		s.RevenueMinor += c.RevenueMinor
		s.CLVMinor += c.CLVMinor
	}
	return out
}

// ListFilter selects customers from a report. Zero fields match everything;
// scores run from 1 to 5, P(active) from 0 to 1.
type ListFilter struct {
	Segment     string
	MinR, MaxR  int
	MinF, MaxF  int
	MinM, MaxM  int
	MinCLVMinor *float64
	MaxCLVMinor *float64
	MinPAlive   *float64
	MaxPAlive   *float64
}

func (f ListFilter) match(c CustomerScore) bool {
	in := func(v, lo, hi int) bool { return (lo == 0 || v >= lo) && (hi == 0 || v <= hi) }
	inF := func(v float64, lo, hi *float64) bool { return (lo == nil || v >= *lo) && (hi == nil || v <= *hi) }
	return (f.Segment == "" || c.Segment == f.Segment) && in(c.R, f.MinR, f.MaxR) && in(c.F, f.MinF, f.MaxF) && in(c.M, f.MinM, f.MaxM) &&
		inF(c.CLVMinor, f.MinCLVMinor, f.MaxCLVMinor) && inF(c.PAlive, f.MinPAlive, f.MaxPAlive)
}

// Select returns the customers matching f, highest lifetime value first
// (then by revenue, then id, so pages are stable).
func (r *Report) Select(f ListFilter) []CustomerScore {
	var out []CustomerScore
	r.each(f, func(c *CustomerScore) bool {
		out = append(out, *c)
		return true
	})
	return out
}

// SelectPage is the page of Select(f) that starts at offset and holds up
// to limit customers, with the number of customers Select(f) holds; it
// copies only the page.
func (r *Report) SelectPage(f ListFilter, offset, limit int) (page []CustomerScore, total int) {
	r.each(f, func(c *CustomerScore) bool {
		if total >= offset && total < offset+limit {
			page = append(page, *c)
		}
		total++
		return true
	})
	return page, total
}

// each calls fn with the customers f matches, most valuable first, until
// fn returns false.
func (r *Report) each(f ListFilter, fn func(*CustomerScore) bool) {
	order := r.byValue
	if len(order) != len(r.Customers) { // a report not made by BuildReport
		order = valueOrder(r.Customers)
	}
	for _, i := range order {
		if c := &r.Customers[i]; f.match(*c) && !fn(c) {
			return
		}
	}
}

// valueOrder sorts the customers' indices by lifetime value, then revenue,
// then id.
func valueOrder(cs []CustomerScore) []int32 {
	order := make([]int32, len(cs))
	for i := range order {
		order[i] = int32(i)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := &cs[order[i]], &cs[order[j]]
		if a.CLVMinor != b.CLVMinor {
			return a.CLVMinor > b.CLVMinor
		}
		if a.RevenueMinor != b.RevenueMinor {
			return a.RevenueMinor > b.RevenueMinor
		}
		return a.CustomerID < b.CustomerID
	})
	return order
}

// Customer returns one customer's score, if the customer is in the report.
func (r *Report) Customer(id int64) (CustomerScore, bool) {
	i := sort.Search(len(r.Customers), func(i int) bool { return r.Customers[i].CustomerID >= id })
	if i < len(r.Customers) && r.Customers[i].CustomerID == id {
		return r.Customers[i], true
	}
	return CustomerScore{}, false
}
