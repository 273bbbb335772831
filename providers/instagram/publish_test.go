package instagram_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/instagram"
	"github.com/socialmediamanager/smm/providers/simulator"
)

const cdn = "https://cdn.example/media/"

// TestPublishPaths publishes each kind of post and checks what reached the
// simulated network (kind, caption, media, options) and that the media
// shows up where a reconciliation would look for it.
func TestPublishPaths(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	a := e.connect("dana")
	tok := a.token.AccessToken
	no := false
	cases := []struct {
		name        string
		publish     func() (instagram.Published, error)
		kind        string
		caption     string
		media       []string
		options     map[string]string
		story       bool
		mediaType   string
		permalinkIn string
	}{
		{
			name: "image",
			publish: func() (instagram.Published, error) {
				return e.client.PublishImage(t.Context(), tok, a.id, instagram.Image{URL: cdn + "a.jpg", Caption: "Sunset #travel",
					AltText: "A sunset", LocationID: "110", Collaborators: []string{"eve"},
					UserTags: []instagram.UserTag{{Username: "frank", X: 0.5, Y: 0.25}}})
			},
			kind: "IMAGE", caption: "Sunset #travel", media: []string{cdn + "a.jpg"},
			options: map[string]string{"alt_text": "A sunset", "location_id": "110", "collaborators": `["eve"]`,
				"user_tags": `[{"username":"frank","x":0.5,"y":0.25}]`},
			mediaType: "IMAGE", permalinkIn: "/p/",
		},
		{
			name: "reel",
			publish: func() (instagram.Published, error) {
				return e.client.PublishReel(t.Context(), tok, a.id, instagram.Reel{VideoURL: cdn + "r.mp4", Caption: "Reel time",
					CoverURL: cdn + "cover.jpg", ThumbOffset: 1500 * time.Millisecond, ShareToFeed: &no,
					UserTags: []instagram.UserTag{{Username: "gus", X: 0.3, Y: 0.3}}})
			},
			kind: "REELS", caption: "Reel time", media: []string{cdn + "r.mp4"},
			options: map[string]string{"cover_url": cdn + "cover.jpg", "thumb_offset": "1500", "share_to_feed": "false",
				"user_tags": `[{"username":"gus"}]`},
			mediaType: "VIDEO", permalinkIn: "/reel/",
		},
		{
			name: "image story",
			publish: func() (instagram.Published, error) {
				return e.client.PublishStory(t.Context(), tok, a.id, instagram.Story{ImageURL: cdn + "s.jpeg"})
			},
			kind: "STORIES", media: []string{cdn + "s.jpeg"}, options: map[string]string{}, story: true,
			mediaType: "IMAGE", permalinkIn: "/stories/",
		},
		{
			name: "video story",
			publish: func() (instagram.Published, error) {
				return e.client.PublishStory(t.Context(), tok, a.id, instagram.Story{VideoURL: cdn + "s.mp4"})
			},
			kind: "STORIES", media: []string{cdn + "s.mp4"}, options: map[string]string{}, story: true,
			mediaType: "VIDEO", permalinkIn: "/stories/",
		},
		{
			name: "carousel",
			publish: func() (instagram.Published, error) {
				return e.client.PublishCarousel(t.Context(), tok, a.id, instagram.Carousel{Caption: "Three of them", LocationID: "7",
					Items: []instagram.CarouselItem{{ImageURL: cdn + "1.jpg", AltText: "one"}, {VideoURL: cdn + "2.mp4"}, {ImageURL: cdn + "3.jpg"}}})
			},
			kind: "CAROUSEL", caption: "Three of them", media: []string{cdn + "1.jpg", cdn + "2.mp4", cdn + "3.jpg"},
			options: map[string]string{"location_id": "7"}, mediaType: "CAROUSEL_ALBUM", permalinkIn: "/p/",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.sim.Published(simulator.Instagram))
			res, err := tc.publish()
			if err != nil {
				t.Fatalf("publish: %v", err)
			}
			if res.ContainerID == "" || res.MediaID == "" {
				t.Fatalf("got %+v, want the container and media ids", res)
			}
			pubs := e.sim.Published(simulator.Instagram)
			if len(pubs) != before+1 {
				t.Fatalf("got %d publications, want %d", len(pubs), before+1)
			}
			p := pubs[len(pubs)-1]
			if p.ID != res.MediaID || p.ExternalID != a.id || p.Kind != tc.kind || p.Caption != tc.caption || !slices.Equal(p.Media, tc.media) {
				t.Errorf("got publication %+v, want media %s of %s, kind %s, caption %q, media %v", p, res.MediaID, a.id, tc.kind, tc.caption, tc.media)
			}
			for k, v := range tc.options {
				if p.Options[k] != v {
					t.Errorf("got option %s=%q, want %q", k, p.Options[k], v)
				}
			}
			if len(p.Options) != len(tc.options) {
				t.Errorf("got options %v, want exactly %v", p.Options, tc.options)
			}
			var list []instagram.Media
			if tc.story {
				list, err = e.client.RecentStories(t.Context(), tok, a.id)
			} else {
				list, err = e.client.RecentMedia(t.Context(), tok, a.id, 10)
			}
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			if len(list) == 0 || list[0].ID != res.MediaID {
				t.Fatalf("got %+v, want %s first", list, res.MediaID)
			}
			m := list[0]
			if m.Caption != tc.caption || m.MediaType != tc.mediaType || !strings.Contains(m.Permalink, tc.permalinkIn) || !m.Timestamp.Equal(e.clock.Now()) {
				t.Errorf("got %+v, want caption %q, type %s, a %s permalink, published now", m, tc.caption, tc.mediaType, tc.permalinkIn)
			}
			// The one-object read says the same.
			if one, err := e.client.Media(t.Context(), tok, res.MediaID); err != nil || one != m {
				t.Errorf("Media: got %+v (%v), want %+v", one, err, m)
			}
		})
	}
	feed, err := e.client.RecentMedia(t.Context(), tok, a.id, 2)
	if err != nil || len(feed) != 2 {
		t.Fatalf("got %d media (%v), want the 2 asked for", len(feed), err)
	}
	if feed[0].MediaType != "CAROUSEL_ALBUM" || feed[1].MediaType != "VIDEO" {
		t.Errorf("got %+v, want the carousel then the reel (newest first)", feed)
	}
	stories, err := e.client.RecentStories(t.Context(), tok, a.id)
	if err != nil || len(stories) != 2 {
		t.Errorf("got %d stories (%v), want 2; stories stay out of RecentMedia", len(stories), err)
	}
	all, _ := e.client.RecentMedia(t.Context(), tok, a.id, 100)
	if len(all) != 3 {
		t.Errorf("got %d feed media, want 3 (image, reel, carousel)", len(all))
	}
}

