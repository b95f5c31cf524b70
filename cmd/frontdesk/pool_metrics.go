package main

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// poolCollector exposes the PostgreSQL connection pool on /metrics: how
// often a request found no idle connection and how long requests waited
// for one, the figures that tell a slow query from a starved pool.
type poolCollector struct {
	pool                                      *pgxpool.Pool
	acquires, empty, wait, newConns, canceled *prometheus.Desc
	conns, max                                *prometheus.Desc
}

func newPoolCollector(pool *pgxpool.Pool) *poolCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("frontdesk_db_pool_"+name, help, labels, nil)
	}
	return &poolCollector{pool: pool,
		acquires: d("acquires_total", "Connections taken from the pool."),
		empty:    d("empty_acquires_total", "Acquires that found no idle connection and waited for one (or for a new one)."),
		wait:     d("acquire_wait_seconds_total", "Time spent acquiring connections."),
		newConns: d("new_conns_total", "Connections opened."),
		canceled: d("canceled_acquires_total", "Acquires given up (the request's context ended)."),
		conns:    d("conns", "Connections in the pool by state.", "state"),
		max:      d("max_conns", "The pool's bound."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquires, c.empty, c.wait, c.newConns, c.canceled, c.conns, c.max} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(c.acquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.empty, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.wait, prometheus.CounterValue, s.AcquireDuration().Seconds())
	ch <- prometheus.MustNewConstMetric(c.newConns, prometheus.CounterValue, float64(s.NewConnsCount()))
	ch <- prometheus.MustNewConstMetric(c.canceled, prometheus.CounterValue, float64(s.CanceledAcquireCount()))
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(c.conns, prometheus.GaugeValue, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxConns()))
}
