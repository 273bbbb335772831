package tiktok

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/socialmediamanager/smm/providers"
)

// chunkPlan is how a file upload is cut, by TikTok's rules: count is
// size/chunk rounded down, and the last chunk takes the trailing bytes (up
// to 128 MB); a video under MinChunkSize (or within one chunk) goes whole.
type chunkPlan struct {
	size, chunk int64
	count       int
}

func planChunks(size, chunk int64) (chunkPlan, error) {
	switch {
	case size <= 0:
		return chunkPlan{}, errors.New("the video is empty")
	case size > MaxVideoBytes:
		return chunkPlan{}, fmt.Errorf("the video is %d bytes, over TikTok's %d", size, int64(MaxVideoBytes))
	case size <= chunk:
		// chunk is within MinChunkSize–MaxChunkSize (Config's defaults), so
		// this covers every video under MinChunkSize.
		return chunkPlan{size: size, chunk: size, count: 1}, nil
	}
	p := chunkPlan{size: size, chunk: chunk, count: int(size / chunk)}
	if p.count > maxChunks {
		return chunkPlan{}, fmt.Errorf("the video needs %d chunks of %d bytes, over TikTok's %d", p.count, chunk, maxChunks)
	}
	return p, nil
}

// span is chunk i's first and last byte (inclusive).
func (p chunkPlan) span(i int) (int64, int64) {
	from := int64(i) * p.chunk
	if i == p.count-1 {
		return from, p.size - 1
	}
	return from, from + p.chunk - 1
}

// upload sends video's chunks to uploadURL in order: 206 per chunk, 201
// for the last. A failed chunk fails the upload (TikTok takes chunks in
// order only; the post must be opened again).
func (c *Client) upload(ctx context.Context, uploadURL string, video io.ReaderAt, p chunkPlan, contentType string) error {
	for i := 0; i < p.count; i++ {
		from, to := p.span(i)
		op := fmt.Sprintf("upload chunk %d/%d", i+1, p.count)
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, uploadURL, io.NewSectionReader(video, from, to-from+1))
		if err != nil {
			return &providers.Error{Provider: Provider, Op: op, Class: providers.Permanent, Message: "invalid upload_url"}
		}
		req.ContentLength = to - from + 1
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, to, p.size))
		resp, err := c.http.Do(ctx, op, req)
		if err != nil {
			return err
		}
		want := http.StatusPartialContent
		if i == p.count-1 {
			want = http.StatusCreated
		}
		if resp.Status == want || resp.Status == http.StatusOK && i == p.count-1 {
			continue
		}
		if resp.Status/100 == 2 {
			return &providers.Error{Provider: Provider, Op: op, Class: providers.Permanent, Status: resp.Status,
				Message: fmt.Sprintf("got HTTP %d, want %d", resp.Status, want)}
		}
		if len(bytes.TrimSpace(resp.Body)) == 0 {
			return c.failure(op, resp, apiError{})
		}
		return c.decode(op, resp, nil)
	}
	return nil
}

// sniffVideo is the video's MIME type from its first bytes: QuickTime,
// WebM, or MP4 (the default TikTok takes).
func sniffVideo(video io.ReaderAt, size int64) (string, error) {
	head := make([]byte, min(size, 512))
	if _, err := video.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if len(head) >= 12 && string(head[4:8]) == "ftyp" && string(head[8:12]) == "qt  " {
		return "video/quicktime", nil
	}
	if ct := http.DetectContentType(head); ct == "video/webm" {
		return ct, nil
	}
	return "video/mp4", nil
}
