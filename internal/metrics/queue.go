package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/civis-id/civis/internal/jobs"
)

// QueueCollector exports the job queue depth by kind and state, read from the database at
// scrape time (bounded by a short timeout).
type QueueCollector struct {
	Store jobs.Store
	desc  *prometheus.Desc
}

// NewQueueCollector returns the collector.
func NewQueueCollector(s jobs.Store) *QueueCollector {
	return &QueueCollector{Store: s, desc: prometheus.NewDesc("civis_jobs",
		"Jobs in the queue by kind and state.", []string{"kind", "state"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := c.Store.JobStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, s := range stats {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(s.Count), s.Kind, string(s.State))
	}
}
