package instagram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// Container status codes (status_code).
const (
	StatusInProgress = "IN_PROGRESS"
	StatusFinished   = "FINISHED"
	StatusError      = "ERROR"
	StatusExpired    = "EXPIRED"
	StatusPublished  = "PUBLISHED"
)

// Container is what a media container holds: the media and the post's
// options. Publishing goes through containers so that Instagram can fetch
// and process the media before the post goes live.
type Container struct {
	// MediaType is "" (an image), "REELS", "STORIES", "CAROUSEL", or
	// "VIDEO" for a carousel's video item.
	MediaType string
	ImageURL  string
	VideoURL  string
	// IsCarouselItem marks a carousel's child; Children are the child
	// containers of a CAROUSEL.
	IsCarouselItem bool
	Children       []string
	Caption        string
	// ShareToFeed (reels): also show the reel in the feed grid.
	ShareToFeed *bool
	// CoverURL (reels): the cover image; ThumbOffset: the frame used as
	// cover otherwise.
	CoverURL    string
	ThumbOffset time.Duration
	AltText     string
	// Collaborators are usernames invited as collaborators.
	Collaborators []string
	UserTags      []UserTag
	LocationID    string
}

// UserTag tags a user on an image at (X, Y), fractions of its width and
// height; on a reel or a story the position is not used.
type UserTag struct {
	Username string
	X, Y     float64
}

// params are the container's creation parameters.
func (p Container) params() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("media_type", p.MediaType)
	set("image_url", p.ImageURL)
	set("video_url", p.VideoURL)
	if p.IsCarouselItem {
		q.Set("is_carousel_item", "true")
	}
	if len(p.Children) > 0 {
		q.Set("children", strings.Join(p.Children, ","))
	}
	set("caption", p.Caption)
	if p.ShareToFeed != nil {
		q.Set("share_to_feed", strconv.FormatBool(*p.ShareToFeed))
	}
	set("cover_url", p.CoverURL)
	if p.ThumbOffset > 0 {
		q.Set("thumb_offset", strconv.FormatInt(p.ThumbOffset.Milliseconds(), 10))
	}
	set("alt_text", p.AltText)
	if len(p.Collaborators) > 0 {
		b, _ := json.Marshal(p.Collaborators)
		q.Set("collaborators", string(b))
	}
	if len(p.UserTags) > 0 {
		positioned := p.MediaType == "" || p.MediaType == "IMAGE"
		tags := make([]map[string]any, 0, len(p.UserTags))
		for _, t := range p.UserTags {
			tag := map[string]any{"username": t.Username}
			if positioned {
				tag["x"], tag["y"] = t.X, t.Y
			}
			tags = append(tags, tag)
		}
		b, _ := json.Marshal(tags)
		q.Set("user_tags", string(b))
	}
	set("location_id", p.LocationID)
	return q
}

// CreateContainer creates a media container for the user and returns its
// id. Instagram then fetches and processes the media: ContainerStatus
// tells when it can be published. A container expires after 24 hours.
func (c *Client) CreateContainer(ctx context.Context, accessToken, userID string, p Container) (string, error) {
	var ans struct {
		ID flexString `json:"id"`
	}
	if err := c.post(ctx, "create container", accessToken, c.graph(userID, "media"), p.params(), &ans); err != nil {
		return "", err
	}
	if ans.ID == "" {
		return "", local("create container", providers.Permanent, "the answer holds no container id")
	}
	return string(ans.ID), nil
}

// ContainerStatus is a container's processing state.
type ContainerStatus struct {
	// Code is the status_code (StatusInProgress, StatusFinished…).
	Code string
	// Message is Instagram's description (status), which names the error
	// subcode of a failed container.
	Message string
}

