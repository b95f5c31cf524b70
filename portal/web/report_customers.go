package web

import (
	"time"

	"context"
	"encoding/csv"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strconv"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// Analytics is the customer analysis behind the report pages: it refits in
// the background and hands out the latest report without waiting.
type Analytics interface {
	// Refit starts a refit unless one is running and says whether it did.
	Refit() bool
	// Follow is Refit for a refit another node asked for at about since
	// (an analysis already made since then may be loaded instead).
	Follow(since time.Time) bool
	Status() analytics.Status
}

type segmentRow struct {
	Name               string
	Customers, Revenue string
	Share              string // of customers
	CLV                string
	URL                string
}

type gridRow struct {
	R     int
	Cells []gridCell
}

type gridCell struct {
	FM      int
	Count   string
	Segment string
}

// customersView is what report_customers.html renders.
type customersView struct {
	Running   bool
	Progress  int
	Error     string
	Report    *analytics.Report
	Customers string
	Revenue   string
	Segments  []segmentRow
	Grid      []gridRow
	Charts    struct{ Segments, Revenue, Grid template.HTML }
	CLV       *clvView
	Notes     []string
	Moves     []moveRow
	Stayed    string
}

type moveRow struct {
	From, To, Customers string
}

type clvView struct {
	R, Alpha, A, B, BGLogLik string
	P, Q, Gamma, GGLogLik    string
	Fitted                   bool // Gamma-Gamma
	Repeat, SpendCustomers   string
	Correlation              string
	Equity                   string
	Horizon, Discount        string
}

// handleCustomerAnalytics shows segments, the RFM grid and the lifetime
// value model from the latest analysis; it never waits for a refit.
func (s *Server) handleCustomerAnalytics(c *fiber.Ctx) error {
	st := s.analytics.Status()
	v := customersView{Running: st.Running, Progress: int(math.Round(st.Progress * 100)), Report: st.Report}
	if st.Err != nil {
		s.log.Error("customer analysis", "err", st.Err)
		v.Error = "The last analysis failed; the figures below are from the one before."
	}
	if rep := st.Report; rep != nil {
		cur := reportCurrency(rep)
		money := func(minor float64) string { return formatMoney(int64(math.Round(minor)), cur) }
		n := len(rep.Customers)
		v.Customers, v.Revenue = thousands(int64(n)), money(float64(rep.RevenueMinor))
		var custBars, revBars []bar
		for _, sg := range rep.Segments {
			share := "0%"
			if n > 0 {
				share = fmt.Sprintf("%.1f%%", 100*float64(sg.Customers)/float64(n))
			}
			v.Segments = append(v.Segments, segmentRow{Name: sg.Name, Customers: thousands(int64(sg.Customers)), Share: share,
				Revenue: money(float64(sg.RevenueMinor)), CLV: money(sg.CLVMinor), URL: "/reports/customers/list?" + url.Values{"segment": {sg.Name}}.Encode()})
			custBars = append(custBars, bar{sg.Name, float64(sg.Customers), thousands(int64(sg.Customers))})
			revBars = append(revBars, bar{sg.Name, float64(sg.RevenueMinor), money(float64(sg.RevenueMinor))})
		}
		v.Charts.Segments = barChart("Customers per segment", custBars)
		v.Charts.Revenue = barChart("Revenue per segment", revBars)
		v.Charts.Grid = gridChart("Customers by recency score and frequency-spend score", rep.Grid)
		for r := 0; r < 5; r++ {
			row := gridRow{R: 5 - r}
			for col := 0; col < 5; col++ {
				row.Cells = append(row.Cells, gridCell{FM: col + 1, Count: thousands(int64(rep.Grid[r][col])), Segment: analytics.SegmentOf(5-r, col+1)})
			}
			v.Grid = append(v.Grid, row)
		}
		if m := rep.CLV; m != nil {
			f := func(x float64) string { return fmt.Sprintf("%.4g", x) }
			cv := &clvView{R: f(m.BGNBD.R), Alpha: f(m.BGNBD.Alpha), A: f(m.BGNBD.A), B: f(m.BGNBD.B), BGLogLik: fmt.Sprintf("%.1f", m.BGNBD.LogLik),
				Repeat: thousands(int64(m.RepeatCustomers)), SpendCustomers: thousands(int64(m.SpendCustomers)), Equity: money(m.EquityMinor),
				Horizon: fmt.Sprintf("%.0f weeks", m.HorizonWeeks), Discount: fmt.Sprintf("%.0f%%", m.DiscountRate*100), Correlation: "not defined"}
			if gg := m.GammaGamma; gg != nil {
				cv.Fitted = true
				cv.P, cv.Q, cv.Gamma, cv.GGLogLik = f(gg.P), f(gg.Q), f(gg.Gamma/100), fmt.Sprintf("%.1f", gg.LogLik)
			}
			if c := m.SpendFrequencyCorrelation; !math.IsNaN(c) {
				cv.Correlation = fmt.Sprintf("%.2f", c)
			}
			v.CLV = cv
		}
		v.Notes = rep.Notes
		v.Stayed = thousands(int64(rep.Stayed))
		for i, m := range rep.Moves {
			if i == 15 {
				break
			}
			from := m.From
			if from == "" {
				from = "(no order yet)"
			}
			v.Moves = append(v.Moves, moveRow{from, m.To, thousands(int64(m.Customers))})
		}
	}
	return s.render(c, fiber.StatusOK, "report_customers", "Customer analytics", v)
}

// analyticsTopic tells the other nodes of a cluster to refit too, so that
// every node shows the analysis a manager asked for.
const analyticsTopic = "analytics.refit"

// followRefits starts a refit when another node asks for one.
func (s *Server) followRefits(ctx context.Context, ch <-chan portal.BusMessage, cancel func()) {
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-ch:
			if m.Node != s.bus.Node() {
				// The bus is quick; a minute allows for clocks apart.
				s.analytics.Follow(s.now().Add(-time.Minute))
			}
		}
	}
}

