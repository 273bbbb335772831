package publisher

import (
	"context"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers/instagram"
)

// opInstagramPublish is the client's op of media_publish, the call that
// creates the post.
const opInstagramPublish = "publish container"

// instagramType is the post's Instagram type: the rendered one, or the
// one its media call for (one image: feed; one video: reels; several:
// carousel).
func instagramType(post domain.Post) string {
	if post.InstagramType != "" {
		return post.InstagramType
	}
	switch {
	case len(post.Media) > 1:
		return domain.InstagramCarousel
	case len(post.Media) == 1 && post.Media[0].Kind == domain.MediaVideo:
		return domain.InstagramReels
	}
	return domain.InstagramFeed
}

// instagramCaption is the caption Instagram keeps for the post: stories
// take none.
func instagramCaption(post domain.Post) string {
	if instagramType(post) == domain.InstagramStory {
		return ""
	}
	return post.Caption
}

// instagramMediaType is the media_type RecentMedia shows for a post of
// type typ.
func instagramMediaType(typ string, post domain.Post) string {
	switch typ {
	case domain.InstagramReels:
		return "VIDEO"
	case domain.InstagramCarousel:
		return "CAROUSEL_ALBUM"
	case domain.InstagramStory:
		if len(post.Media) == 1 && post.Media[0].Kind == domain.MediaVideo {
			return "VIDEO"
		}
	}
	return "IMAGE"
}

// publishInstagram publishes through a container of the post's type, then
// looks up the new media's permalink (best effort: a failed lookup leaves
// the URL empty, the post is out all the same).
func (p *Publisher) publishInstagram(ctx context.Context, token string, req domain.PublishRequest) (domain.PublishResult, error) {
	c := p.cfg.Instagram
	if c == nil {
		return domain.PublishResult{}, notConfigured(instagram.Provider)
	}
	if req.ExternalAccountID == "" {
		return domain.PublishResult{}, invalid(instagram.Provider, "publish", "the account's Instagram user id is unknown")
	}
	post, user := req.Post, req.ExternalAccountID
	media := post.Media
	one := func(kind domain.MediaKind) error {
		if len(media) != 1 || media[0].Kind != kind {
			return invalid(instagram.Provider, "publish", "an Instagram %s post takes exactly one %s, not %d media", instagramType(post), kind, len(media))
		}
		return nil
	}
	var out instagram.Published
	var err error
	switch typ := instagramType(post); typ {
	case domain.InstagramFeed:
		if err := one(domain.MediaImage); err != nil {
			return domain.PublishResult{}, err
		}
		out, err = c.PublishImage(ctx, token, user, instagram.Image{URL: media[0].URL, Caption: post.Caption, AltText: media[0].AltText})
	case domain.InstagramReels:
		if err := one(domain.MediaVideo); err != nil {
			return domain.PublishResult{}, err
		}
		out, err = c.PublishReel(ctx, token, user, instagram.Reel{VideoURL: media[0].URL, Caption: post.Caption})
	case domain.InstagramStory:
		if len(media) != 1 {
			return domain.PublishResult{}, invalid(instagram.Provider, "publish", "an Instagram story takes exactly one image or video, not %d media", len(media))
		}
		story := instagram.Story{ImageURL: media[0].URL}
		if media[0].Kind == domain.MediaVideo {
			story = instagram.Story{VideoURL: media[0].URL}
		}
		out, err = c.PublishStory(ctx, token, user, story)
	case domain.InstagramCarousel:
		items := make([]instagram.CarouselItem, 0, len(media))
		for _, m := range media {
			it := instagram.CarouselItem{ImageURL: m.URL, AltText: m.AltText}
			if m.Kind == domain.MediaVideo {
				it = instagram.CarouselItem{VideoURL: m.URL}
			}
			items = append(items, it)
		}
		out, err = c.PublishCarousel(ctx, token, user, instagram.Carousel{Items: items, Caption: post.Caption})
	default:
		return domain.PublishResult{}, invalid(instagram.Provider, "publish", "unknown Instagram media type %q (feed, reels, story or carousel)", typ)
	}
	if err != nil {
		return domain.PublishResult{}, outcome(err, opInstagramPublish)
	}
	res := domain.PublishResult{ExternalID: out.MediaID}
	if m, ok := p.instagramMedia(ctx, token, user, post, out.MediaID); ok {
		res.ExternalURL, res.PublishedAt = m.Permalink, m.Timestamp.UTC()
	}
	return res, nil
}

// instagramMedia reads a media just published, for its permalink and
// time (one call); false when it cannot.
func (p *Publisher) instagramMedia(ctx context.Context, token, _ string, _ domain.Post, mediaID string) (instagram.Media, bool) {
	m, err := p.cfg.Instagram.Media(ctx, token, mediaID)
	if err != nil || m.ID != mediaID {
		return instagram.Media{}, false
	}
	return m, true
}
