package migrations

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Down reverts the newest n applied migrations (all of them when n <= 0),
// newest first, each in its own transaction together with the removal of its
// row, while holding the migration lock. It returns those reverted now; on
// failure, those reverted before the failing one stay reverted.
func (m *Migrator) Down(ctx context.Context, conn *pgx.Conn, n int) ([]Migration, error) {
	var done []Migration
	err := withLock(ctx, conn, func() error {
		applied, err := readHistory(ctx, conn)
		if err != nil {
			return err
		}
		if err := m.checkHistory(applied); err != nil {
			return err
		}
		known := m.byVersion()
		for i := len(applied) - 1; i >= 0 && (n <= 0 || len(done) < n); i-- {
			mig := known[applied[i].Version]
			if err := revert(ctx, conn, mig); err != nil {
				return err
			}
			done = append(done, mig)
		}
		return nil
	})
	return done, err
}

// revert runs one down file and forgets the version, atomically.
func revert(ctx context.Context, conn *pgx.Conn, mig Migration) error {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, mig.Down); err != nil {
			return withLine(err, mig.Down)
		}
		_, err := tx.Exec(ctx, "DELETE FROM public.schema_migrations WHERE version = $1", mig.Version)
		return err
	})
	if err != nil {
		return fmt.Errorf("revert migration %s: %w", mig, err)
	}
	return nil
}
