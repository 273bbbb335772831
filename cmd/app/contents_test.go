package app_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/cmd/app/apptest"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// campaignView is the API's view of a campaign.
type campaignView struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Objective string  `json:"objective"`
	StartsAt  *string `json:"starts_at"`
	EndsAt    *string `json:"ends_at"`
	Status    string  `json:"status"`
}

// contentView is the API's view of a content.
type contentView struct {
	ID         string            `json:"id"`
	CampaignID *string           `json:"campaign_id"`
	Title      string            `json:"title"`
	Body       string            `json:"body"`
	Hashtags   []string          `json:"hashtags"`
	Media      []domain.MediaRef `json:"media"`
	Overrides  map[string]any    `json:"overrides"`
	Status     string            `json:"status"`
}

// fieldsOf lists the "code field" of each error of a response.
func fieldsOf(r apiResponse) string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Code+" "+e.Field)
	}
	return strings.Join(out, "; ")
}

// TestCampaignsOverHTTP creates, lists, reads, changes and deletes
// campaigns through the API, with the refusals a client meets.
func TestCampaignsOverHTTP(t *testing.T) {
	s := apptest.Start(t)
	c := apiClient{t: t, base: s.URL}
	owner := register(t, c, uniqueEmail(t))
	auth := bearer(owner.Tokens.AccessToken)
	other := bearer(register(t, c, uniqueEmail(t)).Tokens.AccessToken)

	var spring campaignView
	body := map[string]any{"name": "Spring launch", "objective": "Sell shoes", "starts_at": "2026-03-01T10:00:00+01:00", "ends_at": "2026-03-31T18:00:00Z"}
	r := c.do("POST", "/api/v1/campaigns", body, auth, "Idempotency-Key: spring-1")
	r.into(t, 201, &spring)
	if spring.Status != "draft" || *spring.StartsAt != "2026-03-01T09:00:00Z" || *spring.EndsAt != "2026-03-31T18:00:00Z" || spring.Objective != "Sell shoes" {
		t.Errorf("got %s, want a draft with its times in UTC", r.Data)
	}
	if again := c.do("POST", "/api/v1/campaigns", body, auth, "Idempotency-Key: spring-1"); again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" || !strings.Contains(string(again.Data), spring.ID) {
		t.Errorf("replay: got %d %s, want the same campaign replayed", again.Status, again.Raw)
	}
	for _, name := range []string{"Summer sale", "summer teaser", "Autumn"} {
		c.do("POST", "/api/v1/campaigns", map[string]string{"name": name, "status": "active"}, auth).into(t, 201, nil)
	}

	// Refusals name their fields.
	for _, tc := range []struct {
		name string
		body any
		want string
	}{
		{"time without offset", map[string]any{"name": "x", "starts_at": "2026-03-01T10:00:00"}, "invalid starts_at"},
		{"ends before it starts", map[string]any{"name": "x", "starts_at": "2026-03-02T00:00:00Z", "ends_at": "2026-03-01T00:00:00Z"}, "invalid ends_at"},
		{"several fields", map[string]any{"name": "", "status": "running", "objective": strings.Repeat("o", 2001)}, "invalid name; invalid objective; invalid status"},
		{"unknown field", map[string]any{"name": "x", "budget": 100}, "invalid budget"},
		{"wrong type", map[string]any{"name": 5}, "invalid name"},
	} {
		if r := c.do("POST", "/api/v1/campaigns", tc.body, auth); r.Status != 400 || fieldsOf(r) != tc.want {
			t.Errorf("%s: got %d %s, want 400 %s", tc.name, r.Status, r.Raw, tc.want)
		}
	}

	// List: oldest first, filters, pages.
	names := func(query string) string {
		var list []campaignView
		c.do("GET", "/api/v1/campaigns"+query, nil, auth).into(t, 200, &list)
		var out []string
		for _, x := range list {
			out = append(out, x.Name)
		}
		return strings.Join(out, ", ")
	}
	for query, want := range map[string]string{
		"":          "Spring launch, Summer sale, summer teaser, Autumn",
		"?q=SUMMER": "Summer sale, summer teaser",
		"?status=active&q=" + url.QueryEscape("sale"): "Summer sale",
		"?status=draft": "Spring launch",
	} {
		if got := names(query); got != want {
			t.Errorf("GET /campaigns%s: got %q, want %q", query, got, want)
		}
	}
	if r := c.do("GET", "/api/v1/campaigns?status=running", nil, auth); r.Status != 400 || fieldsOf(r) != "invalid status" {
		t.Errorf("bad status filter: got %d %s", r.Status, r.Raw)
	}
	var page []campaignView
	r = c.do("GET", "/api/v1/campaigns?limit=3", nil, auth)
	r.into(t, 200, &page)
	next, _ := r.Meta["next_cursor"].(string)
	if len(page) != 3 || next == "" || r.Meta["has_more"] != true {
		t.Fatalf("first page: got %d items, meta %v; want 3 and a cursor", len(page), r.Meta)
	}
	c.do("GET", "/api/v1/campaigns?limit=3&cursor="+url.QueryEscape(next), nil, auth).into(t, 200, &page)
	if len(page) != 1 || page[0].Name != "Autumn" {
		t.Errorf("second page: got %+v, want Autumn alone", page)
	}
	if r := c.do("GET", "/api/v1/contents?cursor="+url.QueryEscape(next), nil, auth); r.Status != 400 || r.code() != "invalid_cursor" {
		t.Errorf("a campaigns cursor on contents: got %d %s, want 400 invalid_cursor", r.Status, r.Raw)
	}

	// Patch: absent unchanged, null clears.
	var got campaignView
	c.do("PATCH", "/api/v1/campaigns/"+spring.ID, map[string]any{"starts_at": nil, "objective": nil, "status": "active"}, auth).into(t, 200, &got)
	if got.StartsAt != nil || got.Objective != "" || got.Status != "active" || got.Name != "Spring launch" || got.EndsAt == nil {
		t.Errorf("got %+v, want starts_at and objective cleared, status changed, the rest kept", got)
	}
	if r := c.do("PATCH", "/api/v1/campaigns/"+spring.ID, map[string]any{"ends_at": "2026-04-01T10:00"}, auth); r.Status != 400 || fieldsOf(r) != "invalid ends_at" {
		t.Errorf("patch with an offset-less time: got %d %s", r.Status, r.Raw)
	}

	// Another organization's id is 404, as a missing one is.
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		var body any
		if m == "PATCH" {
			body = map[string]string{"name": "theirs"}
		}
		if r := c.do(m, "/api/v1/campaigns/"+spring.ID, body, other); r.Status != 404 || r.code() != "not_found" {
			t.Errorf("%s another organization's campaign: got %d %s, want 404", m, r.Status, r.Raw)
		}
	}
	if r := c.do("GET", "/api/v1/campaigns/not-a-uuid", nil, auth); r.Status != 400 || fieldsOf(r) != "invalid id" {
		t.Errorf("malformed id: got %d %s, want 400 on id", r.Status, r.Raw)
	}

	// Delete: gone from reads, its contents keep their campaign_id, no
	// content can join it.
	var content contentView
	c.do("POST", "/api/v1/contents", map[string]string{"title": "In spring", "campaign_id": spring.ID}, auth).into(t, 201, &content)
	c.do("DELETE", "/api/v1/campaigns/"+spring.ID, nil, auth).into(t, 200, nil)
	if r := c.do("GET", "/api/v1/campaigns/"+spring.ID, nil, auth); r.Status != 404 {
		t.Errorf("read a deleted campaign: got %d, want 404", r.Status)
	}
	if r := c.do("DELETE", "/api/v1/campaigns/"+spring.ID, nil, auth); r.Status != 404 {
		t.Errorf("delete twice: got %d, want 404", r.Status)
	}
	if names("") != "Summer sale, summer teaser, Autumn" {
		t.Errorf("got %q listed after the delete", names(""))
	}
	c.do("GET", "/api/v1/contents/"+content.ID, nil, auth).into(t, 200, &content)
	if content.CampaignID == nil || *content.CampaignID != spring.ID {
		t.Errorf("got campaign_id %v on the content, want the deleted campaign's id kept", content.CampaignID)
	}
	if r := c.do("POST", "/api/v1/contents", map[string]string{"title": "late", "campaign_id": spring.ID}, auth); r.Status != 400 || fieldsOf(r) != "invalid campaign_id" {
		t.Errorf("attach to a deleted campaign: got %d %s, want 400 on campaign_id", r.Status, r.Raw)
	}
}

