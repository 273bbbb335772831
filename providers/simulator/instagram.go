package simulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// The Instagram simulator (Instagram API with Instagram Login), in the
// shapes of PROVIDERS.md:
//
//	GET    /instagram/www/oauth/authorize                   authorize page (auto-approves)
//	POST   /instagram/api/oauth/access_token                code → short-lived token
//	GET    /instagram/graph[/{version}]/access_token        short → long-lived token
//	GET    /instagram/graph[/{version}]/refresh_access_token
//	GET    /instagram/graph/{version}/{id}                  me, a user, container status, media, comment
//	POST   /instagram/graph/{version}/{id}                  hide a comment
//	DELETE /instagram/graph/{version}/{id}                  delete a comment
//	GET    /instagram/graph/{version}/{id}/media            recent media (POST: create a container)
//	GET    /instagram/graph/{version}/{id}/stories          live stories
//	POST   /instagram/graph/{version}/{id}/media_publish
//	GET    /instagram/graph/{version}/{id}/content_publishing_limit
//	GET    /instagram/graph/{version}/{id}/insights         media or account insights
//	GET    /instagram/graph/{version}/{id}/comments
//	GET    /instagram/graph/{version}/{id}/replies          (POST: reply)
//
// Graph calls take the token as an "Authorization: Bearer" header or an
// access_token parameter (query or form), as the real API does. The
// simulator never fetches media: a media URL whose query holds
// sim_error=SUBCODE fails the way the real API fails on such media
// (2207004, image over 8 MiB: at creation, code 36000; any other subcode:
// the container ends in ERROR with it, as a failed download does).

// Instagram's limits that PROVIDERS.md does not mark (config).
const (
	igCaptionMax      = 2200
	igHashtagsMax     = 30
	igMentionsMax     = 20
	igCarouselMin     = 2
	igCarouselMax     = 10
	igContainerTTL    = 24 * time.Hour
	igPublishWindow   = 24 * time.Hour
	igCallWindow      = time.Hour
	igRefreshMinAge   = 24 * time.Hour
	igCodeTTL         = 10 * time.Minute
	igInsightsMaxSpan = 30 * 24 * time.Hour
	igPageDefault     = 25
	igPageMax         = 100
	// igKey prefixes the ids of Instagram's objects (containers, media,
	// comments) in the simulator's object store.
	igKey = "instagram/"
)

var (
	igVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)
	igHashtag = regexp.MustCompile(`#[\p{L}\p{N}_]+`)
	igMention = regexp.MustCompile(`@[\p{L}\p{N}_.]+`)
)

// igContainer is a media container (POST /{ig-user-id}/media).
type igContainer struct {
	ID, Owner      string
	MediaType      string // IMAGE, VIDEO, REELS, STORIES, CAROUSEL
	IsCarouselItem bool
	Children       []string
	Caption        string
	Media          []string
	Options        map[string]string
	Created        time.Time
	FailSubcode    int
	Published      bool
	Used           bool // a carousel item taken by a parent
}

// igMedia is a published media object.
type igMedia struct {
	ID, Owner, Username string
	MediaType           string // IMAGE, VIDEO, CAROUSEL_ALBUM
	ProductType         string // FEED, REELS, STORY
	Caption, Permalink  string
	Timestamp           time.Time
	Comments            []string // top-level comment ids, in order
	Stats               map[string]int64
	// Seq orders media published at the same instant.
	Seq int64
}

// igSeq numbers published media in order.
var igSeq atomic.Int64

// igComment is a comment or a reply on a published media object.
type igComment struct {
	ID, MediaID, ParentID string
	Text, Username        string
	FromID                string
	Timestamp             time.Time
	LikeCount             int
	Hidden, Deleted       bool
	Replies               []string
}

// igFail is an error answer in the Graph API's envelope.
type igFail struct {
	status    int
	code      int
	subcode   int
	message   string
	transient bool
	userTitle string
	userMsg   string
}

func (s *Simulator) instagramRoutes() {
	s.setDialect(Instagram, igDialect)
	s.mux.HandleFunc("GET /instagram/www/oauth/authorize", s.igAuthorize)
	s.mux.HandleFunc("POST /instagram/api/oauth/access_token", s.igExchangeCode)
	for _, prefix := range []string{"/instagram/graph", "/instagram/graph/{version}"} {
		s.mux.HandleFunc("GET "+prefix+"/access_token", s.igLongLived)
		s.mux.HandleFunc("GET "+prefix+"/refresh_access_token", s.igRefresh)
	}
	g := "/instagram/graph/{version}/"
	s.mux.HandleFunc("GET "+g+"{id}", s.igAPI(s.igGetNode))
	s.mux.HandleFunc("POST "+g+"{id}", s.igAPI(s.igHideComment))
	s.mux.HandleFunc("DELETE "+g+"{id}", s.igAPI(s.igDeleteComment))
	s.mux.HandleFunc("GET "+g+"{id}/media", s.igAPI(s.igListMedia(false)))
	s.mux.HandleFunc("GET "+g+"{id}/stories", s.igAPI(s.igListMedia(true)))
	s.mux.HandleFunc("POST "+g+"{id}/media", s.igAPI(s.igCreateContainer))
	s.mux.HandleFunc("POST "+g+"{id}/media_publish", s.igAPI(s.igPublish))
	s.mux.HandleFunc("GET "+g+"{id}/content_publishing_limit", s.igAPI(s.igPublishingLimit))
	s.mux.HandleFunc("GET "+g+"{id}/insights", s.igAPI(s.igInsights))
	s.mux.HandleFunc("GET "+g+"{id}/comments", s.igAPI(s.igListComments))
	s.mux.HandleFunc("GET "+g+"{id}/replies", s.igAPI(s.igListReplies))
	s.mux.HandleFunc("POST "+g+"{id}/replies", s.igAPI(s.igReply))
}

// igDialect writes injected failures as the Graph API does: throttling
// as code 80002 (the Instagram business use case limit) with the usage
// headers, server errors as code 1 and outages as code 2, both transient.
func igDialect(w http.ResponseWriter, kind FaultKind, retryAfter time.Duration) {
	switch kind {
	case FaultRateLimited:
		igUsageHeaders(w, "0", 100, retryAfter)
		igWriteError(w, igFail{status: http.StatusBadRequest, code: 80002, transient: true,
			message: "There have been too many calls to this Instagram account. Wait a bit and try again."})
	case FaultServerError:
		igWriteError(w, igFail{status: http.StatusInternalServerError, code: 1, transient: true,
			message: "An unknown error occurred"})
	default:
		igWriteError(w, igFail{status: http.StatusServiceUnavailable, code: 2, transient: true,
			message: "Service temporarily unavailable"})
	}
}

