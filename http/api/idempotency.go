package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
)

// IdempotencyStore keeps Idempotency-Key records (PostgreSQL, so a Redis
// loss cannot cause a duplicate).
type IdempotencyStore interface {
	ClaimIdempotencyKey(ctx context.Context, org uuid.UUID, scope, key, method, path, hash string, ttl, staleAfter time.Duration) (bool, domain.IdempotencyRecord, error)
	CompleteIdempotencyKey(ctx context.Context, org uuid.UUID, scope, key string, status int, contentType string, body []byte) error
	ReleaseIdempotencyKey(ctx context.Context, org uuid.UUID, scope, key string) error
}

// Idempotency settings: records live 24 hours; a claim whose request has
// not finished after a minute is taken to be abandoned by a dead server.
const (
	HeaderIdempotencyKey     = "Idempotency-Key"
	HeaderIdempotentReplayed = "Idempotent-Replayed"
	idempotencyTTL           = 24 * time.Hour
	idempotencyStaleAfter    = time.Minute
	maxIdempotencyKeyLength  = 255
)

// idempotent honours Idempotency-Key on a POST that creates or triggers
// something: the first request runs and its response is stored; the same
// key with the same body replays it; with another body it is refused (422
// idempotency_key_reused); while the first is in flight, 409. Keys are per
// organization once signed in, per client IP before. Responses that did not
// start the operation (validation, authentication, rate limits, server
// errors) are not stored, so the client may fix and retry with the same key.
func (a *API) idempotent(c *fiber.Ctx) error {
	key := c.Get(HeaderIdempotencyKey)
	if key == "" || a.opts.Idempotency == nil || a.opts.Sealer == nil {
		return c.Next()
	}
	if err := checkIdempotencyKey(key); err != nil {
		return err
	}
	// The key is scoped to the organization and, within it, to the one
	// principal that sent it: a replay hands the stored answer (which may
	// hold a secret, such as a new API key) only to whoever received it the
	// first time.
	org, scope := uuid.Nil, "ip:"+a.clientIP(c)
	if p, ok := c.Locals(principalKey).(domain.Principal); ok {
		who := "user:" + p.UserID.String()
		if p.IsAPIKey() {
			who = "key:" + p.APIKeyID.String()
		}
		org, scope = p.OrganizationID, "org:"+p.OrganizationID.String()+":"+who
	}
	sum := sha256.New()
	sum.Write([]byte(c.Method() + " " + c.Path() + "\n"))
	sum.Write(c.Body())
	hash := hex.EncodeToString(sum.Sum(nil))

	ctx := c.UserContext()
	claimed, rec, err := a.opts.Idempotency.ClaimIdempotencyKey(ctx, org, scope, key, c.Method(), c.Path(), hash, idempotencyTTL, idempotencyStaleAfter)
	if err != nil {
		return err
	}
	if !claimed {
		switch {
		case rec.RequestHash != hash:
			return &domain.Error{Code: domain.CodeIdempotencyKeyReused, Field: HeaderIdempotencyKey,
				Message: "this Idempotency-Key was used with a different request; use a new key for a new request"}
		case rec.Status == 0:
			return &domain.Error{Code: domain.CodeConflict, Field: HeaderIdempotencyKey,
				Message: "a request with this Idempotency-Key is still in progress; retry shortly", RetryAfter: time.Second}
		}
		body, err := a.opts.Sealer.Open(rec.Body, idempotencyAAD(scope, key))
		if err != nil {
			return fmt.Errorf("open stored idempotent response: %w", err)
		}
		c.Set(HeaderIdempotentReplayed, "true")
		c.Set(fiber.HeaderContentType, rec.ContentType)
		return c.Status(rec.Status).Send(body)
	}

	err = c.Next()
	if err != nil {
		// Render now so the stored answer is exactly what was sent.
		if herr := a.app.ErrorHandler(c, err); herr != nil {
			return herr
		}
	}
	status := c.Response().StatusCode()
	bg := context.WithoutCancel(ctx)
	if storable(status) {
		// Stored responses can hold secrets (a new API key, an invitation
		// token): they are kept sealed, bound to their scope and key.
		body, serr := a.opts.Sealer.Seal(c.Response().Body(), idempotencyAAD(scope, key))
		if serr == nil {
			serr = a.opts.Idempotency.CompleteIdempotencyKey(bg, org, scope, key, status, string(c.Response().Header.ContentType()), body)
		}
		if serr != nil {
			a.logger.ErrorContext(ctx, "store idempotent response", "error", serr)
		}
	} else if rerr := a.opts.Idempotency.ReleaseIdempotencyKey(bg, org, scope, key); rerr != nil {
		a.logger.ErrorContext(ctx, "release idempotency key", "error", rerr)
	}
	return nil
}

func idempotencyAAD(scope, key string) []byte { return []byte("idempotency|" + scope + "|" + key) }

// Sealer encrypts data at rest, bound to associated data
// (encryption.Keyring).
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(ciphertext, aad []byte) ([]byte, error)
}

// checkIdempotencyKey accepts 1 to 255 printable ASCII characters (a UUID
// is the usual choice).
func checkIdempotencyKey(key string) error {
	if len(key) > maxIdempotencyKeyLength {
		return domain.Invalid(HeaderIdempotencyKey, "must be at most %d characters", maxIdempotencyKeyLength)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return domain.Invalid(HeaderIdempotencyKey, "must be printable ASCII, such as a UUID")
		}
	}
	return nil
}

// storable tells responses that reflect the operation having run (stored and
// replayed) from those where it did not start (not stored).
func storable(status int) bool {
	switch {
	case status < 400:
		return true
	case status == fiber.StatusForbidden, status == fiber.StatusNotFound, status == fiber.StatusConflict:
		return true
	}
	return false
}
