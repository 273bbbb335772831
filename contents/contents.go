package contents

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// Limits of a content's text (the database checks them too), in
// characters.
const (
	MaxContentTitle = 1000
	MaxContentBody  = 20000
)

// ContentStatuses lists every derived content status, for the list filter.
var ContentStatuses = []domain.ContentStatus{domain.ContentDraft, domain.ContentScheduled, domain.ContentPublishing,
	domain.ContentPublished, domain.ContentPartiallyPublished, domain.ContentFailed}

// Contents is the content use cases: list, read, create, change, delete,
// and validate a content against the networks' rules.
type Contents struct {
	store *postgres.Store
}

// NewContents returns the content use cases over store.
func NewContents(store *postgres.Store) *Contents { return &Contents{store: store} }

// ContentInput is a new content as a client sends it. The campaign id is a
// string, parsed here so a malformed one is refused naming campaign_id.
type ContentInput struct {
	Title      string            `json:"title"`
	Body       string            `json:"body"`
	Hashtags   []string          `json:"hashtags"`
	Media      []domain.MediaRef `json:"media"`
	CampaignID *string           `json:"campaign_id"`
	Overrides  domain.Overrides  `json:"overrides"`
}

// ContentPatch is a partial update of a content: absent fields are left
// unchanged; null clears a field (title and body become "", hashtags and
// media empty, campaign_id none, overrides none). Overrides are patched per
// network: a network given replaces that network's override, a network
// set to null removes it, the others stay.
type ContentPatch struct {
	Title      Field[string]            `json:"title,omitzero"`
	Body       Field[string]            `json:"body,omitzero"`
	Hashtags   Field[[]string]          `json:"hashtags,omitzero"`
	Media      Field[[]domain.MediaRef] `json:"media,omitzero"`
	CampaignID Field[string]            `json:"campaign_id,omitzero"`
	Overrides  Field[OverridesPatch]    `json:"overrides,omitzero"`
}

// OverridesPatch patches a content's overrides network by network.
type OverridesPatch struct {
	Instagram Field[domain.InstagramOverride] `json:"instagram,omitzero"`
	TikTok    Field[domain.TikTokOverride]    `json:"tiktok,omitzero"`
	YouTube   Field[domain.YouTubeOverride]   `json:"youtube,omitzero"`
}

// Unpublishable refuses a change to a content that has pending
// publications when the changed content breaks a rule of a network it is
// scheduled to: the grain renders the content again when it publishes, so
// the change would only fail later, at the provider. Violations lists every
// broken rule, each naming its network and field.
type Unpublishable struct {
	Violations domain.Errors
}

// Error summarises the violations.
func (e *Unpublishable) Error() string {
	return "the change breaks the rules of a network the content is scheduled to: " + e.Violations.Error()
}

// Unwrap exposes the violations, so a caller that only knows lists of
// errors still reports each of them.
func (e *Unpublishable) Unwrap() error { return e.Violations }

// List lists the organization's contents oldest first, after a position,
// filtered by campaign and by derived status.
func (s *Contents) List(ctx context.Context, p domain.Principal, f domain.ContentFilter, after *domain.Position, limit int) ([]domain.Content, error) {
	if err := p.Require(domain.PermContentRead); err != nil {
		return nil, err
	}
	if f.Status != "" && !validContentStatus(f.Status) {
		return nil, domain.Invalid("status", "must be one of %s", contentStatusList())
	}
	return s.store.Org(p.OrganizationID).ContentsPage(ctx, f, after, limit)
}

// Get returns one live content with its derived status; a deleted one, or
// another organization's, is not_found.
func (s *Contents) Get(ctx context.Context, p domain.Principal, id uuid.UUID) (domain.Content, error) {
	if err := p.Require(domain.PermContentRead); err != nil {
		return domain.Content{}, err
	}
	return s.store.Org(p.OrganizationID).Content(ctx, id)
}

// Create stores a new content. Only its shape is checked (lengths, media
// URLs and kinds, a live campaign of the organization): a draft need not
// be publishable yet.
func (s *Contents) Create(ctx context.Context, p domain.Principal, in ContentInput) (domain.Content, error) {
	if err := p.Require(domain.PermContentWrite); err != nil {
		return domain.Content{}, err
	}
	c, errs := in.content()
	c.ID, c.OrganizationID, c.CreatedBy = uuid.Must(uuid.NewV7()), p.OrganizationID, createdBy(p)
	if errs = append(errs, checkShape(c)...); len(errs) > 0 {
		return domain.Content{}, errs
	}
	return s.store.Org(p.OrganizationID).CreateContent(ctx, c)
}

