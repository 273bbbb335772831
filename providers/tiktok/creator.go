package tiktok

import (
	"context"
	"net/http"
)

// The privacy levels a post may have; a creator offers a subset
// (CreatorInfo.PrivacyLevelOptions: an unaudited app gets SELF_ONLY only).
const (
	PublicToEveryone    = "PUBLIC_TO_EVERYONE"
	MutualFollowFriends = "MUTUAL_FOLLOW_FRIENDS"
	FollowerOfCreator   = "FOLLOWER_OF_CREATOR"
	SelfOnly            = "SELF_ONLY"
)

// CreatorInfo is what TikTok says the creator may post now: TikTok's UX
// rules require asking it before each post, and a post must pick one of
// its privacy levels and keep disabled interactions disabled.
type CreatorInfo struct {
	AvatarURL               string   `json:"creator_avatar_url"`
	Username                string   `json:"creator_username"`
	Nickname                string   `json:"creator_nickname"`
	PrivacyLevelOptions     []string `json:"privacy_level_options"`
	CommentDisabled         bool     `json:"comment_disabled"`
	DuetDisabled            bool     `json:"duet_disabled"`
	StitchDisabled          bool     `json:"stitch_disabled"`
	MaxVideoPostDurationSec int      `json:"max_video_post_duration_sec"`
}

// Allows reports whether level is one of the creator's privacy options.
func (ci CreatorInfo) Allows(level string) bool {
	for _, o := range ci.PrivacyLevelOptions {
		if o == level {
			return true
		}
	}
	return false
}

// CreatorInfo asks what the creator may post now (20 calls a minute per
// token). A creator who cannot post now is refused with the reason
// (spam_risk_too_many_posts: QuotaExhausted; a ban: Permanent).
func (c *Client) CreatorInfo(ctx context.Context, accessToken string) (CreatorInfo, error) {
	var ci CreatorInfo
	err := c.call(ctx, "query creator info", http.MethodPost, "/v2/post/publish/creator_info/query/", nil, accessToken, struct{}{}, &ci)
	return ci, err
}
