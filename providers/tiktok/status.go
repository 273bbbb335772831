package tiktok

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// The statuses of a post.
const (
	StatusProcessingUpload   = "PROCESSING_UPLOAD"
	StatusProcessingDownload = "PROCESSING_DOWNLOAD"
	StatusSendToUserInbox    = "SEND_TO_USER_INBOX"
	StatusPublishComplete    = "PUBLISH_COMPLETE"
	StatusFailed             = "FAILED"
)

// Status is where a post stands (status/fetch).
type Status struct {
	Status     string
	FailReason string
	// PostIDs are the post's ids once public (TikTok's
	// publicaly_available_post_id); empty until moderation is done.
	PostIDs         []string
	UploadedBytes   int64
	DownloadedBytes int64
}

// UnmarshalJSON reads status/fetch's data; post ids come as numbers
// (beyond float64's precision) or strings.
func (s *Status) UnmarshalJSON(b []byte) error {
	var raw struct {
		Status          string            `json:"status"`
		FailReason      string            `json:"fail_reason"`
		PostIDs         []json.RawMessage `json:"publicaly_available_post_id"`
		UploadedBytes   int64             `json:"uploaded_bytes"`
		DownloadedBytes int64             `json:"downloaded_bytes"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*s = Status{Status: raw.Status, FailReason: raw.FailReason, UploadedBytes: raw.UploadedBytes, DownloadedBytes: raw.DownloadedBytes}
	for _, id := range raw.PostIDs {
		if v := strings.Trim(string(id), `"`); v != "" && v != "null" {
			s.PostIDs = append(s.PostIDs, v)
		}
	}
	return nil
}

// Done reports whether the post has left processing: published, in the
// user's inbox, or failed.
func (s Status) Done() bool {
	switch s.Status {
	case StatusPublishComplete, StatusSendToUserInbox, StatusFailed:
		return true
	}
	return false
}

// Err is the error of a failed post, nil otherwise: Retryable for the
// reasons TikTok says to retry (internal, video_pull_failed,
// photo_pull_failed), Permanent for the others (media checks, a
// cancellation, the authorization removed, spam risk).
func (s Status) Err(publishID string) error {
	if s.Status != StatusFailed {
		return nil
	}
	class := providers.Permanent
	switch s.FailReason {
	case "internal", "video_pull_failed", "photo_pull_failed":
		class = providers.Retryable
	}
	return &providers.Error{Provider: Provider, Op: "publish", Class: class, Code: s.FailReason,
		Message: fmt.Sprintf("TikTok failed post %s", publishID)}
}

// FetchStatus asks where a post stands (30 calls a minute per token).
func (c *Client) FetchStatus(ctx context.Context, accessToken, publishID string) (Status, error) {
	var s Status
	err := c.call(ctx, "fetch publish status", http.MethodPost, "/v2/post/publish/status/fetch/", nil, accessToken,
		map[string]string{"publish_id": publishID}, &s)
	return s, err
}

// Wait polls a post's status every PollInterval until it is done, for at
// most PollTimeout. It returns the last status seen, and the post's error
// when it failed (Status.Err). A throttled or transient poll is tried
// again; a post still processing at the timeout is a Retryable error:
// whether it will appear is unknown, so poll again or reconcile with
// RecentVideos rather than post again.
func (c *Client) Wait(ctx context.Context, accessToken, publishID string) (Status, error) {
	const op = "wait for publish"
	deadline := time.Now().Add(c.cfg.PollTimeout)
	var last Status
	for {
		st, err := c.FetchStatus(ctx, accessToken, publishID)
		wait := c.cfg.PollInterval
		switch class := providers.ClassOf(err); {
		case err == nil:
			last = st
			if st.Done() {
				return st, st.Err(publishID)
			}
		case ctx.Err() != nil:
			return last, &providers.Error{Provider: Provider, Op: op, Class: providers.Retryable,
				Message: fmt.Sprintf("post %s: gave up waiting", publishID), Err: ctx.Err()}
		case class == providers.Retryable || class == providers.RateLimited:
			wait = retryAfterHint(err, wait)
		default:
			return last, err
		}
		if time.Now().Add(wait).After(deadline) {
			return last, &providers.Error{Provider: Provider, Op: op, Class: providers.Retryable,
				Message: fmt.Sprintf("post %s still %q after %v", publishID, last.Status, c.cfg.PollTimeout),
				Err:     context.DeadlineExceeded}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return last, &providers.Error{Provider: Provider, Op: op, Class: providers.Retryable,
				Message: fmt.Sprintf("post %s: gave up waiting", publishID), Err: ctx.Err()}
		case <-t.C:
		}
	}
}
