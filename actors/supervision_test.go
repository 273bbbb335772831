package actors_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/socialmediamanager/smm/actors"
	"github.com/socialmediamanager/smm/domain"
)

// Messages of the test children.
type (
	boom struct{}
	ping struct{}
	pong struct{ incarnation int }
)

// childProbe gives a grain's children a test behaviour (answer ping, panic
// on boom) and records, per child, its PID, each incarnation's start and
// whether it stopped.
type childProbe struct {
	mu           sync.Mutex
	root         *actor.RootContext
	pids         map[string]*actor.PID
	incarnations map[string]int
	startedAt    map[string][]time.Time
	stopped      map[string]bool
}

func newChildProbe() *childProbe {
	return &childProbe{pids: map[string]*actor.PID{}, incarnations: map[string]int{},
		startedAt: map[string][]time.Time{}, stopped: map[string]bool{}}
}

func childKey(kind string, a domain.SocialAccount) string { return kind + "/" + a.ID.String() }

// produce is the ChildProducer: protoactor calls it for every incarnation,
// the first and each restart; the child counts itself when it starts and
// learns which account it stands for.
func (p *childProbe) produce(string) actor.Actor { return &testChild{probe: p} }

type testChild struct {
	probe       *childProbe
	key         string
	incarnation int
}

func (c *testChild) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		kind, account, err := actors.ChildOf(ctx.Self())
		if err != nil {
			panic(err)
		}
		c.key = kind + "/" + account.String()
		p := c.probe
		p.mu.Lock()
		p.incarnations[c.key]++
		c.incarnation = p.incarnations[c.key]
		p.root = ctx.ActorSystem().Root
		p.pids[c.key] = ctx.Self()
		p.startedAt[c.key] = append(p.startedAt[c.key], time.Now())
		p.stopped[c.key] = false
		p.mu.Unlock()
	case *actor.Stopped:
		c.probe.mu.Lock()
		c.probe.stopped[c.key] = true
		c.probe.mu.Unlock()
	case *boom:
		panic("boom: test child failure")
	case *ping:
		ctx.Respond(&pong{incarnation: c.incarnation})
	}
}

// waitStarted waits until every key's child has started n times.
func (p *childProbe) waitStarted(t *testing.T, n int, keys ...string) {
	t.Helper()
	eventually(t, 5*time.Second, fmt.Sprintf("children started %d time(s)", n), func() (bool, string) {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, k := range keys {
			if len(p.startedAt[k]) < n {
				return false, fmt.Sprintf("%s started %d time(s)", k, len(p.startedAt[k]))
			}
		}
		return true, ""
	})
}

func (p *childProbe) send(t *testing.T, key string, msg any) {
	t.Helper()
	p.mu.Lock()
	root, pid := p.root, p.pids[key]
	p.mu.Unlock()
	if pid == nil {
		t.Fatalf("child %s never started", key)
	}
	root.Send(pid, msg)
}

// ping asks a child which incarnation answers it.
func (p *childProbe) ping(t *testing.T, key string) (int, error) {
	t.Helper()
	p.mu.Lock()
	root, pid := p.root, p.pids[key]
	p.mu.Unlock()
	if pid == nil {
		t.Fatalf("child %s never started", key)
	}
	res, err := root.RequestFuture(pid, &ping{}, 2*time.Second).Result()
	if err != nil {
		return 0, err
	}
	pg, ok := res.(*pong)
	if !ok {
		return 0, fmt.Errorf("got %T, want *pong", res)
	}
	return pg.incarnation, nil
}

func (p *childProbe) startTimes(key string) []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.startedAt[key]...)
}

func (p *childProbe) isStopped(key string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopped[key]
}

// supervised is a node whose grains' children are the probe's.
type supervised struct {
	*env
	probe *childProbe
	logs  *logBuffer
	tn    tenant
	keys  []string
}

const (
	testMaxRestarts = 2
	testBackoff     = 50 * time.Millisecond
)

