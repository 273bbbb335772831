package postgres

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// PoolCollector exposes the connection pool's statistics to Prometheus, read
// at scrape time so they cost nothing between scrapes.
type PoolCollector struct {
	pool  *pgxpool.Pool
	descs map[string]*prometheus.Desc
}

// NewPoolCollector returns a collector for pool.
func NewPoolCollector(pool *pgxpool.Pool) *PoolCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("smm_pgx_pool_"+name, help, nil, nil)
	}
	return &PoolCollector{pool: pool, descs: map[string]*prometheus.Desc{
		"acquired":      d("acquired_conns", "Connections currently in use."),
		"idle":          d("idle_conns", "Idle connections."),
		"total":         d("total_conns", "Open connections."),
		"max":           d("max_conns", "Largest size of the pool."),
		"acquire_count": d("acquire_total", "Connections acquired from the pool."),
		"empty_acquire": d("empty_acquire_total", "Acquires that had to wait for a connection."),
		"acquire_secs":  d("acquire_duration_seconds_total", "Time spent waiting to acquire connections."),
		"new_conns":     d("new_conns_total", "Connections opened."),
	}}
}

// Describe sends the descriptors of the pool metrics.
func (c *PoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect reads the pool's statistics now.
func (c *PoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	g := func(k string, v float64) { ch <- prometheus.MustNewConstMetric(c.descs[k], prometheus.GaugeValue, v) }
	ct := func(k string, v float64) { ch <- prometheus.MustNewConstMetric(c.descs[k], prometheus.CounterValue, v) }
	g("acquired", float64(s.AcquiredConns()))
	g("idle", float64(s.IdleConns()))
	g("total", float64(s.TotalConns()))
	g("max", float64(s.MaxConns()))
	ct("acquire_count", float64(s.AcquireCount()))
	ct("empty_acquire", float64(s.EmptyAcquireCount()))
	ct("acquire_secs", s.AcquireDuration().Seconds())
	ct("new_conns", float64(s.NewConnsCount()))
}