// TestPublishSteps drives the steps one by one, as a caller resuming after
// a crash does: a container in processing cannot be published yet
// (Retryable), a published one cannot be published again.
func TestPublishSteps(t *testing.T) {
	e := newEnv(t, simulator.Config{ProcessingDelay: 150 * time.Millisecond, Now: time.Now}, nil)
	a := e.connect("erin")
	tok, ctx := a.token.AccessToken, t.Context()
	id, err := e.client.CreateContainer(ctx, tok, a.id, instagram.Container{ImageURL: cdn + "x.jpg", Caption: "steps"})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	st, err := e.client.ContainerStatus(ctx, tok, id)
	if err != nil || st.Code != instagram.StatusInProgress {
		t.Fatalf("got status %+v (%v), want IN_PROGRESS", st, err)
	}
	_, err = e.client.PublishContainer(ctx, tok, a.id, id)
	wantErr(t, err, providers.Retryable, "9007", "2207027")

	if st, err = e.client.WaitContainer(ctx, tok, id); err != nil || st.Code != instagram.StatusFinished {
		t.Fatalf("wait: got %+v (%v), want FINISHED", st, err)
	}
	media, err := e.client.PublishContainer(ctx, tok, a.id, id)
	if err != nil || media == "" {
		t.Fatalf("publish: got %q (%v), want a media id", media, err)
	}
	if st, err = e.client.ContainerStatus(ctx, tok, id); err != nil || st.Code != instagram.StatusPublished {
		t.Errorf("got status %+v (%v), want PUBLISHED", st, err)
	}
	if st, err = e.client.WaitContainer(ctx, tok, id); err != nil || st.Code != instagram.StatusPublished {
		t.Errorf("wait on a published container: got %+v (%v), want PUBLISHED without error", st, err)
	}
	_, err = e.client.PublishContainer(ctx, tok, a.id, id)
	wantErr(t, err, providers.Permanent, "9007", "2207008")
	if n := len(e.sim.Published(simulator.Instagram)); n != 1 {
		t.Errorf("got %d publications, want 1", n)
	}
}

