package youtube

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// UploadedVideo is an entry of a channel's uploads playlist.
type UploadedVideo struct {
	VideoID     string
	Title       string
	Description string
	Privacy     string
	// PublishedAt is when the video was added to the channel.
	PublishedAt time.Time
}

// playlistItemList is playlistItems.list's answer.
type playlistItemList struct {
	NextPageToken string `json:"nextPageToken"`
	Items         []struct {
		Snippet struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			PublishedAt string `json:"publishedAt"`
			ResourceID  struct {
				VideoID string `json:"videoId"`
			} `json:"resourceId"`
		} `json:"snippet"`
		ContentDetails struct {
			VideoID string `json:"videoId"`
		} `json:"contentDetails"`
		Status struct {
			PrivacyStatus string `json:"privacyStatus"`
		} `json:"status"`
	} `json:"items"`
}

// RecentUploads lists the channel's latest uploads, newest first, up to
// max (default 50): the uploads playlist of channels.list, then its
// playlistItems, 1 quota unit per page. It is how an upload whose outcome
// is unknown (the answer was lost and the session is gone) is reconciled
// before publishing again: look for the title and description sent.
func (c *Client) RecentUploads(ctx context.Context, accessToken string, max int) ([]UploadedVideo, error) {
	if max <= 0 {
		max = 50
	}
	var cl channelList
	q := url.Values{"part": {"contentDetails"}, "mine": {"true"}}
	if err := c.apiGet(ctx, "read channel", accessToken, c.cfg.APIBaseURL, "/youtube/v3/channels", q, &cl); err != nil {
		return nil, err
	}
	if len(cl.Items) == 0 {
		return nil, noChannel("read channel")
	}
	playlist := cl.Items[0].ContentDetails.RelatedPlaylists.Uploads
	var out []UploadedVideo
	page := ""
	for len(out) < max {
		q := url.Values{"part": {"snippet,contentDetails,status"}, "playlistId": {playlist},
			"maxResults": {strconv.Itoa(min(max-len(out), 50))}}
		if page != "" {
			q.Set("pageToken", page)
		}
		var pl playlistItemList
		if err := c.apiGet(ctx, "list uploads", accessToken, c.cfg.APIBaseURL, "/youtube/v3/playlistItems", q, &pl); err != nil {
			return nil, err
		}
		for _, it := range pl.Items {
			v := UploadedVideo{VideoID: it.ContentDetails.VideoID, Title: it.Snippet.Title,
				Description: it.Snippet.Description, Privacy: it.Status.PrivacyStatus}
			if v.VideoID == "" {
				v.VideoID = it.Snippet.ResourceID.VideoID
			}
			v.PublishedAt, _ = time.Parse(time.RFC3339, it.Snippet.PublishedAt)
			out = append(out, v)
		}
		if pl.NextPageToken == "" || len(pl.Items) == 0 {
			break
		}
		page = pl.NextPageToken
	}
	if len(out) > max {
		out = out[:max]
	}
	return out, nil
}
