package domain

import (
	"fmt"
	"strings"
	"testing"
)

// violation is what a test expects of one reported error.
type violation struct {
	network Provider
	field   string
	// in is a part of the message (the numbers and the unit).
	in string
}

var (
	instagram = []ValidationTarget{{Provider: ProviderInstagram}}
	tiktok    = []ValidationTarget{{Provider: ProviderTikTok}}
	youtube   = []ValidationTarget{{Provider: ProviderYouTube}}
	all       = []ValidationTarget{{Provider: ProviderInstagram}, {Provider: ProviderTikTok}, {Provider: ProviderYouTube}}
)

// valid is a content every network takes: one video, a title, a body.
func valid() Content {
	return Content{Title: "Launch day", Body: "We launch today, with @team", Hashtags: []string{"launch"},
		Media: []MediaRef{video("clip")}}
}

// words is n distinct words, each prefixed by prefix, joined by spaces.
func words(prefix string, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return strings.Join(w, " ")
}

// checkViolations compares got with want, in order.
func checkViolations(t *testing.T, got Errors, want []violation) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d violations (%v), want %d (%v)", len(got), got, len(want), want)
	}
	for i, w := range want {
		g := got[i]
		if g.Code != CodeInvalid || g.Network != string(w.network) || g.Field != w.field || !strings.Contains(g.Message, w.in) {
			t.Errorf("violation %d: got %s/%s/%s %q, want invalid/%s/%s containing %q",
				i, g.Code, g.Network, g.Field, g.Message, w.network, w.field, w.in)
		}
	}
}