// TestPollTimeoutThenResume checks a container still processing at
// PollTimeout fails Retryable with its id, and that the caller resumes it
// without a second container.
func TestPollTimeoutThenResume(t *testing.T) {
	e := newEnv(t, simulator.Config{ProcessingDelay: time.Hour}, func(c *instagram.Config) {
		c.PollInterval, c.PollTimeout = 5*time.Millisecond, 40*time.Millisecond
	})
	a := e.connect("fay")
	tok, ctx := a.token.AccessToken, t.Context()
	res, err := e.client.PublishImage(ctx, tok, a.id, instagram.Image{URL: cdn + "slow.jpg", Caption: "slow"})
	wantErr(t, err, providers.Retryable, "", "")
	if res.ContainerID == "" || res.MediaID != "" {
		t.Fatalf("got %+v, want the container id and no media id", res)
	}
	e.clock.Advance(time.Hour)
	if _, err := e.client.WaitContainer(ctx, tok, res.ContainerID); err != nil {
		t.Fatalf("resume wait: %v", err)
	}
	if _, err := e.client.PublishContainer(ctx, tok, a.id, res.ContainerID); err != nil {
		t.Fatalf("resume publish: %v", err)
	}
	if pubs := e.sim.Published(simulator.Instagram); len(pubs) != 1 || pubs[0].Caption != "slow" {
		t.Errorf("got %+v, want the one post", pubs)
	}
}