func newSupervised(t *testing.T, metrics *actors.Metrics) *supervised {
	t.Helper()
	s := &supervised{probe: newChildProbe(), logs: &logBuffer{}}
	s.env = newEnv(t, setup{opts: actors.Options{
		Children: s.probe.produce, MaxRestarts: testMaxRestarts, RestartWindow: time.Minute,
		RestartBackoff: testBackoff, MaxRestartBackoff: time.Second,
		Logger:  slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics: metrics,
	}})
	s.tn = s.newTenant("Supervised", 2)
	for _, a := range s.tn.accounts {
		s.keys = append(s.keys, childKey(actors.ChildAccount, a), childKey(actors.ChildSync, a))
	}
	s.describe(s.tn.org.ID)
	s.probe.waitStarted(t, 1, s.keys...)
	return s
}

// expectPings checks each child answers, from the incarnation wanted.
func (s *supervised) expectPings(t *testing.T, want map[string]int) {
	t.Helper()
	for key, inc := range want {
		got, err := s.probe.ping(t, key)
		if err != nil || got != inc {
			t.Errorf("ping %s: got incarnation %d (%v), want %d", key, got, err, inc)
		}
	}
}

// TestChildRestartsAfterAFailure proves one failing child is restarted
// after its backoff and answers again, that its grain reports the restart
// and keeps answering, and that the other children are left alone.
func TestChildRestartsAfterAFailure(t *testing.T) {
	s := newSupervised(t, nil)
	failing := s.keys[0] // account child of the first account
	others := s.keys[1:]
	s.expectPings(t, map[string]int{failing: 1, others[0]: 1, others[1]: 1, others[2]: 1})

	sent := time.Now()
	s.probe.send(t, failing, &boom{})
	s.probe.waitStarted(t, 2, failing)
	if restartedAfter := s.probe.startTimes(failing)[1].Sub(sent); restartedAfter < testBackoff {
		t.Errorf("got the child restarted %v after its failure, want at least the backoff %v", restartedAfter, testBackoff)
	}
	s.expectPings(t, map[string]int{failing: 2, others[0]: 1, others[1]: 1, others[2]: 1})

	eventually(t, 5*time.Second, "the grain reports one restart, running again", func() (bool, string) {
		c := children(s.describe(s.tn.org.ID))[failing]
		return c.Restarts == 1 && c.Status == "running", fmt.Sprintf("%+v", c)
	})
	got := children(s.describe(s.tn.org.ID))
	if c := got[failing]; !strings.Contains(c.LastFailure, "boom") {
		t.Errorf("got last failure %q, want the panic's reason", c.LastFailure)
	}
	for _, k := range others {
		if c := got[k]; c.Status != "running" || c.Restarts != 0 || c.LastFailure != "" {
			t.Errorf("other child %s: got %+v, want running, never restarted", k, c)
		}
	}
	if c := s.runtime.Counters(); c.ChildRestarts != 1 {
		t.Errorf("got %d child restarts counted, want 1", c.ChildRestarts)
	}
	if f := s.runtime.FailedChildren(); len(f) != 0 {
		t.Errorf("got failed children %v, want none after one restart", f)
	}
	name := "Still answering"
	if org, err := s.node.Organizations().UpdateOrganization(context.Background(), s.tn.owner, domain.OrganizationPatch{Name: &name}); err != nil || org.Name != name {
		t.Errorf("grain after a child's failure: got %q, %v, want %q", org.Name, err, name)
	}
	warns := s.logs.lines(t, "child actor failed; restarting with backoff")
	if len(warns) != 1 {
		t.Fatalf("got %d restart log lines, want 1", len(warns))
	}
	for key, want := range map[string]string{
		"level": "WARN", "organization_id": s.tn.org.ID.String(),
		"account_id": s.tn.accounts[0].ID.String(), "child": actors.ChildAccount,
	} {
		if got := field(warns[0], key); got != want {
			t.Errorf("restart log %s: got %q, want %q", key, got, want)
		}
	}
}

