package simulator

import (
	"crypto/sha256"
	"encoding"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// TikTok's simulated hosts, in the shapes of PROVIDERS.md:
//
//	GET  /tiktok/www/v2/auth/authorize/                 authorize page (auto-approves)
//	POST /tiktok/open/v2/oauth/token/                   code and refresh grants (refresh tokens rotate)
//	POST /tiktok/open/v2/oauth/revoke/                  revokes every token of the grant
//	GET  /tiktok/open/v2/user/info/                     profile (600/min per token)
//	POST /tiktok/open/v2/post/publish/creator_info/query/  (20/min)
//	POST /tiktok/open/v2/post/publish/video/init/       PULL_FROM_URL or FILE_UPLOAD (6/min)
//	POST /tiktok/open/v2/post/publish/content/init/     photos (6/min)
//	PUT  /tiktok/upload/{id}                            file chunks, in order
//	POST /tiktok/open/v2/post/publish/status/fetch/     (30/min)
//	POST /tiktok/open/v2/video/list/, /v2/video/query/  Display API (600/min each)
//
// Besides sim_user and sim_deny on the authorize page, tests steer it
// through the media URLs: a URL whose query holds sim_fail=REASON makes the
// post fail with that fail_reason once processed (and it is not
// recorded), and a host beginning with "unverified." is refused with
// url_ownership_unverified. SetTikTokCreator changes what creator_info
// says of a user (privacy options, a posting ban); SetTikTokVideoStats
// sets a post's counts.

// TikTok's chunking rules and post limits (PROVIDERS.md).
const (
	ttMinChunk     = 5 << 20
	ttMaxChunk     = 64 << 20
	ttMaxLastChunk = 128 << 20
	ttMaxChunks    = 1000
	ttMaxVideo     = 4 << 30
	ttMaxTitle     = 2200
	ttMaxPhotoT    = 90
	ttMaxPhotoDesc = 4000
	ttMaxPhotos    = 35
	ttCodeTTL      = 10 * time.Minute
)

// Per-token per-minute limits of the endpoints.
var ttLimits = map[string]int{
	"creator_info": 20, "video_init": 6, "content_init": 6, "status": 30,
	"user_info": 600, "video_list": 600, "video_query": 600,
}

var ttPrivacyLevels = []string{"PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"}

// TikTokCreator is what creator_info says of a simulated user.
type TikTokCreator struct {
	// PrivacyLevelOptions defaults to all four levels.
	PrivacyLevelOptions []string
	CommentDisabled     bool
	DuetDisabled        bool
	StitchDisabled      bool
	// MaxVideoPostDurationSec defaults to 600.
	MaxVideoPostDurationSec int
	// BannedFromPosting refuses creator_info and every post with
	// spam_risk_user_banned_from_posting.
	BannedFromPosting bool
}

// SetTikTokCreator sets what creator_info says of the TikTok user with
// that open_id (a test of privacy options or of a ban).
func (s *Simulator) SetTikTokCreator(openID string, c TikTokCreator) {
	s.putObject("tiktok/creator/"+openID, c)
}

func (s *Simulator) ttCreator(openID string) TikTokCreator {
	c, _ := s.object("tiktok/creator/" + openID).(TikTokCreator)
	if len(c.PrivacyLevelOptions) == 0 {
		c.PrivacyLevelOptions = ttPrivacyLevels
	}
	if c.MaxVideoPostDurationSec == 0 {
		c.MaxVideoPostDurationSec = 600
	}
	return c
}

// SetTikTokVideoStats sets the counts the Display API reports for a
// published post (by its post id); false when there is no such post.
func (s *Simulator) SetTikTokVideoStats(postID string, views, likes, comments, shares int64) bool {
	found := false
	s.update(func() {
		if p, ok := s.objects["tiktok/video/"+postID].(*ttPost); ok {
			p.Stats = [4]int64{views, likes, comments, shares}
			found = true
		}
	})
	return found
}

// ttPost is a post opened by video/init or content/init. Its fields
// change under s.mu.
type ttPost struct {
	PublishID, OpenID string
	Kind              string // VIDEO, PHOTO
	Source            string // PULL_FROM_URL, FILE_UPLOAD
	Mode              string // DIRECT_POST, MEDIA_UPLOAD
	Title, Desc       string
	Media             []string
	Options           map[string]string
	// File uploads: the plan and the progress.
	Size, Chunk int64
	Count       int
	Received    int64
	NextChunk   int
	Sum         hash.Hash
	ContentType string
	Uploaded    bool
	Busy        bool // a chunk is arriving
	// ReadyAt is when processing ends; FailReason makes it end FAILED.
	ReadyAt    time.Time
	FailReason string
	PostID     string
	CreateMS   int64
	Stats      [4]int64 // views, likes, comments, shares
}

// ttStatus is where p stands at now (under s.mu).
func ttStatus(p *ttPost, now time.Time) string {
	processing := "PROCESSING_DOWNLOAD"
	if p.Source == "FILE_UPLOAD" {
		processing = "PROCESSING_UPLOAD"
	}
	switch {
	case p.Source == "FILE_UPLOAD" && !p.Uploaded, now.Before(p.ReadyAt):
		return processing
	case p.FailReason != "":
		return "FAILED"
	case p.Mode == "MEDIA_UPLOAD":
		return "SEND_TO_USER_INBOX"
	}
	return "PUBLISH_COMPLETE"
}

func (s *Simulator) tiktokRoutes() {
	s.setDialect(TikTok, func(w http.ResponseWriter, kind FaultKind, retryAfter time.Duration) {
		switch kind {
		case FaultRateLimited:
			if retryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
			}
			ttError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "The API rate limit was exceeded. Please try again later.")
		case FaultOutage:
			ttError(w, http.StatusServiceUnavailable, "internal_error", "Service unavailable.")
		default:
			ttError(w, http.StatusInternalServerError, "internal_error", "Internal error, please retry.")
		}
	})
	s.mux.HandleFunc("GET /tiktok/www/v2/auth/authorize/", s.ttAuthorize)
	s.mux.HandleFunc("POST /tiktok/open/v2/oauth/token/", s.ttToken)
	s.mux.HandleFunc("POST /tiktok/open/v2/oauth/revoke/", s.ttRevoke)
	s.mux.HandleFunc("GET /tiktok/open/v2/user/info/", s.ttUserInfo)
	s.mux.HandleFunc("POST /tiktok/open/v2/post/publish/creator_info/query/", s.ttCreatorInfo)
	s.mux.HandleFunc("POST /tiktok/open/v2/post/publish/video/init/", s.ttVideoInit)
	s.mux.HandleFunc("POST /tiktok/open/v2/post/publish/content/init/", s.ttContentInit)
	s.mux.HandleFunc("PUT /tiktok/upload/{id}", s.ttUpload)
	s.mux.HandleFunc("POST /tiktok/open/v2/post/publish/status/fetch/", s.ttStatusFetch)
	s.mux.HandleFunc("POST /tiktok/open/v2/video/list/", s.ttVideoList)
	s.mux.HandleFunc("POST /tiktok/open/v2/video/query/", s.ttVideoQuery)
}

