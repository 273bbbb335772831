package domain

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

// Render renders c for network p. STUB: the validation issue part fills it.
func (c Content) Render(p Provider) Post {
	return Post{Provider: p, Caption: c.Body, Title: c.Title, Media: c.Media}
}

// Marker is the digest of what a post says (title and caption), stored on
// the publication before the first call: after a lost answer, the
// reconciliation recognises the post at the provider by it.
func (p Post) Marker() string { return MarkerOf(p.Title, p.Caption) }

// ValidateContent checks c against every rule of every target's network
// and returns all violations (nil when valid). STUB: filled in by the
// validation work.
func ValidateContent(c Content, targets []ValidationTarget) Errors { return nil }
