package tiktok_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/tiktok"
)

func TestPublishVideoFromURL(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("alice")
	post := tiktok.Post{Title: "Hello #tiktok 🎉", PrivacyLevel: tiktok.SelfOnly, DisableDuet: true, IsAIGC: true}
	id, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, post, "https://media.smm.test/v/1.mp4")
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if !strings.HasPrefix(id, "v_pub_url~") {
		t.Errorf("got publish id %q, want TikTok's v_pub_url~ shape", id)
	}
	st, err := e.c.Wait(bg, tok.AccessToken, id)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	if st.Status != tiktok.StatusPublishComplete || len(st.PostIDs) != 1 {
		t.Fatalf("got status %+v, want PUBLISH_COMPLETE with a post id", st)
	}
	pubs := e.sim.Published(simulator.TikTok)
	if len(pubs) != 1 {
		t.Fatalf("got %d publications, want 1", len(pubs))
	}
	p := pubs[0]
	want := map[string]string{"privacy_level": tiktok.SelfOnly, "disable_duet": "true", "is_aigc": "true",
		"source": "PULL_FROM_URL", "post_id": st.PostIDs[0]}
	for k, v := range want {
		if p.Options[k] != v {
			t.Errorf("option %s: got %q, want %q", k, p.Options[k], v)
		}
	}
	if p.ID != id || p.Kind != "VIDEO" || p.Caption != post.Title || p.ExternalID != tok.UserID ||
		!slices.Equal(p.Media, []string{"https://media.smm.test/v/1.mp4"}) {
		t.Errorf("got publication %+v, want the video of %s with its title and URL", p, tok.UserID)
	}
}

func TestPublishVideoFile(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name   string
		v      video
		ranges []string
		ctype  string
	}{
		{"under 5 MiB goes whole", video{1 * mib, "mp42"}, []string{"bytes 0-1048575/1048576"}, "video/mp4"},
		{"exactly one chunk", video{5 * mib, "mp42"}, []string{"bytes 0-5242879/5242880"}, "video/mp4"},
		{"last chunk takes the rest", video{12*mib + 3, "qt  "},
			[]string{"bytes 0-5242879/12582915", "bytes 5242880-12582914/12582915"}, "video/quicktime"},
		{"three chunks", video{17 * mib, "mp42"},
			[]string{"bytes 0-5242879/17825792", "bytes 5242880-10485759/17825792", "bytes 10485760-17825791/17825792"}, "video/mp4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			e := newEnv(t, simulator.Config{}, func(c *tiktok.Config) {
				c.ChunkSize = tiktok.MinChunkSize
				c.HTTP.Transport = rec
			})
			tok := e.connect("uploader")
			id, err := e.c.PublishVideoFile(bg, tok.AccessToken, tiktok.Post{Title: tt.name, PrivacyLevel: tiktok.PublicToEveryone}, tt.v, tt.v.size)
			if err != nil {
				t.Fatalf("publish: %v", err)
			}
			if got := rec.matching("PUT "); len(got) != len(tt.ranges) {
				t.Errorf("got uploads %v, want ranges %v", got, tt.ranges)
			} else {
				for i, r := range tt.ranges {
					if !strings.HasSuffix(got[i], r) {
						t.Errorf("chunk %d: got %q, want %q", i+1, got[i], r)
					}
				}
			}
			st, err := e.c.Wait(bg, tok.AccessToken, id)
			if err != nil || st.Status != tiktok.StatusPublishComplete || st.UploadedBytes != tt.v.size {
				t.Fatalf("wait: got %+v, %v; want PUBLISH_COMPLETE with %d bytes uploaded", st, err, tt.v.size)
			}
			pubs := e.sim.Published(simulator.TikTok)
			if len(pubs) != 1 {
				t.Fatalf("got %d publications, want 1", len(pubs))
			}
			p := pubs[0]
			if want := fmt.Sprintf("upload:%d bytes", tt.v.size); len(p.Media) != 1 || p.Media[0] != want {
				t.Errorf("got media %v, want [%s]", p.Media, want)
			}
			if p.Options["sha256"] != tt.v.sha256() || p.Options["content_type"] != tt.ctype || p.Caption != tt.name {
				t.Errorf("got options %v and caption %q, want the file's sha256, %s and the title", p.Options, p.Caption, tt.ctype)
			}
		})
	}
}

func TestPublishPhotos(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("photographer")
	images := []string{"https://media.smm.test/p/1.jpg", "https://media.smm.test/p/2.webp"}
	id, err := e.c.PublishPhotos(bg, tok.AccessToken, tiktok.Photos{Title: "Trip", Description: "Day one #travel",
		PrivacyLevel: tiktok.FollowerOfCreator, AutoAddMusic: true, Images: images, CoverIndex: 1})
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if st, err := e.c.Wait(bg, tok.AccessToken, id); err != nil || st.Status != tiktok.StatusPublishComplete {
		t.Fatalf("wait: got %+v, %v; want PUBLISH_COMPLETE", st, err)
	}
	inbox, err := e.c.PublishPhotos(bg, tok.AccessToken, tiktok.Photos{Description: "draft", Images: images[:1], Mode: tiktok.MediaUpload})
	if err != nil {
		t.Fatalf("publish to the inbox: %v", err)
	}
	if st, err := e.c.Wait(bg, tok.AccessToken, inbox); err != nil || st.Status != tiktok.StatusSendToUserInbox {
		t.Fatalf("wait: got %+v, %v; want SEND_TO_USER_INBOX", st, err)
	}
	pubs := e.sim.Published(simulator.TikTok)
	if len(pubs) != 2 {
		t.Fatalf("got %d publications, want 2", len(pubs))
	}
	p := pubs[0]
	want := map[string]string{"title": "Trip", "post_mode": tiktok.DirectPost, "photo_cover_index": "1",
		"privacy_level": tiktok.FollowerOfCreator, "auto_add_music": "true"}
	for k, v := range want {
		if p.Options[k] != v {
			t.Errorf("option %s: got %q, want %q", k, p.Options[k], v)
		}
	}
	if p.ID != id || p.Kind != "PHOTO" || p.Caption != "Day one #travel" || !slices.Equal(p.Media, images) {
		t.Errorf("got publication %+v, want the photos with their description", p)
	}
	if pubs[1].Options["post_mode"] != tiktok.MediaUpload {
		t.Errorf("got post mode %q, want %s", pubs[1].Options["post_mode"], tiktok.MediaUpload)
	}
}

