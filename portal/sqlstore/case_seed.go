package sqlstore

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// CaseSeed describes a synthetic case load for benchmarks.
type CaseSeed struct {
	// Cases to add; each gets one customer message.
	Cases int
	// Customers and Agents are the users to spread the cases over (ids).
	Customers []int64
	Agents    []int64
	// Now anchors the times: cases were opened in the 90 days before it.
	Now time.Time
}

var seedWords = strings.Fields("parcel sofa lamp invoice refund delivery damaged late missing colour size chair table mug cushion voucher address payment return exchange")

// SeedCases writes a synthetic load of cases in batches, far faster than
// CreateCase: 60% active (of which a quarter pending), the rest solved or
// closed; due times from the default policies' scale, some already past.
// It is for benchmarks only.
func (s *Store) SeedCases(ctx context.Context, seed CaseSeed) error {
	if len(seed.Customers) == 0 || len(seed.Agents) == 0 {
		return fmt.Errorf("seed cases: need customers and agents")
	}
	rng := rand.New(rand.NewSource(1))
	const batch = 400
	statuses := []string{portal.CaseNew, portal.CaseOpen, portal.CaseOpen, portal.CasePending, portal.CaseOnHold, portal.CaseOpen, portal.CaseSolved, portal.CaseSolved, portal.CaseClosed, portal.CaseClosed}
	for start := 0; start < seed.Cases; start += batch * 10 {
		err := s.db.InTx(ctx, func(q Querier) error {
			for b := start; b < start+batch*10 && b < seed.Cases; b += batch {
				n := min(batch, seed.Cases-b)
				var sb strings.Builder
				sb.WriteString(`INSERT INTO cases (token, subject, status, priority, channel, customer_id, assignee_id, email, name, body, transcript, tags,
					last_customer_at, first_response_due, resolution_due, sla_since, sla_spent, due_at, sla_check_at, created_at, updated_at) VALUES `)
				args := make([]any, 0, n*19)
				var bodies []string
				for i := 0; i < n; i++ {
					k := b + i
					if i > 0 {
						sb.WriteString(", ")
					}
					sb.WriteString("(?, ?, ?, ?, 'portal', ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)")
					cust := seed.Customers[rng.Intn(len(seed.Customers))]
					var agent *int64
					if rng.Intn(3) > 0 {
						a := seed.Agents[rng.Intn(len(seed.Agents))]
						agent = &a
					}
					created := seed.Now.Add(-time.Duration(rng.Int63n(int64(90 * 24 * time.Hour)))).UTC().Truncate(time.Microsecond)
					status := statuses[rng.Intn(len(statuses))]
					prio := portal.CasePriorities[rng.Intn(len(portal.CasePriorities))]
					body := fmt.Sprintf("My %s order %d: the %s is %s. Case seed %d.", seedWords[rng.Intn(len(seedWords))], 100000+k, seedWords[rng.Intn(len(seedWords))], seedWords[rng.Intn(len(seedWords))], k)
					bodies = append(bodies, body)
					var frDue, resDue, since, due *time.Time
					if status == portal.CaseNew || status == portal.CaseOpen || status == portal.CaseOnHold {
						// Most due in the coming days, about 0.5% already past.
						d := seed.Now.Add(time.Duration(rng.Int63n(int64(72*time.Hour))) - 20*time.Minute)
						r := d.Add(48 * time.Hour)
						frDue, resDue, since, due = &d, &r, &created, &d
					}
					tags := ""
					if rng.Intn(4) == 0 {
						tags = " " + seedWords[rng.Intn(len(seedWords))] + " "
					}
					args = append(args, fmt.Sprintf("seed%028d", k), portal.Excerpt(body, 60), status, prio, cust, agent,
						fmt.Sprintf("customer%d@example.com", cust), fmt.Sprintf("Customer %d", cust), body, tags,
						created, frDue, resDue, since, due, time.Unix(0, 0).UTC(), created, created)
				}
				if _, err := q.Exec(ctx, sb.String(), args...); err != nil {
					return fmt.Errorf("seed cases: %w", err)
				}
				if _, err := q.Exec(ctx, `INSERT INTO case_entries (case_id, kind, channel, author_id, author_name, body, created_at)
					SELECT id, 'customer', 'portal', customer_id, name, body, created_at FROM cases WHERE token >= ? AND token <= ?`,
					fmt.Sprintf("seed%028d", b), fmt.Sprintf("seed%028d", b+n-1)); err != nil {
					return fmt.Errorf("seed case entries: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if s.db.Dialect() == "postgres" {
		// What autovacuum does after a bulk load: statistics for the
		// planner, the visibility map for index-only counts.
		if _, err := s.db.Exec(ctx, `VACUUM ANALYZE cases`); err != nil {
			return fmt.Errorf("seed cases: vacuum: %w", err)
		}
		if _, err := s.db.Exec(ctx, `VACUUM ANALYZE case_entries`); err != nil {
			return fmt.Errorf("seed cases: vacuum: %w", err)
		}
	}
	return nil
}
