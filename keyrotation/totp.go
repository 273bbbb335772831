package keyrotation

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/encryption"
)

// totpAAD is the associated data identity seals a user's TOTP secret with
// (identity/twofactor.go); re-sealing must use the same, or 2FA would stop
// working for that user.
func totpAAD(userID uuid.UUID) []byte { return []byte("totp|user:" + userID.String()) }

// rotateTOTPSecrets visits every user holding a TOTP secret, a batch of ids
// at a time, each user's row read and written in one transaction of their
// own scope.
func (j *job) rotateTOTPSecrets(ctx context.Context) error {
	after := uuid.Nil
	seen := 0
	for {
		users, err := j.store.UsersWithTOTP(ctx, after, j.opts.BatchSize)
		if err != nil {
			return err
		}
		for _, id := range users {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := j.rotateUser(ctx, id); err != nil {
				return fmt.Errorf("user %s: %w", id, err)
			}
			after = id
		}
		seen += len(users)
		c := j.report.TOTPSecrets
		j.progress("%s: %d user(s) checked: %d %s, %d already current, %d failed", KindTOTPSecrets, seen, c.Rotated, j.rotated(), c.Current, len(c.Failed))
		if len(users) < j.opts.BatchSize {
			return nil
		}
	}
}

// outcome is what became of one row, decided inside the store's
// transaction and counted once it committed.
type outcome int

const (
	outcomeNone outcome = iota // the user no longer has a secret
	outcomeCurrent
	outcomeRotated
	outcomeFailed
)

// rotateUser re-seals one user's TOTP secret unless it is already under the
// primary key or does not open.
func (j *job) rotateUser(ctx context.Context, userID uuid.UUID) error {
	c := &j.report.TOTPSecrets
	result := outcomeNone
	var reason string
	aad := totpAAD(userID)
	updated, err := j.store.ResealTOTPSecret(ctx, userID, func(sealed []byte) ([]byte, error) {
		if id, err := encryption.KeyID(sealed); err == nil && id == j.primary {
			result = outcomeCurrent
			return nil, nil
		}
		secret, err := j.ring.Open(sealed, aad)
		if err != nil {
			result, reason = outcomeFailed, err.Error()
			return nil, nil
		}
		defer clear(secret)
		result = outcomeRotated
		if j.opts.DryRun {
			return nil, nil
		}
		return j.ring.Seal(secret, aad)
	})
	if err != nil {
		return err
	}
	switch {
	case result == outcomeCurrent:
		c.Current++
	case result == outcomeFailed:
		f := Failure{Kind: KindTOTPSecrets, ID: userID, Reason: reason}
		c.Failed = append(c.Failed, f)
		j.progress("failed: %s", f)
	case result == outcomeRotated && (updated || j.opts.DryRun):
		c.Rotated++
	case result == outcomeRotated:
		c.Changed++
	}
	return nil
}
