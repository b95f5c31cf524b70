package web

import (
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

type policyPage struct {
	Policy *portal.ReturnPolicy
	Fee    string
	Error  string
}

// Rows are the rules and one empty row for adding a rule.
func (p *policyPage) Rows() []portal.ReturnRule {
	return append(append([]portal.ReturnRule{}, p.Policy.Rules...), portal.ReturnRule{})
}

// handleReturnPolicyPage shows the returns rules for admins to edit.
func (s *Server) handleReturnPolicyPage(c *fiber.Ctx) error {
	p, err := s.store.ReturnPolicy(c.UserContext())
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "return_policy", "Returns rules", &policyPage{Policy: p, Fee: minorText(p.ShippingFeeMinor)})
}

// handleReturnPolicySave stores the edited rules: one row per rule (an
// emptied category name removes it), first match by SKU prefix wins.
func (s *Server) handleReturnPolicySave(c *fiber.Ctx) error {
	p := &portal.ReturnPolicy{Carrier: strings.TrimSpace(c.FormValue("carrier"))}
	fee := c.FormValue("fee")
	page := &policyPage{Policy: p, Fee: fee}
	minor, ok := parseMinor(fee)
	if !ok {
		page.Error = "Enter the return shipping fee as an amount, like 4.95."
		return s.render(c, fiber.StatusUnprocessableEntity, "return_policy", "Returns rules", page)
	}
	p.ShippingFeeMinor = minor
	n, _ := strconv.Atoi(c.FormValue("rows"))
	for i := 0; i < n && i < 101; i++ {
		k := strconv.Itoa(i)
		cat := strings.TrimSpace(c.FormValue("category_" + k))
		if cat == "" {
			continue
		}
		days, err := strconv.Atoi(strings.TrimSpace(c.FormValue("window_" + k)))
		if err != nil {
			days = 0
		}
		r := portal.ReturnRule{Category: cat, WindowDays: days, Returnable: c.FormValue("returnable_"+k) == "on",
			CustomerPays: c.FormValue("customer_pays_"+k) == "on", AutoApprove: c.FormValue("auto_"+k) == "on"}
		for _, pre := range strings.Split(c.FormValue("prefixes_"+k), ",") {
			if pre = strings.TrimSpace(pre); pre != "" {
				r.SKUPrefixes = append(r.SKUPrefixes, pre)
			}
		}
		p.Rules = append(p.Rules, r)
	}
	if err := s.store.SetReturnPolicy(c.UserContext(), p); err != nil {
		if portal.ErrorCode(err) != portal.EINVALID {
			return err
		}
		page.Error = portal.ErrorMessage(err)
		return s.render(c, fiber.StatusUnprocessableEntity, "return_policy", "Returns rules", page)
	}
	s.audit(c, "returns.policy", "return_policy", "1", "")
	s.setFlash(c, "ok", "Returns rules saved. They apply to new requests.")
	return c.Redirect("/admin/returns", fiber.StatusSeeOther)
}

// minorText writes minor units as "4.95".
func minorText(m int64) string {
	return strconv.FormatInt(m/100, 10) + "." + strconv.FormatInt(100+m%100, 10)[1:]
}

// parseMinor reads "4.95", "4,95" or "5" as minor units.
func parseMinor(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > 1_000_000 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || f < 0 {
		return 0, false
	}
	return w*100 + f, true
}