// igWriteError writes f in the Graph API's error envelope.
func igWriteError(w http.ResponseWriter, f igFail) {
	e := map[string]any{"message": f.message, "type": "OAuthException", "code": f.code,
		"is_transient": f.transient, "fbtrace_id": randomID("A", 10)}
	if f.subcode != 0 {
		e["error_subcode"] = f.subcode
	}
	if f.userTitle != "" {
		e["error_user_title"] = f.userTitle
		e["error_user_msg"] = f.userMsg
	}
	writeJSON(w, f.status, map[string]any{"error": e})
}

// igBadParam is the Graph API's invalid parameter answer (code 100).
func igBadParam(subcode int, msg string) igFail {
	return igFail{status: http.StatusBadRequest, code: 100, subcode: subcode, message: msg}
}

// igNoObject is the Graph API's answer for an id that does not exist or
// is not the token's to read.
func igNoObject(method, id string) igFail {
	return igBadParam(33, fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
		strings.ToLower(method), id))
}

// igUsageHeaders writes X-App-Usage and X-Business-Use-Case-Usage with
// pct of the limit used and the wait until calls are accepted again.
func igUsageHeaders(w http.ResponseWriter, userID string, pct int, regain time.Duration) {
	app, _ := json.Marshal(map[string]int{"call_count": pct, "total_cputime": pct / 4, "total_time": pct / 3})
	w.Header().Set("X-App-Usage", string(app))
	minutes := int(math.Ceil(regain.Minutes()))
	buc, _ := json.Marshal(map[string][]map[string]any{userID: {{
		"type": "instagram", "call_count": pct, "total_cputime": pct / 4, "total_time": pct / 3,
		"estimated_time_to_regain_access": minutes,
	}}})
	w.Header().Set("X-Business-Use-Case-Usage", string(buc))
}

// igOAuthError is api.instagram.com's error shape (the token endpoint),
// which is not the Graph API's envelope.
func igOAuthError(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{"error_type": "OAuthException", "code": 400, "error_message": msg})
}

// igAuthorize is the consent page: it approves at once and redirects to
// redirect_uri with a code (the real page appends "#_"), or with the
// denial when sim_deny=1.
func (s *Simulator) igAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") == "":
		igOAuthError(w, "Invalid platform app")
		return
	case err != nil || !redirect.IsAbs() || (redirect.Scheme != "http" && redirect.Scheme != "https"):
		igOAuthError(w, "Invalid redirect_uri")
		return
	case q.Get("response_type") != "code":
		igOAuthError(w, "Invalid response_type: only code is supported")
		return
	}
	back := redirect.Query()
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	if q.Get("sim_deny") == "1" {
		back.Set("error", "access_denied")
		back.Set("error_reason", "user_denied")
		back.Set("error_description", "Permissions error")
		redirect.RawQuery = back.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
		return
	}
	u := s.user(Instagram, q.Get("sim_user"))
	extra := map[string]string{"redirect_uri": q.Get("redirect_uri"), "client_id": q.Get("client_id")}
	if ch := q.Get("code_challenge"); ch != "" {
		extra["code_challenge"] = ch
	}
	code := s.issue(Instagram, "code", u, splitScopes(q.Get("scope")), igCodeTTL, extra)
	back.Set("code", code.Value)
	redirect.RawQuery = back.Encode()
	redirect.Fragment = "_"
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// splitScopes splits a comma- or space-separated list.
func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// igExchangeCode trades an authorization code for a short-lived token,
// answering in the documented shape ({"data":[…]}, permissions as one
// comma-separated string).
func (s *Simulator) igExchangeCode(w http.ResponseWriter, r *http.Request) {
	// The body is read first: until it is, the server does not notice a
	// client that hangs up, and an injected timeout would never end.
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	perr := r.ParseForm()
	if s.inject(Instagram, w, r) {
		return
	}
	if perr != nil {
		igOAuthError(w, "Invalid request body")
		return
	}
	f := r.PostForm
	for _, k := range []string{"client_id", "client_secret", "grant_type", "redirect_uri", "code"} {
		if f.Get(k) == "" {
			igOAuthError(w, "Missing required field "+k)
			return
		}
	}
	if f.Get("grant_type") != "authorization_code" {
		igOAuthError(w, "Invalid grant_type")
		return
	}
	code, problem := s.lookup(Instagram, "code", strings.TrimSuffix(f.Get("code"), "#_"))
	if problem != TokenOK {
		igOAuthError(w, "Matching code was not found or was already used")
		return
	}
	if code.Extra["client_id"] != f.Get("client_id") {
		igOAuthError(w, "Invalid platform app")
		return
	}
	if code.Extra["redirect_uri"] != f.Get("redirect_uri") {
		igOAuthError(w, "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request")
		return
	}
	if ch := code.Extra["code_challenge"]; ch != "" && !pkceMatches(ch, f.Get("code_verifier")) {
		igOAuthError(w, "Invalid code_verifier")
		return
	}
	if !s.markUsed(code) {
		igOAuthError(w, "Matching code was not found or was already used")
		return
	}
	u := s.userByID(Instagram, code.ExternalID)
	short := s.issue(Instagram, "short", u, code.Scopes, s.cfg.InstagramShortTTL, nil)
	writeJSON(w, http.StatusOK, map[string]any{"data": []map[string]any{{
		"access_token": short.Value, "user_id": u.ExternalID, "permissions": strings.Join(code.Scopes, ","),
	}}})
}

// pkceMatches checks an S256 code verifier against its challenge.
func pkceMatches(challenge, verifier string) bool {
	sum := sha256.Sum256([]byte(verifier))
	return verifier != "" && base64.RawURLEncoding.EncodeToString(sum[:]) == challenge
}