// Update applies patch to a live content. The result's shape is checked
// as at creation; and when the content has pending publications, the
// result must also keep every rule of their networks and accounts
// (*Unpublishable otherwise), checked while the content is locked so no
// publication is scheduled in between.
func (s *Contents) Update(ctx context.Context, p domain.Principal, id uuid.UUID, patch ContentPatch) (domain.Content, error) {
	if err := p.Require(domain.PermContentWrite); err != nil {
		return domain.Content{}, err
	}
	var campaign *uuid.UUID
	if patch.CampaignID.Set && !patch.CampaignID.Null {
		cid, err := parseCampaignID(patch.CampaignID.Value)
		if err != nil {
			return domain.Content{}, err
		}
		campaign = &cid
	}
	return s.store.Org(p.OrganizationID).UpdateContent(ctx, id, func(c *domain.Content, pending []domain.ValidationTarget) error {
		patch.apply(c, campaign)
		if errs := checkShape(*c); len(errs) > 0 {
			return errs
		}
		if len(pending) > 0 {
			if v := domain.ValidateContent(*c, pending); len(v) > 0 {
				return &Unpublishable{Violations: v}
			}
		}
		return nil
	})
}

// Delete soft-deletes a content; refused (conflict) while it has pending
// publications: unschedule it first.
func (s *Contents) Delete(ctx context.Context, p domain.Principal, id uuid.UUID) error {
	if err := p.Require(domain.PermContentWrite); err != nil {
		return err
	}
	return s.store.Org(p.OrganizationID).DeleteContent(ctx, id)
}

// ValidateInput asks whether a content (given inline, or a stored one by
// id) is publishable to networks and to social accounts of the
// organization. With neither networks nor accounts it is checked against
// every network.
type ValidateInput struct {
	Content          *ContentInput `json:"content"`
	ContentID        *string       `json:"content_id"`
	Networks         []string      `json:"networks"`
	SocialAccountIDs []string      `json:"social_account_ids"`
}

// Violation is one broken rule of a dry run: the network whose rule it is
// (empty for rules of every network), the field to change, a stable code
// and an explanation.
type Violation struct {
	Network string `json:"network"`
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Validation is the answer of a dry run: valid, or every violation.
type Validation struct {
	Valid      bool        `json:"valid"`
	Violations []Violation `json:"violations"`
}

// Validate is the dry run (POST /contents/validate): it lists every rule
// the content breaks, for each target network and account, without saving
// anything. Accounts must be live accounts of the organization (not_found
// naming social_account_ids[i] otherwise); their posting options, when the
// provider told them, tighten the rules (TikTok's privacy levels). A bad
// request is an error; a content that breaks rules is a Validation.
func (s *Contents) Validate(ctx context.Context, p domain.Principal, in ValidateInput) (Validation, error) {
	if err := p.Require(domain.PermContentRead); err != nil {
		return Validation{}, err
	}
	var errs domain.Errors
	switch {
	case in.Content == nil && in.ContentID == nil:
		errs = append(errs, domain.Invalid("content", "give the content to validate, or the content_id of a stored one"))
	case in.Content != nil && in.ContentID != nil:
		errs = append(errs, domain.Invalid("content_id", "give the content or its content_id, not both"))
	}
	var contentID uuid.UUID
	if in.ContentID != nil {
		id, err := uuid.Parse(*in.ContentID)
		if err != nil {
			errs = append(errs, domain.Invalid("content_id", "must be a UUID"))
		}
		contentID = id
	}
	var targets []domain.ValidationTarget
	seen := map[domain.Provider]bool{}
	for i, n := range in.Networks {
		pr, err := domain.ParseProvider(fmt.Sprintf("networks[%d]", i), n)
		if err != nil {
			errs = append(errs, domain.AsError(err))
			continue
		}
		if !seen[pr] {
			seen[pr] = true
			targets = append(targets, domain.ValidationTarget{Provider: pr})
		}
	}
	accountIDs := make([]uuid.UUID, 0, len(in.SocialAccountIDs))
	for i, raw := range in.SocialAccountIDs {
		id, err := uuid.Parse(raw)
		if err != nil {
			errs = append(errs, domain.Invalid(fmt.Sprintf("social_account_ids[%d]", i), "must be a UUID"))
			continue
		}
		accountIDs = append(accountIDs, id)
	}
	if len(errs) > 0 {
		return Validation{}, errs
	}
	store := s.store.Org(p.OrganizationID)
	if len(accountIDs) > 0 {
		accounts, err := store.ValidationTargets(ctx, "social_account_ids", accountIDs)
		if err != nil {
			return Validation{}, err
		}
		targets = append(targets, accounts...)
	}
	if len(targets) == 0 {
		for _, pr := range domain.Providers {
			targets = append(targets, domain.ValidationTarget{Provider: pr})
		}
	}

	var c domain.Content
	var shape domain.Errors
	if in.Content != nil {
		c, shape = in.Content.content()
		c.CampaignID = nil // not a rule of any network
		shape = append(shape, checkShape(c)...)
		shape = dropField(shape, "campaign_id")
	} else {
		var err error
		if c, err = store.Content(ctx, contentID); err != nil {
			if domain.ErrorCode(err) == domain.CodeNotFound {
				return Validation{}, &domain.Error{Code: domain.CodeNotFound, Field: "content_id", Message: "content not found", Err: err}
			}
			return Validation{}, err
		}
	}
	return validation(shape, domain.ValidateContent(c, targets)), nil
}

// validation merges the shape violations with the networks' (dropping a
// shape violation the networks' rules already report for the same field)
// into the dry run's answer.
func validation(shape, rules domain.Errors) Validation {
	out := Validation{Valid: true, Violations: []Violation{}}
	reported := map[string]bool{}
	for _, e := range rules {
		if e.Network == "" {
			reported[e.Field] = true
		}
	}
	for _, e := range shape {
		if !reported[e.Field] {
			out.Violations = append(out.Violations, violationOf(e))
		}
	}
	for _, e := range rules {
		out.Violations = append(out.Violations, violationOf(e))
	}
	out.Valid = len(out.Violations) == 0
	return out
}

func violationOf(e *domain.Error) Violation {
	code := e.Code
	if code == "" {
		code = domain.CodeInvalid
	}
	return Violation{Network: e.Network, Field: e.Field, Code: string(code), Message: e.Message}
}

func dropField(errs domain.Errors, field string) domain.Errors {
	var out domain.Errors
	for _, e := range errs {
		if e.Field != field {
			out = append(out, e)
		}
	}
	return out
}

// content builds the content the input describes, with the errors of
// fields that did not parse.
func (in ContentInput) content() (domain.Content, domain.Errors) {
	c := domain.Content{Title: in.Title, Body: in.Body, Hashtags: in.Hashtags, Media: in.Media, Overrides: in.Overrides,
		Status: domain.ContentDraft}
	if c.Hashtags == nil {
		c.Hashtags = []string{}
	}
	if c.Media == nil {
		c.Media = []domain.MediaRef{}
	}
	if in.CampaignID != nil {
		id, err := parseCampaignID(*in.CampaignID)
		if err != nil {
			return c, domain.Errors{err}
		}
		c.CampaignID = &id
	}
	return c, nil
}

// apply changes c as the patch says; campaign is the parsed campaign_id.
func (patch ContentPatch) apply(c *domain.Content, campaign *uuid.UUID) {
	if patch.Title.Set {
		c.Title = patch.Title.Value
	}
	if patch.Body.Set {
		c.Body = patch.Body.Value
	}
	if patch.Hashtags.Set {
		c.Hashtags = patch.Hashtags.Value
		if c.Hashtags == nil {
			c.Hashtags = []string{}
		}
	}
	if patch.Media.Set {
		c.Media = patch.Media.Value
		if c.Media == nil {
			c.Media = []domain.MediaRef{}
		}
	}
	if patch.CampaignID.Set {
		c.CampaignID = campaign
	}
	if o := patch.Overrides; o.Null {
		c.Overrides = domain.Overrides{}
	} else if o.Set {
		c.Overrides.Instagram = overrideOf(o.Value.Instagram, c.Overrides.Instagram)
		c.Overrides.TikTok = overrideOf(o.Value.TikTok, c.Overrides.TikTok)
		c.Overrides.YouTube = overrideOf(o.Value.YouTube, c.Overrides.YouTube)
	}
}

// overrideOf is one network's override after a patch.
func overrideOf[T any](f Field[T], current *T) *T {
	switch {
	case !f.Set:
		return current
	case f.Null:
		return nil
	}
	v := f.Value
	return &v
}

func parseCampaignID(s string) (uuid.UUID, *domain.Error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, domain.Invalid("campaign_id", "must be a UUID")
	}
	return id, nil
}

