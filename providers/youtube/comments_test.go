package youtube_test

import (
	"context"
	"strings"
	"testing"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/youtube"
)

// allThreads pages through a video's threads.
func (e *env) allThreads(tok, videoID, status string, pageSize int) ([]youtube.CommentThread, int) {
	e.t.Helper()
	var out []youtube.CommentThread
	pages := 0
	q := youtube.CommentQuery{VideoID: videoID, MaxResults: pageSize, ModerationStatus: status}
	for {
		page, err := e.client.CommentThreads(context.Background(), tok, q)
		if err != nil {
			e.t.Fatal(err)
		}
		pages++
		out = append(out, page.Threads...)
		if page.NextPageToken == "" {
			return out, pages
		}
		q.PageToken = page.NextPageToken
	}
}

// Comment threads page; replies come with their thread.
func TestCommentThreads(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	tok := e.connect("sam")
	v := e.upload(tok, "Commented", 10)
	threads, pages := e.allThreads(tok.AccessToken, v.ID, "", 2)
	if len(threads) != 3 || pages != 2 {
		t.Fatalf("got %d threads in %d pages, want 3 in 2", len(threads), pages)
	}
	replied := 0
	for _, th := range threads {
		if th.TopLevel.ID == "" || th.TopLevel.Text == "" || th.TopLevel.AuthorName == "" || th.VideoID != v.ID || th.TopLevel.PublishedAt.IsZero() {
			t.Errorf("got thread %+v, want a full top-level comment on %s", th, v.ID)
		}
		if th.TotalReplyCount != len(th.Replies) {
			t.Errorf("got %d replies of %d, want all", len(th.Replies), th.TotalReplyCount)
		}
		for _, r := range th.Replies {
			replied++
			if r.ParentID != th.ID {
				t.Errorf("got reply parent %q, want %q", r.ParentID, th.ID)
			}
		}
	}
	if replied != 1 {
		t.Errorf("got %d replies, want the seeded one", replied)
	}
	held, _ := e.allThreads(tok.AccessToken, v.ID, youtube.HeldForReview, 20)
	if len(held) != 1 || held[0].TopLevel.ModerationStatus != youtube.HeldForReview {
		t.Errorf("got held %+v, want one comment held for review", held)
	}
	other := e.connect("tina")
	_, err := e.client.CommentThreads(context.Background(), other.AccessToken, youtube.CommentQuery{VideoID: v.ID, ModerationStatus: youtube.HeldForReview})
	wantClass(t, "another channel's held comments", err, providers.Permanent, "forbidden")
	_, err = e.client.CommentThreads(context.Background(), tok.AccessToken, youtube.CommentQuery{VideoID: "nope"})
	wantClass(t, "unknown video", err, providers.Permanent, "videoNotFound")
	_, err = e.client.CommentThreads(context.Background(), tok.AccessToken, youtube.CommentQuery{VideoID: v.ID, PageToken: "garbage!"})
	wantClass(t, "bad page token", err, providers.Permanent, "invalidPageToken")
}

// A reply joins its thread; refusals are classified.
func TestReply(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	ctx := context.Background()
	tok := e.connect("uma")
	v := e.upload(tok, "Reply here", 10)
	threads, _ := e.allThreads(tok.AccessToken, v.ID, "", 20)
	parent := threads[len(threads)-1]
	r, err := e.client.Reply(ctx, tok.AccessToken, parent.ID, "Thanks for watching!")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID == "" || r.ParentID != parent.ID || r.Text != "Thanks for watching!" || r.AuthorName != "uma" {
		t.Errorf("got %+v, want uma's reply to %s", r, parent.ID)
	}
	threads, _ = e.allThreads(tok.AccessToken, v.ID, "", 20)
	found := false
	for _, th := range threads {
		for _, x := range th.Replies {
			found = found || x.ID == r.ID && th.ID == parent.ID
		}
	}
	if !found {
		t.Errorf("the reply %s is not in thread %s", r.ID, parent.ID)
	}
	for _, tc := range []struct {
		name, parent, text string
		code               string
	}{
		{"unknown parent", "Ugznope", "hi", "parentCommentNotFound"},
		{"reply to a reply", r.ID, "hi", "operationNotSupported"},
		{"empty", parent.ID, "  ", "commentTextRequired"},
		{"too long", parent.ID, strings.Repeat("x", youtube.MaxCommentChars+1), "commentTextTooLong"},
	} {
		_, err := e.client.Reply(ctx, tok.AccessToken, tc.parent, tc.text)
		wantClass(t, tc.name, err, providers.Permanent, tc.code)
	}
}

// Moderation moves comments between the lists, for the owner only.
func TestSetModerationStatus(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	ctx := context.Background()
	tok := e.connect("vic")
	v := e.upload(tok, "Moderated", 10)
	held, _ := e.allThreads(tok.AccessToken, v.ID, youtube.HeldForReview, 20)
	published, _ := e.allThreads(tok.AccessToken, v.ID, "", 20)
	if err := e.client.SetModerationStatus(ctx, tok.AccessToken, youtube.Published, held[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.client.SetModerationStatus(ctx, tok.AccessToken, youtube.Rejected, published[0].ID, published[1].ID); err != nil {
		t.Fatal(err)
	}
	now, _ := e.allThreads(tok.AccessToken, v.ID, "", 20)
	ids := map[string]bool{}
	for _, th := range now {
		ids[th.ID] = true
	}
	if len(now) != 2 || !ids[held[0].ID] || ids[published[0].ID] || ids[published[1].ID] {
		t.Errorf("got threads %v, want the approved one in and the two rejected out", ids)
	}
	if h, _ := e.allThreads(tok.AccessToken, v.ID, youtube.HeldForReview, 20); len(h) != 0 {
		t.Errorf("got %d held, want 0", len(h))
	}

	other := e.connect("wendy")
	for _, tc := range []struct {
		name, tok, status string
		ids               []string
		code              string
	}{
		{"another channel's comment", other.AccessToken, youtube.Rejected, []string{held[0].ID}, "forbidden"},
		{"unknown comment", tok.AccessToken, youtube.Rejected, []string{"Ugznope"}, "commentNotFound"},
		{"unknown status", tok.AccessToken, "deleted", []string{held[0].ID}, "invalidModerationStatus"},
		{"no id", tok.AccessToken, youtube.Published, nil, "required"},
	} {
		err := e.client.SetModerationStatus(ctx, tc.tok, tc.status, tc.ids...)
		wantClass(t, tc.name, err, providers.Permanent, tc.code)
	}
}
