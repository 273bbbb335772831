package actors

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers"
	"github.com/sony/gobreaker/v2"
)

// classOf is a publish error's class (domain.Class* spelling).
func classOf(err error) string {
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return domain.ClassCircuitOpen
	}
	return string(providers.ClassOf(err))
}

// attemptErrorOf is what an attempt records of a provider error: its class,
// the provider's code and a message free of secrets (the clients scrub
// tokens from what they keep).
func attemptErrorOf(err error) *domain.AttemptError {
	ae := &domain.AttemptError{Class: classOf(err), Message: err.Error()}
	var pe *providers.Error
	if errors.As(err, &pe) {
		ae.Code = pe.Code
		if pe.Subcode != "" {
			ae.Code += "/" + pe.Subcode
		}
	}
	if len(ae.Message) > 500 {
		ae.Message = ae.Message[:500]
	}
	return ae
}

// attempt runs one attempt of job: claim in PostgreSQL, the YouTube project
// quota, reconciliation of an unknown outcome, the provider call under the
// organization's breaker (a token refresh and one more call when the token
// expired), then the result recorded while the claim is held. It never
// panics the caller's actor and always answers when the publication is due
// again.
func (rt *Runtime) attempt(job *publishJob) *attemptDone {
	// A slot first: past MaxInFlight, attempts wait here unclaimed, so an
	// overloaded node publishes later instead of timing out calls it has
	// claimed.
	rt.slots <- struct{}{}
	defer func() { <-rt.slots }()
	o := rt.opts.Publishing
	out := &attemptDone{id: job.id, account: job.account}
	log := rt.opts.Logger.With(slog.String("organization_id", job.org.String()), slog.String("publication_id", job.id.String()))
	ctx, cancel := context.WithTimeout(context.Background(), o.Lease-o.Lease/10)
	defer cancel()
	store := o.Store(job.org)
	token := uuid.Must(uuid.NewV7())
	claim, outcome, when, err := store.ClaimPublication(ctx, domain.ClaimRequest{
		ID: job.id, Token: token, Member: job.member, Lease: o.Lease, LiveMembers: job.live, Early: fireEarly,
	}, func(c domain.Content, p domain.Provider) string { return c.Render(p).Marker() })
	if err != nil {
		log.Warn("claiming a publication failed; trying again shortly", slog.Any("error", err))
		retry := time.Now().Add(5 * time.Second)
		out.due = &retry
		return out
	}
	switch outcome {
	case domain.ClaimHeld:
		rt.opts.Metrics.claimsLost.Inc()
		out.due = when
		return out
	case domain.ClaimNotDue:
		out.due = when
		return out
	case domain.ClaimDone:
		rt.opts.Metrics.claimsLost.Inc()
		return out
	}
	p := claim.Publication
	if claim.Attempt == 1 {
		late := time.Since(p.PublishAt)
		rt.opts.Metrics.lateness.Observe(late.Seconds())
		if o.Observe != nil {
			o.Observe(job.org, p, late)
		}
	}
	finish := func(r domain.AttemptResult) *attemptDone {
		r.ID, r.Token = job.id, token
		if r.Status.Pending() && r.DueAt == nil {
			now := time.Now()
			r.DueAt = &now
		}
		rt.opts.Metrics.attempts.WithLabelValues(string(p.Provider), string(r.Outcome)).Inc()
		if _, err := store.FinishAttempt(context.WithoutCancel(ctx), r); err != nil {
			// The claim was lost (its lease ran out and another member took
			// over) or PostgreSQL failed: the lease's end brings the
			// publication back as unknown_outcome, reconciled then.
			log.Warn("recording a publication attempt failed", slog.Any("error", err))
			lease := time.Now().Add(o.Lease)
			out.due = &lease
			return out
		}
		if r.Status.Pending() {
			out.due = r.DueAt
		}
		return out
	}
	failNow := func(reason string, ae *domain.AttemptError) *attemptDone {
		return finish(domain.AttemptResult{Outcome: domain.AttemptFailed, Status: domain.PublicationFailed, Error: ae,
			Reason: reason, Event: failedEvent(p, reason, ae)})
	}
	if claim.Content.ID == uuid.Nil {
		return failNow("the content was deleted", nil)
	}
	if claim.AccountStatus == domain.AccountNeedsReauth || claim.AccountStatus == domain.AccountDisconnected {
		return failNow("the social account is "+string(claim.AccountStatus)+"; connect it again and re-drive the publication",
			&domain.AttemptError{Class: domain.ClassAuthExpired, Message: "account " + string(claim.AccountStatus)})
	}
	req := domain.PublishRequest{OrganizationID: job.org, AccountID: job.account, PublicationID: job.id, Provider: p.Provider,
		ExternalAccountID: claim.ExternalAccountID, Post: claim.Content.Render(p.Provider), Options: claim.Options}
	failed := func(err error) *attemptDone {
		if errors.Is(err, domain.ErrOutcomeUnknown) {
			due := time.Now().Add(o.UnknownDelay)
			return finish(domain.AttemptResult{Outcome: domain.AttemptUnknown, Status: domain.PublicationUnknownOutcome,
				DueAt: &due, Error: attemptErrorOf(err), Reason: "the provider's answer was lost; reconciling before any new call"})
		}
		ae := attemptErrorOf(err)
		step := domain.AfterFailure(ae.Class, p.RetriesUsed, retryAfterOf(err, o.BreakerOpen), ae.Message, o.RetryDelays)
		if claim.Reconcile && step.Status == domain.PublicationRetryScheduled {
			// Still not known whether the post went out: stay unknown.
			step.Status = domain.PublicationUnknownOutcome
		}
		r := domain.AttemptResult{Outcome: step.Outcome, Status: step.Status, SpendRetry: step.SpendRetry, Error: ae, Reason: step.Reason}
		if step.Status == domain.PublicationFailed {
			r.Event = failedEvent(p, step.Reason, ae)
		} else {
			due := time.Now().Add(step.Delay)
			r.DueAt = &due
		}
		return finish(r)
	}
	published := func(res domain.PublishResult, outcome domain.AttemptOutcome, reason string) *attemptDone {
		if res.Options != nil && (claim.Options == nil || !reflect.DeepEqual(*res.Options, *claim.Options)) {
			if err := store.SavePostingOptions(ctx, job.account, *res.Options); err != nil {
				log.Warn("saving the account's posting options failed", slog.Any("error", err))
			}
		}
		return finish(domain.AttemptResult{Outcome: outcome, Status: domain.PublicationPublished, Published: &res,
			Reason: reason, Event: publishedEvent(p, res)})
	}
	if claim.Reconcile {
		res, found, err := o.Publisher.Reconcile(ctx, req, claim.FirstCallAt.Add(-2*time.Minute), claim.Exclude)
		if err != nil {
			return failed(err)
		}
		if found {
			return published(res, domain.AttemptReconciled, "found published at the provider (reconciled)")
		}
		until := claim.FirstCallAt.Add(o.ReconcileGrace(p.Provider))
		if last := claim.LastCallAt.Add(o.UnknownGrace); last.After(until) {
			until = last
		}
		if time.Now().Before(until) {
			// Not listed yet, but it may still be processing: ask again
			// later rather than risk a second post.
			return finish(domain.AttemptResult{Outcome: domain.AttemptUnknown, Status: domain.PublicationUnknownOutcome,
				DueAt: &until, Reason: "not listed at the provider yet; it may still be processing, asking again before any new call"})
		}
	}
	if p.Provider == domain.ProviderYouTube && o.YouTubeQuota != nil {
		ok, resetIn, err := o.YouTubeQuota.Reserve(ctx, o.YouTubeUploadCost)
		if err != nil {
			return failed(&providers.Error{Provider: "youtube", Op: "reserve project quota", Class: providers.Retryable, Err: err})
		}
		if !ok {
			return failed(&providers.Error{Provider: "youtube", Op: "reserve project quota", Class: providers.QuotaExhausted,
				Code: "quotaExceeded", Message: "the application's daily YouTube quota is spent", RetryAfter: resetIn})
		}
	}
	call := func() (domain.PublishResult, error) {
		return job.breaker.Execute(func() (domain.PublishResult, error) { return o.Publisher.Publish(ctx, req) })
	}
	res, err := call()
	if err != nil && classOf(err) == domain.ClassAuthExpired && o.Refresher != nil && !errors.Is(err, domain.ErrOutcomeUnknown) {
		switch outcome, rerr := o.Refresher.RefreshNow(ctx, job.org, job.account); {
		case rerr != nil || outcome == domain.RefreshFailed:
			return failed(&providers.Error{Provider: string(p.Provider), Op: "refresh token", Class: providers.Retryable,
				Message: "the token expired and could not be refreshed yet", Err: rerr})
		case outcome == domain.RefreshRefused:
			return failed(err)
		}
		res, err = call()
	}
	if err != nil {
		return failed(err)
	}
	return published(res, domain.AttemptPublished, "published")
}

