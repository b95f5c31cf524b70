package analytics

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

func TestBuildReport(t *testing.T) {
	now := time.Date(2026, 6, 30, 15, 0, 0, 0, time.UTC)
	d := func(daysAgo int) time.Time {
		return time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -daysAgo)
	}
	var stats []portal.CustomerOrderStats
	// Ten customers: customer i last bought i*10 days ago, made i+1 orders
	// on i+1 days, spending 1,000 minor units per order.
	for i := 0; i < 10; i++ {
		stats = append(stats, portal.CustomerOrderStats{CustomerID: int64(i + 1), Orders: i + 1, Days: i + 1,
			FirstDay: d(i*10 + 7*i), LastDay: d(i * 10), RevenueMinor: int64(1000 * (i + 1)), FirstDayMinor: 1000})
	}
	rep, err := BuildReport(stats, now, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Customer 1 is the most recent but bought once: R5, F1, M1 = New.
	// Customer 10 bought most but longest ago: R1, F5, M5 = Can't lose them.
	first, _ := rep.Customer(1)
	last, _ := rep.Customer(10)
	if first.R != 5 || first.F != 1 || first.M != 1 || first.Segment != NewCustomers {
		t.Errorf("customer 1 = %+v, want R5 F1 M1 New", first)
	}
	if last.R != 1 || last.F != 5 || last.M != 5 || last.Segment != CantLoseThem {
		t.Errorf("customer 10 = %+v, want R1 F5 M5 Can't lose them", last)
	}
	if got, want := last.RecencyDays, 90; got != want {
		t.Errorf("recency = %d, want %d", got, want)
	}
	var n int
	var rev int64
	for _, s := range rep.Segments {
		n += s.Customers
		rev += s.RevenueMinor
	}
	if n != 10 || rev != rep.RevenueMinor || rev != 55000 {
		t.Errorf("segments hold %d customers, %d revenue; want 10, 55000", n, rev)
	}
	cells := 0
	for _, row := range rep.Grid {
		for _, v := range row {
			cells += v
		}
	}
	if cells != 10 {
		t.Errorf("grid holds %d customers", cells)
	}
	if rep.CLV == nil {
		t.Fatalf("no CLV fit: %v", rep.Notes)
	}
	// Few repeat buyers: the report must say so.
	if len(rep.Notes) == 0 {
		t.Error("no note about too few repeat buyers")
	}
	var eq float64
	for _, c := range rep.Customers {
		if c.PAlive <= 0 || c.PAlive > 1 || math.IsNaN(c.CLVMinor) {
			t.Fatalf("customer %d: %+v", c.CustomerID, c)
		}
		eq += c.CLVMinor
	}
	if math.Abs(eq-rep.CLV.EquityMinor) > 1e-6*eq {
		t.Errorf("equity %v, sum of CLV %v", rep.CLV.EquityMinor, eq)
	}
	sel := rep.Select(ListFilter{MinR: 4})
	for i, c := range sel {
		if c.R < 4 || (i > 0 && c.CLVMinor > sel[i-1].CLVMinor) {
			t.Fatalf("select: %+v", sel)
		}
	}
	// Pages of a list are slices of the whole list, past the end empty.
	for _, size := range []int{1, 7, len(sel)} {
		var joined []CustomerScore
		for off := 0; off <= len(sel); off += size {
			page, total := rep.SelectPage(ListFilter{MinR: 4}, off, size)
			if total != len(sel) || len(page) > size {
				t.Fatalf("page at %d of %d: %d customers of %d, want at most %d of %d", off, size, len(page), total, size, len(sel))
			}
			joined = append(joined, page...)
		}
		if len(joined) != len(sel) {
			t.Fatalf("pages of %d hold %d customers, the list %d", size, len(joined), len(sel))
		}
		for i := range sel {
			if joined[i].CustomerID != sel[i].CustomerID {
				t.Fatalf("pages of %d: customer %d is %d, the list's %d", size, i, joined[i].CustomerID, sel[i].CustomerID)
			}
		}
	}
}

func TestBuildReportEmpty(t *testing.T) {
	rep, err := BuildReport(nil, time.Now(), Options{})
	if err != nil || rep.CLV != nil || len(rep.Notes) == 0 || len(rep.Segments) != len(Segments) {
		t.Fatalf("rep = %+v, err = %v", rep, err)
	}
}

// gate is a stats reader that answers when told, to hold a refit running.
type gate struct {
	release chan struct{}
	stats   []portal.CustomerOrderStats
}

func (g *gate) CustomerOrderStats(ctx context.Context, f portal.CustomerStatsFilter) ([]portal.CustomerOrderStats, error) {
	select {
	case <-g.release:
		return g.stats, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func TestRefitterRunsOneAtATime(t *testing.T) {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g := &gate{release: make(chan struct{}), stats: []portal.CustomerOrderStats{{CustomerID: 1, Orders: 2, Days: 2, FirstDay: day, LastDay: day.AddDate(0, 0, 9), RevenueMinor: 500, FirstDayMinor: 200}}}
	r := NewRefitter(RefitterConfig{Store: g})
	defer r.Close()
	if !r.Refit() {
		t.Fatal("first refit not started")
	}
	st := r.Status()
	if !st.Running || st.Report != nil {
		t.Fatalf("status while running = %+v", st)
	}
	if r.Refit() {
		t.Fatal("second refit started while one runs")
	}
	close(g.release)
	<-st.Done
	st = r.Status()
	if st.Running || st.Err != nil || st.Report == nil || len(st.Report.Customers) != 1 || st.Progress != 1 {
		t.Fatalf("status after = %+v", st)
	}
	if !r.Refit() {
		t.Fatal("refit after the first not started")
	}
	<-r.Status().Done
}

func TestRefitterCloseStopsARunningRefit(t *testing.T) {
	r := NewRefitter(RefitterConfig{Store: &gate{release: make(chan struct{})}})
	r.Refit()
	r.Close() // returns only when the refit has ended (its read is cancelled)
	if st := r.Status(); st.Running || st.Err == nil {
		t.Fatalf("status = %+v", st)
	}
	if r.Refit() {
		t.Fatal("refit after close")
	}
}

func TestMovements(t *testing.T) {
	rep := &Report{Customers: []CustomerScore{{CustomerID: 1, Segment: Champions}, {CustomerID: 2, Segment: AtRisk}, {CustomerID: 3, Segment: AtRisk}, {CustomerID: 4, Segment: NewCustomers}}}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rep.Movements(map[int64]string{1: Champions, 2: Loyal, 3: Loyal}, at)
	want := []SegmentMove{{Loyal, AtRisk, 2}, {"", NewCustomers, 1}}
	if rep.Stayed != 1 || len(rep.Moves) != 2 || rep.Moves[0] != want[0] || rep.Moves[1] != want[1] || !rep.PreviousAt.Equal(at) {
		t.Fatalf("moves = %+v, stayed %d", rep.Moves, rep.Stayed)
	}
}

func TestMainCurrencyNotesMixedCurrencies(t *testing.T) {
	cur, notes := mainCurrency([]portal.CustomerOrderStats{{Currency: "EUR"}, {Currency: "USD"}, {Currency: "EUR"}}, nil)
	if cur != "EUR" || len(notes) != 1 {
		t.Fatalf("currency %q, notes %q", cur, notes)
	}
	if cur, notes := mainCurrency([]portal.CustomerOrderStats{{Currency: "GBP"}}, nil); cur != "GBP" || len(notes) != 0 {
		t.Fatalf("currency %q, notes %q", cur, notes)
	}
}
