package publisher_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/publisher"
	"github.com/socialmediamanager/smm/providers/simulator"
)

// TestLostAnswerThenReconcile drops the answer of the call that creates
// the post: Publish reports an unknown outcome, the post is at the
// provider, and Reconcile finds it (and only it).
func TestLostAnswerThenReconcile(t *testing.T) {
	e := newEnv(t)
	ig := e.connect(domain.ProviderInstagram, "ig_lost")
	tt := e.connect(domain.ProviderTikTok, "tt_lost")
	yt := e.connect(domain.ProviderYouTube, "yt_lost")
	// YouTube's client resumes an upload whose last answer was lost; one
	// that waits a minute before resuming leaves the outcome unknown when
	// the caller's deadline comes first.
	slowResume := e.publisher(func(c *publisher.Config) { c.YouTube = e.youtubeClient(time.Minute) })

	tests := []struct {
		name     string
		acc      account
		post     domain.Post
		pub      *publisher.Publisher
		deadline time.Duration
		// other is a post of the same type saying something else, which
		// Reconcile must not take for this one ("": none to try).
		other domain.Post
	}{
		{name: "instagram feed", acc: ig,
			post:  domain.Post{Caption: "Lost feed post #a", Media: []domain.MediaRef{e.image("lost.jpg")}},
			other: domain.Post{Caption: "Another feed post", Media: []domain.MediaRef{e.image("lost.jpg")}}},
		{name: "instagram reel", acc: ig,
			post:  domain.Post{Caption: "Lost reel", InstagramType: domain.InstagramReels, Media: []domain.MediaRef{e.video("lost.mp4")}},
			other: domain.Post{Caption: "Lost feed post #a", InstagramType: domain.InstagramReels, Media: []domain.MediaRef{e.video("lost.mp4")}}},
		{name: "instagram carousel", acc: ig,
			post:  domain.Post{Caption: "Lost carousel", Media: []domain.MediaRef{e.image("l1.jpg"), e.image("l2.jpg")}},
			other: domain.Post{Caption: "Lost carousel, no", Media: []domain.MediaRef{e.image("l1.jpg"), e.image("l2.jpg")}}},
		{name: "instagram story", acc: ig,
			post: domain.Post{Caption: "ignored", InstagramType: domain.InstagramStory, Media: []domain.MediaRef{e.image("ls.jpg")}},
			// A feed post with the story's (empty) caption is not the
			// story.
			other: domain.Post{Caption: "", InstagramType: domain.InstagramFeed, Media: []domain.MediaRef{e.image("ls.jpg")}}},
		{name: "tiktok video", acc: tt,
			post:  domain.Post{Caption: "Lost video #fyp", Media: []domain.MediaRef{e.video("lost.mp4")}},
			other: domain.Post{Caption: "Lost video #fyp2", Media: []domain.MediaRef{e.video("lost.mp4")}}},
		{name: "tiktok photos", acc: tt,
			post:  domain.Post{Caption: "Lost photos\n\n#trip", Media: []domain.MediaRef{e.image("p1.jpg"), e.image("p2.jpg")}},
			other: domain.Post{Caption: "Lost photos two", Media: []domain.MediaRef{e.image("p1.jpg")}}},
		{name: "youtube upload", acc: yt, pub: slowResume, deadline: 2 * time.Second,
			post: domain.Post{Title: "Lost upload", Caption: "Its description", Privacy: "public",
				Media: []domain.MediaRef{e.video("lost.mp4?bytes=300000")}},
			other: domain.Post{Title: "Lost upload", Caption: "Another description", Privacy: "public",
				Media: []domain.MediaRef{e.video("lost.mp4")}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pub := tc.pub
			if pub == nil {
				pub = e.pub
			}
			p := tc.acc.provider
			req := e.request(tc.acc, tc.post)
			start := time.Now()
			before := len(e.published(p))

			e.sim.SetFaults(string(p), simulator.FaultRequest{Faults: simulator.Faults{LoseResponses: 1}})
			ctx := t.Context()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}
			res, err := pub.Publish(ctx, req)
			wantProviderError(t, err, providers.Retryable, string(p), true)
			if res.ExternalID != "" {
				t.Errorf("got ExternalID %q with the error, want none", res.ExternalID)
			}
			list := e.published(p)
			if len(list) != before+1 {
				t.Fatalf("got %d publications, want %d: the post went out", len(list), before+1)
			}
			wantID := recordedID(list[len(list)-1])

			got, found, err := e.pub.Reconcile(t.Context(), req, start, nil)
			if err != nil || !found {
				t.Fatalf("got found=%v, %v; want the post found", found, err)
			}
			// Instagram's permalinks hold a shortcode, the others the id.
			if got.ExternalID != wantID || got.ExternalURL == "" || p != domain.ProviderInstagram && !strings.Contains(got.ExternalURL, wantID) {
				t.Errorf("got %q at %q, want %q with its URL", got.ExternalID, got.ExternalURL, wantID)
			}
			if got.PublishedAt.Before(start.Add(-publisher.ClockSkew)) || got.PublishedAt.After(time.Now().Add(time.Minute)) {
				t.Errorf("got PublishedAt %v, want about %v", got.PublishedAt, start)
			}

			if _, found, err := e.pub.Reconcile(t.Context(), e.request(tc.acc, tc.other), start, nil); err != nil || found {
				t.Errorf("another post: got found=%v, %v; want not found", found, err)
			}
			if _, found, err := e.pub.Reconcile(t.Context(), req, start, []string{wantID}); err != nil || found {
				t.Errorf("excluded: got found=%v, %v; want not found", found, err)
			}
			if _, found, err := e.pub.Reconcile(t.Context(), req, time.Now().Add(time.Hour), nil); err != nil || found {
				t.Errorf("since later: got found=%v, %v; want not found", found, err)
			}
			// The clock skew is allowed for: a since up to a minute after
			// the post still finds it.
			if got, found, err := e.pub.Reconcile(t.Context(), req, time.Now().Add(time.Minute), nil); err != nil || !found || got.ExternalID != wantID {
				t.Errorf("within the skew: got %q found=%v, %v; want %q", got.ExternalID, found, err, wantID)
			}
		})
	}
}

