package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/pgtest"
)

// scheduledPublication stores a content scheduled to a new Instagram
// account of org, due at.
func scheduledPublication(t *testing.T, o *OrgStore, at time.Time) domain.Publication {
	t.Helper()
	ctx := context.Background()
	account := seedAccount(t, o, domain.ProviderInstagram)
	c, err := o.CreateContent(ctx, newContent("claims"))
	if err != nil {
		t.Fatal(err)
	}
	list, err := o.SchedulePublications(ctx, domain.ScheduleInput{ContentID: c.ID, AccountIDs: []uuid.UUID{account}, PublishAt: at})
	if err != nil || len(list) != 1 {
		t.Fatalf("schedule: got %v, %v", list, err)
	}
	return list[0]
}

func claimReq(id uuid.UUID, member string, lease time.Duration, live ...string) domain.ClaimRequest {
	return domain.ClaimRequest{ID: id, Token: uuid.Must(uuid.NewV7()), Member: member, Lease: lease, LiveMembers: live}
}

func marker(c domain.Content, p domain.Provider) string { return c.Render(p).Marker() }

// TestClaimIsExclusive races claims on one due publication, as two
// activations of the organization (on two nodes) would: exactly one wins,
// every other is told the claim is held.
func TestClaimIsExclusive(t *testing.T) {
	s := NewStore(pgtest.Pool(t))
	org, _ := seedOrg(t, s, "Claims")
	o := s.Org(org)
	p := scheduledPublication(t, o, time.Now().Add(-time.Second))
	const racers = 8
	var wg sync.WaitGroup
	outcomes := make([]domain.ClaimOutcome, racers)
	errs := make([]error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, outcomes[i], _, errs[i] = o.ClaimPublication(context.Background(), claimReq(p.ID, "member-"+string(rune('a'+i)), time.Minute), marker)
		}()
	}
	wg.Wait()
	won := 0
	for i := range racers {
		if errs[i] != nil {
			t.Fatalf("claim %d: %v", i, errs[i])
		}
		switch outcomes[i] {
		case domain.Claimed:
			won++
		case domain.ClaimHeld:
		default:
			t.Errorf("claim %d: got outcome %d, want claimed or held", i, outcomes[i])
		}
	}
	if won != 1 {
		t.Fatalf("got %d winners, want exactly 1", won)
	}
}

