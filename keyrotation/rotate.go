// Package keyrotation re-seals every stored secret under the primary
// encryption key, so that an old key can be dropped from
// SMM_ENCRYPTION_KEYS: social accounts' OAuth tokens and users' TOTP
// secrets. `smm keys rotate` runs it.
//
// The job is resumable by construction: each row is re-sealed in its own
// short transaction with a conditional update, so a crash or a cancelled
// run leaves every row either untouched or fully re-sealed, and running it
// again finds what is left (rows still under another key). A concurrent
// token refresh, which writes under the primary key, is never overwritten.
// A row that does not open (tampered, copied from another row, sealed under
// a key missing from the ring) is reported and left as it is.
//
// Idempotency-Key response bodies are sealed too but expire within a day:
// the job leaves them, and they age out under the old key.
package keyrotation

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/encryption"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// Store is what the job needs of the database. *postgres.Store implements
// it; it is an interface so tests can interrupt a run between rows the way
// a crash would.
type Store interface {
	OrganizationsWithSealedTokens(ctx context.Context, primaryKeyID string) ([]uuid.UUID, error)
	SealedTokensNotUnderKey(ctx context.Context, org uuid.UUID, keyID string, after uuid.UUID, limit int) ([]postgres.SealedTokenRow, error)
	CountSealedTokensUnderKey(ctx context.Context, org uuid.UUID, keyID string) (int, error)
	ResealTokens(ctx context.Context, org uuid.UUID, old postgres.SealedTokenRow, access, refresh []byte, keyID string) (bool, error)
	UsersWithTOTP(ctx context.Context, after uuid.UUID, limit int) ([]uuid.UUID, error)
	ResealTOTPSecret(ctx context.Context, userID uuid.UUID, reseal func(sealed []byte) ([]byte, error)) (bool, error)
}

// defaultBatchSize is how many rows are listed per query when Options does
// not say: small enough to keep each read short, large enough that listing
// is not the cost.
const defaultBatchSize = 200

// Options tune a run. The zero value rotates for real, silently, in
// batches of defaultBatchSize.
type Options struct {
	// DryRun opens every secret that would be re-sealed, to count and check
	// it, but writes nothing: what an operator runs before dropping a key.
	DryRun bool
	// Progress, when set, receives a line per organization visited, per
	// batch of users and per failure; never a secret.
	Progress io.Writer
	// BatchSize is how many rows each listing query returns (default 200).
	BatchSize int
}

// Rotate re-seals every social account token and TOTP secret not yet under
// ring's primary key, and reports what it did per kind of secret. Rows that
// do not open are counted and listed in the report, never written, and do
// not stop the run; the caller decides what they mean (the command exits
// non-zero). An error is returned only when the run could not finish (the
// database failed, or ctx was cancelled); the report then holds what was
// done so far, and running again continues from there.
func Rotate(ctx context.Context, store Store, ring *encryption.Keyring, opts Options) (Report, error) {
	if ring == nil || ring.PrimaryID() == "" {
		return Report{}, errors.New("rotate keys: keyring has no keys")
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = defaultBatchSize
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	j := &job{store: store, ring: ring, primary: ring.PrimaryID(), opts: opts}
	j.report = Report{PrimaryKeyID: j.primary, DryRun: opts.DryRun}
	if err := j.rotateSocialTokens(ctx); err != nil {
		return j.report, fmt.Errorf("rotate social tokens: %w", err)
	}
	if err := j.rotateTOTPSecrets(ctx); err != nil {
		return j.report, fmt.Errorf("rotate totp secrets: %w", err)
	}
	return j.report, nil
}

// job is one run's state: its inputs and the report it fills.
type job struct {
	store   Store
	ring    *encryption.Keyring
	primary string
	opts    Options
	report  Report
}

// progress writes one line of progress.
func (j *job) progress(format string, args ...any) {
	fmt.Fprintf(j.opts.Progress, format+"\n", args...)
}

// rotated is the word progress lines use for re-sealed rows: in a dry run
// nothing is written, and the lines must not say otherwise.
func (j *job) rotated() string {
	if j.opts.DryRun {
		return "to rotate"
	}
	return "rotated"
}
