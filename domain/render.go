package domain

import (
	"slices"
	"strings"
)

// Post is a content rendered for one network: exactly what is sent to the
// provider, after the network's overrides and hashtags are applied. The
// validation counts on it and the publisher sends it, so both see the same
// text.
type Post struct {
	Provider Provider `json:"provider"`
	// Caption is the Instagram caption, the TikTok post title
	// (post_info.title) or the YouTube description, hashtags appended.
	Caption string `json:"caption"`
	// Title is the YouTube video title.
	Title string `json:"title,omitempty"`
	// Tags are the YouTube tags.
	Tags  []string   `json:"tags,omitempty"`
	Media []MediaRef `json:"media"`
	// InstagramType is feed, reels, story or carousel, resolved from the
	// override or the media.
	InstagramType string `json:"instagram_type,omitempty"`
	// Privacy is the YouTube privacy status or the TikTok privacy level
	// (empty: the creator's default, resolved at publish time).
	Privacy        string `json:"privacy,omitempty"`
	DisableDuet    bool   `json:"disable_duet,omitempty"`
	DisableStitch  bool   `json:"disable_stitch,omitempty"`
	DisableComment bool   `json:"disable_comment,omitempty"`
}

// PostingOptions are what a provider told of an account's posting options
// (TikTok's creator_info), kept on the account for validation.
type PostingOptions struct {
	PrivacyLevelOptions     []string `json:"privacy_level_options,omitempty"`
	CommentDisabled         bool     `json:"comment_disabled,omitempty"`
	DuetDisabled            bool     `json:"duet_disabled,omitempty"`
	StitchDisabled          bool     `json:"stitch_disabled,omitempty"`
	MaxVideoPostDurationSec int      `json:"max_video_post_duration_sec,omitempty"`
}

// ValidationTarget is one network (and, when known, one account's posting
// options) a content is validated for.
type ValidationTarget struct {
	Provider Provider
	// AccountID names the account in violations when set.
	AccountID string
	Options   *PostingOptions
}

// Render renders c for network p: the network's override replaces the
// base text where it is set, the hashtags (the override's when it has a
// list, even an empty one, else the content's) are appended to the caption
// as "#tag #tag", and the media are copied. The validation counts on the
// result and the publisher sends it, so both see the same text.
func (c Content) Render(p Provider) Post {
	post := Post{Provider: p, Media: slices.Clone(c.Media)}
	switch p {
	case ProviderInstagram:
		o := c.Overrides.Instagram
		if o == nil {
			o = &InstagramOverride{}
		}
		post.Caption = withHashtags(textOr(o.Caption, c.Body), hashtagsOr(o.Hashtags, c.Hashtags))
		post.InstagramType = o.MediaType
		if post.InstagramType == "" {
			post.InstagramType = instagramTypeOf(c.Media)
		}
	case ProviderTikTok:
		o := c.Overrides.TikTok
		if o == nil {
			o = &TikTokOverride{}
		}
		post.Caption = withHashtags(textOr(o.Caption, c.Body), hashtagsOr(o.Hashtags, c.Hashtags))
		post.Privacy = o.PrivacyLevel
		post.DisableDuet, post.DisableStitch, post.DisableComment = o.DisableDuet, o.DisableStitch, o.DisableComment
	case ProviderYouTube:
		o := c.Overrides.YouTube
		if o == nil {
			o = &YouTubeOverride{}
		}
		post.Title = textOr(o.Title, c.Title)
		post.Caption = withHashtags(youTubeDescription(c.Body, o), hashtagsOr(o.Hashtags, c.Hashtags))
		post.Tags = slices.Clone(o.Tags)
		post.Privacy = o.Privacy
		if post.Privacy == "" {
			post.Privacy = YouTubePublic
		}
	default:
		post.Title = c.Title
		post.Caption = withHashtags(c.Body, c.Hashtags)
	}
	return post
}

// YouTube privacy statuses a content can ask for (PROVIDERS.md).
const (
	YouTubePublic   = "public"
	YouTubeUnlisted = "unlisted"
	YouTubePrivate  = "private"
)

// textOr is the override's text when it is set (even to ""), else base.
func textOr(override *string, base string) string {
	if override != nil {
		return *override
	}
	return base
}

// hashtagsOr is the override's list when it has one (an empty list removes
// the hashtags), else base.
func hashtagsOr(override, base []string) []string {
	if override != nil {
		return override
	}
	return base
}

// youTubeDescription is the override's description, else its caption (a
// synonym), else the body.
func youTubeDescription(body string, o *YouTubeOverride) string {
	if o.Description != nil {
		return *o.Description
	}
	return textOr(o.Caption, body)
}

// normalizeHashtag is a hashtag without surrounding spaces or its leading
// '#': "#go", " go" and "go" are the same tag.
func normalizeHashtag(t string) string {
	return strings.TrimPrefix(strings.TrimSpace(t), "#")
}

// withHashtags appends the hashtags to text as "\n\n#a #b", each with
// exactly one '#'; empty tags are left out, and no blank line leads a text
// made of hashtags only.
func withHashtags(text string, tags []string) string {
	var b strings.Builder
	for _, t := range tags {
		t = normalizeHashtag(t)
		if t == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("#" + t)
	}
	switch {
	case b.Len() == 0:
		return text
	case text == "":
		return b.String()
	}
	return text + "\n\n" + b.String()
}

// instagramTypeOf picks the Instagram media type from the media when the
// override names none: one image is a feed post, one video a reel, several
// items a carousel; no media, no type (the validation reports it).
func instagramTypeOf(media []MediaRef) string {
	switch {
	case len(media) >= 2:
		return InstagramCarousel
	case len(media) == 1 && media[0].Kind == MediaVideo:
		return InstagramReels
	case len(media) == 1:
		return InstagramFeed
	}
	return ""
}

// Marker is the digest of what a post says (title and caption), stored on
// the publication before the first call: after a lost answer, the
// reconciliation recognises the post at the provider by it.
func (p Post) Marker() string { return MarkerOf(p.Title, p.Caption) }

// ValidateContent checks c against the network-independent rules and every
// rule of every target's network, and returns all violations (nil when
// valid) so a client fixes everything in one round. Each violation names
// the network (empty for network-independent rules) and the JSON path of
// the field to change; the list is ordered by network (instagram, tiktok,
// youtube) then field. Targets of one network are checked once, except the
// rules that depend on an account's posting options, which are checked for
// each distinct set of options and name the accounts.
func ValidateContent(c Content, targets []ValidationTarget) Errors {
	v := &validation{}
	v.base(c)
	for _, g := range groupTargets(targets) {
		v.network(c, g)
	}
	return v.sorted()
}
