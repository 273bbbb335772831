package publisher_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/publisher"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/tiktok"
)

// TestPublishEachKind publishes every kind of post on every network and
// checks what reached the simulated network and what Publish answered.
func TestPublishEachKind(t *testing.T) {
	e := newEnv(t)
	ig := e.connect(domain.ProviderInstagram, "ig_kinds")
	tt := e.connect(domain.ProviderTikTok, "tt_kinds")
	yt := e.connect(domain.ProviderYouTube, "yt_kinds")

	tests := []struct {
		name      string
		acc       account
		post      domain.Post
		kind      string
		caption   string // recorded caption (YouTube: the title)
		media     int
		urlPrefix string
		options   map[string]string
	}{
		{name: "instagram feed image", acc: ig, kind: "IMAGE", caption: "A feed post #sun", media: 1,
			post:      domain.Post{Caption: "A feed post #sun", InstagramType: domain.InstagramFeed, Media: []domain.MediaRef{e.image("feed.jpg")}},
			urlPrefix: "https://www.instagram.com/p/"},
		{name: "instagram feed from its media", acc: ig, kind: "IMAGE", caption: "Type from the media", media: 1,
			post:      domain.Post{Caption: "Type from the media", Media: []domain.MediaRef{{URL: e.media("alt.jpg"), Kind: domain.MediaImage, AltText: "a cat"}}},
			urlPrefix: "https://www.instagram.com/p/", options: map[string]string{"alt_text": "a cat"}},
		{name: "instagram reel", acc: ig, kind: "REELS", caption: "A reel", media: 1,
			post:      domain.Post{Caption: "A reel", InstagramType: domain.InstagramReels, Media: []domain.MediaRef{e.video("reel.mp4")}},
			urlPrefix: "https://www.instagram.com/reel/"},
		{name: "instagram reel from its media", acc: ig, kind: "REELS", caption: "Another reel", media: 1,
			post:      domain.Post{Caption: "Another reel", Media: []domain.MediaRef{e.video("reel2.mp4")}},
			urlPrefix: "https://www.instagram.com/reel/"},
		{name: "instagram story image", acc: ig, kind: "STORIES", caption: "", media: 1,
			post:      domain.Post{Caption: "stories take no caption", InstagramType: domain.InstagramStory, Media: []domain.MediaRef{e.image("story.jpg")}},
			urlPrefix: "https://www.instagram.com/stories/ig_kinds/"},
		{name: "instagram story video", acc: ig, kind: "STORIES", caption: "", media: 1,
			post:      domain.Post{InstagramType: domain.InstagramStory, Media: []domain.MediaRef{e.video("story.mp4")}},
			urlPrefix: "https://www.instagram.com/stories/ig_kinds/"},
		{name: "instagram carousel", acc: ig, kind: "CAROUSEL", caption: "Three in one", media: 3,
			post: domain.Post{Caption: "Three in one", InstagramType: domain.InstagramCarousel,
				Media: []domain.MediaRef{e.image("c1.jpg"), e.video("c2.mp4"), e.image("c3.jpg")}},
			urlPrefix: "https://www.instagram.com/p/"},
		{name: "instagram carousel from its media", acc: ig, kind: "CAROUSEL", caption: "Two", media: 2,
			post:      domain.Post{Caption: "Two", Media: []domain.MediaRef{e.image("d1.jpg"), e.image("d2.jpg")}},
			urlPrefix: "https://www.instagram.com/p/"},
		{name: "tiktok video", acc: tt, kind: "VIDEO", caption: "Dance #fyp", media: 1,
			post:      domain.Post{Caption: "Dance #fyp", Media: []domain.MediaRef{e.video("dance.mp4")}, DisableStitch: true},
			urlPrefix: "https://www.tiktok.com/@tt_kinds/video/",
			options:   map[string]string{"privacy_level": tiktok.PublicToEveryone, "source": "PULL_FROM_URL", "disable_stitch": "true"}},
		{name: "tiktok photos", acc: tt, kind: "PHOTO", caption: "Holiday album\n\n#travel #sea", media: 2,
			post:      domain.Post{Caption: "Holiday album\n\n#travel #sea", Media: []domain.MediaRef{e.image("p1.jpg"), e.image("p2.jpg")}, DisableComment: true},
			urlPrefix: "https://www.tiktok.com/@tt_kinds/video/",
			options:   map[string]string{"privacy_level": tiktok.PublicToEveryone, "title": "Holiday album", "post_mode": "DIRECT_POST", "disable_comment": "true"}},
		{name: "youtube video", acc: yt, kind: "VIDEO", caption: "My first upload", media: 1,
			post: domain.Post{Title: "My first upload", Caption: "What it is about\n\n#vlog", Tags: []string{"vlog", "first"},
				Privacy: "unlisted", Media: []domain.MediaRef{e.video("upload.mp4?bytes=600000")}},
			urlPrefix: "https://www.youtube.com/watch?v=",
			options: map[string]string{"description": "What it is about\n\n#vlog", "privacy": "unlisted", "tags": "vlog,first",
				"content_type": "video/mp4", "sha256": sha256Of(t, e.media("upload.mp4?bytes=600000"))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.published(tc.acc.provider))
			start := time.Now()
			res, err := e.pub.Publish(t.Context(), e.request(tc.acc, tc.post))
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			list := e.published(tc.acc.provider)
			if len(list) != before+1 {
				t.Fatalf("got %d publications, want %d", len(list), before+1)
			}
			got := list[len(list)-1]
			if got.Kind != tc.kind || got.Caption != tc.caption || len(got.Media) != tc.media || got.ExternalID != tc.acc.externalID {
				t.Errorf("got %s %q with %d media for %s, want %s %q with %d media for %s",
					got.Kind, got.Caption, len(got.Media), got.ExternalID, tc.kind, tc.caption, tc.media, tc.acc.externalID)
			}
			for k, want := range tc.options {
				if got.Options[k] != want {
					t.Errorf("got option %s=%q, want %q", k, got.Options[k], want)
				}
			}
			if res.ExternalID == "" || res.ExternalID != recordedID(got) {
				t.Errorf("got ExternalID %q, want %q", res.ExternalID, recordedID(got))
			}
			// Instagram's permalinks hold a shortcode, the others the id.
			idInURL := tc.acc.provider == domain.ProviderInstagram || strings.HasSuffix(res.ExternalURL, res.ExternalID)
			if !strings.HasPrefix(res.ExternalURL, tc.urlPrefix) || !idInURL {
				t.Errorf("got ExternalURL %q, want %s…%s", res.ExternalURL, tc.urlPrefix, res.ExternalID)
			}
			if res.PublishedAt.Before(start.Add(-time.Second)) || res.PublishedAt.After(time.Now().Add(time.Second)) {
				t.Errorf("got PublishedAt %v, want about %v", res.PublishedAt, start)
			}
			if wantOpts := tc.acc.provider == domain.ProviderTikTok; (res.Options != nil) != wantOpts {
				t.Errorf("got Options %+v, want them only for TikTok", res.Options)
			}
		})
	}
}