// --- answers ---------------------------------------------------------

func ttLogID() string { return strings.ToUpper(randomID("2026", 12)) }

// ttOK writes the API envelope around data.
func ttOK(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, map[string]any{"data": data,
		"error": map[string]string{"code": "ok", "message": "", "log_id": ttLogID()}})
}

// ttError writes the API envelope with an error.
func ttError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"data": map[string]any{},
		"error": map[string]string{"code": code, "message": msg, "log_id": ttLogID()}})
}

// ttOAuthError writes a token endpoint's error.
func ttOAuthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc, "log_id": ttLogID()})
}

// --- OAuth -----------------------------------------------------------

// ttAuthorize is the authorize page: it signs in sim_user (a fresh user
// by default) and approves at once, or denies with sim_deny=1.
func (s *Simulator) ttAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("client_key") == "" || err != nil || !back.IsAbs() {
		http.Error(w, "TikTok: client_key and an absolute redirect_uri are required", http.StatusBadRequest)
		return
	}
	answer := back.Query()
	if st := q.Get("state"); st != "" {
		answer.Set("state", st)
	}
	redirect := func() {
		back.RawQuery = answer.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
	scopes := ttSplitList(q.Get("scope"))
	switch {
	case q.Get("response_type") != "code":
		answer.Set("error", "unsupported_response_type")
		answer.Set("error_description", "response_type must be code")
	case len(scopes) == 0:
		answer.Set("error", "invalid_scope")
		answer.Set("error_description", "scope is required")
	case q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256":
		answer.Set("error", "invalid_request")
		answer.Set("error_description", "code_challenge_method must be S256")
	case q.Get("sim_deny") == "1":
		answer.Set("error", "access_denied")
		answer.Set("error_description", "The user denied the authorization request.")
	default:
		u := s.user(TikTok, q.Get("sim_user"))
		code := s.issue(TikTok, "code", u, scopes, ttCodeTTL, map[string]string{
			"client_key": q.Get("client_key"), "redirect_uri": q.Get("redirect_uri"), "code_challenge": q.Get("code_challenge")})
		answer.Set("code", code.Value)
		answer.Set("scopes", strings.Join(scopes, ","))
	}
	redirect()
}

func ttSplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// ttPKCEMatches checks a verifier against its S256 challenge (base64url, or
// the hex TikTok's desktop kit uses).
func ttPKCEMatches(verifier, challenge string) bool {
	sum := sha256.Sum256([]byte(verifier))
	return verifier != "" && (base64.RawURLEncoding.EncodeToString(sum[:]) == challenge || hex.EncodeToString(sum[:]) == challenge)
}

