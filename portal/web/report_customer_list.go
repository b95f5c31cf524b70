package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// listForm is the list filter as the form shows it.
type listForm struct {
	Segment                            string
	MinR, MaxR, MinF, MaxF, MinM, MaxM string
	MinCLV, MaxCLV                     string
	MinActive, MaxActive               string
}

// parseListFilter reads the list filter from the query: segment, score
// ranges 1-5 (min_r, max_r, min_f, ...), CLV in currency units (min_clv,
// max_clv) and P(active) in percent (min_active, max_active). Bad values are
// a 400 naming the field.
func parseListFilter(c *fiber.Ctx) (analytics.ListFilter, listForm, error) {
	var f analytics.ListFilter
	form := listForm{Segment: c.Query("segment")}
	if form.Segment != "" {
		ok := false
		for _, sg := range analytics.Segments {
			ok = ok || sg == form.Segment
		}
		if !ok {
			return f, form, portal.FieldError("segment", "Unknown segment.")
		}
		f.Segment = form.Segment
	}
	score := func(key string, dst *int, shown *string) error {
		v := strings.TrimSpace(c.Query(key))
		*shown = v
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			return portal.FieldError(key, "Scores run from 1 to 5.")
		}
		*dst = n
		return nil
	}
	number := func(key string, lo, hi, scale float64, dst **float64, shown *string) error {
		v := strings.TrimSpace(c.Query(key))
		*shown = v
		if v == "" {
			return nil
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || x < lo || x > hi {
			return portal.FieldError(key, fmt.Sprintf("Enter a number from %g to %g.", lo, hi))
		}
		x *= scale
		*dst = &x
		return nil
	}
	for _, err := range []error{
		score("min_r", &f.MinR, &form.MinR), score("max_r", &f.MaxR, &form.MaxR),
		score("min_f", &f.MinF, &form.MinF), score("max_f", &f.MaxF, &form.MaxF),
		score("min_m", &f.MinM, &form.MinM), score("max_m", &f.MaxM, &form.MaxM),
		number("min_clv", 0, 1e12, 100, &f.MinCLVMinor, &form.MinCLV), number("max_clv", 0, 1e12, 100, &f.MaxCLVMinor, &form.MaxCLV),
		number("min_active", 0, 100, 0.01, &f.MinPAlive, &form.MinActive), number("max_active", 0, 100, 0.01, &f.MaxPAlive, &form.MaxActive),
	} {
		if err != nil {
			return f, form, err
		}
	}
	return f, form, nil
}

type listRow struct {
	ID                         int64
	Email, Name                string
	Segment                    string
	RFM                        string
	Recency, Orders            string
	Revenue, CLV, Active, Buys string
}

// listView is what report_customer_list.html renders.
type listView struct {
	Form       listForm
	Segments   []string
	Scores     []int
	Rows       []listRow
	Total      string
	Page       int
	Pages      int
	Prev, Next string
	CSV        string
	Export     string
	Ready      bool
}

const listPerPage = perPage

// handleCustomerList shows the customers matching a filter, highest
// lifetime value first, a page at a time.
func (s *Server) handleCustomerList(c *fiber.Ctx) error {
	f, form, err := parseListFilter(c)
	if err != nil {
		return err
	}
	v := listView{Form: form, Segments: analytics.Segments, Scores: []int{1, 2, 3, 4, 5}}
	q := c.Request().URI().QueryArgs()
	csvQ := url.Values{}
	q.VisitAll(func(k, val []byte) {
		if string(k) != "page" && len(val) > 0 {
			csvQ.Set(string(k), string(val))
		}
	})
	v.CSV, v.Export = "/reports/customers/list.csv", "/reports/customers/exports"
	if len(csvQ) > 0 {
		v.CSV += "?" + csvQ.Encode()
		v.Export += "?" + csvQ.Encode()
	}
	rep := s.analytics.Status().Report
	if rep == nil {
		return s.render(c, fiber.StatusOK, "report_customer_list", "Customer lists", v)
	}
	v.Ready = true
	page := pageParam(c)
	rows, total := rep.SelectPage(f, (page-1)*listPerPage, listPerPage)
	v.Pages = max(1, (total+listPerPage-1)/listPerPage)
	if page > v.Pages { // past the end: show the last page
		page = v.Pages
		rows, _ = rep.SelectPage(f, (page-1)*listPerPage, listPerPage)
	}
	v.Page, v.Total = page, thousands(int64(total))
	link := func(n int) string {
		l := url.Values{}
		for k, vs := range csvQ {
			l[k] = vs
		}
		l.Set("page", strconv.Itoa(n))
		return "/reports/customers/list?" + l.Encode()
	}
	if page > 1 {
		v.Prev = link(page - 1)
	}
	if page < v.Pages {
		v.Next = link(page + 1)
	}
	cur := reportCurrency(rep)
	ctx := c.UserContext()
	for _, cs := range rows {
		row := scoreRow(cs, cur)
		if u, err := s.store.FindUserByID(ctx, cs.CustomerID); err == nil {
			row.Email, row.Name = u.Email, u.Name
		} else if !portal.IsNotFound(err) {
			return err
		}
		v.Rows = append(v.Rows, row)
	}
	return s.render(c, fiber.StatusOK, "report_customer_list", "Customer lists", v)
}

