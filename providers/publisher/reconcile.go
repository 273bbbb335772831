package publisher

import (
	"context"
	"slices"
	"time"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/providers/instagram"
	"github.com/socialmediamanager/smm/providers/tiktok"
)

// How far back Reconcile looks: the most recent posts read from each
// provider. A lost answer is reconciled within minutes, so the post, when
// it exists, is among the latest.
const (
	reconcileInstagramMedia = 50
	reconcileYouTubeUploads = 50
	reconcileTikTokPages    = 10
)

// matcher picks, among a provider's recent posts, the one that is req's
// post: the same marker, created at or after since, not excluded.
type matcher struct {
	since   time.Time
	exclude []string
}

// candidate is one recent post at the provider.
type candidate struct {
	id, url string
	at      time.Time
	// marker digests what the provider says the post says.
	marker string
}

// pick returns the earliest candidate matching want: when a post went out
// twice already, the first one is the attempt being reconciled.
func (m matcher) pick(want string, list []candidate) (candidate, bool) {
	var best candidate
	found := false
	for _, c := range list {
		if c.id == "" || c.marker != want || c.at.IsZero() || c.at.Before(m.since) || slices.Contains(m.exclude, c.id) {
			continue
		}
		if !found || c.at.Before(best.at) {
			best, found = c, true
		}
	}
	return best, found
}

// result is the publish result of a candidate found.
func (c candidate) result() domain.PublishResult {
	return domain.PublishResult{ExternalID: c.id, ExternalURL: c.url, PublishedAt: c.at.UTC()}
}

// reconcileInstagram looks among the account's latest media (its live
// stories, for a story) for one of the post's type and caption. A story
// has no caption: any story of the window not excluded matches.
func (p *Publisher) reconcileInstagram(ctx context.Context, token string, req domain.PublishRequest, m matcher) (domain.PublishResult, bool, error) {
	c := p.cfg.Instagram
	if c == nil {
		return domain.PublishResult{}, false, notConfigured(instagram.Provider)
	}
	if req.ExternalAccountID == "" {
		return domain.PublishResult{}, false, invalid(instagram.Provider, "reconcile", "the account's Instagram user id is unknown")
	}
	typ := instagramType(req.Post)
	var list []instagram.Media
	var err error
	if typ == domain.InstagramStory {
		list, err = c.RecentStories(ctx, token, req.ExternalAccountID)
	} else {
		list, err = c.RecentMedia(ctx, token, req.ExternalAccountID, reconcileInstagramMedia)
	}
	if err != nil {
		return domain.PublishResult{}, false, err
	}
	wantType := instagramMediaType(typ, req.Post)
	var cands []candidate
	for _, md := range list {
		if md.MediaType != "" && md.MediaType != wantType {
			continue
		}
		cands = append(cands, candidate{id: md.ID, url: md.Permalink, at: md.Timestamp, marker: domain.MarkerOf("", md.Caption)})
	}
	found, ok := m.pick(domain.MarkerOf("", instagramCaption(req.Post)), cands)
	if !ok {
		return domain.PublishResult{}, false, nil
	}
	return found.result(), true, nil
}

// reconcileTikTok pages through the account's videos, newest first, back
// to since, for one whose title is the post's caption (a photo post's
// title, for photos). TikTok lists a post only once it is
// PUBLISH_COMPLETE: one still processing is not found yet.
func (p *Publisher) reconcileTikTok(ctx context.Context, token string, req domain.PublishRequest, m matcher) (domain.PublishResult, bool, error) {
	c := p.cfg.TikTok
	if c == nil {
		return domain.PublishResult{}, false, notConfigured(tiktok.Provider)
	}
	title := req.Post.Caption
	if tiktokIsPhoto(req.Post) {
		title = tiktokPhotoTitle(req.Post.Caption)
	}
	var cands []candidate
	var cursor int64
	for range reconcileTikTokPages {
		page, err := c.RecentVideos(ctx, token, cursor, tiktok.MaxVideosPerCall)
		if err != nil {
			return domain.PublishResult{}, false, err
		}
		older := false
		for _, v := range page.Videos {
			at := v.Created()
			if v.CreateTime <= 0 {
				at = time.Time{}
			}
			older = older || (!at.IsZero() && at.Before(m.since))
			cands = append(cands, candidate{id: v.ID, url: v.ShareURL, at: at, marker: domain.MarkerOf("", v.Title)})
		}
		if older || !page.HasMore || len(page.Videos) == 0 || page.Cursor == cursor {
			break
		}
		cursor = page.Cursor
	}
	found, ok := m.pick(domain.MarkerOf("", title), cands)
	if !ok {
		return domain.PublishResult{}, false, nil
	}
	return found.result(), true, nil
}

// reconcileYouTube looks among the channel's latest uploads for one with
// the post's title and description.
func (p *Publisher) reconcileYouTube(ctx context.Context, token string, req domain.PublishRequest, m matcher) (domain.PublishResult, bool, error) {
	c := p.cfg.YouTube
	if c == nil {
		return domain.PublishResult{}, false, notConfigured(youtubeProvider)
	}
	list, err := c.RecentUploads(ctx, token, reconcileYouTubeUploads)
	if err != nil {
		return domain.PublishResult{}, false, err
	}
	cands := make([]candidate, 0, len(list))
	for _, v := range list {
		cands = append(cands, candidate{id: v.VideoID, url: youtubeURL(v.VideoID), at: v.PublishedAt,
			marker: domain.MarkerOf(v.Title, v.Description)})
	}
	found, ok := m.pick(req.Post.Marker(), cands)
	if !ok {
		return domain.PublishResult{}, false, nil
	}
	return found.result(), true, nil
}
