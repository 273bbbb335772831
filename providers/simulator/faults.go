package simulator

import (
	"io"
	"net/http"
	"time"
)

// Faults are injected into one provider's answers. Counts are consumed one
// per API call (authorize pages excluded); Outage lasts until cleared.
type Faults struct {
	// LatencyMS delays every answer.
	LatencyMS int `json:"latency_ms,omitempty"`
	// RateLimited answers the next N calls with the provider's throttling
	// error (429, or its own code), with Retry-After RetryAfterSeconds.
	RateLimited       int `json:"rate_limited,omitempty"`
	RetryAfterSeconds int `json:"retry_after_seconds,omitempty"`
	// ServerErrors answers the next N calls with a 5xx in the provider's
	// shape.
	ServerErrors int `json:"server_errors,omitempty"`
	// Timeouts makes the next N calls hang until the client gives up.
	Timeouts int `json:"timeouts,omitempty"`
	// Outage fails every call (503) until cleared.
	Outage bool `json:"outage,omitempty"`
	// LoseResponses makes the next N publish calls succeed (the post is
	// published and recorded) but lose the answer: the connection closes
	// before a byte of it is sent.
	LoseResponses int `json:"lose_responses,omitempty"`
}

// FaultRequest is the body of POST /_sim/faults/{provider}: the faults to
// set (replacing the previous ones) and one-off actions.
type FaultRequest struct {
	Faults
	// ExpireTokens expires every access token of the provider now.
	ExpireTokens bool `json:"expire_tokens,omitempty"`
	// RevokeRefresh revokes every refresh token (Instagram: every
	// long-lived token) of the provider: the next refresh is refused as
	// definitively as the real provider refuses it.
	RevokeRefresh bool `json:"revoke_refresh,omitempty"`
}

// FaultKind is a failure a Dialect writes in its provider's shape.
type FaultKind int

// Kinds of injected failure.
const (
	FaultRateLimited FaultKind = iota + 1
	FaultServerError
	FaultOutage
)

// Dialect writes an injected failure the way its provider would.
type Dialect func(w http.ResponseWriter, kind FaultKind, retryAfter time.Duration)

// SetFaults applies a fault request to provider.
func (s *Simulator) SetFaults(provider string, req FaultRequest) {
	s.mu.Lock()
	f := req.Faults
	s.faults[provider] = &f
	now := s.cfg.Now()
	for _, t := range s.tokens {
		if t.Provider != provider {
			continue
		}
		if req.ExpireTokens && (t.Kind == "access" || t.Kind == "short") {
			t.ExpiresAt = now
		}
		if req.RevokeRefresh && (t.Kind == "refresh" || provider == Instagram && t.Kind == "access") {
			t.Revoked = true
		}
	}
	s.mu.Unlock()
}

// inject applies provider's faults to one API call: it reports true when
// it has answered (or dropped) the call, which the handler then leaves.
func (s *Simulator) inject(provider string, w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	f := s.faults[provider]
	var latency time.Duration
	var kind FaultKind
	var retryAfter time.Duration
	hang := false
	if f != nil {
		latency = time.Duration(f.LatencyMS) * time.Millisecond
		retryAfter = time.Duration(f.RetryAfterSeconds) * time.Second
		switch {
		case f.Outage:
			kind = FaultOutage
		case f.Timeouts > 0:
			f.Timeouts--
			hang = true
		case f.RateLimited > 0:
			f.RateLimited--
			kind = FaultRateLimited
		case f.ServerErrors > 0:
			f.ServerErrors--
			kind = FaultServerError
		}
	}
	dialect := s.dialects[provider]
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return true
		}
	}
	if hang {
		// The server notices a client that gave up only once the request
		// body is consumed.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
		return true
	}
	if kind == 0 {
		return false
	}
	if dialect == nil {
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return true
	}
	dialect(w, kind, retryAfter)
	return true
}

// loseResponse consumes one LoseResponses fault of provider.
func (s *Simulator) loseResponse(provider string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.faults[provider]; f != nil && f.LoseResponses > 0 {
		f.LoseResponses--
		return true
	}
	return false
}

// dropConnection closes the client's connection without an answer: the
// "published but the response was lost" fault.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// setDialect registers how provider writes injected failures.
func (s *Simulator) setDialect(provider string, d Dialect) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dialects[provider] = d
}
