package actors

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"golang.org/x/time/rate"
)

// PublicationStore is what the publishing engine reads and writes of an
// organization's publications (package postgres).
type PublicationStore interface {
	SchedulePublications(ctx context.Context, in domain.ScheduleInput) ([]domain.Publication, error)
	UnschedulePublications(ctx context.Context, contentID uuid.UUID) ([]domain.Publication, error)
	ReschedulePublication(ctx context.Context, id uuid.UUID, at time.Time) (domain.Publication, error)
	RetryPublication(ctx context.Context, id uuid.UUID) (domain.Publication, error)
	DuePublications(ctx context.Context, horizon time.Time, includeClaimed bool) ([]domain.DuePublication, error)
	ClaimPublication(ctx context.Context, req domain.ClaimRequest, marker func(domain.Content, domain.Provider) string) (domain.Claim, domain.ClaimOutcome, *time.Time, error)
	FinishAttempt(ctx context.Context, r domain.AttemptResult) (domain.Publication, error)
	SavePostingOptions(ctx context.Context, account uuid.UUID, opts domain.PostingOptions) error
}

// Publisher makes one attempt's provider calls (package
// providers/publisher).
type Publisher interface {
	Publish(ctx context.Context, req domain.PublishRequest) (domain.PublishResult, error)
	Reconcile(ctx context.Context, req domain.PublishRequest, since time.Time, exclude []string) (domain.PublishResult, bool, error)
}

// TokenRefresher refreshes an account's token now, after a provider said
// the token expired mid-publish (package socialaccounts).
type TokenRefresher interface {
	RefreshNow(ctx context.Context, org, account uuid.UUID) (domain.RefreshOutcome, error)
}

// PostingOptionsFetcher asks a provider for an account's posting options
// (package providers/publisher: TikTok's creator_info).
type PostingOptionsFetcher interface {
	PostingOptions(ctx context.Context, org, account uuid.UUID) (*domain.PostingOptions, error)
}

// ProjectQuota counts a quota shared by every organization of the
// application across nodes (YouTube's project quota, in Redis db2).
type ProjectQuota interface {
	// Reserve takes units; when they are not left it takes none and says
	// how long until the quota resets.
	Reserve(ctx context.Context, units int64) (ok bool, resetIn time.Duration, err error)
}

// PublishingOptions configure the publishing engine of a node's grains.
type PublishingOptions struct {
	// Store returns the publication store of an organization; nil turns
	// publishing off (tests of other behaviour).
	Store     func(org uuid.UUID) PublicationStore
	Publisher Publisher
	Refresher TokenRefresher
	// PostingOptions, when set, is asked for each TikTok account's posting
	// options when its actor starts.
	PostingOptions PostingOptionsFetcher
	// YouTubeQuota counts YouTube's project quota; YouTubeUploadCost is the
	// units one upload takes.
	YouTubeQuota      ProjectQuota
	YouTubeUploadCost int64
	// Lease bounds a claim: a member that dies mid-call leaves a claim
	// another takes over, as unknown_outcome, once the lease ends (at once
	// when the member is seen leaving the cluster).
	Lease time.Duration
	// Horizon is how far ahead a grain keeps due publications in memory;
	// the sweep (every Horizon/2) wakes grains with work within it.
	Horizon time.Duration
	// Buckets sizes each account's token bucket by provider.
	Buckets func(domain.Provider) (rate.Limit, int)
	// BreakerFailures consecutive retryable failures open an organization's
	// breaker for a provider, for BreakerOpen.
	BreakerFailures uint32
	BreakerOpen     time.Duration
	// RetryDelays are the waits before each retry of a retryable failure
	// (default domain.RetryDelays: 60 s, 300 s, 900 s).
	RetryDelays []time.Duration
	// UnknownDelay is the wait before reconciling an attempt whose answer
	// was lost (the provider may still be processing the post).
	UnknownDelay time.Duration
	// ReconcileGrace is how long after the first call a post may still be
	// invisible at the provider while it processes: a reconciliation that
	// finds nothing within it waits instead of publishing again (TikTok
	// lists a post only once processed).
	ReconcileGrace func(domain.Provider) time.Duration
	// UnknownGrace is how long after a call whose answer was lost the
	// provider may still act on it (it received the request, we stopped
	// waiting): a reconciliation that finds nothing within it waits rather
	// than publish again. Default twice the provider timeout.
	UnknownGrace time.Duration
	// MaxInFlight bounds the attempts a node runs at once (claimed and
	// calling); more wait, unclaimed, for a free slot.
	MaxInFlight int
	// Observe, when set, is told each publication's lateness at its claim
	// (metrics, benchmarks).
	Observe func(org uuid.UUID, p domain.Publication, lateness time.Duration)
}

func (o *PublishingOptions) defaults() {
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.Horizon <= 0 {
		o.Horizon = 2 * time.Minute
	}
	if o.Buckets == nil {
		o.Buckets = DefaultBuckets
	}
	if o.BreakerFailures == 0 {
		o.BreakerFailures = 5
	}
	if o.BreakerOpen <= 0 {
		o.BreakerOpen = 30 * time.Second
	}
	if o.UnknownGrace <= 0 {
		o.UnknownGrace = time.Minute
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 128
	}
	if o.ReconcileGrace == nil {
		o.ReconcileGrace = DefaultReconcileGrace
	}
	if len(o.RetryDelays) == 0 {
		o.RetryDelays = domain.RetryDelays
	}
	if o.UnknownDelay <= 0 {
		o.UnknownDelay = 5 * time.Second
	}
	if o.YouTubeUploadCost <= 0 {
		o.YouTubeUploadCost = 1600
	}
}

// DefaultBuckets sizes an account's publish bucket from the provider's
// limits (PROVIDERS.md): TikTok allows 6 video inits a minute per user
// token; Instagram's business-use-case budget (about 200 calls an hour, 3
// calls a post) gives about one post a minute with bursts of 10; YouTube has
// no per-channel call rate (its limit is the project quota), so 10 a minute.
func DefaultBuckets(p domain.Provider) (rate.Limit, int) {
	switch p {
	case domain.ProviderTikTok:
		return rate.Every(10 * time.Second), 6
	case domain.ProviderInstagram:
		return rate.Every(time.Minute), 10
	}
	return rate.Every(6 * time.Second), 10
}

// DefaultReconcileGrace is two minutes for TikTok, whose posts appear in
// the creator's list only once processed, and none for Instagram and
// YouTube, whose posts are listed as soon as the publish call returns.
func DefaultReconcileGrace(p domain.Provider) time.Duration {
	if p == domain.ProviderTikTok {
		return 2 * time.Minute
	}
	return 0
}
