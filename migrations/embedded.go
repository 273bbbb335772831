package migrations

import (
	"embed"
	"fmt"
)

// files are the project's migrations, compiled into the binary so that a
// deployed version always carries exactly the schema it was built for.
//
//go:embed *.sql
var files embed.FS

// Embedded returns the project's own migrations. It panics only if the
// embedded set is malformed, which TestEmbeddedIsWellFormed rules out before
// any binary ships, so callers need not handle an impossible error.
func Embedded() *Migrator {
	m, err := New(files)
	if err != nil {
		panic(fmt.Sprintf("embedded migrations are malformed: %v", err))
	}
	return m
}
