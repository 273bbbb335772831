package actors

import (
	"context"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/telemetry"
)

// headerFor builds the header a command carries: who acts and the ids of the
// request that sent it, so the grain's log lines join the request's.
func headerFor(ctx context.Context, p domain.Principal) *actorpb.CommandHeader {
	h := &actorpb.CommandHeader{
		OrganizationId: p.OrganizationID.String(),
		Role:           string(p.Role),
	}
	if p.UserID != uuid.Nil {
		h.UserId = p.UserID.String()
	}
	if p.APIKeyID != uuid.Nil {
		h.ApiKeyId = p.APIKeyID.String()
	}
	for _, s := range p.Scopes {
		h.Scopes = append(h.Scopes, string(s))
	}
	if ids := telemetry.IDsFrom(ctx); ids != nil {
		h.RequestId, h.CorrelationId, h.TraceId = ids.RequestID, ids.CorrelationID, ids.TraceID
	}
	return h
}

// principalOf rebuilds the principal a command acts for. The organization
// is the grain's own: a header naming another one is refused, so a command
// can never act on an organization it was not addressed to.
func principalOf(h *actorpb.CommandHeader, org uuid.UUID) (domain.Principal, error) {
	if h == nil {
		return domain.Principal{}, domain.Errorf(domain.CodeUnauthorized, "command without a header")
	}
	if h.OrganizationId != org.String() {
		return domain.Principal{}, domain.Errorf(domain.CodeForbidden, "command addressed to another organization")
	}
	p := domain.Principal{OrganizationID: org, Role: domain.Role(h.Role)}
	p.UserID, _ = uuid.Parse(h.UserId)
	p.APIKeyID, _ = uuid.Parse(h.ApiKeyId)
	for _, s := range h.Scopes {
		p.Scopes = append(p.Scopes, domain.Scope(s))
	}
	return p, nil
}

// contextOf is the context a command runs with inside the grain: the ids
// of its header, so that the store's and the services' log lines carry them.
func contextOf(parent context.Context, h *actorpb.CommandHeader) context.Context {
	if h == nil {
		return parent
	}
	return telemetry.WithIDs(parent, &telemetry.IDs{
		RequestID: h.RequestId, CorrelationID: h.CorrelationId, TraceID: h.TraceId,
		OrganizationID: h.OrganizationId, UserID: h.UserId,
	})
}
