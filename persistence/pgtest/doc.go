// Package pgtest gives each test package its own PostgreSQL database, cloned
// from a migrated template and dropped afterwards, and connects the tests as
// the application role, so packages run in parallel without seeing each
// other's rows and under the same privileges and row-level security as the
// service.
//
// Use it from a TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// then pgtest.Pool(t) in the tests. The roles and the database named by
// SMM_DATABASE_URL and SMM_DATABASE_OWNER_URL must exist: `make test`
// bootstraps them.
package pgtest