// ttToken is the token endpoint: codes are single use and bound to their
// redirect_uri, client and PKCE challenge; a refresh token works once (the
// new one replaces it).
func (s *Simulator) ttToken(w http.ResponseWriter, r *http.Request) {
	if s.inject(TikTok, w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		ttOAuthError(w, http.StatusBadRequest, "invalid_request", "The request body is not a form.")
		return
	}
	f := r.PostForm
	clientKey := f.Get("client_key")
	if clientKey == "" || f.Get("client_secret") == "" {
		ttOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client key or secret is missing.")
		return
	}
	var grant *Token
	switch f.Get("grant_type") {
	case "authorization_code":
		t, problem := s.lookup(TikTok, "code", f.Get("code"))
		switch {
		case problem != TokenOK || !s.markUsed(t):
			ttOAuthError(w, http.StatusBadRequest, "invalid_grant", "Authorization code is expired or already used.")
			return
		case t.Extra["client_key"] != clientKey:
			ttOAuthError(w, http.StatusBadRequest, "invalid_grant", "The code was issued to another client.")
			return
		case t.Extra["redirect_uri"] != f.Get("redirect_uri"):
			ttOAuthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request.")
			return
		case t.Extra["code_challenge"] != "" && !ttPKCEMatches(f.Get("code_verifier"), t.Extra["code_challenge"]):
			ttOAuthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge.")
			return
		}
		grant = t
	case "refresh_token":
		t, problem := s.lookup(TikTok, "refresh", f.Get("refresh_token"))
		switch {
		case problem != TokenOK:
			ttOAuthError(w, http.StatusBadRequest, "invalid_grant", "Refresh token is invalid or expired.")
			return
		case t.Extra["client_key"] != clientKey:
			ttOAuthError(w, http.StatusBadRequest, "invalid_grant", "The refresh token was issued to another client.")
			return
		case !s.markUsed(t):
			ttOAuthError(w, http.StatusBadRequest, "invalid_grant", "Refresh token is invalid or expired.")
			return
		}
		grant = t
	default:
		ttOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token.")
		return
	}
	u := s.userByID(TikTok, grant.ExternalID)
	if u == nil {
		ttOAuthError(w, http.StatusBadRequest, "invalid_grant", "The user is gone.")
		return
	}
	access := s.issue(TikTok, "access", u, grant.Scopes, s.cfg.TikTokAccessTTL, nil)
	refresh := s.issue(TikTok, "refresh", u, grant.Scopes, s.cfg.TikTokRefreshTTL, map[string]string{"client_key": clientKey})
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token":       access.Value,
		"expires_in":         int64(s.cfg.TikTokAccessTTL / time.Second),
		"open_id":            u.ExternalID,
		"refresh_expires_in": int64(s.cfg.TikTokRefreshTTL / time.Second),
		"refresh_token":      refresh.Value,
		"scope":              strings.Join(grant.Scopes, ","),
		"token_type":         "Bearer",
	})
}

// ttRevoke revokes the grant of an access (or refresh) token: every token
// of the user stops working. Revoking twice succeeds.
func (s *Simulator) ttRevoke(w http.ResponseWriter, r *http.Request) {
	if s.inject(TikTok, w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		ttOAuthError(w, http.StatusBadRequest, "invalid_request", "The request body is not a form.")
		return
	}
	if r.PostForm.Get("client_key") == "" || r.PostForm.Get("client_secret") == "" {
		ttOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client key or secret is missing.")
		return
	}
	value := r.PostForm.Get("token")
	t, problem := s.lookup(TikTok, "access", value)
	if problem == TokenUnknown {
		t, problem = s.lookup(TikTok, "refresh", value)
	}
	if problem == TokenUnknown {
		ttOAuthError(w, http.StatusBadRequest, "invalid_request", "The token is invalid.")
		return
	}
	s.revoke(TikTok, t.ExternalID)
	writeJSON(w, http.StatusOK, map[string]any{})
}

// --- API plumbing ----------------------------------------------------

// ttAuth checks the bearer token (access_token_invalid), the endpoint's
// per-token limit (rate_limit_exceeded) and, when scopes are given, that
// the token holds one of them (scope_not_authorized).
func (s *Simulator) ttAuth(w http.ResponseWriter, r *http.Request, limit string, scopes ...string) (*Token, bool) {
	value := bearer(r)
	t, problem := s.lookup(TikTok, "access", value)
	if problem != TokenOK {
		ttError(w, http.StatusUnauthorized, "access_token_invalid", "The access token is invalid or not found in the request.")
		return nil, false
	}
	if n := ttLimits[limit]; n > 0 {
		if ok, wait := s.allow("tiktok/"+limit+"/"+value, n, time.Minute); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
			ttError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "The API rate limit was exceeded. Please try again later.")
			return nil, false
		}
	}
	if len(scopes) > 0 && !ttHasScope(t, scopes...) {
		ttError(w, http.StatusUnauthorized, "scope_not_authorized", "The user did not authorize the scope required for completing this request.")
		return nil, false
	}
	return t, true
}

func ttHasScope(t *Token, scopes ...string) bool {
	for _, sc := range scopes {
		if contains(t.Scopes, sc) {
			return true
		}
	}
	return false
}

// ttDecode reads a JSON body into v; false (answered) when it is not.
func ttDecode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		ttError(w, http.StatusBadRequest, "invalid_params", "The request body is not valid JSON: "+err.Error())
		return false
	}
	return true
}

func ttUTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// ttMediaURL checks a PULL_FROM_URL address: "" when usable, else the
// error code and message.
func ttMediaURL(raw string) (code, msg string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "invalid_params", "media URLs must be absolute http(s) URLs"
	}
	if strings.HasPrefix(u.Hostname(), "unverified.") {
		return "url_ownership_unverified", "The domain of the media URL is not verified for this client."
	}
	return "", ""
}

