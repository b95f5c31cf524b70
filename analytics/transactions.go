package analytics

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Transaction is one purchase: who, on which day (UTC midnight) and for how
// much.
type Transaction struct {
	CustomerID string
	Date       time.Time
	Amount     float64
}

// ParseDate reads a date in one of the common forms: 2006-01-02, RFC 3339 or
// "2006-01-02 15:04:05" (the time of day is dropped), 20060102, 2006/01/02,
// 2006.01.02, "2 Jan 2006", "02-Jan-2006", "Jan 2, 2006", and day/month/year
// or month/day/year with a four-digit year (dayFirst chooses when both
// fields are 12 or less).
func ParseDate(s string, dayFirst bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("the date is empty")
	}
	for _, layout := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05Z07:00", "20060102", "2006/01/02", "2006.01.02", "2006-1-2", "2006/1/2",
		"2 Jan 2006", "02-Jan-2006", "2-Jan-2006", "Jan 2 2006", "Jan 2, 2006", "January 2, 2006", "2 January 2006", "Mon, 02 Jan 2006 15:04:05 MST"} {
		if t, err := time.Parse(layout, s); err == nil {
			return day(t), nil
		}
	}
	// d/m/yyyy or m/d/yyyy, with "/", "." or "-".
	if f := strings.FieldsFunc(strings.Fields(s)[0], func(r rune) bool { return r == '/' || r == '.' || r == '-' }); len(f) == 3 && len(f[2]) == 4 {
		a, err1 := strconv.Atoi(f[0])
		b, err2 := strconv.Atoi(f[1])
		y, err3 := strconv.Atoi(f[2])
		if err1 == nil && err2 == nil && err3 == nil {
			d, m := b, a
			if dayFirst || a > 12 {
				d, m = a, b
			}
			if b > 12 {
				d, m = b, a
			}
			t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			if m >= 1 && m <= 12 && d >= 1 && t.Day() == d {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (use YYYY-MM-DD)", s)
}

func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Column names accepted in a transaction file's header, first match wins.
var (
	idColumns     = []string{"customer_id", "customerid", "customer", "cust_id", "client_id", "user_id", "id"}
	dateColumns   = []string{"date", "order_date", "transaction_date", "purchase_date", "invoice_date", "timestamp", "time", "placed_at"}
	amountColumns = []string{"amount", "value", "revenue", "sales", "total", "spend", "price"}
)

// ReadTransactions reads a CSV file with a header naming the columns
// customer_id, date and amount (other columns are ignored; ";" and tab
// separators are recognised). Rows may come in any order. A bad row is an
// error naming its line; up to ten are reported at once.
func ReadTransactions(r io.Reader) ([]Transaction, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read transactions: %w", err)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sniffComma(text)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("the transaction file is empty")
	}
	if err != nil {
		return nil, fmt.Errorf("line 1: %w", err)
	}
	col := func(names []string) int {
		for _, n := range names {
			for i, h := range header {
				if strings.EqualFold(strings.TrimSpace(h), n) {
					return i
				}
			}
		}
		return -1
	}
	ci, di, ai := col(idColumns), col(dateColumns), col(amountColumns)
	var missing []string
	if ci < 0 {
		missing = append(missing, "customer_id")
	}
	if di < 0 {
		missing = append(missing, "date")
	}
	if ai < 0 {
		missing = append(missing, "amount")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("line 1: the header must name the columns customer_id, date and amount; missing: %s (header: %s)", strings.Join(missing, ", "), strings.Join(header, ","))
	}
	type raw struct {
		line         int
		id, date, am string
	}
	var rows []raw
	var errs []error
	bad := func(line int, format string, args ...any) {
		if len(errs) < 10 {
			errs = append(errs, fmt.Errorf("line %d: "+format, append([]any{line}, args...)...))
		} else if len(errs) == 10 {
			errs = append(errs, errors.New("(more bad rows not shown)"))
		}
	}
	need := max(ci, di, ai) + 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			bad(line, "%v", err)
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) < need {
			bad(line, "expected at least %d fields, found %d", need, len(rec))
			continue
		}
		rows = append(rows, raw{line, strings.TrimSpace(rec[ci]), rec[di], rec[ai]})
	}
	// Day and month order of d/m/yyyy dates is decided for the whole file:
	// a first field above 12 anywhere means day first.
	dayFirst := false
	for _, r := range rows {
		if f := strings.FieldsFunc(strings.TrimSpace(r.date), func(c rune) bool { return c == '/' || c == '.' }); len(f) == 3 && len(f[2]) == 4 {
			if a, err := strconv.Atoi(f[0]); err == nil && a > 12 {
				dayFirst = true
				break
			}
		}
	}
	out := make([]Transaction, 0, len(rows))
	for _, r := range rows {
		if r.id == "" {
			bad(r.line, "the customer id is empty")
			continue
		}
		d, err := ParseDate(r.date, dayFirst)
		if err != nil {
			bad(r.line, "%v", err)
			continue
		}
		a, err := parseAmount(r.am)
		if err != nil {
			bad(r.line, "%v", err)
			continue
		}
		out = append(out, Transaction{CustomerID: r.id, Date: d, Amount: a})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, errors.New("the transaction file has a header but no rows")
	}
	return out, nil
}

