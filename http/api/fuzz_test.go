package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/identity"
)

// FuzzDecodeRegister feeds arbitrary bodies to the strict decoder with the
// registration request: it never panics, every failure is a domain error
// with a client-facing code, and every success decodes to a value that
// survives a round trip.
func FuzzDecodeRegister(f *testing.F) {
	f.Add("application/json", []byte(`{"email":"a@b.co","password":"correct horse battery","name":"A","organization_name":"B"}`))
	f.Add("application/json", []byte(`{"email":1}`))
	f.Add("application/json", []byte(`{"unknown":true}`))
	f.Add("application/json; charset=utf-8", []byte(`{"email":"\u0000"}`))
	f.Add("text/plain", []byte(`{}`))
	f.Add("application/json", []byte(`{"email":"a"}{"email":"b"}`))
	f.Add("application/json", []byte(`[`))
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		var in identity.RegisterInput
		err := decodeBody(ctype, body, &in)
		if err == nil {
			raw, merr := json.Marshal(in)
			if merr != nil {
				t.Fatalf("decoded value does not marshal: %v", merr)
			}
			var again identity.RegisterInput
			if derr := decodeBody("application/json", raw, &again); derr != nil || again != in {
				t.Fatalf("round trip: got %+v, %v; want %+v", again, derr, in)
			}
			return
		}
		var de *domain.Error
		if !errors.As(err, &de) {
			t.Fatalf("got %T %v, want a *domain.Error", err, err)
		}
		if de.Code != domain.CodeInvalid && de.Code != domain.CodeUnsupportedMediaType {
			t.Fatalf("got code %s, want invalid or unsupported_media_type", de.Code)
		}
		if de.Code == domain.CodeInvalid && de.Field == "" {
			t.Fatalf("got an invalid error with no field: %v", err)
		}
	})
}

// FuzzCursorDecode checks that no input panics the cursor decoder and that
// only a cursor this codec made for this list decodes.
func FuzzCursorDecode(f *testing.F) {
	cs := NewCursors(strings.Repeat("f", 32))
	valid := cs.Encode("members", []byte(`{"t":"2026-01-01T00:00:00Z"}`))
	f.Add(valid)
	f.Add(valid + "A")
	f.Add("")
	f.Add(".")
	f.Add("AAAA.AAAA")
	f.Add(cs.Encode("other", []byte("x")))
	f.Fuzz(func(t *testing.T, cursor string) {
		pos, err := cs.Decode("members", cursor)
		if err != nil {
			if domain.ErrorCode(err) != domain.CodeInvalidCursor {
				t.Fatalf("got code %s, want invalid_cursor", domain.ErrorCode(err))
			}
			return
		}
		// Anything accepted must re-encode to the same cursor: it was made
		// by this codec for this list.
		if again := cs.Encode("members", pos); again != cursor {
			t.Fatalf("accepted a cursor %q that this codec did not make (re-encodes as %q)", cursor, again)
		}
	})
}

// FuzzIdempotencyKey checks the key validation: accepted keys are 1–255
// printable ASCII characters, and refusals name the header.
func FuzzIdempotencyKey(f *testing.F) {
	for _, s := range []string{"0190f1f0-0000-7000-8000-000000000001", "a", strings.Repeat("k", 255), strings.Repeat("k", 256), "new\nline", "é", "\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := checkIdempotencyKey(key)
		printable := len(key) <= 255 && !bytes.ContainsFunc([]byte(key), func(r rune) bool { return r < 0x20 || r > 0x7e })
		if (err == nil) != printable {
			t.Fatalf("got %v for %q, want accepted=%v", err, key, printable)
		}
		if err != nil {
			var de *domain.Error
			if !errors.As(err, &de) || de.Field != HeaderIdempotencyKey {
				t.Fatalf("got %v, want an invalid error naming %s", err, HeaderIdempotencyKey)
			}
		}
	})
}