// igVersionOK answers the Graph API's unknown path error for a malformed
// version segment (the unversioned token paths have none).
func igVersionOK(w http.ResponseWriter, r *http.Request) bool {
	if v := r.PathValue("version"); v != "" && !igVersion.MatchString(v) {
		igWriteError(w, igFail{status: http.StatusBadRequest, code: 2500, message: "Unknown path components: /" + v})
		return false
	}
	return true
}

// igTokenFail is the Graph API's answer to an unusable token: code 190,
// with subcode 463 (expired) or 460 (invalidated) where the real one sets
// them.
func (s *Simulator) igTokenFail(t *Token, problem TokenProblem) igFail {
	f := igFail{status: http.StatusBadRequest, code: 190}
	switch problem {
	case TokenExpired:
		f.subcode = 463
		f.message = fmt.Sprintf("Error validating access token: Session has expired on %s. The current time is %s.",
			t.ExpiresAt.UTC().Format(time.RFC1123), s.cfg.Now().UTC().Format(time.RFC1123))
	case TokenRevoked, TokenUsed:
		f.subcode = 460
		f.message = "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."
	default:
		f.message = "Invalid OAuth access token - Cannot parse access token"
	}
	return f
}

// igLongLived exchanges a short-lived token for a long-lived one.
func (s *Simulator) igLongLived(w http.ResponseWriter, r *http.Request) {
	if s.inject(Instagram, w, r) || !igVersionOK(w, r) {
		return
	}
	q := r.URL.Query()
	switch {
	case q.Get("grant_type") != "ig_exchange_token":
		igWriteError(w, igBadParam(0, "Unsupported grant_type: expected ig_exchange_token"))
		return
	case q.Get("client_secret") == "":
		igWriteError(w, igBadParam(0, "Missing client_secret parameter"))
		return
	}
	short, problem := s.lookup(Instagram, "short", q.Get("access_token"))
	if problem != TokenOK {
		igWriteError(w, s.igTokenFail(short, problem))
		return
	}
	u := s.userByID(Instagram, short.ExternalID)
	long := s.issue(Instagram, "access", u, short.Scopes, s.cfg.InstagramLongTTL, nil)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": long.Value, "token_type": "bearer",
		"expires_in": int64(s.cfg.InstagramLongTTL / time.Second)})
}

// igRefreshMinAge is how old a long-lived token must be to be refreshed:
// 24 h, or half the lifetime when a sandbox configures tokens shorter than
// 48 h (so they can still be refreshed before they expire).
func (s *Simulator) igRefreshMinAge() time.Duration {
	return min(igRefreshMinAge, s.cfg.InstagramLongTTL/2)
}

// igRefresh gives an unexpired long-lived token at least a day old a new
// lifetime; refused ones answer code 190, and a token too young to refresh
// an invalid parameter (the token itself is fine).
func (s *Simulator) igRefresh(w http.ResponseWriter, r *http.Request) {
	if s.inject(Instagram, w, r) || !igVersionOK(w, r) {
		return
	}
	q := r.URL.Query()
	if q.Get("grant_type") != "ig_refresh_token" {
		igWriteError(w, igBadParam(0, "Unsupported grant_type: expected ig_refresh_token"))
		return
	}
	long, problem := s.lookup(Instagram, "access", q.Get("access_token"))
	if problem != TokenOK {
		igWriteError(w, s.igTokenFail(long, problem))
		return
	}
	if age := s.cfg.Now().Sub(long.IssuedAt); age < s.igRefreshMinAge() {
		igWriteError(w, igBadParam(0, fmt.Sprintf("The access token must be at least %s old to be refreshed", s.igRefreshMinAge())))
		return
	}
	u := s.userByID(Instagram, long.ExternalID)
	fresh := s.issue(Instagram, "access", u, long.Scopes, s.cfg.InstagramLongTTL, nil)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": fresh.Value, "token_type": "bearer",
		"expires_in": int64(s.cfg.InstagramLongTTL / time.Second)})
}

// igCall is an authenticated Graph API call.
type igCall struct {
	w     http.ResponseWriter
	r     *http.Request
	token *Token
	user  *User
	form  url.Values
}

// fail writes f.
func (c *igCall) fail(f igFail) { igWriteError(c.w, f) }

// ok writes v.
func (c *igCall) ok(v any) { writeJSON(c.w, http.StatusOK, v) }

// igAPI wraps a Graph API handler: faults, the version, the request's
// parameters (query, form or JSON body), the token, and the per-token
// hourly call limit with its usage headers.
func (s *Simulator) igAPI(h func(c *igCall)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		// The body is read first: until it is, the server does not notice
		// a client that hangs up, and an injected timeout would never end.
		form, err := igParams(r)
		if s.inject(Instagram, w, r) || !igVersionOK(w, r) {
			return
		}
		if err != nil {
			igWriteError(w, igBadParam(0, "Invalid request body: "+err.Error()))
			return
		}
		value := bearer(r)
		if value == "" {
			value = form.Get("access_token")
		}
		if value == "" {
			igWriteError(w, igFail{status: http.StatusBadRequest, code: 104, message: "An access token is required to request this resource."})
			return
		}
		t, problem := s.lookup(Instagram, "access", value)
		if problem == TokenUnknown {
			t, problem = s.lookup(Instagram, "short", value)
		}
		if problem != TokenOK {
			igWriteError(w, s.igTokenFail(t, problem))
			return
		}
		key := "instagram/calls/" + t.Value
		limit := s.cfg.InstagramCallsPerHour
		allowed, wait := s.allow(key, limit, igCallWindow)
		used := s.igWindowCount(key, igCallWindow)
		igUsageHeaders(w, t.ExternalID, min(100, used*100/limit), wait)
		if !allowed {
			igWriteError(w, igFail{status: http.StatusBadRequest, code: 4, transient: true, message: "Application request limit reached"})
			return
		}
		h(&igCall{w: w, r: r, token: t, user: s.userByID(Instagram, t.ExternalID), form: form})
	}
}

// igParams merges the query and the body's parameters (form or JSON, as
// the real API accepts both).
func igParams(r *http.Request) (url.Values, error) {
	out := url.Values{}
	for k, v := range r.URL.Query() {
		out[k] = v
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.Method == http.MethodGet:
	case ct == "application/json":
		var body map[string]any
		err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&body)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		for k, v := range body {
			switch v := v.(type) {
			case string:
				out.Set(k, v)
			default:
				b, _ := json.Marshal(v)
				out.Set(k, string(b))
			}
		}
	default:
		r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		for k, v := range r.PostForm {
			out[k] = v
		}
	}
	return out, nil
}

