package simulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"strconv"
	"strings"
)

// Sample media, served at GET /_sim/media/{name} so that sandbox mode and
// tests have media URLs that the simulated providers accept and that the
// publisher can download (YouTube uploads the bytes itself):
//
//	/_sim/media/NAME.jpg            a small valid JPEG (also .jpeg)
//	/_sim/media/NAME.mp4?bytes=N    N bytes opening with an MP4 ftyp box
//	                                (default 4096, at least 32, at most 8 MiB)
//	…?sim_status=503                answers that 4xx or 5xx status instead,
//	                                to test how a failed download is handled
//
// The bytes depend on the name and size only: the same URL always serves
// the same bytes, so a test can compare checksums.
const (
	mediaDefaultBytes = 4096
	mediaMinBytes     = 32
	mediaMaxBytes     = 8 << 20
)

// media serves one sample media file.
func (s *Simulator) media(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	q := r.URL.Query()
	if v := q.Get("sim_status"); v != "" {
		code, err := strconv.Atoi(v)
		if err != nil || code < 400 || code > 599 {
			http.Error(w, "sim_status must be a 4xx or 5xx status", http.StatusBadRequest)
			return
		}
		http.Error(w, http.StatusText(code), code)
		return
	}
	var body []byte
	var contentType string
	switch lower := strings.ToLower(name); {
	case strings.HasSuffix(lower, ".jpg"), strings.HasSuffix(lower, ".jpeg"):
		body, contentType = sampleJPEG(name), "image/jpeg"
	case strings.HasSuffix(lower, ".mp4"):
		size := mediaDefaultBytes
		if v := q.Get("bytes"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				http.Error(w, "bytes must be a positive number", http.StatusBadRequest)
				return
			}
			size = min(max(n, mediaMinBytes), mediaMaxBytes)
		}
		body, contentType = sampleMP4(name, size), "video/mp4"
	default:
		http.Error(w, "unknown sample media: name it *.jpg or *.mp4", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// mediaSeed is the name's digest, from which the media's bytes derive.
func mediaSeed(name string) [32]byte { return sha256.Sum256([]byte(name)) }

// sampleJPEG is a 32×32 JPEG of two colours derived from name.
func sampleJPEG(name string) []byte {
	seed := mediaSeed(name)
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	a := color.RGBA{seed[0], seed[1], seed[2], 0xff}
	b := color.RGBA{seed[3], seed[4], seed[5], 0xff}
	for y := range 32 {
		for x := range 32 {
			c := a
			if (x/8+y/8)%2 == 1 {
				c = b
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	// Encoding an in-memory image to a buffer cannot fail.
	_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
	return buf.Bytes()
}

// sampleMP4 is size bytes (≥ 32) of an MP4 file's boxes: an ftyp box
// (brand isom, compatible isom and mp42), then an mdat box holding bytes
// derived from name. It is no playable video, but it starts the way one
// does, which is what content sniffing looks at.
func sampleMP4(name string, size int) []byte {
	out := make([]byte, size)
	copy(out, []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp42"))
	binary.BigEndian.PutUint32(out[24:], uint32(size-24))
	copy(out[28:], "mdat")
	seed := mediaSeed(name)
	x := binary.BigEndian.Uint64(seed[:8]) | 1
	for i := 32; i < size; i++ {
		// xorshift64: cheap, deterministic filler.
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		out[i] = byte(x)
	}
	return out
}