// sha256Of downloads url and returns its SHA-256, as the simulator records
// an upload's.
func sha256Of(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, resp.Body); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestTikTokCreatorOptions checks the privacy level picked and the
// creator's disabled switches kept disabled.
func TestTikTokCreatorOptions(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name    string
		creator simulator.TikTokCreator
		privacy string
		want    map[string]string // recorded options ("": absent)
		wantErr string            // error code, when refused
	}{
		{name: "public when offered", want: map[string]string{"privacy_level": tiktok.PublicToEveryone,
			"disable_comment": "", "disable_duet": "", "disable_stitch": ""}},
		{name: "first option otherwise",
			creator: simulator.TikTokCreator{PrivacyLevelOptions: []string{tiktok.FollowerOfCreator, tiktok.SelfOnly}},
			want:    map[string]string{"privacy_level": tiktok.FollowerOfCreator}},
		{name: "the post's own level", privacy: tiktok.SelfOnly,
			creator: simulator.TikTokCreator{PrivacyLevelOptions: []string{tiktok.FollowerOfCreator, tiktok.SelfOnly}},
			want:    map[string]string{"privacy_level": tiktok.SelfOnly}},
		{name: "creator-disabled switches are sent disabled",
			creator: simulator.TikTokCreator{CommentDisabled: true, DuetDisabled: true, StitchDisabled: true},
			want:    map[string]string{"disable_comment": "true", "disable_duet": "true", "disable_stitch": "true"}},
		{name: "a level the creator does not offer", privacy: tiktok.PublicToEveryone,
			creator: simulator.TikTokCreator{PrivacyLevelOptions: []string{tiktok.SelfOnly}},
			wantErr: "privacy_level_option_mismatch"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acc := e.connect(domain.ProviderTikTok, "creator_"+string(rune('a'+i)))
			e.sim.SetTikTokCreator(acc.externalID, tc.creator)
			before := len(e.published(domain.ProviderTikTok))
			res, err := e.pub.Publish(t.Context(), e.request(acc, domain.Post{Caption: "options " + tc.name,
				Privacy: tc.privacy, Media: []domain.MediaRef{e.video("v.mp4")}}))
			if tc.wantErr != "" {
				pe := wantProviderError(t, err, providers.Permanent, "tiktok", false)
				if pe.Code != tc.wantErr {
					t.Errorf("got code %q, want %q", pe.Code, tc.wantErr)
				}
				if n := len(e.published(domain.ProviderTikTok)); n != before {
					t.Errorf("got %d publications, want %d: nothing sent", n, before)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			list := e.published(domain.ProviderTikTok)
			got := list[len(list)-1].Options
			for k, want := range tc.want {
				if got[k] != want {
					t.Errorf("got option %s=%q, want %q", k, got[k], want)
				}
			}
			wantLevels := tc.creator.PrivacyLevelOptions
			if len(wantLevels) == 0 {
				wantLevels = []string{"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"}
			}
			if res.Options == nil || strings.Join(res.Options.PrivacyLevelOptions, ",") != strings.Join(wantLevels, ",") ||
				res.Options.CommentDisabled != tc.creator.CommentDisabled || res.Options.DuetDisabled != tc.creator.DuetDisabled ||
				res.Options.StitchDisabled != tc.creator.StitchDisabled || res.Options.MaxVideoPostDurationSec != 600 {
				t.Errorf("got Options %+v, want the creator's %+v", res.Options, tc.creator)
			}
		})
	}
}

