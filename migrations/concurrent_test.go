package migrations_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/migrations"
)

// TestConcurrentUpAppliesEachMigrationOnce starts Up on four connections at
// once, as nodes starting together do, and checks that each migration ran
// exactly once in total.
func TestConcurrentUpAppliesEachMigrationOnce(t *testing.T) {
	t.Parallel()
	const nodes = 4
	ctx := context.Background()
	m := fixtures(t)
	db := newTestDB(t)
	conns := make([]*pgx.Conn, nodes)
	for i := range conns {
		conns[i] = db.connect(t)
	}

	start := make(chan struct{})
	results := make([][]migrations.Migration, nodes)
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = m.Up(ctx, conn, migrations.UpOptions{})
		}()
	}
	close(start)
	wg.Wait()

	var applied []int
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Up on node %d: %v", i, err)
		}
		applied = append(applied, versions(results[i])...)
	}
	slices.Sort(applied)
	if want := versions(m.Migrations()); !slices.Equal(applied, want) {
		t.Fatalf("versions applied by all nodes together = %v, want %v (each exactly once)", applied, want)
	}

	check := db.connect(t)
	cases := []struct {
		name, query string
	}{
		{"schema_migrations", "SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version"},
		{"applied_log", "SELECT version, count(*) FROM applied_log GROUP BY version ORDER BY version"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := check.Query(ctx, tc.query)
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			counts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]int64, error) {
				var c [2]int64
				err := r.Scan(&c[0], &c[1])
				return c, err
			})
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			want := [][2]int64{{1, 1}, {2, 1}, {3, 1}}
			if !slices.Equal(counts, want) {
				t.Fatalf("got (version, rows) %v, want %v", counts, want)
			}
		})
	}
}