// igWindowCount is how many events key holds within the last window.
func (s *Simulator) igWindowCount(key string, window time.Duration) int {
	since := s.cfg.Now().Add(-window)
	n := 0
	s.update(func() {
		for _, t := range s.windows[key] {
			if t.After(since) {
				n++
			}
		}
	})
	return n
}

// igSelf resolves the {id} of an account edge: "me" or the token's own
// user id.
func (c *igCall) igSelf() (string, bool) {
	id := c.r.PathValue("id")
	if id == "me" || id == c.user.ExternalID {
		return c.user.ExternalID, true
	}
	c.fail(igNoObject(c.r.Method, id))
	return "", false
}

// igFields picks the requested fields of an object (id always, def when
// none were asked for).
func igFields(all map[string]any, fields string, def ...string) map[string]any {
	want := strings.Split(fields, ",")
	if strings.TrimSpace(fields) == "" {
		want = def
	}
	out := map[string]any{"id": all["id"]}
	for _, f := range want {
		f = strings.TrimSpace(f)
		if v, ok := all[f]; ok && v != nil {
			out[f] = v
		}
	}
	return out
}

// igTime is the Graph API's timestamp format.
func igTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-0700") }

// igGetNode reads one node: the user ("me" or its id), a container (its
// status), a media object or a comment.
func (s *Simulator) igGetNode(c *igCall) {
	id := c.r.PathValue("id")
	fields := c.form.Get("fields")
	if id == "me" || id == c.user.ExternalID {
		u := c.user
		c.ok(igFields(map[string]any{"id": u.ExternalID, "user_id": u.ExternalID, "username": u.Username,
			"name": u.Name, "account_type": "BUSINESS", "media_count": s.igMediaCount(u.ExternalID)},
			fields, "id"))
		return
	}
	var all map[string]any
	s.update(func() {
		if ct, _ := s.objects[igKey+id].(*igContainer); ct != nil && ct.Owner == c.user.ExternalID {
			code, status := s.igContainerStatus(ct)
			all = map[string]any{"id": ct.ID, "status_code": code, "status": status}
		}
		if m, _ := s.objects[igKey+id].(*igMedia); m != nil && m.Owner == c.user.ExternalID {
			all = s.igMediaFields(m)
		}
		if cm, _ := s.objects[igKey+id].(*igComment); cm != nil && !cm.Deleted && s.igCommentOwned(cm, c.user.ExternalID) {
			all = s.igCommentFields(cm)
		}
	})
	if all == nil {
		c.fail(igNoObject(c.r.Method, id))
		return
	}
	c.ok(igFields(all, fields, "id"))
}

// igMediaCount counts the user's published feed media.
func (s *Simulator) igMediaCount(owner string) int {
	n := 0
	s.update(func() {
		for _, v := range s.objects {
			if m, ok := v.(*igMedia); ok && m.Owner == owner && m.ProductType != "STORY" {
				n++
			}
		}
	})
	return n
}

// igContainerStatus is a container's status_code and status (under s.mu).
func (s *Simulator) igContainerStatus(ct *igContainer) (string, string) {
	now := s.cfg.Now()
	switch {
	case ct.Published:
		return "PUBLISHED", "Published: Media has been published."
	case !now.Before(ct.Created.Add(igContainerTTL)):
		return "EXPIRED", "Expired: The media container has expired (2207020)."
	case now.Before(ct.Created.Add(s.cfg.ProcessingDelay)):
		return "IN_PROGRESS", "In Progress: Media is still being processed."
	case ct.FailSubcode != 0:
		return "ERROR", fmt.Sprintf("Error: %s (%d)", igFailText(ct.FailSubcode), ct.FailSubcode)
	}
	return "FINISHED", "Finished: Media has been uploaded and it is ready to be published."
}

// igFailText describes a media failure subcode.
func igFailText(subcode int) string {
	switch subcode {
	case 2207003:
		return "Media download has timed out"
	case 2207026:
		return "Unsupported video format"
	case 2207052:
		return "The media could not be fetched from this URI"
	}
	return "Media processing failed"
}

// igMediaFields is everything a media object shows (under s.mu).
func (s *Simulator) igMediaFields(m *igMedia) map[string]any {
	live := 0
	for _, id := range m.Comments {
		if cm, _ := s.objects[igKey+id].(*igComment); cm != nil && !cm.Deleted {
			live++
		}
	}
	return map[string]any{"id": m.ID, "caption": m.Caption, "media_type": m.MediaType,
		"media_product_type": m.ProductType, "permalink": m.Permalink, "timestamp": igTime(m.Timestamp),
		"username": m.Username, "like_count": m.Stats["likes"], "comments_count": live}
}

// igCommentFields is everything a comment shows (under s.mu).
func (s *Simulator) igCommentFields(cm *igComment) map[string]any {
	all := map[string]any{"id": cm.ID, "text": cm.Text, "timestamp": igTime(cm.Timestamp),
		"username": cm.Username, "like_count": cm.LikeCount, "hidden": cm.Hidden,
		"from":  map[string]string{"id": cm.FromID, "username": cm.Username},
		"media": map[string]string{"id": cm.MediaID}}
	if cm.ParentID != "" {
		all["parent_id"] = cm.ParentID
	}
	return all
}

// igCommentOwned says whether the comment is on owner's media (under s.mu).
func (s *Simulator) igCommentOwned(cm *igComment, owner string) bool {
	m, _ := s.objects[igKey+cm.MediaID].(*igMedia)
	return m != nil && m.Owner == owner
}

// igMediaURL checks a media URL and reads its sim_error hint.
func igMediaURL(raw, param string) (int, *igFail) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		f := igFail{status: http.StatusBadRequest, code: 9004, subcode: 2207052,
			message:   "The media could not be fetched from this URI: " + param,
			userTitle: "Media download has failed.", userMsg: "The media URI doesn't meet our requirements."}
		return 0, &f
	}
	sub, _ := strconv.Atoi(u.Query().Get("sim_error"))
	return sub, nil
}

// igIsJPEG says whether a URL's path names a JPEG file.
func igIsJPEG(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	p := strings.ToLower(u.Path)
	return strings.HasSuffix(p, ".jpg") || strings.HasSuffix(p, ".jpeg")
}

