package identity

import (
	"context"
	"crypto/rand"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// An API key reads smm_live_<prefix>_<secret>: the prefix (public, stored in
// clear, indexed) finds the key; the secret is checked against its hash.
const (
	apiKeyPrefix    = "smm_live_"
	apiKeyPrefixLen = 12
	apiKeySecretLen = 40
	apiKeyAlphabet  = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// APIKeyCreated is a new key with its secret, shown this once.
type APIKeyCreated struct {
	domain.APIKey
	Key string `json:"key"`
}

// CreateAPIKey creates an organization API key with scopes (owner or admin,
// step-up).
func (s *Service) CreateAPIKey(ctx context.Context, p domain.Principal, name string, scopes []domain.Scope, totpCode string) (APIKeyCreated, error) {
	if err := p.Require(domain.PermAPIKeysManage); err != nil {
		return APIKeyCreated{}, err
	}
	var errs domain.Errors
	if e := domain.ValidateName("name", name, 100); e != nil {
		errs = append(errs, e)
	}
	if len(scopes) == 0 {
		errs = append(errs, domain.Invalid("scopes", "must list at least one of read, write, publish, admin"))
	}
	seen := map[domain.Scope]bool{}
	var clean []domain.Scope
	for i, sc := range scopes {
		if !sc.Valid() {
			errs = append(errs, domain.Invalid("scopes["+strconv.Itoa(i)+"]", "must be one of read, write, publish, admin"))
			continue
		}
		if !seen[sc] {
			seen[sc] = true
			clean = append(clean, sc)
		}
	}
	if len(errs) > 0 {
		return APIKeyCreated{}, errs
	}
	if err := s.StepUp(ctx, p, totpCode); err != nil {
		return APIKeyCreated{}, err
	}
	prefix, secret := randomString(apiKeyPrefixLen), randomString(apiKeySecretLen)
	k := domain.APIKey{ID: newID(), OrganizationID: p.OrganizationID, Name: strings.TrimSpace(name), Prefix: prefix, Scopes: clean, CreatedBy: p.UserID, CreatedAt: s.now()}
	if err := s.store.Org(p.OrganizationID).CreateAPIKey(ctx, k, hashSecret(secret)); err != nil {
		return APIKeyCreated{}, err
	}
	s.securityEvent(ctx, p, "api_key.created")
	return APIKeyCreated{APIKey: k, Key: apiKeyPrefix + prefix + "_" + secret}, nil
}

// APIKeys lists the organization's keys, never their secrets.
func (s *Service) APIKeys(ctx context.Context, p domain.Principal, after *domain.Position, limit int) ([]domain.APIKey, error) {
	if err := p.Require(domain.PermAPIKeysManage); err != nil {
		return nil, err
	}
	return s.store.Org(p.OrganizationID).APIKeys(ctx, after, limit)
}

// RevokeAPIKey revokes a key (owner or admin, step-up); it stops working at
// once.
func (s *Service) RevokeAPIKey(ctx context.Context, p domain.Principal, id uuid.UUID, totpCode string) error {
	if err := p.Require(domain.PermAPIKeysManage); err != nil {
		return err
	}
	if err := s.StepUp(ctx, p, totpCode); err != nil {
		return err
	}
	if err := s.store.Org(p.OrganizationID).RevokeAPIKey(ctx, id, s.now()); err != nil {
		return err
	}
	s.invalidate(ctx, invAPIKey, p.OrganizationID.String(), id.String())
	s.securityEvent(ctx, p, "api_key.revoked")
	return nil
}

func (s *Service) authenticateAPIKey(ctx context.Context, bearer string) (domain.Principal, error) {
	bad := domain.Errorf(domain.CodeUnauthorized, "API key is invalid or revoked")
	rest := strings.TrimPrefix(bearer, apiKeyPrefix)
	prefix, secret, ok := strings.Cut(rest, "_")
	if !ok || len(prefix) != apiKeyPrefixLen || len(secret) != apiKeySecretLen {
		return domain.Principal{}, bad
	}
	local := s.local.usable()
	rec, cached := postgres.APIKeyRecord{}, false
	if local {
		rec, cached = s.local.apiKey(prefix, s.cfg.Now())
	}
	if !cached {
		var epoch uint64
		if local {
			epoch = s.local.snapshot()
		}
		var err error
		if rec, err = s.store.APIKeyByPrefix(ctx, prefix); err != nil {
			if domain.ErrorCode(err) == domain.CodeNotFound {
				return domain.Principal{}, bad
			}
			return domain.Principal{}, err
		}
		if local {
			s.local.putAPIKey(prefix, rec, epoch, s.cfg.Now())
		}
	}
	if !constantTimeEqual(rec.SecretHash, hashSecret(secret)) || rec.RevokedAt != nil || !rec.OrgLive {
		return domain.Principal{}, bad
	}
	now := s.now()
	if rec.LastUsedAt == nil || now.Sub(*rec.LastUsedAt) > time.Minute {
		if err := s.store.Org(rec.OrganizationID).TouchAPIKey(ctx, rec.ID, now); err != nil {
			s.logger.WarnContext(ctx, "record API key use", "error", err)
		}
		if local {
			// Remember the touch, so the cached copy does not ask again.
			rec.LastUsedAt = &now
			s.local.putAPIKey(prefix, rec, s.local.snapshot(), now)
		}
	}
	return domain.Principal{OrganizationID: rec.OrganizationID, APIKeyID: rec.ID, Scopes: rec.Scopes, UserID: rec.CreatedBy, Role: scopeRole(rec.Scopes)}, nil
}

// scopeRole is the role an API key is shown with; its permissions come from
// its scopes alone.
func scopeRole(scopes []domain.Scope) domain.Role {
	role := domain.RoleViewer
	for _, s := range scopes {
		switch s {
		case domain.ScopeAdmin:
			return domain.RoleAdmin
		case domain.ScopeWrite, domain.ScopePublish:
			role = domain.RoleEditor
		}
	}
	return role
}

func randomString(n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(apiKeyAlphabet)))
	for i := range b {
		v, _ := rand.Int(rand.Reader, max)
		b[i] = apiKeyAlphabet[v.Int64()]
	}
	return string(b)
}
