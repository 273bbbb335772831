package api

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/socialmediamanager/smm/domain"
)

// readyTimeout bounds each dependency check, so a hung dependency makes the
// probe fail fast instead of hanging the orchestrator's probe.
const readyTimeout = 2 * time.Second

type healthStatus struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

// live answers while the process can serve HTTP at all.
func (a *API) live(c *fiber.Ctx) error {
	return Respond(c, fiber.StatusOK, healthStatus{Status: "ok"})
}

// startup answers 200 once start-up work (migrations verified) is done.
func (a *API) startup(c *fiber.Ctx) error {
	if !a.opts.Started() {
		return domain.Errorf(domain.CodeUnavailable, "starting: database migrations not verified yet")
	}
	return Respond(c, fiber.StatusOK, healthStatus{Status: "ok"})
}

// ready answers 200 when start-up is done and every dependency answers; else
// 503 with one error per failed dependency, named.
func (a *API) ready(c *fiber.Ctx) error {
	results := a.runChecks(c.UserContext())
	var failed domain.Errors
	names := make([]string, 0, len(results))
	for name := range results {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if results[name] != "ok" {
			failed = append(failed, &domain.Error{Code: domain.CodeUnavailable, Field: name, Message: name + " is unavailable"})
		}
	}
	if !a.opts.Started() {
		results["startup"] = "pending"
		failed = append(failed, &domain.Error{Code: domain.CodeUnavailable, Field: "startup", Message: "start-up is not finished"})
	}
	if len(failed) > 0 {
		body := make([]ErrorBody, len(failed))
		for i, e := range failed {
			body[i] = ErrorBody{Code: string(e.Code), Message: e.Message, Field: e.Field}
		}
		c.Set(fiber.HeaderRetryAfter, "5")
		return c.Status(fiber.StatusServiceUnavailable).JSON(errorEnvelope{Errors: body, Meta: Meta{RequestID: RequestID(c), Checks: results}})
	}
	return Respond(c, fiber.StatusOK, healthStatus{Status: "ok", Checks: results})
}

func (a *API) runChecks(ctx context.Context) map[string]string {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	results := make(map[string]string, len(a.opts.ReadyChecks))
	for name, check := range a.opts.ReadyChecks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status := "ok"
			if err := check(ctx); err != nil {
				status = "unavailable"
				a.logger.WarnContext(ctx, "readiness check failed", "check", name, "error", err)
			}
			mu.Lock()
			results[name] = status
			mu.Unlock()
		}()
	}
	wg.Wait()
	return results
}
