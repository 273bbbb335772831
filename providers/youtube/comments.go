package youtube

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/socialmediamanager/smm/providers"
)

// Moderation statuses of a comment.
const (
	HeldForReview = "heldForReview"
	Published     = "published"
	Rejected      = "rejected"
	// LikelySpam only lists comments; it cannot be set.
	LikelySpam = "likelySpam"
)

// MaxCommentChars is the longest comment YouTube accepts.
const MaxCommentChars = 10000

// Comment is a comment or a reply.
type Comment struct {
	ID              string
	VideoID         string
	ParentID        string
	AuthorName      string
	AuthorChannelID string
	// Text is the original text when YouTube returns it (to its author),
	// the displayed text otherwise.
	Text             string
	LikeCount        int64
	ModerationStatus string
	PublishedAt      time.Time
	UpdatedAt        time.Time
}

// CommentThread is a top-level comment and the replies YouTube includes
// with it (not necessarily all: TotalReplyCount says how many there are).
type CommentThread struct {
	ID              string
	VideoID         string
	TopLevel        Comment
	Replies         []Comment
	TotalReplyCount int
	CanReply        bool
}

// CommentQuery selects a video's comment threads.
type CommentQuery struct {
	VideoID string
	// PageToken continues a listing (CommentPage.NextPageToken).
	PageToken string
	// MaxResults is the page size, 1–100 (default 20).
	MaxResults int
	// ModerationStatus lists the channel owner's held (HeldForReview) or
	// LikelySpam comments; empty lists the published ones.
	ModerationStatus string
}

// CommentPage is one page of comment threads.
type CommentPage struct {
	Threads []CommentThread
	// NextPageToken is empty on the last page.
	NextPageToken string
}

// commentResource is the comment resource of the Data API.
type commentResource struct {
	ID      string `json:"id"`
	Snippet struct {
		VideoID               string `json:"videoId"`
		ParentID              string `json:"parentId"`
		AuthorDisplayName     string `json:"authorDisplayName"`
		AuthorChannelIDObject struct {
			Value string `json:"value"`
		} `json:"authorChannelId"`
		TextDisplay      string `json:"textDisplay"`
		TextOriginal     string `json:"textOriginal"`
		LikeCount        int64  `json:"likeCount"`
		ModerationStatus string `json:"moderationStatus"`
		PublishedAt      string `json:"publishedAt"`
		UpdatedAt        string `json:"updatedAt"`
	} `json:"snippet"`
}

func (r commentResource) comment() Comment {
	s := r.Snippet
	c := Comment{ID: r.ID, VideoID: s.VideoID, ParentID: s.ParentID, AuthorName: s.AuthorDisplayName,
		AuthorChannelID: s.AuthorChannelIDObject.Value, Text: s.TextOriginal, LikeCount: s.LikeCount,
		ModerationStatus: s.ModerationStatus}
	if c.Text == "" {
		c.Text = s.TextDisplay
	}
	c.PublishedAt, _ = time.Parse(time.RFC3339, s.PublishedAt)
	c.UpdatedAt, _ = time.Parse(time.RFC3339, s.UpdatedAt)
	return c
}

// threadList is commentThreads.list's answer.
type threadList struct {
	NextPageToken string `json:"nextPageToken"`
	Items         []struct {
		ID      string `json:"id"`
		Snippet struct {
			VideoID         string          `json:"videoId"`
			TopLevelComment commentResource `json:"topLevelComment"`
			CanReply        bool            `json:"canReply"`
			TotalReplyCount int             `json:"totalReplyCount"`
		} `json:"snippet"`
		Replies struct {
			Comments []commentResource `json:"comments"`
		} `json:"replies"`
	} `json:"items"`
}