// igCaptionFail checks the caption limits.
func igCaptionFail(caption string) *igFail {
	var f igFail
	switch {
	case utf8.RuneCountInString(caption) > igCaptionMax:
		f = igBadParam(2207010, fmt.Sprintf("The caption is longer than %d characters.", igCaptionMax))
	case len(igHashtag.FindAllString(caption, -1)) > igHashtagsMax:
		f = igBadParam(2207010, fmt.Sprintf("The caption has more than %d hashtags.", igHashtagsMax))
	case len(igMention.FindAllString(caption, -1)) > igMentionsMax:
		f = igBadParam(2207010, fmt.Sprintf("The caption has more than %d @ mentions.", igMentionsMax))
	default:
		return nil
	}
	f.userTitle, f.userMsg = "Caption not allowed", f.message
	return &f
}

// igOptionalFields are the container parameters PROVIDERS.md lists as
// optional, kept on the publication as options.
var igOptionalFields = []string{"share_to_feed", "cover_url", "thumb_offset", "alt_text", "collaborators", "user_tags", "location_id"}

// igCreateContainer creates a media container after checking what the real
// API checks before it downloads anything.
func (s *Simulator) igCreateContainer(c *igCall) {
	owner, ok := c.igSelf()
	if !ok {
		return
	}
	f := c.form
	ct := &igContainer{ID: randomDigits(17), Owner: owner, Caption: f.Get("caption"),
		IsCarouselItem: f.Get("is_carousel_item") == "true", Options: map[string]string{}, Created: s.cfg.Now()}
	for _, k := range igOptionalFields {
		if v := f.Get(k); v != "" {
			ct.Options[k] = v
		}
	}
	if fail := s.igFillContainer(ct, f); fail != nil {
		c.fail(*fail)
		return
	}
	if !ct.IsCarouselItem {
		if fail := igCaptionFail(ct.Caption); fail != nil {
			c.fail(*fail)
			return
		}
	}
	if ct.MediaType == "CAROUSEL" {
		if fail := s.igTakeChildren(ct, f.Get("children")); fail != nil {
			c.fail(*fail)
			return
		}
	}
	s.putObject(igKey+ct.ID, ct)
	c.ok(map[string]string{"id": ct.ID})
}

// igFillContainer sets the container's type and media from the request.
func (s *Simulator) igFillContainer(ct *igContainer, f url.Values) *igFail {
	image, video := f.Get("image_url"), f.Get("video_url")
	mediaType := strings.ToUpper(f.Get("media_type"))
	switch mediaType {
	case "", "IMAGE":
		mediaType = "IMAGE"
		if image == "" {
			fail := igBadParam(0, "The parameter image_url is required.")
			return &fail
		}
	case "VIDEO", "REELS":
		if video == "" {
			fail := igBadParam(0, "The parameter video_url is required.")
			return &fail
		}
		if mediaType == "VIDEO" && !ct.IsCarouselItem {
			fail := igBadParam(2207023, "The media type VIDEO is only for carousel items: use REELS.")
			return &fail
		}
	case "STORIES":
		if (image == "") == (video == "") {
			fail := igBadParam(0, "A story takes exactly one of image_url and video_url.")
			return &fail
		}
	case "CAROUSEL":
		if image != "" || video != "" {
			fail := igBadParam(0, "A carousel container takes children, not media URLs.")
			return &fail
		}
	default:
		fail := igBadParam(2207023, "The media type "+mediaType+" is unknown.")
		return &fail
	}
	if ct.IsCarouselItem && mediaType != "IMAGE" && mediaType != "VIDEO" {
		fail := igBadParam(2207023, "A carousel item is an IMAGE or a VIDEO.")
		return &fail
	}
	ct.MediaType = mediaType
	for param, raw := range map[string]string{"image_url": image, "video_url": video} {
		if raw == "" {
			continue
		}
		sub, fail := igMediaURL(raw, param)
		if fail != nil {
			return fail
		}
		if param == "image_url" && !igIsJPEG(raw) {
			return &igFail{status: http.StatusBadRequest, code: 36001, subcode: 2207005,
				message:   "The image format is not supported. Only JPEG images can be published.",
				userTitle: "Unsupported image format", userMsg: "Use a JPEG image."}
		}
		if sub == 2207004 {
			return &igFail{status: http.StatusBadRequest, code: 36000, subcode: 2207004,
				message:   "The image is too large to download: it must be 8 MiB or less.",
				userTitle: "Image too large", userMsg: "The image must be 8 MiB or less."}
		}
		ct.FailSubcode = sub
		ct.Media = append(ct.Media, raw)
	}
	return nil
}

// igTakeChildren checks a carousel's children (2–10 carousel items of the
// same user, unused, unexpired) and takes them.
func (s *Simulator) igTakeChildren(ct *igContainer, children string) *igFail {
	ids := strings.FieldsFunc(children, func(r rune) bool { return r == ',' })
	if len(ids) < igCarouselMin || len(ids) > igCarouselMax {
		f := igBadParam(2207028, fmt.Sprintf("A carousel has %d to %d children, got %d.", igCarouselMin, igCarouselMax, len(ids)))
		return &f
	}
	var fail *igFail
	now := s.cfg.Now()
	s.update(func() {
		var kids []*igContainer
		for _, id := range ids {
			kid, _ := s.objects[igKey+strings.TrimSpace(id)].(*igContainer)
			switch {
			case kid == nil || kid.Owner != ct.Owner:
				f := igBadParam(2207028, "The carousel child "+id+" does not exist or is not this account's.")
				fail = &f
			case !kid.IsCarouselItem || kid.Used:
				f := igBadParam(2207028, "The container "+id+" is not an unused carousel item.")
				fail = &f
			case !now.Before(kid.Created.Add(igContainerTTL)):
				f := igFail{status: http.StatusBadRequest, code: -2, subcode: 2207020, message: "The carousel child " + id + " has expired."}
				fail = &f
			}
			if fail != nil {
				return
			}
			kids = append(kids, kid)
		}
		for _, kid := range kids {
			kid.Used = true
			ct.Children = append(ct.Children, kid.ID)
			ct.Media = append(ct.Media, kid.Media...)
			if kid.FailSubcode != 0 && ct.FailSubcode == 0 {
				ct.FailSubcode = kid.FailSubcode
			}
		}
	})
	return fail
}