// ttFailReason is the fail_reason a media URL asks for (sim_fail=…).
func ttFailReason(urls ...string) string {
	for _, raw := range urls {
		if u, err := url.Parse(raw); err == nil {
			if r := u.Query().Get("sim_fail"); r != "" {
				return r
			}
		}
	}
	return ""
}

func ttPostsKey(openID string) string { return "tiktok/posts/" + openID }

// ttCapReached reports whether the user has used their posts of the last
// 24 h (creator_info says so before a post is tried).
func (s *Simulator) ttCapReached(openID string) bool {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.windows[ttPostsKey(openID)] {
		if t.After(now.Add(-24 * time.Hour)) {
			n++
		}
	}
	return n >= s.cfg.TikTokPostsPerDay
}

// ttCanPost applies the creator's checks common to every post: a ban, the
// privacy level (when the post has one), then the daily cap, which it
// counts. It answers and reports false when the post is refused.
func (s *Simulator) ttCanPost(w http.ResponseWriter, openID, privacy string, urls []string) bool {
	c := s.ttCreator(openID)
	if c.BannedFromPosting {
		ttError(w, http.StatusForbidden, "spam_risk_user_banned_from_posting", "The user is banned from making new posts.")
		return false
	}
	if privacy != "" && !contains(c.PrivacyLevelOptions, privacy) {
		ttError(w, http.StatusForbidden, "privacy_level_option_mismatch", "privacy_level is not among the creator's privacy_level_options.")
		return false
	}
	for _, u := range urls {
		if code, msg := ttMediaURL(u); code != "" {
			status := http.StatusBadRequest
			if code == "url_ownership_unverified" {
				status = http.StatusForbidden
			}
			ttError(w, status, code, msg)
			return false
		}
	}
	if ok, _ := s.allow(ttPostsKey(openID), s.cfg.TikTokPostsPerDay, 24*time.Hour); !ok {
		ttError(w, http.StatusForbidden, "spam_risk_too_many_posts", "The user has reached the daily post cap.")
		return false
	}
	return true
}

// ttOpen stores a new post and, for a pulled one, counts it published.
func (s *Simulator) ttOpen(p *ttPost) {
	prefix := map[string]string{"VIDEO/PULL_FROM_URL": "v_pub_url~v2-1.", "VIDEO/FILE_UPLOAD": "v_pub_file~v2-1."}[p.Kind+"/"+p.Source]
	if prefix == "" {
		prefix = "p_pub_url~v2-1."
	}
	p.PublishID = prefix + randomDigits(19)
	if p.Source != "FILE_UPLOAD" {
		p.ReadyAt = s.cfg.Now().Add(s.cfg.ProcessingDelay)
	}
	s.putObject("tiktok/publish/"+p.PublishID, p)
	if p.Source != "FILE_UPLOAD" {
		s.ttPublished(p)
	}
}

// ttPublished gives a post whose media all arrived its post id and
// creation time, lists it among the user's videos and records it, unless
// it is bound to fail.
func (s *Simulator) ttPublished(p *ttPost) {
	now := s.cfg.Now()
	s.update(func() {
		last, _ := s.objects["tiktok/last_create_ms"].(int64)
		p.CreateMS = max(now.UnixMilli(), last+1)
		s.objects["tiktok/last_create_ms"] = p.CreateMS
		p.PostID = "7" + randomDigits(18)
		s.objects["tiktok/video/"+p.PostID] = p
		list, _ := s.objects["tiktok/videos/"+p.OpenID].([]*ttPost)
		s.objects["tiktok/videos/"+p.OpenID] = append(list, p)
	})
	if p.FailReason != "" {
		return
	}
	opts := map[string]string{"post_id": p.PostID}
	for k, v := range p.Options {
		opts[k] = v
	}
	caption := p.Title
	if p.Kind == "PHOTO" {
		caption = p.Desc
	}
	s.record(Publication{Provider: TikTok, ExternalID: p.OpenID, ID: p.PublishID, Kind: p.Kind,
		Caption: caption, Media: append([]string(nil), p.Media...), Options: opts})
}

// ttPostOf returns the user's post by publish id, or nil.
func (s *Simulator) ttPostOf(openID, publishID string) *ttPost {
	p, _ := s.object("tiktok/publish/" + publishID).(*ttPost)
	if p == nil || p.OpenID != openID {
		return nil
	}
	return p
}

// --- user and creator ------------------------------------------------

func (s *Simulator) ttUserInfo(w http.ResponseWriter, r *http.Request) {
	if s.inject(TikTok, w, r) {
		return
	}
	t, ok := s.ttAuth(w, r, "user_info", "user.info.basic")
	if !ok {
		return
	}
	fields := ttSplitList(r.URL.Query().Get("fields"))
	if len(fields) == 0 {
		ttError(w, http.StatusBadRequest, "invalid_params", "fields is required.")
		return
	}
	u := s.userByID(TikTok, t.ExternalID)
	avatar := "https://p16-sign.tiktokcdn.com/sim/" + u.ExternalID + ".jpeg"
	all := map[string]string{"open_id": u.ExternalID, "union_id": "union" + u.ExternalID, "avatar_url": avatar,
		"avatar_url_100": avatar, "avatar_large_url": avatar, "display_name": u.Name, "username": u.Username}
	user := map[string]string{}
	for _, f := range fields {
		v, known := all[f]
		if !known {
			ttError(w, http.StatusBadRequest, "invalid_params", "Unknown field "+f+".")
			return
		}
		user[f] = v
	}
	ttOK(w, map[string]any{"user": user})
}

