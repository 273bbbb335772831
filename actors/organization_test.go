package actors_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/telemetry"
)

// gatedWriter holds organization updates while its gate is shut, so a
// test can keep a grain busy for as long as it likes.
type gatedWriter struct {
	actors.OrganizationWriter
	mu      sync.Mutex
	gate    chan struct{}
	entered chan struct{}
}

func (w *gatedWriter) shut() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gate == nil {
		w.gate = make(chan struct{})
	}
}

func (w *gatedWriter) open() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gate != nil {
		close(w.gate)
		w.gate = nil
	}
}

func (w *gatedWriter) UpdateOrganization(ctx context.Context, p domain.Principal, patch domain.OrganizationPatch) (domain.Organization, error) {
	w.mu.Lock()
	gate := w.gate
	w.mu.Unlock()
	if gate != nil {
		w.entered <- struct{}{}
		select {
		case <-gate:
		case <-ctx.Done():
			return domain.Organization{}, domain.Unavailable("test gate", ctx.Err())
		}
	}
	return w.OrganizationWriter.UpdateOrganization(ctx, p, patch)
}

// TestCallPastItsTimeoutIsUnavailable proves a command the grain cannot
// answer in time (here it is busy with an earlier one) answers
// unavailable at the caller's deadline or the node's request timeout,
// whichever is shorter, not later, and that the grain answers again once
// free.
func TestCallPastItsTimeoutIsUnavailable(t *testing.T) {
	const requestTimeout = 600 * time.Millisecond
	w := &gatedWriter{entered: make(chan struct{}, 10)}
	e := newEnv(t, setup{
		requestTimeout: requestTimeout,
		writer: func(inner actors.OrganizationWriter) actors.OrganizationWriter {
			w.OrganizationWriter = inner
			return w
		},
	})
	t.Cleanup(w.open) // before the node closes: a held grain would delay it
	tn := e.newTenant("Timeouts", 0)
	e.describe(tn.org.ID)
	orgs := e.node.Organizations()

	w.shut()
	tests := []struct {
		name     string
		deadline time.Duration // 0: only the node's request timeout
		want     time.Duration
	}{
		{"caller deadline shorter than the node's timeout", 200 * time.Millisecond, 200 * time.Millisecond},
		{"node request timeout", 0, requestTimeout},
		{"caller deadline longer than the node's timeout", 10 * time.Second, requestTimeout},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			name := fmt.Sprintf("Held %d", i)
			start := time.Now()
			_, err := orgs.UpdateOrganization(ctx, tn.owner, domain.OrganizationPatch{Name: &name})
			took := time.Since(start)
			if got := domain.ErrorCode(err); got != domain.CodeUnavailable {
				t.Fatalf("got %q (%v), want %q", got, err, domain.CodeUnavailable)
			}
			// protoactor may start a second attempt with a whole new
			// timeout; the client must not let it.
			if took < tt.want-10*time.Millisecond || took > tt.want+250*time.Millisecond {
				t.Errorf("got the answer after %v, want it after about %v", took, tt.want)
			}
		})
	}
	// The first command is held in the writer; the others wait behind it.
	select {
	case <-w.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("got no update into the writer, want the first one held there")
	}
	w.open()
	name := "Free again"
	org, err := orgs.UpdateOrganization(context.Background(), tn.owner, domain.OrganizationPatch{Name: &name})
	if err != nil || org.Name != name {
		t.Fatalf("after the grain is free: got %q, %v, want %q", org.Name, err, name)
	}
}

