package publisher

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// opDownload is the op of a media download's errors.
const opDownload = "download media"

// download is a media file fetched for an upload: kept in a temporary
// file, so that a large video is not held in memory and the uploader can
// read any range again (resumed chunks).
type download struct {
	file        *os.File
	size        int64
	contentType string
}

// Close removes the temporary file.
func (d *download) Close() error {
	name := d.file.Name()
	err := d.file.Close()
	return errors.Join(err, os.Remove(name))
}

// download fetches rawURL with Config.HTTPClient for provider's upload, up
// to Config.MaxMediaBytes. Its errors are *providers.Error of provider and
// op "download media": an unusable URL, a 4xx (408 and 429 excepted) or a
// file over the cap are Permanent; a 5xx, a 408, a 429 (RateLimited) or a
// network failure are Retryable. Nothing was published either way.
func (p *Publisher) download(ctx context.Context, provider, rawURL string) (*download, error) {
	fail := func(class providers.Class, status int, format string, args ...any) *providers.Error {
		return &providers.Error{Provider: provider, Op: opDownload, Class: class, Status: status,
			Message: fmt.Sprintf(format, args...)}
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fail(providers.Permanent, 0, "the media URL is not an absolute http(s) URL")
	}
	where := u.Host + u.Path // never the query: it may hold a signature
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fail(providers.Permanent, 0, "the media URL %s is not usable", where)
	}
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		e := fail(providers.Retryable, 0, "GET %s", where)
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		e.Err = redacted{err}
		return nil, e
	}
	defer resp.Body.Close()
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests:
		e := fail(providers.RateLimited, s, "GET %s: %s", where, resp.Status)
		e.RetryAfter = providers.RetryAfterHeader(resp.Header, time.Now())
		return nil, e
	case s == http.StatusRequestTimeout || s >= 500:
		return nil, fail(providers.Retryable, s, "GET %s: %s", where, resp.Status)
	case s/100 != 2:
		return nil, fail(providers.Permanent, s, "GET %s: %s", where, resp.Status)
	}
	limit := p.cfg.MaxMediaBytes
	if resp.ContentLength > limit {
		return nil, tooLarge(fail(providers.Permanent, resp.StatusCode, "the media at %s is %d bytes, over the %d-byte limit", where, resp.ContentLength, limit))
	}
	f, err := os.CreateTemp("", "smm-media-*")
	if err != nil {
		return nil, fail(providers.Retryable, 0, "create a temporary file: %v", err)
	}
	d := &download{file: f}
	n, err := io.Copy(f, io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil:
		_ = d.Close()
		e := fail(providers.Retryable, resp.StatusCode, "read the media at %s", where)
		e.Err = redacted{err}
		return nil, e
	case n > limit:
		_ = d.Close()
		return nil, tooLarge(fail(providers.Permanent, resp.StatusCode, "the media at %s is over the %d-byte limit", where, limit))
	case n == 0:
		_ = d.Close()
		return nil, fail(providers.Permanent, resp.StatusCode, "the media at %s is empty", where)
	}
	d.size = n
	d.contentType = videoType(resp.Header.Get("Content-Type"), f)
	return d, nil
}

// tooLarge codes a download refused for its size.
func tooLarge(e *providers.Error) *providers.Error {
	e.Code = "media_too_large"
	return e
}

// videoType is the content type an upload declares: the server's when it
// names a video, else what the file's first bytes say (an ISO media ftyp
// box: MP4 or QuickTime; WebM's EBML header), else a generic binary type.
func videoType(header string, f io.ReaderAt) string {
	if mt, _, err := mime.ParseMediaType(header); err == nil && strings.HasPrefix(mt, "video/") {
		return mt
	}
	head := make([]byte, 12)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	switch {
	case len(head) >= 12 && string(head[4:8]) == "ftyp" && string(head[8:12]) == "qt  ":
		return "video/quicktime"
	case len(head) >= 8 && string(head[4:8]) == "ftyp":
		return "video/mp4"
	case bytes.HasPrefix(head, []byte{0x1a, 0x45, 0xdf, 0xa3}):
		return "video/webm"
	}
	return "application/octet-stream"
}

// redacted keeps a transport error's text free of URL queries.
type redacted struct{ err error }

func (r redacted) Error() string { return providers.RedactURLs(r.err.Error()) }
func (r redacted) Unwrap() error { return r.err }
