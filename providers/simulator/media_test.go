package simulator

import (
	"bytes"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

func TestSampleMedia(t *testing.T) {
	srv := httptest.NewServer(New(Config{}).Handler())
	t.Cleanup(srv.Close)
	get := func(t *testing.T, method, path string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}

	tests := []struct {
		name, path  string
		status      int
		contentType string
		size        int // -1: not checked
	}{
		{"jpeg", "/_sim/media/cat.jpg", 200, "image/jpeg", -1},
		{"jpeg long suffix", "/_sim/media/CAT.JPEG", 200, "image/jpeg", -1},
		{"mp4 default size", "/_sim/media/clip.mp4", 200, "video/mp4", 4096},
		{"mp4 sized", "/_sim/media/clip.mp4?bytes=70000", 200, "video/mp4", 70000},
		{"mp4 capped", "/_sim/media/clip.mp4?bytes=99999999", 200, "video/mp4", 8 << 20},
		{"mp4 at least a header", "/_sim/media/clip.mp4?bytes=3", 200, "video/mp4", 32},
		{"mp4 bad size", "/_sim/media/clip.mp4?bytes=x", 400, "", -1},
		{"unknown kind", "/_sim/media/notes.txt", 404, "", -1},
		{"injected 4xx", "/_sim/media/clip.mp4?sim_status=410", 410, "", -1},
		{"injected 5xx", "/_sim/media/cat.jpg?sim_status=503", 503, "", -1},
		{"bad injected status", "/_sim/media/cat.jpg?sim_status=200", 400, "", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, http.MethodGet, tc.path)
			if resp.StatusCode != tc.status {
				t.Fatalf("got status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != 200 {
				return
			}
			if got := resp.Header.Get("Content-Type"); got != tc.contentType {
				t.Errorf("got Content-Type %q, want %q", got, tc.contentType)
			}
			if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
				t.Errorf("got Content-Length %s, want %d", got, len(body))
			}
			if tc.size >= 0 && len(body) != tc.size {
				t.Errorf("got %d bytes, want %d", len(body), tc.size)
			}
			switch tc.contentType {
			case "image/jpeg":
				img, err := jpeg.Decode(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("got an undecodable JPEG: %v", err)
				}
				if b := img.Bounds(); b.Dx() != 32 || b.Dy() != 32 {
					t.Errorf("got a %dx%d image, want 32x32", b.Dx(), b.Dy())
				}
			case "video/mp4":
				if got := string(body[4:12]); got != "ftypisom" {
					t.Errorf("got box %q at offset 4, want ftypisom", got)
				}
				if got := string(body[28:32]); got != "mdat" {
					t.Errorf("got box %q at offset 28, want mdat", got)
				}
			}
			// The same URL serves the same bytes.
			if _, again := get(t, http.MethodGet, tc.path); !bytes.Equal(again, body) {
				t.Errorf("got different bytes on a second GET, want the same")
			}
		})
	}

	t.Run("names differ", func(t *testing.T) {
		_, a := get(t, http.MethodGet, "/_sim/media/a.mp4")
		_, b := get(t, http.MethodGet, "/_sim/media/b.mp4")
		if bytes.Equal(a, b) {
			t.Errorf("got the same bytes for two names, want different")
		}
	})
	t.Run("HEAD", func(t *testing.T) {
		resp, body := get(t, http.MethodHead, "/_sim/media/clip.mp4?bytes=5000")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Length") != "5000" || len(body) != 0 {
			t.Errorf("got %d, Content-Length %s, %d body bytes; want 200, 5000, 0",
				resp.StatusCode, resp.Header.Get("Content-Length"), len(body))
		}
	})
}
