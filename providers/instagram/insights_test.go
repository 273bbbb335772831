package instagram_test

import (
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/instagram"
	"github.com/socialmediamanager/smm/providers/simulator"
)

// TestMediaInsights checks a post's metrics are all read, a story's
// missing ones stay absent (not 0), and an unknown metric is refused.
func TestMediaInsights(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	a := e.connect("quinn")
	tok, ctx := a.token.AccessToken, t.Context()
	post, err := e.client.PublishImage(ctx, tok, a.id, instagram.Image{URL: cdn + "m.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	story, err := e.client.PublishStory(ctx, tok, a.id, instagram.Story{ImageURL: cdn + "s.jpg"})
	if err != nil {
		t.Fatal(err)
	}

	got, err := e.client.MediaInsights(ctx, tok, post.MediaID)
	if err != nil {
		t.Fatalf("post insights: %v", err)
	}
	for _, m := range []string{"views", "reach", "likes", "comments", "shares", "saved", "total_interactions"} {
		if _, ok := got[m]; !ok {
			t.Errorf("got %v, want %s", got, m)
		}
	}
	if got["comments"] != 4 || got["reach"] <= 0 || got["views"] < got["reach"] {
		t.Errorf("got %v, want the 4 seeded comments and replies, reach > 0, views ≥ reach", got)
	}
	if want := got["likes"] + got["comments"] + got["shares"] + got["saved"]; got["total_interactions"] != want {
		t.Errorf("got total_interactions %d, want %d", got["total_interactions"], want)
	}

	st, err := e.client.MediaInsights(ctx, tok, story.MediaID, "reach", "likes", "saved")
	if err != nil {
		t.Fatalf("story insights: %v", err)
	}
	if _, ok := st["reach"]; !ok || len(st) != 1 {
		t.Errorf("got %v, want reach only: a story has no likes or saves, which must be absent, not 0", st)
	}

	_, err = e.client.MediaInsights(ctx, tok, post.MediaID, "impressions")
	wantErr(t, err, providers.Permanent, "100", "")
	_, err = e.client.MediaInsights(ctx, tok, "17000000000000000")
	wantErr(t, err, providers.Permanent, "100", "33")
}

// TestAccountInsights checks the account's totals over a range, that
// follower_count (unavailable for small accounts) stays absent, and the
// 30-day limit.
func TestAccountInsights(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	a := e.connect("ray")
	tok, ctx := a.token.AccessToken, t.Context()
	start := e.clock.Now()
	var reach int64
	for range 2 {
		p, err := e.client.PublishImage(ctx, tok, a.id, instagram.Image{URL: cdn + "m.jpg"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := e.client.MediaInsights(ctx, tok, p.MediaID, "reach")
		if err != nil {
			t.Fatal(err)
		}
		reach += m["reach"]
		e.clock.Advance(time.Hour)
	}
	got, err := e.client.AccountInsights(ctx, tok, a.id, start.Add(-time.Hour), e.clock.Now())
	if err != nil {
		t.Fatalf("account insights: %v", err)
	}
	if got["reach"] != reach {
		t.Errorf("got reach %d, want %d (the sum of the two posts)", got["reach"], reach)
	}
	for _, m := range []string{"views", "accounts_engaged", "total_interactions"} {
		if got[m] <= 0 {
			t.Errorf("got %v, want %s > 0", got, m)
		}
	}
	if v, ok := got["follower_count"]; ok {
		t.Errorf("got follower_count %d, want it absent", v)
	}
	empty, err := e.client.AccountInsights(ctx, tok, a.id, start.Add(-48*time.Hour), start.Add(-24*time.Hour), "reach")
	if err != nil || empty["reach"] != 0 {
		t.Errorf("got %v (%v), want reach 0 before any post", empty, err)
	}
	_, err = e.client.AccountInsights(ctx, tok, a.id, start.Add(-31*24*time.Hour), start)
	wantErr(t, err, providers.Permanent, "100", "")
}
