package publisher

import (
	"context"
	"strings"
	"unicode/utf16"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers/tiktok"
)

// The client's ops of the calls that create a TikTok post.
const (
	opTikTokVideoInit = "init video post"
	opTikTokPhotoInit = "init photo post"
)

// tiktokPrivacy is the privacy level a post goes out with: the post's own,
// else PUBLIC_TO_EVERYONE when the creator offers it, else the creator's
// first option ("" when the creator offers none).
func tiktokPrivacy(post domain.Post, ci tiktok.CreatorInfo) string {
	switch {
	case post.Privacy != "":
		return post.Privacy
	case ci.Allows(tiktok.PublicToEveryone):
		return tiktok.PublicToEveryone
	case len(ci.PrivacyLevelOptions) > 0:
		return ci.PrivacyLevelOptions[0]
	}
	return ""
}

// tiktokPhotoTitle is the title of a photo post: the caption's first line,
// cut to what TikTok takes (90 UTF-16 units). The whole caption goes in
// the description; the title is what TikTok's video list shows of the
// post, so Reconcile recognises a photo post by it.
func tiktokPhotoTitle(caption string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(caption), "\n")
	line = strings.TrimSpace(line)
	n := 0
	for i, r := range line {
		n += utf16.RuneLen(r)
		if n > tiktok.MaxPhotoTitle {
			return strings.TrimSpace(line[:i])
		}
	}
	return line
}

// tiktokMedia sorts a post's media: one video, or only images (a photo
// post). ok is false for anything else.
func tiktokMedia(post domain.Post) (video string, images []string, ok bool) {
	for _, m := range post.Media {
		switch m.Kind {
		case domain.MediaVideo:
			video = m.URL
		case domain.MediaImage:
			images = append(images, m.URL)
		default:
			return "", nil, false
		}
	}
	switch {
	case video != "" && len(post.Media) == 1:
		return video, nil, true
	case video == "" && len(images) > 0:
		return "", images, true
	}
	return "", nil, false
}

// tiktokIsPhoto reports whether the post is a photo post.
func tiktokIsPhoto(post domain.Post) bool {
	_, images, ok := tiktokMedia(post)
	return ok && len(images) > 0
}

// publishTikTok asks the creator's options (TikTok requires it before each
// post), posts the video from its URL or the photos, and waits until the
// post is PUBLISH_COMPLETE.
func (p *Publisher) publishTikTok(ctx context.Context, token string, req domain.PublishRequest) (domain.PublishResult, error) {
	c := p.cfg.TikTok
	if c == nil {
		return domain.PublishResult{}, notConfigured(tiktok.Provider)
	}
	post := req.Post
	video, images, ok := tiktokMedia(post)
	if !ok {
		return domain.PublishResult{}, invalid(tiktok.Provider, "publish",
			"a TikTok post takes one video or 1 to 35 images, not mixed (got %d media)", len(post.Media))
	}
	ci, err := c.CreatorInfo(ctx, token)
	if err != nil {
		return domain.PublishResult{}, err
	}
	res := domain.PublishResult{Options: postingOptions(ci)}
	// The client refuses, before sending, a level the creator does not
	// offer (privacy_level_option_mismatch).
	privacy := tiktokPrivacy(post, ci)
	var publishID string
	if video != "" {
		publishID, err = c.PublishVideoFromURL(ctx, token, tiktok.Post{
			Title:          post.Caption,
			PrivacyLevel:   privacy,
			DisableDuet:    post.DisableDuet || ci.DuetDisabled,
			DisableComment: post.DisableComment || ci.CommentDisabled,
			DisableStitch:  post.DisableStitch || ci.StitchDisabled,
		}, video)
	} else {
		publishID, err = c.PublishPhotos(ctx, token, tiktok.Photos{
			Title:          tiktokPhotoTitle(post.Caption),
			Description:    post.Caption,
			PrivacyLevel:   privacy,
			DisableComment: post.DisableComment || ci.CommentDisabled,
			Images:         images,
		})
	}
	if err != nil {
		return res, outcome(err, opTikTokVideoInit, opTikTokPhotoInit)
	}
	st, err := c.Wait(ctx, token, publishID)
	if err != nil {
		if st.Status == tiktok.StatusFailed {
			// TikTok's own verdict: the post failed and is not out.
			return res, err
		}
		// The post exists and is still processing, or its status could
		// not be read: it may yet go out.
		return res, unknown(err)
	}
	res.ExternalID = publishID
	if len(st.PostIDs) > 0 {
		res.ExternalID = st.PostIDs[0]
		res.ExternalURL = tiktokURL(ci.Username, st.PostIDs[0])
	}
	return res, nil
}

// tiktokURL is a post's address, when the creator's username is known.
func tiktokURL(username, postID string) string {
	if username == "" || postID == "" {
		return ""
	}
	return "https://www.tiktok.com/@" + username + "/video/" + postID
}