// checkShape checks what every saved content must be, publishable or not:
// text within the limits, media that are absolute http(s) URLs of a known
// kind, and no NUL character (which PostgreSQL cannot store) anywhere.
func checkShape(c domain.Content) domain.Errors {
	var errs domain.Errors
	text := func(field, s string, max int) {
		if n := utf8.RuneCountInString(s); max > 0 && n > max {
			errs = append(errs, domain.Invalid(field, "must be at most %d characters (got %d)", max, n))
		}
		if strings.ContainsRune(s, 0) {
			errs = append(errs, noNUL(field))
		}
	}
	text("title", c.Title, MaxContentTitle)
	text("body", c.Body, MaxContentBody)
	for i, h := range c.Hashtags {
		text(fmt.Sprintf("hashtags[%d]", i), h, 0)
	}
	for i, m := range c.Media {
		field := fmt.Sprintf("media[%d]", i)
		if !absoluteHTTP(m.URL) {
			errs = append(errs, domain.Invalid(field+".url", "must be an absolute http or https URL"))
		} else {
			text(field+".url", m.URL, 0)
		}
		if m.Kind != domain.MediaImage && m.Kind != domain.MediaVideo {
			errs = append(errs, domain.Invalid(field+".kind", "must be image or video"))
		}
		text(field+".alt_text", m.AltText, 0)
	}
	if b, err := json.Marshal(c.Overrides); err == nil && strings.Contains(string(b), `\u0000`) {
		errs = append(errs, noNUL("overrides"))
	}
	return errs
}

func absoluteHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func validContentStatus(s domain.ContentStatus) bool {
	for _, x := range ContentStatuses {
		if x == s {
			return true
		}
	}
	return false
}

func contentStatusList() string {
	names := make([]string, len(ContentStatuses))
	for i, s := range ContentStatuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}
