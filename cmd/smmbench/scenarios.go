package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/socialmediamanager/smm/domain"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// baselineName is the name of the reference scenario every ratio divides by.
const baselineName = "baseline"

// baselineScenario is the reference: a bare fiber app, one GET handler
// answering {"status":"ok"}, in this process, on its own loopback port. It
// runs before the other scenarios and again after them.
func baselineScenario() Scenario {
	return Scenario{
		Name: baselineName,
		Doc:  "bare `fiber.New()` app, one GET handler returning `c.JSON(fiber.Map{\"status\":\"ok\"})` → 200",
		Targeter: func(env *Env, fx Fixture) vegeta.Targeter {
			return getTargeter(env.BaselineURL+baselinePath, fx.Header)
		},
		Check: ExpectBody(http.StatusOK, `{"status":"ok"}`),
	}
}

// scenarios lists the scenarios measured against the baseline, in the order
// they run. A later issue adds one by writing a constructor like healthLive
// and appending it here.
func scenarios() []Scenario {
	return append([]Scenario{
		healthLive(),
		notFoundEnvelope(),
		meWithToken(),
		meWithAPIKey(),
	}, append(grainScenarios(), publishScenarios()...)...)
}

// healthLive measures the cheapest real route: the whole middleware
// pipeline (ids, access log at warn, recovery, security headers, CORS) and
// the success envelope, with no I/O.
func healthLive() Scenario {
	return Scenario{
		Name:    "health_live",
		Doc:     "`GET /health/live` → 200 `{\"data\":{\"status\":\"ok\"},\"meta\":{…}}` through the full middleware pipeline",
		Service: true,
		Setup: func(ctx context.Context, env *Env) (Fixture, error) {
			var body struct {
				Data struct {
					Status string `json:"status"`
				} `json:"data"`
				Meta struct {
					RequestID string `json:"request_id"`
				} `json:"meta"`
			}
			if err := probeJSON(ctx, env.Client, env.ServiceURL+"/health/live", http.StatusOK, &body); err != nil {
				return Fixture{}, err
			}
			if body.Data.Status != "ok" || body.Meta.RequestID == "" {
				return Fixture{}, fmt.Errorf("GET /health/live: want data.status ok and meta.request_id, got %+v", body)
			}
			return Fixture{}, nil
		},
		Targeter: func(env *Env, fx Fixture) vegeta.Targeter {
			return getTargeter(env.ServiceURL+"/health/live", fx.Header)
		},
		Check: ExpectBody(http.StatusOK, `"data":{"status":"ok"}`),
	}
}

