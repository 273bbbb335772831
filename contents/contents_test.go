package contents_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/contents"
	"github.com/socialmediamanager/smm/domain"
)

// video is a media item every network but Instagram feed accepts.
var video = domain.MediaRef{URL: "https://cdn.example.com/clip.mp4", Kind: domain.MediaVideo}

// Saving checks the shape of a content only: a draft may be incomplete,
// but lengths, media and the campaign are checked, every bad field named.
func TestCreateContent(t *testing.T) {
	e := newEnv(t)
	p, other := e.tenant(), e.tenant()
	ctx := context.Background()
	camp, err := e.campaigns.Create(ctx, p, contents.CampaignInput{Name: "Mine"})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := e.campaigns.Create(ctx, other, contents.CampaignInput{Name: "Theirs"})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := e.campaigns.Create(ctx, p, contents.CampaignInput{Name: "Gone"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.campaigns.Delete(ctx, p, gone.ID); err != nil {
		t.Fatal(err)
	}

	c, err := e.contents.Create(ctx, p, contents.ContentInput{Title: "Launch", Body: "New shoes", Hashtags: []string{"shoes"},
		Media: []domain.MediaRef{video}, CampaignID: ptr(camp.ID.String()),
		Overrides: domain.Overrides{TikTok: &domain.TikTokOverride{PrivacyLevel: "SELF_ONLY"}}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.ContentDraft || *c.CampaignID != camp.ID || c.Overrides.TikTok.PrivacyLevel != "SELF_ONLY" || *c.CreatedBy != p.UserID {
		t.Errorf("got %+v, want a draft in the campaign with its override", c)
	}
	if empty, err := e.contents.Create(ctx, p, contents.ContentInput{}); err != nil || empty.Media == nil || empty.Hashtags == nil {
		t.Errorf("got %+v, %v; want an empty draft saved, with empty lists", empty, err)
	}

	for _, tc := range []struct {
		name string
		in   contents.ContentInput
		want string
	}{
		{"title of 1000 characters", contents.ContentInput{Title: strings.Repeat("ü", 1000)}, ""},
		{"title of 1001 characters", contents.ContentInput{Title: strings.Repeat("ü", 1001)}, "invalid title"},
		{"body of 20000 characters", contents.ContentInput{Body: strings.Repeat("ü", 20000)}, ""},
		{"body of 20001 characters", contents.ContentInput{Body: strings.Repeat("ü", 20001)}, "invalid body"},
		{"relative media URL", contents.ContentInput{Media: []domain.MediaRef{video, {URL: "/a.jpg", Kind: domain.MediaImage}}}, "invalid media[1].url"},
		{"ftp media URL", contents.ContentInput{Media: []domain.MediaRef{{URL: "ftp://x.example/a.jpg", Kind: domain.MediaImage}}}, "invalid media[0].url"},
		{"media kind", contents.ContentInput{Media: []domain.MediaRef{{URL: "https://x.example/a.gif", Kind: "gif"}}}, "invalid media[0].kind"},
		{"NUL in the body", contents.ContentInput{Body: "a\x00b"}, "invalid body"},
		{"NUL in an override", contents.ContentInput{Overrides: domain.Overrides{Instagram: &domain.InstagramOverride{Caption: ptr("\x00")}}}, "invalid overrides"},
		{"campaign id not a UUID", contents.ContentInput{CampaignID: ptr("spring")}, "invalid campaign_id"},
		{"another organization's campaign", contents.ContentInput{CampaignID: ptr(theirs.ID.String())}, "invalid campaign_id"},
		{"a deleted campaign", contents.ContentInput{CampaignID: ptr(gone.ID.String())}, "invalid campaign_id"},
		{"several at once", contents.ContentInput{CampaignID: ptr("x"), Title: strings.Repeat("t", 1001), Media: []domain.MediaRef{{URL: "x"}}},
			"invalid campaign_id; invalid title; invalid media[0].url; invalid media[0].kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.contents.Create(ctx, p, tc.in)
			if got := fields(err); got != tc.want {
				t.Errorf("got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	if _, err := e.contents.Create(ctx, as(p, domain.RoleViewer), contents.ContentInput{}); fields(err) != "forbidden " {
		t.Errorf("viewer creating: got %q, want forbidden", fields(err))
	}
}

// A patch changes only what it holds; null clears; overrides are patched
// network by network; another organization's content is not_found.
func TestUpdateContent(t *testing.T) {
	e := newEnv(t)
	p, other := e.tenant(), e.tenant()
	ctx := context.Background()
	camp, err := e.campaigns.Create(ctx, p, contents.CampaignInput{Name: "Mine"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.contents.Create(ctx, p, contents.ContentInput{Title: "T", Body: "B", Hashtags: []string{"a"}, Media: []domain.MediaRef{video},
		CampaignID: ptr(camp.ID.String()), Overrides: domain.Overrides{Instagram: &domain.InstagramOverride{Caption: ptr("ig")}, TikTok: &domain.TikTokOverride{Caption: ptr("tt")}}})
	if err != nil {
		t.Fatal(err)
	}
	show := func(c domain.Content) string {
		o, _ := json.Marshal(c.Overrides)
		camp := "none"
		if c.CampaignID != nil {
			camp = "set"
		}
		return fmt.Sprintf("%s|%s|%v|%d|%s|%s", c.Title, c.Body, c.Hashtags, len(c.Media), camp, o)
	}
	for _, tc := range []struct {
		patch, want, err string
	}{
		{`{}`, `T|B|[a]|1|set|{"instagram":{"caption":"ig"},"tiktok":{"caption":"tt"}}`, ""},
		{`{"title": "T2", "hashtags": ["x", "y"]}`, `T2|B|[x y]|1|set|{"instagram":{"caption":"ig"},"tiktok":{"caption":"tt"}}`, ""},
		{`{"overrides": {"tiktok": null, "youtube": {"title": "yt"}}}`, `T2|B|[x y]|1|set|{"instagram":{"caption":"ig"},"youtube":{"title":"yt"}}`, ""},
		{`{"overrides": {"instagram": {"media_type": "reels"}}}`, `T2|B|[x y]|1|set|{"instagram":{"media_type":"reels"},"youtube":{"title":"yt"}}`, ""},
		{`{"campaign_id": null, "body": null, "media": null, "hashtags": null}`, `T2||[]|0|none|{"instagram":{"media_type":"reels"},"youtube":{"title":"yt"}}`, ""},
		{`{"overrides": null, "title": null}`, `||[]|0|none|{}`, ""},
		{`{"campaign_id": "` + camp.ID.String() + `"}`, `||[]|0|set|{}`, ""},
		{`{"campaign_id": "nope"}`, "", "invalid campaign_id"},
		{`{"campaign_id": "` + uuid.NewString() + `"}`, "", "invalid campaign_id"},
		{`{"media": [{"url": "nope", "kind": "video"}]}`, "", "invalid media[0].url"},
	} {
		var patch contents.ContentPatch
		if err := json.Unmarshal([]byte(tc.patch), &patch); err != nil {
			t.Fatalf("decode %s: %v", tc.patch, err)
		}
		got, err := e.contents.Update(ctx, p, c.ID, patch)
		if fields(err) != tc.err {
			t.Errorf("%s: got error %q (%v), want %q", tc.patch, fields(err), err, tc.err)
		}
		if tc.err == "" && show(got) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.patch, show(got), tc.want)
		}
	}
	if _, err := e.contents.Update(ctx, other, c.ID, contents.ContentPatch{Title: contents.Value("theirs")}); fields(err) != "not_found " {
		t.Errorf("another organization updating: got %q, want not_found", fields(err))
	}
	if got, _ := e.contents.Get(ctx, p, c.ID); got.Title != "" {
		t.Errorf("got title %q, want the refused patches to have changed nothing", got.Title)
	}
}

// While a content has pending publications, a change must keep it
// publishable to their accounts (422-style refusal listing the networks'
// violations), and it cannot be deleted.
func TestScheduledContent(t *testing.T) {
	e := newEnv(t)
	p := e.tenant()
	ctx := context.Background()
	yt := e.account(p, domain.ProviderYouTube, nil)
	tt := e.account(p, domain.ProviderTikTok, &domain.PostingOptions{PrivacyLevelOptions: []string{"SELF_ONLY", "MUTUAL_FOLLOW_FRIENDS"}})
	c, err := e.contents.Create(ctx, p, contents.ContentInput{Title: "Clip", Body: "Watch", Media: []domain.MediaRef{video}})
	if err != nil {
		t.Fatal(err)
	}
	// A draft may be anything: no publication yet.
	if _, err := e.contents.Update(ctx, p, c.ID, contents.ContentPatch{Title: contents.Null[string]()}); err != nil {
		t.Fatalf("untitled draft: %v", err)
	}
	if _, err := e.contents.Update(ctx, p, c.ID, contents.ContentPatch{Title: contents.Value("Clip")}); err != nil {
		t.Fatal(err)
	}
	e.schedule(p, c.ID, yt, tt)
	if got, _ := e.contents.Get(ctx, p, c.ID); got.Status != domain.ContentScheduled {
		t.Errorf("got status %s, want scheduled", got.Status)
	}

	_, err = e.contents.Update(ctx, p, c.ID, contents.ContentPatch{Title: contents.Null[string](),
		Overrides: contents.Value(contents.OverridesPatch{TikTok: contents.Value(domain.TikTokOverride{PrivacyLevel: "PUBLIC_TO_EVERYONE"})})})
	var refused *contents.Unpublishable
	if !errors.As(err, &refused) {
		t.Fatalf("got %v, want the change refused as unpublishable", err)
	}
	if got := fields(err); !strings.Contains(got, "tiktok:invalid overrides.tiktok.privacy_level") || !strings.Contains(got, "youtube:invalid title") {
		t.Errorf("got violations %q, want TikTok's privacy level and YouTube's title named", got)
	}
	if got, _ := e.contents.Get(ctx, p, c.ID); got.Title != "Clip" || got.Overrides.TikTok != nil {
		t.Errorf("got %+v, want the refused change not saved", got)
	}
	// A change that keeps it publishable goes through.
	if got, err := e.contents.Update(ctx, p, c.ID, contents.ContentPatch{Body: contents.Value("Watch this")}); err != nil || got.Body != "Watch this" {
		t.Errorf("got %q, %v; want the body changed", got.Body, err)
	}
	if err := e.contents.Delete(ctx, p, c.ID); fields(err) != "conflict " || !strings.Contains(err.Error(), "unschedule the content first") {
		t.Errorf("delete while scheduled: got %v, want conflict asking to unschedule first", err)
	}
	if _, err := e.store.Org(p.OrganizationID).UnschedulePublications(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.contents.Get(ctx, p, c.ID); got.Status != domain.ContentDraft {
		t.Errorf("got status %s after unscheduling, want draft", got.Status)
	}
	if err := e.contents.Delete(ctx, p, c.ID); err != nil {
		t.Errorf("delete once unscheduled: %v", err)
	}
	if _, err := e.contents.Get(ctx, p, c.ID); fields(err) != "not_found " {
		t.Errorf("read after delete: got %q, want not_found", fields(err))
	}
}

// The list filters by campaign and derived status, for readers only of
// the organization.
func TestListContents(t *testing.T) {
	e := newEnv(t)
	p, other := e.tenant(), e.tenant()
	ctx := context.Background()
	camp, err := e.campaigns.Create(ctx, p, contents.CampaignInput{Name: "Mine"})
	if err != nil {
		t.Fatal(err)
	}
	ig := e.account(p, domain.ProviderInstagram, nil)
	var ids []uuid.UUID
	for i := range 4 {
		in := contents.ContentInput{Title: fmt.Sprint(i)}
		if i%2 == 0 {
			in.CampaignID = ptr(camp.ID.String())
		}
		c, err := e.contents.Create(ctx, p, in)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	e.schedule(p, ids[1], ig)
	e.schedule(p, ids[2], ig)
	titles := func(who domain.Principal, f domain.ContentFilter) string {
		list, err := e.contents.List(ctx, who, f, nil, 100)
		if err != nil {
			return fields(err)
		}
		var out []string
		for _, c := range list {
			out = append(out, c.Title+":"+string(c.Status))
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		name string
		who  domain.Principal
		f    domain.ContentFilter
		want string
	}{
		{"all", p, domain.ContentFilter{}, "0:draft 1:scheduled 2:scheduled 3:draft"},
		{"campaign", p, domain.ContentFilter{CampaignID: camp.ID}, "0:draft 2:scheduled"},
		{"status", key(p, domain.ScopeRead), domain.ContentFilter{Status: domain.ContentScheduled}, "1:scheduled 2:scheduled"},
		{"both", as(p, domain.RoleViewer), domain.ContentFilter{CampaignID: camp.ID, Status: domain.ContentDraft}, "0:draft"},
		{"unknown status", p, domain.ContentFilter{Status: "queued"}, "invalid status"},
		{"another organization", other, domain.ContentFilter{}, ""},
		{"no scope", key(p, domain.ScopePublish), domain.ContentFilter{}, "insufficient_scope "},
	} {
		if got := titles(tc.who, tc.f); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The dry run lists every violation per network, for the networks asked,
// the accounts given (with their posting options), or every network.
func TestValidate(t *testing.T) {
	e := newEnv(t)
	p, other := e.tenant(), e.tenant()
	ctx := context.Background()
	tt := e.account(p, domain.ProviderTikTok, &domain.PostingOptions{PrivacyLevelOptions: []string{"SELF_ONLY"}})
	theirs := e.account(other, domain.ProviderTikTok, nil)
	stored, err := e.contents.Create(ctx, p, contents.ContentInput{Title: "Clip", Media: []domain.MediaRef{video}})
	if err != nil {
		t.Fatal(err)
	}
	public := &contents.ContentInput{Title: "Clip", Media: []domain.MediaRef{video}, Overrides: domain.Overrides{TikTok: &domain.TikTokOverride{PrivacyLevel: "PUBLIC_TO_EVERYONE"}}}
	networksOf := func(v contents.Validation) string {
		seen := map[string]bool{}
		var out []string
		for _, x := range v.Violations {
			if !seen[x.Network] {
				seen[x.Network] = true
				out = append(out, x.Network)
			}
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		name     string
		in       contents.ValidateInput
		valid    bool
		networks string // networks with violations
		field    string // a field that must be named
		err      string
	}{
		{"valid for TikTok and YouTube", contents.ValidateInput{Content: public, Networks: []string{"tiktok", "youtube"}}, true, "", "", ""},
		{"every network by default: Instagram refuses a video feed post", contents.ValidateInput{Content: &contents.ContentInput{Title: "Clip", Media: []domain.MediaRef{video}, Overrides: domain.Overrides{Instagram: &domain.InstagramOverride{MediaType: "feed"}}}}, false, "instagram", "media", ""},
		{"the account's options", contents.ValidateInput{Content: public, SocialAccountIDs: []string{tt.String()}}, false, "tiktok", "overrides.tiktok.privacy_level", ""},
		{"a stored content by id", contents.ValidateInput{ContentID: ptr(stored.ID.String()), Networks: []string{"youtube"}}, true, "", "", ""},
		{"an empty content", contents.ValidateInput{Content: &contents.ContentInput{}, Networks: []string{"youtube"}}, false, "youtube", "title", ""},
		{"shape rules too", contents.ValidateInput{Content: &contents.ContentInput{Title: strings.Repeat("t", 1001), Media: []domain.MediaRef{video}}, Networks: []string{"tiktok"}}, false, "", "title", ""},
		{"another organization's account", contents.ValidateInput{Content: public, SocialAccountIDs: []string{tt.String(), theirs.String()}}, false, "", "", "not_found social_account_ids[1]"},
		{"an unknown account", contents.ValidateInput{Content: public, SocialAccountIDs: []string{uuid.NewString()}}, false, "", "", "not_found social_account_ids[0]"},
		{"a bad account id", contents.ValidateInput{Content: public, SocialAccountIDs: []string{"x"}}, false, "", "", "invalid social_account_ids[0]"},
		{"a bad network", contents.ValidateInput{Content: public, Networks: []string{"youtube", "myspace"}}, false, "", "", "invalid networks[1]"},
		{"nothing to validate", contents.ValidateInput{Networks: []string{"youtube"}}, false, "", "", "invalid content"},
		{"both content and id", contents.ValidateInput{Content: public, ContentID: ptr(stored.ID.String())}, false, "", "", "invalid content_id"},
		{"another organization's content", contents.ValidateInput{ContentID: ptr(stored.ID.String())}, false, "", "", "not_found content_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			who := key(p, domain.ScopeRead)
			if tc.name == "another organization's content" {
				who = other
			}
			v, err := e.contents.Validate(ctx, who, tc.in)
			if got := fields(err); got != tc.err {
				t.Fatalf("got error %q (%v), want %q", got, err, tc.err)
			}
			if err != nil {
				return
			}
			if v.Valid != tc.valid || networksOf(v) != tc.networks || (v.Valid != (len(v.Violations) == 0)) || v.Violations == nil {
				t.Errorf("got valid %v with violations %+v (networks %q), want valid %v and networks %q", v.Valid, v.Violations, networksOf(v), tc.valid, tc.networks)
			}
			if tc.field != "" && !strings.Contains(fmt.Sprintf("%+v", v.Violations), "Field:"+tc.field+" ") {
				t.Errorf("got violations %+v, want field %s named", v.Violations, tc.field)
			}
		})
	}
	if _, err := e.contents.Validate(ctx, key(p, domain.ScopePublish), contents.ValidateInput{Content: public}); fields(err) != "insufficient_scope " {
		t.Errorf("publish-only key: got %q, want insufficient_scope", fields(err))
	}
}
