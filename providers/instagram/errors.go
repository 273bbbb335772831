package instagram

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// errorBody is an error answer: the Graph API's envelope, or the flat
// shape of api.instagram.com's token endpoint.
type errorBody struct {
	Error *graphError `json:"error"`
	// api.instagram.com: {"error_type","code","error_message"}.
	ErrorType    string `json:"error_type"`
	Code         number `json:"code"`
	ErrorMessage string `json:"error_message"`
}

// graphError is the inside of the Graph API's {"error":{…}}.
type graphError struct {
	Message     string `json:"message"`
	Type        string `json:"type"`
	Code        number `json:"code"`
	Subcode     number `json:"error_subcode"`
	IsTransient bool   `json:"is_transient"`
	UserTitle   string `json:"error_user_title"`
	UserMsg     string `json:"error_user_msg"`
	TraceID     string `json:"fbtrace_id"`
}

// number is an integer that may arrive as a JSON number or a string.
type number int

func (n *number) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("not an integer: %w", err)
	}
	*n = number(v)
	return nil
}

// classify maps Instagram's code and subcode (PROVIDERS.md) to a class;
// codes it does not list fall back on is_transient, then the HTTP status.
func classify(status, code, subcode int, transient bool) providers.Class {
	switch {
	case code == 4 && subcode == 2207051: // spam restriction
		return providers.Permanent
	case code == 4 || code == 17 || code == 32 || code == 613 || code == 80002:
		return providers.RateLimited
	case code == 190:
		return providers.AuthExpired
	case code == 9: // 9/2207042: the daily publishing cap
		return providers.QuotaExhausted
	case code == 10 || code >= 200 && code <= 299:
		return providers.Permanent
	case code == 1 || code == 2 || code == -1:
		return providers.Retryable
	case code == -2 && subcode == 2207003: // media download timed out
		return providers.Retryable
	case code == -2 && subcode == 2207020: // container expired: a new one is needed
		return providers.Permanent
	case code == 36000: // image over 8 MiB
		return providers.Permanent
	case code == 9007 && subcode == 2207027: // container not ready yet
		return providers.Retryable
	case transient:
		return providers.Retryable
	case status == http.StatusTooManyRequests:
		return providers.RateLimited
	case status >= 500:
		return providers.Retryable
	}
	return providers.Permanent
}

// fail turns a non-2xx answer into a classified error whose message holds
// none of secrets (nor the client secret) nor any URL query.
func (c *Client) fail(op string, resp *providers.Response, secrets ...string) *providers.Error {
	e := &providers.Error{Provider: Provider, Op: op, Status: resp.Status, RetryAfter: c.retryAfter(resp.Header)}
	var body errorBody
	if err := json.Unmarshal(resp.Body, &body); err != nil || (body.Error == nil && body.ErrorType == "") {
		e.Class = classify(resp.Status, 0, 0, false)
		e.Message = "unexpected answer: " + http.StatusText(resp.Status)
		return e
	}
	if g := body.Error; g != nil {
		e.Class = classify(resp.Status, int(g.Code), int(g.Subcode), g.IsTransient)
		e.Code = strconv.Itoa(int(g.Code))
		if g.Subcode != 0 {
			e.Subcode = strconv.Itoa(int(g.Subcode))
		}
		e.Message = g.Message
		if g.UserMsg != "" && g.UserMsg != g.Message {
			e.Message += " (" + strings.TrimSpace(g.UserTitle+": "+g.UserMsg) + ")"
		}
		e.TraceID = g.TraceID
	} else {
		// The token endpoint's code is the HTTP status: a bad, used or
		// expired code, a redirect_uri mismatch; nothing a retry fixes.
		e.Class = classify(resp.Status, 0, 0, false)
		e.Code = strconv.Itoa(int(body.Code))
		e.Message = body.ErrorType + ": " + body.ErrorMessage
	}
	e.Message = c.scrub(e.Message, secrets...)
	return e
}

// local is an error found before calling Instagram.
func local(op string, class providers.Class, format string, args ...any) *providers.Error {
	return &providers.Error{Provider: Provider, Op: op, Class: class, Message: fmt.Sprintf(format, args...)}
}

// scrub removes secrets, the client secret and URL queries from s.
func (c *Client) scrub(s string, secrets ...string) string {
	for _, v := range append(secrets, c.cfg.ClientSecret) {
		if v != "" {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return providers.RedactURLs(s)
}

// businessUsage is one entry of X-Business-Use-Case-Usage.
type businessUsage struct {
	Type      string `json:"type"`
	CallCount number `json:"call_count"`
	// RegainMinutes is how long until calls are accepted again.
	RegainMinutes number `json:"estimated_time_to_regain_access"`
}

// retryAfter is the wait an answer asks for: Retry-After, or the longest
// estimated_time_to_regain_access (minutes) of X-Business-Use-Case-Usage.
func (c *Client) retryAfter(h http.Header) time.Duration {
	wait := providers.RetryAfterHeader(h, c.cfg.Now())
	var usage map[string][]businessUsage
	if raw := h.Get("X-Business-Use-Case-Usage"); raw != "" && json.Unmarshal([]byte(raw), &usage) == nil {
		for _, entries := range usage {
			for _, u := range entries {
				wait = max(wait, time.Duration(u.RegainMinutes)*time.Minute)
			}
		}
	}
	return wait
}