// notFoundEnvelope measures the error path: an unmatched route under
// /api/v1 rendered by the error handler as the error envelope.
func notFoundEnvelope() Scenario {
	const path = "/api/v1/nope"
	return Scenario{
		Name:    "not_found_envelope",
		Doc:     "`GET " + path + "` → 404 `{\"errors\":[{\"code\":\"not_found\",…}],\"meta\":{\"request_id\":…}}`",
		Service: true,
		Setup: func(ctx context.Context, env *Env) (Fixture, error) {
			var body struct {
				Errors []struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"errors"`
				Meta struct {
					RequestID string `json:"request_id"`
				} `json:"meta"`
			}
			if err := probeJSON(ctx, env.Client, env.ServiceURL+path, http.StatusNotFound, &body); err != nil {
				return Fixture{}, err
			}
			if len(body.Errors) != 1 || body.Errors[0].Code != string(domain.CodeNotFound) || body.Errors[0].Message == "" || body.Meta.RequestID == "" {
				return Fixture{}, fmt.Errorf("GET %s: want one not_found error with a message and meta.request_id, got %+v", path, body)
			}
			return Fixture{}, nil
		},
		Targeter: func(env *Env, fx Fixture) vegeta.Targeter {
			return getTargeter(env.ServiceURL+path, fx.Header)
		},
		Check: ExpectBody(http.StatusNotFound, `{"errors":[{"code":"`+string(domain.CodeNotFound)+`"`, `"meta":{"request_id":"`),
	}
}

// probeJSON sends one GET and decodes its JSON body into v, strictly,
// failing unless the status is want. Setups use it to check a response's
// full shape once, so the per-response Check can stay a cheap byte match.
func probeJSON(ctx context.Context, client *http.Client, url string, want int, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("GET %s: read body: %w", url, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("GET %s: status %d, want %d: %s", url, resp.StatusCode, want, raw)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("GET %s: body is not the expected JSON: %w: %s", url, err, raw)
	}
	return nil
}

// selectScenarios keeps the scenarios named in filter (all when filter is
// empty). The baseline is not in all and is always run, so naming it is
// allowed and changes nothing; an unknown name is an error listing the known.
func selectScenarios(all []Scenario, filter []string) ([]Scenario, error) {
	if len(filter) == 0 {
		return all, nil
	}
	known := map[string]bool{baselineName: true}
	for _, s := range all {
		known[s.Name] = true
	}
	wanted := map[string]bool{}
	var unknown []string
	for _, name := range filter {
		if !known[name] {
			unknown = append(unknown, name)
		}
		wanted[name] = true
	}
	if len(unknown) > 0 {
		names := []string{baselineName}
		for _, s := range all {
			names = append(names, s.Name)
		}
		return nil, fmt.Errorf("unknown scenario %q; known: %q", unknown, names)
	}
	var out []Scenario
	for _, s := range all {
		if wanted[s.Name] {
			out = append(out, s)
		}
	}
	return out, nil
}

// authenticatedMe measures an authenticated read end to end: credential
// check (RS256 verification and the Redis blacklist, or the API key's hashed
// secret in PostgreSQL), the role from the Redis membership cache, the
// per-principal rate limit in Redis, and GET /api/v1/me's three PostgreSQL
// reads under row-level security. Setup registers a fresh account (and, for
// the key, creates one with the read scope).
func authenticatedMe(name, doc string, useKey bool) Scenario {
	return Scenario{
		Name:    name,
		Doc:     doc,
		Service: true,
		Setup: func(ctx context.Context, env *Env) (Fixture, error) {
			email := fmt.Sprintf("bench-%d@example.com", time.Now().UnixNano())
			var reg struct {
				Data struct {
					Tokens struct {
						AccessToken string `json:"access_token"`
					} `json:"tokens"`
				} `json:"data"`
			}
			if err := postJSON(ctx, env.Client, env.ServiceURL+"/api/v1/auth/register", "", map[string]string{
				"email": email, "password": "benchmark password", "name": "Bench", "organization_name": "Bench",
			}, http.StatusCreated, &reg); err != nil {
				return Fixture{}, err
			}
			credential := reg.Data.Tokens.AccessToken
			if useKey {
				var key struct {
					Data struct {
						Key string `json:"key"`
					} `json:"data"`
				}
				if err := postJSON(ctx, env.Client, env.ServiceURL+"/api/v1/api-keys", credential, map[string]any{
					"name": "bench", "scopes": []string{"read"},
				}, http.StatusCreated, &key); err != nil {
					return Fixture{}, err
				}
				credential = key.Data.Key
			}
			h := http.Header{}
			h.Set("Authorization", "Bearer "+credential)
			return Fixture{Header: h}, nil
		},
		Targeter: func(env *Env, fx Fixture) vegeta.Targeter {
			return getTargeter(env.ServiceURL+"/api/v1/me", fx.Header)
		},
		Check: ExpectBody(http.StatusOK, `"active_organization":{`),
	}
}

func meWithToken() Scenario {
	return authenticatedMe("me_jwt", "`GET /api/v1/me` with an RS256 access token → 200 (user, active organization, memberships)", false)
}

func meWithAPIKey() Scenario {
	return authenticatedMe("me_api_key", "`GET /api/v1/me` with an API key (`read` scope) → 200", true)
}

// postJSON sends one POST with a JSON body (and a bearer credential when
// given) and decodes the JSON answer into v.
func postJSON(ctx context.Context, client *http.Client, url, bearer string, body any, want int, v any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", url, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("POST %s: got %d, want %d: %s", url, resp.StatusCode, want, out)
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("POST %s: decode: %w", url, err)
	}
	return nil
}