// retryAfterOf is the wait a failure asks for: the provider's, or the
// breaker's open period.
func retryAfterOf(err error, breakerOpen time.Duration) time.Duration {
	if classOf(err) == domain.ClassCircuitOpen {
		return breakerOpen
	}
	return providers.RetryAfterOf(err)
}

func publishedEvent(p domain.Publication, res domain.PublishResult) *domain.Event {
	return &domain.Event{ID: uuid.Must(uuid.NewV7()), OrganizationID: p.OrganizationID, Type: domain.EventPublicationPublished,
		SubjectID: p.ID, CreatedAt: time.Now().UTC(), Payload: map[string]any{
			"publication_id": p.ID, "content_id": p.ContentID, "social_account_id": p.SocialAccountID,
			"provider": p.Provider, "external_id": res.ExternalID, "external_url": res.ExternalURL,
			"publish_at": p.PublishAt.UTC(),
		}}
}

func failedEvent(p domain.Publication, reason string, ae *domain.AttemptError) *domain.Event {
	payload := map[string]any{
		"publication_id": p.ID, "content_id": p.ContentID, "social_account_id": p.SocialAccountID,
		"provider": p.Provider, "reason": reason, "publish_at": p.PublishAt.UTC(),
	}
	if ae != nil {
		payload["error"] = map[string]any{"class": ae.Class, "code": ae.Code}
	}
	return &domain.Event{ID: uuid.Must(uuid.NewV7()), OrganizationID: p.OrganizationID, Type: domain.EventPublicationFailed,
		SubjectID: p.ID, CreatedAt: time.Now().UTC(), Payload: payload}
}
