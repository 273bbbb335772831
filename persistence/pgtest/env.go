package pgtest

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Environment variables and defaults, the same as the service's, so tests
// need no configuration on a machine bootstrapped by `make test`.
const (
	appURLVar       = "SMM_DATABASE_URL"
	ownerURLVar     = "SMM_DATABASE_OWNER_URL"
	defaultAppURL   = "postgres://smm_app:smm_app@127.0.0.1:5432/smm?sslmode=disable"
	defaultOwnerURL = "postgres://smm_owner:smm_owner@127.0.0.1:5432/smm?sslmode=disable"
)

// Environment variables through which Main hands the package database to
// AppURL and OwnerURL (and to any program a test starts), since the package
// keeps no global state. packageDBPIDVar holds the process id of the test
// binary that set them, so a value inherited from a parent process or a shell
// is not mistaken for a database this process created.
const (
	packageAppURLVar   = "SMM_PGTEST_APP_URL"
	packageOwnerURLVar = "SMM_PGTEST_OWNER_URL"
	packageDBPIDVar    = "SMM_PGTEST_PID"
)

// settings are the two connection URLs of the service's database.
type settings struct {
	appURL, ownerURL string
	appRole          string // user of appURL, granted DML by the migrations
	ownerRole        string // user of ownerURL, owner of the test databases
}

// loadSettings reads the URLs from the environment with the service's
// defaults.
func loadSettings() (settings, error) {
	s := settings{appURL: os.Getenv(appURLVar), ownerURL: os.Getenv(ownerURLVar)}
	if s.appURL == "" {
		s.appURL = defaultAppURL
	}
	if s.ownerURL == "" {
		s.ownerURL = defaultOwnerURL
	}
	app, err := pgx.ParseConfig(s.appURL)
	if err != nil {
		return settings{}, fmt.Errorf("parse %s: %w", appURLVar, err)
	}
	owner, err := pgx.ParseConfig(s.ownerURL)
	if err != nil {
		return settings{}, fmt.Errorf("parse %s: %w", ownerURLVar, err)
	}
	s.appRole, s.ownerRole = app.User, owner.User
	if s.appRole == s.ownerRole {
		return settings{}, fmt.Errorf("%s and %s use the same role %q: the application role must not own the schema", appURLVar, ownerURLVar, s.appRole)
	}
	return s, nil
}

// withDatabase returns rawURL pointing at another database on the same
// server, as the same user.
func withDatabase(rawURL, database string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("database URL %q must be a postgres:// URL", redact(rawURL))
	}
	u.Path = "/" + database
	u.RawPath = ""
	return u.String(), nil
}

// redact hides the password of a URL for messages.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// sanitizeName keeps [a-z0-9_] of s, lower-cased, at most max characters,
// for database names derived from a binary name.
func sanitizeName(s string, max int) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if b.Len() >= max {
			break
		}
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
