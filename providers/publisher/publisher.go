// Package publisher makes the provider calls of one publish attempt: it
// sends a rendered post to an Instagram, TikTok or YouTube account and
// waits until the provider says it is out, and, after an attempt whose
// answer was lost, asks the provider whether the post went out
// (Reconcile). When to publish, claims, rate buckets, breakers and retries
// belong to the organization actor that calls it.
//
// Errors are the clients' *providers.Error (wrapped with context), so the
// caller classifies them with providers.ClassOf. A failure of the call
// that creates the post with no answer also wraps domain.ErrOutcomeUnknown:
// the publication must then be reconciled before any new attempt.
package publisher

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/instagram"
	"github.com/socialmediamanager/smm/providers/tiktok"
	"github.com/socialmediamanager/smm/providers/youtube"
)

// Tokens gives an account's current access token (socialaccounts.Service
// implements it): the publisher holds no token, so a refreshed one is used
// at the next call.
type Tokens interface {
	AccessToken(ctx context.Context, org, account uuid.UUID) (string, domain.Provider, error)
}

// DefaultMaxMediaBytes caps a media download when Config.MaxMediaBytes is
// not set (256 MiB).
const DefaultMaxMediaBytes = 256 << 20

// ClockSkew is how much earlier than `since` Reconcile still accepts a
// post: the provider's clock and ours may differ.
const ClockSkew = 2 * time.Minute

// Config is what the publisher needs: one client per provider (a nil one
// makes its provider's posts fail as Permanent), the token store, and how
// media are downloaded for uploads.
type Config struct {
	Instagram *instagram.Client
	TikTok    *tiktok.Client
	YouTube   *youtube.Client
	Tokens    Tokens
	// HTTPClient downloads the media that the publisher uploads itself
	// (YouTube); default: a client with a 15-minute timeout.
	HTTPClient *http.Client
	// MaxMediaBytes caps one media download (DefaultMaxMediaBytes).
	MaxMediaBytes int64
	// Now is the clock of PublishedAt (time.Now).
	Now func() time.Time
}

// Publisher sends posts to the providers. It is safe for concurrent use.
type Publisher struct {
	cfg Config
}

// New returns a publisher of cfg (defaults applied).
func New(cfg Config) *Publisher {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Minute}
	}
	if cfg.MaxMediaBytes <= 0 {
		cfg.MaxMediaBytes = DefaultMaxMediaBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Publisher{cfg: cfg}
}

// Publish sends req.Post to the account and waits until the provider says
// it is published: Instagram's container finished then media_publish,
// TikTok's status PUBLISH_COMPLETE, YouTube's upload done. It returns the
// post's id and URL at the provider (and, for TikTok, the creator's
// posting options). An error wrapping domain.ErrOutcomeUnknown means the
// post may exist: call Reconcile before any new attempt.
func (p *Publisher) Publish(ctx context.Context, req domain.PublishRequest) (domain.PublishResult, error) {
	token, provider, err := p.token(ctx, req.OrganizationID, req.AccountID, req.Provider)
	if err != nil {
		return domain.PublishResult{}, err
	}
	var res domain.PublishResult
	switch provider {
	case domain.ProviderInstagram:
		res, err = p.publishInstagram(ctx, token, req)
	case domain.ProviderTikTok:
		res, err = p.publishTikTok(ctx, token, req)
	case domain.ProviderYouTube:
		res, err = p.publishYouTube(ctx, token, req)
	default:
		err = invalid(string(provider), "publish", "unknown provider %q", provider)
	}
	if err != nil {
		return res, fmt.Errorf("publish %s to %s account %s: %w", req.PublicationID, provider, req.AccountID, err)
	}
	if res.PublishedAt.IsZero() {
		res.PublishedAt = p.cfg.Now().UTC()
	}
	return res, nil
}

// Reconcile asks the provider whether req's post went out at or after
// since (when the first attempt started; ClockSkew earlier is accepted):
// it looks among the account's recent posts (Instagram media or stories,
// TikTok videos, YouTube uploads) for one saying what req.Post says, as
// its marker digests it. Posts whose ids are in exclude (recorded by other
// publications of the account) are skipped. found=false with a nil error
// means the post is not there: the caller may publish again.
func (p *Publisher) Reconcile(ctx context.Context, req domain.PublishRequest, since time.Time, exclude []string) (res domain.PublishResult, found bool, err error) {
	token, provider, err := p.token(ctx, req.OrganizationID, req.AccountID, req.Provider)
	if err != nil {
		return res, false, err
	}
	m := matcher{since: since.Add(-ClockSkew), exclude: exclude}
	switch provider {
	case domain.ProviderInstagram:
		res, found, err = p.reconcileInstagram(ctx, token, req, m)
	case domain.ProviderTikTok:
		res, found, err = p.reconcileTikTok(ctx, token, req, m)
	case domain.ProviderYouTube:
		res, found, err = p.reconcileYouTube(ctx, token, req, m)
	default:
		err = invalid(string(provider), "reconcile", "unknown provider %q", provider)
	}
	if err != nil {
		return domain.PublishResult{}, false, fmt.Errorf("reconcile %s with %s account %s: %w", req.PublicationID, provider, req.AccountID, err)
	}
	return res, found, nil
}