// igPublish publishes a finished container, under the rolling daily cap.
func (s *Simulator) igPublish(c *igCall) {
	owner, ok := c.igSelf()
	if !ok {
		return
	}
	id := c.form.Get("creation_id")
	if id == "" {
		c.fail(igBadParam(0, "The parameter creation_id is required."))
		return
	}
	var fail *igFail
	var ct igContainer
	s.update(func() {
		p, _ := s.objects[igKey+id].(*igContainer)
		if p == nil || p.Owner != owner {
			f := igNoObject(c.r.Method, id)
			fail = &f
			return
		}
		code, _ := s.igContainerStatus(p)
		switch {
		case p.IsCarouselItem:
			f := igBadParam(2207023, "A carousel item is published through its carousel.")
			fail = &f
		case code == "PUBLISHED":
			f := igFail{status: http.StatusBadRequest, code: 9007, subcode: 2207008, message: "The media container has already been published."}
			fail = &f
		case code == "EXPIRED":
			f := igFail{status: http.StatusBadRequest, code: -2, subcode: 2207020,
				message: "The media you are trying to access has expired. Please try to generate a new container ID."}
			fail = &f
		case code == "IN_PROGRESS":
			f := igFail{status: http.StatusBadRequest, code: 9007, subcode: 2207027,
				message: "The media is not ready for publishing, please wait for a moment."}
			fail = &f
		case code == "ERROR":
			f := igFail{status: http.StatusBadRequest, code: -2, subcode: p.FailSubcode, message: igFailText(p.FailSubcode)}
			fail = &f
		}
		ct = *p
		ct.Media = append([]string(nil), p.Media...)
	})
	if fail != nil {
		c.fail(*fail)
		return
	}
	if ok, _ := s.allow("instagram/publish/"+owner, s.cfg.InstagramPublishCap, igPublishWindow); !ok {
		c.fail(igFail{status: http.StatusBadRequest, code: 9, subcode: 2207042,
			message:   "Application request limit reached",
			userTitle: "Maximum daily publishing limit reached",
			userMsg:   fmt.Sprintf("You reached the maximum of %d posts in 24 hours for this account.", s.cfg.InstagramPublishCap)})
		return
	}
	m, won := s.igCreateMedia(c.user, &ct)
	if !won {
		c.fail(igFail{status: http.StatusBadRequest, code: 9007, subcode: 2207008, message: "The media container has already been published."})
		return
	}
	s.record(Publication{Provider: Instagram, ExternalID: owner, ID: m.ID, Kind: ct.MediaType,
		Caption: ct.Caption, Media: ct.Media, Options: ct.Options, At: m.Timestamp})
	if s.loseResponse(Instagram) {
		dropConnection(c.w)
		return
	}
	c.ok(map[string]string{"id": m.ID})
}

// igCreateMedia turns a container into a published media object with a
// few comments from followers; false when a concurrent publish of the
// same container won.
func (s *Simulator) igCreateMedia(u *User, ct *igContainer) (*igMedia, bool) {
	now := s.cfg.Now()
	m := &igMedia{ID: randomDigits(17), Owner: u.ExternalID, Username: u.Username, Caption: ct.Caption,
		Timestamp: now, MediaType: "IMAGE", ProductType: "FEED", Seq: igSeq.Add(1)}
	shortcode := "C" + randomID("", 5)
	m.Permalink = "https://www.instagram.com/p/" + shortcode + "/"
	switch ct.MediaType {
	case "REELS":
		m.MediaType, m.ProductType = "VIDEO", "REELS"
		m.Permalink = "https://www.instagram.com/reel/" + shortcode + "/"
	case "CAROUSEL":
		m.MediaType = "CAROUSEL_ALBUM"
	case "STORIES":
		m.ProductType = "STORY"
		if len(ct.Media) > 0 && !igIsJPEG(ct.Media[0]) {
			m.MediaType = "VIDEO"
		}
		m.Permalink = "https://www.instagram.com/stories/" + u.Username + "/" + m.ID + "/"
	}
	m.Stats = igStats(m.ID, m.ProductType)
	won := false
	s.update(func() {
		p, _ := s.objects[igKey+ct.ID].(*igContainer)
		if p == nil || p.Published {
			return
		}
		p.Published, won = true, true
		s.objects[igKey+m.ID] = m
		if m.ProductType != "STORY" {
			s.igSeedComments(m, now)
		}
	})
	return m, won
}

// igStats derives a media object's counters from its id (stable across
// calls); a story has no likes or saves.
func igStats(id, product string) map[string]int64 {
	sum := sha256.Sum256([]byte(id))
	n := func(i int, mod uint64) int64 { return int64(binary.BigEndian.Uint64(sum[i*8:]) % mod) }
	st := map[string]int64{"reach": 100 + n(0, 900), "shares": n(1, 20)}
	st["views"] = st["reach"] + n(2, 500)
	if product != "STORY" {
		st["likes"] = 10 + n(3, 90)
		st["saved"] = n(2, 15)
	}
	return st
}

// igSeedComments adds three followers' comments, the first with a reply
// (under s.mu).
func (s *Simulator) igSeedComments(m *igMedia, now time.Time) {
	texts := []string{"Love this!", "Where was this taken?", "So good 🔥"}
	for i, text := range texts {
		cm := &igComment{ID: randomDigits(17), MediaID: m.ID, Text: text, Username: fmt.Sprintf("fan_%d", i+1),
			FromID: randomDigits(17), Timestamp: now.Add(time.Duration(i+1) * time.Minute), LikeCount: i}
		s.objects[igKey+cm.ID] = cm
		m.Comments = append(m.Comments, cm.ID)
		if i == 0 {
			r := &igComment{ID: randomDigits(17), MediaID: m.ID, ParentID: cm.ID, Text: "@" + cm.Username + " same here",
				Username: "fan_9", FromID: randomDigits(17), Timestamp: now.Add(2 * time.Minute)}
			s.objects[igKey+r.ID] = r
			cm.Replies = append(cm.Replies, r.ID)
		}
	}
}

