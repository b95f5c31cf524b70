package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
)

const clvUsage = `usage:
  frontdesk clv fit --transactions FILE.csv --calibration-end YYYY-MM-DD
                    [--holdout-end YYYY-MM-DD] [--horizon-weeks 52] [--discount-rate 0.10]
      fit BG/NBD (repeat purchases, P(active)) and Gamma-Gamma (spend) to a
      transaction file (CSV with a header naming customer_id, date and amount;
      other columns are ignored) without touching the store; print the
      parameters, log-likelihoods, the holdout forecast against what customers
      bought after the calibration end, and customer equity; the last line is JSON
`

// runCLV dispatches the clv subcommands.
func runCLV(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, clvUsage)
		return errUsage
	}
	switch args[0] {
	case "fit":
		return runCLVFit(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "frontdesk clv: unknown command %q\n%s", args[0], clvUsage)
	return errUsage
}

// jsonFloat is a number that encodes as null when it is not finite, which
// JSON cannot hold (a degenerate fit can give an infinite likelihood).
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(x)
}

// clvJSON is the last line of clv fit.
type clvJSON struct {
	BGNBD struct {
		R      jsonFloat `json:"r"`
		Alpha  jsonFloat `json:"alpha"`
		A      jsonFloat `json:"a"`
		B      jsonFloat `json:"b"`
		LogLik jsonFloat `json:"loglik"`
	} `json:"bgnbd"`
	GammaGamma *struct {
		P      jsonFloat `json:"p"`
		Q      jsonFloat `json:"q"`
		Gamma  jsonFloat `json:"gamma"`
		LogLik jsonFloat `json:"loglik"`
	} `json:"gamma_gamma"`
	Customers       int        `json:"customers"`
	RepeatCustomers int        `json:"repeat_customers"`
	SpendCustomers  int        `json:"spend_customers"`
	Correlation     *jsonFloat `json:"spend_frequency_correlation"`
	Holdout         struct {
		Weeks    jsonFloat `json:"weeks"`
		Actual   int       `json:"actual"`
		Forecast jsonFloat `json:"forecast"`
	} `json:"holdout"`
	HorizonWeeks jsonFloat `json:"horizon_weeks"`
	DiscountRate jsonFloat `json:"discount_rate"`
	Equity       jsonFloat `json:"customer_equity"`
	Notes        []string  `json:"notes"`
}

