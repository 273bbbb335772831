package actors

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/telemetry"
)

// TestPrincipalOfRefusesForeignHeaders proves a grain acts only for its own
// organization: a header naming another one is forbidden, a command
// without a header unauthorized, and a header that matches gives back the
// principal the edge sent.
func TestPrincipalOfRefusesForeignHeaders(t *testing.T) {
	grain, other := uuid.New(), uuid.New()
	user, key := uuid.New(), uuid.New()
	ctx := telemetry.WithIDs(context.Background(), &telemetry.IDs{RequestID: "req-1", CorrelationID: "cor-1", TraceID: "trace-1"})
	sent := domain.Principal{UserID: user, OrganizationID: grain, Role: domain.RoleEditor, APIKeyID: key,
		Scopes: []domain.Scope{domain.ScopeAdmin}}

	tests := []struct {
		name   string
		header *actorpb.CommandHeader
		want   domain.Code
	}{
		{"no header", nil, domain.CodeUnauthorized},
		{"another organization", headerFor(ctx, domain.Principal{UserID: user, OrganizationID: other, Role: domain.RoleOwner}), domain.CodeForbidden},
		{"no organization", &actorpb.CommandHeader{UserId: user.String(), Role: string(domain.RoleOwner)}, domain.CodeForbidden},
		{"own organization", headerFor(ctx, sent), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := principalOf(tt.header, grain)
			if got := domain.ErrorCode(err); got != tt.want {
				t.Fatalf("got code %q (%v), want %q", got, err, tt.want)
			}
			if tt.want != "" {
				if p.OrganizationID != uuid.Nil {
					t.Errorf("got principal of %s with the error, want none", p.OrganizationID)
				}
				return
			}
			if p.OrganizationID != grain || p.UserID != user || p.Role != domain.RoleEditor || p.APIKeyID != key || !slices.Equal(p.Scopes, sent.Scopes) {
				t.Errorf("got principal %+v, want %+v", p, sent)
			}
		})
	}
}

// TestCommandContextCarriesHeaderIDs proves the ids a request carries reach
// the context a grain runs its command in, with the organization and user.
func TestCommandContextCarriesHeaderIDs(t *testing.T) {
	org, user := uuid.New(), uuid.New()
	ctx := telemetry.WithIDs(context.Background(), &telemetry.IDs{RequestID: "req-1", CorrelationID: "cor-1", TraceID: "trace-1"})
	h := headerFor(ctx, domain.Principal{UserID: user, OrganizationID: org, Role: domain.RoleOwner})
	got := telemetry.IDsFrom(contextOf(context.Background(), h))
	want := telemetry.IDs{RequestID: "req-1", CorrelationID: "cor-1", TraceID: "trace-1", OrganizationID: org.String(), UserID: user.String()}
	if got == nil || *got != want {
		t.Errorf("got ids %+v, want %+v", got, want)
	}
	if h.ApiKeyId != "" {
		t.Errorf("got api key id %q for a user, want none", h.ApiKeyId)
	}
}
