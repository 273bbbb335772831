package migrations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// lockKey is the fixed advisory lock key of schema changes ("smm_mig" in
// ASCII). Advisory locks are per database, so it serialises only migrations
// of the same database.
const lockKey int64 = 0x736d6d5f6d6967

// unlockTimeout bounds the release of the lock once the work is done, even
// when the caller's context was cancelled meanwhile.
const unlockTimeout = 10 * time.Second

// withLock runs fn while holding the session advisory lock on conn, so that
// nodes starting together apply each migration exactly once: the others wait,
// then find nothing left to do.
func withLock(ctx context.Context, conn *pgx.Conn, fn func() error) (err error) {
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	defer func() {
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
		defer cancel()
		if _, uerr := conn.Exec(unlockCtx, "SELECT pg_advisory_unlock($1)", lockKey); uerr != nil && !conn.IsClosed() {
			err = errors.Join(err, fmt.Errorf("release the migration lock: %w", uerr))
		}
	}()
	return fn()
}
