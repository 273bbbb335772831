package youtube

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/socialmediamanager/smm/providers"
)

// Privacy statuses of a video.
const (
	Private  = "private"
	Public   = "public"
	Unlisted = "unlisted"
)

// Limits of a video's metadata (PROVIDERS.md), checked before any call so
// that a bad post costs no quota.
const (
	MaxTitleChars      = 100
	MaxDescriptionSize = 5000 // bytes
	MaxTagsChars       = 500
)

// Metadata is what an upload says about the video: the snippet and status
// parts of videos.insert.
type Metadata struct {
	Title       string
	Description string
	Tags        []string
	// CategoryID is YouTube's video category ("22" People & Blogs);
	// empty lets YouTube choose.
	CategoryID string
	// Privacy is Private, Public or Unlisted (empty: Private).
	Privacy string
	// PublishAt schedules the video's publication; it requires Private
	// (YouTube makes it public then).
	PublishAt time.Time
	// MadeForKids is the self-declared audience, which YouTube requires
	// for every channel.
	MadeForKids bool
}

// Validate checks m against YouTube's limits: title 1–100 characters,
// description at most 5000 bytes, neither with < or >, tags at most 500
// characters as YouTube counts them, a known privacy status, PublishAt only
// with Private. The error is Permanent, coded with YouTube's own reason
// (invalidTitle, invalidDescription, invalidTags, invalidPrivacyStatus,
// invalidPublishAt).
func (m Metadata) Validate() error {
	bad := func(code, format string, args ...any) error {
		return &providers.Error{Provider: provider, Op: "validate video", Class: providers.Permanent,
			Code: code, Message: fmt.Sprintf(format, args...)}
	}
	switch n := utf8.RuneCountInString(m.Title); {
	case strings.TrimSpace(m.Title) == "":
		return bad("invalidTitle", "the title is empty")
	case n > MaxTitleChars:
		return bad("invalidTitle", "the title is %d characters long, over %d", n, MaxTitleChars)
	case strings.ContainsAny(m.Title, "<>"):
		return bad("invalidTitle", "the title contains < or >")
	case !utf8.ValidString(m.Title):
		return bad("invalidTitle", "the title is not valid UTF-8")
	}
	switch {
	case len(m.Description) > MaxDescriptionSize:
		return bad("invalidDescription", "the description is %d bytes long, over %d", len(m.Description), MaxDescriptionSize)
	case strings.ContainsAny(m.Description, "<>"):
		return bad("invalidDescription", "the description contains < or >")
	case !utf8.ValidString(m.Description):
		return bad("invalidDescription", "the description is not valid UTF-8")
	}
	if n := TagsLength(m.Tags); n > MaxTagsChars {
		return bad("invalidTags", "the tags add up to %d characters, over %d", n, MaxTagsChars)
	}
	for _, t := range m.Tags {
		if strings.ContainsAny(t, "<>") || strings.TrimSpace(t) == "" {
			return bad("invalidTags", "a tag is empty or contains < or >")
		}
	}
	switch m.privacy() {
	case Private, Public, Unlisted:
	default:
		return bad("invalidPrivacyStatus", "privacy %q is none of private, public, unlisted", m.Privacy)
	}
	if !m.PublishAt.IsZero() && m.privacy() != Private {
		return bad("invalidPublishAt", "a scheduled publication (publishAt) requires privacy private, not %s", m.privacy())
	}
	return nil
}

// TagsLength counts tags the way YouTube does against its 500-character
// limit: the characters of each tag, a comma between tags, and two quotes
// around a tag that holds a space.
func TagsLength(tags []string) int {
	n := 0
	for i, t := range tags {
		if i > 0 {
			n++
		}
		n += utf8.RuneCountInString(t)
		if strings.Contains(t, " ") {
			n += 2
		}
	}
	return n
}

func (m Metadata) privacy() string {
	if m.Privacy == "" {
		return Private
	}
	return m.Privacy
}

// videoResource is the video resource of the Data API, as sent to
// videos.insert and answered by it and videos.list.
type videoResource struct {
	ID      string `json:"id,omitempty"`
	Snippet struct {
		Title       string   `json:"title"`
		Description string   `json:"description,omitempty"`
		Tags        []string `json:"tags,omitempty"`
		CategoryID  string   `json:"categoryId,omitempty"`
		ChannelID   string   `json:"channelId,omitempty"`
		PublishedAt string   `json:"publishedAt,omitempty"`
	} `json:"snippet"`
	Status struct {
		PrivacyStatus           string `json:"privacyStatus"`
		PublishAt               string `json:"publishAt,omitempty"`
		UploadStatus            string `json:"uploadStatus,omitempty"`
		SelfDeclaredMadeForKids *bool  `json:"selfDeclaredMadeForKids,omitempty"`
	} `json:"status"`
}

// resource is m as the JSON body of videos.insert.
func (m Metadata) resource() videoResource {
	var v videoResource
	v.Snippet.Title = m.Title
	v.Snippet.Description = m.Description
	v.Snippet.Tags = m.Tags
	v.Snippet.CategoryID = m.CategoryID
	v.Status.PrivacyStatus = m.privacy()
	if !m.PublishAt.IsZero() {
		v.Status.PublishAt = m.PublishAt.UTC().Format(time.RFC3339)
	}
	kids := m.MadeForKids
	v.Status.SelfDeclaredMadeForKids = &kids
	return v
}

// Video is an uploaded video as YouTube describes it.
type Video struct {
	ID          string
	ChannelID   string
	Title       string
	Description string
	Tags        []string
	Privacy     string
	// PublishAt is the scheduled publication (zero: none).
	PublishAt time.Time
	// UploadStatus is "uploaded" until YouTube has processed the video,
	// then "processed" (or "failed", "rejected").
	UploadStatus string
	PublishedAt  time.Time
}

func (v videoResource) video() Video {
	out := Video{ID: v.ID, ChannelID: v.Snippet.ChannelID, Title: v.Snippet.Title,
		Description: v.Snippet.Description, Tags: v.Snippet.Tags, Privacy: v.Status.PrivacyStatus,
		UploadStatus: v.Status.UploadStatus}
	out.PublishAt, _ = time.Parse(time.RFC3339, v.Status.PublishAt)
	out.PublishedAt, _ = time.Parse(time.RFC3339, v.Snippet.PublishedAt)
	return out
}