func (s *Simulator) ttCreatorInfo(w http.ResponseWriter, r *http.Request) {
	if s.inject(TikTok, w, r) {
		return
	}
	t, ok := s.ttAuth(w, r, "creator_info", "video.publish")
	if !ok {
		return
	}
	c := s.ttCreator(t.ExternalID)
	switch {
	case c.BannedFromPosting:
		ttError(w, http.StatusForbidden, "spam_risk_user_banned_from_posting", "The user is banned from making new posts.")
		return
	case s.ttCapReached(t.ExternalID):
		ttError(w, http.StatusForbidden, "spam_risk_too_many_posts", "The user has reached the daily post cap.")
		return
	}
	u := s.userByID(TikTok, t.ExternalID)
	ttOK(w, map[string]any{
		"creator_avatar_url":          "https://p16-sign.tiktokcdn.com/sim/" + u.ExternalID + ".jpeg",
		"creator_username":            u.Username,
		"creator_nickname":            u.Name,
		"privacy_level_options":       c.PrivacyLevelOptions,
		"comment_disabled":            c.CommentDisabled,
		"duet_disabled":               c.DuetDisabled,
		"stitch_disabled":             c.StitchDisabled,
		"max_video_post_duration_sec": c.MaxVideoPostDurationSec,
	})
}

// --- posting ---------------------------------------------------------

// ttPostInfo is post_info of both inits.
type ttPostInfo struct {
	Title                 string `json:"title"`
	Description           string `json:"description"`
	PrivacyLevel          string `json:"privacy_level"`
	DisableDuet           bool   `json:"disable_duet"`
	DisableComment        bool   `json:"disable_comment"`
	DisableStitch         bool   `json:"disable_stitch"`
	VideoCoverTimestampMS int64  `json:"video_cover_timestamp_ms"`
	BrandContentToggle    bool   `json:"brand_content_toggle"`
	BrandOrganicToggle    bool   `json:"brand_organic_toggle"`
	IsAIGC                bool   `json:"is_aigc"`
	AutoAddMusic          bool   `json:"auto_add_music"`
}

// options are the post's settings as a Publication holds them.
func (pi ttPostInfo) options() map[string]string {
	o := map[string]string{}
	if pi.PrivacyLevel != "" {
		o["privacy_level"] = pi.PrivacyLevel
	}
	flags := map[string]bool{"disable_duet": pi.DisableDuet, "disable_comment": pi.DisableComment,
		"disable_stitch": pi.DisableStitch, "brand_content_toggle": pi.BrandContentToggle,
		"brand_organic_toggle": pi.BrandOrganicToggle, "is_aigc": pi.IsAIGC, "auto_add_music": pi.AutoAddMusic}
	for k, v := range flags {
		if v {
			o[k] = "true"
		}
	}
	return o
}

type ttSourceInfo struct {
	Source          string   `json:"source"`
	VideoURL        string   `json:"video_url"`
	VideoSize       int64    `json:"video_size"`
	ChunkSize       int64    `json:"chunk_size"`
	TotalChunkCount int      `json:"total_chunk_count"`
	PhotoImages     []string `json:"photo_images"`
	PhotoCoverIndex *int     `json:"photo_cover_index"`
}

// ttChunkPlan checks a FILE_UPLOAD plan against the media transfer rules;
// "" when it holds.
func ttChunkPlan(size, chunk int64, count int) string {
	switch {
	case size <= 0 || size > ttMaxVideo:
		return "video_size must be between 1 byte and 4 GB"
	case count == 1 && chunk == size && size <= ttMaxChunk:
		return ""
	case size < ttMinChunk:
		return "a video under 5 MB is uploaded whole: chunk_size = video_size, total_chunk_count = 1"
	case chunk < ttMinChunk || chunk > ttMaxChunk:
		return "chunk_size must be between 5 MB and 64 MB"
	case count < 1 || count > ttMaxChunks || int64(count) != size/chunk:
		return "total_chunk_count must be video_size / chunk_size rounded down (1 to 1000)"
	case size-int64(count-1)*chunk > ttMaxLastChunk:
		return "the last chunk must not exceed 128 MB"
	}
	return ""
}

