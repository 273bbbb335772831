package youtube

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	// The project quota resets at midnight Pacific time: the zone's rules
	// travel with the binary so the wait is right on a host without
	// tzdata.
	_ "time/tzdata"

	"github.com/socialmediamanager/smm/providers"
)

// ErrUploadSessionExpired is wrapped by the error of an upload whose
// session Google no longer knows (404/410 on the session URI): the upload
// must start over with a new session, resuming cannot succeed.
var ErrUploadSessionExpired = errors.New("the upload session expired: start a new upload")

// apiError is Google's JSON error envelope of the Data and Analytics APIs;
// the OAuth endpoints answer {"error":"invalid_grant","error_description"}
// instead, which errorBody also reads.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Status  string `json:"status"`
	Errors  []struct {
		Message string `json:"message"`
		Domain  string `json:"domain"`
		Reason  string `json:"reason"`
	} `json:"errors"`
}

type errorBody struct {
	Error            json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

// maxMessage bounds the provider's message kept in an error (a proxy may
// answer a whole HTML page).
const maxMessage = 300

// classify turns a non-2xx answer into a *providers.Error, from Google's
// reason (errors[0].reason, or the OAuth error code) first and the HTTP
// status otherwise.
func (c *Client) classify(op string, resp *providers.Response) *providers.Error {
	e := &providers.Error{Provider: provider, Op: op, Status: resp.Status}
	var body errorBody
	if json.Unmarshal(resp.Body, &body) == nil && len(body.Error) > 0 {
		var oauthCode string
		var ae apiError
		switch {
		case json.Unmarshal(body.Error, &oauthCode) == nil:
			e.Code, e.Message = oauthCode, body.ErrorDescription
		case json.Unmarshal(body.Error, &ae) == nil:
			e.Message = ae.Message
			if len(ae.Errors) > 0 {
				e.Code = ae.Errors[0].Reason
				if e.Message == "" {
					e.Message = ae.Errors[0].Message
				}
			}
			if e.Code == "" {
				e.Code = ae.Status
			}
		}
	} else if resp.Status/100 != 2 {
		e.Message = strings.TrimSpace(string(resp.Body))
	}
	e.Message = providers.RedactURLs(e.Message)
	if len(e.Message) > maxMessage {
		e.Message = strings.ToValidUTF8(e.Message[:maxMessage], "") + "…"
	}
	e.Class, e.RetryAfter = classOf(resp.Status, e.Code, c.now())
	if ra := providers.RetryAfterHeader(resp.Header, c.now()); ra > 0 && (e.Class == providers.RateLimited || e.Class == providers.Retryable || e.RetryAfter == 0) {
		e.RetryAfter = ra
	}
	return e
}

// classOf is the class of Google's answer (PROVIDERS.md), and the wait it
// implies when the reason says so: the project quota comes back at the
// next midnight Pacific, a channel's upload cap within a day.
func classOf(status int, code string, now time.Time) (providers.Class, time.Duration) {
	switch code {
	case "quotaExceeded", "dailyLimitExceeded":
		return providers.QuotaExhausted, untilPacificMidnight(now)
	case "uploadLimitExceeded":
		return providers.QuotaExhausted, 24 * time.Hour
	case "rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED":
		return providers.RateLimited, 0
	case "backendError", "internalError", "internal_failure", "temporarily_unavailable":
		return providers.Retryable, 0
	case "invalid_grant", "authError", "UNAUTHENTICATED":
		return providers.AuthExpired, 0
	case "forbidden", "badRequest", "invalid_request", "invalid_client", "unauthorized_client",
		"redirect_uri_mismatch", "unsupported_grant_type", "invalid_scope", "insufficientPermissions":
		return providers.Permanent, 0
	}
	switch {
	case status == http.StatusUnauthorized:
		return providers.AuthExpired, 0
	case status == http.StatusTooManyRequests:
		return providers.RateLimited, 0
	case status == http.StatusRequestTimeout || status >= 500:
		return providers.Retryable, 0
	}
	return providers.Permanent, 0
}

// pacific is the zone of the project quota's day.
var pacific = func() *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		return time.FixedZone("PST", -8*3600)
	}
	return loc
}()

// untilPacificMidnight is how long until the next midnight in Pacific
// time, when YouTube resets every project's quota.
func untilPacificMidnight(now time.Time) time.Duration {
	t := now.In(pacific)
	next := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, pacific)
	return next.Sub(now)
}
