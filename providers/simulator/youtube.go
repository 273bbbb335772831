package simulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// YouTube's simulated hosts:
//
//	GET  /google/accounts/o/oauth2/v2/auth                      consent page (auto-approves)
//	POST /google/oauth2/token                                   code and refresh_token grants
//	POST /google/oauth2/revoke                                  revoke a grant (?token=)
//	GET  /google/www/youtube/v3/channels                        channels.list
//	GET  /google/www/youtube/v3/playlistItems                   playlistItems.list (uploads)
//	GET  /google/www/youtube/v3/videos                          videos.list
//	POST /google/www/upload/youtube/v3/videos                   videos.insert, resumable session
//	PUT  /google/www/upload/youtube/v3/videos?upload_id=        session chunks and status queries
//	GET  /google/www/youtube/v3/commentThreads                  commentThreads.list
//	POST /google/www/youtube/v3/comments                        comments.insert (replies)
//	POST /google/www/youtube/v3/comments/setModerationStatus    comments.setModerationStatus
//	GET  /google/analytics/v2/reports                           Analytics reports.query
//
// The project quota (Config.YouTubeQuota units a Pacific day, shared by
// every user) is charged as YouTube charges it: 1 unit per list call, 50
// per comment insert or moderation, Config.YouTubeUploadCost per
// videos.insert; the Analytics API has its own and costs nothing here.
func (s *Simulator) youtubeRoutes() {
	s.setDialect(YouTube, ytDialect)
	s.mux.HandleFunc("GET /google/accounts/o/oauth2/v2/auth", s.ytAuthorize)
	s.mux.HandleFunc("POST /google/oauth2/token", s.ytToken)
	s.mux.HandleFunc("POST /google/oauth2/revoke", s.ytRevoke)
	s.mux.HandleFunc("GET /google/www/youtube/v3/channels", s.ytChannels)
	s.mux.HandleFunc("GET /google/www/youtube/v3/playlistItems", s.ytPlaylistItems)
	s.mux.HandleFunc("GET /google/www/youtube/v3/videos", s.ytVideos)
	s.mux.HandleFunc("POST /google/www/upload/youtube/v3/videos", s.ytStartUpload)
	s.mux.HandleFunc("PUT /google/www/upload/youtube/v3/videos", s.ytUploadChunk)
	s.mux.HandleFunc("GET /google/www/youtube/v3/commentThreads", s.ytCommentThreads)
	s.mux.HandleFunc("POST /google/www/youtube/v3/comments", s.ytInsertComment)
	s.mux.HandleFunc("POST /google/www/youtube/v3/comments/setModerationStatus", s.ytModerate)
	s.mux.HandleFunc("GET /google/analytics/v2/reports", s.ytReports)
}

// Google's OAuth scopes the simulated endpoints check.
const (
	ytScopeYouTube   = "https://www.googleapis.com/auth/youtube"
	ytScopeUpload    = "https://www.googleapis.com/auth/youtube.upload"
	ytScopeReadonly  = "https://www.googleapis.com/auth/youtube.readonly"
	ytScopeForceSSL  = "https://www.googleapis.com/auth/youtube.force-ssl"
	ytScopeAnalytics = "https://www.googleapis.com/auth/yt-analytics.readonly"
)

var (
	ytReadScopes      = []string{ytScopeReadonly, ytScopeYouTube, ytScopeForceSSL}
	ytUploadScopes    = []string{ytScopeUpload, ytScopeYouTube, ytScopeForceSSL}
	ytCommentScopes   = []string{ytScopeForceSSL}
	ytAnalyticsScopes = []string{ytScopeAnalytics, ytScopeReadonly, ytScopeYouTube}
)

const (
	// ytChunkUnit is the granularity of resumable upload chunks.
	ytChunkUnit = 256 << 10
	// ytCodeTTL is an authorization code's life.
	ytCodeTTL = 10 * time.Minute
	// ytSessionTTL is an upload session's life: Google keeps one a week.
	ytSessionTTL = 7 * 24 * time.Hour
	// ytQuotaKey is the project's quota: one project, every user.
	ytQuotaKey = "youtube/project"
	// ytCommentUnits is what a comment insert or moderation costs.
	ytCommentUnits = 50
)

// ytSeq orders videos and comments by creation.
var ytSeq atomic.Int64

// ytSettings are YouTube's test hooks, kept among the simulator's objects
// (Reset forgets them).
type ytSettings struct {
	cuts      int // chunk transfers left to cut
	uploadCap int // uploads per channel per rolling 24 h (0: none)
}

// ytSession is a resumable upload session.
type ytSession struct {
	id          string
	channel     string
	meta        ytMeta
	size        int64
	contentType string
	received    int64
	sum         hash.Hash
	created     time.Time
	videoID     string // set when complete
}

// ytMeta is the snippet and status an upload declared.
type ytMeta struct {
	Snippet struct {
		Title       string   `json:"title"`
		Description string   `json:"description"`
		Tags        []string `json:"tags"`
		CategoryID  string   `json:"categoryId"`
	} `json:"snippet"`
	Status struct {
		PrivacyStatus           string `json:"privacyStatus"`
		PublishAt               string `json:"publishAt"`
		SelfDeclaredMadeForKids *bool  `json:"selfDeclaredMadeForKids"`
	} `json:"status"`
}

// ytVideo is an uploaded video.
type ytVideo struct {
	id        string
	channel   string
	meta      ytMeta
	publishAt time.Time
	published time.Time
	size      int64
	seq       int64
	// stats, when set by SetYouTubeStatistics, replaces the counters.
	stats map[string]string
}

// ytComment is a comment or a reply.
type ytComment struct {
	id, videoID, parentID string
	author, authorChannel string
	text                  string
	status                string // published, heldForReview, likelySpam, rejected
	likes                 int
	published             time.Time
	seq                   int64
}

// CutYouTubeUploads makes the next n chunk transfers of YouTube uploads
// fail midway, as a network failure would: the simulator reads half the
// chunk, keeps what it received up to a 256 KiB boundary, and closes the
// connection without an answer. The client must ask the session what it
// holds ("bytes */total") and resume from there. Reset forgets it.
func (s *Simulator) CutYouTubeUploads(n int) {
	s.update(func() { s.ytSettingsLocked().cuts = n })
}

// SetYouTubeUploadCap caps each channel at n uploads per rolling 24 hours
// (0: no cap); the next upload is refused with 400 uploadLimitExceeded,
// YouTube's per-channel cap. Reset forgets it.
func (s *Simulator) SetYouTubeUploadCap(n int) {
	s.update(func() { s.ytSettingsLocked().uploadCap = n })
}

// SetYouTubeStatistics replaces the counters videos.list answers for a
// video ("viewCount", "likeCount", "commentCount"... as strings); a
// counter left out is absent, as YouTube leaves out hidden likes. It
// reports false when no such video was uploaded.
func (s *Simulator) SetYouTubeStatistics(videoID string, stats map[string]string) bool {
	found := false
	s.update(func() {
		if v, ok := s.objects["youtube/video/"+videoID].(*ytVideo); ok {
			v.stats = make(map[string]string, len(stats))
			for k, n := range stats {
				v.stats[k] = n
			}
			found = true
		}
	})
	return found
}