// ContainerStatus reads a container's processing state.
func (c *Client) ContainerStatus(ctx context.Context, accessToken, containerID string) (ContainerStatus, error) {
	var ans struct {
		StatusCode string `json:"status_code"`
		Status     string `json:"status"`
	}
	q := url.Values{"fields": {"status_code,status"}}
	if err := c.get(ctx, "container status", accessToken, c.graph(containerID), q, &ans); err != nil {
		return ContainerStatus{}, err
	}
	return ContainerStatus{Code: ans.StatusCode, Message: ans.Status}, nil
}

// WaitContainer polls the container every PollInterval until it is
// FINISHED (or already PUBLISHED, which a resuming caller reconciles with
// RecentMedia), for at most PollTimeout. A failed or expired container is
// an error; so is a container still in progress at the deadline
// (Retryable: wait again, the container lives 24 hours).
func (c *Client) WaitContainer(ctx context.Context, accessToken, containerID string) (ContainerStatus, error) {
	const op = "wait for container"
	deadline := time.Now().Add(c.cfg.PollTimeout)
	for {
		st, err := c.ContainerStatus(ctx, accessToken, containerID)
		switch {
		case err != nil && providers.ClassOf(err) != providers.Retryable:
			return st, err
		case err != nil:
			// A transient failure of the poll says nothing of the
			// container: poll again.
		case st.Code == StatusFinished || st.Code == StatusPublished:
			return st, nil
		case st.Code == StatusError || st.Code == StatusExpired:
			return st, containerFailed(op, containerID, st)
		}
		wait := c.cfg.PollInterval
		if time.Until(deadline) < wait {
			e := local(op, providers.Retryable, "container %s still %s after %s", containerID, orUnknown(st.Code), c.cfg.PollTimeout)
			e.Err = err // the last poll's failure, if it failed
			return st, e
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return st, &providers.Error{Provider: Provider, Op: op, Class: providers.Retryable,
				Message: "container " + containerID, Err: ctx.Err()}
		case <-t.C:
		}
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// subcodeInStatus finds Instagram's error subcode in a status text
// ("Error: Media download has timed out (2207003)").
var subcodeInStatus = regexp.MustCompile(`\b(22070\d\d)\b`)

// containerFailed classifies an ERROR or EXPIRED container: an expired one
// needs a new container (Permanent for this one); a failed one is
// classified from its subcode (a download timeout may succeed with a new
// container: Retryable).
func containerFailed(op, id string, st ContainerStatus) *providers.Error {
	e := &providers.Error{Provider: Provider, Op: op, Code: st.Code, Class: providers.Permanent,
		Message: fmt.Sprintf("container %s: %s", id, st.Message)}
	if st.Code == StatusExpired {
		e.Subcode = "2207020"
		e.Message = fmt.Sprintf("container %s expired: create a new one", id)
		return e
	}
	if m := subcodeInStatus.FindStringSubmatch(st.Message); m != nil {
		e.Subcode = m[1]
		sub, _ := strconv.Atoi(m[1])
		switch sub {
		case 2207001, 2207003, 2207032:
			e.Class = providers.Retryable
		}
	}
	return e
}

// PublishContainer publishes a finished container and returns the media
// id. When its answer is lost, the outcome is unknown: ContainerStatus
// says PUBLISHED if it went through, and RecentMedia finds the media.
func (c *Client) PublishContainer(ctx context.Context, accessToken, userID, containerID string) (string, error) {
	var ans struct {
		ID flexString `json:"id"`
	}
	q := url.Values{"creation_id": {containerID}}
	if err := c.post(ctx, "publish container", accessToken, c.graph(userID, "media_publish"), q, &ans); err != nil {
		return "", err
	}
	if ans.ID == "" {
		return "", local("publish container", providers.Retryable, "the answer holds no media id")
	}
	return string(ans.ID), nil
}

// errAlreadyPublished is a fresh container found PUBLISHED: another
// publish of it went through, whose media id only RecentMedia can tell.
var errAlreadyPublished = errors.New("the container was already published")