func (s *Simulator) ttVideoInit(w http.ResponseWriter, r *http.Request) {
	if s.inject(TikTok, w, r) {
		return
	}
	t, ok := s.ttAuth(w, r, "video_init", "video.publish")
	if !ok {
		return
	}
	var req struct {
		PostInfo   ttPostInfo   `json:"post_info"`
		SourceInfo ttSourceInfo `json:"source_info"`
	}
	if !ttDecode(w, r, &req) {
		return
	}
	pi, si := req.PostInfo, req.SourceInfo
	if !contains(ttPrivacyLevels, pi.PrivacyLevel) {
		ttError(w, http.StatusBadRequest, "invalid_params", "post_info.privacy_level is missing or unknown.")
		return
	}
	if n := ttUTF16Len(pi.Title); n > ttMaxTitle {
		ttError(w, http.StatusBadRequest, "invalid_params", fmt.Sprintf("post_info.title is %d UTF-16 units, over %d.", n, ttMaxTitle))
		return
	}
	p := &ttPost{OpenID: t.ExternalID, Kind: "VIDEO", Source: si.Source, Mode: "DIRECT_POST", Title: pi.Title, Options: pi.options()}
	p.Options["source"] = si.Source
	var urls []string
	switch si.Source {
	case "PULL_FROM_URL":
		if si.VideoURL == "" {
			ttError(w, http.StatusBadRequest, "invalid_params", "source_info.video_url is required for PULL_FROM_URL.")
			return
		}
		urls = []string{si.VideoURL}
		p.Media = urls
		p.FailReason = ttFailReason(si.VideoURL)
	case "FILE_UPLOAD":
		if msg := ttChunkPlan(si.VideoSize, si.ChunkSize, si.TotalChunkCount); msg != "" {
			ttError(w, http.StatusBadRequest, "invalid_params", msg)
			return
		}
		p.Size, p.Chunk, p.Count, p.Sum = si.VideoSize, si.ChunkSize, si.TotalChunkCount, sha256.New()
	default:
		ttError(w, http.StatusBadRequest, "invalid_params", "source_info.source must be FILE_UPLOAD or PULL_FROM_URL.")
		return
	}
	if !s.ttCanPost(w, t.ExternalID, pi.PrivacyLevel, urls) {
		return
	}
	s.ttOpen(p)
	data := map[string]string{"publish_id": p.PublishID}
	if p.Source == "FILE_UPLOAD" {
		id := randomID("", 16)
		s.putObject("tiktok/upload/"+id, p)
		data["upload_url"] = baseURL(r) + "/tiktok/upload/" + id
	} else if s.loseResponse(TikTok) {
		dropConnection(w)
		return
	}
	ttOK(w, data)
}

func (s *Simulator) ttContentInit(w http.ResponseWriter, r *http.Request) {
	if s.inject(TikTok, w, r) {
		return
	}
	t, ok := s.ttAuth(w, r, "content_init")
	if !ok {
		return
	}
	var req struct {
		PostInfo   ttPostInfo   `json:"post_info"`
		SourceInfo ttSourceInfo `json:"source_info"`
		PostMode   string       `json:"post_mode"`
		MediaType  string       `json:"media_type"`
	}
	if !ttDecode(w, r, &req) {
		return
	}
	pi, si := req.PostInfo, req.SourceInfo
	scope := map[string]string{"DIRECT_POST": "video.publish", "MEDIA_UPLOAD": "video.upload"}[req.PostMode]
	bad := func(msg string) { ttError(w, http.StatusBadRequest, "invalid_params", msg) }
	switch {
	case req.MediaType != "PHOTO":
		bad("media_type must be PHOTO.")
		return
	case scope == "":
		bad("post_mode must be DIRECT_POST or MEDIA_UPLOAD.")
		return
	case !ttHasScope(t, scope):
		ttError(w, http.StatusUnauthorized, "scope_not_authorized", "The user did not authorize the scope required for completing this request.")
		return
	case si.Source != "PULL_FROM_URL":
		bad("source_info.source must be PULL_FROM_URL for photos.")
		return
	case len(si.PhotoImages) == 0 || len(si.PhotoImages) > ttMaxPhotos:
		bad(fmt.Sprintf("source_info.photo_images must hold 1 to %d URLs.", ttMaxPhotos))
		return
	case si.PhotoCoverIndex == nil || *si.PhotoCoverIndex < 0 || *si.PhotoCoverIndex >= len(si.PhotoImages):
		bad("source_info.photo_cover_index must index photo_images.")
		return
	case ttUTF16Len(pi.Title) > ttMaxPhotoT:
		bad(fmt.Sprintf("post_info.title is over %d UTF-16 units.", ttMaxPhotoT))
		return
	case ttUTF16Len(pi.Description) > ttMaxPhotoDesc:
		bad(fmt.Sprintf("post_info.description is over %d UTF-16 units.", ttMaxPhotoDesc))
		return
	case req.PostMode == "DIRECT_POST" && !contains(ttPrivacyLevels, pi.PrivacyLevel):
		bad("post_info.privacy_level is missing or unknown.")
		return
	}
	privacy := ""
	if req.PostMode == "DIRECT_POST" {
		privacy = pi.PrivacyLevel
	}
	if !s.ttCanPost(w, t.ExternalID, privacy, si.PhotoImages) {
		return
	}
	p := &ttPost{OpenID: t.ExternalID, Kind: "PHOTO", Source: "PULL_FROM_URL", Mode: req.PostMode, Title: pi.Title, Desc: pi.Description,
		Media: append([]string(nil), si.PhotoImages...), Options: pi.options(), FailReason: ttFailReason(si.PhotoImages...)}
	p.Options["source"] = "PULL_FROM_URL"
	p.Options["post_mode"] = req.PostMode
	p.Options["photo_cover_index"] = strconv.Itoa(*si.PhotoCoverIndex)
	if pi.Title != "" {
		p.Options["title"] = pi.Title
	}
	s.ttOpen(p)
	if s.loseResponse(TikTok) {
		dropConnection(w)
		return
	}
	ttOK(w, map[string]string{"publish_id": p.PublishID})
}

