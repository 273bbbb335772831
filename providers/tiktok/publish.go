package tiktok

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"unicode/utf16"

	"github.com/socialmediamanager/smm/providers"
)

// Limits checked before a post is sent (TikTok counts UTF-16 units).
const (
	MaxVideoTitle       = 2200
	MaxPhotoTitle       = 90
	MaxPhotoDescription = 4000
	// MaxVideoBytes is the largest video TikTok takes (4 GB).
	MaxVideoBytes = 4 << 30
)

// Post is a video post's metadata (post_info). Title is the caption.
type Post struct {
	Title                 string `json:"title,omitempty"`
	PrivacyLevel          string `json:"privacy_level"`
	DisableDuet           bool   `json:"disable_duet"`
	DisableComment        bool   `json:"disable_comment"`
	DisableStitch         bool   `json:"disable_stitch"`
	VideoCoverTimestampMS int64  `json:"video_cover_timestamp_ms,omitempty"`
	BrandContentToggle    bool   `json:"brand_content_toggle"`
	BrandOrganicToggle    bool   `json:"brand_organic_toggle"`
	IsAIGC                bool   `json:"is_aigc"`
}

// sourceInfo is how the video or photos reach TikTok.
type sourceInfo struct {
	Source          string   `json:"source"`
	VideoURL        string   `json:"video_url,omitempty"`
	VideoSize       int64    `json:"video_size,omitempty"`
	ChunkSize       int64    `json:"chunk_size,omitempty"`
	TotalChunkCount int      `json:"total_chunk_count,omitempty"`
	PhotoImages     []string `json:"photo_images,omitempty"`
	PhotoCoverIndex *int     `json:"photo_cover_index,omitempty"`
}

// initAnswer is the data of video/init and content/init.
type initAnswer struct {
	PublishID string `json:"publish_id"`
	UploadURL string `json:"upload_url"`
}

// utf16Len is the length of s as TikTok counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // invalid UTF-8 ranges as U+FFFD: 1
	}
	return n
}

// checkPrivacy refuses, before any call, a post TikTok would refuse: no
// privacy level, or one the creator does not offer.
func checkPrivacy(op, level string, ci CreatorInfo) error {
	if level == "" {
		return invalid(op, "invalid_params", "privacy_level is required")
	}
	if !ci.Allows(level) {
		return invalid(op, "privacy_level_option_mismatch",
			fmt.Sprintf("privacy level %s is not among the creator's options %v", level, ci.PrivacyLevelOptions))
	}
	return nil
}

// prepareVideo checks post against TikTok's rules and the creator's
// current options (one creator_info call), and keeps interactions the
// creator disabled disabled.
func (c *Client) prepareVideo(ctx context.Context, op, accessToken string, post Post) (Post, error) {
	if n := utf16Len(post.Title); n > MaxVideoTitle {
		return post, invalid(op, "invalid_params", fmt.Sprintf("title is %d UTF-16 units, over %d", n, MaxVideoTitle))
	}
	ci, err := c.CreatorInfo(ctx, accessToken)
	if err != nil {
		return post, err
	}
	if err := checkPrivacy(op, post.PrivacyLevel, ci); err != nil {
		return post, err
	}
	post.DisableComment = post.DisableComment || ci.CommentDisabled
	post.DisableDuet = post.DisableDuet || ci.DuetDisabled
	post.DisableStitch = post.DisableStitch || ci.StitchDisabled
	return post, nil
}

// PublishVideoFromURL posts the video TikTok downloads from videoURL
// (whose domain the app must have verified) and returns the publish id to
// follow with FetchStatus or Wait. When the call fails with no answer
// (Retryable), the post may exist: reconcile with RecentVideos before
// posting again.
func (c *Client) PublishVideoFromURL(ctx context.Context, accessToken string, post Post, videoURL string) (string, error) {
	const op = "init video post"
	post, err := c.prepareVideo(ctx, op, accessToken, post)
	if err != nil {
		return "", err
	}
	body := map[string]any{"post_info": post, "source_info": sourceInfo{Source: "PULL_FROM_URL", VideoURL: videoURL}}
	var a initAnswer
	if err := c.call(ctx, op, http.MethodPost, "/v2/post/publish/video/init/", nil, accessToken, body, &a); err != nil {
		return "", err
	}
	return a.PublishID, nil
}

// PublishVideoFile posts the size bytes of video: it opens the post, then
// sends the file in chunks of Config.ChunkSize, in order. It returns the
// publish id (also with an upload error: the post then fails at TikTok,
// and a new one must be opened).
func (c *Client) PublishVideoFile(ctx context.Context, accessToken string, post Post, video io.ReaderAt, size int64) (string, error) {
	const op = "init video post"
	plan, err := planChunks(size, c.cfg.ChunkSize)
	if err != nil {
		return "", invalid(op, "invalid_params", err.Error())
	}
	contentType, err := sniffVideo(video, size)
	if err != nil {
		return "", &providers.Error{Provider: Provider, Op: op, Class: providers.Permanent, Message: "read the video", Err: err}
	}
	post, err = c.prepareVideo(ctx, op, accessToken, post)
	if err != nil {
		return "", err
	}
	body := map[string]any{"post_info": post, "source_info": sourceInfo{Source: "FILE_UPLOAD",
		VideoSize: size, ChunkSize: plan.chunk, TotalChunkCount: plan.count}}
	var a initAnswer
	if err := c.call(ctx, op, http.MethodPost, "/v2/post/publish/video/init/", nil, accessToken, body, &a); err != nil {
		return "", err
	}
	if a.UploadURL == "" {
		return a.PublishID, &providers.Error{Provider: Provider, Op: op, Class: providers.Retryable, Status: http.StatusOK,
			Message: "the answer holds no upload_url"}
	}
	return a.PublishID, c.upload(ctx, a.UploadURL, video, plan, contentType)
}
