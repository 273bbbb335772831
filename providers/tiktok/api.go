package tiktok

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/socialmediamanager/smm/providers"
)

// call sends one API request on the user's behalf (a JSON body when body
// is not nil) and decodes the envelope's data into out.
func (c *Client) call(ctx context.Context, op, method, path string, query url.Values, accessToken string, body, out any) error {
	u := c.cfg.APIBaseURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return &providers.Error{Provider: Provider, Op: op, Class: providers.Permanent, Message: "encode the request", Err: err}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		// The error would quote the URL; the configured base URL is what
		// is wrong.
		return &providers.Error{Provider: Provider, Op: op, Class: providers.Permanent, Message: "invalid API base URL"}
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	}
	resp, err := c.http.Do(ctx, op, req)
	if err != nil {
		return err
	}
	return c.decode(op, resp, out, accessToken)
}

// decode reads an API answer: out receives data when the envelope says
// "ok"; otherwise the error is classified from its code.
func (c *Client) decode(op string, resp *providers.Response, out any, secrets ...string) error {
	var env envelope
	if err := json.Unmarshal(resp.Body, &env); err != nil {
		return c.unreadable(op, resp)
	}
	p := env.problem()
	if resp.Status/100 != 2 || !p.ok() {
		return c.failure(op, resp, p, secrets...)
	}
	if out == nil {
		return nil
	}
	if len(env.Data) == 0 {
		return c.unreadable(op, resp)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return c.unreadable(op, resp)
	}
	return nil
}

// postForm sends a form to a token endpoint, whose answers are flat
// (errors {"error","error_description","log_id"}), and decodes a success
// into out (when not nil; an empty body is a success too).
func (c *Client) postForm(ctx context.Context, op, path string, form url.Values, out any, secrets ...string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.APIBaseURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		return &providers.Error{Provider: Provider, Op: op, Class: providers.Permanent, Message: "invalid API base URL"}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := c.http.Do(ctx, op, req)
	if err != nil {
		return err
	}
	secrets = append(secrets, c.cfg.ClientSecret)
	if len(bytes.TrimSpace(resp.Body)) == 0 {
		if resp.Status/100 == 2 && out == nil {
			return nil
		}
		return c.failure(op, resp, apiError{}, secrets...)
	}
	var env envelope
	if err := json.Unmarshal(resp.Body, &env); err != nil {
		return c.unreadable(op, resp)
	}
	if p := env.problem(); resp.Status/100 != 2 || !p.ok() {
		return c.failure(op, resp, p, secrets...)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return c.unreadable(op, resp)
	}
	return nil
}
