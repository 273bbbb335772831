package tiktok

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// apiError is the error object of the API envelope
// {"data":{…},"error":{"code":"ok","message":"","log_id":"…"}}.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	LogID   string `json:"log_id"`
}

// envelope is the API's answer; the token endpoints answer flat, with
// "error" a string and "error_description" beside it, which the same
// struct reads (Error stays raw until its kind is known).
type envelope struct {
	Data             json.RawMessage `json:"data"`
	Error            json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
	LogID            string          `json:"log_id"`
}

// problem is the error an envelope carries: its code ("ok" or "" when
// none), message and log id.
func (e envelope) problem() apiError {
	raw := bytes.TrimSpace(e.Error)
	if len(raw) == 0 || string(raw) == "null" {
		return apiError{}
	}
	if raw[0] == '"' {
		var code string
		_ = json.Unmarshal(raw, &code)
		return apiError{Code: code, Message: e.ErrorDescription, LogID: e.LogID}
	}
	var ae apiError
	if err := json.Unmarshal(raw, &ae); err != nil {
		return apiError{Code: "unreadable_error", Message: "the error object is not TikTok's"}
	}
	return ae
}

func (a apiError) ok() bool { return a.Code == "" || a.Code == "ok" }

// classOf maps TikTok's error codes (API envelope and OAuth) to classes;
// an unknown code falls back on the HTTP status.
func classOf(code string, status int) providers.Class {
	switch code {
	case "access_token_invalid":
		return providers.AuthExpired
	case "invalid_grant":
		// A refresh token revoked, expired or rotated away: the account
		// needs the user again (Exchange reclassifies a bad code).
		return providers.AuthExpired
	case "rate_limit_exceeded":
		return providers.RateLimited
	case "internal_error", "server_error", "temporarily_unavailable":
		return providers.Retryable
	case "spam_risk_too_many_posts":
		return providers.QuotaExhausted
	case "scope_not_authorized", "scope_permission_missed", "invalid_param", "invalid_params",
		"invalid_file_upload", "spam_risk_user_banned_from_posting", "reached_active_user_cap",
		"unaudited_client_can_only_post_to_private_accounts", "url_ownership_unverified",
		"privacy_level_option_mismatch", "invalid_request", "invalid_client", "invalid_scope",
		"unauthorized_client", "unsupported_grant_type", "access_denied":
		return providers.Permanent
	}
	if strings.HasPrefix(code, "spam_risk") {
		return providers.Permanent
	}
	switch {
	case status == http.StatusTooManyRequests:
		return providers.RateLimited
	case status >= 500, status == http.StatusRequestTimeout:
		return providers.Retryable
	case status == http.StatusUnauthorized:
		return providers.AuthExpired
	}
	return providers.Permanent
}

// failure builds the error of an answer that is not a success.
func (c *Client) failure(op string, resp *providers.Response, p apiError, secrets ...string) *providers.Error {
	if p.ok() {
		p.Code = ""
	}
	msg := p.Message
	if p.Code == "" && msg == "" {
		msg = http.StatusText(resp.Status)
	}
	return &providers.Error{
		Provider:   Provider,
		Op:         op,
		Class:      classOf(p.Code, resp.Status),
		Status:     resp.Status,
		Code:       p.Code,
		Message:    scrub(msg, secrets...),
		RetryAfter: providers.RetryAfterHeader(resp.Header, c.cfg.Now()),
		TraceID:    p.LogID,
	}
}

// unreadable is the error of an answer that is not TikTok's JSON: a
// proxy's page or a cut body. Whether the call took effect is unknown, so
// it may be made again (publishing reconciles first).
func (c *Client) unreadable(op string, resp *providers.Response) *providers.Error {
	class := classOf("", resp.Status)
	if resp.Status < 300 {
		class = providers.Retryable
	}
	return &providers.Error{Provider: Provider, Op: op, Class: class, Status: resp.Status,
		Message:    "the answer is not TikTok's JSON (" + http.StatusText(resp.Status) + ")",
		RetryAfter: providers.RetryAfterHeader(resp.Header, c.cfg.Now())}
}

// invalid is the error of a request refused before it is sent.
func invalid(op, code, msg string) *providers.Error {
	return &providers.Error{Provider: Provider, Op: op, Class: providers.Permanent, Code: code, Message: msg}
}

// scrub keeps a provider's message from quoting a secret the call sent
// (a token echoed back), and any URL's query.
func scrub(msg string, secrets ...string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	if len(msg) > 500 {
		msg = strings.ToValidUTF8(msg[:500], "") + "…"
	}
	return providers.RedactURLs(msg)
}

// retryAfterHint is the wait an error asked for, at least floor.
func retryAfterHint(err error, floor time.Duration) time.Duration {
	return max(providers.RetryAfterOf(err), floor)
}