// TestContainerExpires checks a container left 24 hours is EXPIRED: the
// wait and the publish both say a new container is needed.
func TestContainerExpires(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	a := e.connect("gil")
	tok, ctx := a.token.AccessToken, t.Context()
	id, err := e.client.CreateContainer(ctx, tok, a.id, instagram.Container{ImageURL: cdn + "old.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(24*time.Hour + time.Second)
	st, err := e.client.WaitContainer(ctx, tok, id)
	if st.Code != instagram.StatusExpired {
		t.Errorf("got status %+v, want EXPIRED", st)
	}
	wantErr(t, err, providers.Permanent, "EXPIRED", "2207020")
	_, err = e.client.PublishContainer(ctx, tok, a.id, id)
	wantErr(t, err, providers.Permanent, "-2", "2207020")
}

// TestPublishRefusals checks media and captions the real API refuses are
// refused with its codes, and the client's own checks.
func TestPublishRefusals(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	a := e.connect("hal")
	tok := a.token.AccessToken
	image := func(url, caption string) func() (instagram.Published, error) {
		return func() (instagram.Published, error) {
			return e.client.PublishImage(t.Context(), tok, a.id, instagram.Image{URL: url, Caption: caption})
		}
	}
	items := func(n int) []instagram.CarouselItem {
		out := make([]instagram.CarouselItem, n)
		for i := range out {
			out[i].ImageURL = cdn + "c.jpg"
		}
		return out
	}
	cases := []struct {
		name          string
		publish       func() (instagram.Published, error)
		class         providers.Class
		code, subcode string
		container     bool // a container was created before the failure
	}{
		{"PNG image", image(cdn+"a.png", ""), providers.Permanent, "36001", "2207005", false},
		{"relative URL", image("/a.jpg", ""), providers.Permanent, "9004", "2207052", false},
		{"caption over 2200 characters", image(cdn+"a.jpg", strings.Repeat("é", 2201)), providers.Permanent, "100", "2207010", false},
		{"31 hashtags", image(cdn+"a.jpg", strings.Repeat("#tag ", 31)), providers.Permanent, "100", "2207010", false},
		{"21 mentions", image(cdn+"a.jpg", strings.Repeat("@someone ", 21)), providers.Permanent, "100", "2207010", false},
		{"image over 8 MiB", image(cdn+"big.jpg?sim_error=2207004", ""), providers.Permanent, "36000", "2207004", false},
		{"download timed out", image(cdn+"far.jpg?sim_error=2207003", ""), providers.Retryable, "ERROR", "2207003", true},
		{"unsupported video", func() (instagram.Published, error) {
			return e.client.PublishReel(t.Context(), tok, a.id, instagram.Reel{VideoURL: cdn + "v.avi?sim_error=2207026"})
		}, providers.Permanent, "ERROR", "2207026", true},
		{"carousel of 1", func() (instagram.Published, error) {
			return e.client.PublishCarousel(t.Context(), tok, a.id, instagram.Carousel{Items: items(1)})
		}, providers.Permanent, "", "", false},
		{"carousel of 11", func() (instagram.Published, error) {
			return e.client.PublishCarousel(t.Context(), tok, a.id, instagram.Carousel{Items: items(11)})
		}, providers.Permanent, "", "", false},
		{"story with two media", func() (instagram.Published, error) {
			return e.client.PublishStory(t.Context(), tok, a.id, instagram.Story{ImageURL: cdn + "a.jpg", VideoURL: cdn + "a.mp4"})
		}, providers.Permanent, "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := tc.publish()
			pe := wantErr(t, err, tc.class, tc.code, tc.subcode)
			if tc.code == "" && (pe.Code != "" || pe.Status != 0) {
				t.Errorf("got %v, want a refusal before any call", err)
			}
			if (res.ContainerID != "") != tc.container || res.MediaID != "" {
				t.Errorf("got %+v, want a container id: %v, no media id", res, tc.container)
			}
		})
	}
	if pubs := e.sim.Published(simulator.Instagram); len(pubs) != 0 {
		t.Errorf("got %d publications, want none", len(pubs))
	}
}

// TestCarouselChildrenChecked checks the simulator's carousel checks
// through CreateContainer: 2–10 children, each an unused carousel item of
// the same account.
func TestCarouselChildrenChecked(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	a, b := e.connect("ida"), e.connect("jon")
	ctx := t.Context()
	item := func(acc account) string {
		id, err := e.client.CreateContainer(ctx, acc.token.AccessToken, acc.id, instagram.Container{IsCarouselItem: true, ImageURL: cdn + "i.jpg"})
		if err != nil {
			t.Fatalf("create item: %v", err)
		}
		return id
	}
	plain, err := e.client.CreateContainer(ctx, a.token.AccessToken, a.id, instagram.Container{ImageURL: cdn + "p.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	many := make([]string, 11)
	for i := range many {
		many[i] = item(a)
	}
	cases := []struct {
		name     string
		children []string
	}{
		{"one child", []string{item(a)}},
		{"eleven children", many},
		{"unknown child", []string{item(a), "17999999999999999"}},
		{"another account's child", []string{item(a), item(b)}},
		{"not a carousel item", []string{item(a), plain}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.CreateContainer(ctx, a.token.AccessToken, a.id, instagram.Container{MediaType: "CAROUSEL", Children: tc.children})
			wantErr(t, err, providers.Permanent, "100", "2207028")
		})
	}
	ok := []string{item(a), item(a)}
	if _, err := e.client.CreateContainer(ctx, a.token.AccessToken, a.id, instagram.Container{MediaType: "CAROUSEL", Children: ok}); err != nil {
		t.Fatalf("valid carousel: %v", err)
	}
	_, err = e.client.CreateContainer(ctx, a.token.AccessToken, a.id, instagram.Container{MediaType: "CAROUSEL", Children: ok})
	wantErr(t, err, providers.Permanent, "100", "2207028")
}

// TestPublishCap checks the rolling 24 h publishing cap: the quota reads
// it, a publish over it is QuotaExhausted (9/2207042), and it frees up as
// the window rolls.
func TestPublishCap(t *testing.T) {
	e := newEnv(t, simulator.Config{InstagramPublishCap: 2}, nil)
	a := e.connect("kim")
	tok, ctx := a.token.AccessToken, t.Context()
	for i := range 2 {
		if _, err := e.client.PublishImage(ctx, tok, a.id, instagram.Image{URL: cdn + "q.jpg"}); err != nil {
			t.Fatalf("publish %d: %v", i+1, err)
		}
		e.clock.Advance(time.Hour)
	}
	q, err := e.client.PublishingLimit(ctx, tok, a.id)
	if err != nil || q != (instagram.Quota{Used: 2, Total: 2, Window: 24 * time.Hour}) {
		t.Errorf("got quota %+v (%v), want 2 used of 2 per 24 h", q, err)
	}
	res, err := e.client.PublishImage(ctx, tok, a.id, instagram.Image{URL: cdn + "q.jpg"})
	wantErr(t, err, providers.QuotaExhausted, "9", "2207042")
	if res.ContainerID == "" {
		t.Errorf("got %+v, want the container id for a later publish", res)
	}
	e.clock.Advance(22*time.Hour + 30*time.Minute) // the first publish leaves the window
	if q, err := e.client.PublishingLimit(ctx, tok, a.id); err != nil || q.Used != 1 {
		t.Errorf("got quota %+v (%v), want 1 used", q, err)
	}
	if _, err := e.client.PublishContainer(ctx, tok, a.id, res.ContainerID); err != nil {
		t.Errorf("publish once the window rolled: %v", err)
	}
}

// TestLostPublishResponse checks a publish whose answer is lost: the
// client reports a Retryable failure, the post did go out, and the
// container's status and RecentMedia tell the caller so.
func TestLostPublishResponse(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	a := e.connect("lea")
	tok, ctx := a.token.AccessToken, t.Context()
	e.sim.SetFaults(simulator.Instagram, simulator.FaultRequest{Faults: simulator.Faults{LoseResponses: 1}})
	res, err := e.client.PublishImage(ctx, tok, a.id, instagram.Image{URL: cdn + "lost.jpg", Caption: "did it go?"})
	pe := wantErr(t, err, providers.Retryable, "", "")
	if pe.Status != 0 || res.ContainerID == "" || res.MediaID != "" {
		t.Fatalf("got %+v and %v, want a transport failure with the container id", res, err)
	}
	pubs := e.sim.Published(simulator.Instagram)
	if len(pubs) != 1 || pubs[0].Caption != "did it go?" {
		t.Fatalf("got %+v, want the post published", pubs)
	}
	if st, err := e.client.ContainerStatus(ctx, tok, res.ContainerID); err != nil || st.Code != instagram.StatusPublished {
		t.Errorf("got status %+v (%v), want PUBLISHED", st, err)
	}
	recent, err := e.client.RecentMedia(ctx, tok, a.id, 5)
	if err != nil || len(recent) != 1 || recent[0].ID != pubs[0].ID || recent[0].Caption != "did it go?" {
		t.Errorf("got %+v (%v), want the lost post %s", recent, err, pubs[0].ID)
	}
}
