package actors

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
)

// publishingCommand checks what every publishing command needs: a loaded
// grain, publishing on, and the principal's permission.
func (g *organizationGrain) publishingCommand(h *actorpb.CommandHeader) (domain.Principal, PublicationStore, error) {
	if err := g.ready(); err != nil {
		return domain.Principal{}, nil, err
	}
	if !g.publishing() {
		return domain.Principal{}, nil, domain.Errorf(domain.CodeUnavailable, "publishing is not enabled on this node")
	}
	p, err := principalOf(h, g.id)
	if err != nil {
		return p, nil, err
	}
	if err := p.Require(domain.PermContentPublish); err != nil {
		return p, nil, err
	}
	return p, g.rt.opts.Publishing.Store(g.id), nil
}

// answer keeps the publications that are due soon in the heap and returns
// them as the command's reply.
func (g *organizationGrain) answer(list []domain.Publication, err error) (*actorpb.Publications, error) {
	if err != nil {
		return nil, toGrainError(err)
	}
	horizon := time.Now().Add(g.rt.opts.Publishing.Horizon)
	for _, p := range list {
		switch {
		case p.Status == domain.PublicationScheduled || p.Status == domain.PublicationRetryScheduled:
			at := p.PublishAt
			if p.NextAttemptAt != nil {
				at = *p.NextAttemptAt
			}
			if at.Before(horizon) {
				g.push(p.ID, p.SocialAccountID, at)
			} else {
				g.remove(p.ID)
			}
		case !p.Status.Pending():
			g.remove(p.ID)
		}
	}
	g.arm()
	if list == nil {
		list = []domain.Publication{}
	}
	b, err := json.Marshal(list)
	if err != nil {
		return nil, toGrainError(domain.Internal(err))
	}
	return &actorpb.Publications{PublicationsJson: b}, nil
}

// Schedule creates one publication of a content per account, after
// validating the content for every target's network in the same
// transaction.
func (g *organizationGrain) Schedule(req *actorpb.ScheduleRequest, _ cluster.GrainContext) (*actorpb.Publications, error) {
	p, store, err := g.publishingCommand(req.GetHeader())
	if err != nil {
		return nil, toGrainError(err)
	}
	contentID, err := uuid.Parse(req.GetContentId())
	if err != nil {
		return nil, toGrainError(domain.Errorf(domain.CodeNotFound, "content not found"))
	}
	in := domain.ScheduleInput{ContentID: contentID, Validate: validateTargets}
	if p.UserID != uuid.Nil {
		by := p.UserID
		in.CreatedBy = &by
	}
	for i, s := range req.GetSocialAccountIds() {
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, toGrainError(domain.Invalid(fmt.Sprintf("social_account_ids[%d]", i), "must be a UUID"))
		}
		in.AccountIDs = append(in.AccountIDs, id)
	}
	now := time.Now()
	in.PublishAt = time.UnixMicro(req.GetPublishAtUnixMicro()).UTC()
	if req.GetPublishNow() {
		in.PublishAt = now.UTC()
	} else if err := domain.CheckPublishAt("publish_at", in.PublishAt, now); err != nil {
		return nil, toGrainError(err)
	}
	ctx, cancel := g.commandContext(req.GetHeader())
	defer cancel()
	return g.answer(store.SchedulePublications(ctx, in))
}

// validateTargets runs the content validation for the accounts scheduled.
func validateTargets(c domain.Content, targets []domain.PublishTarget) error {
	vt := make([]domain.ValidationTarget, len(targets))
	for i, t := range targets {
		vt[i] = domain.ValidationTarget{Provider: t.Provider, AccountID: t.AccountID.String(), Options: t.Options}
	}
	if errs := domain.ValidateContent(c, vt); len(errs) > 0 {
		return errs
	}
	return nil
}

// Unschedule cancels a content's publications that have not started.
func (g *organizationGrain) Unschedule(req *actorpb.UnscheduleRequest, _ cluster.GrainContext) (*actorpb.Publications, error) {
	_, store, err := g.publishingCommand(req.GetHeader())
	if err != nil {
		return nil, toGrainError(err)
	}
	contentID, err := uuid.Parse(req.GetContentId())
	if err != nil {
		return nil, toGrainError(domain.Errorf(domain.CodeNotFound, "content not found"))
	}
	ctx, cancel := g.commandContext(req.GetHeader())
	defer cancel()
	return g.answer(store.UnschedulePublications(ctx, contentID))
}

// onePublication runs a publishing command on one publication: the
// checks every command makes, then change in the command's context.
func (g *organizationGrain) onePublication(h *actorpb.CommandHeader, rawID string,
	change func(ctx context.Context, store PublicationStore, id uuid.UUID) (domain.Publication, error)) (*actorpb.Publications, error) {
	_, store, err := g.publishingCommand(h)
	if err != nil {
		return nil, toGrainError(err)
	}
	id, err := uuid.Parse(rawID)
	if err != nil {
		return nil, toGrainError(domain.Errorf(domain.CodeNotFound, "publication not found"))
	}
	ctx, cancel := g.commandContext(h)
	defer cancel()
	pub, err := change(ctx, store, id)
	return g.answer([]domain.Publication{pub}, err)
}

// Reschedule moves a waiting publication to a new time.
func (g *organizationGrain) Reschedule(req *actorpb.RescheduleRequest, _ cluster.GrainContext) (*actorpb.Publications, error) {
	at := time.UnixMicro(req.GetPublishAtUnixMicro()).UTC()
	return g.onePublication(req.GetHeader(), req.GetPublicationId(), func(ctx context.Context, store PublicationStore, id uuid.UUID) (domain.Publication, error) {
		if err := domain.CheckPublishAt("publish_at", at, time.Now()); err != nil {
			return domain.Publication{}, err
		}
		return store.ReschedulePublication(ctx, id, at)
	})
}

// RetryPublication re-drives a failed publication now: it is scheduled
// again with its original publish time, past, so the heap fires it at once.
func (g *organizationGrain) RetryPublication(req *actorpb.RetryPublicationRequest, _ cluster.GrainContext) (*actorpb.Publications, error) {
	return g.onePublication(req.GetHeader(), req.GetPublicationId(), func(ctx context.Context, store PublicationStore, id uuid.UUID) (domain.Publication, error) {
		return store.RetryPublication(ctx, id)
	})
}

// Wake reads the due publications again: the sweep and topology changes
// send it, so a passivated grain or one whose node was lost never drops a
// publication.
func (g *organizationGrain) Wake(req *actorpb.WakeRequest, _ cluster.GrainContext) (*actorpb.WakeReply, error) {
	if err := g.ready(); err != nil {
		return nil, toGrainError(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.rt.opts.LoadTimeout)
	defer cancel()
	n, err := g.loadDue(ctx, req.GetIncludeClaimed())
	if err != nil {
		return nil, toGrainError(err)
	}
	return &actorpb.WakeReply{Due: int32(n)}, nil
}
