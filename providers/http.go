package providers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// HTTPConfig is how a client talks to its provider.
type HTTPConfig struct {
	// Timeout bounds one HTTP exchange, body included (default 30s).
	Timeout time.Duration
	// MaxBody caps a response body read into memory (default 4 MiB); a
	// longer one fails the call (Retryable: a proxy's error page, not the
	// provider's answer).
	MaxBody int64
	// Live refuses redirects to anything but HTTPS (the real providers);
	// the simulators of sandbox mode speak plain HTTP on loopback.
	Live bool
	// Transport, when set, replaces http.DefaultTransport (tests).
	Transport http.RoundTripper
}

func (c HTTPConfig) withDefaults() HTTPConfig {
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.MaxBody <= 0 {
		c.MaxBody = 4 << 20
	}
	return c
}

// Caller sends a client's HTTP requests: timeouts, the body cap, the
// redirect policy, and errors that never carry a URL's query (where
// Instagram's tokens travel).
type Caller struct {
	provider string
	cfg      HTTPConfig
	client   *http.Client
}

// NewCaller returns the Caller of provider's client.
func NewCaller(provider string, cfg HTTPConfig) *Caller {
	cfg = cfg.withDefaults()
	c := &http.Client{Timeout: cfg.Timeout, Transport: cfg.Transport}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("more than 5 redirects")
		}
		if cfg.Live && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to a %s URL refused (live mode accepts https only)", req.URL.Scheme)
		}
		return nil
	}
	return &Caller{provider: provider, cfg: cfg, client: c}
}

// Response is a provider's answer, its body read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req and reads the answer. A transport failure (no answer, a
// timeout, a body over the cap) is a Retryable *Error naming op and the
// URL's path only; any HTTP status is returned as is, for the client to
// classify from the provider's error body.
func (c *Caller) Do(ctx context.Context, op string, req *http.Request) (*Response, error) {
	req = req.WithContext(ctx)
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, c.transportError(op, req, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBody+1))
	if err != nil {
		return nil, c.transportError(op, req, err)
	}
	if int64(len(body)) > c.cfg.MaxBody {
		return nil, &Error{Provider: c.provider, Op: op, Class: Retryable, Status: resp.StatusCode,
			Message: fmt.Sprintf("response body over %d bytes", c.cfg.MaxBody)}
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// transportError describes a failed exchange without the URL's query or
// credentials: url.Error would print the whole URL.
func (c *Caller) transportError(op string, req *http.Request, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := fmt.Sprintf("%s %s%s", req.Method, req.URL.Host, req.URL.Path)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		msg += ": timed out"
		err = context.DeadlineExceeded
	}
	// Whatever went wrong on the way, the call may be made again: whether
	// it reached the provider is unknown, which the caller must handle
	// (publishing reconciles before retrying).
	return &Error{Provider: c.provider, Op: op, Class: Retryable, Message: msg, Err: sanitized(err)}
}

// sanitized keeps an error's text from ever holding a URL with a query.
func sanitized(err error) error {
	if err == nil {
		return nil
	}
	return redactedError{err}
}

type redactedError struct{ err error }

func (r redactedError) Error() string { return RedactURLs(r.err.Error()) }
func (r redactedError) Unwrap() error { return r.err }

// RetryAfterHeader parses a Retry-After header (seconds or HTTP date).
func RetryAfterHeader(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
