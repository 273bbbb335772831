package contents_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/contents"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// env is the two services on the package database.
type env struct {
	t         *testing.T
	store     *postgres.Store
	campaigns *contents.Campaigns
	contents  *contents.Contents
}

func newEnv(t *testing.T) *env {
	t.Helper()
	store := postgres.NewStore(pgtest.Pool(t))
	return &env{t: t, store: store, campaigns: contents.NewCampaigns(store), contents: contents.NewContents(store)}
}

// tenant registers a user owning a new organization.
func (e *env) tenant() domain.Principal {
	e.t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := domain.User{ID: uuid.Must(uuid.NewV7()), Email: "owner." + uuid.NewString()[:12] + "@example.com", Name: "Owner", CreatedAt: now}
	o := domain.Organization{ID: uuid.Must(uuid.NewV7()), Name: "Org", Settings: map[string]any{}, CreatedAt: now}
	if err := e.store.Register(context.Background(), u, "not-a-real-hash", o); err != nil {
		e.t.Fatalf("register: %v", err)
	}
	return domain.Principal{UserID: u.ID, OrganizationID: o.ID, Role: domain.RoleOwner}
}

// as is p with another role in the same organization.
func as(p domain.Principal, role domain.Role) domain.Principal {
	p.Role = role
	return p
}

// key is an API key of p's organization with scopes.
func key(p domain.Principal, scopes ...domain.Scope) domain.Principal {
	return domain.Principal{OrganizationID: p.OrganizationID, APIKeyID: uuid.New(), Scopes: scopes}
}

// account stores a connected social account of provider.
func (e *env) account(p domain.Principal, provider domain.Provider, opts *domain.PostingOptions) uuid.UUID {
	e.t.Helper()
	ctx := context.Background()
	a := domain.SocialAccount{ID: uuid.Must(uuid.NewV7()), Provider: provider, ExternalID: "ext-" + uuid.NewString(),
		Username: "u", Status: domain.AccountConnected, CreatedAt: time.Now().UTC()}
	if err := e.store.Org(p.OrganizationID).CreateSocialAccount(ctx, a); err != nil {
		e.t.Fatal(err)
	}
	if opts != nil {
		if err := e.store.Org(p.OrganizationID).SavePostingOptions(ctx, a.ID, *opts); err != nil {
			e.t.Fatal(err)
		}
	}
	return a.ID
}

// schedule schedules content to accounts an hour from now, unvalidated.
func (e *env) schedule(p domain.Principal, content uuid.UUID, accounts ...uuid.UUID) []domain.Publication {
	e.t.Helper()
	pubs, err := e.store.Org(p.OrganizationID).SchedulePublications(context.Background(), domain.ScheduleInput{
		ContentID: content, AccountIDs: accounts, PublishAt: time.Now().Add(time.Hour)})
	if err != nil {
		e.t.Fatalf("schedule: %v", err)
	}
	return pubs
}

// fields lists "code field" of every error err holds, one list or one
// error.
func fields(err error) string {
	if err == nil {
		return ""
	}
	var list domain.Errors
	var refused *contents.Unpublishable
	switch {
	case errors.As(err, &refused):
		list = refused.Violations
	case errors.As(err, &list):
	default:
		list = domain.Errors{domain.AsError(err)}
	}
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = string(e.Code) + " " + e.Field
		if e.Network != "" {
			out[i] = e.Network + ":" + out[i]
		}
	}
	return strings.Join(out, "; ")
}

func ptr[T any](v T) *T { return &v }