var ttContentRange = regexp.MustCompile(`^bytes (\d+)-(\d+)/(\d+)$`)

var ttVideoTypes = []string{"video/mp4", "video/quicktime", "video/webm"}

// ttUpload takes one chunk of a FILE_UPLOAD post: in order, the exact
// range of the plan, one at a time; 206 until the last, 201 then. The
// file's SHA-256 lands in the publication's options ("sha256").
func (s *Simulator) ttUpload(w http.ResponseWriter, r *http.Request) {
	if s.inject(TikTok, w, r) {
		return
	}
	p, _ := s.object("tiktok/upload/" + r.PathValue("id")).(*ttPost)
	if p == nil {
		ttError(w, http.StatusNotFound, "invalid_params", "Unknown upload URL.")
		return
	}
	ct := r.Header.Get("Content-Type")
	if !contains(ttVideoTypes, ct) {
		ttError(w, http.StatusBadRequest, "invalid_file_upload", "Content-Type must be video/mp4, video/quicktime or video/webm.")
		return
	}
	m := ttContentRange.FindStringSubmatch(r.Header.Get("Content-Range"))
	if m == nil {
		ttError(w, http.StatusBadRequest, "invalid_file_upload", "Content-Range must be bytes FIRST-LAST/TOTAL.")
		return
	}
	from, _ := strconv.ParseInt(m[1], 10, 64)
	to, _ := strconv.ParseInt(m[2], 10, 64)
	total, _ := strconv.ParseInt(m[3], 10, 64)
	problem := ""
	var saved []byte
	s.update(func() {
		wantFrom := int64(p.NextChunk) * p.Chunk
		wantTo := wantFrom + p.Chunk - 1
		if p.NextChunk == p.Count-1 {
			wantTo = p.Size - 1
		}
		switch {
		case p.Uploaded:
			problem = "Every chunk was uploaded already."
		case p.Busy:
			problem = "Another chunk is being uploaded."
		case total != p.Size || from != wantFrom || to != wantTo:
			problem = fmt.Sprintf("Expected chunk %d/%d: bytes %d-%d/%d.", p.NextChunk+1, p.Count, wantFrom, wantTo, p.Size)
		default:
			p.Busy = true
			saved, _ = p.Sum.(encoding.BinaryMarshaler).MarshalBinary()
		}
	})
	if problem != "" {
		ttError(w, http.StatusRequestedRangeNotSatisfiable, "invalid_file_upload", problem)
		return
	}
	// Only this handler writes p.Sum while Busy.
	n := to - from + 1
	got, err := io.Copy(p.Sum, io.LimitReader(r.Body, n+1))
	last := false
	s.update(func() {
		p.Busy = false
		if err != nil || got != n {
			_ = p.Sum.(encoding.BinaryUnmarshaler).UnmarshalBinary(saved)
			return
		}
		p.NextChunk++
		p.Received += n
		if p.NextChunk == p.Count {
			p.Uploaded, last = true, true
			p.ReadyAt = s.cfg.Now().Add(s.cfg.ProcessingDelay)
			p.ContentType = ct
			p.Media = []string{fmt.Sprintf("upload:%d bytes", p.Size)}
			p.Options["sha256"] = hex.EncodeToString(p.Sum.Sum(nil))
			p.Options["content_type"] = ct
		}
	})
	if err != nil || got != n {
		ttError(w, http.StatusBadRequest, "invalid_file_upload", fmt.Sprintf("The body held %d bytes, Content-Range says %d.", got, n))
		return
	}
	if !last {
		w.WriteHeader(http.StatusPartialContent)
		return
	}
	s.ttPublished(p)
	if s.loseResponse(TikTok) {
		dropConnection(w)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *Simulator) ttStatusFetch(w http.ResponseWriter, r *http.Request) {
	if s.inject(TikTok, w, r) {
		return
	}
	t, ok := s.ttAuth(w, r, "status", "video.publish", "video.upload")
	if !ok {
		return
	}
	var req struct {
		PublishID string `json:"publish_id"`
	}
	if !ttDecode(w, r, &req) {
		return
	}
	p := s.ttPostOf(t.ExternalID, req.PublishID)
	if p == nil {
		ttError(w, http.StatusBadRequest, "invalid_params", "publish_id is unknown for this user.")
		return
	}
	now := s.cfg.Now()
	data := map[string]any{}
	s.update(func() {
		st := ttStatus(p, now)
		data["status"] = st
		ids := []json.Number{}
		switch st {
		case "FAILED":
			data["fail_reason"] = p.FailReason
		case "PUBLISH_COMPLETE":
			ids = append(ids, json.Number(p.PostID))
		}
		data["publicaly_available_post_id"] = ids
		if p.Source == "FILE_UPLOAD" {
			data["uploaded_bytes"] = p.Received
		} else if st != "PROCESSING_DOWNLOAD" {
			data["downloaded_bytes"] = 1 << 20
		}
	})
	ttOK(w, data)
}

// ttVideoFields are the Display API's video fields the simulator knows.
var ttVideoFields = []string{"id", "title", "video_description", "create_time", "share_url", "duration",
	"cover_image_url", "embed_link", "view_count", "like_count", "comment_count", "share_count"}

// ttFields reads the fields query parameter; false (answered) when it is
// missing or names an unknown field.
func ttFields(w http.ResponseWriter, r *http.Request) ([]string, bool) {
	fields := ttSplitList(r.URL.Query().Get("fields"))
	if len(fields) == 0 {
		ttError(w, http.StatusBadRequest, "invalid_params", "fields is required.")
		return nil, false
	}
	for _, f := range fields {
		if !contains(ttVideoFields, f) {
			ttError(w, http.StatusBadRequest, "invalid_params", "Unknown field "+f+".")
			return nil, false
		}
	}
	return fields, true
}

// ttVideo is p as the Display API shows it, with fields only (under s.mu).
func (s *Simulator) ttVideo(p *ttPost, fields []string) map[string]any {
	u := s.users[TikTok+"/"+p.OpenID]
	username := ""
	if u != nil {
		username = u.Username
	}
	desc := p.Title
	if p.Kind == "PHOTO" {
		desc = p.Desc
	}
	all := map[string]any{
		"id": p.PostID, "title": p.Title, "video_description": desc, "create_time": p.CreateMS / 1000,
		"share_url":       "https://www.tiktok.com/@" + username + "/video/" + p.PostID,
		"duration":        15,
		"cover_image_url": "https://p16-sign.tiktokcdn.com/sim/" + p.PostID + ".jpeg",
		"embed_link":      "https://www.tiktok.com/player/v1/" + p.PostID,
		"view_count":      p.Stats[0], "like_count": p.Stats[1], "comment_count": p.Stats[2], "share_count": p.Stats[3],
	}
	v := map[string]any{}
	for _, f := range fields {
		v[f] = all[f]
	}
	return v
}

// ttVideos are the user's published posts, newest first (under s.mu).
func (s *Simulator) ttVideos(openID string, now time.Time) []*ttPost {
	list, _ := s.objects["tiktok/videos/"+openID].([]*ttPost)
	var out []*ttPost
	for _, p := range list {
		if ttStatus(p, now) == "PUBLISH_COMPLETE" {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreateMS > out[j].CreateMS })
	return out
}

func (s *Simulator) ttVideoList(w http.ResponseWriter, r *http.Request) {
	if s.inject(TikTok, w, r) {
		return
	}
	t, ok := s.ttAuth(w, r, "video_list", "video.list")
	if !ok {
		return
	}
	fields, ok := ttFields(w, r)
	if !ok {
		return
	}
	var req struct {
		Cursor   int64 `json:"cursor"`
		MaxCount int   `json:"max_count"`
	}
	if !ttDecode(w, r, &req) {
		return
	}
	if req.MaxCount == 0 {
		req.MaxCount = 10
	}
	if req.MaxCount < 0 || req.MaxCount > 20 {
		ttError(w, http.StatusBadRequest, "invalid_params", "max_count must be between 1 and 20.")
		return
	}
	now := s.cfg.Now()
	videos := []map[string]any{}
	cursor, more := req.Cursor, false
	s.update(func() {
		for _, p := range s.ttVideos(t.ExternalID, now) {
			if req.Cursor > 0 && p.CreateMS >= req.Cursor {
				continue
			}
			if len(videos) == req.MaxCount {
				more = true
				break
			}
			videos = append(videos, s.ttVideo(p, fields))
			cursor = p.CreateMS
		}
	})
	ttOK(w, map[string]any{"videos": videos, "cursor": cursor, "has_more": more})
}

func (s *Simulator) ttVideoQuery(w http.ResponseWriter, r *http.Request) {
	if s.inject(TikTok, w, r) {
		return
	}
	t, ok := s.ttAuth(w, r, "video_query", "video.list")
	if !ok {
		return
	}
	fields, ok := ttFields(w, r)
	if !ok {
		return
	}
	var req struct {
		Filters struct {
			VideoIDs []string `json:"video_ids"`
		} `json:"filters"`
	}
	if !ttDecode(w, r, &req) {
		return
	}
	ids := req.Filters.VideoIDs
	if len(ids) == 0 || len(ids) > 20 {
		ttError(w, http.StatusBadRequest, "invalid_params", "filters.video_ids must hold 1 to 20 ids.")
		return
	}
	now := s.cfg.Now()
	videos := []map[string]any{}
	s.update(func() {
		for _, id := range ids {
			p, _ := s.objects["tiktok/video/"+id].(*ttPost)
			if p != nil && p.OpenID == t.ExternalID && ttStatus(p, now) == "PUBLISH_COMPLETE" {
				videos = append(videos, s.ttVideo(p, fields))
			}
		}
	})
	ttOK(w, map[string]any{"videos": videos, "cursor": 0, "has_more": false})
}