// TestUpdateOrganizationEndToEnd proves a command changes the organization
// in PostgreSQL through the real identity use case, and the grain keeps
// the new state it then describes.
func TestUpdateOrganizationEndToEnd(t *testing.T) {
	e := newEnv(t, setup{})
	tn := e.newTenant("Before", 0)
	ctx := context.Background()

	name := "  After  "
	got, err := e.node.Organizations().UpdateOrganization(ctx, tn.owner, domain.OrganizationPatch{
		Name: &name, Settings: map[string]any{"timezone": "Europe/Lisbon"},
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if got.Name != "After" || got.ID != tn.org.ID || got.Settings["timezone"] != "Europe/Lisbon" {
		t.Errorf("got reply %+v, want name %q and the timezone setting", got, "After")
	}
	stored, err := e.store.Org(tn.org.ID).Organization(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Name != "After" || stored.Settings["timezone"] != "Europe/Lisbon" {
		t.Errorf("got stored %q %v, want %q with the timezone", stored.Name, stored.Settings, "After")
	}
	act := e.describe(tn.org.ID)
	if act.Name != "After" || act.OrganizationID != tn.org.ID {
		t.Errorf("got grain holding %q of %s, want %q of %s", act.Name, act.OrganizationID, "After", tn.org.ID)
	}
	if act.Loads != 1 || act.MemberID != e.node.ID() || act.Address != e.node.Address() {
		t.Errorf("got loads %d on %s at %s, want 1 load on this member %s at %s", act.Loads, act.MemberID, act.Address, e.node.ID(), e.node.Address())
	}

	// Validation runs in the grain's use case: the violation crosses back.
	empty := " "
	_, err = e.node.Organizations().UpdateOrganization(ctx, tn.owner, domain.OrganizationPatch{Name: &empty})
	if de := domain.AsError(err); de.Code != domain.CodeInvalid || de.Field != "name" {
		t.Errorf("empty name: got %v, want invalid on field name", err)
	}
}

// TestCommandsRefused proves what a grain refuses: an organization that
// does not exist is not_found, at once and again on every later call (the
// failed activation neither lingers as a broken grain nor drops the next
// command: it reads PostgreSQL again, and finds the organization once it
// exists), and a member whose role does not allow the change is forbidden,
// leaving the database unchanged.
func TestCommandsRefused(t *testing.T) {
	e := newEnv(t, setup{})
	tn := e.newTenant("Kept", 0)
	ctx := context.Background()
	orgs := e.node.Organizations()

	missing := uuid.Must(uuid.NewV7())
	before := e.runtime.Counters().Activations
	for i := range 5 {
		start := time.Now()
		name := "Ghost"
		_, err := orgs.UpdateOrganization(ctx, domain.Principal{UserID: tn.owner.UserID, OrganizationID: missing, Role: domain.RoleOwner},
			domain.OrganizationPatch{Name: &name})
		if got := domain.ErrorCode(err); got != domain.CodeNotFound {
			t.Fatalf("call %d to a missing organization: got %q (%v), want %q", i+1, got, err, domain.CodeNotFound)
		}
		if _, err := orgs.Describe(ctx, missing); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Fatalf("describe %d of a missing organization: got %v, want %q", i+1, err, domain.CodeNotFound)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("calls %d: got answers after %v, want them at once", i+1, took)
		}
	}
	if got := e.runtime.Counters().Activations - before; got != 1 {
		t.Errorf("got %d activations for the missing organization, want 1 grain answering every call", got)
	}
	now := time.Now().UTC()
	late := domain.Organization{ID: missing, Name: "Late arrival", Settings: map[string]any{}, CreatedAt: now}
	if err := e.store.Register(ctx, domain.User{ID: uuid.Must(uuid.NewV7()), Email: "late." + uuid.NewString()[:12] + "@example.com", Name: "Late", CreatedAt: now}, "x", late); err != nil {
		t.Fatal(err)
	}
	if act := e.describe(missing); act.Name != late.Name || act.OrganizationID != missing {
		t.Errorf("once the organization exists: got %q of %s, want %q of %s", act.Name, act.OrganizationID, late.Name, missing)
	}

	viewer := tn.owner
	viewer.Role = domain.RoleViewer
	name := "Renamed by a viewer"
	_, err := orgs.UpdateOrganization(ctx, viewer, domain.OrganizationPatch{Name: &name})
	if got := domain.ErrorCode(err); got != domain.CodeForbidden {
		t.Fatalf("viewer: got %q (%v), want %q", got, err, domain.CodeForbidden)
	}
	stored, err := e.store.Org(tn.org.ID).Organization(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Name != "Kept" {
		t.Errorf("got stored name %q after a refused change, want %q", stored.Name, "Kept")
	}
	if act := e.describe(tn.org.ID); act.Name != "Kept" {
		t.Errorf("got grain holding %q after a refused change, want %q", act.Name, "Kept")
	}
}

// TestChildrenFollowAccounts proves a grain starts one account and one
// sync child per social account, and AccountsChanged brings the children
// to exactly the accounts now in PostgreSQL.
func TestChildrenFollowAccounts(t *testing.T) {
	e := newEnv(t, setup{})
	tn := e.newTenant("Three accounts", 3)
	ctx := context.Background()

	act := e.describe(tn.org.ID)
	got := children(act)
	if !sameKeys(got, wantChildren(tn.accounts...)) {
		t.Fatalf("got children %v, want account and sync for %d accounts", got, len(tn.accounts))
	}
	for k, c := range got {
		if c.Status != "running" || c.Restarts != 0 {
			t.Errorf("child %s: got %s with %d restarts, want running with 0", k, c.Status, c.Restarts)
		}
	}

	fourth := e.addAccount(tn.org.ID)
	gone := domain.Event{ID: uuid.Must(uuid.NewV7()), OrganizationID: tn.org.ID, Type: domain.EventAccountDisconnected,
		SubjectID: tn.accounts[1].ID, CreatedAt: time.Now().UTC()}
	if err := e.store.Org(tn.org.ID).DisconnectSocialAccount(ctx, tn.accounts[1].ID, "test", gone); err != nil {
		t.Fatal(err)
	}
	if still := children(e.describe(tn.org.ID)); len(still) != 6 {
		t.Errorf("before AccountsChanged: got %d children, want the 6 it had", len(still))
	}
	act, err := e.node.Organizations().AccountsChanged(ctx, tn.owner)
	if err != nil {
		t.Fatalf("accounts changed: %v", err)
	}
	want := wantChildren(tn.accounts[0], tn.accounts[2], fourth)
	if got := children(act); !sameKeys(got, want) {
		t.Errorf("got children %v, want exactly %v", got, want)
	}
	if got := children(e.describe(tn.org.ID)); !sameKeys(got, want) {
		t.Errorf("describe after: got children %v, want exactly %v", got, want)
	}
	if act.Loads != 2 {
		t.Errorf("got %d loads, want 2 (activation and AccountsChanged)", act.Loads)
	}
}

// TestPassivationAndReactivation proves an idle grain passivates, and the
// next command activates it again with its state read afresh from
// PostgreSQL, including a change made while it was not active.
func TestPassivationAndReactivation(t *testing.T) {
	e := newEnv(t, setup{opts: actors.Options{IdleTimeout: 300 * time.Millisecond}})
	tn := e.newTenant("Sleepy", 1)
	ctx := context.Background()

	first := e.describe(tn.org.ID)
	if c := e.runtime.Counters(); c.Activations != 1 || c.Active != 1 {
		t.Fatalf("after the first command: got counters %s, want 1 activation, 1 active", fmtCounters(c))
	}
	eventually(t, 5*time.Second, "the idle grain passivated", func() (bool, string) {
		c := e.runtime.Counters()
		return c.Passivations == 1 && c.Active == 0, fmtCounters(c)
	})

	renamed := "Renamed while asleep"
	if _, err := e.store.Org(tn.org.ID).UpdateOrganization(ctx, &renamed, nil); err != nil {
		t.Fatal(err)
	}
	second := e.describe(tn.org.ID)
	if second.Name != renamed {
		t.Errorf("got name %q after reactivation, want %q from PostgreSQL", second.Name, renamed)
	}
	if !second.ActivatedAt.After(first.ActivatedAt) {
		t.Errorf("got activated at %v, want after the first activation %v", second.ActivatedAt, first.ActivatedAt)
	}
	if got := children(second); !sameKeys(got, wantChildren(tn.accounts...)) {
		t.Errorf("got children %v after reactivation, want them started again", got)
	}
	if c := e.runtime.Counters(); c.Activations != 2 || c.Active != 1 || c.Passivations != 1 {
		t.Errorf("got counters %s, want 2 activations, 1 active, 1 passivation", fmtCounters(c))
	}
}

// TestCommandLogCarriesRequestIDs proves a grain's log line for a command
// carries the ids of the request that sent it and who acted, so the
// grain's lines join the request's.
func TestCommandLogCarriesRequestIDs(t *testing.T) {
	logs := &logBuffer{}
	e := newEnv(t, setup{opts: actors.Options{Logger: telemetry.NewLogger(logs, "json", slog.LevelDebug)}})
	tn := e.newTenant("Traced", 0)
	ids := &telemetry.IDs{RequestID: "req-" + uuid.NewString()[:8], CorrelationID: "cor-" + uuid.NewString()[:8], TraceID: telemetry.NewID()}
	ctx := telemetry.WithIDs(context.Background(), ids)

	name := "Traced again"
	if _, err := e.node.Organizations().UpdateOrganization(ctx, tn.owner, domain.OrganizationPatch{Name: &name}); err != nil {
		t.Fatalf("update: %v", err)
	}
	lines := logs.lines(t, "organization updated")
	if len(lines) != 1 {
		t.Fatalf("got %d %q lines, want 1", len(lines), "organization updated")
	}
	rec := lines[0]
	for key, want := range map[string]string{
		"level":           "INFO",
		"request_id":      ids.RequestID,
		"correlation_id":  ids.CorrelationID,
		"trace_id":        ids.TraceID,
		"organization_id": tn.org.ID.String(),
		"user_id":         tn.owner.UserID.String(),
		"member":          e.node.ID(),
	} {
		if got := field(rec, key); got != want {
			t.Errorf("log field %s: got %q, want %q", key, got, want)
		}
	}
}

func fmtCounters(c actors.Counters) string { return fmt.Sprintf("%+v", c) }
