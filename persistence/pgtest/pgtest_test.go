package pgtest_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/migrations"
	"github.com/socialmediamanager/smm/persistence/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestPackageDatabaseIsMigrated checks that the clone carries every embedded
// migration, verified the way /health/startup does, as the application role.
func TestPackageDatabaseIsMigrated(t *testing.T) {
	t.Parallel()
	if err := migrations.Embedded().Verify(context.Background(), pgtest.Pool(t)); err != nil {
		t.Fatalf("Verify as the application role: got %v, want nil", err)
	}
}

// TestAppRoleIsRestricted checks that tests run with the service's limited
// privileges, so a missing grant or an RLS bypass shows up in tests.
func TestAppRoleIsRestricted(t *testing.T) {
	t.Parallel()
	pool := pgtest.Pool(t)
	cases := []struct {
		name  string
		query string
	}{
		{"superuser", "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"},
		{"bypassrls", "SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user"},
		{"owner of the database", "SELECT datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user) FROM pg_database WHERE datname = current_database()"},
		{"owner of a relation", "SELECT EXISTS (SELECT FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND relnamespace = 'public'::regnamespace)"},
		{"member of the owner role", "SELECT pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER')"},
		{"can insert into schema_migrations", "SELECT has_table_privilege('public.schema_migrations', 'INSERT')"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got bool
			if err := pool.QueryRow(context.Background(), tc.query).Scan(&got); err != nil {
				t.Fatalf("query: %v", err)
			}
			if got {
				t.Errorf("got %s true for the application role, want false", tc.name)
			}
		})
	}
}

// TestURLs checks which role and database each URL leads to.
func TestURLs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name      string
		url       string
		wantOwner bool
	}{
		{"AppURL", pgtest.AppURL(t), false},
		{"OwnerURL", pgtest.OwnerURL(t), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn := connect(t, tc.url)
			var db string
			var owner bool
			err := conn.QueryRow(ctx, `SELECT current_database(),
				datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user)
				FROM pg_database WHERE datname = current_database()`).Scan(&db, &owner)
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			if !strings.HasPrefix(db, "smm_test_") || db == "smm_test_template" {
				t.Errorf("got database %q, want a smm_test_ database other than the template", db)
			}
			if owner != tc.wantOwner {
				t.Errorf("got owner of the database %v, want %v", owner, tc.wantOwner)
			}
		})
	}
}

// TestCreateDatabaseIsIsolated checks that a second database does not see
// rows written in the first, and that drop removes it.
func TestCreateDatabaseIsIsolated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	appURL, ownerURL, drop, err := pgtest.CreateDatabase(ctx)
	if err != nil {
		t.Fatalf("CreateDatabase: %v", err)
	}
	defer drop()

	dbs := []struct{ name, appURL, ownerURL string }{
		{"package database", pgtest.AppURL(t), pgtest.OwnerURL(t)},
		{"second database", appURL, ownerURL},
	}
	for _, db := range dbs {
		withConn(t, db.ownerURL, func(owner *pgx.Conn) {
			if _, err := owner.Exec(ctx, `CREATE TABLE isolation_probe (note text);
				GRANT SELECT, INSERT ON isolation_probe TO PUBLIC`); err != nil {
				t.Fatalf("%s: create probe table as owner: %v", db.name, err)
			}
		})
	}
	t.Cleanup(func() {
		withConn(t, pgtest.OwnerURL(t), func(owner *pgx.Conn) {
			_, _ = owner.Exec(context.Background(), "DROP TABLE IF EXISTS isolation_probe")
		})
	})
	withConn(t, dbs[0].appURL, func(app *pgx.Conn) {
		if _, err := app.Exec(ctx, "INSERT INTO isolation_probe VALUES ('first')"); err != nil {
			t.Fatalf("insert into the package database: %v", err)
		}
	})
	var second string
	for i, want := range []int{1, 0} {
		withConn(t, dbs[i].appURL, func(app *pgx.Conn) {
			var got int
			if err := app.QueryRow(ctx, "SELECT count(*), current_database() FROM isolation_probe").Scan(&got, &second); err != nil {
				t.Fatalf("%s: count: %v", dbs[i].name, err)
			}
			if got != want {
				t.Errorf("%s: got %d probe rows, want %d", dbs[i].name, got, want)
			}
			if err := migrations.Embedded().Verify(ctx, app); err != nil {
				t.Errorf("%s: Verify: got %v, want nil", dbs[i].name, err)
			}
		})
	}

	drop()
	var exists bool
	if err := pgtest.Pool(t).QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", second).Scan(&exists); err != nil {
		t.Fatalf("look for the dropped database: %v", err)
	}
	if exists {
		t.Errorf("got database %s still present after drop, want it gone", second)
	}
}

// withConn runs fn on a connection closed as soon as fn returns, so that
// nothing stays connected to a database the test drops.
func withConn(t testing.TB, url string, fn func(*pgx.Conn)) {
	t.Helper()
	conn := connect(t, url)
	defer conn.Close(context.Background())
	fn(conn)
}

// connect opens a connection closed when the test ends.
func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}