// igPublishingLimit answers the account's publishes within the rolling
// window and the cap.
func (s *Simulator) igPublishingLimit(c *igCall) {
	owner, ok := c.igSelf()
	if !ok {
		return
	}
	row := map[string]any{"quota_usage": s.igWindowCount("instagram/publish/"+owner, igPublishWindow)}
	if fields := c.form.Get("fields"); fields == "" || strings.Contains(fields, "config") {
		row["config"] = map[string]int{"quota_total": s.cfg.InstagramPublishCap, "quota_duration": int(igPublishWindow / time.Second)}
	}
	c.ok(map[string]any{"data": []any{row}})
}

// igListMedia lists the account's feed media (or its stories of the last
// 24 h), newest first, a page at a time.
func (s *Simulator) igListMedia(stories bool) func(c *igCall) {
	return func(c *igCall) {
		owner, ok := c.igSelf()
		if !ok {
			return
		}
		since := s.cfg.Now().Add(-24 * time.Hour)
		var rows []map[string]any
		s.update(func() {
			var list []*igMedia
			for _, v := range s.objects {
				if m, ok := v.(*igMedia); ok && m.Owner == owner && (m.ProductType == "STORY") == stories &&
					(!stories || m.Timestamp.After(since)) {
					list = append(list, m)
				}
			}
			igNewestFirst(list)
			for _, m := range list {
				rows = append(rows, s.igMediaFields(m))
			}
		})
		s.igPage(c, rows, "id")
	}
}

// igNewestFirst orders media newest first.
func igNewestFirst(list []*igMedia) {
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if !a.Timestamp.Equal(b.Timestamp) {
			return a.Timestamp.After(b.Timestamp)
		}
		return a.Seq > b.Seq
	})
}

// igPage answers one page of rows in the Graph API's cursor paging:
// limit (≤100) and after (the cursor of the last row seen).
func (s *Simulator) igPage(c *igCall, rows []map[string]any, def ...string) {
	limit, err := strconv.Atoi(c.form.Get("limit"))
	if c.form.Get("limit") == "" {
		limit, err = igPageDefault, nil
	}
	if err != nil || limit < 1 {
		c.fail(igBadParam(0, "The parameter limit must be a positive integer."))
		return
	}
	limit = min(limit, igPageMax)
	start := 0
	if after := c.form.Get("after"); after != "" {
		raw, err := base64.RawURLEncoding.DecodeString(after)
		if err != nil {
			c.fail(igBadParam(0, "The parameter after is not a valid cursor."))
			return
		}
		start = len(rows)
		for i, r := range rows {
			if r["id"] == string(raw) {
				start = i + 1
			}
		}
	}
	end := min(len(rows), start+limit)
	data := []map[string]any{}
	for _, r := range rows[start:end] {
		data = append(data, igFields(r, c.form.Get("fields"), def...))
	}
	out := map[string]any{"data": data}
	if len(data) > 0 {
		cursor := func(r map[string]any) string { return base64.RawURLEncoding.EncodeToString([]byte(r["id"].(string))) }
		paging := map[string]any{"cursors": map[string]string{"before": cursor(data[0]), "after": cursor(data[len(data)-1])}}
		if end < len(rows) {
			// The real API's next link repeats the access token; this one
			// does not, since the token may have come in a header.
			q := url.Values{"limit": {strconv.Itoa(limit)}, "after": {cursor(data[len(data)-1])}}
			if f := c.form.Get("fields"); f != "" {
				q.Set("fields", f)
			}
			paging["next"] = baseURL(c.r) + c.r.URL.Path + "?" + q.Encode()
		}
		out["paging"] = paging
	}
	c.ok(out)
}

// igMediaMetrics and igAccountMetrics are the insights metrics served.
var (
	igMediaMetrics   = []string{"views", "reach", "likes", "comments", "shares", "saved", "total_interactions"}
	igAccountMetrics = []string{"reach", "views", "accounts_engaged", "total_interactions", "follower_count"}
)

// igInsights serves media insights (lifetime) or account insights (day,
// total values over since…until).
func (s *Simulator) igInsights(c *igCall) {
	id := c.r.PathValue("id")
	metrics := splitScopes(c.form.Get("metric"))
	if len(metrics) == 0 {
		c.fail(igBadParam(0, "The parameter metric is required."))
		return
	}
	if id == "me" || id == c.user.ExternalID {
		s.igAccountInsights(c, metrics)
		return
	}
	var values map[string]int64
	s.update(func() {
		if m, _ := s.objects[igKey+id].(*igMedia); m != nil && m.Owner == c.user.ExternalID {
			values = s.igMediaValues(m)
		}
	})
	if values == nil {
		c.fail(igNoObject(c.r.Method, id))
		return
	}
	if fail := igKnownMetrics(metrics, igMediaMetrics); fail != nil {
		c.fail(*fail)
		return
	}
	data := []map[string]any{}
	for _, name := range metrics {
		// A metric the media type has no data for (a story's likes) is
		// left out: unavailable data is absent, never a 0.
		if v, ok := values[name]; ok {
			data = append(data, igMetric(id, name, "lifetime", v))
		}
	}
	c.ok(map[string]any{"data": data})
}

// igMediaValues is a media object's metrics (under s.mu).
func (s *Simulator) igMediaValues(m *igMedia) map[string]int64 {
	out := map[string]int64{}
	for k, v := range m.Stats {
		out[k] = v
	}
	if m.ProductType == "STORY" {
		out["total_interactions"] = out["shares"]
		return out
	}
	comments := int64(0)
	for _, cid := range m.Comments {
		cm, _ := s.objects[igKey+cid].(*igComment)
		if cm == nil || cm.Deleted {
			continue
		}
		comments++
		for _, rid := range cm.Replies {
			if r, _ := s.objects[igKey+rid].(*igComment); r != nil && !r.Deleted {
				comments++
			}
		}
	}
	out["comments"] = comments
	out["total_interactions"] = out["likes"] + comments + out["shares"] + out["saved"]
	return out
}

// igKnownMetrics refuses a metric outside known, as the real API does.
func igKnownMetrics(metrics, known []string) *igFail {
	for i, name := range metrics {
		if !contains(known, name) {
			f := igBadParam(0, fmt.Sprintf("(#100) metric[%d] must be one of the following values: %s", i, strings.Join(known, ", ")))
			return &f
		}
	}
	return nil
}

