package instagram

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// Comment is a comment or a reply on the account's media.
type Comment struct {
	ID        string
	Text      string
	Username  string
	Timestamp time.Time
	LikeCount int
	// Hidden comments are shown to the account only.
	Hidden bool
	// ParentID is the comment a reply answers ("" for a top-level one).
	ParentID string
}

// CommentPage is one page of comments, oldest first; After is the cursor
// of the next page ("" on the last).
type CommentPage struct {
	Comments []Comment
	After    string
}

const commentFields = "id,text,timestamp,username,like_count,hidden,parent_id"

// Comments lists a media object's top-level comments, a page of at most
// limit (≤100) after the cursor after ("" for the first page).
func (c *Client) Comments(ctx context.Context, accessToken, mediaID, after string, limit int) (CommentPage, error) {
	return c.commentPage(ctx, "comments", accessToken, c.graph(mediaID, "comments"), after, limit)
}

// Replies lists a comment's replies, like Comments.
func (c *Client) Replies(ctx context.Context, accessToken, commentID, after string, limit int) (CommentPage, error) {
	return c.commentPage(ctx, "replies", accessToken, c.graph(commentID, "replies"), after, limit)
}

func (c *Client) commentPage(ctx context.Context, op, token, u, after string, limit int) (CommentPage, error) {
	if limit <= 0 || limit > 100 {
		limit = 25
	}
	q := url.Values{"fields": {commentFields}, "limit": {strconv.Itoa(limit)}}
	if after != "" {
		q.Set("after", after)
	}
	var ans struct {
		Data []struct {
			ID        flexString `json:"id"`
			Text      string     `json:"text"`
			Username  string     `json:"username"`
			Timestamp string     `json:"timestamp"`
			LikeCount number     `json:"like_count"`
			Hidden    bool       `json:"hidden"`
			ParentID  flexString `json:"parent_id"`
		} `json:"data"`
		Paging struct {
			Cursors struct {
				After string `json:"after"`
			} `json:"cursors"`
			Next string `json:"next"`
		} `json:"paging"`
	}
	if err := c.get(ctx, op, token, u, q, &ans); err != nil {
		return CommentPage{}, err
	}
	page := CommentPage{Comments: make([]Comment, 0, len(ans.Data))}
	for _, r := range ans.Data {
		page.Comments = append(page.Comments, Comment{ID: string(r.ID), Text: r.Text, Username: r.Username,
			Timestamp: parseTime(r.Timestamp), LikeCount: int(r.LikeCount), Hidden: r.Hidden, ParentID: string(r.ParentID)})
	}
	if ans.Paging.Next != "" {
		page.After = ans.Paging.Cursors.After
	}
	return page, nil
}

// Reply answers a top-level, visible comment as the account and returns
// the reply's id.
func (c *Client) Reply(ctx context.Context, accessToken, commentID, message string) (string, error) {
	var ans struct {
		ID flexString `json:"id"`
	}
	q := url.Values{"message": {message}}
	if err := c.post(ctx, "reply", accessToken, c.graph(commentID, "replies"), q, &ans); err != nil {
		return "", err
	}
	if ans.ID == "" {
		return "", local("reply", providers.Retryable, "the answer holds no reply id")
	}
	return string(ans.ID), nil
}

// HideComment hides a comment from everyone but the account (hide=false
// shows it again).
func (c *Client) HideComment(ctx context.Context, accessToken, commentID string, hide bool) error {
	const op = "hide comment"
	var ans success
	q := url.Values{"hide": {strconv.FormatBool(hide)}}
	if err := c.post(ctx, op, accessToken, c.graph(commentID), q, &ans); err != nil {
		return err
	}
	return ans.check(op)
}

// DeleteComment deletes a comment on the account's media.
func (c *Client) DeleteComment(ctx context.Context, accessToken, commentID string) error {
	const op = "delete comment"
	var ans success
	if err := c.del(ctx, op, accessToken, c.graph(commentID), &ans); err != nil {
		return err
	}
	return ans.check(op)
}

// success is the moderation calls' {"success":true}.
type success struct {
	Success bool `json:"success"`
}

func (s success) check(op string) error {
	if !s.Success {
		return local(op, providers.Permanent, "Instagram did not confirm the change")
	}
	return nil
}
