package tiktok_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/tiktok"
)

// A post is processing until ProcessingDelay has passed; Wait polls
// through it.
func TestWaitSeesProcessing(t *testing.T) {
	clk := newClock()
	e := newEnv(t, simulator.Config{ProcessingDelay: time.Minute, Now: clk.Now})
	tok := e.connect("patient")
	post := tiktok.Post{Title: "slow", PrivacyLevel: tiktok.SelfOnly}
	pulled, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, post, "https://media.smm.test/v.mp4")
	if err != nil {
		t.Fatal(err)
	}
	const size = 2 << 20
	uploaded, err := e.c.PublishVideoFile(bg, tok.AccessToken, post, video{size, "mp42"}, size)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id, status string
	}{{pulled, tiktok.StatusProcessingDownload}, {uploaded, tiktok.StatusProcessingUpload}}
	for _, tt := range tests {
		st, err := e.c.FetchStatus(bg, tok.AccessToken, tt.id)
		if err != nil || st.Status != tt.status || len(st.PostIDs) != 0 || st.Done() {
			t.Errorf("%s: got %+v, %v; want %s without a post id", tt.id, st, err, tt.status)
		}
	}
	if st, _ := e.c.FetchStatus(bg, tok.AccessToken, uploaded); st.UploadedBytes != size {
		t.Errorf("got %d bytes uploaded, want %d", st.UploadedBytes, size)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		clk.advance(time.Minute)
	}()
	for _, tt := range tests {
		st, err := e.c.Wait(bg, tok.AccessToken, tt.id)
		if err != nil || st.Status != tiktok.StatusPublishComplete || len(st.PostIDs) != 1 {
			t.Errorf("wait %s: got %+v, %v; want PUBLISH_COMPLETE with a post id", tt.id, st, err)
		}
	}
}

// A failed post is an error of the class TikTok's fail_reason calls for,
// and never reaches the network.
func TestWaitFailures(t *testing.T) {
	tests := []struct {
		reason string
		photos bool
		class  providers.Class
	}{
		{"video_pull_failed", false, providers.Retryable},
		{"internal", false, providers.Retryable},
		{"photo_pull_failed", true, providers.Retryable},
		{"file_format_check_failed", false, providers.Permanent},
		{"duration_check_failed", false, providers.Permanent},
		{"frame_rate_check_failed", false, providers.Permanent},
		{"picture_size_check_failed", true, providers.Permanent},
		{"publish_cancelled", false, providers.Permanent},
		{"auth_removed", false, providers.Permanent},
		{"spam_risk_too_many_pending_share", false, providers.Permanent},
	}
	e := newEnv(t, simulator.Config{TikTokPostsPerDay: 100})
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			tok := e.connect("unlucky") // a token per post: 6 inits a minute each
			u := "https://media.smm.test/m?sim_fail=" + tt.reason
			var id string
			var err error
			if tt.photos {
				id, err = e.c.PublishPhotos(bg, tok.AccessToken, tiktok.Photos{PrivacyLevel: tiktok.SelfOnly, Images: []string{u}})
			} else {
				id, err = e.c.PublishVideoFromURL(bg, tok.AccessToken, tiktok.Post{PrivacyLevel: tiktok.SelfOnly}, u)
			}
			if err != nil {
				t.Fatalf("publish: %v", err)
			}
			st, err := e.c.Wait(bg, tok.AccessToken, id)
			wantClass(t, "wait", err, tt.class, tt.reason)
			if st.Status != tiktok.StatusFailed || st.FailReason != tt.reason {
				t.Errorf("got %+v, want FAILED for %s", st, tt.reason)
			}
		})
	}
	if n := len(e.sim.Published(simulator.TikTok)); n != 0 {
		t.Errorf("got %d publications, want none (every post failed)", n)
	}
}

// A post still processing at PollTimeout is a Retryable error: the
// outcome is unknown.
func TestWaitTimeout(t *testing.T) {
	e := newEnv(t, simulator.Config{ProcessingDelay: time.Hour}, func(c *tiktok.Config) { c.PollTimeout = 60 * time.Millisecond })
	tok := e.connect("stuck")
	id, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, tiktok.Post{PrivacyLevel: tiktok.SelfOnly}, "https://media.smm.test/v.mp4")
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.c.Wait(bg, tok.AccessToken, id)
	wantClass(t, "wait past the timeout", err, providers.Retryable, "")
	if !errors.Is(err, context.DeadlineExceeded) || st.Status != tiktok.StatusProcessingDownload {
		t.Errorf("got %v with status %q, want a deadline and the last status PROCESSING_DOWNLOAD", err, st.Status)
	}
	ctx, cancel := context.WithTimeout(bg, 30*time.Millisecond)
	defer cancel()
	e2 := tiktok.New(func() tiktok.Config { c := e.cfg; c.PollTimeout = time.Minute; return c }())
	_, err = e2.Wait(ctx, tok.AccessToken, id)
	wantClass(t, "wait past the context's deadline", err, providers.Retryable, "")
}

// Throttled and failing polls are polled again.
func TestWaitRidesOutTransientPolls(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("steady")
	id, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, tiktok.Post{PrivacyLevel: tiktok.SelfOnly}, "https://media.smm.test/v.mp4")
	if err != nil {
		t.Fatal(err)
	}
	e.sim.SetFaults(simulator.TikTok, simulator.FaultRequest{Faults: simulator.Faults{RateLimited: 1, ServerErrors: 1}})
	if st, err := e.c.Wait(bg, tok.AccessToken, id); err != nil || st.Status != tiktok.StatusPublishComplete {
		t.Errorf("got %+v, %v; want PUBLISH_COMPLETE after the faults", st, err)
	}
	if f := e.sim.State().Faults[simulator.TikTok]; f.RateLimited != 0 || f.ServerErrors != 0 {
		t.Errorf("got faults %+v left, want both consumed by polls", f)
	}
}

func TestFetchStatusRefusals(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	alice, bob := e.connect("alice"), e.connect("bob")
	id, err := e.c.PublishVideoFromURL(bg, alice.AccessToken, tiktok.Post{PrivacyLevel: tiktok.SelfOnly}, "https://media.smm.test/v.mp4")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.FetchStatus(bg, alice.AccessToken, "v_pub_url~v2-1.0")
	wantClass(t, "unknown publish id", err, providers.Permanent, "invalid_params")
	_, err = e.c.Wait(bg, bob.AccessToken, id)
	wantClass(t, "another user's post", err, providers.Permanent, "invalid_params")
}
