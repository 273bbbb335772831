package migrations_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/migrations"
)

// The throwaway databases are created by the schema owner role (which has
// CREATEDB), as the bootstrap provisions it: no superuser is needed, so the
// tests run wherever `make test` does. The grant tests use the application
// role. Both URLs have the service's defaults.
const (
	defaultAdminURL = "postgres://smm_owner:smm_owner@127.0.0.1:5432/smm?sslmode=disable"
	defaultAppURL   = "postgres://smm_app:smm_app@127.0.0.1:5432/smm?sslmode=disable"
)

// dbPrefix names this package's throwaway databases; the creation time in the
// name lets TestMain drop those left behind by killed runs.
const dbPrefix = "smm_test_migrations_"

// leftoverAge is how old a throwaway database must be before it is taken
// for a leftover of a killed run rather than one of a concurrent run.
const leftoverAge = 2 * time.Hour

func TestMain(m *testing.M) {
	dropLeftovers()
	os.Exit(m.Run())
}

// adminConfig parses the superuser URL, failing the test with a hint when it
// is malformed.
func adminConfig(t testing.TB) *pgx.ConnConfig {
	t.Helper()
	cfg, err := pgx.ParseConfig(adminURL())
	if err != nil {
		t.Fatalf("parse SMM_DATABASE_OWNER_URL: %v", err)
	}
	return cfg
}

// connectConfig opens a connection closed at the end of the test, failing
// with a hint to run `make test` when PostgreSQL cannot be reached.
func connectConfig(t testing.TB, cfg *pgx.ConnConfig) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect to PostgreSQL as %s (run `make test`, which bootstraps PostgreSQL): %v", cfg.User, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// testDB is a throwaway database owned by the schema owner role.
type testDB struct {
	name string
	cfg  *pgx.ConnConfig
}

// newTestDB creates an empty database dropped (WITH FORCE) when the test ends.
func newTestDB(t testing.TB) *testDB {
	t.Helper()
	admin := connectConfig(t, adminConfig(t))
	name := fmt.Sprintf("%s%d_%s", dbPrefix, time.Now().Unix(), randomHex(t))
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(context.Background(), "CREATE DATABASE "+ident+" TEMPLATE template0"); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.ConnectConfig(ctx, adminConfig(t))
		if err != nil {
			t.Errorf("connect to drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	cfg := adminConfig(t)
	cfg.Database = name
	return &testDB{name: name, cfg: cfg}
}

// connect opens a connection to the database as its owner.
func (d *testDB) connect(t testing.TB) *pgx.Conn {
	t.Helper()
	return connectConfig(t, d.cfg.Copy())
}

// connectAs opens a connection to the database as another role.
func (d *testDB) connectAs(t testing.TB, role, password string) *pgx.Conn {
	t.Helper()
	cfg := d.cfg.Copy()
	cfg.User, cfg.Password = role, password
	return connectConfig(t, cfg)
}

// newRole returns the application role of SMM_DATABASE_URL: not owner, not
// superuser, not BYPASSRLS. Its grants in the throwaway database go with it.
func newRole(t testing.TB, db *testDB) (role, password string) {
	t.Helper()
	url := os.Getenv("SMM_DATABASE_URL")
	if url == "" {
		url = defaultAppURL
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatalf("parse SMM_DATABASE_URL: %v", err)
	}
	return cfg.User, cfg.Password
}

func adminURL() string {
	if url := os.Getenv("SMM_DATABASE_OWNER_URL"); url != "" {
		return url
	}
	return defaultAdminURL
}

// randomHex returns 8 random hex digits for unique names.
func randomHex(t testing.TB) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b[:])
}

// fixtures is the migration set of testdata/.
func fixtures(t testing.TB) *migrations.Migrator {
	t.Helper()
	m, err := migrations.New(os.DirFS("testdata"))
	if err != nil {
		t.Fatalf("load fixture migrations: %v", err)
	}
	return m
}

// dropLeftovers drops this package's throwaway databases left by killed
// runs. It is best effort: when PostgreSQL is down the tests say so.
func dropLeftovers() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", dbPrefix)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, name := range names {
		created, _, _ := strings.Cut(strings.TrimPrefix(name, dbPrefix), "_")
		unix, err := strconv.ParseInt(created, 10, 64)
		if err != nil || time.Since(time.Unix(unix, 0)) < leftoverAge {
			continue
		}
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "drop leftover database %s: %v\n", name, err)
		}
	}
}
