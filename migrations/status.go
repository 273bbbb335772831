package migrations

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Status reports every migration of the set as applied or pending, marking
// applied ones whose file changed since. It only reads, takes no lock and
// creates nothing. A version applied in the database but absent from the set
// is an error (*UnknownVersionError), since it cannot be shown as a Migration.
func (m *Migrator) Status(ctx context.Context, conn *pgx.Conn) ([]Status, error) {
	applied, err := readHistory(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	rows := make(map[int]appliedRow, len(applied))
	known := m.byVersion()
	var unknown []error
	for _, row := range applied {
		rows[row.Version] = row
		if _, ok := known[row.Version]; !ok {
			unknown = append(unknown, &UnknownVersionError{Version: row.Version, Name: row.Name})
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("migration status: %w", errors.Join(unknown...))
	}
	out := make([]Status, len(m.migrations))
	for i, mig := range m.migrations {
		out[i].Migration = mig
		if row, ok := rows[mig.Version]; ok {
			out[i].Applied = true
			out[i].AppliedAt = row.AppliedAt
			out[i].ChecksumMismatch = row.Checksum != mig.Checksum
		}
	}
	return out, nil
}

// Verify reports nil when every migration of the set is applied with a
// matching checksum, and otherwise an error naming each problem
// (*PendingError, *ChecksumMismatchError, *UnknownVersionError, usable with
// errors.As). It backs /health/startup, so it needs only SELECT on
// schema_migrations and runs as the application role.
func (m *Migrator) Verify(ctx context.Context, db Querier) error {
	applied, err := readHistory(ctx, db)
	if err != nil {
		return fmt.Errorf("verify migrations: %w", err)
	}
	problems := []error{m.checkHistory(applied)}
	isApplied := make(map[int]bool, len(applied))
	for _, row := range applied {
		isApplied[row.Version] = true
	}
	var pending []Migration
	for _, mig := range m.migrations {
		if !isApplied[mig.Version] {
			pending = append(pending, mig)
		}
	}
	if len(pending) > 0 {
		problems = append(problems, &PendingError{Pending: pending})
	}
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("verify migrations: %w", err)
	}
	return nil
}
