package youtube_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/youtube"
)

// Every publishing path reaches the simulated network whole: one chunk,
// several, an exact multiple of the chunk size, each privacy, a scheduled
// publication.
func TestUpload(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("frank")
	at := e.clock.Now().Add(48 * time.Hour).Truncate(time.Second)
	for i, tc := range []struct {
		name string
		size int
		meta youtube.Metadata
	}{
		{"one chunk", 100_000, youtube.Metadata{Title: "Short one", Description: "A test", Privacy: youtube.Public}},
		{"several chunks", 1<<20 + 1, youtube.Metadata{Title: "Long one", Description: "Über ✓", Tags: []string{"a b", "c"}, CategoryID: "22", Privacy: youtube.Unlisted}},
		{"exact multiple", 512 << 10, youtube.Metadata{Title: "Even", Privacy: youtube.Private}},
		{"scheduled", 3000, youtube.Metadata{Title: "Later", Privacy: youtube.Private, PublishAt: at}},
		{"default privacy", 10, youtube.Metadata{Title: "Default"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := media(tc.size)
			uri, v, err := e.client.Upload(context.Background(), tok.AccessToken, tc.meta, bytes.NewReader(b), int64(len(b)), "video/mp4")
			if err != nil {
				t.Fatal(err)
			}
			want := tc.meta.Privacy
			if want == "" {
				want = youtube.Private
			}
			if uri == "" || v.ID == "" || v.Title != tc.meta.Title || v.Privacy != want || !v.PublishAt.Equal(tc.meta.PublishAt) {
				t.Errorf("got session %q, video %+v; want a session and the video as sent", uri, v)
			}
			pubs := e.published()
			if len(pubs) != i+1 {
				t.Fatalf("got %d publications, want %d", len(pubs), i+1)
			}
			p := pubs[i]
			if p.ID != v.ID || p.Kind != "VIDEO" || p.Caption != tc.meta.Title || p.Options["description"] != tc.meta.Description ||
				p.Options["privacy"] != want || p.Options["sha256"] != sha(b) || p.Media[0] != fmt.Sprintf("upload:%d bytes", tc.size) {
				t.Errorf("got publication %+v, want video %s titled %q, %s, sha256 %s", p, v.ID, tc.meta.Title, want, sha(b))
			}
			if !tc.meta.PublishAt.IsZero() && p.Options["publish_at"] != tc.meta.PublishAt.UTC().Format(time.RFC3339) {
				t.Errorf("got publish_at %q, want %s", p.Options["publish_at"], tc.meta.PublishAt.UTC().Format(time.RFC3339))
			}
		})
	}
	// Chunks were multiples of 256 KiB but the last.
	for _, cr := range e.rec.contentRanges() {
		var a, b, total int64
		if _, err := fmt.Sscanf(cr, "bytes %d-%d/%d", &a, &b, &total); err == nil && b+1 != total && (b-a+1)%(256<<10) != 0 {
			t.Errorf("got chunk %s, want a multiple of 256 KiB", cr)
		}
	}
}

// Metadata is checked before any call: nothing reaches the network, no
// quota is spent.
func TestUploadValidation(t *testing.T) {
	e := newEnv(t, simulator.Config{YouTubeQuota: 1})
	tok := e.connect("grace")
	ok := youtube.Metadata{Title: "Fine"}
	for _, tc := range []struct {
		name string
		edit func(*youtube.Metadata)
		code string // "" when valid
	}{
		{"valid", func(m *youtube.Metadata) {}, ""},
		{"empty title", func(m *youtube.Metadata) { m.Title = " " }, "invalidTitle"},
		{"100 characters", func(m *youtube.Metadata) { m.Title = strings.Repeat("é", 100) }, ""},
		{"101 characters", func(m *youtube.Metadata) { m.Title = strings.Repeat("a", 101) }, "invalidTitle"},
		{"< in title", func(m *youtube.Metadata) { m.Title = "a <b>" }, "invalidTitle"},
		{"5000 bytes", func(m *youtube.Metadata) { m.Description = strings.Repeat("é", 2500) }, ""},
		{"5001 bytes", func(m *youtube.Metadata) { m.Description = strings.Repeat("€", 1667) }, "invalidDescription"},
		{"> in description", func(m *youtube.Metadata) { m.Description = "1 > 0" }, "invalidDescription"},
		{"500 tag characters", func(m *youtube.Metadata) { m.Tags = []string{strings.Repeat("a", 249), strings.Repeat("b", 250)} }, ""},
		{"spaces count quotes", func(m *youtube.Metadata) {
			m.Tags = []string{strings.Repeat("a", 248), "b " + strings.Repeat("c", 248)}
		}, "invalidTags"},
		{"unknown privacy", func(m *youtube.Metadata) { m.Privacy = "friends" }, "invalidPrivacyStatus"},
		{"publishAt with public", func(m *youtube.Metadata) { m.Privacy, m.PublishAt = youtube.Public, time.Now().Add(time.Hour) }, "invalidPublishAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := ok
			tc.edit(&m)
			err := m.Validate()
			if tc.code == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			wantClass(t, "validate", err, providers.Permanent, tc.code)
			_, _, err = e.client.Upload(context.Background(), tok.AccessToken, m, bytes.NewReader([]byte{1}), 1, "video/mp4")
			wantClass(t, "upload", err, providers.Permanent, tc.code)
		})
	}
	// The one unit of quota is still there: nothing was called.
	if _, err := e.client.Profile(context.Background(), tok.AccessToken); err != nil {
		t.Errorf("got %v, want the quota unspent", err)
	}
	if n := len(e.published()); n != 0 {
		t.Errorf("got %d publications, want 0", n)
	}
	_, _, err := e.client.Upload(context.Background(), tok.AccessToken, ok, bytes.NewReader(nil), 0, "video/mp4")
	wantClass(t, "empty video", err, providers.Permanent, "mediaBodyRequired")
}

