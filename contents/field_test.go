package contents_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/socialmediamanager/smm/contents"
)

// A patch field tells absent from null from a value, decodes its value as
// strictly as the rest of a request, and marshals back to the same patch.
func TestFieldJSON(t *testing.T) {
	show := func(p contents.ContentPatch) string {
		f := func(set, null bool, v any) string {
			switch {
			case !set:
				return "absent"
			case null:
				return "null"
			}
			return fmt.Sprint(v)
		}
		return strings.Join([]string{
			f(p.Title.Set, p.Title.Null, p.Title.Value),
			f(p.Hashtags.Set, p.Hashtags.Null, p.Hashtags.Value),
			f(p.Overrides.Set, p.Overrides.Null, p.Overrides.Value.TikTok.Set),
		}, " ")
	}
	for _, tc := range []struct {
		in, want, err string
	}{
		{`{}`, "absent absent absent", ""},
		{`{"title": null, "hashtags": null, "overrides": null}`, "null null null", ""},
		{`{"title": "", "hashtags": [], "overrides": {}}`, " [] false", ""},
		{`{"title": "T", "hashtags": ["a"], "overrides": {"tiktok": null}}`, "T [a] true", ""},
		{`{"overrides": {"tiktok": {"privacy": "x"}}}`, "", `unknown field "privacy"`},
		{`{"media": [{"url": "https://x.example/a.jpg", "kind": "image", "size": 1}]}`, "", `unknown field "size"`},
		{`{"title": 5}`, "", "title"},
	} {
		var p contents.ContentPatch
		err := json.Unmarshal([]byte(tc.in), &p)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: got error %v, want one mentioning %s", tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%s: got error %v", tc.in, err)
		case tc.err == "" && show(p) != tc.want:
			t.Errorf("%s: got %s, want %s", tc.in, show(p), tc.want)
		}
		if tc.err != "" || err != nil {
			continue
		}
		raw, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var again contents.ContentPatch
		if err := json.Unmarshal(raw, &again); err != nil || show(again) != tc.want {
			t.Errorf("%s: marshalled as %s, which reads back as %s (%v), want %s", tc.in, raw, show(again), err, tc.want)
		}
	}
}
