package migrations_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/socialmediamanager/smm/migrations"
)

// insufficientPrivilege is SQLSTATE 42501.
const insufficientPrivilege = "42501"

// TestGrantToApplicationRole migrates with GrantTo and checks, connected as
// that role, that it can change rows of the tables but only read the
// versions table.
func TestGrantToApplicationRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newTestDB(t)
	role, password := newRole(t, db)
	m := fixtures(t)
	if _, err := m.Up(ctx, db.connect(t), migrations.UpOptions{GrantTo: role}); err != nil {
		t.Fatalf("Up with GrantTo: %v", err)
	}
	app := db.connectAs(t, role, password)

	const org = "0190a5d8-0000-7000-8000-000000000001"
	cases := []struct {
		name     string
		sql      string
		wantCode string // "" means success
	}{
		{"insert into a table", "INSERT INTO organizations (id, name) VALUES ('" + org + "', 'Acme')", ""},
		{"update a table", "UPDATE organizations SET name = 'Acme Inc' WHERE id = '" + org + "'", ""},
		{"use a bigserial sequence", "INSERT INTO tags (organization_id, name) VALUES ('" + org + "', 'launch')", ""},
		{"use an identity column under RLS", "SELECT set_config('fixture.organization_id', '" + org + "', true); " +
			"INSERT INTO notes (organization_id, body) VALUES ('" + org + "', 'hello')", ""},
		{"read schema_migrations", "SELECT count(*) FROM schema_migrations", ""},
		{"insert into schema_migrations", "INSERT INTO schema_migrations (version, name, checksum) VALUES (99, 'x', 'x')", insufficientPrivilege},
		{"update schema_migrations", "UPDATE schema_migrations SET checksum = 'x'", insufficientPrivilege},
		{"delete from schema_migrations", "DELETE FROM schema_migrations", insufficientPrivilege},
		{"drop a table", "DROP TABLE tags", insufficientPrivilege},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := pgx.BeginFunc(ctx, app, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, tc.sql)
				return err
			})
			var pgErr *pgconn.PgError
			switch {
			case tc.wantCode == "" && err != nil:
				t.Fatalf("got error %v, want success", err)
			case tc.wantCode != "" && !errors.As(err, &pgErr):
				t.Fatalf("got error %v, want SQLSTATE %s", err, tc.wantCode)
			case tc.wantCode != "" && pgErr.Code != tc.wantCode:
				t.Fatalf("got SQLSTATE %s (%v), want %s", pgErr.Code, err, tc.wantCode)
			}
		})
	}

	if err := m.Verify(ctx, app); err != nil {
		t.Errorf("Verify as the application role: got %v, want nil", err)
	}
}

// TestGrantToMissingRoleFails checks that a typo in the role name fails the
// migration run instead of leaving the service without privileges.
func TestGrantToMissingRoleFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := newTestDB(t).connect(t)
	_, err := fixtures(t).Up(ctx, conn, migrations.UpOptions{GrantTo: "smm_no_such_role_" + randomHex(t)})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42704" {
		t.Fatalf("got error %v, want SQLSTATE 42704 (undefined_object)", err)
	}
}
