package instagram_test

import (
	"testing"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/instagram"
	"github.com/socialmediamanager/smm/providers/simulator"
)

// TestComments lists, pages, replies to, hides, shows and deletes the
// comments on a post, and checks the refusals: a reply to a reply or to a
// hidden comment, another account's comments.
func TestComments(t *testing.T) {
	e := newEnv(t, simulator.Config{}, nil)
	a, other := e.connect("sam"), e.connect("tia")
	tok, ctx := a.token.AccessToken, t.Context()
	post, err := e.client.PublishImage(ctx, tok, a.id, instagram.Image{URL: cdn + "c.jpg"})
	if err != nil {
		t.Fatal(err)
	}

	first, err := e.client.Comments(ctx, tok, post.MediaID, "", 2)
	if err != nil {
		t.Fatalf("comments: %v", err)
	}
	if len(first.Comments) != 2 || first.After == "" {
		t.Fatalf("got %+v, want a first page of 2 and a cursor", first)
	}
	rest, err := e.client.Comments(ctx, tok, post.MediaID, first.After, 2)
	if err != nil || len(rest.Comments) != 1 || rest.After != "" {
		t.Fatalf("got %+v (%v), want the last comment and no cursor", rest, err)
	}
	top := first.Comments[0]
	if top.ID == "" || top.Text == "" || top.Username == "" || top.Timestamp.IsZero() || top.Hidden || top.ParentID != "" {
		t.Errorf("got %+v, want a visible top-level comment with id, text, username and time", top)
	}

	replies, err := e.client.Replies(ctx, tok, top.ID, "", 0)
	if err != nil || len(replies.Comments) != 1 || replies.Comments[0].ParentID != top.ID {
		t.Fatalf("got %+v (%v), want the seeded reply to %s", replies, err, top.ID)
	}
	id, err := e.client.Reply(ctx, tok, top.ID, "Thanks!")
	if err != nil || id == "" {
		t.Fatalf("reply: got %q (%v)", id, err)
	}
	replies, err = e.client.Replies(ctx, tok, top.ID, "", 0)
	if err != nil || len(replies.Comments) != 2 || replies.Comments[1].ID != id || replies.Comments[1].Text != "Thanks!" || replies.Comments[1].Username != "sam" {
		t.Errorf("got %+v (%v), want our reply last, by sam", replies, err)
	}
	_, err = e.client.Reply(ctx, tok, id, "to a reply")
	wantErr(t, err, providers.Permanent, "100", "")

	second := first.Comments[1]
	if err := e.client.HideComment(ctx, tok, second.ID, true); err != nil {
		t.Fatalf("hide: %v", err)
	}
	page, _ := e.client.Comments(ctx, tok, post.MediaID, "", 10)
	if len(page.Comments) != 3 || !page.Comments[1].Hidden {
		t.Errorf("got %+v, want the hidden comment still listed to the owner, marked hidden", page)
	}
	_, err = e.client.Reply(ctx, tok, second.ID, "to a hidden one")
	wantErr(t, err, providers.Permanent, "100", "")
	if err := e.client.HideComment(ctx, tok, second.ID, false); err != nil {
		t.Fatalf("show: %v", err)
	}
	if _, err := e.client.Reply(ctx, tok, second.ID, "now visible"); err != nil {
		t.Errorf("reply once shown: %v", err)
	}

	if err := e.client.DeleteComment(ctx, tok, second.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	page, _ = e.client.Comments(ctx, tok, post.MediaID, "", 10)
	if len(page.Comments) != 2 {
		t.Errorf("got %d comments, want 2 after the delete", len(page.Comments))
	}
	err = e.client.DeleteComment(ctx, tok, second.ID)
	wantErr(t, err, providers.Permanent, "100", "33")

	// Another account sees none of it.
	_, err = e.client.Comments(ctx, other.token.AccessToken, post.MediaID, "", 10)
	wantErr(t, err, providers.Permanent, "100", "33")
	err = e.client.HideComment(ctx, other.token.AccessToken, top.ID, true)
	wantErr(t, err, providers.Permanent, "100", "33")
}
