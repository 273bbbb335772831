package migrations_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/socialmediamanager/smm/migrations"
)

// fixtureFS copies testdata/ into memory so a test can change or remove files.
func fixtureFS(t testing.TB) fstest.MapFS {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	fsys := fstest.MapFS{}
	for _, e := range entries {
		body, err := os.ReadFile("testdata/" + e.Name())
		if err != nil {
			t.Fatalf("read testdata: %v", err)
		}
		fsys[e.Name()] = &fstest.MapFile{Data: body}
	}
	return fsys
}

// TestAppliedHistoryMustMatchTheFiles applies the fixtures, then changes the
// files the way a careless commit would: Up, Down, Verify and Status must
// refuse and name the migration, and nothing may be reverted.
func TestAppliedHistoryMustMatchTheFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		change   func(fstest.MapFS)
		wantName string
		// isKind reports whether err carries the expected error type.
		isKind func(error) bool
		// statusFails is true when Status itself must fail (it reports an
		// edited migration as a flag, but cannot show a missing one).
		statusFails bool
	}{
		{
			name: "edited up file",
			change: func(fsys fstest.MapFS) {
				f := fsys["0002_organizations.up.sql"]
				f.Data = append(f.Data, []byte("\n-- an innocent-looking comment\n")...)
			},
			wantName: "0002_organizations",
			isKind:   func(err error) bool { var e *migrations.ChecksumMismatchError; return errors.As(err, &e) },
		},
		{
			name: "applied migration missing from the files",
			change: func(fsys fstest.MapFS) {
				delete(fsys, "0003_tags.up.sql")
				delete(fsys, "0003_tags.down.sql")
			},
			wantName:    "0003_tags",
			isKind:      func(err error) bool { var e *migrations.UnknownVersionError; return errors.As(err, &e) },
			statusFails: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := newTestDB(t)
			conn := db.connect(t)
			if _, err := fixtures(t).Up(ctx, conn, migrations.UpOptions{}); err != nil {
				t.Fatalf("Up: %v", err)
			}
			fsys := fixtureFS(t)
			tc.change(fsys)
			changed, err := migrations.New(fsys)
			if err != nil {
				t.Fatalf("New on the changed files: %v", err)
			}

			calls := []struct {
				name string
				call func() error
			}{
				{"Up", func() error { _, err := changed.Up(ctx, conn, migrations.UpOptions{}); return err }},
				{"Down", func() error { _, err := changed.Down(ctx, conn, 1); return err }},
				{"Verify", func() error { return changed.Verify(ctx, conn) }},
			}
			for _, c := range calls {
				err := c.call()
				switch {
				case err == nil:
					t.Errorf("%s: got nil error, want a refusal naming %s", c.name, tc.wantName)
				case !strings.Contains(err.Error(), tc.wantName):
					t.Errorf("%s: got error %q, want it to name %s", c.name, err, tc.wantName)
				case !tc.isKind(err):
					t.Errorf("%s: got error of type %T (%v), want the %s kind", c.name, err, err, tc.name)
				}
			}
			if err := changed.Verify(ctx, conn); err != nil && !strings.Contains(err.Error(), "never") {
				t.Errorf("Verify: got error %q, want it to say never to edit or delete an applied migration", err)
			}

			statuses, err := changed.Status(ctx, conn)
			switch {
			case tc.statusFails && err == nil:
				t.Errorf("Status: got nil error, want one naming %s", tc.wantName)
			case tc.statusFails && !strings.Contains(err.Error(), tc.wantName):
				t.Errorf("Status: got error %q, want it to name %s", err, tc.wantName)
			case !tc.statusFails && err != nil:
				t.Errorf("Status: %v", err)
			case !tc.statusFails:
				for _, s := range statuses {
					if got, want := s.ChecksumMismatch, s.Migration.String() == tc.wantName; got != want {
						t.Errorf("Status of %s: got ChecksumMismatch %v, want %v", s.Migration, got, want)
					}
				}
			}

			var rows int
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&rows); err != nil {
				t.Fatalf("count schema_migrations: %v", err)
			}
			if rows != 3 {
				t.Errorf("got %d rows in schema_migrations after the refusals, want 3 (nothing reverted)", rows)
			}
		})
	}
}