// igMetric is one row of an insights answer.
func igMetric(id, name, period string, v int64) map[string]any {
	title := strings.ToUpper(name[:1]) + strings.ReplaceAll(name[1:], "_", " ")
	return map[string]any{"name": name, "period": period, "values": []map[string]int64{{"value": v}},
		"title": title, "description": "Simulated " + strings.ReplaceAll(name, "_", " ") + ".",
		"id": id + "/insights/" + name + "/" + period}
}

// igAccountInsights sums the account's media published within since…until
// (default: the last day). follower_count is absent: the simulated
// accounts have fewer than 100 followers, for which Instagram has no data.
func (s *Simulator) igAccountInsights(c *igCall, metrics []string) {
	if p := c.form.Get("period"); p != "day" {
		c.fail(igBadParam(0, "(#100) period must be one of the following values: day"))
		return
	}
	if fail := igKnownMetrics(metrics, igAccountMetrics); fail != nil {
		c.fail(*fail)
		return
	}
	until, since := s.cfg.Now(), s.cfg.Now().Add(-24*time.Hour)
	for name, t := range map[string]*time.Time{"since": &since, "until": &until} {
		if raw := c.form.Get(name); raw != "" {
			sec, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				c.fail(igBadParam(0, "The parameter "+name+" must be a unix timestamp."))
				return
			}
			*t = time.Unix(sec, 0)
		}
	}
	if until.Before(since) || until.Sub(since) > igInsightsMaxSpan {
		c.fail(igBadParam(0, "(#100) There cannot be more than 30 days (2592000 s) between since and until"))
		return
	}
	totals := map[string]int64{}
	s.update(func() {
		for _, v := range s.objects {
			m, ok := v.(*igMedia)
			if !ok || m.Owner != c.user.ExternalID || m.Timestamp.Before(since) || m.Timestamp.After(until) {
				continue
			}
			vals := s.igMediaValues(m)
			totals["reach"] += vals["reach"]
			totals["views"] += vals["views"]
			totals["total_interactions"] += vals["total_interactions"]
			totals["accounts_engaged"] += vals["likes"] + vals["comments"]
		}
	})
	id := c.user.ExternalID
	data := []map[string]any{}
	for _, name := range metrics {
		if name == "follower_count" {
			continue
		}
		data = append(data, igMetric(id, name, "day", totals[name]))
	}
	c.ok(map[string]any{"data": data})
}

// igListComments lists a media object's top-level comments, oldest first
// (hidden ones included: the owner sees them).
func (s *Simulator) igListComments(c *igCall) {
	id := c.r.PathValue("id")
	var rows []map[string]any
	found := false
	s.update(func() {
		m, _ := s.objects[igKey+id].(*igMedia)
		if m == nil || m.Owner != c.user.ExternalID {
			return
		}
		found = true
		rows = s.igCommentRows(m.Comments)
	})
	if !found {
		c.fail(igNoObject(c.r.Method, id))
		return
	}
	s.igPage(c, rows, "id", "text", "timestamp")
}

// igCommentRows lists the live comments of ids (under s.mu).
func (s *Simulator) igCommentRows(ids []string) []map[string]any {
	rows := []map[string]any{}
	for _, cid := range ids {
		if cm, _ := s.objects[igKey+cid].(*igComment); cm != nil && !cm.Deleted {
			rows = append(rows, s.igCommentFields(cm))
		}
	}
	return rows
}

// igOwnComment returns the comment with the call's {id} when it is on the
// token user's media, or answers the Graph API's missing object error.
func (s *Simulator) igOwnComment(c *igCall, fn func(cm *igComment) *igFail) bool {
	id := c.r.PathValue("id")
	var fail *igFail
	found := false
	s.update(func() {
		cm, _ := s.objects[igKey+id].(*igComment)
		if cm == nil || cm.Deleted || !s.igCommentOwned(cm, c.user.ExternalID) {
			return
		}
		found = true
		fail = fn(cm)
	})
	switch {
	case !found:
		c.fail(igNoObject(c.r.Method, id))
		return false
	case fail != nil:
		c.fail(*fail)
		return false
	}
	return true
}

// igListReplies lists a comment's replies, oldest first.
func (s *Simulator) igListReplies(c *igCall) {
	var rows []map[string]any
	if s.igOwnComment(c, func(cm *igComment) *igFail {
		rows = s.igCommentRows(cm.Replies)
		return nil
	}) {
		s.igPage(c, rows, "id", "text", "timestamp")
	}
}

// igReply replies to a top-level, visible comment as the account.
func (s *Simulator) igReply(c *igCall) {
	msg := c.form.Get("message")
	if msg == "" {
		c.fail(igBadParam(0, "The parameter message is required."))
		return
	}
	if fail := igCaptionFail(msg); fail != nil {
		c.fail(*fail)
		return
	}
	reply := &igComment{ID: randomDigits(17), Text: msg, Username: c.user.Username, FromID: c.user.ExternalID,
		Timestamp: s.cfg.Now()}
	if s.igOwnComment(c, func(cm *igComment) *igFail {
		switch {
		case cm.ParentID != "":
			f := igBadParam(0, "(#100) Replies can only be made to top-level comments.")
			return &f
		case cm.Hidden:
			f := igBadParam(0, "(#100) Cannot reply to a hidden comment.")
			return &f
		}
		reply.MediaID, reply.ParentID = cm.MediaID, cm.ID
		s.objects[igKey+reply.ID] = reply
		cm.Replies = append(cm.Replies, reply.ID)
		return nil
	}) {
		c.ok(map[string]string{"id": reply.ID})
	}
}

// igHideComment hides or shows a comment (POST /{comment}?hide=).
func (s *Simulator) igHideComment(c *igCall) {
	hide := c.form.Get("hide")
	if hide != "true" && hide != "false" {
		c.fail(igBadParam(0, "The parameter hide is required and must be true or false."))
		return
	}
	if s.igOwnComment(c, func(cm *igComment) *igFail {
		cm.Hidden = hide == "true"
		return nil
	}) {
		c.ok(map[string]bool{"success": true})
	}
}

// igDeleteComment deletes a comment.
func (s *Simulator) igDeleteComment(c *igCall) {
	if s.igOwnComment(c, func(cm *igComment) *igFail {
		cm.Deleted = true
		return nil
	}) {
		c.ok(map[string]bool{"success": true})
	}
}