func TestValidateContent(t *testing.T) {
	tests := []struct {
		name    string
		c       Content
		targets []ValidationTarget
		want    []violation
	}{
		// A valid content, on every network and on none.
		{"valid everywhere", valid(), all, nil},
		{"valid without targets", valid(), nil, nil},
		{"valid feed post", with(valid(), func(c *Content) { c.Media = []MediaRef{jpeg("a")} }), instagram, nil},
		{"valid uppercase jpeg with a query", with(valid(), func(c *Content) {
			c.Media = []MediaRef{{URL: "http://cdn.example.com/a.JPEG?v=2", Kind: MediaImage}}
		}), instagram, nil},
		{"valid story video", with(valid(), func(c *Content) {
			c.Overrides.Instagram = &InstagramOverride{MediaType: InstagramStory}
		}), instagram, nil},

		// Base rules.
		{"media url not absolute", with(valid(), func(c *Content) {
			c.Media = []MediaRef{{URL: "/clip.mp4", Kind: MediaVideo}}
		}), nil, []violation{{"", "media[0].url", "absolute http or https URL"}}},
		{"media url not http", with(valid(), func(c *Content) {
			c.Media = []MediaRef{{URL: "ftp://cdn.example.com/clip.mp4", Kind: MediaVideo}}
		}), nil, []violation{{"", "media[0].url", "absolute http or https URL"}}},
		{"media url missing", with(valid(), func(c *Content) { c.Media = []MediaRef{{Kind: MediaVideo}} }), nil,
			[]violation{{"", "media[0].url", "required"}}},
		{"media kind unknown", with(valid(), func(c *Content) {
			c.Media = []MediaRef{{URL: "https://cdn.example.com/a.mp3", Kind: "audio"}}
		}), nil, []violation{{"", "media[0].kind", `got "audio"`}}},
		{"35 media", with(valid(), func(c *Content) { c.Media = jpegs(35) }), nil, nil},
		{"36 media", with(valid(), func(c *Content) { c.Media = jpegs(36) }), nil, []violation{{"", "media", "at most 35 media items, got 36"}}},
		{"control character in body", with(valid(), func(c *Content) { c.Body = "a\x00b" }), nil,
			[]violation{{"", "body", "U+0000 at character 2"}}},
		{"tab, newline and carriage return allowed", with(valid(), func(c *Content) { c.Body = "a\tb\r\nc" }), all, nil},
		{"control character in an override", with(valid(), func(c *Content) {
			c.Overrides.TikTok = &TikTokOverride{Caption: ptr("bell\a")}
		}), nil, []violation{{"", "overrides.tiktok.caption", "U+0007"}}},
		{"control character in title and alt text", with(valid(), func(c *Content) {
			c.Title, c.Media[0].AltText = "\x1b[1m", "alt\x0b"
		}), nil, []violation{{"", "media[0].alt_text", "U+000B"}, {"", "title", "U+001B at character 1"}}},

		// Hashtags, any network.
		{"hashtags with and without #, in any script", with(valid(), func(c *Content) {
			c.Hashtags = []string{"#ok", "snake_case", "日本", "Zürich", "2026", "भारत"}
		}), nil, nil},
		{"bad hashtags", with(valid(), func(c *Content) {
			c.Hashtags = []string{"bad-tag", "", "#", "##double", strings.Repeat("a", 100), strings.Repeat("a", 101), "two words"}
		}), nil, []violation{
			{"", "hashtags[0]", `got '-'`},
			{"", "hashtags[1]", "1 to 100 characters after its '#', got 0"},
			{"", "hashtags[2]", "got 0"},
			{"", "hashtags[3]", `got '#'`},
			{"", "hashtags[5]", "got 101"},
			{"", "hashtags[6]", "U+0020"},
		}},
		{"bad override hashtag", with(valid(), func(c *Content) {
			c.Overrides.YouTube = &YouTubeOverride{Hashtags: []string{"ok", "no!"}}
		}), nil, []violation{{"", "overrides.youtube.hashtags[1]", `got '!'`}}},

		// Instagram.
		{"instagram caption 2200 characters", with(valid(), func(c *Content) {
			c.Body, c.Hashtags = strings.Repeat("é", 2200), nil
		}), instagram, nil},
		{"instagram caption 2201 characters", with(valid(), func(c *Content) {
			c.Body, c.Hashtags = strings.Repeat("é", 2201), nil
		}), instagram, []violation{{ProviderInstagram, "body", "2201 characters (Unicode code points), over the limit of 2200"}}},
		{"instagram hashtags push the caption over", with(valid(), func(c *Content) {
			c.Body, c.Hashtags = strings.Repeat("a", 2190), []string{"abcdefghi"} // + "\n\n#abcdefghi"
		}), instagram, []violation{{ProviderInstagram, "body", "2202 characters"}}},
		{"instagram override caption too long", with(valid(), func(c *Content) {
			// 2201 + 9 of "\n\n#launch"
			c.Overrides.Instagram = &InstagramOverride{Caption: ptr(strings.Repeat("a", 2201))}
		}), all, []violation{{ProviderInstagram, "overrides.instagram.caption", "2210 characters"}}},
		{"instagram 30 hashtags", with(valid(), func(c *Content) {
			c.Body, c.Hashtags = words("#inbody", 20), strings.Fields(words("appended", 10))
		}), instagram, nil},
		{"instagram 31 hashtags, 20 in the body and 11 appended", with(valid(), func(c *Content) {
			c.Body, c.Hashtags = words("#inbody", 20), strings.Fields(words("appended", 11))
		}), instagram, []violation{{ProviderInstagram, "hashtags", "31 hashtags"}}},
		{"instagram 31 hashtags in the body", with(valid(), func(c *Content) {
			c.Body, c.Hashtags = words("#inbody", 31), nil
		}), instagram, []violation{{ProviderInstagram, "body", "31 hashtags (in the text and appended), over the limit of 30"}}},
		{"instagram 31 override hashtags", with(valid(), func(c *Content) {
			c.Overrides.Instagram = &InstagramOverride{Hashtags: strings.Fields(words("t", 31))}
		}), all, []violation{{ProviderInstagram, "overrides.instagram.hashtags", "31 hashtags"}}},
		{"instagram 20 mentions", with(valid(), func(c *Content) { c.Body = words("@user", 20) }), instagram, nil},
		{"instagram 21 mentions", with(valid(), func(c *Content) { c.Body = words("@user", 21) }), instagram,
			[]violation{{ProviderInstagram, "body", "21 @-mentions, over the limit of 20"}}},
		{"instagram feed takes JPEG only", with(valid(), func(c *Content) {
			c.Media = []MediaRef{{URL: "https://cdn.example.com/a.png", Kind: MediaImage}}
		}), instagram, []violation{{ProviderInstagram, "media[0].url", "Instagram accepts JPEG images only"}}},
		{"instagram feed with a video", with(valid(), func(c *Content) {
			c.Overrides.Instagram = &InstagramOverride{MediaType: InstagramFeed}
		}), instagram, []violation{{ProviderInstagram, "media", "exactly 1 image, got 0 images and 1 video"}}},
		{"instagram reel with an image", with(valid(), func(c *Content) {
			c.Media = []MediaRef{jpeg("a")}
			c.Overrides.Instagram = &InstagramOverride{MediaType: InstagramReels}
		}), instagram, []violation{{ProviderInstagram, "media", "exactly 1 video, got 1 image and 0 videos"}}},
		{"instagram story with two items", with(valid(), func(c *Content) {
			c.Media = []MediaRef{jpeg("a"), video("b")}
			c.Overrides.Instagram = &InstagramOverride{MediaType: InstagramStory}
		}), instagram, []violation{{ProviderInstagram, "media", "exactly 1 image or video, got 1 image and 1 video"}}},
		{"instagram carousel of 1", with(valid(), func(c *Content) {
			c.Media = jpegs(1)
			c.Overrides.Instagram = &InstagramOverride{MediaType: InstagramCarousel}
		}), instagram, []violation{{ProviderInstagram, "media", "2 to 10 items, got 1"}}},
		{"instagram carousel of 2", with(valid(), func(c *Content) { c.Media = []MediaRef{jpeg("a"), video("b")} }), instagram, nil},
		{"instagram carousel of 10", with(valid(), func(c *Content) { c.Media = jpegs(10) }), instagram, nil},
		{"instagram carousel of 11", with(valid(), func(c *Content) { c.Media = jpegs(11) }), instagram,
			[]violation{{ProviderInstagram, "media", "2 to 10 items, got 11"}}},
		{"instagram carousel image not JPEG", with(valid(), func(c *Content) {
			c.Media = []MediaRef{jpeg("a"), {URL: "https://cdn.example.com/b.webp", Kind: MediaImage}}
		}), instagram, []violation{{ProviderInstagram, "media[1].url", "JPEG"}}},
		{"instagram unknown media type", with(valid(), func(c *Content) {
			c.Overrides.Instagram = &InstagramOverride{MediaType: "igtv"}
		}), instagram, []violation{{ProviderInstagram, "overrides.instagram.media_type", "none of feed, reels, story, carousel"}}},

		// TikTok.
		{"tiktok caption 2200 UTF-16 units with an emoji", with(valid(), func(c *Content) {
			c.Body, c.Hashtags = strings.Repeat("a", 2198)+"😀", nil
		}), tiktok, nil},
		{"tiktok caption 2201 UTF-16 units with an emoji", with(valid(), func(c *Content) {
			c.Body, c.Hashtags = strings.Repeat("a", 2199)+"😀", nil // 2200 code points: Instagram takes it
		}), all, []violation{{ProviderTikTok, "body", "2201 UTF-16 code units (an emoji counts 2), over the limit of 2200"}}},
		{"tiktok override caption too long", with(valid(), func(c *Content) {
			c.Overrides.TikTok = &TikTokOverride{Caption: ptr(strings.Repeat("😀", 1101))} // 2202 + 9
		}), tiktok, []violation{{ProviderTikTok, "overrides.tiktok.caption", "2211 UTF-16"}}},
		{"tiktok photo post of 35 images", with(valid(), func(c *Content) { c.Media = jpegs(35) }), tiktok, nil},
		{"tiktok webp photos", with(valid(), func(c *Content) {
			c.Media = []MediaRef{{URL: "https://cdn.example.com/a.webp", Kind: MediaImage}, jpeg("b")}
		}), tiktok, nil},
		{"tiktok png photo", with(valid(), func(c *Content) {
			c.Media = []MediaRef{jpeg("a"), {URL: "https://cdn.example.com/b.png", Kind: MediaImage}}
		}), tiktok, []violation{{ProviderTikTok, "media[1].url", "JPEG or WebP images only"}}},
		{"tiktok mixed media", with(valid(), func(c *Content) { c.Media = []MediaRef{jpeg("a"), video("b")} }), tiktok,
			[]violation{{ProviderTikTok, "media", "cannot mix videos and images, got 1 image and 1 video"}}},
		{"tiktok two videos", with(valid(), func(c *Content) { c.Media = []MediaRef{video("a"), video("b")} }), tiktok,
			[]violation{{ProviderTikTok, "media", "exactly 1 video, got 2 videos"}}},
		{"tiktok 36 images", with(valid(), func(c *Content) { c.Media = jpegs(36) }), tiktok, []violation{
			{"", "media", "at most 35"}, {ProviderTikTok, "media", "1 to 35 images, got 36 images"}}},
		{"tiktok unknown privacy level", with(valid(), func(c *Content) {
			c.Overrides.TikTok = &TikTokOverride{PrivacyLevel: "PUBLIC"}
		}), tiktok, []violation{{ProviderTikTok, "overrides.tiktok.privacy_level",
			`"PUBLIC" is none of PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR, SELF_ONLY`}}},
		{"tiktok privacy among the creator's options", with(valid(), func(c *Content) {
			c.Overrides.TikTok = &TikTokOverride{PrivacyLevel: "SELF_ONLY"}
		}), []ValidationTarget{{Provider: ProviderTikTok, AccountID: "acc-1",
			Options: &PostingOptions{PrivacyLevelOptions: []string{"FOLLOWER_OF_CREATOR", "SELF_ONLY"}}}}, nil},
		{"tiktok privacy not among the creator's options", with(valid(), func(c *Content) {
			c.Overrides.TikTok = &TikTokOverride{PrivacyLevel: "PUBLIC_TO_EVERYONE"}
		}), []ValidationTarget{{Provider: ProviderTikTok, AccountID: "acc-1",
			Options: &PostingOptions{PrivacyLevelOptions: []string{"FOLLOWER_OF_CREATOR", "SELF_ONLY"}}}},
			[]violation{{ProviderTikTok, "overrides.tiktok.privacy_level",
				`"PUBLIC_TO_EVERYONE" is not among the creator's options of account acc-1: FOLLOWER_OF_CREATOR, SELF_ONLY`}}},
		{"tiktok privacy not among the options, no account named", with(valid(), func(c *Content) {
			c.Overrides.TikTok = &TikTokOverride{PrivacyLevel: "PUBLIC_TO_EVERYONE"}
		}), []ValidationTarget{{Provider: ProviderTikTok, Options: &PostingOptions{PrivacyLevelOptions: []string{"SELF_ONLY"}}}},
			[]violation{{ProviderTikTok, "overrides.tiktok.privacy_level", "creator's options: SELF_ONLY"}}},
		{"tiktok privacy checked per account's options", with(valid(), func(c *Content) {
			c.Overrides.TikTok = &TikTokOverride{PrivacyLevel: "MUTUAL_FOLLOW_FRIENDS"}
		}), []ValidationTarget{
			{Provider: ProviderTikTok, AccountID: "a", Options: &PostingOptions{PrivacyLevelOptions: []string{"SELF_ONLY"}}},
			{Provider: ProviderTikTok, AccountID: "b", Options: &PostingOptions{PrivacyLevelOptions: []string{"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS"}}},
			{Provider: ProviderTikTok, AccountID: "c", Options: &PostingOptions{PrivacyLevelOptions: []string{"SELF_ONLY"}, CommentDisabled: true}},
			{Provider: ProviderTikTok, AccountID: "d", Options: &PostingOptions{PrivacyLevelOptions: []string{"FOLLOWER_OF_CREATOR"}}},
		}, []violation{
			{ProviderTikTok, "overrides.tiktok.privacy_level", "of accounts a, c: SELF_ONLY"},
			{ProviderTikTok, "overrides.tiktok.privacy_level", "of account d: FOLLOWER_OF_CREATOR"},
		}},
		{"tiktok creator disabled interactions the content leaves on", valid(), []ValidationTarget{{Provider: ProviderTikTok,
			Options: &PostingOptions{PrivacyLevelOptions: []string{"SELF_ONLY"}, CommentDisabled: true, DuetDisabled: true, StitchDisabled: true}}}, nil},

		// YouTube.
		{"youtube title 100 characters", with(valid(), func(c *Content) { c.Title = strings.Repeat("é", 100) }), youtube, nil},
		{"youtube title 101 characters", with(valid(), func(c *Content) { c.Title = strings.Repeat("é", 101) }), youtube,
			[]violation{{ProviderYouTube, "title", "101 characters (Unicode code points), over the limit of 100"}}},
		{"youtube title missing", with(valid(), func(c *Content) { c.Title = "  " }), youtube,
			[]violation{{ProviderYouTube, "title", "needs a title of 1 to 100 characters"}}},
		{"youtube override title", with(valid(), func(c *Content) {
			c.Title = ""
			c.Overrides.YouTube = &YouTubeOverride{Title: ptr("<b>" + strings.Repeat("a", 98))}
		}), all, []violation{
			{ProviderYouTube, "overrides.youtube.title", "101 characters"},
			{ProviderYouTube, "overrides.youtube.title", "must not contain < or >"},
		}},
		{"youtube description 5000 bytes", with(valid(), func(c *Content) {
			c.Body, c.Hashtags = strings.Repeat("€", 1666)+"ab", nil // 4998 + 2 bytes
		}), youtube, nil},
		{"youtube description 5001 bytes", with(valid(), func(c *Content) {
			c.Body, c.Hashtags = strings.Repeat("é", 2500)+"a", nil // 2501 characters, 5001 bytes
		}), youtube, []violation{{ProviderYouTube, "body", "5001 bytes (UTF-8), over the limit of 5000 bytes"}}},
		{"youtube hashtags push the description over", with(valid(), func(c *Content) {
			c.Body, c.Hashtags = strings.Repeat("é", 2497)+"a", []string{"abc"} // 4995 + 6 bytes of "\n\n#abc"
		}), youtube, []violation{{ProviderYouTube, "body", "5001 bytes"}}},
		{"youtube description override with brackets", with(valid(), func(c *Content) {
			c.Overrides.YouTube = &YouTubeOverride{Description: ptr("a > b"), Caption: ptr("ignored")}
		}), youtube, []violation{{ProviderYouTube, "overrides.youtube.description", "must not contain < or >"}}},
		{"youtube caption override too long", with(valid(), func(c *Content) {
			c.Overrides.YouTube = &YouTubeOverride{Caption: ptr(strings.Repeat("a", 5001))} // + 9
		}), youtube, []violation{{ProviderYouTube, "overrides.youtube.caption", "5010 bytes"}}},
		{"youtube tags 500 characters", with(valid(), func(c *Content) {
			// 49 tags of 9 and 48 commas: 489; a comma and "a b c de" in quotes: 1 + 8 + 2.
			c.Overrides.YouTube = &YouTubeOverride{Tags: append(strings.Fields(strings.Repeat("abcdefghi ", 49)), "a b c de")}
		}), youtube, nil},
		{"youtube tags 501 characters", with(valid(), func(c *Content) {
			c.Overrides.YouTube = &YouTubeOverride{Tags: append(strings.Fields(strings.Repeat("abcdefghi ", 49)), "a b c def")}
		}), youtube, []violation{{ProviderYouTube, "overrides.youtube.tags", "add up to 501 characters"}}},
		{"youtube bad tags", with(valid(), func(c *Content) {
			c.Overrides.YouTube = &YouTubeOverride{Tags: []string{"ok", " ", "<script>"}}
		}), youtube, []violation{
			{ProviderYouTube, "overrides.youtube.tags[1]", "must not be empty"},
			{ProviderYouTube, "overrides.youtube.tags[2]", `got "<script>"`},
		}},
		{"youtube privacy", with(valid(), func(c *Content) {
			c.Overrides.YouTube = &YouTubeOverride{Privacy: "friends"}
		}), youtube, []violation{{ProviderYouTube, "overrides.youtube.privacy", `"friends" is none of public, unlisted, private`}}},
		{"youtube private and unlisted", with(valid(), func(c *Content) {
			c.Overrides.YouTube = &YouTubeOverride{Privacy: "unlisted"}
		}), youtube, nil},
		{"youtube takes a video only", with(valid(), func(c *Content) { c.Media = []MediaRef{jpeg("a")} }), youtube,
			[]violation{{ProviderYouTube, "media", "exactly 1 video, got 1 image and 0 videos"}}},

		// Media required everywhere.
		{"no media", with(valid(), func(c *Content) { c.Media = nil }), all, []violation{
			{ProviderInstagram, "media", "Instagram needs media"},
			{ProviderTikTok, "media", "TikTok needs media"},
			{ProviderYouTube, "media", "got 0 images and 0 videos"},
		}},

		// Targets.
		{"one network targeted twice is checked once", with(valid(), func(c *Content) { c.Media = nil }),
			[]ValidationTarget{{Provider: ProviderYouTube, AccountID: "a"}, {Provider: ProviderYouTube, AccountID: "b"}},
			[]violation{{ProviderYouTube, "media", "exactly 1 video"}}},
		{"unknown network", valid(), []ValidationTarget{{Provider: "myspace"}},
			[]violation{{"myspace", "provider", `unknown network "myspace"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkViolations(t, ValidateContent(tt.c, tt.targets), tt.want)
		})
	}
}

// TestValidateContentReportsEverything: a content that breaks rules of
// several networks gets every violation at once, each with its network
// and field, network-independent ones first, then by network and field.
func TestValidateContentReportsEverything(t *testing.T) {
	c := Content{
		Title:    "",
		Body:     "hello\x00" + words("@u", 21),
		Hashtags: []string{"ok", "not ok"},
		Media: []MediaRef{
			{URL: "https://cdn.example.com/a.png", Kind: MediaImage},
			video("b"),
		},
		Overrides: Overrides{
			TikTok:  &TikTokOverride{Caption: ptr(strings.Repeat("😀", 1101)), PrivacyLevel: "FOLLOWER_OF_CREATOR"},
			YouTube: &YouTubeOverride{Privacy: "secret", Tags: []string{"<x>"}},
		},
	}
	targets := []ValidationTarget{
		{Provider: ProviderYouTube},
		{Provider: ProviderTikTok, AccountID: "tt-1", Options: &PostingOptions{PrivacyLevelOptions: []string{"SELF_ONLY"}}},
		{Provider: ProviderInstagram},
		{Provider: ProviderTikTok, AccountID: "tt-2", Options: &PostingOptions{PrivacyLevelOptions: []string{"FOLLOWER_OF_CREATOR"}}},
	}
	checkViolations(t, ValidateContent(c, targets), []violation{
		{"", "body", "U+0000 at character 6"},
		{"", "hashtags[1]", "U+0020"},
		{ProviderInstagram, "body", "21 @-mentions"},
		{ProviderInstagram, "media[0].url", "JPEG images only"},
		{ProviderTikTok, "media", "cannot mix"},
		{ProviderTikTok, "media[0].url", "JPEG or WebP"},
		{ProviderTikTok, "overrides.tiktok.caption", "2215 UTF-16 code units"},
		{ProviderTikTok, "overrides.tiktok.privacy_level", "of account tt-1: SELF_ONLY"},
		{ProviderYouTube, "media", "got 1 image and 1 video"},
		{ProviderYouTube, "overrides.youtube.privacy", `"secret"`},
		{ProviderYouTube, "overrides.youtube.tags[0]", "< or >"},
		{ProviderYouTube, "title", "needs a title"},
	})
}

// TestValidateContentOrdersMediaByIndex: media[2] is reported before
// media[10], as a reader expects.
func TestValidateContentOrdersMediaByIndex(t *testing.T) {
	c := valid()
	c.Media = jpegs(11)
	c.Media[10].URL = "relative/10.jpg"
	c.Media[2].URL = "relative/2.jpg"
	checkViolations(t, ValidateContent(c, nil), []violation{
		{"", "media[2].url", "absolute"},
		{"", "media[10].url", "absolute"},
	})
}

func TestYouTubeTagsLength(t *testing.T) {
	tests := []struct {
		tags []string
		want int
	}{
		{nil, 0},
		{[]string{"go"}, 2},
		{[]string{"go", "rust"}, 7},
		{[]string{"new york"}, 10},
		{[]string{"café", "a b"}, 4 + 1 + 5},
	}
	for _, tt := range tests {
		if got := YouTubeTagsLength(tt.tags); got != tt.want {
			t.Errorf("YouTubeTagsLength(%q): got %d, want %d", tt.tags, got, tt.want)
		}
	}
}
