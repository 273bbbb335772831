package tiktok_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/tiktok"
)

// publish posts a video titled title and returns its post id.
func (e *env) publish(tok providers.Token, title string) string {
	e.t.Helper()
	id, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, tiktok.Post{Title: title, PrivacyLevel: tiktok.SelfOnly}, "https://media.smm.test/v.mp4")
	if err != nil {
		e.t.Fatalf("publish %q: %v", title, err)
	}
	st, err := e.c.Wait(bg, tok.AccessToken, id)
	if err != nil || len(st.PostIDs) != 1 {
		e.t.Fatalf("wait for %q: got %+v, %v", title, st, err)
	}
	return st.PostIDs[0]
}

func TestRecentVideosPages(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("lister")
	var ids []string
	for i := 1; i <= 3; i++ {
		ids = append(ids, e.publish(tok, fmt.Sprintf("v%d", i)))
	}
	first, err := e.c.RecentVideos(bg, tok.AccessToken, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Videos) != 2 || first.Videos[0].ID != ids[2] || first.Videos[1].ID != ids[1] || !first.HasMore {
		t.Fatalf("first page: got %+v, want v3, v2 and more", first)
	}
	v := first.Videos[0]
	if v.Title != "v3" || v.CreateTime == 0 || !strings.Contains(v.ShareURL, "@lister/video/"+ids[2]) {
		t.Errorf("got video %+v, want v3 with its time and share URL", v)
	}
	second, err := e.c.RecentVideos(bg, tok.AccessToken, first.Cursor, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Videos) != 1 || second.Videos[0].ID != ids[0] || second.HasMore {
		t.Errorf("second page: got %+v, want v1 and no more", second)
	}
	other := e.connect("stranger")
	if page, err := e.c.RecentVideos(bg, other.AccessToken, 0, 0); err != nil || len(page.Videos) != 0 {
		t.Errorf("another user: got %+v, %v; want no videos", page, err)
	}
}

// Metrics go 20 ids per call; ids the user does not own are left out.
func TestVideoMetrics(t *testing.T) {
	rec := &recorder{}
	e := newEnv(t, simulator.Config{}, func(c *tiktok.Config) { c.HTTP.Transport = rec })
	tok := e.connect("counted")
	id := e.publish(tok, "counted")
	other := e.connect("other")
	foreign := e.publish(other, "not yours")
	if !e.sim.SetTikTokVideoStats(id, 1200, 80, 7, 3) {
		t.Fatal("the simulator does not know the post")
	}
	ids := []string{foreign}
	for i := 0; i < 23; i++ {
		ids = append(ids, fmt.Sprintf("7%018d", i))
	}
	ids = append(ids, id)
	videos, err := e.c.VideoMetrics(bg, tok.AccessToken, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(videos) != 1 {
		t.Fatalf("got %d videos, want only the user's", len(videos))
	}
	v := videos[0]
	if v.ID != id || v.ViewCount != 1200 || v.LikeCount != 80 || v.CommentCount != 7 || v.ShareCount != 3 {
		t.Errorf("got %+v, want 1200 views, 80 likes, 7 comments, 3 shares", v)
	}
	if calls := rec.matching("POST /tiktok/open/v2/video/query/"); len(calls) != 2 {
		t.Errorf("got %d query calls for %d ids, want 2", len(calls), len(ids))
	}
	if videos, err := e.c.VideoMetrics(bg, tok.AccessToken, nil); err != nil || len(videos) != 0 {
		t.Errorf("no ids: got %v, %v; want nothing", videos, err)
	}
}

// A publish whose answer is lost fails Retryable, yet the post exists:
// RecentVideos finds it before anyone posts it again.
func TestLostResponseReconciles(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("unsure")
	e.sim.SetFaults(simulator.TikTok, simulator.FaultRequest{Faults: simulator.Faults{LoseResponses: 1}})
	_, err := e.c.PublishVideoFromURL(bg, tok.AccessToken, tiktok.Post{Title: "lost answer", PrivacyLevel: tiktok.SelfOnly}, "https://media.smm.test/v.mp4")
	if pe := wantClass(t, "publish with the answer lost", err, providers.Retryable, ""); pe.Status != 0 {
		t.Errorf("got status %d, want 0 (no answer)", pe.Status)
	}
	page, err := e.c.RecentVideos(bg, tok.AccessToken, 0, 20)
	if err != nil || len(page.Videos) != 1 || page.Videos[0].Title != "lost answer" {
		t.Errorf("got %+v, %v; want the post whose answer was lost", page, err)
	}

	e.sim.SetFaults(simulator.TikTok, simulator.FaultRequest{Faults: simulator.Faults{LoseResponses: 1}})
	const size = 6 << 20
	id, err := e.c.PublishVideoFile(bg, tok.AccessToken, tiktok.Post{Title: "lost upload answer", PrivacyLevel: tiktok.SelfOnly}, video{size, "mp42"}, size)
	pe := wantClass(t, "upload with the last answer lost", err, providers.Retryable, "")
	if id == "" || !strings.HasPrefix(pe.Op, "upload chunk") {
		t.Errorf("got publish id %q and op %q, want the id and the chunk upload failing", id, pe.Op)
	}
	if st, err := e.c.FetchStatus(bg, tok.AccessToken, id); err != nil || st.Status != tiktok.StatusPublishComplete {
		t.Errorf("got %+v, %v; want the upload complete at TikTok", st, err)
	}
	pubs := e.sim.Published(simulator.TikTok)
	if len(pubs) != 2 || pubs[0].Caption != "lost answer" || pubs[1].Caption != "lost upload answer" {
		t.Errorf("got %d publications, want both posts whose answers were lost", len(pubs))
	}
}
