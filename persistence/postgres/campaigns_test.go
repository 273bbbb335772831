package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/pgtest"
)

func newCampaign(name string, status domain.CampaignStatus) domain.Campaign {
	return domain.Campaign{ID: uuid.Must(uuid.NewV7()), Name: name, Status: status}
}

// Campaigns are created, read, listed oldest first in keyset pages with
// their filters, updated under a lock and soft-deleted; another
// organization sees none of it.
func TestCampaignsStore(t *testing.T) {
	ctx := context.Background()
	s := NewStore(pgtest.Pool(t))
	orgA, userA := seedOrg(t, s, "Campaigns A")
	orgB, _ := seedOrg(t, s, "Campaigns B")
	a, b := s.Org(orgA), s.Org(orgB)

	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	end := start.Add(30 * 24 * time.Hour)
	first := newCampaign("Spring Launch", domain.CampaignActive)
	first.Objective, first.StartsAt, first.EndsAt, first.CreatedBy = "Sell shoes", &start, &end, &userA
	got, err := a.CreateCampaign(ctx, first)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got.ID != first.ID || got.OrganizationID != orgA || got.Name != "Spring Launch" || got.Objective != "Sell shoes" ||
		!got.StartsAt.Equal(start) || !got.EndsAt.Equal(end) || got.Status != domain.CampaignActive || *got.CreatedBy != userA || got.CreatedAt.IsZero() {
		t.Fatalf("got %+v, want the campaign as created", got)
	}
	names := []string{"summer sale", "Autumn", "SUMMER teaser", "winter"}
	for i, n := range names {
		st := domain.CampaignDraft
		if i%2 == 1 {
			st = domain.CampaignPaused
		}
		if _, err := a.CreateCampaign(ctx, newCampaign(n, st)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.CreateCampaign(ctx, newCampaign("B's summer", domain.CampaignDraft)); err != nil {
		t.Fatal(err)
	}

	list := func(f domain.CampaignFilter) []string {
		t.Helper()
		var out []string
		var after *domain.Position
		for range 10 {
			page, err := a.CampaignsPage(ctx, f, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page {
				out = append(out, c.Name)
			}
			if len(page) < 2 {
				return out
			}
			last := page[len(page)-1]
			after = &domain.Position{Time: last.CreatedAt, ID: last.ID}
		}
		t.Fatal("more pages than campaigns")
		return nil
	}
	for _, tc := range []struct {
		name string
		f    domain.CampaignFilter
		want string
	}{
		{"all, oldest first", domain.CampaignFilter{}, "[Spring Launch summer sale Autumn SUMMER teaser winter]"},
		{"name ignoring case", domain.CampaignFilter{Query: "sUmMeR"}, "[summer sale SUMMER teaser]"},
		{"LIKE wildcards are plain text", domain.CampaignFilter{Query: "%"}, "[]"},
		{"status", domain.CampaignFilter{Status: domain.CampaignPaused}, "[Autumn winter]"},
		{"both", domain.CampaignFilter{Status: domain.CampaignDraft, Query: "summer"}, "[summer sale SUMMER teaser]"},
	} {
		if got := fmt.Sprint(list(tc.f)); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}

	// Another organization's campaign is not_found everywhere.
	if _, err := b.Campaign(ctx, first.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("B reading A's campaign: got %v, want not_found", err)
	}
	if _, err := b.UpdateCampaign(ctx, first.ID, func(c *domain.Campaign) error { c.Name = "hacked"; return nil }); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("B updating A's campaign: got %v, want not_found", err)
	}
	if err := b.DeleteCampaign(ctx, first.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("B deleting A's campaign: got %v, want not_found", err)
	}

	// Update: change sees the stored row; an error from it changes nothing
	// and comes back as it was returned.
	refusal := domain.Errors{domain.Invalid("name", "no")}
	_, err = a.UpdateCampaign(ctx, first.ID, func(c *domain.Campaign) error {
		if c.Name != "Spring Launch" {
			t.Errorf("change got name %q, want the stored one", c.Name)
		}
		c.Name = "changed"
		return refusal
	})
	var list2 domain.Errors
	if !errors.As(err, &list2) || len(list2) != 1 || list2[0].Field != "name" {
		t.Errorf("got %v, want the list change returned", err)
	}
	upd, err := a.UpdateCampaign(ctx, first.ID, func(c *domain.Campaign) error {
		c.Name, c.StartsAt, c.Objective = "Spring", nil, ""
		return nil
	})
	if err != nil || upd.Name != "Spring" || upd.StartsAt != nil || upd.Objective != "" || !upd.EndsAt.Equal(end) || !upd.UpdatedAt.After(got.UpdatedAt) {
		t.Errorf("got %+v, %v; want the name changed, starts_at and objective cleared, ends_at kept, updated_at moved", upd, err)
	}
	// The database refuses what the service would: ends_at before starts_at.
	_, err = a.UpdateCampaign(ctx, first.ID, func(c *domain.Campaign) error {
		early := end.Add(-time.Hour * 24 * 365)
		c.StartsAt, c.EndsAt = &end, &early
		return nil
	})
	if domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("ends_at before starts_at: got %v, want invalid", err)
	}

	// Soft delete: gone from reads, not twice.
	if err := a.DeleteCampaign(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Campaign(ctx, first.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("read after delete: got %v, want not_found", err)
	}
	if err := a.DeleteCampaign(ctx, first.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("second delete: got %v, want not_found", err)
	}
	if got := fmt.Sprint(list(domain.CampaignFilter{})); got != "[summer sale Autumn SUMMER teaser winter]" {
		t.Errorf("list after delete: got %s, want the deleted campaign gone", got)
	}
}
