package migrations

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one versioned, reversible step. It carries both directions so
// that every change to the schema can be undone by the release that made it.
type Migration struct {
	Version  int
	Name     string
	Up, Down string
	// Checksum is the hex SHA-256 of the up file, recorded when the migration
	// is applied so that an edited file is detected instead of silently
	// leaving databases with different schemas under one version.
	Checksum string
}

// String names the migration as its files do (0001_foundation), so errors and
// logs point straight at the file to look at.
func (m Migration) String() string {
	return fmt.Sprintf("%04d_%s", m.Version, m.Name)
}

// Status is the state of one migration in one database, as reported to
// operators by the migrate command.
type Status struct {
	Migration Migration
	Applied   bool
	AppliedAt time.Time
	// ChecksumMismatch reports an applied migration whose file changed since,
	// which Up, Down and Verify refuse.
	ChecksumMismatch bool
}

// Migrator applies one validated set of migrations. It is immutable and safe
// for concurrent use; concurrency between nodes is handled in the database.
type Migrator struct {
	migrations []Migration
}

// New reads the migration files at the root of fsys and validates the set,
// so that a malformed set fails at startup or in a test instead of half-way
// through migrating a production database. Every up file needs its down file,
// versions are unique and contiguous from 1, and names match [a-z0-9_]+.
// Files that do not end in .sql are ignored, so a README may sit beside them.
func New(fsys fs.FS) (*Migrator, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migration files: %w", err)
	}
	type pair struct {
		name     string
		up, down *string
	}
	byVersion := map[int]*pair{}
	var problems []error
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		f, err := parseFileName(e.Name())
		if err != nil {
			problems = append(problems, err)
			continue
		}
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration file %s: %w", e.Name(), err)
		}
		text := string(body)
		if strings.TrimSpace(text) == "" {
			problems = append(problems, fmt.Errorf("migration file %s is empty: write the SQL, or a comment saying why nothing is needed", e.Name()))
			continue
		}
		p := byVersion[f.version]
		if p == nil {
			p = &pair{name: f.name}
			byVersion[f.version] = p
		}
		if p.name != f.name {
			problems = append(problems, fmt.Errorf("duplicate migration version %04d: %04d_%s and %04d_%s", f.version, f.version, p.name, f.version, f.name))
			continue
		}
		if f.up {
			p.up = &text
		} else {
			p.down = &text
		}
	}
	versions := make([]int, 0, len(byVersion))
	for v := range byVersion {
		versions = append(versions, v)
	}
	sort.Ints(versions)
	set := make([]Migration, 0, len(versions))
	for i, v := range versions {
		p := byVersion[v]
		id := fmt.Sprintf("%04d_%s", v, p.name)
		if want := i + 1; v != want {
			problems = append(problems, fmt.Errorf("migration %s: versions must be contiguous from 0001, expected %04d here", id, want))
		}
		switch {
		case p.up == nil:
			problems = append(problems, fmt.Errorf("migration %s has a down file but no up file %s.up.sql", id, id))
		case p.down == nil:
			problems = append(problems, fmt.Errorf("migration %s has no down file %s.down.sql: every migration must be reversible", id, id))
		default:
			sum := sha256.Sum256([]byte(*p.up))
			set = append(set, Migration{Version: v, Name: p.name, Up: *p.up, Down: *p.down, Checksum: hex.EncodeToString(sum[:])})
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("invalid migration set: %w", errors.Join(problems...))
	}
	return &Migrator{migrations: set}, nil
}

// Migrations returns the set in version order. The slice is a copy, so the
// caller cannot change what the Migrator applies.
func (m *Migrator) Migrations() []Migration {
	return append([]Migration(nil), m.migrations...)
}

// byVersion indexes the set for comparison with the versions table.
func (m *Migrator) byVersion() map[int]Migration {
	idx := make(map[int]Migration, len(m.migrations))
	for _, mig := range m.migrations {
		idx[mig.Version] = mig
	}
	return idx
}

// fileName is a parsed migration file name.
type fileName struct {
	version int
	name    string
	up      bool
}

// parseFileName splits NNNN_name.up.sql or NNNN_name.down.sql, rejecting
// anything else so a typo cannot make a migration silently disappear.
func parseFileName(file string) (fileName, error) {
	bad := func(why string) (fileName, error) {
		return fileName{}, fmt.Errorf("migration file %q: %s (want NNNN_name.up.sql or NNNN_name.down.sql, name in [a-z0-9_])", file, why)
	}
	var f fileName
	base, ok := strings.CutSuffix(file, ".up.sql")
	if ok {
		f.up = true
	} else if base, ok = strings.CutSuffix(file, ".down.sql"); !ok {
		return bad("no .up.sql or .down.sql suffix")
	}
	if len(base) < 6 || base[4] != '_' {
		return bad("no 4-digit version followed by an underscore")
	}
	for _, c := range base[:4] {
		if c < '0' || c > '9' {
			return bad("version is not 4 digits")
		}
	}
	f.version, _ = strconv.Atoi(base[:4])
	f.name = base[5:]
	for _, c := range f.name {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return bad("name has characters outside [a-z0-9_]")
		}
	}
	return f, nil
}