func sniffComma(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	best, n := ',', strings.Count(first, ",")
	for _, c := range []rune{';', '\t', '|'} {
		if k := strings.Count(first, string(c)); k > n {
			best, n = c, k
		}
	}
	return best
}

func parseAmount(s string) (float64, error) {
	t := strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		neg, t = true, t[1:len(t)-1]
	}
	t = strings.TrimLeft(t, "$€£¥ ")
	t = strings.ReplaceAll(t, "_", "")
	if strings.Count(t, ",") > 0 && strings.Contains(t, ".") {
		t = strings.ReplaceAll(t, ",", "") // 1,234.50
	} else if strings.Count(t, ",") == 1 && len(t)-strings.Index(t, ",") != 4 {
		t = strings.Replace(t, ",", ".", 1) // 12,50
	} else {
		t = strings.ReplaceAll(t, ",", "")
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || t == "" {
		return 0, fmt.Errorf("%q is not an amount", strings.TrimSpace(s))
	}
	if neg {
		v = -v
	}
	return v, nil
}

// CustomerSummary is one customer's history split at the calibration end.
type CustomerSummary struct {
	ID    string
	First time.Time
	RFT   RFT
	// Spend is the mean value of the repeat transactions in calibration
	// (the first purchase excluded, as Gamma-Gamma expects).
	Spend Spend
	// Revenue is everything the customer spent in calibration.
	Revenue float64
	// HoldoutX and HoldoutValue are what the customer bought after the
	// calibration end, up to the holdout end.
	HoldoutX     int
	HoldoutValue float64
}

// Summary is the calibration summary of a transaction set.
type Summary struct {
	Customers []CustomerSummary
	// Later counts customers whose first purchase came after the
	// calibration end; they are not part of the calibration cohort.
	Later int
	// HoldoutEnd is the last day of the holdout period (the last date in the
	// data unless given); HoldoutLength is its length in weeks.
	HoldoutEnd    time.Time
	HoldoutLength float64
}

// Week is the model's time unit.
const Week = 7 * 24 * time.Hour

// Summarize turns transactions into per-customer summaries. Several
// transactions of a customer on one day count as one, with their amounts
// added up. Time runs in weeks between dates: T is the number of days from
// the first purchase to the calibration end, over 7, as in the published
// CDNOW figures. holdoutEnd zero means the last date in the data.
func Summarize(txs []Transaction, calibrationEnd, holdoutEnd time.Time) Summary {
	calibrationEnd = day(calibrationEnd)
	if holdoutEnd.IsZero() {
		for _, t := range txs {
			if t.Date.After(holdoutEnd) {
				holdoutEnd = t.Date
			}
		}
		if holdoutEnd.Before(calibrationEnd) {
			holdoutEnd = calibrationEnd
		}
	}
	holdoutEnd = day(holdoutEnd)
	type key struct {
		id string
		d  int64
	}
	days := map[key]float64{}
	for _, t := range txs {
		days[key{t.CustomerID, t.Date.Unix()}] += t.Amount
	}
	type dayAmount struct {
		d time.Time
		a float64
	}
	per := map[string][]dayAmount{}
	for k, a := range days {
		per[k.id] = append(per[k.id], dayAmount{time.Unix(k.d, 0).UTC(), a})
	}
	ids := make([]string, 0, len(per))
	for id := range per {
		ids = append(ids, id)
	}
	sortIDs(ids)
	end := calibrationEnd
	weeks := func(d time.Duration) float64 { return float64(d) / float64(Week) }
	s := Summary{HoldoutEnd: holdoutEnd, HoldoutLength: weeks(holdoutEnd.Sub(calibrationEnd))}
	for _, id := range ids {
		ds := per[id]
		sort.Slice(ds, func(i, j int) bool { return ds[i].d.Before(ds[j].d) })
		if ds[0].d.After(calibrationEnd) {
			s.Later++
			continue
		}
		c := CustomerSummary{ID: id, First: ds[0].d}
		c.RFT.T = weeks(end.Sub(c.First))
		var repeatSum float64
		for i, x := range ds {
			switch {
			case !x.d.After(calibrationEnd):
				c.Revenue += x.a
				if i > 0 {
					c.RFT.X++
					c.RFT.Tx = weeks(x.d.Sub(c.First))
					repeatSum += x.a
				}
			case !x.d.After(holdoutEnd):
				c.HoldoutX++
				c.HoldoutValue += x.a
			}
		}
		if c.RFT.X > 0 {
			c.Spend = Spend{X: c.RFT.X, M: repeatSum / c.RFT.X}
		}
		s.Customers = append(s.Customers, c)
	}
	return s
}

// sortIDs orders ids numerically when they are all numbers, else as text.
func sortIDs(ids []string) {
	numeric := true
	for _, id := range ids {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			numeric = false
			break
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		if numeric {
			a, _ := strconv.ParseInt(ids[i], 10, 64)
			b, _ := strconv.ParseInt(ids[j], 10, 64)
			return a < b
		}
		return ids[i] < ids[j]
	})
}