func scoreRow(cs analytics.CustomerScore, cur string) listRow {
	return listRow{ID: cs.CustomerID, Segment: cs.Segment, RFM: fmt.Sprintf("%d%d%d", cs.R, cs.F, cs.M),
		Recency: thousands(int64(cs.RecencyDays)), Orders: thousands(int64(cs.Orders)),
		Revenue: formatMoney(cs.RevenueMinor, cur), CLV: formatMoney(int64(math.Round(cs.CLVMinor)), cur),
		Active: fmt.Sprintf("%.0f%%", cs.PAlive*100), Buys: fmt.Sprintf("%.2f", cs.Purchases)}
}

// handleCustomerListCSV downloads the whole list for a filter, with the
// same authorisation as the page.
func (s *Server) handleCustomerListCSV(c *fiber.Ctx) error {
	f, _, err := parseListFilter(c)
	if err != nil {
		return err
	}
	rep := s.analytics.Status().Report
	if rep == nil {
		return portal.Errorf(portal.ECONFLICT, "No analysis has finished yet; run it first.")
	}
	all := rep.Select(f)
	name := listFileName(f)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	c.Set(fiber.HeaderCacheControl, "no-store")
	s.audit(c, "analytics.export", "analytics", name, fmt.Sprintf("%d customers", len(all)))
	return s.writeCustomerCSV(c.UserContext(), c.Response().BodyWriter(), rep, all, nil)
}

func listFileName(f analytics.ListFilter) string {
	if f.Segment == "" {
		return "customers"
	}
	return strings.ToLower(strings.NewReplacer(" ", "-", "'", "").Replace(f.Segment))
}

// writeCustomerCSV writes customers as CSV with their names and emails,
// read in one pass over the customers rather than one query per row;
// progress, when set, hears the fraction done.
func (s *Server) writeCustomerCSV(ctx context.Context, out io.Writer, rep *analytics.Report, all []analytics.CustomerScore, progress func(float64)) error {
	if progress == nil {
		progress = func(float64) {}
	}
	want := make(map[int64]*portal.User, len(all))
	for _, cs := range all {
		want[cs.CustomerID] = nil
	}
	customers := max(len(rep.Customers), 1)
	for off := 0; len(all) > 0; off += 1000 {
		users, _, err := s.store.FindUsers(ctx, portal.UserFilter{Roles: []portal.Role{portal.RoleCustomer}, Offset: off, Limit: 1000})
		if err != nil {
			return err
		}
		for _, u := range users {
			if _, ok := want[u.ID]; ok {
				want[u.ID] = u
			}
		}
		progress(0.8 * math.Min(float64(off+len(users))/float64(customers), 1))
		if len(users) < 1000 {
			break
		}
	}
	cur := reportCurrency(rep)
	w := csv.NewWriter(out)
	w.Write([]string{"customer_id", "email", "name", "segment", "r", "f", "m", "recency_days", "orders", "revenue", "currency", "p_active", "expected_purchases", "clv"})
	for _, cs := range all {
		var email, uname string
		if u := want[cs.CustomerID]; u != nil {
			email, uname = u.Email, u.Name
		}
		w.Write([]string{strconv.FormatInt(cs.CustomerID, 10), csvSafe(email), csvSafe(uname), cs.Segment,
			strconv.Itoa(cs.R), strconv.Itoa(cs.F), strconv.Itoa(cs.M), strconv.Itoa(cs.RecencyDays), strconv.Itoa(cs.Orders),
			fmt.Sprintf("%.2f", float64(cs.RevenueMinor)/100), cur, fmt.Sprintf("%.4f", cs.PAlive), fmt.Sprintf("%.4f", cs.Purchases),
			fmt.Sprintf("%.2f", cs.CLVMinor/100)})
	}
	w.Flush()
	progress(1)
	return w.Error()
}

// csvSafe keeps a spreadsheet from reading user text as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// scoreField is one score select of the list filter.
type scoreField struct {
	Name, Label, Value string
	Options            []string
}