// TestChildStoppedAfterRepeatedFailures proves a child failing more than
// MaxRestarts times within the window is stopped, alone: its siblings and
// its grain keep answering, the operator view lists it, the stop is logged
// at ERROR with the organization and account, and AccountsChanged starts
// it again.
func TestChildStoppedAfterRepeatedFailures(t *testing.T) {
	s := newSupervised(t, nil)
	failing := s.keys[2] // account child of the second account
	account := s.tn.accounts[1]
	// Sent together: each waits in the mailbox of the suspended child and
	// fails the next incarnation.
	for range testMaxRestarts + 1 {
		s.probe.send(t, failing, &boom{})
	}
	eventually(t, 5*time.Second, "the failing child stopped", func() (bool, string) {
		return s.probe.isStopped(failing), fmt.Sprintf("started %d time(s), not stopped", len(s.probe.startTimes(failing)))
	})
	if n := len(s.probe.startTimes(failing)); n != testMaxRestarts+1 {
		t.Errorf("got the child started %d times, want %d (first and %d restarts)", n, testMaxRestarts+1, testMaxRestarts)
	}
	eventually(t, 5*time.Second, "the grain reports the child stopped", func() (bool, string) {
		c := children(s.describe(s.tn.org.ID))[failing]
		return c.Status == "stopped", fmt.Sprintf("%+v", c)
	})
	got := children(s.describe(s.tn.org.ID))
	if c := got[failing]; c.Restarts != testMaxRestarts {
		t.Errorf("got %d restarts reported, want %d", c.Restarts, testMaxRestarts)
	}
	for _, k := range []string{s.keys[0], s.keys[1], s.keys[3]} {
		if c := got[k]; c.Status != "running" || c.Restarts != 0 {
			t.Errorf("other child %s: got %+v, want running, never restarted", k, c)
		}
	}
	s.expectPings(t, map[string]int{s.keys[0]: 1, s.keys[1]: 1, s.keys[3]: 1})
	if _, err := s.probe.ping(t, failing); err == nil {
		t.Errorf("got an answer from the stopped child, want none")
	}

	failed := s.runtime.FailedChildren()
	if len(failed) != 1 {
		t.Fatalf("got %d failed children, want 1", len(failed))
	}
	f := failed[0]
	if f.OrganizationId != s.tn.org.ID.String() || f.AccountId != account.ID.String() || f.Kind != actors.ChildAccount ||
		f.Failures != testMaxRestarts+1 || !strings.Contains(f.Reason, "boom") || f.AtUnixMicro == 0 {
		t.Errorf("got failed child %+v, want org %s account %s kind account, %d failures, the panic's reason",
			f, s.tn.org.ID, account.ID, testMaxRestarts+1)
	}
	if c := s.runtime.Counters(); c.ChildRestarts != testMaxRestarts {
		t.Errorf("got %d child restarts counted, want %d", c.ChildRestarts, testMaxRestarts)
	}
	errs := s.logs.lines(t, "child actor stopped after failing repeatedly")
	if len(errs) != 1 {
		t.Fatalf("got %d stop log lines, want 1", len(errs))
	}
	for key, want := range map[string]string{
		"level": "ERROR", "organization_id": s.tn.org.ID.String(), "account_id": account.ID.String(),
		"child": actors.ChildAccount, "failures": fmt.Sprint(testMaxRestarts + 1),
	} {
		if got := field(errs[0], key); got != want {
			t.Errorf("stop log %s: got %q, want %q", key, got, want)
		}
	}

	act, err := s.node.Organizations().AccountsChanged(context.Background(), s.tn.owner)
	if err != nil {
		t.Fatalf("accounts changed: %v", err)
	}
	if c := children(act)[failing]; c.Status != "running" {
		t.Errorf("after AccountsChanged: got %+v, want the stopped child running again", c)
	}
	if !sameKeys(children(act), wantChildren(s.tn.accounts...)) {
		t.Errorf("after AccountsChanged: got children %v, want the same set", children(act))
	}
	s.probe.waitStarted(t, testMaxRestarts+2, failing)
	s.expectPings(t, map[string]int{failing: testMaxRestarts + 2, s.keys[0]: 1})
}
