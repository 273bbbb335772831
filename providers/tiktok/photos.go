package tiktok

import (
	"context"
	"fmt"
	"net/http"
)

// Post modes of a photo post: published at once, or sent to the user's
// TikTok inbox to finish in the app (status SEND_TO_USER_INBOX).
const (
	DirectPost  = "DIRECT_POST"
	MediaUpload = "MEDIA_UPLOAD"
)

// Photos is a photo post: TikTok downloads Images (JPEG or WebP, from a
// verified domain) and shows Images[CoverIndex] as the cover. Description
// is the caption; Title a short heading.
type Photos struct {
	Title              string
	Description        string
	PrivacyLevel       string
	DisableComment     bool
	AutoAddMusic       bool
	BrandContentToggle bool
	BrandOrganicToggle bool
	Images             []string
	CoverIndex         int
	// Mode is DirectPost (default) or MediaUpload.
	Mode string
}

// photoPostInfo is the post_info of content/init.
type photoPostInfo struct {
	Title              string `json:"title,omitempty"`
	Description        string `json:"description,omitempty"`
	PrivacyLevel       string `json:"privacy_level,omitempty"`
	DisableComment     bool   `json:"disable_comment"`
	AutoAddMusic       bool   `json:"auto_add_music"`
	BrandContentToggle bool   `json:"brand_content_toggle"`
	BrandOrganicToggle bool   `json:"brand_organic_toggle"`
}

// PublishPhotos posts p (content/init, PULL_FROM_URL) and returns the
// publish id to follow with FetchStatus or Wait. A direct post is checked
// against the creator's options first, as a video is.
func (c *Client) PublishPhotos(ctx context.Context, accessToken string, p Photos) (string, error) {
	const op = "init photo post"
	if p.Mode == "" {
		p.Mode = DirectPost
	}
	if n := utf16Len(p.Title); n > MaxPhotoTitle {
		return "", invalid(op, "invalid_params", fmt.Sprintf("title is %d UTF-16 units, over %d", n, MaxPhotoTitle))
	}
	if n := utf16Len(p.Description); n > MaxPhotoDescription {
		return "", invalid(op, "invalid_params", fmt.Sprintf("description is %d UTF-16 units, over %d", n, MaxPhotoDescription))
	}
	info := photoPostInfo{Title: p.Title, Description: p.Description, PrivacyLevel: p.PrivacyLevel,
		DisableComment: p.DisableComment, AutoAddMusic: p.AutoAddMusic,
		BrandContentToggle: p.BrandContentToggle, BrandOrganicToggle: p.BrandOrganicToggle}
	if p.Mode == DirectPost {
		ci, err := c.CreatorInfo(ctx, accessToken)
		if err != nil {
			return "", err
		}
		if err := checkPrivacy(op, p.PrivacyLevel, ci); err != nil {
			return "", err
		}
		info.DisableComment = info.DisableComment || ci.CommentDisabled
	}
	cover := p.CoverIndex
	body := map[string]any{
		"post_info":   info,
		"source_info": sourceInfo{Source: "PULL_FROM_URL", PhotoImages: p.Images, PhotoCoverIndex: &cover},
		"post_mode":   p.Mode,
		"media_type":  "PHOTO",
	}
	var a initAnswer
	if err := c.call(ctx, op, http.MethodPost, "/v2/post/publish/content/init/", nil, accessToken, body, &a); err != nil {
		return "", err
	}
	return a.PublishID, nil
}
