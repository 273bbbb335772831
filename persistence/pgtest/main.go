package pgtest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// setupTimeout bounds building the template and creating the package
// database, so a wedged server fails the run instead of hanging it.
const setupTimeout = 2 * time.Minute

// Main creates the package's database, runs the tests and drops the
// database, so each test package works on its own copy of the migrated
// schema. When PostgreSQL cannot be used it says why and how to fix it and
// returns 1: database tests never skip. Use it as:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	s, err := loadSettings()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		return 1
	}
	appURL, ownerURL, drop, err := CreateDatabase(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: cannot create the test database: %v\n"+
			"pgtest: these tests need PostgreSQL with the smm roles and database (%s, %s); "+
			"run `make test`, which bootstraps PostgreSQL and then runs the tests.\n",
			err, appURLVar, ownerURLVar)
		return 1
	}
	defer drop()
	if err := dropLeftovers(ctx, s.ownerURL, time.Now()); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: warning: %v\n", err)
	}
	for name, value := range map[string]string{
		packageAppURLVar:   appURL,
		packageOwnerURLVar: ownerURL,
		packageDBPIDVar:    strconv.Itoa(os.Getpid()),
	} {
		if err := os.Setenv(name, value); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: set %s: %v\n", name, err)
			return 1
		}
	}
	return m.Run()
}

// AppURL returns the URL of the package database as the application role,
// the one tests should use so that privileges and row-level security are
// those of the service. It fails the test if Main did not run.
func AppURL(t testing.TB) string {
	t.Helper()
	return packageURL(t, packageAppURLVar)
}

// OwnerURL returns the URL of the package database as the owner role, for
// the rare test that must set up what the application role may not do.
func OwnerURL(t testing.TB) string {
	t.Helper()
	return packageURL(t, packageOwnerURLVar)
}

// Pool returns a connection pool to the package database as the
// application role, closed when the test ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), AppURL(t))
	if err != nil {
		t.Fatalf("pgtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// packageURL reads a URL Main set in this very process.
func packageURL(t testing.TB, name string) string {
	t.Helper()
	if os.Getenv(packageDBPIDVar) != strconv.Itoa(os.Getpid()) || os.Getenv(name) == "" {
		t.Fatal("pgtest: no package database: add func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) } to the package's tests")
	}
	return os.Getenv(name)
}
