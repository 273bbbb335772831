package actors

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
)

// OrganizationClient sends organization-domain commands to the grains, from
// any node, with a per-call timeout. Errors come back as the domain codes
// the grain answered with; a call that times out or finds no member is
// unavailable.
type OrganizationClient struct {
	cluster *cluster.Cluster
	timeout time.Duration
}

// NewOrganizationClient returns a client of the organization grains of c.
func NewOrganizationClient(c *cluster.Cluster, timeout time.Duration) *OrganizationClient {
	return &OrganizationClient{cluster: c, timeout: timeout}
}

func (oc *OrganizationClient) grain(org uuid.UUID) *actorpb.OrganizationGrainGrainClient {
	return actorpb.GetOrganizationGrainGrainClient(oc.cluster, org.String())
}

// options bound the call by the client's timeout and the caller's
// deadline, whichever comes first. The cluster's request path (see package
// cluster) sends the command again only where the grain is gone; a live
// grain past the deadline answers unavailable.
func (oc *OrganizationClient) options(ctx context.Context) []cluster.GrainCallOption {
	timeout := oc.timeout
	if d, ok := ctx.Deadline(); ok {
		if left := time.Until(d); left < timeout {
			timeout = max(left, time.Millisecond)
		}
	}
	return []cluster.GrainCallOption{cluster.WithTimeout(timeout)}
}

// UpdateOrganization applies a settings change through the organization's
// grain.
func (oc *OrganizationClient) UpdateOrganization(ctx context.Context, p domain.Principal, patch domain.OrganizationPatch) (domain.Organization, error) {
	req := &actorpb.UpdateOrganizationRequest{Header: headerFor(ctx, p)}
	if patch.Name != nil {
		req.Name, req.NameSet = *patch.Name, true
	}
	if patch.Settings != nil {
		b, err := json.Marshal(patch.Settings)
		if err != nil {
			return domain.Organization{}, domain.Invalid("settings", "must be a JSON object")
		}
		req.SettingsJson = b
	}
	out, err := oc.grain(p.OrganizationID).UpdateOrganization(req, oc.options(ctx)...)
	if err != nil {
		return domain.Organization{}, fromCallError(err)
	}
	return organizationOf(out)
}

// Describe activates the organization's grain when it is not active and
// tells where it lives and what it holds.
func (oc *OrganizationClient) Describe(ctx context.Context, org uuid.UUID) (domain.GrainActivation, error) {
	out, err := oc.grain(org).Describe(&actorpb.DescribeRequest{Header: headerFor(ctx, domain.Principal{OrganizationID: org})}, oc.options(ctx)...)
	if err != nil {
		return domain.GrainActivation{}, fromCallError(err)
	}
	return activationOf(out)
}

// AccountsChanged tells the organization's grain that its social accounts
// changed, so its children follow.
func (oc *OrganizationClient) AccountsChanged(ctx context.Context, p domain.Principal) (domain.GrainActivation, error) {
	out, err := oc.grain(p.OrganizationID).AccountsChanged(&actorpb.AccountsChangedRequest{Header: headerFor(ctx, p)}, oc.options(ctx)...)
	if err != nil {
		return domain.GrainActivation{}, fromCallError(err)
	}
	return activationOf(out)
}

func activationOf(a *actorpb.Activation) (domain.GrainActivation, error) {
	org, err := organizationOf(a.GetOrganization())
	if err != nil {
		return domain.GrainActivation{}, err
	}
	out := domain.GrainActivation{
		OrganizationID: org.ID, Name: org.Name, MemberID: a.GetMemberId(), Address: a.GetAddress(),
		ActivatedAt: time.UnixMicro(a.GetActivatedAtUnixMicro()).UTC(), Loads: a.GetLoads(),
		Children: make([]domain.GrainChild, 0, len(a.GetChildren())),
	}
	for _, c := range a.GetChildren() {
		out.Children = append(out.Children, domain.GrainChild{
			AccountID: c.GetAccountId(), Kind: c.GetKind(), Status: c.GetStatus(),
			Restarts: c.GetRestarts(), LastFailure: c.GetLastFailure(),
		})
	}
	return out, nil
}

// Schedule creates one publication of a content per account, due at
// publishAt (now when publishNow).
func (oc *OrganizationClient) Schedule(ctx context.Context, p domain.Principal, content uuid.UUID, accounts []uuid.UUID, publishAt time.Time, publishNow bool) ([]domain.Publication, error) {
	req := &actorpb.ScheduleRequest{Header: headerFor(ctx, p), ContentId: content.String(), PublishNow: publishNow,
		PublishAtUnixMicro: publishAt.UnixMicro()}
	for _, a := range accounts {
		req.SocialAccountIds = append(req.SocialAccountIds, a.String())
	}
	return publicationsOf(oc.grain(p.OrganizationID).Schedule(req, oc.options(ctx)...))
}

// Unschedule cancels a content's publications that have not started.
func (oc *OrganizationClient) Unschedule(ctx context.Context, p domain.Principal, content uuid.UUID) ([]domain.Publication, error) {
	return publicationsOf(oc.grain(p.OrganizationID).Unschedule(&actorpb.UnscheduleRequest{Header: headerFor(ctx, p),
		ContentId: content.String()}, oc.options(ctx)...))
}

// Reschedule moves a waiting publication to at.
func (oc *OrganizationClient) Reschedule(ctx context.Context, p domain.Principal, id uuid.UUID, at time.Time) (domain.Publication, error) {
	list, err := publicationsOf(oc.grain(p.OrganizationID).Reschedule(&actorpb.RescheduleRequest{Header: headerFor(ctx, p),
		PublicationId: id.String(), PublishAtUnixMicro: at.UnixMicro()}, oc.options(ctx)...))
	return first(list, err)
}

// RetryPublication re-drives a failed publication now.
func (oc *OrganizationClient) RetryPublication(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Publication, error) {
	list, err := publicationsOf(oc.grain(p.OrganizationID).RetryPublication(&actorpb.RetryPublicationRequest{Header: headerFor(ctx, p),
		PublicationId: id.String()}, oc.options(ctx)...))
	return first(list, err)
}

// Wake makes the organization's grain (activating it if needed) read its
// due publications again, and says how many it keeps due.
func (oc *OrganizationClient) Wake(ctx context.Context, org uuid.UUID, includeClaimed bool) (int, error) {
	out, err := oc.grain(org).Wake(&actorpb.WakeRequest{Header: headerFor(ctx, domain.Principal{OrganizationID: org}),
		IncludeClaimed: includeClaimed}, oc.options(ctx)...)
	if err != nil {
		return 0, fromCallError(err)
	}
	return int(out.GetDue()), nil
}

func publicationsOf(m *actorpb.Publications, err error) ([]domain.Publication, error) {
	if err != nil {
		return nil, fromCallError(err)
	}
	var out []domain.Publication
	if err := json.Unmarshal(m.GetPublicationsJson(), &out); err != nil {
		return nil, domain.Internal(err)
	}
	return out, nil
}

func first(list []domain.Publication, err error) (domain.Publication, error) {
	if err != nil {
		return domain.Publication{}, err
	}
	if len(list) == 0 {
		return domain.Publication{}, domain.Internal(errors.New("the grain answered no publication"))
	}
	return list[0], nil
}
