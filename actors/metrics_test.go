package actors_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/socialmediamanager/smm/actors"
	"github.com/socialmediamanager/smm/domain"
)

// gather collects the grain metrics through a registry, as /metrics does,
// by metric name.
func gather(t *testing.T, m *actors.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(m.Collectors()...)
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range families {
		out[f.GetName()] = f
	}
	return out
}

// value is the value of a gauge or counter with the given label (empty: the
// unlabelled one), or -1 when absent.
func value(fams map[string]*dto.MetricFamily, name, label, labelValue string) float64 {
	f, ok := fams[name]
	if !ok {
		return -1
	}
	for _, m := range f.GetMetric() {
		if label != "" {
			found := false
			for _, l := range m.GetLabel() {
				found = found || (l.GetName() == label && l.GetValue() == labelValue)
			}
			if !found {
				continue
			}
		}
		switch {
		case m.GetGauge() != nil:
			return m.GetGauge().GetValue()
		case m.GetCounter() != nil:
			return m.GetCounter().GetValue()
		}
	}
	return -1
}

// TestGrainMetrics proves the grain metrics follow what happened on the
// node: one active grain, one activation, one child restart of kind
// account, and every command's wait in the grain's mailbox observed.
func TestGrainMetrics(t *testing.T) {
	metrics := actors.NewMetrics()
	s := newSupervised(t, metrics) // one Describe so far
	commands := 1
	name := "Measured"
	if _, err := s.node.Organizations().UpdateOrganization(context.Background(), s.tn.owner, domain.OrganizationPatch{Name: &name}); err != nil {
		t.Fatal(err)
	}
	commands++
	s.probe.send(t, s.keys[0], &boom{})
	s.probe.waitStarted(t, 2, s.keys[0])
	for range 3 {
		s.describe(s.tn.org.ID)
		commands++
	}

	var fams map[string]*dto.MetricFamily
	eventually(t, 5*time.Second, "every command's mailbox wait observed", func() (bool, string) {
		fams = gather(t, metrics)
		h := fams["smm_grain_mailbox_wait_seconds"]
		if h == nil || len(h.GetMetric()) != 1 {
			return false, "no histogram"
		}
		n := h.GetMetric()[0].GetHistogram().GetSampleCount()
		return n >= uint64(commands), fmt.Sprintf("%d samples for %d commands", n, commands)
	})
	hist := fams["smm_grain_mailbox_wait_seconds"].GetMetric()[0].GetHistogram()
	if sum := hist.GetSampleSum(); sum < 0 || sum > float64(commands)*5 {
		t.Errorf("got %v s waited in all, want a small positive total", sum)
	}
	for _, tt := range []struct {
		name, label, labelValue string
		want                    float64
	}{
		{"smm_grains_active", "", "", 1},
		{"smm_grain_activations_total", "", "", 1},
		{"smm_grain_passivations_total", "", "", 0},
		{"smm_grain_child_restarts_total", "kind", actors.ChildAccount, 1},
	} {
		if got := value(fams, tt.name, tt.label, tt.labelValue); got != tt.want {
			t.Errorf("%s{%s=%q}: got %v, want %v", tt.name, tt.label, tt.labelValue, got, tt.want)
		}
	}
	if got := value(fams, "smm_grain_child_restarts_total", "kind", actors.ChildSync); got != -1 {
		t.Errorf("sync child restarts: got %v, want no series (no sync child failed)", got)
	}
	if c := s.runtime.Counters(); c.Active != 1 || c.Activations != 1 || c.ChildRestarts != 1 {
		t.Errorf("got counters %+v, want the same as the metrics", c)
	}
}