// TestClaimLifecycle walks the claim's rules: not before it is due; a
// finish only by the claim's holder; a lease that ran out, or a member that
// left, hands the publication over as unknown_outcome to be reconciled; the
// outbox event written with the state change.
func TestClaimLifecycle(t *testing.T) {
	ctx := context.Background()
	s := NewStore(pgtest.Pool(t))
	org, _ := seedOrg(t, s, "Lifecycle")
	o := s.Org(org)

	later := scheduledPublication(t, o, time.Now().Add(time.Hour))
	if _, got, when, err := o.ClaimPublication(ctx, claimReq(later.ID, "a", time.Minute), marker); err != nil || got != domain.ClaimNotDue || when == nil {
		t.Errorf("not due: got %d, %v, %v; want ClaimNotDue with its time", got, when, err)
	}

	p := scheduledPublication(t, o, time.Now().Add(-time.Second))
	first := claimReq(p.ID, "a", time.Minute, "a", "b")
	c, got, _, err := o.ClaimPublication(ctx, first, marker)
	if err != nil || got != domain.Claimed || c.Reconcile || c.Attempt != 1 || c.Marker == "" {
		t.Fatalf("first claim: got %+v %d %v; want attempt 1, a marker, no reconciliation", c, got, err)
	}
	// Member a leaves the cluster: b takes over at once, to reconcile.
	second := claimReq(p.ID, "b", time.Minute, "b")
	c2, got, _, err := o.ClaimPublication(ctx, second, marker)
	if err != nil || got != domain.Claimed || !c2.Reconcile || c2.Attempt != 2 || c2.Marker != c.Marker {
		t.Fatalf("takeover: got %+v %d %v; want attempt 2 reconciling with the first marker", c2, got, err)
	}
	// a's late answer is refused: its claim is gone.
	if _, err := o.FinishAttempt(ctx, domain.AttemptResult{ID: p.ID, Token: first.Token, Outcome: domain.AttemptPublished,
		Status: domain.PublicationPublished, Published: &domain.PublishResult{ExternalID: "x1"}}); err == nil {
		t.Fatal("finish by a lost claim: got nil, want ErrClaimLost")
	}
	done, err := o.FinishAttempt(ctx, domain.AttemptResult{ID: p.ID, Token: second.Token, Outcome: domain.AttemptReconciled,
		Status: domain.PublicationPublished, Published: &domain.PublishResult{ExternalID: "x1", ExternalURL: "https://example.com/x1"},
		Reason: "reconciled", Event: &domain.Event{ID: uuid.Must(uuid.NewV7()), Type: domain.EventPublicationPublished, SubjectID: p.ID, CreatedAt: time.Now()}})
	if err != nil || done.Status != domain.PublicationPublished || done.ExternalID != "x1" {
		t.Fatalf("finish: got %+v, %v; want published x1", done, err)
	}
	full, err := o.Publication(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var path []domain.PublicationStatus
	for _, tr := range full.Timeline {
		path = append(path, tr.To)
	}
	want := []domain.PublicationStatus{domain.PublicationScheduled, domain.PublicationPublishing, domain.PublicationUnknownOutcome,
		domain.PublicationPublishing, domain.PublicationPublished}
	if len(path) != len(want) {
		t.Fatalf("timeline: got %v, want %v", path, want)
	}
	for i := range want {
		if path[i] != want[i] {
			t.Errorf("timeline[%d]: got %s, want %s", i, path[i], want[i])
		}
	}
	if len(full.Attempts) != 2 || full.Attempts[0].Outcome != domain.AttemptUnknown || full.Attempts[1].Outcome != domain.AttemptReconciled {
		t.Errorf("attempts: got %+v, want unknown then reconciled", full.Attempts)
	}
	events, err := o.Events(ctx, domain.EventPublicationPublished)
	if err != nil || len(events) != 1 || events[0].SubjectID != p.ID {
		t.Errorf("outbox: got %+v, %v; want one publication.published for the publication", events, err)
	}
	if _, got, _, err := o.ClaimPublication(ctx, claimReq(p.ID, "b", time.Minute), marker); err != nil || got != domain.ClaimDone {
		t.Errorf("claim of a published publication: got %d, %v; want ClaimDone", got, err)
	}

	// A lease that runs out hands the publication over too, even with
	// its member still listed.
	q := scheduledPublication(t, o, time.Now().Add(-time.Second))
	if _, got, _, err := o.ClaimPublication(ctx, claimReq(q.ID, "a", 50*time.Millisecond, "a", "b"), marker); err != nil || got != domain.Claimed {
		t.Fatalf("short lease: got %d, %v", got, err)
	}
	if _, got, _, err := o.ClaimPublication(ctx, claimReq(q.ID, "b", time.Minute, "a", "b"), marker); err != nil || got != domain.ClaimHeld {
		t.Errorf("live lease: got %d, %v; want ClaimHeld", got, err)
	}
	time.Sleep(100 * time.Millisecond)
	if c, got, _, err := o.ClaimPublication(ctx, claimReq(q.ID, "b", time.Minute, "a", "b"), marker); err != nil || got != domain.Claimed || !c.Reconcile {
		t.Errorf("expired lease: got %d reconcile=%v, %v; want claimed to reconcile", got, c.Reconcile, err)
	}

	// Orgs with due work are found across tenants, ids only.
	orgs, err := s.OrgsWithDuePublications(ctx, time.Now().Add(2*time.Hour), false)
	if err != nil || len(orgs) == 0 {
		t.Errorf("due organizations: got %v, %v; want this one", orgs, err)
	}
}