func TestPostingOptions(t *testing.T) {
	e := newEnv(t)
	tt := e.connect(domain.ProviderTikTok, "tt_opts")
	e.sim.SetTikTokCreator(tt.externalID, simulator.TikTokCreator{PrivacyLevelOptions: []string{tiktok.SelfOnly},
		DuetDisabled: true, MaxVideoPostDurationSec: 180})
	got, err := e.pub.PostingOptions(t.Context(), e.org, tt.id)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	want := domain.PostingOptions{PrivacyLevelOptions: []string{tiktok.SelfOnly}, DuetDisabled: true, MaxVideoPostDurationSec: 180}
	if got == nil || strings.Join(got.PrivacyLevelOptions, ",") != tiktok.SelfOnly || got.DuetDisabled != want.DuetDisabled ||
		got.CommentDisabled || got.StitchDisabled || got.MaxVideoPostDurationSec != want.MaxVideoPostDurationSec {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, p := range []domain.Provider{domain.ProviderInstagram, domain.ProviderYouTube} {
		acc := e.connect(p, "opts_"+string(p))
		got, err := e.pub.PostingOptions(t.Context(), e.org, acc.id)
		if got != nil || err != nil {
			t.Errorf("%s: got %+v, %v; want nil, nil", p, got, err)
		}
	}
	e.sim.SetFaults(simulator.TikTok, simulator.FaultRequest{ExpireTokens: true})
	_, err = e.pub.PostingOptions(t.Context(), e.org, tt.id)
	wantProviderError(t, err, providers.AuthExpired, "tiktok", false)
}

// TestErrorClasses injects the providers' failures and checks each keeps
// its class, with nothing published and no unknown outcome.
func TestErrorClasses(t *testing.T) {
	e := newEnv(t)
	accounts := map[domain.Provider]account{
		domain.ProviderInstagram: e.connect(domain.ProviderInstagram, "ig_faults"),
		domain.ProviderTikTok:    e.connect(domain.ProviderTikTok, "tt_faults"),
		domain.ProviderYouTube:   e.connect(domain.ProviderYouTube, "yt_faults"),
	}
	posts := map[domain.Provider]domain.Post{
		domain.ProviderInstagram: {Caption: "faults", Media: []domain.MediaRef{e.image("f.jpg")}},
		domain.ProviderTikTok:    {Caption: "faults", Media: []domain.MediaRef{e.video("f.mp4")}},
		domain.ProviderYouTube:   {Title: "faults", Caption: "faults", Privacy: "public", Media: []domain.MediaRef{e.video("f.mp4")}},
	}
	faults := []struct {
		name  string
		req   simulator.FaultRequest
		class providers.Class
	}{
		{"rate limited", simulator.FaultRequest{Faults: simulator.Faults{RateLimited: 1, RetryAfterSeconds: 30}}, providers.RateLimited},
		{"server error", simulator.FaultRequest{Faults: simulator.Faults{ServerErrors: 1}}, providers.Retryable},
		{"outage", simulator.FaultRequest{Faults: simulator.Faults{Outage: true}}, providers.Retryable},
		{"expired token", simulator.FaultRequest{ExpireTokens: true}, providers.AuthExpired},
	}
	// The expired token comes last: it expires every token of the
	// provider.
	for _, p := range []domain.Provider{domain.ProviderInstagram, domain.ProviderTikTok, domain.ProviderYouTube} {
		for _, f := range faults {
			t.Run(string(p)+" "+f.name, func(t *testing.T) {
				acc := accounts[p]
				e.sim.SetFaults(string(p), f.req)
				defer e.sim.SetFaults(string(p), simulator.FaultRequest{})
				before := len(e.published(p))
				_, err := e.pub.Publish(t.Context(), e.request(acc, posts[p]))
				pe := wantProviderError(t, err, f.class, string(p), false)
				if f.class == providers.RateLimited && pe.RetryAfter <= 0 && p != domain.ProviderInstagram {
					t.Errorf("got no RetryAfter, want the provider's")
				}
				if n := len(e.published(p)); n != before {
					t.Errorf("got %d publications, want %d", n, before)
				}
			})
		}
	}
}

// TestRefusedBeforeSending checks posts that cannot go out are refused as
// Permanent before anything is created.
func TestRefusedBeforeSending(t *testing.T) {
	e := newEnv(t)
	ig := e.connect(domain.ProviderInstagram, "ig_refused")
	tt := e.connect(domain.ProviderTikTok, "tt_refused")
	yt := e.connect(domain.ProviderYouTube, "yt_refused")
	noID := ig
	noID.externalID = ""
	small := e.publisher(func(c *publisher.Config) { c.MaxMediaBytes = 1000 })

	tests := []struct {
		name  string
		pub   *publisher.Publisher
		req   domain.PublishRequest
		class providers.Class
		code  string
		op    string
	}{
		{name: "instagram feed of a video",
			req:   e.request(ig, domain.Post{Caption: "x", InstagramType: domain.InstagramFeed, Media: []domain.MediaRef{e.video("v.mp4")}}),
			class: providers.Permanent, code: "invalid_post"},
		{name: "instagram unknown type",
			req:   e.request(ig, domain.Post{Caption: "x", InstagramType: "igtv", Media: []domain.MediaRef{e.video("v.mp4")}}),
			class: providers.Permanent, code: "invalid_post"},
		{name: "instagram png refused by Instagram",
			req:   e.request(ig, domain.Post{Caption: "x", Media: []domain.MediaRef{{URL: e.media("x.png"), Kind: domain.MediaImage}}}),
			class: providers.Permanent},
		{name: "instagram without the user id",
			req:   e.request(noID, domain.Post{Caption: "x", Media: []domain.MediaRef{e.image("a.jpg")}}),
			class: providers.Permanent, code: "invalid_post"},
		{name: "tiktok mixed media",
			req:   e.request(tt, domain.Post{Caption: "x", Media: []domain.MediaRef{e.video("v.mp4"), e.image("a.jpg")}}),
			class: providers.Permanent, code: "invalid_post"},
		{name: "tiktok no media",
			req:   e.request(tt, domain.Post{Caption: "x"}),
			class: providers.Permanent, code: "invalid_post"},
		{name: "youtube image",
			req:   e.request(yt, domain.Post{Title: "x", Media: []domain.MediaRef{e.image("a.jpg")}}),
			class: providers.Permanent, code: "invalid_post"},
		{name: "youtube bad title",
			req:   e.request(yt, domain.Post{Title: "a <b>", Media: []domain.MediaRef{e.video("v.mp4")}}),
			class: providers.Permanent, code: "invalidTitle"},
		{name: "youtube media gone (404)",
			req:   e.request(yt, domain.Post{Title: "x", Media: []domain.MediaRef{e.video("v.mp4?sim_status=404")}}),
			class: providers.Permanent, op: "download media"},
		{name: "youtube media server failing (503)",
			req:   e.request(yt, domain.Post{Title: "x", Media: []domain.MediaRef{e.video("v.mp4?sim_status=503")}}),
			class: providers.Retryable, op: "download media"},
		{name: "youtube media host throttling (429)",
			req:   e.request(yt, domain.Post{Title: "x", Media: []domain.MediaRef{e.video("v.mp4?sim_status=429")}}),
			class: providers.RateLimited, op: "download media"},
		{name: "youtube media host unreachable",
			req:   e.request(yt, domain.Post{Title: "x", Media: []domain.MediaRef{{URL: closedURL(t) + "/v.mp4?sig=secret", Kind: domain.MediaVideo}}}),
			class: providers.Retryable, op: "download media"},
		{name: "youtube media not a URL",
			req:   e.request(yt, domain.Post{Title: "x", Media: []domain.MediaRef{{URL: "ftp://example.com/v.mp4", Kind: domain.MediaVideo}}}),
			class: providers.Permanent, op: "download media"},
		{name: "youtube media over the cap", pub: small,
			req:   e.request(yt, domain.Post{Title: "x", Media: []domain.MediaRef{e.video("v.mp4?bytes=4096")}}),
			class: providers.Permanent, code: "media_too_large", op: "download media"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pub := tc.pub
			if pub == nil {
				pub = e.pub
			}
			before := len(e.published(""))
			_, err := pub.Publish(t.Context(), tc.req)
			pe := wantProviderError(t, err, tc.class, string(tc.req.Provider), false)
			if tc.code != "" && pe.Code != tc.code {
				t.Errorf("got code %q (%v), want %q", pe.Code, err, tc.code)
			}
			if tc.op != "" && pe.Op != tc.op {
				t.Errorf("got op %q, want %q", pe.Op, tc.op)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("got error %q, want no URL query in it", err)
			}
			if n := len(e.published("")); n != before {
				t.Errorf("got %d publications, want %d", n, before)
			}
		})
	}
}

