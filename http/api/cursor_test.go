package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func TestCursorRoundTripAndTampering(t *testing.T) {
	cs := NewCursors(strings.Repeat("s", 32))
	pos := []byte(`{"id":"0190f1f0-0000-7000-8000-000000000001"}`)
	cur := cs.Encode("contents", pos)
	if strings.Contains(cur, "0190f1f0") {
		t.Errorf("got a cursor that shows the position in clear, want it opaque: %s", cur)
	}
	got, err := cs.Decode("contents", cur)
	if err != nil || string(got) != string(pos) {
		t.Fatalf("got %q, %v; want %q, nil", got, err, pos)
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	bad := map[string]string{
		"empty":             "",
		"no tag":            strings.Split(cur, ".")[0],
		"position modified": flip(cur, 3),
		"tag modified":      flip(cur, len(cur)-2),
		"not base64":        "!!!.???",
		"other list":        cs.Encode("campaigns", pos),
		"other key":         NewCursors(strings.Repeat("t", 32)).Encode("contents", pos),
		"huge":              strings.Repeat("A", 5000) + ".AAAA",
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := cs.Decode("contents", c); err == nil {
				t.Errorf("got no error for %s cursor, want invalid_cursor", name)
			}
		})
	}
}

func TestParsePage(t *testing.T) {
	cs := NewCursors(strings.Repeat("s", 32))
	valid := cs.Encode("things", []byte("p1"))
	tests := []struct {
		query      string
		wantStatus int
		wantCode   string
		wantLimit  int
		wantCapped bool
		wantAfter  string
	}{
		{"", 200, "", 20, false, ""},
		{"?limit=5", 200, "", 5, false, ""},
		{"?limit=100", 200, "", 100, false, ""},
		{"?limit=1000", 200, "", 100, true, ""},
		{"?limit=0", 400, "invalid", 0, false, ""},
		{"?limit=-3", 400, "invalid", 0, false, ""},
		{"?limit=ten", 400, "invalid", 0, false, ""},
		{"?cursor=" + valid, 200, "", 20, false, "p1"},
		{"?cursor=" + valid + "x", 400, "invalid_cursor", 0, false, ""},
		{"?cursor=garbage", 400, "invalid_cursor", 0, false, ""},
	}
	a := newTestAPI(t, Options{CursorSecret: strings.Repeat("s", 32)})
	a.App().Get("/test/list", func(c *fiber.Ctx) error {
		p, err := a.Cursors.ParsePage(c, "things")
		if err != nil {
			return err
		}
		items := []string{string(p.After)}
		return RespondPage(c, items, a.Cursors.PageMeta("things", p, true, []byte("next")))
	})
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, env := do(t, a, httptest.NewRequest("GET", "/test/list"+tt.query, nil))
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("got status %d, want %d (%+v)", resp.StatusCode, tt.wantStatus, env.Errors)
			}
			if tt.wantStatus != 200 {
				if env.Errors[0].Code != tt.wantCode {
					t.Errorf("got code %q, want %q", env.Errors[0].Code, tt.wantCode)
				}
				if f := env.Errors[0].Field; f != "limit" && f != "cursor" {
					t.Errorf("got field %q, want limit or cursor", f)
				}
				return
			}
			if env.Meta.Limit != tt.wantLimit || env.Meta.LimitCapped != tt.wantCapped {
				t.Errorf("got limit %d capped %v, want %d %v", env.Meta.Limit, env.Meta.LimitCapped, tt.wantLimit, tt.wantCapped)
			}
			if got, want := string(env.Data), `["`+tt.wantAfter+`"]`; got != want {
				t.Errorf("got data %s, want %s", got, want)
			}
			if !env.Meta.HasMore || env.Meta.NextCursor == nil {
				t.Fatalf("got has_more %v next %v, want a next cursor", env.Meta.HasMore, env.Meta.NextCursor)
			}
			if pos, err := a.Cursors.Decode("things", *env.Meta.NextCursor); err != nil || string(pos) != "next" {
				t.Errorf("got next cursor position %q, %v; want \"next\"", pos, err)
			}
		})
	}
}
