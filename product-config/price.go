package productconfig

// Quote is a price with its breakdown, in minor units of Currency.
type Quote struct {
	Currency string      `json:"currency"`
	Base     int64       `json:"base"`
	Lines    []PriceLine `json:"lines,omitempty"`
	Total    int64       `json:"total"`
}

// PriceLine is one priced element: an option or an applied price rule.
type PriceLine struct {
	Kind   string `json:"kind"` // "option" or "price_rule"
	ID     string `json:"id"`
	Label  string `json:"label"`
	Amount int64  `json:"amount"`
}

// Price prices a set of chosen options: base price, each option's delta and
// every price rule whose options are all chosen. Unknown ids are EINVALID.
func (c *Catalog) Price(selected []string) (Quote, error) {
	q := Quote{Currency: c.Currency, Base: c.BasePrice, Total: c.BasePrice}
	chosen := make(map[string]bool, len(selected))
	for _, id := range selected {
		chosen[id] = true
	}
	for _, o := range c.Options {
		if !chosen[o.ID] {
			continue
		}
		delete(chosen, o.ID)
		if o.Price != 0 {
			q.Lines = append(q.Lines, PriceLine{Kind: "option", ID: o.ID, Label: o.Name, Amount: o.Price})
			q.Total += o.Price
		}
	}
	if len(chosen) > 0 {
		return Quote{}, Errorf(EINVALID, "price: unknown option %q", sortedKeys(chosen)[0])
	}
	set := make(map[string]bool, len(selected))
	for _, id := range selected {
		set[id] = true
	}
	for _, p := range c.PriceRules {
		all := true
		for _, id := range p.When {
			all = all && set[id]
		}
		if all {
			q.Lines = append(q.Lines, PriceLine{Kind: "price_rule", ID: p.ID, Label: p.Label, Amount: p.Delta})
			q.Total += p.Delta
		}
	}
	return q, nil
}