// ytSettingsLocked returns the settings; s.mu is held.
func (s *Simulator) ytSettingsLocked() *ytSettings {
	st, ok := s.objects["youtube/settings"].(*ytSettings)
	if !ok {
		st = &ytSettings{}
		s.objects["youtube/settings"] = st
	}
	return st
}

// --- Answers in Google's shapes ---

// ytStatusNames are the canonical status names Google puts in errors.
var ytStatusNames = map[int]string{
	400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
	429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE",
}

// ytError writes Google's API error envelope.
func ytError(w http.ResponseWriter, status int, reason, domain, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": status, "message": message, "status": ytStatusNames[status],
		"errors": []map[string]string{{"message": message, "domain": domain, "reason": reason}},
	}})
}

// ytOAuthError writes the OAuth endpoints' error shape.
func ytOAuthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// ytDialect writes injected failures the way Google does.
func ytDialect(w http.ResponseWriter, kind FaultKind, retryAfter time.Duration) {
	switch kind {
	case FaultRateLimited:
		if retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter.Seconds())))
		}
		ytError(w, http.StatusTooManyRequests, "rateLimitExceeded", "youtube.quota", "The request cannot be completed because you have exceeded the rate limit.")
	case FaultServerError:
		ytError(w, http.StatusInternalServerError, "backendError", "global", "Backend Error")
	default:
		ytError(w, http.StatusServiceUnavailable, "backendError", "global", "The service is currently unavailable.")
	}
}

// ytAuth checks the bearer token and that it holds one of scopes; it
// answers the failure itself (401 authError, 403 insufficientPermissions).
func (s *Simulator) ytAuth(w http.ResponseWriter, r *http.Request, scopes []string) (*Token, *User, bool) {
	t, problem := s.lookup(YouTube, "access", bearer(r))
	var u *User
	if problem == TokenOK {
		u = s.userByID(YouTube, t.ExternalID)
	}
	if problem != TokenOK || u == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
		ytError(w, http.StatusUnauthorized, "authError", "global",
			"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
		return nil, nil, false
	}
	for _, sc := range scopes {
		if contains(t.Scopes, sc) {
			return t, u, true
		}
	}
	ytError(w, http.StatusForbidden, "insufficientPermissions", "global", "Request had insufficient authentication scopes.")
	return nil, nil, false
}

// ytSpend charges the project quota, answering 403 quotaExceeded when the
// day's units are used up.
func (s *Simulator) ytSpend(w http.ResponseWriter, units int) bool {
	if s.spend(ytQuotaKey, units, s.cfg.YouTubeQuota) {
		return true
	}
	ytError(w, http.StatusForbidden, "quotaExceeded", "youtube.quota",
		`The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.`)
	return false
}

// ytRequire answers 400 required when a parameter is missing.
func ytRequire(w http.ResponseWriter, r *http.Request, names ...string) bool {
	for _, n := range names {
		if r.URL.Query().Get(n) == "" {
			ytError(w, http.StatusBadRequest, "required", "global", "Required parameter: "+n)
			return false
		}
	}
	return true
}

// ytParts is the set of the part parameter's names.
func ytParts(r *http.Request) map[string]bool {
	out := map[string]bool{}
	for _, p := range strings.Split(r.URL.Query().Get("part"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out[p] = true
		}
	}
	return out
}

func ytEtag(parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = io.WriteString(h, p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func ytTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// ytPageToken and ytPageOffset encode a listing's offset.
func ytPageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(offset)))
}

func ytPageOffset(token string) (int, bool) {
	if token == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < 2 || b[0] != 'o' {
		return 0, false
	}
	n, err := strconv.Atoi(string(b[1:]))
	return n, err == nil && n >= 0
}

// ytMaxResults reads maxResults within [min, max] (def when absent).
func ytMaxResults(w http.ResponseWriter, r *http.Request, lo, def, hi int) (int, bool) {
	v := r.URL.Query().Get("maxResults")
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		ytError(w, http.StatusBadRequest, "invalidParameter", "global",
			fmt.Sprintf("Invalid value '%s'. Values must be within the range: [%d, %d]", v, lo, hi))
		return 0, false
	}
	return n, true
}

// --- OAuth ---

