package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/civis-id/civis/internal/httpx"
)

// Metrics is the set of collectors.
type Metrics struct {
	Registry      *prometheus.Registry
	Requests      *prometheus.CounterVec
	Latency       *prometheus.HistogramVec
	Registrations prometheus.Counter
	Logins        *prometheus.CounterVec
	Messages      *prometheus.CounterVec
	Jobs          *prometheus.HistogramVec
}

// New creates and registers the collectors, with Go runtime and process metrics.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "civis_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "civis_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		Registrations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "civis_registrations_total", Help: "Accounts created by self-registration.",
		}),
		Logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "civis_logins_total", Help: "Password sign-ins by outcome (success, failure, rate_limited).",
		}, []string{"outcome"}),
		Messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "civis_messages_total", Help: "Message delivery attempts by channel and outcome (sent, failed).",
		}, []string{"channel", "outcome"}),
		Jobs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "civis_job_duration_seconds", Help: "Background job runs by kind and outcome.",
			Buckets: prometheus.DefBuckets,
		}, []string{"kind", "outcome"}),
	}
	m.Registry.MustRegister(m.Requests, m.Latency, m.Registrations, m.Logins, m.Messages, m.Jobs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// GaugeFunc registers a gauge read at scrape time.
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

// CounterFunc registers a counter read at scrape time from a count kept elsewhere.
func (m *Metrics) CounterFunc(name, help string, f func() float64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
}

// Collector registers a custom collector (e.g. the job queue depth read from the database).
func (m *Metrics) Collector(c prometheus.Collector) { m.Registry.MustRegister(c) }

// ObserveRequest is an httpx.Observe that records a finished request.
func (m *Metrics) ObserveRequest(r *http.Request, status int, d time.Duration) {
	route := httpx.Route(r)
	m.Requests.WithLabelValues(route, r.Method, strconv.Itoa(status)).Inc()
	m.Latency.WithLabelValues(route).Observe(d.Seconds())
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}