// closedURL is the base URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	srv, err := simulator.Listen(simulator.New(simulator.Config{}), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := srv.URL
	_ = srv.Close()
	return u
}

// TestTokenProblems checks a token store failure and an account of another
// network stop the publish before any call.
func TestTokenProblems(t *testing.T) {
	e := newEnv(t)
	ig := e.connect(domain.ProviderInstagram, "ig_tokens")
	post := domain.Post{Caption: "x", Media: []domain.MediaRef{e.image("a.jpg")}}

	req := e.request(ig, post)
	req.Provider = domain.ProviderTikTok
	_, err := e.pub.Publish(t.Context(), req)
	wantProviderError(t, err, providers.Permanent, "tiktok", false)

	storeDown := errors.New("token store unavailable")
	e.tokens.mu.Lock()
	e.tokens.err = storeDown
	e.tokens.mu.Unlock()
	_, err = e.pub.Publish(t.Context(), e.request(ig, post))
	if !errors.Is(err, storeDown) || errors.Is(err, domain.ErrOutcomeUnknown) {
		t.Errorf("got %v, want the store's error and no unknown outcome", err)
	}
	_, _, err = e.pub.Reconcile(t.Context(), e.request(ig, post), time.Now(), nil)
	if !errors.Is(err, storeDown) {
		t.Errorf("got %v, want the store's error", err)
	}
	if n := len(e.published("")); n != 0 {
		t.Errorf("got %d publications, want none", n)
	}
}