// CommentThreads lists one page of a video's comment threads with their
// replies (commentThreads.list, 1 quota unit). Comments are polled: YouTube
// pushes no comment events.
func (c *Client) CommentThreads(ctx context.Context, accessToken string, q CommentQuery) (CommentPage, error) {
	const op = "list comments"
	if q.VideoID == "" {
		return CommentPage{}, &providers.Error{Provider: provider, Op: op, Class: providers.Permanent,
			Code: "required", Message: "no video id"}
	}
	v := url.Values{"part": {"snippet,replies"}, "videoId": {q.VideoID}, "textFormat": {"plainText"}}
	if q.MaxResults > 0 {
		v.Set("maxResults", strconv.Itoa(min(q.MaxResults, 100)))
	}
	if q.PageToken != "" {
		v.Set("pageToken", q.PageToken)
	}
	if q.ModerationStatus != "" {
		v.Set("moderationStatus", q.ModerationStatus)
	}
	var tl threadList
	if err := c.apiGet(ctx, op, accessToken, c.cfg.APIBaseURL, "/youtube/v3/commentThreads", v, &tl); err != nil {
		return CommentPage{}, err
	}
	page := CommentPage{NextPageToken: tl.NextPageToken}
	for _, it := range tl.Items {
		t := CommentThread{ID: it.ID, VideoID: it.Snippet.VideoID, TopLevel: it.Snippet.TopLevelComment.comment(),
			TotalReplyCount: it.Snippet.TotalReplyCount, CanReply: it.Snippet.CanReply}
		if t.TopLevel.VideoID == "" {
			t.TopLevel.VideoID = t.VideoID
		}
		for _, r := range it.Replies.Comments {
			t.Replies = append(t.Replies, r.comment())
		}
		page.Threads = append(page.Threads, t)
	}
	return page, nil
}

// Reply answers the top-level comment parentID as the token's channel
// (comments.insert, 50 quota units) and returns the reply.
func (c *Client) Reply(ctx context.Context, accessToken, parentID, text string) (Comment, error) {
	const op = "reply to comment"
	switch n := utf8.RuneCountInString(text); {
	case parentID == "":
		return Comment{}, &providers.Error{Provider: provider, Op: op, Class: providers.Permanent,
			Code: "required", Message: "no parent comment id"}
	case strings.TrimSpace(text) == "":
		return Comment{}, &providers.Error{Provider: provider, Op: op, Class: providers.Permanent,
			Code: "commentTextRequired", Message: "the reply is empty"}
	case n > MaxCommentChars:
		return Comment{}, &providers.Error{Provider: provider, Op: op, Class: providers.Permanent,
			Code: "commentTextTooLong", Message: "the reply is " + strconv.Itoa(n) + " characters long, over " + strconv.Itoa(MaxCommentChars)}
	}
	body := map[string]any{"snippet": map[string]string{"parentId": parentID, "textOriginal": text}}
	var r commentResource
	if err := c.apiSend(ctx, op, accessToken, http.MethodPost, "/youtube/v3/comments", url.Values{"part": {"snippet"}}, body, &r); err != nil {
		return Comment{}, err
	}
	return r.comment(), nil
}

// SetModerationStatus sets the moderation status (HeldForReview,
// Published or Rejected) of comments on the token's channel
// (comments.setModerationStatus, 50 quota units).
func (c *Client) SetModerationStatus(ctx context.Context, accessToken, status string, ids ...string) error {
	const op = "moderate comments"
	switch {
	case len(ids) == 0:
		return &providers.Error{Provider: provider, Op: op, Class: providers.Permanent, Code: "required", Message: "no comment id"}
	case status != HeldForReview && status != Published && status != Rejected:
		return &providers.Error{Provider: provider, Op: op, Class: providers.Permanent,
			Code: "invalidModerationStatus", Message: "moderation status " + strconv.Quote(status) + " is none of heldForReview, published, rejected"}
	}
	q := url.Values{"id": {strings.Join(ids, ",")}, "moderationStatus": {status}}
	return c.apiSend(ctx, op, accessToken, http.MethodPost, "/youtube/v3/comments/setModerationStatus", q, nil, nil)
}
