package pgtest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// leftoverAge is how old a test database must be to be taken for the
// leftover of a killed run rather than the database of a run in progress.
const leftoverAge = 2 * time.Hour

// dropLeftovers drops the test databases the owner role created more than
// leftoverAge before now, left behind by runs that were killed before their
// cleanup. The template is kept; databases of other roles are not touched.
func dropLeftovers(ctx context.Context, ownerURL string, now time.Time) error {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("connect to sweep leftover test databases: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database
		WHERE starts_with(datname, $1) AND datname <> $2 AND pg_has_role(datdba, 'USAGE')`,
		namePrefix, templateName)
	if err != nil {
		return fmt.Errorf("list test databases: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list test databases: %w", err)
	}
	var problems []error
	for _, name := range names {
		created, ok := createdAt(name)
		if !ok || now.Sub(created) < leftoverAge {
			continue
		}
		if err := dropWith(ctx, conn, name); err != nil {
			problems = append(problems, fmt.Errorf("sweep leftover: %w", err))
		}
	}
	return errors.Join(problems...)
}

// createdAt reads the creation time from a name made by newDatabaseName:
// the next-to-last underscore-separated field, in Unix seconds.
func createdAt(name string) (time.Time, bool) {
	fields := strings.Split(strings.TrimPrefix(name, namePrefix), "_")
	if len(fields) < 3 {
		return time.Time{}, false
	}
	unix, err := strconv.ParseInt(fields[len(fields)-2], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(unix, 0), true
}
