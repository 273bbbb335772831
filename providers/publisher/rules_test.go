package publisher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/tiktok"
)

func TestLostAnswer(t *testing.T) {
	const op = "publish container"
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"transport failure of the creating call", &providers.Error{Op: op, Class: providers.Retryable, Err: errors.New("EOF")}, true},
		{"wrapped", fmt.Errorf("ctx: %w", &providers.Error{Op: op, Class: providers.Retryable}), true},
		{"deadline after sending", &providers.Error{Op: op, Class: providers.Retryable, Err: context.DeadlineExceeded}, true},
		{"2xx without a readable body", &providers.Error{Op: op, Class: providers.Retryable, Status: 200}, true},
		{"refused before sending", &providers.Error{Op: op, Class: providers.Permanent, Code: "invalid_params"}, false},
		{"a 5xx answer", &providers.Error{Op: op, Class: providers.Retryable, Status: 500}, false},
		{"a 4xx answer", &providers.Error{Op: op, Class: providers.Permanent, Status: 400}, false},
		{"another call", &providers.Error{Op: "create container", Class: providers.Retryable}, false},
		{"not a provider error", context.DeadlineExceeded, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lostAnswer(tc.err, op); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			err := outcome(tc.err, op)
			if got := errors.Is(err, domain.ErrOutcomeUnknown); got != tc.want {
				t.Errorf("got unknown %v, want %v", got, tc.want)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("got %v, want it to wrap %v", err, tc.err)
			}
			if providers.ClassOf(err) != providers.ClassOf(tc.err) {
				t.Errorf("got class %s, want %s", providers.ClassOf(err), providers.ClassOf(tc.err))
			}
		})
	}
}

func TestTikTokPhotoTitle(t *testing.T) {
	long := strings.Repeat("a", 89)
	tests := []struct{ caption, want string }{
		{"Holiday", "Holiday"},
		{"Holiday album\n\n#travel #sea", "Holiday album"},
		{"  spaced  \nrest", "spaced"},
		{long + "bc", long + "b"},
		{long + "😀", long}, // the emoji takes 2 units: over 90
		{strings.Repeat("é", 95), strings.Repeat("é", 90)},
		{"", ""},
	}
	for _, tc := range tests {
		if got := tiktokPhotoTitle(tc.caption); got != tc.want {
			t.Errorf("tiktokPhotoTitle(%q): got %q, want %q", tc.caption, got, tc.want)
		}
	}
}

func TestTikTokPrivacy(t *testing.T) {
	all := []string{tiktok.PublicToEveryone, tiktok.MutualFollowFriends, tiktok.FollowerOfCreator, tiktok.SelfOnly}
	tests := []struct {
		name, own string
		options   []string
		want      string
	}{
		{"the post's own", tiktok.SelfOnly, all, tiktok.SelfOnly},
		{"public when offered", "", []string{tiktok.SelfOnly, tiktok.PublicToEveryone}, tiktok.PublicToEveryone},
		{"first option otherwise", "", []string{tiktok.FollowerOfCreator, tiktok.SelfOnly}, tiktok.FollowerOfCreator},
		{"none offered", "", nil, ""},
	}
	for _, tc := range tests {
		got := tiktokPrivacy(domain.Post{Privacy: tc.own}, tiktok.CreatorInfo{PrivacyLevelOptions: tc.options})
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestInstagramType(t *testing.T) {
	img := domain.MediaRef{URL: "https://x/a.jpg", Kind: domain.MediaImage}
	vid := domain.MediaRef{URL: "https://x/a.mp4", Kind: domain.MediaVideo}
	tests := []struct {
		name      string
		post      domain.Post
		typ, kind string
	}{
		{"one image", domain.Post{Media: []domain.MediaRef{img}}, domain.InstagramFeed, "IMAGE"},
		{"one video", domain.Post{Media: []domain.MediaRef{vid}}, domain.InstagramReels, "VIDEO"},
		{"several", domain.Post{Media: []domain.MediaRef{img, vid}}, domain.InstagramCarousel, "CAROUSEL_ALBUM"},
		{"image story", domain.Post{InstagramType: domain.InstagramStory, Media: []domain.MediaRef{img}}, domain.InstagramStory, "IMAGE"},
		{"video story", domain.Post{InstagramType: domain.InstagramStory, Media: []domain.MediaRef{vid}}, domain.InstagramStory, "VIDEO"},
		{"rendered type wins", domain.Post{InstagramType: domain.InstagramReels, Media: []domain.MediaRef{img}}, domain.InstagramReels, "VIDEO"},
	}
	for _, tc := range tests {
		typ := instagramType(tc.post)
		if kind := instagramMediaType(typ, tc.post); typ != tc.typ || kind != tc.kind {
			t.Errorf("%s: got %s/%s, want %s/%s", tc.name, typ, kind, tc.typ, tc.kind)
		}
	}
	if got := instagramCaption(domain.Post{Caption: "c", InstagramType: domain.InstagramStory}); got != "" {
		t.Errorf("story caption: got %q, want none", got)
	}
}

func TestVideoType(t *testing.T) {
	tests := []struct {
		name, header string
		head         []byte
		want         string
	}{
		{"header names a video", "video/webm; codecs=vp9", nil, "video/webm"},
		{"mp4 by its ftyp box", "application/octet-stream", []byte("\x00\x00\x00\x18ftypisom"), "video/mp4"},
		{"quicktime by its brand", "", []byte("\x00\x00\x00\x14ftypqt  "), "video/quicktime"},
		{"webm by its EBML header", "text/plain", []byte{0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0}, "video/webm"},
		{"unknown", "", []byte("hello world!"), "application/octet-stream"},
		{"short", "", []byte("ab"), "application/octet-stream"},
	}
	for _, tc := range tests {
		if got := videoType(tc.header, bytes.NewReader(tc.head)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestMatcherPick(t *testing.T) {
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	want := domain.MarkerOf("", "ours")
	other := domain.MarkerOf("", "theirs")
	list := []candidate{ // newest first, as providers list
		{id: "d", at: base.Add(3 * time.Minute), marker: want},
		{id: "c", at: base.Add(2 * time.Minute), marker: other},
		{id: "b", at: base.Add(time.Minute), marker: want},
		{id: "z", marker: want}, // no time known
		{id: "a", at: base.Add(-time.Minute), marker: want},
	}
	tests := []struct {
		name    string
		since   time.Time
		exclude []string
		want    string // "" when none
	}{
		{"earliest match at or after since", base, nil, "b"},
		{"at since exactly", base.Add(time.Minute), nil, "b"},
		{"excluded skipped", base, []string{"b"}, "d"},
		{"older ones ignored", base.Add(4 * time.Minute), nil, ""},
		{"all excluded", base, []string{"b", "d"}, ""},
		{"earlier since", base.Add(-time.Hour), nil, "a"},
	}
	for _, tc := range tests {
		got, ok := matcher{since: tc.since, exclude: tc.exclude}.pick(want, list)
		if got.id != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: got %q (%v), want %q", tc.name, got.id, ok, tc.want)
		}
	}
}
