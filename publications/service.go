// Package publications runs the publishing use cases the HTTP edge calls:
// reads of publications straight from the organization's store, and the
// schedule commands sent to the organization's grain, which owns the
// schedule (DESIGN.md §6).
package publications

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// Grains sends the schedule commands to organization grains
// (actors.OrganizationClient).
type Grains interface {
	Schedule(ctx context.Context, p domain.Principal, content uuid.UUID, accounts []uuid.UUID, publishAt time.Time, publishNow bool) ([]domain.Publication, error)
	Unschedule(ctx context.Context, p domain.Principal, content uuid.UUID) ([]domain.Publication, error)
	Reschedule(ctx context.Context, p domain.Principal, id uuid.UUID, at time.Time) (domain.Publication, error)
	RetryPublication(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Publication, error)
}

// Service is the publishing use cases.
type Service struct {
	store  *postgres.Store
	grains Grains
	now    func() time.Time
}

// New returns the service.
func New(store *postgres.Store, grains Grains) *Service {
	return &Service{store: store, grains: grains, now: time.Now}
}

// List lists the organization's publications by publish time.
func (s *Service) List(ctx context.Context, p domain.Principal, f domain.PublicationFilter, after *domain.Position, limit int) ([]domain.Publication, error) {
	if err := p.Require(domain.PermContentRead); err != nil {
		return nil, err
	}
	return s.store.Org(p.OrganizationID).Publications(ctx, f, after, limit)
}

// Get returns one publication with its timeline and attempts.
func (s *Service) Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Publication, error) {
	if err := p.Require(domain.PermContentRead); err != nil {
		return domain.Publication{}, err
	}
	return s.store.Org(p.OrganizationID).Publication(ctx, id)
}

// Schedule schedules a content to accounts at publishAt.
func (s *Service) Schedule(ctx context.Context, p domain.Principal, content uuid.UUID, accounts []uuid.UUID, publishAt time.Time) ([]domain.Publication, error) {
	if err := s.check(p, accounts); err != nil {
		return nil, err
	}
	if err := domain.CheckPublishAt("publish_at", publishAt, s.now()); err != nil {
		return nil, err
	}
	return s.grains.Schedule(ctx, p, content, accounts, publishAt, false)
}

// PublishNow publishes a content to accounts now.
func (s *Service) PublishNow(ctx context.Context, p domain.Principal, content uuid.UUID, accounts []uuid.UUID) ([]domain.Publication, error) {
	if err := s.check(p, accounts); err != nil {
		return nil, err
	}
	return s.grains.Schedule(ctx, p, content, accounts, time.Time{}, true)
}

func (s *Service) check(p domain.Principal, accounts []uuid.UUID) error {
	if err := p.Require(domain.PermContentPublish); err != nil {
		return err
	}
	switch {
	case len(accounts) == 0:
		return domain.Invalid("social_account_ids", "name at least one social account")
	case len(accounts) > 50:
		return domain.Invalid("social_account_ids", "at most 50 accounts at once")
	}
	seen := map[uuid.UUID]bool{}
	for _, a := range accounts {
		if seen[a] {
			return domain.Invalid("social_account_ids", "lists account %s twice", a)
		}
		seen[a] = true
	}
	return nil
}

// Unschedule cancels a content's publications that have not started.
func (s *Service) Unschedule(ctx context.Context, p domain.Principal, content uuid.UUID) ([]domain.Publication, error) {
	if err := p.Require(domain.PermContentPublish); err != nil {
		return nil, err
	}
	return s.grains.Unschedule(ctx, p, content)
}

// Reschedule moves a waiting publication.
func (s *Service) Reschedule(ctx context.Context, p domain.Principal, id uuid.UUID, at time.Time) (domain.Publication, error) {
	if err := p.Require(domain.PermContentPublish); err != nil {
		return domain.Publication{}, err
	}
	if err := domain.CheckPublishAt("publish_at", at, s.now()); err != nil {
		return domain.Publication{}, err
	}
	return s.grains.Reschedule(ctx, p, id, at)
}

// Retry re-drives a failed publication.
func (s *Service) Retry(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Publication, error) {
	if err := p.Require(domain.PermContentPublish); err != nil {
		return domain.Publication{}, err
	}
	return s.grains.RetryPublication(ctx, p, id)
}
