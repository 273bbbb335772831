package contents

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// Limits of a campaign's fields (the database checks them too).
const (
	MaxCampaignName      = 200
	MaxCampaignObjective = 2000
	// MaxCampaignQuery bounds the name search of a listing.
	MaxCampaignQuery = 200
)

// Campaigns is the campaign use cases: list, read, create, change and
// delete an organization's campaigns.
type Campaigns struct {
	store *postgres.Store
}

// NewCampaigns returns the campaign use cases over store.
func NewCampaigns(store *postgres.Store) *Campaigns { return &Campaigns{store: store} }

// CampaignInput is a new campaign as a client sends it. Times are RFC 3339
// strings, parsed here so that a time without an offset is refused naming
// its field (the JSON decoder could only say "malformed body").
type CampaignInput struct {
	Name      string                `json:"name"`
	Objective string                `json:"objective"`
	StartsAt  *string               `json:"starts_at"`
	EndsAt    *string               `json:"ends_at"`
	Status    domain.CampaignStatus `json:"status"`
}

// CampaignPatch is a partial update of a campaign: absent fields are left
// unchanged; null clears objective, starts_at and ends_at (name and status
// cannot be cleared).
type CampaignPatch struct {
	Name      Field[string]                `json:"name,omitzero"`
	Objective Field[string]                `json:"objective,omitzero"`
	StartsAt  Field[string]                `json:"starts_at,omitzero"`
	EndsAt    Field[string]                `json:"ends_at,omitzero"`
	Status    Field[domain.CampaignStatus] `json:"status,omitzero"`
}

// List lists the organization's campaigns oldest first, after a position,
// filtered by status and by a case-insensitive substring of the name.
func (s *Campaigns) List(ctx context.Context, p domain.Principal, f domain.CampaignFilter, after *domain.Position, limit int) ([]domain.Campaign, error) {
	if err := p.Require(domain.PermContentRead); err != nil {
		return nil, err
	}
	var errs domain.Errors
	if f.Status != "" && !validCampaignStatus(f.Status) {
		errs = append(errs, invalidCampaignStatus())
	}
	if utf8.RuneCountInString(f.Query) > MaxCampaignQuery {
		errs = append(errs, domain.Invalid("q", "must be at most %d characters", MaxCampaignQuery))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return s.store.Org(p.OrganizationID).CampaignsPage(ctx, f, after, limit)
}

// Get returns one live campaign; a deleted one, or another organization's,
// is not_found.
func (s *Campaigns) Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Campaign, error) {
	if err := p.Require(domain.PermContentRead); err != nil {
		return domain.Campaign{}, err
	}
	return s.store.Org(p.OrganizationID).Campaign(ctx, id)
}

// Create stores a new campaign, draft unless in says otherwise. Every bad
// field is reported at once.
func (s *Campaigns) Create(ctx context.Context, p domain.Principal, in CampaignInput) (domain.Campaign, error) {
	if err := p.Require(domain.PermContentWrite); err != nil {
		return domain.Campaign{}, err
	}
	c := domain.Campaign{ID: uuid.Must(uuid.NewV7()), OrganizationID: p.OrganizationID, Name: strings.TrimSpace(in.Name),
		Objective: in.Objective, Status: in.Status, CreatedBy: createdBy(p)}
	if c.Status == "" {
		c.Status = domain.CampaignDraft
	}
	var errs domain.Errors
	var err *domain.Error
	if in.StartsAt != nil {
		if c.StartsAt, err = parseTime("starts_at", *in.StartsAt); err != nil {
			errs = append(errs, err)
		}
	}
	if in.EndsAt != nil {
		if c.EndsAt, err = parseTime("ends_at", *in.EndsAt); err != nil {
			errs = append(errs, err)
		}
	}
	if errs = append(errs, checkCampaign(c)...); len(errs) > 0 {
		return domain.Campaign{}, errs
	}
	return s.store.Org(p.OrganizationID).CreateCampaign(ctx, c)
}

