package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/socialmediamanager/smm/migrations"
)

// Names of the test databases. Every test database is smm_test_<binary>_<unix
// seconds>_<random>: the time lets a later run drop those of killed runs.
const (
	namePrefix   = "smm_test_"
	templateName = "smm_test_template"
)

// templateLockKey is the advisory lock ("smm_tpl" in ASCII) that serialises
// building the template and cloning it across concurrently running test
// binaries. It is taken in the owner URL's database, which they all share.
const templateLockKey int64 = 0x736d6d5f74706c

// objectInUse is SQLSTATE 55006, raised when a database to drop or copy
// still has sessions.
const objectInUse = "55006"

// dropTimeout bounds the drop of a test database, which runs after the tests
// whatever their context was.
const dropTimeout = 30 * time.Second

// CreateDatabase creates a fresh database migrated with the embedded
// migrations, cloned from the template (built or rebuilt first when the
// migrations changed), owned by the owner role and usable by the application
// role. It returns its URLs as both roles and drop, which removes it and
// reports failures on stderr (a database left behind is swept by a later run
// after two hours). Main uses it for the package database; end-to-end helpers
// use it for extra databases.
func CreateDatabase(ctx context.Context) (appURL, ownerURL string, drop func(), err error) {
	s, err := loadSettings()
	if err != nil {
		return "", "", nil, err
	}
	control, err := pgx.Connect(ctx, s.ownerURL)
	if err != nil {
		return "", "", nil, fmt.Errorf("connect to %s as the owner role: %w", redact(s.ownerURL), explain(err))
	}
	defer control.Close(context.WithoutCancel(ctx))

	name := newDatabaseName(time.Now())
	err = withTemplateLock(ctx, control, func() error {
		if err := ensureTemplate(ctx, control, s); err != nil {
			return err
		}
		create := fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s OWNER %s",
			ident(name), ident(templateName), ident(s.ownerRole))
		if _, err := control.Exec(ctx, create); err != nil {
			return fmt.Errorf("create database %s from %s: %w", name, templateName, explain(err))
		}
		return nil
	})
	if err != nil {
		return "", "", nil, err
	}
	drop = func() {
		if err := dropDatabase(s.ownerURL, name); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v (a later test run drops it after %s)\n", err, leftoverAge)
		}
	}
	if appURL, err = withDatabase(s.appURL, name); err == nil {
		ownerURL, err = withDatabase(s.ownerURL, name)
	}
	if err != nil {
		drop()
		return "", "", nil, err
	}
	return appURL, ownerURL, drop, nil
}

// withTemplateLock runs fn holding the template advisory lock on conn.
func withTemplateLock(ctx context.Context, conn *pgx.Conn, fn func() error) error {
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockKey); err != nil {
		return fmt.Errorf("take the test template lock: %w", err)
	}
	err := fn()
	// Closing the connection releases the lock too; unlocking first lets the
	// next binary go on at once.
	if _, uerr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", templateLockKey); uerr != nil {
		err = errors.Join(err, fmt.Errorf("release the test template lock: %w", uerr))
	}
	return err
}

// ensureTemplate makes smm_test_template hold exactly the embedded
// migrations with grants to the application role, rebuilding it when either
// changed. The fingerprint is stored as the database comment, written last,
// so a build interrupted half-way is rebuilt too. Nothing stays connected to
// the template, since CREATE DATABASE cannot copy a database in use.
func ensureTemplate(ctx context.Context, control *pgx.Conn, s settings) error {
	want := templateFingerprint(s.appRole)
	var comment *string
	err := control.QueryRow(ctx, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
		templateName).Scan(&comment)
	switch {
	case err == nil && comment != nil && *comment == want:
		return nil
	case err == nil:
		if err := dropWith(ctx, control, templateName); err != nil {
			return fmt.Errorf("rebuild outdated template: %w", err)
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("look for %s: %w", templateName, err)
	}

	if _, err := control.Exec(ctx, "CREATE DATABASE "+ident(templateName)+" TEMPLATE template0"); err != nil {
		return fmt.Errorf("create %s: %w", templateName, explain(err))
	}
	url, err := withDatabase(s.ownerURL, templateName)
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", templateName, explain(err))
	}
	_, err = migrations.Embedded().Up(ctx, conn, migrations.UpOptions{GrantTo: s.appRole})
	if cerr := conn.Close(context.WithoutCancel(ctx)); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("migrate %s: %w", templateName, explain(err))
	}
	commentSQL := "COMMENT ON DATABASE " + ident(templateName) + " IS '" + strings.ReplaceAll(want, "'", "''") + "'"
	if _, err := control.Exec(ctx, commentSQL); err != nil {
		return fmt.Errorf("mark %s as built: %w", templateName, err)
	}
	return nil
}

// templateFingerprint identifies what the template must contain: the
// embedded migrations (versions, names, checksums) and the role granted.
func templateFingerprint(appRole string) string {
	var b strings.Builder
	for _, m := range migrations.Embedded().Migrations() {
		fmt.Fprintf(&b, "%s %s\n", m, m.Checksum)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return fmt.Sprintf("pgtest template: migrations=%s app=%s", hex.EncodeToString(sum[:]), appRole)
}

// dropDatabase drops a test database, disconnecting whoever is still on it.
func dropDatabase(ownerURL, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("connect to drop database %s: %w", name, err)
	}
	defer conn.Close(ctx)
	return dropWith(ctx, conn, name)
}

// dropWith drops a database on conn. A plain DROP DATABASE first, because
// the server waits up to five seconds for sessions that are closing (a pool
// closed just before) while WITH (FORCE) fails at once on sessions of another
// role unless the owner has pg_signal_backend; FORCE only when sessions
// remain (SQLSTATE 55006, object_in_use), for leaked connections.
func dropWith(ctx context.Context, conn *pgx.Conn, name string) error {
	_, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == objectInUse {
		_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)")
	}
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, explain(err))
	}
	return nil
}

// newDatabaseName names a test database after the test binary (pgtest.test
// gives pgtest), with its creation time and a random suffix.
func newDatabaseName(now time.Time) string {
	base := filepath.Base(os.Args[0])
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".exe"), ".test")
	pkg := sanitizeName(base, 20)
	if pkg == "" {
		pkg = "pkg"
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:]) // crypto/rand.Read never fails (Go 1.24+).
	return fmt.Sprintf("%s%s_%d_%s", namePrefix, pkg, now.Unix(), hex.EncodeToString(suffix[:]))
}

// ident quotes a database or role name.
func ident(name string) string {
	return pgx.Identifier{name}.Sanitize()
}

// explain adds what to do about the database errors a developer meets when
// the bootstrap did not run or something holds the template, told apart by
// SQLSTATE.
func explain(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	var hint string
	switch pgErr.Code {
	case "28000", "28P01": // invalid_authorization_specification, invalid_password
		hint = "the role or its password is not set up"
	case "3D000": // invalid_catalog_name
		hint = "the database does not exist"
	case "42501": // insufficient_privilege
		hint = "the owner role needs CREATEDB, and pg_signal_backend to drop a database whose connections a test leaked"
	case objectInUse:
		hint = "another session is connected to it; close it (nothing may stay connected to " + templateName + ")"
	default:
		return err
	}
	return fmt.Errorf("%w (%s)", err, hint)
}
