package web

import (
	"context"
	"net/netip"
	"strconv"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	chatSockets prometheus.Gauge
	handler     fiber.Handler
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontdesk_http_requests_total", Help: "HTTP requests answered, by route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "frontdesk_http_request_duration_seconds", Help: "Time to answer HTTP requests.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
		chatSockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "frontdesk_chat_sockets", Help: "Open chat sockets.",
		}),
	}
	reg.MustRegister(m.requests, m.duration, m.chatSockets)
	// A registry passed in may already hold the process collectors.
	_ = reg.Register(collectors.NewGoCollector())
	_ = reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	method = stableMethod(method)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

// handleMetrics serves Prometheus metrics to clients on MetricsFrom
// (loopback and private networks by default), not to the internet: they
// tell how busy the site is and which routes exist. Others get 404.
func (s *Server) handleMetrics(c *fiber.Ctx) error {
	ip, err := netip.ParseAddr(c.IP())
	if err != nil || !s.metricsAllowed(ip.Unmap()) {
		return s.handleNotFound(c)
	}
	return s.metrics.handler(c)
}

func (s *Server) metricsAllowed(ip netip.Addr) bool {
	if s.cfg.MetricsFrom == nil {
		return ip.IsLoopback() || ip.IsPrivate()
	}
	for _, p := range s.cfg.MetricsFrom {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (s *Server) handleHealth(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// handleReady answers 503 while the store (or anything in Config.Ready)
// is not usable, so a load balancer stops sending traffic here.
func (s *Server) handleReady(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	err := s.store.Ping(ctx)
	if err == nil && s.cfg.Ready != nil {
		err = s.cfg.Ready(ctx)
	}
	if err != nil {
		s.log.Warn("not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "error": fiber.Map{"code": portal.EUNAVAILABLE, "message": "The database is not reachable."}})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

// stableMethod returns the method as a constant: fiber's c.Method() points
// into fasthttp's request buffer, which the next request on the
// connection overwrites, and a label kept in a metric must not change
// (a POST became "GETT" and /metrics failed with duplicate series).
func stableMethod(m string) string {
	for _, k := range []string{fiber.MethodGet, fiber.MethodPost, fiber.MethodHead, fiber.MethodPut, fiber.MethodPatch,
		fiber.MethodDelete, fiber.MethodOptions, fiber.MethodConnect, fiber.MethodTrace} {
		if m == k {
			return k
		}
	}
	return "other"
}
