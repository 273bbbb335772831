package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/pgtest"
)

func newContent(title string) domain.Content {
	return domain.Content{ID: uuid.Must(uuid.NewV7()), Title: title}
}

// seedAccount stores a connected social account of provider in o.
func seedAccount(t *testing.T, o *OrgStore, provider domain.Provider) uuid.UUID {
	t.Helper()
	a := domain.SocialAccount{ID: uuid.Must(uuid.NewV7()), Provider: provider, ExternalID: "ext-" + uuid.NewString(),
		Username: "u", Status: domain.AccountConnected, CreatedAt: time.Now().UTC()}
	if err := o.CreateSocialAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// insertPublications gives content one publication per state, each to its
// own account of accounts (the states are set directly: this tests the
// reads, not the state machine).
func insertPublications(t *testing.T, o *OrgStore, content uuid.UUID, accounts []uuid.UUID, states []domain.PublicationStatus) {
	t.Helper()
	err := o.tx(context.Background(), func(tx pgx.Tx) error {
		for i, st := range states {
			_, err := tx.Exec(context.Background(), `INSERT INTO publications (id, organization_id, content_id, social_account_id,
				provider, status, publish_at, due_at)
				SELECT $1, $2, $3, a.id, a.provider, $5, now() + interval '1 hour',
					CASE WHEN $5 IN ('scheduled', 'publishing', 'retry_scheduled', 'unknown_outcome') THEN now() + interval '1 hour' END
				FROM social_accounts a WHERE a.id = $4`,
				uuid.Must(uuid.NewV7()), o.org, content, accounts[i], string(st))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert publications %v: %v", states, err)
	}
}

// The status filter derives the content status in SQL; the status shown is
// domain.ContentStatusOf over the same publications. For every multiset of
// up to three publication states the two agree.
func TestContentStatusSQL(t *testing.T) {
	ctx := context.Background()
	s := NewStore(pgtest.Pool(t))
	org, _ := seedOrg(t, s, "Status")
	o := s.Org(org)
	accounts := []uuid.UUID{seedAccount(t, o, domain.ProviderInstagram), seedAccount(t, o, domain.ProviderTikTok), seedAccount(t, o, domain.ProviderYouTube)}

	var combos [][]domain.PublicationStatus
	var grow func(prefix []domain.PublicationStatus, from int)
	grow = func(prefix []domain.PublicationStatus, from int) {
		combos = append(combos, slices.Clone(prefix))
		if len(prefix) == 3 {
			return
		}
		for i := from; i < len(domain.PublicationStatuses); i++ {
			grow(append(prefix, domain.PublicationStatuses[i]), i)
		}
	}
	grow(nil, 0)
	want := map[uuid.UUID]domain.ContentStatus{}
	states := map[uuid.UUID][]domain.PublicationStatus{}
	for _, combo := range combos {
		c, err := o.CreateContent(ctx, newContent(fmt.Sprint(combo)))
		if err != nil {
			t.Fatal(err)
		}
		insertPublications(t, o, c.ID, accounts, combo)
		want[c.ID], states[c.ID] = domain.ContentStatusOf(combo), combo
	}

	for _, status := range []domain.ContentStatus{domain.ContentDraft, domain.ContentScheduled, domain.ContentPublishing,
		domain.ContentPublished, domain.ContentPartiallyPublished, domain.ContentFailed} {
		page, err := o.ContentsPage(ctx, domain.ContentFilter{Status: status}, nil, 1000)
		if err != nil {
			t.Fatal(err)
		}
		got := map[uuid.UUID]bool{}
		for _, c := range page {
			got[c.ID] = true
			if c.Status != status {
				t.Errorf("filter %s: got content %q shown as %s", status, c.Title, c.Status)
			}
		}
		for id, w := range want {
			if (w == status) != got[id] {
				t.Errorf("publications %v: listed under %s = %v, want %v (ContentStatusOf says %s)", states[id], status, got[id], w == status, w)
			}
		}
	}
	// The single read shows the same derived status.
	for id, w := range want {
		c, err := o.Content(ctx, id)
		if err != nil || c.Status != w {
			t.Errorf("publications %v: got status %s (%v), want %s", states[id], c.Status, err, w)
		}
	}
}

// Contents are created (with a live campaign of the organization only),
// read, listed with their filters in keyset pages, updated knowing their
// pending publications, and soft-deleted unless a publication is pending.
func TestContentsStore(t *testing.T) {
	ctx := context.Background()
	s := NewStore(pgtest.Pool(t))
	orgA, userA := seedOrg(t, s, "Contents A")
	orgB, _ := seedOrg(t, s, "Contents B")
	a, b := s.Org(orgA), s.Org(orgB)
	campA, err := a.CreateCampaign(ctx, newCampaign("A", domain.CampaignDraft))
	if err != nil {
		t.Fatal(err)
	}
	campB, err := b.CreateCampaign(ctx, newCampaign("B", domain.CampaignDraft))
	if err != nil {
		t.Fatal(err)
	}
	gone, err := a.CreateCampaign(ctx, newCampaign("Gone", domain.CampaignDraft))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteCampaign(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}

	caption := "IG caption"
	full := newContent("Launch")
	full.Body, full.Hashtags, full.CampaignID, full.CreatedBy = "Body text", []string{"shoes", "spring"}, &campA.ID, &userA
	full.Media = []domain.MediaRef{{URL: "https://cdn.example.com/a.jpg", Kind: domain.MediaImage, AltText: "a shoe"}}
	full.Overrides = domain.Overrides{Instagram: &domain.InstagramOverride{Caption: &caption, MediaType: domain.InstagramFeed}}
	got, err := a.CreateContent(ctx, full)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got.ID != full.ID || got.OrganizationID != orgA || *got.CampaignID != campA.ID || got.Body != "Body text" ||
		fmt.Sprint(got.Hashtags) != "[shoes spring]" || len(got.Media) != 1 || got.Media[0] != full.Media[0] ||
		got.Overrides.Instagram == nil || *got.Overrides.Instagram.Caption != caption || got.Status != domain.ContentDraft {
		t.Fatalf("got %+v, want the content as created, status draft", got)
	}
	empty, err := a.CreateContent(ctx, newContent(""))
	if err != nil || empty.Hashtags == nil || empty.Media == nil || empty.CampaignID != nil {
		t.Fatalf("got %+v, %v; want an empty draft with empty lists", empty, err)
	}

	for name, campaign := range map[string]uuid.UUID{"another organization's": campB.ID, "a deleted": gone.ID, "no": uuid.New()} {
		c := newContent("x")
		c.CampaignID = &campaign
		if _, err := a.CreateContent(ctx, c); domain.ErrorCode(err) != domain.CodeInvalid || domain.AsError(err).Field != "campaign_id" {
			t.Errorf("create with %s campaign: got %v, want invalid campaign_id", name, err)
		}
	}

	// Filters and pages.
	for i := range 3 {
		c := newContent(fmt.Sprint("in campaign ", i))
		c.CampaignID = &campA.ID
		if _, err := a.CreateContent(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.CreateContent(ctx, newContent("B's")); err != nil {
		t.Fatal(err)
	}
	titles := func(f domain.ContentFilter) []string {
		var out []string
		var after *domain.Position
		for {
			page, err := a.ContentsPage(ctx, f, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page {
				out = append(out, c.Title)
			}
			if len(page) < 2 {
				return out
			}
			after = &domain.Position{Time: page[1].CreatedAt, ID: page[1].ID}
		}
	}
	if got := fmt.Sprint(titles(domain.ContentFilter{})); got != "[Launch  in campaign 0 in campaign 1 in campaign 2]" {
		t.Errorf("all: got %s", got)
	}
	if got := fmt.Sprint(titles(domain.ContentFilter{CampaignID: campA.ID})); got != "[Launch in campaign 0 in campaign 1 in campaign 2]" {
		t.Errorf("by campaign: got %s", got)
	}

	// Tenancy.
	if _, err := b.Content(ctx, full.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("B reading A's content: got %v, want not_found", err)
	}
	if _, err := b.UpdateContent(ctx, full.ID, func(*domain.Content, []domain.ValidationTarget) error { return nil }); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("B updating A's content: got %v, want not_found", err)
	}
	if err := b.DeleteContent(ctx, full.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("B deleting A's content: got %v, want not_found", err)
	}

	// Update: no pending publication yet; moving to a deleted campaign is
	// refused, clearing the campaign is fine.
	_, err = a.UpdateContent(ctx, full.ID, func(c *domain.Content, pending []domain.ValidationTarget) error {
		if len(pending) != 0 {
			t.Errorf("got pending targets %v, want none", pending)
		}
		c.CampaignID = &gone.ID
		return nil
	})
	if domain.ErrorCode(err) != domain.CodeInvalid || domain.AsError(err).Field != "campaign_id" {
		t.Errorf("moving to a deleted campaign: got %v, want invalid campaign_id", err)
	}

	// Pending publications: the targets reach change with their posting
	// options; deletion is refused until none is pending.
	ig, tt := seedAccount(t, a, domain.ProviderInstagram), seedAccount(t, a, domain.ProviderTikTok)
	opts := domain.PostingOptions{PrivacyLevelOptions: []string{"SELF_ONLY"}}
	if err := a.SavePostingOptions(ctx, tt, opts); err != nil {
		t.Fatal(err)
	}
	insertPublications(t, a, full.ID, []uuid.UUID{ig, tt}, []domain.PublicationStatus{domain.PublicationScheduled, domain.PublicationUnknownOutcome})
	upd, err := a.UpdateContent(ctx, full.ID, func(c *domain.Content, pending []domain.ValidationTarget) error {
		if len(pending) != 2 || pending[0].AccountID != ig.String() || pending[0].Provider != domain.ProviderInstagram || pending[0].Options != nil ||
			pending[1].AccountID != tt.String() || pending[1].Options == nil || fmt.Sprint(pending[1].Options.PrivacyLevelOptions) != "[SELF_ONLY]" {
			t.Errorf("got pending targets %+v, want the Instagram account and the TikTok one with its options", pending)
		}
		c.CampaignID, c.Body, c.Overrides = nil, "New body", domain.Overrides{}
		return nil
	})
	if err != nil || upd.CampaignID != nil || upd.Body != "New body" || upd.Overrides.Instagram != nil || upd.Status != domain.ContentPublishing {
		t.Errorf("got %+v, %v; want the campaign and overrides cleared, the body changed, status publishing", upd, err)
	}
	if err := a.DeleteContent(ctx, full.ID); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("delete with pending publications: got %v, want conflict", err)
	}
	if _, err := a.Content(ctx, full.ID); err != nil {
		t.Errorf("read after the refused delete: %v", err)
	}
	if err := a.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE publications SET status = CASE WHEN provider = 'instagram' THEN 'published' ELSE 'cancelled' END,
			due_at = NULL WHERE content_id = $1`, full.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if c, err := a.Content(ctx, full.ID); err != nil || c.Status != domain.ContentPublished {
		t.Errorf("got status %s (%v), want published once the live publication is", c.Status, err)
	}
	if err := a.DeleteContent(ctx, full.ID); err != nil {
		t.Errorf("delete once nothing is pending: %v", err)
	}
	if _, err := a.Content(ctx, full.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("read after delete: got %v, want not_found", err)
	}
	if err := a.DeleteContent(ctx, full.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("second delete: got %v, want not_found", err)
	}

	// Validation targets: in order; unknown and other organizations'
	// accounts are not_found, each named.
	bAccount := seedAccount(t, b, domain.ProviderYouTube)
	targets, err := a.ValidationTargets(ctx, "social_account_ids", []uuid.UUID{tt, ig})
	if err != nil || len(targets) != 2 || targets[0].Provider != domain.ProviderTikTok || targets[0].Options == nil || targets[1].Provider != domain.ProviderInstagram {
		t.Errorf("got %+v, %v; want TikTok (with options) then Instagram", targets, err)
	}
	_, err = a.ValidationTargets(ctx, "social_account_ids", []uuid.UUID{ig, bAccount, uuid.New()})
	var list domain.Errors
	if !errors.As(err, &list) || len(list) != 2 || list[0].Field != "social_account_ids[1]" || list[1].Field != "social_account_ids[2]" || list[0].Code != domain.CodeNotFound {
		t.Errorf("got %v, want not_found for social_account_ids[1] and [2]", err)
	}
}
