package instagram

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/socialmediamanager/smm/providers"
)

// request is one call to Instagram.
type request struct {
	op     string
	method string
	// url has no query: params go in the query (GET, DELETE) or in a form
	// body (POST).
	url    string
	params url.Values
	// token is sent as "Authorization: Bearer", never in the URL.
	token string
	// secrets are more values to keep out of errors (a code, a token the
	// endpoint wants in the query).
	secrets []string
}

// graph is the Graph API URL of the path's segments.
func (c *Client) graph(segments ...string) string {
	u := c.cfg.GraphBaseURL + "/" + c.cfg.Version
	for _, s := range segments {
		u += "/" + url.PathEscape(s)
	}
	return u
}

// do sends rq and decodes a 2xx answer into out (when not nil); any other
// answer is a classified *providers.Error.
func (c *Client) do(ctx context.Context, rq request, out any) error {
	secrets := append([]string{rq.token}, rq.secrets...)
	target := rq.url
	var body io.Reader
	if rq.method == http.MethodPost {
		body = strings.NewReader(rq.params.Encode())
	} else if len(rq.params) > 0 {
		target += "?" + rq.params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, target, body)
	if err != nil {
		return local(rq.op, providers.Permanent, "build the request: %s", c.scrub(err.Error(), secrets...))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	if rq.token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.token)
	}
	resp, err := c.caller.Do(ctx, rq.op, req)
	if err != nil {
		return err
	}
	if resp.Status/100 != 2 {
		return c.fail(rq.op, resp, secrets...)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		// An answer that cannot be read says nothing of the outcome: the
		// caller may retry (publishing reconciles first).
		return &providers.Error{Provider: Provider, Op: rq.op, Class: providers.Retryable, Status: resp.Status,
			Message: "undecodable answer", Err: err}
	}
	return nil
}

// get, post and del are do for one method.
func (c *Client) get(ctx context.Context, op, token, u string, params url.Values, out any) error {
	return c.do(ctx, request{op: op, method: http.MethodGet, url: u, params: params, token: token}, out)
}

func (c *Client) post(ctx context.Context, op, token, u string, params url.Values, out any) error {
	return c.do(ctx, request{op: op, method: http.MethodPost, url: u, params: params, token: token}, out)
}

func (c *Client) del(ctx context.Context, op, token, u string, out any) error {
	return c.do(ctx, request{op: op, method: http.MethodDelete, url: u, token: token}, out)
}