func runCLVFit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("clv fit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("transactions", "", "CSV file with customer_id,date,amount")
	calEnd := fs.String("calibration-end", "", "last day of the calibration period, YYYY-MM-DD")
	holdEnd := fs.String("holdout-end", "", "last day of the holdout period (default: the last date in the file)")
	horizon := fs.Float64("horizon-weeks", 52, "lifetime value horizon in weeks")
	discount := fs.Float64("discount-rate", 0.10, "yearly discount rate of future spend")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *file == "" || *calEnd == "" {
		fmt.Fprint(stderr, clvUsage)
		return errUsage
	}
	if *horizon <= 0 || math.IsNaN(*horizon) || *horizon > 52*100 {
		return errors.New("--horizon-weeks must be between 0 and 5200")
	}
	if *discount < 0 || *discount >= 10 || math.IsNaN(*discount) {
		return errors.New("--discount-rate must be at least 0 and below 10 (0.10 is 10% a year)")
	}
	end, err := analytics.ParseDate(*calEnd, false)
	if err != nil {
		return fmt.Errorf("--calibration-end: %v", err)
	}
	var hend time.Time
	if *holdEnd != "" {
		if hend, err = analytics.ParseDate(*holdEnd, false); err != nil {
			return fmt.Errorf("--holdout-end: %v", err)
		}
		if !hend.After(end) {
			return errors.New("--holdout-end must be after --calibration-end")
		}
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	txs, err := analytics.ReadTransactions(f)
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	s := analytics.Summarize(txs, end, hend)
	if len(s.Customers) == 0 {
		return fmt.Errorf("%s: no customer bought on or before the calibration end %s", *file, end.Format("2006-01-02"))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	res, err := analytics.Fit(s, analytics.Options{HorizonWeeks: *horizon, DiscountRate: *discount})
	if err != nil {
		return err
	}
	printCLV(stdout, txs, s, res, end)
	return json.NewEncoder(stdout).Encode(clvResultJSON(res, len(s.Customers)))
}

func clvResultJSON(res *analytics.Result, customers int) clvJSON {
	var out clvJSON
	bg := res.BGNBD
	out.BGNBD.R, out.BGNBD.Alpha, out.BGNBD.A, out.BGNBD.B, out.BGNBD.LogLik = jsonFloat(bg.R), jsonFloat(bg.Alpha), jsonFloat(bg.A), jsonFloat(bg.B), jsonFloat(bg.LogLik)
	if gg := res.GammaGamma; gg != nil {
		out.GammaGamma = &struct {
			P      jsonFloat `json:"p"`
			Q      jsonFloat `json:"q"`
			Gamma  jsonFloat `json:"gamma"`
			LogLik jsonFloat `json:"loglik"`
		}{jsonFloat(gg.P), jsonFloat(gg.Q), jsonFloat(gg.Gamma), jsonFloat(gg.LogLik)}
	}
	out.Customers, out.RepeatCustomers, out.SpendCustomers = customers, res.RepeatCustomers, res.SpendCustomers
	if c := jsonFloat(res.SpendFrequencyCorrelation); !math.IsNaN(float64(c)) {
		out.Correlation = &c
	}
	out.Holdout.Weeks, out.Holdout.Actual, out.Holdout.Forecast = jsonFloat(res.HoldoutWeeks), res.HoldoutActual, jsonFloat(res.HoldoutForecast)
	out.HorizonWeeks, out.DiscountRate, out.Equity = jsonFloat(res.HorizonWeeks), jsonFloat(res.DiscountRate), jsonFloat(res.Equity)
	out.Notes = res.Notes
	if out.Notes == nil {
		out.Notes = []string{}
	}
	return out
}

func printCLV(w io.Writer, txs []analytics.Transaction, s analytics.Summary, res *analytics.Result, end time.Time) {
	fmt.Fprintf(w, "transactions: %d rows; calibration cohort: %d customers (%d with repeat purchases) to %s\n",
		len(txs), len(s.Customers), res.RepeatCustomers, end.Format("2006-01-02"))
	bg := res.BGNBD
	fmt.Fprintf(w, "BG/NBD (time in weeks): r=%.4f alpha=%.4f a=%.4f b=%.4f  log-likelihood %.2f\n", bg.R, bg.Alpha, bg.A, bg.B, bg.LogLik)
	if gg := res.GammaGamma; gg != nil {
		fmt.Fprintf(w, "Gamma-Gamma (%d customers, mean repeat spend): p=%.4f q=%.4f gamma=%.4f  log-likelihood %.2f\n", res.SpendCustomers, gg.P, gg.Q, gg.Gamma, gg.LogLik)
	} else {
		fmt.Fprintln(w, "Gamma-Gamma: not fitted (no repeat customer with positive spend)")
	}
	if c := res.SpendFrequencyCorrelation; !math.IsNaN(c) {
		fmt.Fprintf(w, "correlation of frequency and mean spend: %.3f\n", c)
	}
	if res.HoldoutWeeks > 0 {
		fmt.Fprintf(w, "holdout %s to %s (%.1f weeks): forecast %.1f repeat transactions, actual %d (%+.1f%%)\n",
			end.AddDate(0, 0, 1).Format("2006-01-02"), s.HoldoutEnd.Format("2006-01-02"), res.HoldoutWeeks,
			res.HoldoutForecast, res.HoldoutActual, pct(res.HoldoutForecast, float64(res.HoldoutActual)))
		// The paper's check: forecast against actual by calibration frequency.
		type row struct {
			n          int
			fore, actu float64
		}
		by := map[int]*row{}
		for _, c := range res.Customers {
			k := min(int(c.RFT.X), 7)
			if by[k] == nil {
				by[k] = &row{}
			}
			by[k].n++
			by[k].fore += c.HoldoutForecast
			by[k].actu += float64(c.HoldoutX)
		}
		keys := make([]int, 0, len(by))
		for k := range by {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		fmt.Fprintln(w, "  repeat purchases in calibration | customers | mean holdout forecast | mean actual")
		for _, k := range keys {
			r := by[k]
			label := fmt.Sprint(k)
			if k == 7 {
				label = "7+"
			}
			fmt.Fprintf(w, "  %32s | %9d | %21.2f | %11.2f\n", label, r.n, r.fore/float64(r.n), r.actu/float64(r.n))
		}
	} else {
		fmt.Fprintln(w, "holdout: none (no data after the calibration end)")
	}
	fmt.Fprintf(w, "customer equity over %.0f weeks at %.0f%% a year: %.2f\n", res.HorizonWeeks, res.DiscountRate*100, res.Equity)
	for _, n := range res.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}

func pct(got, want float64) float64 {
	if want == 0 {
		return 0
	}
	return (got - want) / want * 100
}