// PostingOptions fetches what a TikTok creator may post now (creator_info:
// privacy levels, disabled interactions, the longest video), to keep on
// the account for validation; it is nil for the other providers, which
// have no such options.
func (p *Publisher) PostingOptions(ctx context.Context, org, account uuid.UUID) (*domain.PostingOptions, error) {
	token, provider, err := p.token(ctx, org, account, "")
	if err != nil {
		return nil, err
	}
	if provider != domain.ProviderTikTok {
		return nil, nil
	}
	if p.cfg.TikTok == nil {
		return nil, notConfigured(tiktok.Provider)
	}
	ci, err := p.cfg.TikTok.CreatorInfo(ctx, token)
	if err != nil {
		return nil, fmt.Errorf("posting options of tiktok account %s: %w", account, err)
	}
	return postingOptions(ci), nil
}

// token reads the account's access token and checks its provider against
// the one asked for (when set).
func (p *Publisher) token(ctx context.Context, org, account uuid.UUID, want domain.Provider) (string, domain.Provider, error) {
	if p.cfg.Tokens == nil {
		return "", "", errors.New("publisher: no token store configured")
	}
	token, provider, err := p.cfg.Tokens.AccessToken(ctx, org, account)
	if err != nil {
		return "", "", fmt.Errorf("read the access token of account %s: %w", account, err)
	}
	if want != "" && provider != want {
		return "", "", invalid(string(want), "read token", "account %s is a %s account, not %s", account, provider, want)
	}
	return token, provider, nil
}

// invalid is a request refused before any call: it cannot succeed as it
// is, so it is Permanent.
func invalid(provider, op, format string, args ...any) *providers.Error {
	return &providers.Error{Provider: provider, Op: op, Class: providers.Permanent, Code: "invalid_post",
		Message: fmt.Sprintf(format, args...)}
}

// notConfigured is a provider whose client the publisher was not given.
func notConfigured(provider string) *providers.Error {
	return &providers.Error{Provider: provider, Op: "publish", Class: providers.Permanent, Code: "not_configured",
		Message: "no " + provider + " client is configured"}
}

// outcome marks err as an unknown outcome when it is a failure of one of
// the calls that create the post (ops) that got no answer: no HTTP status
// (a transport failure, a timeout, a context ended after sending), or a
// 2xx whose body could not be read. Anything else is returned as is.
func outcome(err error, ops ...string) error {
	if err == nil || !lostAnswer(err, ops...) {
		return err
	}
	return fmt.Errorf("%w: %w", domain.ErrOutcomeUnknown, err)
}

// lostAnswer reports whether err is a call of ops whose answer was lost.
// Errors the clients raise before sending (validation) are Permanent with
// no status, which is why the class is checked too.
func lostAnswer(err error, ops ...string) bool {
	var pe *providers.Error
	if !errors.As(err, &pe) || !slices.Contains(ops, pe.Op) {
		return false
	}
	switch {
	case pe.Status == 0:
		return pe.Class == providers.Retryable
	case pe.Status/100 == 2:
		return true
	}
	return false
}

// unknown marks err as an unknown outcome, whatever its kind: the post was
// created and only its fate is unknown.
func unknown(err error) error {
	return fmt.Errorf("%w: %w", domain.ErrOutcomeUnknown, err)
}

// postingOptions are a TikTok creator's options as the domain keeps them.
func postingOptions(ci tiktok.CreatorInfo) *domain.PostingOptions {
	return &domain.PostingOptions{
		PrivacyLevelOptions:     append([]string(nil), ci.PrivacyLevelOptions...),
		CommentDisabled:         ci.CommentDisabled,
		DuetDisabled:            ci.DuetDisabled,
		StitchDisabled:          ci.StitchDisabled,
		MaxVideoPostDurationSec: ci.MaxVideoPostDurationSec,
	}
}