// A transfer cut midway resumes from the bytes Google holds, which are
// not where the client's chunk began.
func TestUploadResumesAfterCut(t *testing.T) {
	e := newEnv(t, simulator.Config{}, func(c *youtube.Config) { c.ChunkSize = 1 << 20 })
	tok := e.connect("heidi")
	b := media(3<<20 + 12345)
	e.sim.CutYouTubeUploads(2)
	_, v, err := e.client.Upload(context.Background(), tok.AccessToken, youtube.Metadata{Title: "Cut"}, bytes.NewReader(b), int64(len(b)), "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	pubs := e.published()
	if len(pubs) != 1 || pubs[0].ID != v.ID || pubs[0].Options["sha256"] != sha(b) {
		t.Fatalf("got %+v, want one publication of video %s with sha256 %s", pubs, v.ID, sha(b))
	}
	queries, midChunk := 0, false
	for _, cr := range e.rec.contentRanges() {
		if strings.HasPrefix(cr, "bytes */") {
			queries++
			continue
		}
		var a int64
		if _, err := fmt.Sscanf(cr, "bytes %d-", &a); err == nil && a%(1<<20) != 0 {
			midChunk = true
		}
	}
	if queries < 2 || !midChunk {
		t.Errorf("got %d status queries, a chunk resumed mid-way %t (ranges %v); want ≥2 queries and a resumption at 512 KiB",
			queries, midChunk, e.rec.contentRanges())
	}
}

// 5xx answers during the transfer are absorbed with backoff.
func TestUploadRetriesServerErrors(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("ivan")
	b := media(1 << 20)
	var once sync.Once
	e.rec.setBefore(func(r *http.Request) {
		if r.Method == http.MethodPut && strings.HasPrefix(r.Header.Get("Content-Range"), "bytes 524288-") {
			once.Do(func() {
				e.sim.SetFaults(simulator.YouTube, simulator.FaultRequest{Faults: simulator.Faults{ServerErrors: 2}})
			})
		}
	})
	_, v, err := e.client.Upload(context.Background(), tok.AccessToken, youtube.Metadata{Title: "Flaky"}, bytes.NewReader(b), int64(len(b)), "video/mp4")
	e.rec.setBefore(nil)
	if err != nil {
		t.Fatal(err)
	}
	if pubs := e.published(); len(pubs) != 1 || pubs[0].ID != v.ID || pubs[0].Options["sha256"] != sha(b) {
		t.Fatalf("got %+v, want one whole publication", pubs)
	}
	if f := e.sim.State().Faults[simulator.YouTube]; f.ServerErrors != 0 {
		t.Errorf("got %d server errors left, want all consumed", f.ServerErrors)
	}
}

// An upload that gives up leaves its session, which ResumeUpload (from
// another client, as after a restart) completes.
func TestUploadGivesUpThenResumes(t *testing.T) {
	e := newEnv(t, simulator.Config{}, func(c *youtube.Config) { c.UploadRetries = 2 })
	tok := e.connect("judy")
	b := media(2 << 20)
	e.sim.CutYouTubeUploads(100)
	uri, _, err := e.client.Upload(context.Background(), tok.AccessToken, youtube.Metadata{Title: "Stubborn"}, bytes.NewReader(b), int64(len(b)), "video/mp4")
	wantClass(t, "upload through a broken network", err, providers.Retryable, "")
	if uri == "" || len(e.published()) != 0 {
		t.Fatalf("got session %q, %d publications; want a session to resume and nothing published", uri, len(e.published()))
	}
	if strings.Contains(err.Error(), "upload_id") {
		t.Errorf("got %q, want no session URI in the error", err)
	}
	e.sim.CutYouTubeUploads(0)
	restarted := youtube.New(e.cfg)
	v, err := restarted.ResumeUpload(context.Background(), tok.AccessToken, uri, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if pubs := e.published(); len(pubs) != 1 || pubs[0].ID != v.ID || pubs[0].Options["sha256"] != sha(b) {
		t.Fatalf("got %+v, want one whole publication of %s", pubs, v.ID)
	}
	// Resuming a completed session answers the video again, uploading
	// nothing.
	again, err := restarted.ResumeUpload(context.Background(), tok.AccessToken, uri, bytes.NewReader(b), int64(len(b)))
	if err != nil || again.ID != v.ID || len(e.published()) != 1 {
		t.Errorf("resume after completion: got %+v, %v, %d publications; want video %s and still one", again, err, len(e.published()), v.ID)
	}
}

// A session stored before the transfer survives the caller's crash.
func TestStartThenResume(t *testing.T) {
	e := newEnv(t, simulator.Config{YouTubeUploadCost: 7, YouTubeQuota: 8})
	tok := e.connect("ken")
	b := media(300_000)
	uri, err := e.client.StartUpload(context.Background(), tok.AccessToken, youtube.Metadata{Title: "Stored"}, int64(len(b)), "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	v, err := youtube.New(e.cfg).ResumeUpload(context.Background(), tok.AccessToken, uri, bytes.NewReader(b), int64(len(b)))
	if err != nil || len(e.published()) != 1 || e.published()[0].ID != v.ID {
		t.Fatalf("got %+v, %v, %d publications; want the video published once", v, err, len(e.published()))
	}
	// Starting cost 7 units of 8: one list call is left, then none.
	if _, err := e.client.Profile(context.Background(), tok.AccessToken); err != nil {
		t.Errorf("got %v, want the last unit", err)
	}
	_, err = e.client.Profile(context.Background(), tok.AccessToken)
	wantClass(t, "quota spent", err, providers.QuotaExhausted, "quotaExceeded")
}

// A lost final answer is recovered from the session: the video is
// published once and the caller learns its id.
func TestUploadLostAnswer(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("leo")
	b := media(600_000)
	e.sim.SetFaults(simulator.YouTube, simulator.FaultRequest{Faults: simulator.Faults{LoseResponses: 1}})
	_, v, err := e.client.Upload(context.Background(), tok.AccessToken, youtube.Metadata{Title: "Lost"}, bytes.NewReader(b), int64(len(b)), "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	pubs := e.published()
	if len(pubs) != 1 || pubs[0].ID != v.ID {
		t.Fatalf("got %+v and video %s, want one publication of it", pubs, v.ID)
	}
	if f := e.sim.State().Faults[simulator.YouTube]; f.LoseResponses != 0 {
		t.Errorf("got %d lost answers left, want the fault consumed", f.LoseResponses)
	}
}

// An expired or unknown session is a distinct error: start over.
func TestUploadSessionExpired(t *testing.T) {
	e := newEnv(t, simulator.Config{GoogleAccessTTL: 30 * 24 * time.Hour})
	tok := e.connect("mallory")
	b := media(1000)
	uri, err := e.client.StartUpload(context.Background(), tok.AccessToken, youtube.Metadata{Title: "Old"}, int64(len(b)), "video/mp4")
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(8 * 24 * time.Hour)
	for name, u := range map[string]string{"expired": uri, "unknown": e.url + "/google/www/upload/youtube/v3/videos?uploadType=resumable&upload_id=nope"} {
		_, err = e.client.ResumeUpload(context.Background(), tok.AccessToken, u, bytes.NewReader(b), int64(len(b)))
		pe := wantClass(t, name, err, providers.Retryable, "sessionExpired")
		if !errors.Is(err, youtube.ErrUploadSessionExpired) || pe.Status != 404 {
			t.Errorf("%s: got %v (status %d), want ErrUploadSessionExpired after a 404", name, err, pe.Status)
		}
	}
}

// The channel's uploads playlist lists the latest uploads, newest first,
// across pages.
func TestRecentUploads(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("nina")
	other := e.connect("oscar")
	e.upload(other, "Not mine", 10)
	var titles []string
	for i := range 53 {
		titles = append(titles, "Video "+strconv.Itoa(i))
		e.upload(tok, titles[i], 10)
	}
	for _, tc := range []struct {
		max, want int
	}{{2, 2}, {0, 50}, {60, 53}} {
		got, err := e.client.RecentUploads(context.Background(), tok.AccessToken, tc.max)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want {
			t.Fatalf("max %d: got %d uploads, want %d", tc.max, len(got), tc.want)
		}
		for i, v := range got {
			if want := titles[len(titles)-1-i]; v.Title != want || v.VideoID == "" || v.Privacy != youtube.Public || v.PublishedAt.IsZero() {
				t.Errorf("max %d, #%d: got %+v, want %q, public, with id and date", tc.max, i, v, want)
			}
		}
	}
}
