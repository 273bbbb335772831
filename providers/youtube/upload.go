package youtube

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// Upload publishes a video with YouTube's resumable protocol: it validates
// m, opens a session (StartUpload) and sends media in chunks of
// Config.ChunkSize, resuming from what Google holds after an interrupted
// transfer or a 5xx (up to Config.UploadRetries failures in a row, with
// backoff).
//
// sessionURI is returned whenever a session was opened, with the error
// too: after a failure (or a crash, when the caller stored it) the upload
// goes on with ResumeUpload, which is also how to learn the outcome of an
// upload whose last answer was lost. An error wrapping
// ErrUploadSessionExpired means starting over. The session URI is a
// credential of the upload: keep it out of logs.
func (c *Client) Upload(ctx context.Context, accessToken string, m Metadata, media io.ReaderAt, size int64, contentType string) (sessionURI string, v Video, err error) {
	sessionURI, err = c.StartUpload(ctx, accessToken, m, size, contentType)
	if err != nil {
		return "", Video{}, err
	}
	v, err = c.transfer(ctx, accessToken, sessionURI, media, size, false)
	return sessionURI, v, err
}

// StartUpload validates m and opens a resumable upload session for size
// bytes of contentType (videos.insert, which spends the upload's quota
// units); it returns the session URI that ResumeUpload sends the bytes to.
// Storing the URI before sending lets an upload survive a crash of the
// caller.
func (c *Client) StartUpload(ctx context.Context, accessToken string, m Metadata, size int64, contentType string) (string, error) {
	const op = "start upload"
	if err := m.Validate(); err != nil {
		return "", err
	}
	if size <= 0 {
		return "", &providers.Error{Provider: provider, Op: op, Class: providers.Permanent,
			Code: "mediaBodyRequired", Message: "the video is empty"}
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	body, err := json.Marshal(m.resource())
	if err != nil {
		return "", c.requestError(op, err)
	}
	q := url.Values{"uploadType": {"resumable"}, "part": {"snippet,status"}}
	req, err := http.NewRequest(http.MethodPost, c.cfg.APIBaseURL+"/upload/youtube/v3/videos?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return "", c.requestError(op, err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("X-Upload-Content-Length", strconv.FormatInt(size, 10))
	req.Header.Set("X-Upload-Content-Type", contentType)
	resp, err := c.caller.Do(ctx, op, req)
	if err != nil {
		return "", err
	}
	if resp.Status != http.StatusOK && resp.Status != http.StatusCreated {
		return "", c.classify(op, resp)
	}
	loc, err := req.URL.Parse(resp.Header.Get("Location"))
	if err != nil || resp.Header.Get("Location") == "" {
		return "", &providers.Error{Provider: provider, Op: op, Class: providers.Retryable, Status: resp.Status,
			Message: "the answer holds no usable session URI (Location)"}
	}
	return loc.String(), nil
}

// ResumeUpload sends the rest of media (size bytes in all) to the session
// of sessionURI: it asks Google how many bytes it holds ("bytes */size")
// and goes on from there, or returns the video at once when the upload had
// completed. It takes the same retries as Upload.
func (c *Client) ResumeUpload(ctx context.Context, accessToken, sessionURI string, media io.ReaderAt, size int64) (Video, error) {
	return c.transfer(ctx, accessToken, sessionURI, media, size, true)
}

// uploadStep is what Google answered to one request on a session.
type uploadStep struct {
	done     bool
	video    Video
	received int64 // bytes Google holds, while not done
}

// transfer sends media from what the session holds, starting with a status
// query when resume is set.
func (c *Client) transfer(ctx context.Context, accessToken, sessionURI string, media io.ReaderAt, size int64, resume bool) (Video, error) {
	u, err := url.Parse(sessionURI)
	if err != nil || u.Host == "" {
		return Video{}, c.requestError("upload chunk", err)
	}
	if c.cfg.HTTP.Live && u.Scheme != "https" {
		return Video{}, &providers.Error{Provider: provider, Op: "upload chunk", Class: providers.Permanent,
			Message: "the session URI is not https (live mode)"}
	}
	if size <= 0 {
		return Video{}, &providers.Error{Provider: provider, Op: "upload chunk", Class: providers.Permanent,
			Code: "mediaBodyRequired", Message: "the video is empty"}
	}
	var offset int64
	query := resume
	failures := 0
	for {
		var step uploadStep
		if query {
			step, err = c.uploadRequest(ctx, "query upload", accessToken, u, media, size, -1, 0)
		} else {
			n := min(c.cfg.ChunkSize, size-offset)
			step, err = c.uploadRequest(ctx, "upload chunk", accessToken, u, media, size, offset, n)
		}
		switch {
		case err == nil && step.done:
			return step.video, nil
		case err == nil && step.received > size:
			return Video{}, &providers.Error{Provider: provider, Op: "upload chunk", Class: providers.Permanent,
				Message: fmt.Sprintf("the session holds %d bytes of a %d-byte video", step.received, size)}
		case err == nil && step.received == size:
			// Every byte is held but no video was answered: ask again.
			err = &providers.Error{Provider: provider, Op: "upload chunk", Class: providers.Retryable,
				Message: "the session holds every byte but answered no video"}
		case err == nil && (query || step.received > offset):
			if !query {
				failures = 0
			}
			offset, query = step.received, false
			continue
		case err == nil:
			// The chunk was answered without progress: count it as a
			// failure, so a session that never moves ends the upload.
			err = &providers.Error{Provider: provider, Op: "upload chunk", Class: providers.Retryable,
				Message: fmt.Sprintf("no progress past byte %d", offset)}
		case providers.ClassOf(err) != providers.Retryable || isExpired(err):
			return Video{}, err
		}
		failures++
		if failures > c.cfg.UploadRetries {
			return Video{}, err
		}
		if err := c.backoff(ctx, failures); err != nil {
			return Video{}, &providers.Error{Provider: provider, Op: "upload chunk", Class: providers.Retryable,
				Message: "stopped while waiting to resume", Err: err}
		}
		query = true
	}
}

// uploadRequest sends n bytes of media from offset to the session, or a
// status query when offset is negative, and reads Google's answer.
func (c *Client) uploadRequest(ctx context.Context, op, accessToken string, u *url.URL, media io.ReaderAt, size, offset, n int64) (uploadStep, error) {
	var body io.Reader = http.NoBody
	contentRange := fmt.Sprintf("bytes */%d", size)
	if offset >= 0 {
		body = io.NewSectionReader(media, offset, n)
		contentRange = fmt.Sprintf("bytes %d-%d/%d", offset, offset+n-1, size)
	}
	req, err := http.NewRequest(http.MethodPut, u.String(), body)
	if err != nil {
		return uploadStep{}, c.requestError(op, err)
	}
	if offset >= 0 {
		req.ContentLength = n
		req.GetBody = func() (io.ReadCloser, error) {
			return io.NopCloser(io.NewSectionReader(media, offset, n)), nil
		}
	} else {
		req.ContentLength = 0
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Content-Range", contentRange)
	resp, err := c.caller.Do(ctx, op, req)
	if err != nil {
		return uploadStep{}, err
	}
	switch resp.Status {
	case http.StatusOK, http.StatusCreated:
		var v videoResource
		if err := json.Unmarshal(resp.Body, &v); err != nil || v.ID == "" {
			if err == nil {
				err = fmt.Errorf("no video id")
			}
			return uploadStep{}, c.decodeError(op, resp, err)
		}
		return uploadStep{done: true, video: v.video()}, nil
	case http.StatusPermanentRedirect:
		received, ok := parseRange(resp.Header.Get("Range"))
		if !ok {
			return uploadStep{}, &providers.Error{Provider: provider, Op: op, Class: providers.Retryable,
				Status: resp.Status, Message: "unreadable Range header"}
		}
		return uploadStep{received: received}, nil
	case http.StatusNotFound, http.StatusGone:
		e := c.classify(op, resp)
		e.Class, e.Code, e.RetryAfter, e.Err = providers.Retryable, "sessionExpired", 0, ErrUploadSessionExpired
		return uploadStep{}, e
	}
	return uploadStep{}, c.classify(op, resp)
}

// parseRange reads the Range header of a 308 ("bytes=0-N": N+1 bytes
// held); none means nothing was received.
func parseRange(h string) (int64, bool) {
	if h == "" {
		return 0, true
	}
	rest, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return 0, false
	}
	from, to, ok := strings.Cut(rest, "-")
	if !ok || from != "0" {
		return 0, false
	}
	last, err := strconv.ParseInt(to, 10, 64)
	if err != nil || last < 0 {
		return 0, false
	}
	return last + 1, true
}

// isExpired reports whether err is an expired upload session.
func isExpired(err error) bool { return errors.Is(err, ErrUploadSessionExpired) }

// backoff waits before the failures-th resumption: RetryBackoff doubled
// per failure up to 32 times, with up to half of it again as jitter.
func (c *Client) backoff(ctx context.Context, failures int) error {
	d := c.cfg.RetryBackoff << min(failures-1, 5)
	d += time.Duration(rand.Int64N(int64(d)/2 + 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
