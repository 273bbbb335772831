package domain

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// ptr is a pointer to s, for the overrides' optional texts.
func ptr(s string) *string { return &s }

// video and jpeg are media a test content holds.
func video(name string) MediaRef {
	return MediaRef{URL: "https://cdn.example.com/" + name + ".mp4", Kind: MediaVideo}
}

func jpeg(name string) MediaRef {
	return MediaRef{URL: "https://cdn.example.com/" + name + ".jpg", Kind: MediaImage}
}

// jpegs is n JPEG images.
func jpegs(n int) []MediaRef {
	out := make([]MediaRef, n)
	for i := range out {
		out[i] = jpeg(fmt.Sprintf("img%d", i))
	}
	return out
}

func TestRender(t *testing.T) {
	base := Content{Title: "Launch day", Body: "We launch today", Hashtags: []string{"#launch", "go"},
		Media: []MediaRef{video("clip")}}
	tests := []struct {
		name string
		c    Content
		p    Provider
		want Post
	}{
		{"instagram base", base, ProviderInstagram, Post{Provider: ProviderInstagram,
			Caption: "We launch today\n\n#launch #go", Media: base.Media, InstagramType: InstagramReels}},
		{"instagram override caption and hashtags", with(base, func(c *Content) {
			c.Overrides.Instagram = &InstagramOverride{Caption: ptr("Insta text"), Hashtags: []string{"##twice", " #spaced ", "", "#"}, MediaType: InstagramStory}
		}), ProviderInstagram, Post{Provider: ProviderInstagram,
			Caption: "Insta text\n\n##twice #spaced", Media: base.Media, InstagramType: InstagramStory}},
		{"instagram empty override hashtags removes them", with(base, func(c *Content) {
			c.Overrides.Instagram = &InstagramOverride{Hashtags: []string{}}
		}), ProviderInstagram, Post{Provider: ProviderInstagram, Caption: "We launch today", Media: base.Media, InstagramType: InstagramReels}},
		{"instagram empty override caption is kept", with(base, func(c *Content) {
			c.Overrides.Instagram = &InstagramOverride{Caption: ptr("")}
		}), ProviderInstagram, Post{Provider: ProviderInstagram, Caption: "#launch #go", Media: base.Media, InstagramType: InstagramReels}},
		{"instagram one image is feed", with(base, func(c *Content) { c.Media = jpegs(1) }), ProviderInstagram,
			Post{Provider: ProviderInstagram, Caption: "We launch today\n\n#launch #go", Media: jpegs(1), InstagramType: InstagramFeed}},
		{"instagram two items are a carousel", with(base, func(c *Content) { c.Media = []MediaRef{jpeg("a"), video("b")} }), ProviderInstagram,
			Post{Provider: ProviderInstagram, Caption: "We launch today\n\n#launch #go", Media: []MediaRef{jpeg("a"), video("b")}, InstagramType: InstagramCarousel}},
		{"instagram no media no type", with(base, func(c *Content) { c.Media = nil }), ProviderInstagram,
			Post{Provider: ProviderInstagram, Caption: "We launch today\n\n#launch #go"}},
		{"tiktok base", base, ProviderTikTok, Post{Provider: ProviderTikTok,
			Caption: "We launch today\n\n#launch #go", Media: base.Media}},
		{"tiktok override", with(base, func(c *Content) {
			c.Overrides.TikTok = &TikTokOverride{Caption: ptr("TT"), Hashtags: []string{"fyp"}, PrivacyLevel: "SELF_ONLY",
				DisableDuet: true, DisableStitch: true, DisableComment: true}
		}), ProviderTikTok, Post{Provider: ProviderTikTok, Caption: "TT\n\n#fyp", Media: base.Media, Privacy: "SELF_ONLY",
			DisableDuet: true, DisableStitch: true, DisableComment: true}},
		{"tiktok ignores other overrides", with(base, func(c *Content) {
			c.Overrides.Instagram = &InstagramOverride{Caption: ptr("IG")}
		}), ProviderTikTok, Post{Provider: ProviderTikTok, Caption: "We launch today\n\n#launch #go", Media: base.Media}},
		{"youtube base", base, ProviderYouTube, Post{Provider: ProviderYouTube, Title: "Launch day",
			Caption: "We launch today\n\n#launch #go", Media: base.Media, Privacy: "public"}},
		{"youtube description wins over caption", with(base, func(c *Content) {
			c.Overrides.YouTube = &YouTubeOverride{Title: ptr("YT title"), Description: ptr("Desc"), Caption: ptr("Cap"),
				Hashtags: []string{"#shorts"}, Tags: []string{"a tag", "b"}, Privacy: "unlisted"}
		}), ProviderYouTube, Post{Provider: ProviderYouTube, Title: "YT title", Caption: "Desc\n\n#shorts",
			Tags: []string{"a tag", "b"}, Media: base.Media, Privacy: "unlisted"}},
		{"youtube caption as description", with(base, func(c *Content) {
			c.Overrides.YouTube = &YouTubeOverride{Caption: ptr("Cap")}
		}), ProviderYouTube, Post{Provider: ProviderYouTube, Title: "Launch day", Caption: "Cap\n\n#launch #go",
			Media: base.Media, Privacy: "public"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Render(tt.p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestRenderCopiesMedia: the post the publisher changes must not change
// the content it came from.
func TestRenderCopiesMedia(t *testing.T) {
	c := Content{Media: []MediaRef{video("clip")}, Overrides: Overrides{YouTube: &YouTubeOverride{Tags: []string{"a"}}}}
	post := c.Render(ProviderYouTube)
	post.Media[0].URL = "changed"
	post.Tags[0] = "changed"
	if c.Media[0].URL == "changed" || c.Overrides.YouTube.Tags[0] == "changed" {
		t.Errorf("got the content changed through its post, want a copy")
	}
}

// TestRenderMarkerIsStable: the marker is taken from the rendered post, so
// rendering twice must give the same text.
func TestRenderMarkerIsStable(t *testing.T) {
	c := Content{Title: "T", Body: "B", Hashtags: []string{"x", "y"}}
	for _, p := range Providers {
		if a, b := c.Render(p).Marker(), c.Render(p).Marker(); a != b {
			t.Errorf("%s: got markers %s and %s, want equal", p, a, b)
		}
	}
	if ig, tt := c.Render(ProviderInstagram), c.Render(ProviderTikTok); !strings.HasSuffix(ig.Caption, "#x #y") || ig.Caption != tt.Caption {
		t.Errorf("got captions %q and %q, want the same text ending in the hashtags", ig.Caption, tt.Caption)
	}
}

// with is c changed by change, the media copied so cases do not share them.
func with(c Content, change func(*Content)) Content {
	c.Media = append([]MediaRef(nil), c.Media...)
	change(&c)
	return c
}