// handleCustomerAnalyticsRefit starts a refit here and on the other nodes
// and goes back to the page, which shows its progress.
func (s *Server) handleCustomerAnalyticsRefit(c *fiber.Ctx) error {
	if s.analytics.Refit() {
		if err := s.bus.Publish(c.UserContext(), analyticsTopic, []byte(`{"refit":true}`)); err != nil {
			s.log.Warn("ask other nodes to refit", "err", err)
		}
		s.audit(c, "analytics.refit", "analytics", "customers", "")
		s.setFlash(c, "ok", "The analysis is running; this page shows its progress.")
	} else {
		s.setFlash(c, "ok", "The analysis is already running.")
	}
	return c.Redirect("/reports/customers", fiber.StatusSeeOther)
}

// handleCustomerAnalyticsStatus tells the page's script how far a refit is.
func (s *Server) handleCustomerAnalyticsStatus(c *fiber.Ctx) error {
	st := s.analytics.Status()
	out := fiber.Map{"running": st.Running, "progress": st.Progress, "failed": st.Err != nil}
	if st.Report != nil {
		out["at"] = st.Report.At
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// reportCurrency is the currency a report's amounts are shown in.
func reportCurrency(rep *analytics.Report) string {
	if rep == nil || rep.Currency == "" {
		return "EUR"
	}
	return rep.Currency
}

// ownAnalytics is the default analysis: refits on demand from the store,
// stopped with the server.
// handleCustomerSegmentsCSV downloads the dashboard's segment table.
func (s *Server) handleCustomerSegmentsCSV(c *fiber.Ctx) error {
	rep := s.analytics.Status().Report
	if rep == nil {
		return portal.Errorf(portal.ECONFLICT, "No analysis has finished yet; run it first.")
	}
	cur := reportCurrency(rep)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="segments.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	w := csv.NewWriter(c.Response().BodyWriter())
	w.Write([]string{"segment", "customers", "revenue", "clv", "currency"})
	for _, sg := range rep.Segments {
		w.Write([]string{sg.Name, strconv.Itoa(sg.Customers), fmt.Sprintf("%.2f", float64(sg.RevenueMinor)/100), fmt.Sprintf("%.2f", sg.CLVMinor/100), cur})
	}
	w.Flush()
	return w.Error()
}
