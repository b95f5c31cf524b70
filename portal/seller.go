package portal

import (
	"fmt"
	"strconv"
	"strings"
)

// Seller is the retailer as invoices name it: the legal name, the postal
// address, the VAT identification number and the VAT rate its prices
// include.
type Seller struct {
	Name    string
	Address []string // lines, first to last
	VATID   string
	// VATRateBasisPoints is the VAT rate in hundredths of a percent
	// (1900 is 19 %); prices include it.
	VATRateBasisPoints int64
}

// DemoSeller is the demo retailer, used when nothing is configured.
var DemoSeller = Seller{
	Name:               "Northwind Living GmbH",
	Address:            []string{"Lindenallee 12", "04109 Leipzig", "Germany"},
	VATID:              "DE123456789",
	VATRateBasisPoints: 1900,
}

// ParseVATRate reads a rate in percent ("19", "7.7", "20 %") as basis points.
func ParseVATRate(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil || f < 0 || f > 100 {
		return 0, fmt.Errorf("VAT rate must be a percentage between 0 and 100, not %q", s)
	}
	return int64(f*100 + 0.5), nil
}

// VATRateText is the rate as people write it: "19 %", "7.7 %".
func (s Seller) VATRateText() string {
	whole, frac := s.VATRateBasisPoints/100, s.VATRateBasisPoints%100
	if frac == 0 {
		return fmt.Sprintf("%d %%", whole)
	}
	return strings.TrimRight(fmt.Sprintf("%d.%02d", whole, frac), "0") + " %"
}

// VATIncluded is the VAT contained in a gross amount at the seller's rate,
// rounded to the nearest minor unit.
func (s Seller) VATIncluded(grossMinor int64) int64 {
	r := s.VATRateBasisPoints
	if r <= 0 {
		return 0
	}
	num := grossMinor * r
	den := 10000 + r
	if num >= 0 {
		return (2*num + den) / (2 * den)
	}
	return -((-2*num + den) / (2 * den))
}
