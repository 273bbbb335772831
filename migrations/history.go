package migrations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Querier runs a query. It is satisfied by *pgx.Conn, *pgxpool.Pool and
// pgx.Tx, so Verify can run on whatever the caller already holds.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// createHistory creates the versions table. It runs under the advisory lock,
// so concurrent nodes cannot race on IF NOT EXISTS.
const createHistory = `CREATE TABLE IF NOT EXISTS public.schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	checksum   text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// appliedRow is one row of public.schema_migrations.
type appliedRow struct {
	Version   int
	Name      string
	Checksum  string
	AppliedAt time.Time
}

// historyExists tells whether the versions table exists, so that reading a
// database nobody migrated yet reports "nothing applied" rather than failing.
func historyExists(ctx context.Context, db Querier) (bool, error) {
	rows, err := db.Query(ctx, "SELECT to_regclass('public.schema_migrations') IS NOT NULL")
	if err != nil {
		return false, fmt.Errorf("look for schema_migrations: %w", err)
	}
	exists, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[bool])
	if err != nil {
		return false, fmt.Errorf("look for schema_migrations: %w", err)
	}
	return exists, nil
}

// readHistory returns the applied versions in ascending order, or none when
// the table does not exist yet.
func readHistory(ctx context.Context, db Querier) ([]appliedRow, error) {
	exists, err := historyExists(ctx, db)
	if err != nil || !exists {
		return nil, err
	}
	rows, err := db.Query(ctx, "SELECT version, name, checksum, applied_at FROM public.schema_migrations ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowToStructByPos[appliedRow])
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return applied, nil
}

// checkHistory refuses a database whose applied versions do not match the
// files: an edited migration or a version this set does not know.
func (m *Migrator) checkHistory(applied []appliedRow) error {
	known := m.byVersion()
	var problems []error
	for _, row := range applied {
		mig, ok := known[row.Version]
		switch {
		case !ok:
			problems = append(problems, &UnknownVersionError{Version: row.Version, Name: row.Name})
		case mig.Checksum != row.Checksum:
			problems = append(problems, &ChecksumMismatchError{Migration: mig, AppliedChecksum: row.Checksum})
		}
	}
	return errors.Join(problems...)
}
