package app_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/cmd/app/apptest"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/providers/simulator"
)

// publication is the API's view of a publication.
type publication struct {
	ID              string  `json:"id"`
	ContentID       string  `json:"content_id"`
	SocialAccountID string  `json:"social_account_id"`
	Provider        string  `json:"provider"`
	Status          string  `json:"status"`
	PublishAt       string  `json:"publish_at"`
	NextAttemptAt   *string `json:"next_attempt_at"`
	RetriesUsed     int     `json:"retries_used"`
	ExternalID      string  `json:"external_id"`
	FailureReason   string  `json:"failure_reason"`
	LastError       *struct {
		Class, Code string
	} `json:"last_error"`
	Timeline []struct {
		From, To, Reason string
	} `json:"timeline"`
	Attempts []struct {
		Number    int
		StartedAt time.Time `json:"started_at"`
		Outcome   string
	} `json:"attempts"`
}

// publishingFixture is an organization with an account on each network.
type publishingFixture struct {
	s        *apptest.Server
	c        apiClient
	auth     string
	accounts map[string]string
	media    string
}

func newPublishingFixture(t *testing.T, mutate ...func(*config.Config)) publishingFixture {
	t.Helper()
	s := apptest.Start(t, mutate...)
	f := publishingFixture{s: s, c: apiClient{t: t, base: s.URL}, accounts: map[string]string{}}
	owner := register(t, f.c, uniqueEmail(t))
	f.auth = bearer(owner.Tokens.AccessToken)
	for _, provider := range []string{"instagram", "tiktok", "youtube"} {
		var start struct {
			AuthorizeURL string `json:"authorize_url"`
		}
		f.c.do("POST", "/api/v1/social-accounts/"+provider+"/connect", nil, f.auth).into(t, 200, &start)
		callback := browse(t, s, start.AuthorizeURL, url.Values{"sim_user": {"pub-" + provider + "-" + owner.User.ID[:8]}})
		if resp, page := getPage(t, callback, true); resp.StatusCode != 200 {
			t.Fatalf("%s callback: got %d %q", provider, resp.StatusCode, page)
		}
	}
	var list []socialAccount
	f.c.do("GET", "/api/v1/social-accounts", nil, f.auth).into(t, 200, &list)
	for _, a := range list {
		f.accounts[a.Provider] = a.ID
	}
	f.media = s.App.Simulator().URL + "/_sim/media/clip.mp4?bytes=4096"
	return f
}

// content creates a video content with caption body.
func (f publishingFixture) content(t *testing.T, body string) string {
	t.Helper()
	var c struct{ ID string }
	f.c.do("POST", "/api/v1/contents", map[string]any{
		"title": "Launch video", "body": body,
		"media": []map[string]string{{"url": f.media, "kind": "video"}},
	}, f.auth).into(t, 201, &c)
	return c.ID
}

func (f publishingFixture) schedule(t *testing.T, content string, at time.Time, providers ...string) []publication {
	t.Helper()
	ids := []string{}
	for _, p := range providers {
		ids = append(ids, f.accounts[p])
	}
	var out []publication
	f.c.do("POST", "/api/v1/contents/"+content+"/schedule", map[string]any{
		"publish_at": at.Format(time.RFC3339Nano), "social_account_ids": ids,
	}, f.auth).into(t, 201, &out)
	return out
}

