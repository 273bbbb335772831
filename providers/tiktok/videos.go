package tiktok

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// videoFields are the fields asked of the Display API's video endpoints.
const videoFields = "id,title,create_time,share_url,duration,view_count,like_count,comment_count,share_count"

// MaxVideosPerCall is the most videos video/list returns and video/query
// takes at once.
const MaxVideosPerCall = 20

// Video is one of the user's posts with its counts.
type Video struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// CreateTime is in Unix seconds.
	CreateTime   int64  `json:"create_time"`
	ShareURL     string `json:"share_url"`
	Duration     int    `json:"duration"`
	ViewCount    int64  `json:"view_count"`
	LikeCount    int64  `json:"like_count"`
	CommentCount int64  `json:"comment_count"`
	ShareCount   int64  `json:"share_count"`
}

// Created is when the video was posted.
func (v Video) Created() time.Time { return time.Unix(v.CreateTime, 0) }

// VideoPage is one page of the user's videos, newest first.
type VideoPage struct {
	Videos []Video `json:"videos"`
	// Cursor is where the next page starts (pass it to RecentVideos).
	Cursor  int64 `json:"cursor"`
	HasMore bool  `json:"has_more"`
}

// RecentVideos lists the user's videos, newest first, from cursor (0: the
// latest), at most maxCount (≤ 20). It is how a publish whose answer was
// lost is reconciled: look for the post's title before posting again.
func (c *Client) RecentVideos(ctx context.Context, accessToken string, cursor int64, maxCount int) (VideoPage, error) {
	if maxCount <= 0 || maxCount > MaxVideosPerCall {
		maxCount = MaxVideosPerCall
	}
	body := map[string]int64{"max_count": int64(maxCount)}
	if cursor > 0 {
		body["cursor"] = cursor
	}
	var p VideoPage
	err := c.call(ctx, "list videos", http.MethodPost, "/v2/video/list/", url.Values{"fields": {videoFields}}, accessToken, body, &p)
	return p, err
}

// VideoMetrics reads the counts of the user's videos with those ids, 20
// per call; ids TikTok does not know for the user are left out.
func (c *Client) VideoMetrics(ctx context.Context, accessToken string, ids []string) ([]Video, error) {
	var out []Video
	for len(ids) > 0 {
		batch := ids[:min(len(ids), MaxVideosPerCall)]
		ids = ids[len(batch):]
		body := map[string]any{"filters": map[string][]string{"video_ids": batch}}
		var p VideoPage
		if err := c.call(ctx, "query videos", http.MethodPost, "/v2/video/query/", url.Values{"fields": {videoFields}}, accessToken, body, &p); err != nil {
			return out, err
		}
		out = append(out, p.Videos...)
	}
	return out, nil
}
