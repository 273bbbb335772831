package migrations

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// UpOptions tunes Up.
type UpOptions struct {
	// GrantTo is the application role. After migrating it is granted DML on
	// every table and USAGE, SELECT on every sequence of schema public, and
	// only SELECT on schema_migrations, because the service runs as a role
	// that is not the schema owner. Empty means no grants.
	GrantTo string
}

// Up applies the pending migrations in version order, each in its own
// transaction together with its row in schema_migrations, while holding the
// migration lock, and returns those it applied now (possibly none, when
// another node got there first). On failure it returns the ones applied
// before the failing one, which stay applied.
func (m *Migrator) Up(ctx context.Context, conn *pgx.Conn, opts UpOptions) ([]Migration, error) {
	var done []Migration
	err := withLock(ctx, conn, func() error {
		if _, err := conn.Exec(ctx, createHistory); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		applied, err := readHistory(ctx, conn)
		if err != nil {
			return err
		}
		if err := m.checkHistory(applied); err != nil {
			return err
		}
		isApplied := make(map[int]bool, len(applied))
		for _, row := range applied {
			isApplied[row.Version] = true
		}
		for _, mig := range m.migrations {
			if isApplied[mig.Version] {
				continue
			}
			if err := apply(ctx, conn, mig); err != nil {
				return err
			}
			done = append(done, mig)
		}
		if opts.GrantTo != "" {
			return grant(ctx, conn, opts.GrantTo)
		}
		return nil
	})
	return done, err
}

// apply runs one up file and records it, atomically.
func apply(ctx context.Context, conn *pgx.Conn, mig Migration) error {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, mig.Up); err != nil {
			return withLine(err, mig.Up)
		}
		_, err := tx.Exec(ctx, "INSERT INTO public.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
			mig.Version, mig.Name, mig.Checksum)
		return err
	})
	if err != nil {
		return fmt.Errorf("apply migration %s: %w", mig, err)
	}
	return nil
}

// grant gives the application role what it needs and no more: rows of every
// table, its sequences, and only a read of the versions table, so the service
// can check the schema but never change it.
func grant(ctx context.Context, conn *pgx.Conn, role string) error {
	id := pgx.Identifier{role}.Sanitize()
	statements := []string{
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + id,
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + id,
		"REVOKE ALL ON public.schema_migrations FROM " + id,
		"GRANT SELECT ON public.schema_migrations TO " + id,
	}
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, s := range statements {
			if _, err := tx.Exec(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("grant privileges to role %q: %w", role, err)
	}
	return nil
}

// withLine adds the line of the migration file a PostgreSQL syntax or
// semantic error points at, which the server gives only as a character
// offset into the whole file.
func withLine(err error, sql string) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Position <= 0 {
		return err
	}
	line, chars := 1, 0
	for _, c := range sql {
		chars++
		if chars >= int(pgErr.Position) {
			break
		}
		if c == '\n' {
			line++
		}
	}
	return fmt.Errorf("line %d: %w", line, err)
}