// Update applies patch to a live campaign; the result is checked as a
// whole (ends_at after starts_at, whichever of the two changed).
func (s *Campaigns) Update(ctx context.Context, p domain.Principal, id uuid.UUID, patch CampaignPatch) (domain.Campaign, error) {
	if err := p.Require(domain.PermContentWrite); err != nil {
		return domain.Campaign{}, err
	}
	// Parse before taking the row: a malformed request needs no database.
	var errs domain.Errors
	startsAt, err := patchTime("starts_at", patch.StartsAt)
	if err != nil {
		errs = append(errs, err)
	}
	endsAt, err := patchTime("ends_at", patch.EndsAt)
	if err != nil {
		errs = append(errs, err)
	}
	if patch.Name.Null {
		errs = append(errs, domain.Invalid("name", "is required and cannot be null"))
	}
	if patch.Status.Null {
		errs = append(errs, domain.Invalid("status", "cannot be null; it is one of %s", campaignStatusList()))
	}
	if len(errs) > 0 {
		return domain.Campaign{}, errs
	}
	return s.store.Org(p.OrganizationID).UpdateCampaign(ctx, id, func(c *domain.Campaign) error {
		if patch.Name.Set {
			c.Name = strings.TrimSpace(patch.Name.Value)
		}
		if patch.Objective.Set {
			c.Objective = patch.Objective.Value // "" when null
		}
		if patch.StartsAt.Set {
			c.StartsAt = startsAt
		}
		if patch.EndsAt.Set {
			c.EndsAt = endsAt
		}
		if patch.Status.Set {
			c.Status = patch.Status.Value
		}
		if errs := checkCampaign(*c); len(errs) > 0 {
			return errs
		}
		return nil
	})
}

// Delete soft-deletes a campaign. Its contents keep it as their campaign_id,
// but it is gone from every read and cannot be given to a content again.
func (s *Campaigns) Delete(ctx context.Context, p domain.Principal, id uuid.UUID) error {
	if err := p.Require(domain.PermContentWrite); err != nil {
		return err
	}
	return s.store.Org(p.OrganizationID).DeleteCampaign(ctx, id)
}

// checkCampaign checks a whole campaign and returns every violation.
func checkCampaign(c domain.Campaign) domain.Errors {
	var errs domain.Errors
	if err := domain.ValidateName("name", c.Name, MaxCampaignName); err != nil {
		errs = append(errs, err)
	}
	if n := utf8.RuneCountInString(c.Objective); n > MaxCampaignObjective {
		errs = append(errs, domain.Invalid("objective", "must be at most %d characters (got %d)", MaxCampaignObjective, n))
	}
	if strings.ContainsRune(c.Name, 0) {
		errs = append(errs, noNUL("name"))
	}
	if strings.ContainsRune(c.Objective, 0) {
		errs = append(errs, noNUL("objective"))
	}
	if c.StartsAt != nil && c.EndsAt != nil && !c.EndsAt.After(*c.StartsAt) {
		errs = append(errs, domain.Invalid("ends_at", "must be after starts_at (%s)", c.StartsAt.Format(time.RFC3339)))
	}
	if !validCampaignStatus(c.Status) {
		errs = append(errs, invalidCampaignStatus())
	}
	return errs
}

func validCampaignStatus(s domain.CampaignStatus) bool {
	for _, x := range domain.CampaignStatuses {
		if x == s {
			return true
		}
	}
	return false
}

func campaignStatusList() string {
	names := make([]string, len(domain.CampaignStatuses))
	for i, s := range domain.CampaignStatuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func invalidCampaignStatus() *domain.Error {
	return domain.Invalid("status", "must be one of %s", campaignStatusList())
}

// parseTime reads an RFC 3339 time, which must carry its UTC offset (Z or
// ±hh:mm): a time without one is ambiguous, and DESIGN.md §11 refuses to
// guess a timezone. It is kept in UTC.
func parseTime(field, s string) (*time.Time, *domain.Error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		t = t.UTC()
		return &t, nil
	}
	if _, lerr := time.Parse("2006-01-02T15:04:05.999999999", s); lerr == nil {
		return nil, domain.Invalid(field, "has no UTC offset: add Z or ±hh:mm, such as %sZ", s)
	}
	return nil, domain.Invalid(field, "must be an RFC 3339 time with a UTC offset, such as 2026-03-01T09:00:00Z or 2026-03-01T10:00:00+01:00")
}

// patchTime reads a time field of a patch: nil when absent or null.
func patchTime(field string, f Field[string]) (*time.Time, *domain.Error) {
	if !f.Set || f.Null {
		return nil, nil
	}
	return parseTime(field, f.Value)
}

// createdBy is the user behind p, nil for an API key.
func createdBy(p domain.Principal) *uuid.UUID {
	if p.IsAPIKey() || p.UserID == uuid.Nil {
		return nil
	}
	id := p.UserID
	return &id
}

func noNUL(field string) *domain.Error {
	return domain.Invalid(field, "must not contain NUL characters")
}
