package instagram

import (
	"context"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// Published is the outcome of a publish. On failure ContainerID is still
// set once the container exists, so the caller can resume (ContainerStatus,
// PublishContainer) instead of creating another.
type Published struct {
	ContainerID string
	MediaID     string
}

// Image is a feed post of one JPEG image.
type Image struct {
	URL           string
	Caption       string
	AltText       string
	LocationID    string
	Collaborators []string
	UserTags      []UserTag
}

// Reel is a video published as a reel (MP4/MOV, 3 s–15 min).
type Reel struct {
	VideoURL      string
	Caption       string
	CoverURL      string
	ThumbOffset   time.Duration
	ShareToFeed   *bool
	LocationID    string
	Collaborators []string
	UserTags      []UserTag
}

// Story is a story of one image or one video (3–60 s); set one URL.
type Story struct {
	ImageURL string
	VideoURL string
	UserTags []UserTag
}

// CarouselItem is one image or video of a carousel; set one URL.
type CarouselItem struct {
	ImageURL string
	VideoURL string
	AltText  string
	UserTags []UserTag
}

// Carousel is a feed post of 2 to 10 images and videos.
type Carousel struct {
	Items         []CarouselItem
	Caption       string
	LocationID    string
	Collaborators []string
}

// Carousel sizes Instagram accepts.
const (
	carouselMin = 2
	carouselMax = 10
)

// PublishImage publishes an image to the feed: container, processing,
// publish.
func (c *Client) PublishImage(ctx context.Context, accessToken, userID string, p Image) (Published, error) {
	return c.publish(ctx, accessToken, userID, Container{ImageURL: p.URL, Caption: p.Caption, AltText: p.AltText,
		LocationID: p.LocationID, Collaborators: p.Collaborators, UserTags: p.UserTags})
}

// PublishReel publishes a reel.
func (c *Client) PublishReel(ctx context.Context, accessToken, userID string, p Reel) (Published, error) {
	return c.publish(ctx, accessToken, userID, Container{MediaType: "REELS", VideoURL: p.VideoURL, Caption: p.Caption,
		CoverURL: p.CoverURL, ThumbOffset: p.ThumbOffset, ShareToFeed: p.ShareToFeed, LocationID: p.LocationID,
		Collaborators: p.Collaborators, UserTags: p.UserTags})
}

// PublishStory publishes a story (stories take no caption).
func (c *Client) PublishStory(ctx context.Context, accessToken, userID string, p Story) (Published, error) {
	if (p.ImageURL == "") == (p.VideoURL == "") {
		return Published{}, local("publish story", providers.Permanent, "a story takes exactly one of an image and a video")
	}
	return c.publish(ctx, accessToken, userID, Container{MediaType: "STORIES", ImageURL: p.ImageURL, VideoURL: p.VideoURL,
		UserTags: p.UserTags})
}

// PublishCarousel publishes a carousel: one container per item, each
// processed, then the carousel's container, processed and published.
func (c *Client) PublishCarousel(ctx context.Context, accessToken, userID string, p Carousel) (Published, error) {
	const op = "publish carousel"
	if n := len(p.Items); n < carouselMin || n > carouselMax {
		return Published{}, local(op, providers.Permanent, "a carousel has %d to %d items, not %d", carouselMin, carouselMax, n)
	}
	children := make([]string, 0, len(p.Items))
	for i, it := range p.Items {
		if (it.ImageURL == "") == (it.VideoURL == "") {
			return Published{}, local(op, providers.Permanent, "carousel item %d takes exactly one of an image and a video", i+1)
		}
		item := Container{IsCarouselItem: true, ImageURL: it.ImageURL, VideoURL: it.VideoURL, AltText: it.AltText, UserTags: it.UserTags}
		if it.VideoURL != "" {
			item.MediaType = "VIDEO"
		}
		id, err := c.CreateContainer(ctx, accessToken, userID, item)
		if err != nil {
			return Published{}, err
		}
		children = append(children, id)
	}
	for _, id := range children {
		if _, err := c.WaitContainer(ctx, accessToken, id); err != nil {
			return Published{}, err
		}
	}
	return c.publish(ctx, accessToken, userID, Container{MediaType: "CAROUSEL", Children: children, Caption: p.Caption,
		LocationID: p.LocationID, Collaborators: p.Collaborators})
}

// publish runs the three steps for one container.
func (c *Client) publish(ctx context.Context, accessToken, userID string, p Container) (Published, error) {
	id, err := c.CreateContainer(ctx, accessToken, userID, p)
	if err != nil {
		return Published{}, err
	}
	out := Published{ContainerID: id}
	st, err := c.WaitContainer(ctx, accessToken, id)
	if err != nil {
		return out, err
	}
	if st.Code == StatusPublished {
		return out, &providers.Error{Provider: Provider, Op: "publish container", Class: providers.Permanent,
			Code: st.Code, Message: "container " + id + ": find the media with RecentMedia", Err: errAlreadyPublished}
	}
	out.MediaID, err = c.PublishContainer(ctx, accessToken, userID, id)
	return out, err
}