// TestYouTubeResumesLostAnswer checks the upload whose completing answer
// was lost is resumed by the client: Publish succeeds with the video the
// simulator recorded, published once.
func TestYouTubeResumesLostAnswer(t *testing.T) {
	e := newEnv(t)
	yt := e.connect(domain.ProviderYouTube, "yt_resume")
	e.sim.SetFaults(simulator.YouTube, simulator.FaultRequest{Faults: simulator.Faults{LoseResponses: 1}})
	res, err := e.pub.Publish(t.Context(), e.request(yt, domain.Post{Title: "Resumed", Caption: "d", Privacy: "private",
		Media: []domain.MediaRef{e.video("r.mp4?bytes=700000")}}))
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	list := e.published(domain.ProviderYouTube)
	if len(list) != 1 || res.ExternalID != list[0].ID {
		t.Fatalf("got %q and %d publications, want the one recorded", res.ExternalID, len(list))
	}
	if f := e.sim.State().Faults[simulator.YouTube]; f.LoseResponses != 0 {
		t.Errorf("got %d answers still to lose, want the fault used", f.LoseResponses)
	}
}

// TestReconcileNothingPublished checks a post that never went out is not
// found, with no error, on every network, and that older posts with the
// same text are not taken for it.
func TestReconcileNothingPublished(t *testing.T) {
	e := newEnv(t)
	posts := map[domain.Provider]domain.Post{
		domain.ProviderInstagram: {Caption: "Same text", Media: []domain.MediaRef{e.image("s.jpg")}},
		domain.ProviderTikTok:    {Caption: "Same text", Media: []domain.MediaRef{e.video("s.mp4")}},
		domain.ProviderYouTube:   {Title: "Same text", Caption: "Same text", Privacy: "public", Media: []domain.MediaRef{e.video("s.mp4")}},
	}
	for _, p := range []domain.Provider{domain.ProviderInstagram, domain.ProviderTikTok, domain.ProviderYouTube} {
		t.Run(string(p), func(t *testing.T) {
			acc := e.connect(p, "never_"+string(p))
			req := e.request(acc, posts[p])
			if _, found, err := e.pub.Reconcile(t.Context(), req, time.Now(), nil); err != nil || found {
				t.Fatalf("empty account: got found=%v, %v; want not found", found, err)
			}
			first, err := e.pub.Publish(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			// A later attempt of a post saying the same: the earlier post
			// is before its since.
			if _, found, err := e.pub.Reconcile(t.Context(), req, time.Now().Add(publisher.ClockSkew+time.Minute), nil); err != nil || found {
				t.Errorf("earlier post: got found=%v, %v; want not found", found, err)
			}
			got, found, err := e.pub.Reconcile(t.Context(), req, time.Now().Add(-time.Minute), nil)
			if err != nil || !found || got.ExternalID != first.ExternalID || got.ExternalURL != first.ExternalURL {
				t.Errorf("got %+v found=%v, %v; want %+v", got, found, err, first)
			}
		})
	}
}

// TestReconcileErrors checks a failing provider's error keeps its class.
func TestReconcileErrors(t *testing.T) {
	e := newEnv(t)
	for _, p := range []domain.Provider{domain.ProviderInstagram, domain.ProviderTikTok, domain.ProviderYouTube} {
		t.Run(string(p), func(t *testing.T) {
			acc := e.connect(p, "rec_err_"+string(p))
			e.sim.SetFaults(string(p), simulator.FaultRequest{Faults: simulator.Faults{RateLimited: 1}})
			_, found, err := e.pub.Reconcile(t.Context(), e.request(acc, domain.Post{Title: "t", Caption: "c",
				Media: []domain.MediaRef{e.video("v.mp4")}}), time.Now(), nil)
			if found {
				t.Errorf("got found, want not")
			}
			wantProviderError(t, err, providers.RateLimited, string(p), false)
			if errors.Is(err, domain.ErrOutcomeUnknown) {
				t.Errorf("got an unknown outcome from a read, want not")
			}
		})
	}
}

// TestProviderVerdicts checks a post the provider itself failed (a
// container in ERROR, a TikTok post FAILED) is no unknown outcome: its
// class comes from the provider's reason.
func TestProviderVerdicts(t *testing.T) {
	e := newEnv(t)
	ig := e.connect(domain.ProviderInstagram, "ig_verdicts")
	tt := e.connect(domain.ProviderTikTok, "tt_verdicts")
	tests := []struct {
		name  string
		req   domain.PublishRequest
		class providers.Class
		code  string
	}{
		{"instagram unsupported video", e.request(ig, domain.Post{Caption: "x", Media: []domain.MediaRef{e.video("v.mp4?sim_error=2207026")}}),
			providers.Permanent, "2207026"},
		{"instagram download timed out", e.request(ig, domain.Post{Caption: "x", Media: []domain.MediaRef{e.image("a.jpg?sim_error=2207003")}}),
			providers.Retryable, "2207003"},
		{"tiktok bad format", e.request(tt, domain.Post{Caption: "x", Media: []domain.MediaRef{e.video("v.mp4?sim_fail=file_format_check_failed")}}),
			providers.Permanent, "file_format_check_failed"},
		{"tiktok pull failed", e.request(tt, domain.Post{Caption: "x", Media: []domain.MediaRef{e.image("a.jpg?sim_fail=photo_pull_failed")}}),
			providers.Retryable, "photo_pull_failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.pub.Publish(t.Context(), tc.req)
			pe := wantProviderError(t, err, tc.class, string(tc.req.Provider), false)
			if pe.Code != tc.code && pe.Subcode != tc.code {
				t.Errorf("got code %q/%q, want %q", pe.Code, pe.Subcode, tc.code)
			}
		})
	}
}