// What TikTok would refuse is refused before the post is opened: nothing
// counts against the daily cap.
func TestPublishChecksBeforeCalling(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, simulator.Config{TikTokPostsPerDay: 1}, func(c *tiktok.Config) { c.HTTP.Transport = rec })
	tok := e.connect("careful")
	e.sim.SetTikTokCreator(tok.UserID, simulator.TikTokCreator{PrivacyLevelOptions: []string{tiktok.SelfOnly}})
	img := []string{"https://media.smm.test/p/1.jpg"}
	tests := []struct {
		name    string
		publish func() error
		code    string
	}{
		{"privacy level not offered", func() error {
			_, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, tiktok.Post{PrivacyLevel: tiktok.PublicToEveryone}, "https://media.smm.test/v.mp4")
			return err
		}, "privacy_level_option_mismatch"},
		{"no privacy level", func() error {
			_, err := e.c.PublishVideoFile(bg, tok.AccessToken, tiktok.Post{}, video{1 << 20, "mp42"}, 1<<20)
			return err
		}, "invalid_params"},
		{"title over 2200 UTF-16 units", func() error {
			post := tiktok.Post{Title: strings.Repeat("🎉", 1100) + "a", PrivacyLevel: tiktok.SelfOnly}
			_, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, post, "https://media.smm.test/v.mp4")
			return err
		}, "invalid_params"},
		{"empty file", func() error {
			_, err := e.c.PublishVideoFile(bg, tok.AccessToken, tiktok.Post{PrivacyLevel: tiktok.SelfOnly}, video{}, 0)
			return err
		}, "invalid_params"},
		{"photo title over 90", func() error {
			_, err := e.c.PublishPhotos(bg, tok.AccessToken, tiktok.Photos{Title: strings.Repeat("a", 91), PrivacyLevel: tiktok.SelfOnly, Images: img})
			return err
		}, "invalid_params"},
		{"photo description over 4000", func() error {
			_, err := e.c.PublishPhotos(bg, tok.AccessToken, tiktok.Photos{Description: strings.Repeat("a", 4001), PrivacyLevel: tiktok.SelfOnly, Images: img})
			return err
		}, "invalid_params"},
		{"photo privacy level not offered", func() error {
			_, err := e.c.PublishPhotos(bg, tok.AccessToken, tiktok.Photos{PrivacyLevel: tiktok.MutualFollowFriends, Images: img})
			return err
		}, "privacy_level_option_mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pe := wantClass(t, tt.name, tt.publish(), providers.Permanent, tt.code)
			if pe.Status != 0 {
				t.Errorf("got HTTP status %d, want 0 (refused before sending)", pe.Status)
			}
		})
	}
	if inits := rec.matching("POST /tiktok/open/v2/post/publish/video/init/"); len(inits) != 0 {
		t.Errorf("got %d video inits, want none", len(inits))
	}
	if inits := rec.matching("POST /tiktok/open/v2/post/publish/content/init/"); len(inits) != 0 {
		t.Errorf("got %d content inits, want none", len(inits))
	}
	title := strings.Repeat("🎉", 1100) // 2200 UTF-16 units: the limit
	if _, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, tiktok.Post{Title: title, PrivacyLevel: tiktok.SelfOnly}, "https://media.smm.test/v.mp4"); err != nil {
		t.Fatalf("a post within the limits: %v", err)
	}
	if pubs := e.sim.Published(simulator.TikTok); len(pubs) != 1 || pubs[0].Caption != title {
		t.Errorf("got %d publications, want the one within the limits", len(pubs))
	}
}

// Interactions the creator disabled stay disabled on the post.
func TestCreatorDisabledInteractions(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("quiet")
	e.sim.SetTikTokCreator(tok.UserID, simulator.TikTokCreator{CommentDisabled: true, DuetDisabled: true, StitchDisabled: true})
	ci, err := e.c.CreatorInfo(bg, tok.AccessToken)
	if err != nil {
		t.Fatalf("creator info: %v", err)
	}
	if ci.Username != "quiet" || !ci.CommentDisabled || len(ci.PrivacyLevelOptions) != 4 || ci.MaxVideoPostDurationSec == 0 {
		t.Errorf("got creator info %+v, want quiet with comments disabled and the four privacy levels", ci)
	}
	if _, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, tiktok.Post{PrivacyLevel: tiktok.SelfOnly}, "https://media.smm.test/v.mp4"); err != nil {
		t.Fatalf("publish: %v", err)
	}
	p := e.sim.Published(simulator.TikTok)[0]
	for _, k := range []string{"disable_comment", "disable_duet", "disable_stitch"} {
		if p.Options[k] != "true" {
			t.Errorf("option %s: got %q, want true", k, p.Options[k])
		}
	}
}