// await polls a publication until it reaches one of states.
func (f publishingFixture) await(t *testing.T, id string, within time.Duration, states ...string) publication {
	t.Helper()
	deadline := time.Now().Add(within)
	var p publication
	for {
		f.c.do("GET", "/api/v1/publications/"+id, nil, f.auth).into(t, 200, &p)
		for _, s := range states {
			if p.Status == s {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("publication %s: got %s (%+v), want one of %v within %s", id, p.Status, p, states, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func publishedWith(sim *simulator.Server, provider, caption string) int {
	n := 0
	for _, p := range sim.Published(provider) {
		if strings.Contains(p.Caption, caption) {
			n++
		}
	}
	return n
}

// TestScheduledPublishingOverHTTP schedules one content to an account of
// each network two seconds ahead and follows it to published: on time, once
// at each provider, with its timeline, attempts and outbox events.
func TestScheduledPublishingOverHTTP(t *testing.T) {
	f := newPublishingFixture(t)
	caption := "Hello from the scheduler " + fmt.Sprint(time.Now().UnixNano())
	content := f.content(t, caption)
	at := time.Now().Add(2 * time.Second).Truncate(time.Millisecond)
	pubs := f.schedule(t, content, at, "instagram", "tiktok", "youtube")
	if len(pubs) != 3 {
		t.Fatalf("got %d publications, want 3", len(pubs))
	}
	external := map[string]string{}
	for _, p := range pubs {
		if p.Status != "scheduled" {
			t.Errorf("got %s, want scheduled", p.Status)
		}
		got := f.await(t, p.ID, 20*time.Second, "published", "failed")
		if got.Status != "published" || got.ExternalID == "" {
			t.Fatalf("%s: got %s %q (%+v), want published with an external id", p.Provider, got.Status, got.FailureReason, got.LastError)
		}
		external[p.Provider] = got.ExternalID
		if len(got.Attempts) != 1 || got.Attempts[0].Outcome != "published" {
			t.Errorf("%s: got attempts %+v, want one published", p.Provider, got.Attempts)
		}
		if late := got.Attempts[0].StartedAt.Sub(at); late < -50*time.Millisecond || late > time.Second {
			t.Errorf("%s: the attempt started %s after publish_at, want within a second", p.Provider, late)
		}
		var path []string
		for _, tr := range got.Timeline {
			path = append(path, tr.To)
		}
		if want := "scheduled publishing published"; strings.Join(path, " ") != want {
			t.Errorf("%s: got timeline %v, want %s", p.Provider, path, want)
		}
	}
	sim := f.s.App.Simulator()
	for _, p := range []string{"instagram", "tiktok", "youtube"} {
		n := 0
		for _, post := range sim.Published(p) {
			if post.ID == external[p] || strings.Contains(post.Caption, caption) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: got %d posts, want exactly 1", p, n)
		}
	}
	var c struct{ Status string }
	f.c.do("GET", "/api/v1/contents/"+content, nil, f.auth).into(t, 200, &c)
	if c.Status != "published" {
		t.Errorf("content: got %s, want published", c.Status)
	}
	var list []publication
	f.c.do("GET", "/api/v1/publications?status=published&content_id="+content, nil, f.auth).into(t, 200, &list)
	if len(list) != 3 {
		t.Errorf("filtered list: got %d, want 3", len(list))
	}
}

// TestPublishingRefusals covers bad input: every violation named, other
// organizations' ids answered 404.
func TestPublishingRefusals(t *testing.T) {
	f := newPublishingFixture(t)
	content := f.content(t, "refusals")
	path := "/api/v1/contents/" + content + "/schedule"
	future := time.Now().Add(time.Hour).Format(time.RFC3339)
	tests := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{"offset-less time", map[string]any{"publish_at": "2030-01-01T10:00:00", "social_account_ids": []string{f.accounts["youtube"]}}, 400, "invalid", "publish_at"},
		{"past time", map[string]any{"publish_at": "2020-01-01T10:00:00Z", "social_account_ids": []string{f.accounts["youtube"]}}, 400, "invalid", "publish_at"},
		{"over a year ahead", map[string]any{"publish_at": time.Now().AddDate(1, 1, 0).Format(time.RFC3339), "social_account_ids": []string{f.accounts["youtube"]}}, 400, "invalid", "publish_at"},
		{"unknown zone", map[string]any{"publish_at": "2030-01-01T10:00:00", "timezone": "Mars/Olympus", "social_account_ids": []string{f.accounts["youtube"]}}, 400, "invalid", "timezone"},
		{"no accounts", map[string]any{"publish_at": future}, 400, "invalid", "social_account_ids"},
		{"unknown account", map[string]any{"publish_at": future, "social_account_ids": []string{"0190a0a0-0000-7000-8000-000000000000"}}, 404, "not_found", "social_account_ids[0]"},
		{"bad account id", map[string]any{"publish_at": future, "social_account_ids": []string{"nope"}}, 400, "invalid", "social_account_ids[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.c.do("POST", path, tt.body, f.auth)
			if r.Status != tt.status || r.code() != tt.code || len(r.Errors) == 0 || r.Errors[0].Field != tt.field {
				t.Errorf("got %d %s %+v, want %d %s on %s", r.Status, r.code(), r.Errors, tt.status, tt.code, tt.field)
			}
		})
	}
	// A local time with an IANA zone is accepted.
	var ok []publication
	f.c.do("POST", path, map[string]any{"publish_at": time.Now().In(time.UTC).Add(2 * time.Hour).Format("2006-01-02T15:04:05"),
		"timezone": "UTC", "social_account_ids": []string{f.accounts["youtube"]}}, f.auth).into(t, 201, &ok)
	if len(ok) != 1 {
		t.Fatalf("got %d publications, want 1", len(ok))
	}
	// Twice to the same account: conflict.
	if r := f.c.do("POST", path, map[string]any{"publish_at": future, "social_account_ids": []string{f.accounts["youtube"]}}, f.auth); r.Status != 409 {
		t.Errorf("scheduled twice: got %d %s, want 409", r.Status, r.code())
	}
	// Another organization's account and content: 404.
	other := newPublishingFixture(t)
	if r := f.c.do("POST", path, map[string]any{"publish_at": future, "social_account_ids": []string{other.accounts["tiktok"]}}, f.auth); r.Status != 404 {
		t.Errorf("another organization's account: got %d, want 404", r.Status)
	}
	if r := other.c.do("GET", "/api/v1/publications/"+ok[0].ID, nil, other.auth); r.Status != 404 {
		t.Errorf("another organization's publication: got %d, want 404", r.Status)
	}
	// An over-long TikTok caption: every violation named with its network.
	long := f.content(t, strings.Repeat("😀", 1101))
	r := f.c.do("POST", "/api/v1/contents/"+long+"/schedule", map[string]any{"publish_at": future,
		"social_account_ids": []string{f.accounts["tiktok"], f.accounts["instagram"]}}, f.auth)
	if r.Status != 400 || !strings.Contains(string(r.Raw), `"network":"tiktok"`) || !strings.Contains(string(r.Raw), "overrides.tiktok.caption") && !strings.Contains(string(r.Raw), `"field":"body"`) {
		t.Errorf("over-long TikTok caption: got %d %s, want 400 naming the TikTok caption", r.Status, r.Raw)
	}
	// Reschedule and unschedule.
	var moved publication
	f.c.do("PATCH", "/api/v1/publications/"+ok[0].ID, map[string]any{"publish_at": time.Now().Add(3 * time.Hour).Format(time.RFC3339)}, f.auth).into(t, 200, &moved)
	if moved.Status != "scheduled" {
		t.Errorf("rescheduled: got %s, want scheduled", moved.Status)
	}
	var cancelled []publication
	f.c.do("POST", "/api/v1/contents/"+content+"/unschedule", nil, f.auth).into(t, 200, &cancelled)
	if len(cancelled) != 1 || cancelled[0].Status != "cancelled" {
		t.Errorf("unscheduled: got %+v, want the one publication cancelled", cancelled)
	}
	if r := f.c.do("POST", "/api/v1/publications/"+ok[0].ID+"/retry", nil, f.auth); r.Status != 409 {
		t.Errorf("retry of a cancelled publication: got %d, want 409", r.Status)
	}
}

// TestPublishingFailurePaths drives each error class through the grain:
// a lost answer is reconciled (published once), rate limits wait without
// spending a retry, transient errors retry then dead-letter, and a failed
// publication is re-driven through the API.
func TestPublishingFailurePaths(t *testing.T) {
	f := newPublishingFixture(t, func(c *config.Config) {
		c.Publishing.RetryDelays = []time.Duration{300 * time.Millisecond, 300 * time.Millisecond}
	})
	sim := f.s.App.Simulator()

	t.Run("lost answer reconciled", func(t *testing.T) {
		caption := "lost answer " + fmt.Sprint(time.Now().UnixNano())
		sim.SetFaults("instagram", simulator.FaultRequest{Faults: simulator.Faults{LoseResponses: 1}})
		pubs := f.schedule(t, f.content(t, caption), time.Now().Add(500*time.Millisecond), "instagram")
		got := f.await(t, pubs[0].ID, 30*time.Second, "published", "failed")
		if got.Status != "published" {
			t.Fatalf("got %s (%s), want published", got.Status, got.FailureReason)
		}
		outcomes := []string{}
		for _, a := range got.Attempts {
			outcomes = append(outcomes, a.Outcome)
		}
		if strings.Join(outcomes, " ") != "unknown reconciled" {
			t.Errorf("got attempts %v, want unknown then reconciled", outcomes)
		}
		if n := publishedWith(sim, "instagram", caption); n != 1 {
			t.Errorf("got %d posts, want exactly 1 (no duplicate after the lost answer)", n)
		}
	})

	t.Run("rate limited waits without spending a retry", func(t *testing.T) {
		sim.SetFaults("tiktok", simulator.FaultRequest{Faults: simulator.Faults{RateLimited: 1, RetryAfterSeconds: 1}})
		pubs := f.schedule(t, f.content(t, "rate limited "+fmt.Sprint(time.Now().UnixNano())), time.Now().Add(300*time.Millisecond), "tiktok")
		got := f.await(t, pubs[0].ID, 30*time.Second, "published", "failed")
		if got.Status != "published" || got.RetriesUsed != 0 {
			t.Errorf("got %s with %d retries used, want published with none spent", got.Status, got.RetriesUsed)
		}
		if len(got.Attempts) < 2 || got.Attempts[0].Outcome != "deferred" {
			t.Errorf("got attempts %+v, want a deferred one first", got.Attempts)
		}
	})

	t.Run("transient errors retry then dead-letter, then re-drive", func(t *testing.T) {
		sim.SetFaults("youtube", simulator.FaultRequest{Faults: simulator.Faults{Outage: true}})
		pubs := f.schedule(t, f.content(t, "outage "+fmt.Sprint(time.Now().UnixNano())), time.Now().Add(300*time.Millisecond), "youtube")
		got := f.await(t, pubs[0].ID, 30*time.Second, "failed", "published")
		if got.Status != "failed" || got.RetriesUsed != 2 || len(got.Attempts) != 3 || got.FailureReason == "" {
			t.Fatalf("got %s, %d retries, %d attempts, reason %q; want failed after 2 retries (3 attempts) with a reason",
				got.Status, got.RetriesUsed, len(got.Attempts), got.FailureReason)
		}
		if got.LastError == nil || got.LastError.Class != "retryable" {
			t.Errorf("got last error %+v, want class retryable", got.LastError)
		}
		sim.SetFaults("youtube", simulator.FaultRequest{})
		var redriven publication
		f.c.do("POST", "/api/v1/publications/"+got.ID+"/retry", nil, f.auth).into(t, 202, &redriven)
		if after := f.await(t, got.ID, 30*time.Second, "published", "failed"); after.Status != "published" {
			t.Errorf("re-driven: got %s, want published", after.Status)
		}
	})

	t.Run("expired token refreshed once", func(t *testing.T) {
		sim.SetFaults("tiktok", simulator.FaultRequest{ExpireTokens: true})
		pubs := f.schedule(t, f.content(t, "expired "+fmt.Sprint(time.Now().UnixNano())), time.Now().Add(300*time.Millisecond), "tiktok")
		if got := f.await(t, pubs[0].ID, 30*time.Second, "published", "failed"); got.Status != "published" {
			t.Errorf("got %s (%s), want published after one refresh", got.Status, got.FailureReason)
		}
	})

	t.Run("revoked refresh token fails and needs re-auth", func(t *testing.T) {
		sim.SetFaults("instagram", simulator.FaultRequest{ExpireTokens: true, RevokeRefresh: true})
		pubs := f.schedule(t, f.content(t, "revoked "+fmt.Sprint(time.Now().UnixNano())), time.Now().Add(300*time.Millisecond), "instagram")
		got := f.await(t, pubs[0].ID, 30*time.Second, "published", "failed")
		if got.Status != "failed" {
			t.Errorf("got %s, want failed", got.Status)
		}
		var acc socialAccount
		f.c.do("GET", "/api/v1/social-accounts/"+f.accounts["instagram"], nil, f.auth).into(t, 200, &acc)
		if acc.Status != "needs_reauth" {
			t.Errorf("account: got %s, want needs_reauth", acc.Status)
		}
	})
}

// TestSweepWakesGrains schedules beyond the grains' horizon (twice the
// sweep period): only the sweep can bring the publication into a grain's
// heap, and it must still fire on time.
func TestSweepWakesGrains(t *testing.T) {
	f := newPublishingFixture(t, func(c *config.Config) { c.Publishing.SweepEvery = 400 * time.Millisecond })
	at := time.Now().Add(3 * time.Second)
	pubs := f.schedule(t, f.content(t, "swept "+fmt.Sprint(time.Now().UnixNano())), at, "tiktok")
	got := f.await(t, pubs[0].ID, 20*time.Second, "published", "failed")
	if got.Status != "published" {
		t.Fatalf("got %s (%s), want published", got.Status, got.FailureReason)
	}
	if late := got.Attempts[0].StartedAt.Sub(at); late < -50*time.Millisecond || late > time.Second {
		t.Errorf("the swept publication started %s after publish_at, want within a second", late)
	}
}

// TestPublishingLimits covers the paths that wait or stop without a
// provider error of ours: the YouTube project quota shared across nodes, a
// permanent refusal, and the organization's breaker opening after repeated
// transient failures.
func TestPublishingLimits(t *testing.T) {
	f := newPublishingFixture(t, func(c *config.Config) {
		c.Cluster.Name = "quota-" + fmt.Sprint(time.Now().UnixNano())
		c.Publishing.YouTubeDailyQuota = 2000
		c.Publishing.YouTubeUploadCost = 1000
		c.Publishing.RetryDelays = []time.Duration{200 * time.Millisecond, 200 * time.Millisecond, 200 * time.Millisecond}
	})
	sim := f.s.App.Simulator()

	// The download refused (404) fails the upload for good: it spends the
	// first 1000 units of the quota.
	t.Run("permanent refusal fails at once", func(t *testing.T) {
		var c struct{ ID string }
		f.c.do("POST", "/api/v1/contents", map[string]any{"title": "gone", "body": "missing media",
			"media": []map[string]string{{"url": sim.URL + "/_sim/media/missing.mp4?sim_status=404", "kind": "video"}},
		}, f.auth).into(t, 201, &c)
		pubs := f.schedule(t, c.ID, time.Now().Add(300*time.Millisecond), "youtube")
		got := f.await(t, pubs[0].ID, 20*time.Second, "failed", "published")
		if got.Status != "failed" || len(got.Attempts) != 1 || got.RetriesUsed != 0 || got.LastError == nil || got.LastError.Class != "permanent" {
			t.Errorf("got %s after %d attempts, error %+v; want failed at once, permanent", got.Status, len(got.Attempts), got.LastError)
		}
	})

	t.Run("youtube project quota", func(t *testing.T) {
		first := f.schedule(t, f.content(t, "quota one"), time.Now().Add(300*time.Millisecond), "youtube")
		if got := f.await(t, first[0].ID, 20*time.Second, "published", "failed"); got.Status != "published" {
			t.Fatalf("first upload: got %s (%s), want published", got.Status, got.FailureReason)
		}
		second := f.schedule(t, f.content(t, "quota two"), time.Now().Add(300*time.Millisecond), "youtube")
		got := f.await(t, second[0].ID, 20*time.Second, "retry_scheduled", "published", "failed")
		if got.Status != "retry_scheduled" || got.RetriesUsed != 0 || got.LastError == nil || got.LastError.Class != "quota_exhausted" {
			t.Fatalf("second upload: got %s, %d retries, error %+v; want retry_scheduled for quota_exhausted without a retry spent",
				got.Status, got.RetriesUsed, got.LastError)
		}
		next, err := time.Parse(time.RFC3339Nano, *got.NextAttemptAt)
		if err != nil || time.Until(next) < time.Minute || time.Until(next) > 25*time.Hour {
			t.Errorf("next attempt at %v (%v), want the quota's reset, within a day", next, err)
		}
	})

	t.Run("breaker opens after repeated transient failures", func(t *testing.T) {
		sim.SetFaults("instagram", simulator.FaultRequest{Faults: simulator.Faults{Outage: true}})
		defer sim.SetFaults("instagram", simulator.FaultRequest{})
		var ids []string
		for i := range 3 {
			pubs := f.schedule(t, f.content(t, fmt.Sprintf("breaker %d %d", i, time.Now().UnixNano())), time.Now().Add(300*time.Millisecond), "instagram")
			ids = append(ids, pubs[0].ID)
		}
		open := false
		deadline := time.Now().Add(20 * time.Second)
		for !open && time.Now().Before(deadline) {
			for _, id := range ids {
				var p publication
				f.c.do("GET", "/api/v1/publications/"+id, nil, f.auth).into(t, 200, &p)
				if p.LastError != nil && p.LastError.Class == "circuit_open" {
					open = true
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !open {
			t.Errorf("no attempt met an open breaker after repeated outage failures")
		}
	})
}

// TestTikTokPrivacyOptions: the account's posting options are learned when
// its actor starts and refreshed at each publish; scheduling then refuses a
// privacy level the creator does not offer, naming the network and field.
func TestTikTokPrivacyOptions(t *testing.T) {
	f := newPublishingFixture(t)
	type options struct {
		PrivacyLevelOptions []string `json:"privacy_level_options"`
	}
	var acc struct {
		ExternalID     string   `json:"external_id"`
		PostingOptions *options `json:"posting_options"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.c.do("GET", "/api/v1/social-accounts/"+f.accounts["tiktok"], nil, f.auth).into(t, 200, &acc)
		if acc.PostingOptions != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if acc.PostingOptions == nil || len(acc.PostingOptions.PrivacyLevelOptions) != 4 {
		t.Fatalf("got posting options %+v, want the creator's four privacy levels learned", acc.PostingOptions)
	}
	// The creator restricts posting to themselves; a publish learns it.
	f.s.App.Simulator().SetTikTokCreator(acc.ExternalID, simulator.TikTokCreator{PrivacyLevelOptions: []string{"SELF_ONLY"}})
	first := f.schedule(t, f.content(t, "private "+fmt.Sprint(time.Now().UnixNano())), time.Now().Add(300*time.Millisecond), "tiktok")
	if got := f.await(t, first[0].ID, 20*time.Second, "published", "failed"); got.Status != "published" {
		t.Fatalf("got %s (%s), want published as SELF_ONLY", got.Status, got.FailureReason)
	}
	var c struct{ ID string }
	f.c.do("POST", "/api/v1/contents", map[string]any{"title": "public", "body": "for everyone",
		"media":     []map[string]string{{"url": f.media, "kind": "video"}},
		"overrides": map[string]any{"tiktok": map[string]string{"privacy_level": "PUBLIC_TO_EVERYONE"}},
	}, f.auth).into(t, 201, &c)
	r := f.c.do("POST", "/api/v1/contents/"+c.ID+"/schedule", map[string]any{"publish_at": time.Now().Add(time.Hour).Format(time.RFC3339),
		"social_account_ids": []string{f.accounts["tiktok"]}}, f.auth)
	if r.Status != 400 || len(r.Errors) == 0 || r.Errors[0].Field != "overrides.tiktok.privacy_level" || !strings.Contains(string(r.Raw), `"network":"tiktok"`) {
		t.Errorf("got %d %s, want 400 on overrides.tiktok.privacy_level for tiktok", r.Status, r.Raw)
	}
}