// TestTikTokStillProcessing checks a TikTok post still processing when
// the wait ends is an unknown outcome (it may yet go out), which
// Reconcile finds once TikTok lists it.
func TestTikTokStillProcessing(t *testing.T) {
	clock := &testClock{now: time.Now()}
	e := newEnv(t, simulator.Config{TikTokPostsPerDay: 100, ProcessingDelay: time.Hour, Now: clock.Now})
	tt := e.connect(domain.ProviderTikTok, "tt_slow")
	pub := e.publisher(func(c *publisher.Config) { c.TikTok = e.tiktokClient(100 * time.Millisecond) })
	req := e.request(tt, domain.Post{Caption: "Slow to process", Media: []domain.MediaRef{e.video("slow.mp4")}})
	start := clock.Now()

	_, err := pub.Publish(t.Context(), req)
	wantProviderError(t, err, providers.Retryable, "tiktok", true)
	if _, found, err := pub.Reconcile(t.Context(), req, start, nil); err != nil || found {
		t.Fatalf("while processing: got found=%v, %v; want not found", found, err)
	}
	clock.advance(time.Hour)
	got, found, err := pub.Reconcile(t.Context(), req, start, nil)
	list := e.published(domain.ProviderTikTok)
	if err != nil || !found || len(list) != 1 || got.ExternalID != recordedID(list[0]) {
		t.Fatalf("once processed: got %q found=%v, %v; want %v", got.ExternalID, found, err, list)
	}
}

// testClock is the simulator's clock, moved by a test.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