// ytAuthorize is Google's consent page: it approves at once and redirects
// to redirect_uri with a code (or error=access_denied with sim_deny=1).
func (s *Simulator) ytAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") == "":
		ytAuthorizePage(w, "invalid_request", "Missing required parameter: client_id")
		return
	case err != nil || !redirect.IsAbs():
		ytAuthorizePage(w, "invalid_request", "Invalid parameter value for redirect_uri")
		return
	case q.Get("response_type") != "code":
		ytAuthorizePage(w, "unsupported_response_type", "Invalid response_type: "+q.Get("response_type"))
		return
	case strings.TrimSpace(q.Get("scope")) == "":
		ytAuthorizePage(w, "invalid_request", "Missing required parameter: scope")
		return
	}
	if m := q.Get("code_challenge_method"); q.Get("code_challenge") != "" && m != "" && m != "S256" && m != "plain" {
		ytAuthorizePage(w, "invalid_request", "Invalid code_challenge_method")
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	if q.Get("sim_deny") == "1" {
		back.Set("error", "access_denied")
	} else {
		u := s.user(YouTube, q.Get("sim_user"))
		scopes := strings.Fields(q.Get("scope"))
		code := s.issue(YouTube, "code", u, scopes, ytCodeTTL, map[string]string{
			"client_id": q.Get("client_id"), "redirect_uri": q.Get("redirect_uri"),
			"code_challenge": q.Get("code_challenge"), "code_challenge_method": q.Get("code_challenge_method"),
			"access_type": q.Get("access_type"),
		})
		back.Set("code", code.Value)
		back.Set("scope", strings.Join(scopes, " "))
	}
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// ytAuthorizePage is Google's error page of a malformed authorization
// request (no redirect: the redirect URI cannot be trusted).
func ytAuthorizePage(w http.ResponseWriter, code, detail string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = fmt.Fprintf(w, "<!doctype html><title>Error 400: %s</title><h1>Access blocked: authorization error</h1><p>Error 400: %s</p><p>%s</p>\n",
		code, code, detail)
}

// ytClient reads the client credentials of a token request (form or
// HTTP Basic).
func ytClient(r *http.Request) (id, secret string) {
	if id, secret, ok := r.BasicAuth(); ok {
		return id, secret
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
}

// ytToken is the token endpoint: authorization_code and refresh_token
// grants.
func (s *Simulator) ytToken(w http.ResponseWriter, r *http.Request) {
	if s.inject(YouTube, w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		ytOAuthError(w, http.StatusBadRequest, "invalid_request", "Could not parse the request body.")
		return
	}
	clientID, secret := ytClient(r)
	if clientID == "" || secret == "" {
		ytOAuthError(w, http.StatusUnauthorized, "invalid_client", "The OAuth client was not found.")
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "authorization_code":
		s.ytCodeGrant(w, r, clientID)
	case "refresh_token":
		t, problem := s.lookup(YouTube, "refresh", r.PostForm.Get("refresh_token"))
		if problem != TokenOK {
			ytOAuthError(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
			return
		}
		if t.Extra["client_id"] != clientID {
			ytOAuthError(w, http.StatusUnauthorized, "unauthorized_client", "Unauthorized")
			return
		}
		u := s.userByID(YouTube, t.ExternalID)
		if u == nil {
			ytOAuthError(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
			return
		}
		access := s.issue(YouTube, "access", u, t.Scopes, s.cfg.GoogleAccessTTL, map[string]string{"client_id": clientID})
		writeJSON(w, http.StatusOK, map[string]any{"access_token": access.Value, "expires_in": int(s.cfg.GoogleAccessTTL.Seconds()),
			"scope": strings.Join(t.Scopes, " "), "token_type": "Bearer"})
	default:
		ytOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+gt)
	}
}

// ytCodeGrant exchanges a code: single use, for the client it was issued
// to, with the redirect URI it was issued for and the PKCE verifier of its
// challenge.
func (s *Simulator) ytCodeGrant(w http.ResponseWriter, r *http.Request, clientID string) {
	code, problem := s.lookup(YouTube, "code", r.PostForm.Get("code"))
	switch {
	case problem == TokenUnknown:
		ytOAuthError(w, http.StatusBadRequest, "invalid_grant", "Malformed auth code.")
		return
	case problem != TokenOK:
		ytOAuthError(w, http.StatusBadRequest, "invalid_grant", "Bad Request")
		return
	case code.Extra["client_id"] != clientID:
		ytOAuthError(w, http.StatusUnauthorized, "unauthorized_client", "Unauthorized")
		return
	case code.Extra["redirect_uri"] != r.PostForm.Get("redirect_uri"):
		ytOAuthError(w, http.StatusBadRequest, "redirect_uri_mismatch", "Bad Request")
		return
	}
	if challenge := code.Extra["code_challenge"]; challenge != "" {
		verifier := r.PostForm.Get("code_verifier")
		want := verifier
		if code.Extra["code_challenge_method"] == "S256" {
			sum := sha256.Sum256([]byte(verifier))
			want = base64.RawURLEncoding.EncodeToString(sum[:])
		}
		if verifier == "" {
			ytOAuthError(w, http.StatusBadRequest, "invalid_grant", "Missing code verifier.")
			return
		}
		if want != challenge {
			ytOAuthError(w, http.StatusBadRequest, "invalid_grant", "Invalid code verifier.")
			return
		}
	}
	u := s.userByID(YouTube, code.ExternalID)
	if u == nil || !s.markUsed(code) {
		ytOAuthError(w, http.StatusBadRequest, "invalid_grant", "Bad Request")
		return
	}
	extra := map[string]string{"client_id": clientID}
	access := s.issue(YouTube, "access", u, code.Scopes, s.cfg.GoogleAccessTTL, extra)
	answer := map[string]any{"access_token": access.Value, "expires_in": int(s.cfg.GoogleAccessTTL.Seconds()),
		"scope": strings.Join(code.Scopes, " "), "token_type": "Bearer"}
	if code.Extra["access_type"] == "offline" {
		answer["refresh_token"] = s.issue(YouTube, "refresh", u, code.Scopes, 0, extra).Value
	}
	writeJSON(w, http.StatusOK, answer)
}

// ytRevoke revokes the grant of an access or refresh token: every token
// of the user.
func (s *Simulator) ytRevoke(w http.ResponseWriter, r *http.Request) {
	if s.inject(YouTube, w, r) {
		return
	}
	value := r.URL.Query().Get("token")
	if value == "" {
		_ = r.ParseForm()
		value = r.PostForm.Get("token")
	}
	for _, kind := range []string{"refresh", "access"} {
		if t, problem := s.lookup(YouTube, kind, value); problem == TokenOK {
			s.revoke(YouTube, t.ExternalID)
			writeJSON(w, http.StatusOK, map[string]any{})
			return
		}
	}
	ytOAuthError(w, http.StatusBadRequest, "invalid_token", "Token expired or revoked")
}

// --- Channels, videos, playlist items ---

// ytHandle is a user's channel handle.
func ytHandle(u *User) string {
	return "@" + strings.ToLower(strings.ReplaceAll(u.Username, " ", ""))
}

// ytUploadsPlaylist is a channel's uploads playlist id ("UC…" → "UU…").
func ytUploadsPlaylist(channel string) string { return "UU" + strings.TrimPrefix(channel, "UC") }

// ytChannels is channels.list for mine=true or id=.
func (s *Simulator) ytChannels(w http.ResponseWriter, r *http.Request) {
	if s.inject(YouTube, w, r) {
		return
	}
	_, me, ok := s.ytAuth(w, r, ytReadScopes)
	if !ok || !s.ytSpend(w, 1) || !ytRequire(w, r, "part") {
		return
	}
	q := r.URL.Query()
	var users []*User
	switch {
	case q.Get("mine") == "true":
		users = []*User{me}
	case q.Get("id") != "":
		for _, id := range strings.Split(q.Get("id"), ",") {
			if u := s.userByID(YouTube, id); u != nil {
				users = append(users, u)
			}
		}
	default:
		ytError(w, http.StatusBadRequest, "missingRequiredParameter", "youtube.parameter",
			"No filter selected. Expected one of: forHandle, forUsername, id, managedByMe, mine.")
		return
	}
	parts := ytParts(r)
	items := []map[string]any{}
	for _, u := range users {
		item := map[string]any{"kind": "youtube#channel", "etag": ytEtag(u.ExternalID), "id": u.ExternalID}
		if parts["snippet"] {
			item["snippet"] = map[string]any{"title": u.Name, "description": "", "customUrl": ytHandle(u),
				"publishedAt": "2020-01-01T00:00:00Z"}
		}
		if parts["contentDetails"] {
			item["contentDetails"] = map[string]any{"relatedPlaylists": map[string]string{
				"likes": "", "uploads": ytUploadsPlaylist(u.ExternalID)}}
		}
		if parts["statistics"] {
			n := len(s.ytChannelVideos(u.ExternalID, true))
			item["statistics"] = map[string]any{"viewCount": "0", "subscriberCount": "0",
				"hiddenSubscriberCount": false, "videoCount": strconv.Itoa(n)}
		}
		items = append(items, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": "youtube#channelListResponse", "etag": ytEtag("channels", me.ExternalID),
		"pageInfo": map[string]int{"totalResults": len(items), "resultsPerPage": 5}, "items": items})
}

// ytChannelVideos lists a channel's videos, newest first; all of them for
// its owner, the public ones for anyone else.
func (s *Simulator) ytChannelVideos(channel string, owner bool) []*ytVideo {
	now := s.cfg.Now()
	var out []*ytVideo
	s.update(func() {
		for k, o := range s.objects {
			if v, ok := o.(*ytVideo); ok && strings.HasPrefix(k, "youtube/video/") && v.channel == channel &&
				(owner || v.privacy(now) == "public") {
				out = append(out, v)
			}
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].seq > out[j].seq })
	return out
}

// ytVideoByID returns a video visible to viewer (a channel id), or nil.
func (s *Simulator) ytVideoByID(id, viewer string) *ytVideo {
	v, _ := s.object("youtube/video/" + id).(*ytVideo)
	if v == nil || v.channel != viewer && v.privacy(s.cfg.Now()) == "private" {
		return nil
	}
	return v
}

// privacy is the video's privacy now: a scheduled private video is public
// once its publishAt has passed.
func (v *ytVideo) privacy(now time.Time) string {
	p := v.meta.Status.PrivacyStatus
	if p == "private" && !v.publishAt.IsZero() && !now.Before(v.publishAt) {
		return "public"
	}
	return p
}

// ytPlaylistItems is playlistItems.list for a channel's uploads playlist.
func (s *Simulator) ytPlaylistItems(w http.ResponseWriter, r *http.Request) {
	if s.inject(YouTube, w, r) {
		return
	}
	_, me, ok := s.ytAuth(w, r, ytReadScopes)
	if !ok || !s.ytSpend(w, 1) || !ytRequire(w, r, "part", "playlistId") {
		return
	}
	q := r.URL.Query()
	playlist := q.Get("playlistId")
	channel := "UC" + strings.TrimPrefix(playlist, "UU")
	if !strings.HasPrefix(playlist, "UU") || s.userByID(YouTube, channel) == nil {
		ytError(w, http.StatusNotFound, "playlistNotFound", "youtube.playlistItem",
			"The playlist identified with the request's <code>playlistId</code> parameter cannot be found.")
		return
	}
	pageSize, ok := ytMaxResults(w, r, 0, 5, 50)
	if !ok {
		return
	}
	offset, ok := ytPageOffset(q.Get("pageToken"))
	if !ok {
		ytError(w, http.StatusBadRequest, "invalidPageToken", "youtube.parameter", "The request specifies an invalid page token.")
		return
	}
	videos := s.ytChannelVideos(channel, channel == me.ExternalID)
	parts := ytParts(r)
	items := []map[string]any{}
	now := s.cfg.Now()
	for i := offset; i < len(videos) && i < offset+pageSize; i++ {
		v := videos[i]
		item := map[string]any{"kind": "youtube#playlistItem", "etag": ytEtag(playlist, v.id), "id": ytEtag("item", playlist, v.id)}
		if parts["snippet"] {
			item["snippet"] = map[string]any{"publishedAt": ytTime(v.published), "channelId": v.channel,
				"title": v.meta.Snippet.Title, "description": v.meta.Snippet.Description, "playlistId": playlist,
				"position": i, "resourceId": map[string]string{"kind": "youtube#video", "videoId": v.id},
				"videoOwnerChannelId": v.channel}
		}
		if parts["contentDetails"] {
			item["contentDetails"] = map[string]string{"videoId": v.id, "videoPublishedAt": ytTime(v.published)}
		}
		if parts["status"] {
			item["status"] = map[string]string{"privacyStatus": v.privacy(now)}
		}
		items = append(items, item)
	}
	answer := map[string]any{"kind": "youtube#playlistItemListResponse", "etag": ytEtag("items", playlist, strconv.Itoa(offset)),
		"pageInfo": map[string]int{"totalResults": len(videos), "resultsPerPage": pageSize}, "items": items}
	if offset+pageSize < len(videos) && pageSize > 0 {
		answer["nextPageToken"] = ytPageToken(offset + pageSize)
	}
	if offset > 0 {
		answer["prevPageToken"] = ytPageToken(max(0, offset-pageSize))
	}
	writeJSON(w, http.StatusOK, answer)
}

// ytVideos is videos.list by id.
func (s *Simulator) ytVideos(w http.ResponseWriter, r *http.Request) {
	if s.inject(YouTube, w, r) {
		return
	}
	_, me, ok := s.ytAuth(w, r, ytReadScopes)
	if !ok || !s.ytSpend(w, 1) || !ytRequire(w, r, "part", "id") {
		return
	}
	ids := strings.Split(r.URL.Query().Get("id"), ",")
	if len(ids) > 50 {
		ytError(w, http.StatusBadRequest, "invalidFilters", "youtube.parameter", "The request specifies more than 50 video ids.")
		return
	}
	parts := ytParts(r)
	items := []map[string]any{}
	for _, id := range ids {
		if v := s.ytVideoByID(strings.TrimSpace(id), me.ExternalID); v != nil {
			items = append(items, s.ytVideoJSON(v, parts))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": "youtube#videoListResponse", "etag": ytEtag("videos", r.URL.RawQuery),
		"pageInfo": map[string]int{"totalResults": len(items), "resultsPerPage": len(items)}, "items": items})
}

// ytVideoJSON is the video resource with the parts asked for.
func (s *Simulator) ytVideoJSON(v *ytVideo, parts map[string]bool) map[string]any {
	now := s.cfg.Now()
	item := map[string]any{"kind": "youtube#video", "etag": ytEtag(v.id, strconv.FormatInt(v.seq, 10)), "id": v.id}
	if parts["snippet"] {
		sn := map[string]any{"publishedAt": ytTime(v.published), "channelId": v.channel, "title": v.meta.Snippet.Title,
			"description": v.meta.Snippet.Description, "categoryId": v.meta.Snippet.CategoryID, "liveBroadcastContent": "none"}
		if u := s.userByID(YouTube, v.channel); u != nil {
			sn["channelTitle"] = u.Name
		}
		if len(v.meta.Snippet.Tags) > 0 {
			sn["tags"] = v.meta.Snippet.Tags
		}
		item["snippet"] = sn
	}
	if parts["status"] {
		upload := "processed"
		if now.Before(v.published.Add(s.cfg.ProcessingDelay)) {
			upload = "uploaded"
		}
		st := map[string]any{"uploadStatus": upload, "privacyStatus": v.privacy(now), "license": "youtube",
			"embeddable": true, "publicStatsViewable": true}
		if !v.publishAt.IsZero() && now.Before(v.publishAt) {
			st["publishAt"] = ytTime(v.publishAt)
		}
		if k := v.meta.Status.SelfDeclaredMadeForKids; k != nil {
			st["selfDeclaredMadeForKids"] = *k
			st["madeForKids"] = *k
		}
		item["status"] = st
	}
	if parts["statistics"] {
		item["statistics"] = s.ytStatistics(v)
	}
	return item
}

// ytStatistics is the video's counters: those set by SetYouTubeStatistics,
// or no views nor likes yet and its published comments.
func (s *Simulator) ytStatistics(v *ytVideo) map[string]string {
	out := map[string]string{}
	s.update(func() {
		if v.stats != nil {
			for k, n := range v.stats {
				out[k] = n
			}
			return
		}
		comments := 0
		for k, o := range s.objects {
			if c, ok := o.(*ytComment); ok && strings.HasPrefix(k, "youtube/comment/") && c.videoID == v.id && c.status == "published" {
				comments++
			}
		}
		out["viewCount"], out["likeCount"], out["favoriteCount"] = "0", "0", "0"
		out["commentCount"] = strconv.Itoa(comments)
	})
	return out
}

// --- Resumable upload ---

// ytStartUpload opens a resumable upload session (videos.insert).
func (s *Simulator) ytStartUpload(w http.ResponseWriter, r *http.Request) {
	if s.inject(YouTube, w, r) {
		return
	}
	_, me, ok := s.ytAuth(w, r, ytUploadScopes)
	if !ok || !s.ytSpend(w, s.cfg.YouTubeUploadCost) || !ytRequire(w, r, "part") {
		return
	}
	if t := r.URL.Query().Get("uploadType"); t != "resumable" {
		ytError(w, http.StatusBadRequest, "badRequest", "global",
			fmt.Sprintf("Upload type %q is not supported here: use uploadType=resumable.", t))
		return
	}
	var meta ytMeta
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&meta); err != nil {
		ytError(w, http.StatusBadRequest, "parseError", "global", "Parse Error")
		return
	}
	if !ytCheckMeta(w, &meta, s.cfg.Now()) {
		return
	}
	size := int64(-1)
	if h := r.Header.Get("X-Upload-Content-Length"); h != "" {
		n, err := strconv.ParseInt(h, 10, 64)
		if err != nil || n <= 0 {
			ytError(w, http.StatusBadRequest, "badRequest", "global", "Invalid X-Upload-Content-Length header.")
			return
		}
		size = n
	}
	ct := r.Header.Get("X-Upload-Content-Type")
	if ct != "" && !strings.HasPrefix(ct, "video/") && ct != "application/octet-stream" {
		ytError(w, http.StatusBadRequest, "badContent", "youtube.video", fmt.Sprintf("Media type '%s' is not supported.", ct))
		return
	}
	capped := 0
	s.update(func() { capped = s.ytSettingsLocked().uploadCap })
	if capped > 0 {
		if ok, _ := s.allow("youtube/uploads/"+me.ExternalID, capped, 24*time.Hour); !ok {
			ytError(w, http.StatusBadRequest, "uploadLimitExceeded", "youtube.video", "The user has exceeded the number of videos they may upload.")
			return
		}
	}
	sess := &ytSession{id: randomID("AEnB2U", 20), channel: me.ExternalID, meta: meta, size: size,
		contentType: ct, sum: sha256.New(), created: s.cfg.Now()}
	s.putObject("youtube/session/"+sess.id, sess)
	loc := baseURL(r) + "/google/www/upload/youtube/v3/videos?" +
		url.Values{"uploadType": {"resumable"}, "part": {r.URL.Query().Get("part")}, "upload_id": {sess.id}}.Encode()
	w.Header().Set("Location", loc)
	w.Header().Set("X-GUploader-UploadID", sess.id)
	w.WriteHeader(http.StatusOK)
}

// ytCheckMeta validates an upload's metadata as videos.insert does (an
// absent privacy status is public, as at YouTube).
func ytCheckMeta(w http.ResponseWriter, m *ytMeta, now time.Time) bool {
	sn, st := &m.Snippet, &m.Status
	if n := utf8.RuneCountInString(sn.Title); strings.TrimSpace(sn.Title) == "" || n > 100 || strings.ContainsAny(sn.Title, "<>") {
		ytError(w, http.StatusBadRequest, "invalidTitle", "youtube.video", "The request metadata specifies an invalid or empty video title.")
		return false
	}
	if len(sn.Description) > 5000 || strings.ContainsAny(sn.Description, "<>") {
		ytError(w, http.StatusBadRequest, "invalidDescription", "youtube.video", "The request metadata specifies an invalid video description.")
		return false
	}
	tags := 0
	for i, t := range sn.Tags {
		if i > 0 {
			tags++
		}
		tags += utf8.RuneCountInString(t)
		if strings.Contains(t, " ") {
			tags += 2
		}
		if strings.ContainsAny(t, "<>") {
			tags = 1 << 20
		}
	}
	if tags > 500 {
		ytError(w, http.StatusBadRequest, "invalidTags", "youtube.video", "The request metadata specifies invalid video keywords.")
		return false
	}
	if st.PrivacyStatus == "" {
		st.PrivacyStatus = "public"
	}
	if st.PrivacyStatus != "private" && st.PrivacyStatus != "public" && st.PrivacyStatus != "unlisted" {
		ytError(w, http.StatusBadRequest, "invalidVideoMetadata", "youtube.video", "The request metadata is invalid: unknown privacyStatus.")
		return false
	}
	if st.PublishAt != "" {
		t, err := time.Parse(time.RFC3339, st.PublishAt)
		if err != nil || st.PrivacyStatus != "private" || !t.After(now) {
			ytError(w, http.StatusBadRequest, "invalidPublishAt", "youtube.video", "The request metadata specifies an invalid scheduled publishing time.")
			return false
		}
	}
	return true
}

// ytContentRange parses "bytes a-b/total" or "bytes */total" (a = -1).
func ytContentRange(h string) (a, b, total int64, ok bool) {
	rest, found := strings.CutPrefix(h, "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	total, err := strconv.ParseInt(tot, 10, 64)
	if err != nil || total <= 0 {
		return 0, 0, 0, false
	}
	if rng == "*" {
		return -1, -1, total, true
	}
	from, to, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, 0, false
	}
	a, err1 := strconv.ParseInt(from, 10, 64)
	b, err2 := strconv.ParseInt(to, 10, 64)
	if err1 != nil || err2 != nil || a < 0 || b < a || b >= total {
		return 0, 0, 0, false
	}
	return a, b, total, true
}

// ytUploadChunk takes a chunk of a session, or answers a status query: 308
// with the Range held while incomplete, 201 with the video when done, 404
// for a session unknown or over a week old. The session id in the URI is
// the upload's credential, as at Google: no bearer token is required.
func (s *Simulator) ytUploadChunk(w http.ResponseWriter, r *http.Request) {
	if s.inject(YouTube, w, r) {
		return
	}
	sess, _ := s.object("youtube/session/" + r.URL.Query().Get("upload_id")).(*ytSession)
	if sess == nil || !s.cfg.Now().Before(sess.created.Add(ytSessionTTL)) {
		ytError(w, http.StatusNotFound, "notFound", "global", "Not Found")
		return
	}
	a, b, total, ok := ytContentRange(r.Header.Get("Content-Range"))
	if !ok {
		ytError(w, http.StatusBadRequest, "badRequest", "global", "Invalid or missing Content-Range header.")
		return
	}
	var problem string
	s.update(func() {
		switch {
		case sess.size < 0:
			sess.size = total
		case sess.size != total:
			problem = fmt.Sprintf("The Content-Range total (%d) differs from the upload's length (%d).", total, sess.size)
		}
	})
	if problem != "" {
		ytError(w, http.StatusBadRequest, "badRequest", "global", problem)
		return
	}
	if a < 0 { // status query
		s.ytUploadAnswer(w, sess, false)
		return
	}
	n := b - a + 1
	switch {
	case r.ContentLength >= 0 && r.ContentLength != n:
		problem = "The body's length differs from the Content-Range."
	case b+1 != total && n%ytChunkUnit != 0:
		problem = "Chunk size must be a multiple of 256 KiB, except for the last chunk."
	}
	if problem != "" {
		ytError(w, http.StatusBadRequest, "badRequest", "global", problem)
		return
	}
	cut := false
	s.update(func() {
		if st := s.ytSettingsLocked(); st.cuts > 0 && sess.videoID == "" {
			st.cuts--
			cut = true
		}
	})
	limit := n
	if cut {
		limit = n / 2
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit))
	if cut || err != nil {
		// The transfer broke: keep what arrived, up to a 256 KiB boundary.
		keep := (a + int64(len(data))) / ytChunkUnit * ytChunkUnit
		if keep > a {
			_, _ = s.ytAppend(sess, a, data[:keep-a])
		}
		dropConnection(w)
		return
	}
	if int64(len(data)) != n {
		ytError(w, http.StatusBadRequest, "badRequest", "global", "The body is shorter than the Content-Range.")
		return
	}
	completed, gap := s.ytAppend(sess, a, data)
	if gap {
		ytError(w, http.StatusBadRequest, "badRequest", "global",
			"The chunk starts past the bytes received: query the session (Content-Range: bytes */total) and resume from there.")
		return
	}
	s.ytUploadAnswer(w, sess, completed)
}

// ytAppend adds the bytes of data (which start at offset a) that the
// session does not hold yet, completing the upload when they are the
// last. It reports whether this call completed the upload, and whether a
// leaves a gap after what the session holds (nothing is added then).
func (s *Simulator) ytAppend(sess *ytSession, a int64, data []byte) (completed, gap bool) {
	var done *ytVideo
	s.update(func() {
		if a > sess.received {
			gap = true
			return
		}
		if skip := sess.received - a; skip < int64(len(data)) && sess.videoID == "" {
			sess.sum.Write(data[skip:])
			sess.received += int64(len(data)) - skip
		}
		if sess.received == sess.size && sess.videoID == "" {
			done = s.ytNewVideoLocked(sess)
		}
	})
	if done != nil {
		s.ytPublished(sess, done)
	}
	return done != nil, gap
}

// ytUploadAnswer answers a chunk or status query: the video once complete
// (losing the answer when the LoseResponses fault says so, for the chunk
// that completed it: the publish call), 308 with the bytes held otherwise.
func (s *Simulator) ytUploadAnswer(w http.ResponseWriter, sess *ytSession, completed bool) {
	var videoID string
	var received int64
	s.update(func() { videoID, received = sess.videoID, sess.received })
	if videoID == "" {
		if received > 0 {
			w.Header().Set("Range", fmt.Sprintf("bytes=0-%d", received-1))
		}
		w.Header().Set("X-GUploader-UploadID", sess.id)
		w.WriteHeader(http.StatusPermanentRedirect)
		return
	}
	if completed && s.loseResponse(YouTube) {
		dropConnection(w)
		return
	}
	v, _ := s.object("youtube/video/" + videoID).(*ytVideo)
	if v == nil {
		ytError(w, http.StatusNotFound, "videoNotFound", "youtube.video", "The video was deleted.")
		return
	}
	writeJSON(w, http.StatusCreated, s.ytVideoJSON(v, map[string]bool{"snippet": true, "status": true}))
}

// ytNewVideoLocked creates the video of a completed session; s.mu is held.
func (s *Simulator) ytNewVideoLocked(sess *ytSession) *ytVideo {
	now := s.cfg.Now()
	v := &ytVideo{id: randomID("", 6)[:11], channel: sess.channel, meta: sess.meta, published: now,
		size: sess.size, seq: ytSeq.Add(1)}
	v.publishAt, _ = time.Parse(time.RFC3339, sess.meta.Status.PublishAt)
	sess.videoID = v.id
	s.objects["youtube/video/"+v.id] = v
	for _, c := range ytSeedComments(v, now) {
		c.seq = ytSeq.Add(1)
		s.objects["youtube/comment/"+c.id] = c
	}
	return v
}

// ytPublished records a completed upload.
func (s *Simulator) ytPublished(sess *ytSession, v *ytVideo) {
	sum := ""
	s.update(func() { sum = hex.EncodeToString(sess.sum.Sum(nil)) })
	opts := map[string]string{"description": v.meta.Snippet.Description, "privacy": v.meta.Status.PrivacyStatus,
		"sha256": sum, "content_type": sess.contentType}
	if v.meta.Status.PublishAt != "" {
		opts["publish_at"] = v.meta.Status.PublishAt
	}
	if len(v.meta.Snippet.Tags) > 0 {
		opts["tags"] = strings.Join(v.meta.Snippet.Tags, ",")
	}
	if v.meta.Snippet.CategoryID != "" {
		opts["category_id"] = v.meta.Snippet.CategoryID
	}
	s.record(Publication{Provider: YouTube, ExternalID: v.channel, ID: v.id, Kind: "VIDEO",
		Caption: v.meta.Snippet.Title, Media: []string{fmt.Sprintf("upload:%d bytes", v.size)}, Options: opts})
}

// ytSeedComments are the comments a new video comes with: three published
// threads (the first with a reply) and one held for review.
func ytSeedComments(v *ytVideo, now time.Time) []*ytComment {
	mk := func(parent, author, text, status string, age time.Duration) *ytComment {
		id := "Ugz" + randomID("", 10)
		if parent != "" {
			id = parent + "." + randomID("", 8)
		}
		return &ytComment{id: id, videoID: v.id, parentID: parent, author: author, authorChannel: "UC" + (ytEtag(author) + ytEtag(author, "channel"))[:22],
			text: text, status: status, published: now.Add(-age)}
	}
	first := mk("", "Viewer One", "First! Great video.", "published", 0)
	return []*ytComment{
		first,
		mk(first.id, "Viewer Two", "Agreed, great video.", "published", 0),
		mk("", "Viewer Three", "How did you film this?", "published", 0),
		mk("", "Viewer Four", "Subscribed.", "published", 0),
		mk("", "Spammer", "Cheap followers at example.com", "heldForReview", 0),
	}
}

// --- Comments ---

// ytComments lists the comments matching keep, oldest first; s.mu free.
func (s *Simulator) ytComments(keep func(*ytComment) bool) []*ytComment {
	var out []*ytComment
	s.update(func() {
		for k, o := range s.objects {
			if c, ok := o.(*ytComment); ok && strings.HasPrefix(k, "youtube/comment/") && keep(c) {
				cp := *c
				out = append(out, &cp)
			}
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// ytCommentJSON is the comment resource.
func ytCommentJSON(c *ytComment, channel string, withStatus bool) map[string]any {
	sn := map[string]any{"channelId": channel, "videoId": c.videoID, "textDisplay": c.text, "textOriginal": c.text,
		"authorDisplayName": c.author, "authorChannelId": map[string]string{"value": c.authorChannel},
		"authorChannelUrl": "http://www.youtube.com/channel/" + c.authorChannel, "canRate": true, "viewerRating": "none",
		"likeCount": c.likes, "publishedAt": ytTime(c.published), "updatedAt": ytTime(c.published)}
	if c.parentID != "" {
		sn["parentId"] = c.parentID
	}
	if withStatus {
		sn["moderationStatus"] = c.status
	}
	return map[string]any{"kind": "youtube#comment", "etag": ytEtag(c.id, c.status), "id": c.id, "snippet": sn}
}

// ytCommentThreads is commentThreads.list for a video.
func (s *Simulator) ytCommentThreads(w http.ResponseWriter, r *http.Request) {
	if s.inject(YouTube, w, r) {
		return
	}
	_, me, ok := s.ytAuth(w, r, ytReadScopes)
	if !ok || !s.ytSpend(w, 1) || !ytRequire(w, r, "part", "videoId") {
		return
	}
	q := r.URL.Query()
	v := s.ytVideoByID(q.Get("videoId"), me.ExternalID)
	if v == nil {
		ytError(w, http.StatusNotFound, "videoNotFound", "youtube.commentThread",
			"The video identified by the <code><a href=\"/youtube/v3/docs/commentThreads/list#videoId\">videoId</a></code> parameter could not be found.")
		return
	}
	status := q.Get("moderationStatus")
	switch status {
	case "", "published":
		status = "published"
	case "heldForReview", "likelySpam":
		if v.channel != me.ExternalID {
			ytError(w, http.StatusForbidden, "forbidden", "youtube.commentThread",
				"The request is not properly authorized to retrieve the specified comment threads.")
			return
		}
	default:
		ytError(w, http.StatusBadRequest, "invalidParameter", "youtube.parameter", "Invalid value for moderationStatus: "+status)
		return
	}
	pageSize, ok := ytMaxResults(w, r, 1, 20, 100)
	if !ok {
		return
	}
	offset, ok := ytPageOffset(q.Get("pageToken"))
	if !ok {
		ytError(w, http.StatusBadRequest, "invalidPageToken", "youtube.parameter", "The request specifies an invalid page token.")
		return
	}
	top := s.ytComments(func(c *ytComment) bool { return c.videoID == v.id && c.parentID == "" && c.status == status })
	sort.SliceStable(top, func(i, j int) bool { return top[i].seq > top[j].seq }) // newest first
	parts := ytParts(r)
	items := []map[string]any{}
	for i := offset; i < len(top) && i < offset+pageSize; i++ {
		c := top[i]
		replies := s.ytComments(func(x *ytComment) bool { return x.parentID == c.id && x.status == "published" })
		item := map[string]any{"kind": "youtube#commentThread", "etag": ytEtag("thread", c.id), "id": c.id,
			"snippet": map[string]any{"channelId": v.channel, "videoId": v.id, "topLevelComment": ytCommentJSON(c, v.channel, status != "published"),
				"canReply": true, "totalReplyCount": len(replies), "isPublic": true}}
		if parts["replies"] && len(replies) > 0 {
			rs := []map[string]any{}
			for _, x := range replies {
				rs = append(rs, ytCommentJSON(x, v.channel, false))
			}
			item["replies"] = map[string]any{"comments": rs}
		}
		items = append(items, item)
	}
	answer := map[string]any{"kind": "youtube#commentThreadListResponse", "etag": ytEtag("threads", v.id, strconv.Itoa(offset)),
		"pageInfo": map[string]int{"totalResults": len(items), "resultsPerPage": pageSize}, "items": items}
	if offset+pageSize < len(top) {
		answer["nextPageToken"] = ytPageToken(offset + pageSize)
	}
	writeJSON(w, http.StatusOK, answer)
}

// ytInsertComment is comments.insert: a reply to a top-level comment.
func (s *Simulator) ytInsertComment(w http.ResponseWriter, r *http.Request) {
	if s.inject(YouTube, w, r) {
		return
	}
	_, me, ok := s.ytAuth(w, r, ytCommentScopes)
	if !ok || !s.ytSpend(w, ytCommentUnits) || !ytRequire(w, r, "part") {
		return
	}
	var body struct {
		Snippet struct {
			ParentID     string `json:"parentId"`
			TextOriginal string `json:"textOriginal"`
		} `json:"snippet"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		ytError(w, http.StatusBadRequest, "parseError", "global", "Parse Error")
		return
	}
	sn := body.Snippet
	switch {
	case sn.ParentID == "":
		ytError(w, http.StatusBadRequest, "operationNotSupported", "youtube.comment",
			"The API server failed to successfully create the comment: a top-level comment is created with commentThreads.insert.")
		return
	case strings.TrimSpace(sn.TextOriginal) == "":
		ytError(w, http.StatusBadRequest, "commentTextRequired", "youtube.comment", "The comment resource that is being inserted must specify a value for the snippet.textOriginal property.")
		return
	case utf8.RuneCountInString(sn.TextOriginal) > 10000:
		ytError(w, http.StatusBadRequest, "commentTextTooLong", "youtube.comment", "The comment resource that is being inserted contains too many characters in the snippet.textOriginal property.")
		return
	}
	var parent *ytComment
	s.update(func() {
		if c, ok := s.objects["youtube/comment/"+sn.ParentID].(*ytComment); ok {
			cp := *c
			parent = &cp
		}
	})
	var v *ytVideo
	if parent != nil {
		v = s.ytVideoByID(parent.videoID, me.ExternalID)
	}
	switch {
	case parent == nil || v == nil || parent.status == "rejected":
		ytError(w, http.StatusNotFound, "parentCommentNotFound", "youtube.comment", "The specified parent comment could not be found.")
		return
	case parent.parentID != "":
		ytError(w, http.StatusBadRequest, "operationNotSupported", "youtube.comment", "A reply must answer a top-level comment.")
		return
	}
	c := &ytComment{id: parent.id + "." + randomID("", 8), videoID: parent.videoID, parentID: parent.id, author: me.Name,
		authorChannel: me.ExternalID, text: sn.TextOriginal, status: "published", published: s.cfg.Now(), seq: ytSeq.Add(1)}
	s.putObject("youtube/comment/"+c.id, c)
	writeJSON(w, http.StatusOK, ytCommentJSON(c, v.channel, false))
}

// ytModerate is comments.setModerationStatus, for the video's owner.
func (s *Simulator) ytModerate(w http.ResponseWriter, r *http.Request) {
	if s.inject(YouTube, w, r) {
		return
	}
	_, me, ok := s.ytAuth(w, r, ytCommentScopes)
	if !ok || !s.ytSpend(w, ytCommentUnits) || !ytRequire(w, r, "id", "moderationStatus") {
		return
	}
	q := r.URL.Query()
	status := q.Get("moderationStatus")
	switch {
	case status != "heldForReview" && status != "published" && status != "rejected":
		ytError(w, http.StatusBadRequest, "invalidModerationStatus", "youtube.comment", "Invalid value for moderationStatus: "+status)
		return
	case q.Get("banAuthor") == "true" && status != "rejected":
		ytError(w, http.StatusBadRequest, "banWithoutReject", "youtube.comment", "The banAuthor parameter can only be used with moderationStatus=rejected.")
		return
	}
	var comments []*ytComment
	for _, id := range strings.Split(q.Get("id"), ",") {
		c, _ := s.object("youtube/comment/" + strings.TrimSpace(id)).(*ytComment)
		if c == nil {
			ytError(w, http.StatusNotFound, "commentNotFound", "youtube.comment", "One or more of the comments identified by the id parameter could not be found.")
			return
		}
		if v, _ := s.object("youtube/video/" + c.videoID).(*ytVideo); v == nil || v.channel != me.ExternalID {
			ytError(w, http.StatusForbidden, "forbidden", "youtube.comment", "The comment could not be moderated due to insufficient permissions.")
			return
		}
		comments = append(comments, c)
	}
	s.update(func() {
		for _, c := range comments {
			c.status = status
		}
	})
	w.WriteHeader(http.StatusNoContent)
}

// --- Analytics ---

// ytMetricRanges bound the simulated daily values of each metric.
var ytMetricRanges = map[string]uint32{
	"views": 1000, "likes": 50, "dislikes": 5, "comments": 10, "shares": 20,
	"estimatedMinutesWatched": 3000, "subscribersGained": 10, "subscribersLost": 3,
}

// ytDaily is a video's simulated value of metric on day: deterministic,
// zero before the video existed and after today.
func ytDaily(v *ytVideo, day, today time.Time, metric string) int64 {
	if day.Before(v.published.UTC().Truncate(24*time.Hour)) || day.After(today) {
		return 0
	}
	h := fnv.New32a()
	_, _ = io.WriteString(h, v.id+"|"+day.Format(time.DateOnly)+"|"+metric)
	return int64(h.Sum32() % ytMetricRanges[metric])
}

// ytReports is the Analytics API's reports.query for the token's channel.
func (s *Simulator) ytReports(w http.ResponseWriter, r *http.Request) {
	if s.inject(YouTube, w, r) {
		return
	}
	_, me, ok := s.ytAuth(w, r, ytAnalyticsScopes)
	if !ok || !ytRequire(w, r, "ids", "startDate", "endDate", "metrics") {
		return
	}
	q := r.URL.Query()
	if ids := q.Get("ids"); ids != "channel==MINE" && ids != "channel=="+me.ExternalID {
		ytError(w, http.StatusForbidden, "forbidden", "global", "Forbidden")
		return
	}
	start, err1 := time.Parse(time.DateOnly, q.Get("startDate"))
	end, err2 := time.Parse(time.DateOnly, q.Get("endDate"))
	switch {
	case err1 != nil || err2 != nil:
		ytError(w, http.StatusBadRequest, "badRequest", "global", "Invalid date: dates are YYYY-MM-DD.")
		return
	case end.Before(start):
		ytError(w, http.StatusBadRequest, "badRequest", "global", "The start date must be on or before the end date.")
		return
	case end.Sub(start) > 1000*24*time.Hour:
		ytError(w, http.StatusBadRequest, "badRequest", "global", "The date range is too long.")
		return
	}
	metrics := strings.Split(q.Get("metrics"), ",")
	for _, m := range metrics {
		if _, ok := ytMetricRanges[m]; !ok {
			ytError(w, http.StatusBadRequest, "badRequest", "global", fmt.Sprintf("Unknown identifier (%s) given in field parameters.metrics.", m))
			return
		}
	}
	dim := q.Get("dimensions")
	if dim != "" && dim != "day" && dim != "video" {
		ytError(w, http.StatusBadRequest, "badRequest", "global", "The query is not supported.")
		return
	}
	videos := s.ytChannelVideos(me.ExternalID, true)
	if f := q.Get("filters"); f != "" {
		ids, ok := strings.CutPrefix(f, "video==")
		if !ok {
			ytError(w, http.StatusBadRequest, "badRequest", "global", "The query is not supported.")
			return
		}
		var kept []*ytVideo
		for _, id := range strings.Split(ids, ",") {
			v, _ := s.object("youtube/video/" + id).(*ytVideo)
			if v == nil || v.channel != me.ExternalID {
				ytError(w, http.StatusForbidden, "forbidden", "global", "Forbidden")
				return
			}
			kept = append(kept, v)
		}
		videos = kept
	}
	today := s.cfg.Now().UTC().Truncate(24 * time.Hour)
	sum := func(vs []*ytVideo, from, to time.Time) []any {
		row := make([]any, len(metrics))
		for i, m := range metrics {
			var n int64
			for _, v := range vs {
				for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
					n += ytDaily(v, d, today, m)
				}
			}
			row[i] = n
		}
		return row
	}
	headers := []map[string]string{}
	if dim != "" {
		headers = append(headers, map[string]string{"name": dim, "columnType": "DIMENSION", "dataType": "STRING"})
	}
	for _, m := range metrics {
		headers = append(headers, map[string]string{"name": m, "columnType": "METRIC", "dataType": "INTEGER"})
	}
	var rows [][]any
	switch dim {
	case "":
		rows = append(rows, sum(videos, start, end))
	case "day":
		for d := start; !d.After(end) && !d.After(today); d = d.AddDate(0, 0, 1) {
			alive := false
			for _, v := range videos {
				alive = alive || !d.Before(v.published.UTC().Truncate(24*time.Hour))
			}
			if alive {
				rows = append(rows, append([]any{d.Format(time.DateOnly)}, sum(videos, d, d)...))
			}
		}
	case "video":
		for _, v := range videos {
			if !v.published.After(end.Add(24 * time.Hour)) {
				rows = append(rows, append([]any{v.id}, sum([]*ytVideo{v}, start, end)...))
			}
		}
		if n, err := strconv.Atoi(q.Get("maxResults")); err == nil && n > 0 && n < len(rows) {
			rows = rows[:n]
		}
	}
	answer := map[string]any{"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
	if len(rows) > 0 {
		answer["rows"] = rows
	}
	writeJSON(w, http.StatusOK, answer)
}
