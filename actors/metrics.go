package actors

import (
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the grain counters /metrics exposes.
type Metrics struct {
	active       prometheus.Gauge
	activations  prometheus.Counter
	passivations prometheus.Counter
	restarts     *prometheus.CounterVec
	stopped      *prometheus.CounterVec
	wait         prometheus.Histogram
	lateness     prometheus.Histogram
	attempts     *prometheus.CounterVec
	claimsLost   prometheus.Counter

	posted sync.Map // *cluster.GrainRequest -> time.Time
}

// NewMetrics makes the collectors; register them with Collectors.
func NewMetrics() *Metrics {
	return &Metrics{
		active: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "smm_grains_active", Help: "Organization grains active on this node.",
		}),
		activations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "smm_grain_activations_total", Help: "Organization grains activated on this node.",
		}),
		passivations: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "smm_grain_passivations_total", Help: "Organization grains passivated after their idle timeout.",
		}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smm_grain_child_restarts_total", Help: "Child actors of organization grains restarted after a failure.",
		}, []string{"kind"}),
		stopped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smm_grain_child_stops_total", Help: "Child actors stopped after failing repeatedly.",
		}, []string{"kind"}),
		wait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "smm_grain_mailbox_wait_seconds",
			Help:    "Time a command waited in an organization grain's mailbox before it was handled.",
			Buckets: []float64{.00001, .00005, .0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5},
		}),
		lateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "smm_publish_lateness_seconds",
			Help:    "Time from a publication's publish_at to its first claim.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2, 5, 10, 30, 60, 300},
		}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "smm_publish_attempts_total", Help: "Publishing attempts by provider and outcome.",
		}, []string{"provider", "outcome"}),
		claimsLost: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "smm_publish_claims_lost_total",
			Help: "Publications this node fired but found claimed, or already finished, by another activation: the claim in PostgreSQL let one through.",
		}),
	}
}

// Collectors lists the collectors to register.
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.active, m.activations, m.passivations, m.restarts, m.stopped, m.wait, m.lateness, m.attempts, m.claimsLost}
}

func (m *Metrics) observeWait(req *cluster.GrainRequest) {
	if at, ok := m.posted.LoadAndDelete(req); ok {
		m.wait.Observe(time.Since(at.(time.Time)).Seconds())
	}
}

// mailboxClock notes when each command reaches a grain's mailbox, so the
// receiver can observe how long it waited there.
type mailboxClock struct{ metrics *Metrics }

func (c *mailboxClock) MailboxStarted() {}
func (c *mailboxClock) MailboxEmpty()   {}

func (c *mailboxClock) MessagePosted(message interface{}) {
	if req, ok := actor.UnwrapEnvelopeMessage(message).(*cluster.GrainRequest); ok {
		c.metrics.posted.Store(req, time.Now())
	}
}

func (c *mailboxClock) MessageReceived(message interface{}) {
	// A command that failed before the receiver saw it leaves no entry.
	if req, ok := actor.UnwrapEnvelopeMessage(message).(*cluster.GrainRequest); ok {
		c.metrics.posted.Delete(req)
	}
}
