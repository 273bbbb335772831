package migrations

import (
	"fmt"
	"strings"
)

// ChecksumMismatchError reports an applied migration whose up file changed
// since it was applied. Up, Down and Verify refuse to go on, because the
// databases that already ran the old text would silently differ from new ones.
type ChecksumMismatchError struct {
	Migration       Migration
	AppliedChecksum string
}

// Error names the migration and tells the developer what to do instead.
func (e *ChecksumMismatchError) Error() string {
	return fmt.Sprintf("migration %s was edited after it was applied (checksum %s in the database, %s in the file): "+
		"never edit an applied migration, restore the file and add a new migration instead",
		e.Migration, short(e.AppliedChecksum), short(e.Migration.Checksum))
}

// UnknownVersionError reports a version recorded in the database that has no
// file in the set: the binary is older than the database, or an applied
// migration file was deleted. Migrating further from such a state would
// guess, so it is refused.
type UnknownVersionError struct {
	Version int
	Name    string
}

// Error names the migration and the likely causes.
func (e *UnknownVersionError) Error() string {
	return fmt.Sprintf("migration %04d_%s is applied in the database but has no file: "+
		"this binary is older than the database schema, or an applied migration was deleted (never delete one)",
		e.Version, e.Name)
}

// PendingError reports migrations that are not applied yet, so a node does
// not serve traffic against a schema older than its code.
type PendingError struct {
	Pending []Migration
}

// Error lists the pending migrations by name.
func (e *PendingError) Error() string {
	names := make([]string, len(e.Pending))
	for i, m := range e.Pending {
		names[i] = m.String()
	}
	return fmt.Sprintf("%d migration(s) not applied: %s; run the migrations (smm migrate) first",
		len(e.Pending), strings.Join(names, ", "))
}

// short abbreviates a checksum for messages, where the first characters are
// enough to tell two apart.
func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
