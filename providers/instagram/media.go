package instagram

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// Media is a published media object, as listed by RecentMedia.
type Media struct {
	ID string
	// MediaType is IMAGE, VIDEO (reels too) or CAROUSEL_ALBUM.
	MediaType string
	Caption   string
	Permalink string
	Timestamp time.Time
}

type mediaRow struct {
	ID        flexString `json:"id"`
	Caption   string     `json:"caption"`
	MediaType string     `json:"media_type"`
	Permalink string     `json:"permalink"`
	Timestamp string     `json:"timestamp"`
}

// parseTime reads the Graph API's timestamps ("2025-01-02T15:04:05+0000").
func parseTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// RecentMedia lists the user's latest feed media, newest first (at most
// limit, ≤100): after a publish whose answer was lost, it tells whether
// the post went out (match on the caption and time).
func (c *Client) RecentMedia(ctx context.Context, accessToken, userID string, limit int) ([]Media, error) {
	return c.listMedia(ctx, "recent media", accessToken, c.graph(userID, "media"), limit)
}

// RecentStories lists the user's stories of the last 24 hours, which
// RecentMedia does not show, for the same reconciliation.
func (c *Client) RecentStories(ctx context.Context, accessToken, userID string) ([]Media, error) {
	return c.listMedia(ctx, "recent stories", accessToken, c.graph(userID, "stories"), 100)
}

func (c *Client) listMedia(ctx context.Context, op, token, u string, limit int) ([]Media, error) {
	if limit <= 0 || limit > 100 {
		limit = 25
	}
	var ans struct {
		Data []mediaRow `json:"data"`
	}
	q := url.Values{"fields": {"id,caption,media_type,permalink,timestamp"}, "limit": {strconv.Itoa(limit)}}
	if err := c.get(ctx, op, token, u, q, &ans); err != nil {
		return nil, err
	}
	out := make([]Media, 0, len(ans.Data))
	for _, r := range ans.Data {
		out = append(out, Media{ID: string(r.ID), MediaType: r.MediaType, Caption: r.Caption, Permalink: r.Permalink,
			Timestamp: parseTime(r.Timestamp)})
	}
	return out, nil
}

// Media reads one media object: its permalink, time and caption right
// after a publish, in one call (the listing would read the account's whole
// recent feed).
func (c *Client) Media(ctx context.Context, accessToken, mediaID string) (Media, error) {
	var r mediaRow
	q := url.Values{"fields": {"id,caption,media_type,permalink,timestamp"}}
	if err := c.get(ctx, "read media", accessToken, c.graph(mediaID), q, &r); err != nil {
		return Media{}, err
	}
	return Media{ID: string(r.ID), MediaType: r.MediaType, Caption: r.Caption, Permalink: r.Permalink,
		Timestamp: parseTime(r.Timestamp)}, nil
}

// Quota is the account's publishing quota: Used publishes within the
// rolling Window, out of Total.
type Quota struct {
	Used   int
	Total  int
	Window time.Duration
}

// PublishingLimit reads the account's publishing quota, to hold posts
// back before Instagram refuses them (code 9, subcode 2207042).
func (c *Client) PublishingLimit(ctx context.Context, accessToken, userID string) (Quota, error) {
	var ans struct {
		Data []struct {
			QuotaUsage number `json:"quota_usage"`
			Config     struct {
				QuotaTotal    number `json:"quota_total"`
				QuotaDuration number `json:"quota_duration"`
			} `json:"config"`
		} `json:"data"`
	}
	q := url.Values{"fields": {"quota_usage,config"}}
	if err := c.get(ctx, "publishing limit", accessToken, c.graph(userID, "content_publishing_limit"), q, &ans); err != nil {
		return Quota{}, err
	}
	if len(ans.Data) == 0 {
		return Quota{}, local("publishing limit", providers.Permanent, "the answer holds no quota")
	}
	d := ans.Data[0]
	return Quota{Used: int(d.QuotaUsage), Total: int(d.Config.QuotaTotal),
		Window: time.Duration(d.Config.QuotaDuration) * time.Second}, nil
}
