package migrations_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/socialmediamanager/smm/migrations"
)

// files builds an in-memory migration folder from name → content.
func files(contents map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range contents {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// TestNewRejectsMalformedSets checks that every kind of malformed set fails
// when loaded, with a message that names the offending file or version.
func TestNewRejectsMalformedSets(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		files   map[string]string
		wantErr string // "" means the set is valid
	}{
		{"valid", map[string]string{
			"0001_a.up.sql": "SELECT 1", "0001_a.down.sql": "SELECT 1",
			"0002_b_2.up.sql": "SELECT 2", "0002_b_2.down.sql": "SELECT 2",
			"README.md": "not a migration",
		}, ""},
		{"empty set", map[string]string{}, ""},
		{"missing down", map[string]string{
			"0001_a.up.sql": "SELECT 1",
		}, "0001_a has no down file"},
		{"missing up", map[string]string{
			"0001_a.up.sql": "SELECT 1", "0001_a.down.sql": "SELECT 1",
			"0002_b.down.sql": "SELECT 1",
		}, "0002_b has a down file but no up file"},
		{"duplicate version", map[string]string{
			"0001_a.up.sql": "SELECT 1", "0001_a.down.sql": "SELECT 1",
			"0001_b.up.sql": "SELECT 1", "0001_b.down.sql": "SELECT 1",
		}, "duplicate migration version 0001"},
		{"gap", map[string]string{
			"0001_a.up.sql": "SELECT 1", "0001_a.down.sql": "SELECT 1",
			"0003_c.up.sql": "SELECT 1", "0003_c.down.sql": "SELECT 1",
		}, "0003_c: versions must be contiguous from 0001, expected 0002"},
		{"not starting at 1", map[string]string{
			"0002_b.up.sql": "SELECT 1", "0002_b.down.sql": "SELECT 1",
		}, "expected 0001"},
		{"version zero", map[string]string{
			"0000_a.up.sql": "SELECT 1", "0000_a.down.sql": "SELECT 1",
		}, "expected 0001"},
		{"upper case name", map[string]string{
			"0001_Bad.up.sql": "SELECT 1", "0001_Bad.down.sql": "SELECT 1",
		}, `"0001_Bad.up.sql": name has characters outside [a-z0-9_]`},
		{"dash in name", map[string]string{
			"0001_bad-name.up.sql": "SELECT 1", "0001_bad-name.down.sql": "SELECT 1",
		}, "name has characters outside"},
		{"three-digit version", map[string]string{
			"001_a.up.sql": "SELECT 1", "001_a.down.sql": "SELECT 1",
		}, "no 4-digit version"},
		{"no direction", map[string]string{
			"0001_a.sql": "SELECT 1",
		}, "no .up.sql or .down.sql suffix"},
		{"empty name", map[string]string{
			"0001_.up.sql": "SELECT 1", "0001_.down.sql": "SELECT 1",
		}, "no 4-digit version followed by an underscore"},
		{"blank down file", map[string]string{
			"0001_a.up.sql": "SELECT 1", "0001_a.down.sql": " \n\t",
		}, "0001_a.down.sql is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := migrations.New(files(tc.files))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("got error %v, want a valid set", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("got %d migrations and no error, want an error containing %q", len(m.Migrations()), tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("got error %q, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

// TestNewReadsMigrations checks the parsed fields of a valid set, in
// version order whatever the order of the files.
func TestNewReadsMigrations(t *testing.T) {
	t.Parallel()
	m, err := migrations.New(files(map[string]string{
		"0002_second.up.sql": "CREATE TABLE b ()", "0002_second.down.sql": "DROP TABLE b",
		"0001_first.up.sql": "CREATE TABLE a ()", "0001_first.down.sql": "DROP TABLE a",
	}))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	want := []migrations.Migration{
		{Version: 1, Name: "first", Up: "CREATE TABLE a ()", Down: "DROP TABLE a", Checksum: sum("CREATE TABLE a ()")},
		{Version: 2, Name: "second", Up: "CREATE TABLE b ()", Down: "DROP TABLE b", Checksum: sum("CREATE TABLE b ()")},
	}
	got := m.Migrations()
	if len(got) != len(want) {
		t.Fatalf("got %d migrations, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("migration %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if got, want := got[1].String(), "0002_second"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
	got[0].Name = "changed"
	if m.Migrations()[0].Name != "first" {
		t.Errorf("got the Migrator changed through the returned slice, want a copy")
	}
}

// TestEmbeddedIsWellFormed proves Embedded cannot panic in a built binary.
func TestEmbeddedIsWellFormed(t *testing.T) {
	t.Parallel()
	set := migrations.Embedded().Migrations()
	if len(set) == 0 {
		t.Fatalf("got no embedded migrations, want at least 0001_foundation")
	}
	if got, want := set[0].String(), "0001_foundation"; got != want {
		t.Errorf("first embedded migration: got %s, want %s", got, want)
	}
}