// TestContentsOverHTTP creates, lists, reads, changes and deletes
// contents through the API: shape errors at save, the dry run's
// violations per network, and the rules while a publication is pending.
func TestContentsOverHTTP(t *testing.T) {
	s := apptest.Start(t)
	c := apiClient{t: t, base: s.URL}
	owner := register(t, c, uniqueEmail(t))
	auth := bearer(owner.Tokens.AccessToken)
	otherReg := register(t, c, uniqueEmail(t))
	other := bearer(otherReg.Tokens.AccessToken)
	store := postgres.NewStore(pgtest.Pool(t))
	org := uuid.MustParse(owner.Organization.ID)

	var theirs campaignView
	c.do("POST", "/api/v1/campaigns", map[string]string{"name": "Theirs"}, other).into(t, 201, &theirs)

	video := map[string]string{"url": "https://cdn.example.com/clip.mp4", "kind": "video"}
	var clip contentView
	r := c.do("POST", "/api/v1/contents", map[string]any{
		"title": "Clip", "body": "Watch this", "hashtags": []string{"spring"}, "media": []any{video},
		"overrides": map[string]any{"tiktok": map[string]any{"privacy_level": "SELF_ONLY", "disable_duet": true}},
	}, auth, "Idempotency-Key: clip-1")
	r.into(t, 201, &clip)
	if clip.Status != "draft" || clip.CampaignID != nil || len(clip.Media) != 1 || clip.Overrides["tiktok"] == nil {
		t.Errorf("got %s, want a draft with its media and TikTok override", r.Data)
	}
	var draft contentView
	c.do("POST", "/api/v1/contents", map[string]any{"title": ""}, auth).into(t, 201, &draft)
	if draft.Hashtags == nil || draft.Media == nil || draft.Overrides == nil {
		t.Errorf("got %+v, want empty lists and overrides, not null", draft)
	}

	for _, tc := range []struct {
		name string
		body any
		want string
	}{
		{"long title and bad media", map[string]any{"title": strings.Repeat("t", 1001), "media": []any{map[string]string{"url": "/clip.mp4", "kind": "video"}, map[string]string{"url": "https://x.example/a", "kind": "gif"}}},
			"invalid title; invalid media[0].url; invalid media[1].kind"},
		{"another organization's campaign", map[string]any{"campaign_id": theirs.ID}, "invalid campaign_id"},
		{"campaign id not a UUID", map[string]any{"campaign_id": "spring"}, "invalid campaign_id"},
		{"unknown override field", map[string]any{"overrides": map[string]any{"tiktok": map[string]any{"privacy": "x"}}}, "invalid privacy"},
	} {
		if r := c.do("POST", "/api/v1/contents", tc.body, auth); r.Status != 400 || fieldsOf(r) != tc.want {
			t.Errorf("%s: got %d %s, want 400 %s", tc.name, r.Status, r.Raw, tc.want)
		}
	}

	// Get, and another organization's id.
	var one contentView
	c.do("GET", "/api/v1/contents/"+clip.ID, nil, auth).into(t, 200, &one)
	if one.ID != clip.ID || one.Body != "Watch this" {
		t.Errorf("got %+v, want the clip", one)
	}
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		var body any
		if m == "PATCH" {
			body = map[string]string{"title": "theirs"}
		}
		if r := c.do(m, "/api/v1/contents/"+clip.ID, body, other); r.Status != 404 || r.code() != "not_found" {
			t.Errorf("%s another organization's content: got %d %s, want 404", m, r.Status, r.Raw)
		}
	}

	// Patch: null clears, overrides per network.
	var patched contentView
	c.do("PATCH", "/api/v1/contents/"+draft.ID, map[string]any{"body": "Draft body", "hashtags": []string{"a", "b"},
		"overrides": map[string]any{"youtube": map[string]string{"title": "YT"}}}, auth).into(t, 200, &patched)
	c.do("PATCH", "/api/v1/contents/"+draft.ID, map[string]any{"hashtags": nil, "overrides": map[string]any{"instagram": map[string]string{"caption": "IG"}}}, auth).into(t, 200, &patched)
	if patched.Body != "Draft body" || len(patched.Hashtags) != 0 || patched.Overrides["youtube"] == nil || patched.Overrides["instagram"] == nil {
		t.Errorf("got %+v, want the body kept, hashtags cleared, both overrides", patched)
	}

	// The dry run: violations per network and field, for networks, for
	// accounts with their options, or for every network.
	tiktok := domain.SocialAccount{ID: uuid.Must(uuid.NewV7()), Provider: domain.ProviderTikTok, ExternalID: "tt-" + uuid.NewString(),
		Username: "creator", Status: domain.AccountConnected, CreatedAt: time.Now().UTC()}
	youtube := domain.SocialAccount{ID: uuid.Must(uuid.NewV7()), Provider: domain.ProviderYouTube, ExternalID: "yt-" + uuid.NewString(),
		Username: "channel", Status: domain.AccountConnected, CreatedAt: time.Now().UTC()}
	for _, a := range []domain.SocialAccount{tiktok, youtube} {
		if err := store.Org(org).CreateSocialAccount(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Org(org).SavePostingOptions(context.Background(), tiktok.ID, domain.PostingOptions{PrivacyLevelOptions: []string{"MUTUAL_FOLLOW_FRIENDS"}}); err != nil {
		t.Fatal(err)
	}
	type verdict struct {
		Valid      bool `json:"valid"`
		Violations []struct {
			Network, Field, Code, Message string
		} `json:"violations"`
	}
	validate := func(body any) (verdict, string) {
		var v verdict
		c.do("POST", "/api/v1/contents/validate", body, auth).into(t, 200, &v)
		var out []string
		for _, x := range v.Violations {
			if x.Code != "invalid" || x.Message == "" {
				t.Errorf("got violation %+v, want code invalid and a message", x)
			}
			out = append(out, x.Network+":"+x.Field)
		}
		return v, strings.Join(out, " ")
	}
	if v, got := validate(map[string]any{"content_id": clip.ID, "networks": []string{"youtube"}}); !v.Valid || got != "" {
		t.Errorf("the clip for YouTube: got valid %v with %q, want valid", v.Valid, got)
	}
	if v, got := validate(map[string]any{"content_id": clip.ID, "social_account_ids": []string{tiktok.ID.String()}}); v.Valid || got != "tiktok:overrides.tiktok.privacy_level" {
		t.Errorf("the clip for a creator without SELF_ONLY: got valid %v with %q, want the privacy level named", v.Valid, got)
	}
	v, got := validate(map[string]any{"content": map[string]any{"body": "no media"}})
	if v.Valid || !strings.Contains(got, "instagram:media") || !strings.Contains(got, "tiktok:media") || !strings.Contains(got, "youtube:title") {
		t.Errorf("an empty content for every network: got %q, want media and title named per network", got)
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		want   string
	}{
		{"another organization's account", map[string]any{"content_id": clip.ID, "social_account_ids": []string{youtube.ID.String(), mxCreateAccountIn(t, otherReg.Organization.ID)}}, 404, "not_found social_account_ids[1]"},
		{"an unknown network", map[string]any{"content_id": clip.ID, "networks": []string{"vine"}}, 400, "invalid networks[0]"},
		{"another organization's content", map[string]any{"content_id": theirs.ID}, 404, "not_found content_id"},
		{"nothing to validate", map[string]any{"networks": []string{"youtube"}}, 400, "invalid content"},
	} {
		if r := c.do("POST", "/api/v1/contents/validate", tc.body, auth); r.Status != tc.status || fieldsOf(r) != tc.want {
			t.Errorf("validate, %s: got %d %s, want %d %s", tc.name, r.Status, r.Raw, tc.status, tc.want)
		}
	}

	// Scheduled: status follows, a change must stay publishable there (422
	// listing the networks' violations), and delete waits for unscheduling.
	if _, err := store.Org(org).SchedulePublications(context.Background(), domain.ScheduleInput{ContentID: uuid.MustParse(clip.ID),
		AccountIDs: []uuid.UUID{youtube.ID}, PublishAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var list []contentView
	c.do("GET", "/api/v1/contents?status=scheduled", nil, auth).into(t, 200, &list)
	if len(list) != 1 || list[0].ID != clip.ID || list[0].Status != "scheduled" {
		t.Errorf("got %+v, want the clip alone listed as scheduled", list)
	}
	r = c.do("PATCH", "/api/v1/contents/"+clip.ID, map[string]any{"title": nil, "media": nil}, auth)
	if r.Status != 422 || !strings.Contains(string(r.Raw), `"network":"youtube"`) || !strings.Contains(fieldsOf(r), "invalid title") || !strings.Contains(fieldsOf(r), "invalid media") {
		t.Errorf("unpublishable change: got %d %s, want 422 naming YouTube's title and media", r.Status, r.Raw)
	}
	c.do("GET", "/api/v1/contents/"+clip.ID, nil, auth).into(t, 200, &one)
	if one.Title != "Clip" || len(one.Media) != 1 {
		t.Errorf("got %+v, want the refused change not saved", one)
	}
	c.do("PATCH", "/api/v1/contents/"+clip.ID, map[string]any{"body": "Watch this now"}, auth).into(t, 200, &one)
	if r := c.do("DELETE", "/api/v1/contents/"+clip.ID, nil, auth); r.Status != 409 || r.code() != "conflict" || !strings.Contains(string(r.Raw), "unschedule the content first") {
		t.Errorf("delete while scheduled: got %d %s, want 409 asking to unschedule first", r.Status, r.Raw)
	}
	if _, err := store.Org(org).UnschedulePublications(context.Background(), uuid.MustParse(clip.ID)); err != nil {
		t.Fatal(err)
	}
	c.do("DELETE", "/api/v1/contents/"+clip.ID, nil, auth).into(t, 200, nil)
	if r := c.do("GET", "/api/v1/contents/"+clip.ID, nil, auth); r.Status != 404 {
		t.Errorf("read after delete: got %d, want 404", r.Status)
	}
	c.do("GET", "/api/v1/contents", nil, auth).into(t, 200, &list)
	if len(list) != 1 || list[0].ID != draft.ID {
		t.Errorf("got %+v, want only the draft left", list)
	}
}
