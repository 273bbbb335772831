package publisher

import (
	"context"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers/youtube"
)

// youtubeProvider names YouTube in the publisher's own errors, as the
// client names it in its.
const youtubeProvider = "youtube"

// The client's ops of the upload's transfer: once the session is open,
// the chunk that completes it creates the video.
const (
	opYouTubeChunk = "upload chunk"
	opYouTubeQuery = "query upload"
)

// youtubeURL is a video's watch page.
func youtubeURL(id string) string {
	if id == "" {
		return ""
	}
	return "https://www.youtube.com/watch?v=" + id
}

// publishYouTube downloads the post's video and uploads it with the post's
// title, description (the caption), tags and privacy.
func (p *Publisher) publishYouTube(ctx context.Context, token string, req domain.PublishRequest) (domain.PublishResult, error) {
	c := p.cfg.YouTube
	if c == nil {
		return domain.PublishResult{}, notConfigured(youtubeProvider)
	}
	post := req.Post
	if len(post.Media) != 1 || post.Media[0].Kind != domain.MediaVideo {
		return domain.PublishResult{}, invalid(youtubeProvider, "publish", "a YouTube post takes exactly one video, not %d media", len(post.Media))
	}
	meta := youtube.Metadata{Title: post.Title, Description: post.Caption, Tags: post.Tags, Privacy: post.Privacy}
	// A post YouTube would refuse costs no download.
	if err := meta.Validate(); err != nil {
		return domain.PublishResult{}, err
	}
	media, err := p.download(ctx, youtubeProvider, post.Media[0].URL)
	if err != nil {
		return domain.PublishResult{}, err
	}
	defer media.Close()
	_, v, err := c.Upload(ctx, token, meta, media.file, media.size, media.contentType)
	if err != nil {
		return domain.PublishResult{}, outcome(err, opYouTubeChunk, opYouTubeQuery)
	}
	// YouTube's own publishedAt when it said it; Publish fills in the
	// clock's otherwise.
	return domain.PublishResult{ExternalID: v.ID, ExternalURL: youtubeURL(v.ID), PublishedAt: v.PublishedAt.UTC()}, nil
}
