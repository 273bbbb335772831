package contents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/contents"
	"github.com/socialmediamanager/smm/domain"
)

// A campaign is created with defaults, every bad field is named at once,
// and times must carry their offset.
func TestCreateCampaign(t *testing.T) {
	e := newEnv(t)
	p := e.tenant()
	ctx := context.Background()

	c, err := e.campaigns.Create(ctx, p, contents.CampaignInput{Name: "  Spring  ", StartsAt: ptr("2026-03-01T10:00:00+01:00"), EndsAt: ptr("2026-04-01T09:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Spring" || c.Status != domain.CampaignDraft || c.StartsAt.Format(time.RFC3339) != "2026-03-01T09:00:00Z" ||
		c.EndsAt.Format(time.RFC3339) != "2026-04-01T09:00:00Z" || c.CreatedBy == nil || *c.CreatedBy != p.UserID {
		t.Errorf("got %+v, want the name trimmed, draft, times in UTC, created by the user", c)
	}
	byKey, err := e.campaigns.Create(ctx, key(p, domain.ScopeWrite), contents.CampaignInput{Name: "By key", Status: domain.CampaignActive})
	if err != nil || byKey.CreatedBy != nil || byKey.Status != domain.CampaignActive {
		t.Errorf("got %+v, %v; want an active campaign with no user as creator", byKey, err)
	}

	for _, tc := range []struct {
		name string
		in   contents.CampaignInput
		want string
	}{
		{"no name", contents.CampaignInput{Name: "  "}, "invalid name"},
		{"name of 201 characters", contents.CampaignInput{Name: strings.Repeat("é", 201)}, "invalid name"},
		{"name of 200 characters", contents.CampaignInput{Name: strings.Repeat("é", 200)}, ""},
		{"objective of 2001 characters", contents.CampaignInput{Name: "x", Objective: strings.Repeat("a", 2001)}, "invalid objective"},
		{"objective of 2000 characters", contents.CampaignInput{Name: "x", Objective: strings.Repeat("a", 2000)}, ""},
		{"time without offset", contents.CampaignInput{Name: "x", StartsAt: ptr("2026-03-01T10:00:00")}, "invalid starts_at"},
		{"date only", contents.CampaignInput{Name: "x", EndsAt: ptr("2026-03-01")}, "invalid ends_at"},
		{"ends before it starts", contents.CampaignInput{Name: "x", StartsAt: ptr("2026-03-01T10:00:00Z"), EndsAt: ptr("2026-03-01T10:00:00Z")}, "invalid ends_at"},
		{"unknown status", contents.CampaignInput{Name: "x", Status: "running"}, "invalid status"},
		{"several at once", contents.CampaignInput{Status: "x", StartsAt: ptr("soon")}, "invalid starts_at; invalid name; invalid status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.campaigns.Create(ctx, p, tc.in)
			if got := fields(err); got != tc.want {
				t.Errorf("got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	_, err = e.campaigns.Create(ctx, p, contents.CampaignInput{Name: "x", StartsAt: ptr("2026-03-01T10:00:00")})
	if msg := domain.AsError(firstOf(err)).Message; !strings.Contains(msg, "no UTC offset") {
		t.Errorf("got message %q, want it to say the offset is missing", msg)
	}
}

func firstOf(err error) error {
	if list, ok := err.(domain.Errors); ok && len(list) > 0 {
		return list[0]
	}
	return err
}

// A patch changes only the fields it holds; null clears objective and the
// times; the result is checked as a whole.
func TestUpdateCampaign(t *testing.T) {
	e := newEnv(t)
	p := e.tenant()
	ctx := context.Background()
	c, err := e.campaigns.Create(ctx, p, contents.CampaignInput{Name: "Spring", Objective: "Sell", StartsAt: ptr("2026-03-01T09:00:00Z"), EndsAt: ptr("2026-04-01T09:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	patch := func(raw string) (domain.Campaign, error) {
		var pt contents.CampaignPatch
		if err := json.Unmarshal([]byte(raw), &pt); err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
		return e.campaigns.Update(ctx, p, c.ID, pt)
	}
	show := func(c domain.Campaign) string {
		tm := func(t *time.Time) string {
			if t == nil {
				return "null"
			}
			return t.Format(time.RFC3339)
		}
		return fmt.Sprintf("%s|%s|%s|%s|%s", c.Name, c.Objective, tm(c.StartsAt), tm(c.EndsAt), c.Status)
	}
	for _, tc := range []struct {
		patch, want, err string
	}{
		{`{}`, "Spring|Sell|2026-03-01T09:00:00Z|2026-04-01T09:00:00Z|draft", ""},
		{`{"status": "active", "name": "Spring 26"}`, "Spring 26|Sell|2026-03-01T09:00:00Z|2026-04-01T09:00:00Z|active", ""},
		{`{"ends_at": "2026-02-01T09:00:00Z"}`, "", "invalid ends_at"},
		{`{"starts_at": null}`, "Spring 26|Sell|null|2026-04-01T09:00:00Z|active", ""},
		{`{"ends_at": "2026-02-01T09:00:00Z"}`, "Spring 26|Sell|null|2026-02-01T09:00:00Z|active", ""},
		{`{"objective": null, "ends_at": null}`, "Spring 26||null|null|active", ""},
		{`{"starts_at": "2026-03-01T10:00:00"}`, "", "invalid starts_at"},
		{`{"name": null, "status": null}`, "", "invalid name; invalid status"},
		{`{"name": ""}`, "", "invalid name"},
		{`{"status": "done"}`, "", "invalid status"},
	} {
		got, err := patch(tc.patch)
		if fields(err) != tc.err {
			t.Errorf("%s: got error %q (%v), want %q", tc.patch, fields(err), err, tc.err)
		}
		if tc.err == "" && show(got) != tc.want {
			t.Errorf("%s: got %s, want %s", tc.patch, show(got), tc.want)
		}
	}
	if got, _ := e.campaigns.Get(ctx, p, c.ID); show(got) != "Spring 26||null|null|active" {
		t.Errorf("got %s stored, want the refused patches to have changed nothing", show(got))
	}
}

// Reads need content.read, writes content.write; another organization's
// campaign is not_found; a deleted one is gone; the list filters.
func TestCampaignAccess(t *testing.T) {
	e := newEnv(t)
	p, other := e.tenant(), e.tenant()
	ctx := context.Background()
	c, err := e.campaigns.Create(ctx, as(p, domain.RoleEditor), contents.CampaignInput{Name: "Mine"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who   string
		p     domain.Principal
		read  string
		write string
	}{
		{"viewer", as(p, domain.RoleViewer), "", "forbidden "},
		{"read key", key(p, domain.ScopeRead), "", "insufficient_scope "},
		{"publish key", key(p, domain.ScopePublish), "insufficient_scope ", "insufficient_scope "},
		{"another organization", other, "not_found ", "not_found "},
	} {
		_, err := e.campaigns.Get(ctx, tc.p, c.ID)
		if got := fields(err); got != tc.read {
			t.Errorf("%s reading: got %q, want %q", tc.who, got, tc.read)
		}
		_, err = e.campaigns.Update(ctx, tc.p, c.ID, contents.CampaignPatch{Name: contents.Value("Theirs")})
		if got := fields(err); got != tc.write {
			t.Errorf("%s updating: got %q, want %q", tc.who, got, tc.write)
		}
		if got := fields(e.campaigns.Delete(ctx, tc.p, c.ID)); got != tc.write {
			t.Errorf("%s deleting: got %q, want %q", tc.who, got, tc.write)
		}
	}
	if list, _ := e.campaigns.List(ctx, other, domain.CampaignFilter{}, nil, 100); len(list) != 0 {
		t.Errorf("another organization lists %d campaigns, want 0", len(list))
	}
	if _, err := e.campaigns.List(ctx, p, domain.CampaignFilter{Status: "running", Query: strings.Repeat("q", 201)}, nil, 10); fields(err) != "invalid status; invalid q" {
		t.Errorf("bad filters: got %q, want status and q named", fields(err))
	}
	if got, err := e.campaigns.List(ctx, p, domain.CampaignFilter{Query: "MIN"}, nil, 10); err != nil || len(got) != 1 {
		t.Errorf("search: got %d (%v), want 1", len(got), err)
	}
	if err := e.campaigns.Delete(ctx, p, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.campaigns.Get(ctx, p, c.ID); fields(err) != "not_found " {
		t.Errorf("read after delete: got %q, want not_found", fields(err))
	}
	if list, _ := e.campaigns.List(ctx, p, domain.CampaignFilter{}, nil, 100); len(list) != 0 {
		t.Errorf("got %d campaigns listed after delete, want 0", len(list))
	}
}
