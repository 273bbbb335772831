package migrations_test

import (
	"context"
	"slices"
	"testing"

	"github.com/socialmediamanager/smm/migrations"
)

// TestDownOneAndStatus reverts only the newest migration and checks that
// Status tells applied from pending at each step.
func TestDownOneAndStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := fixtures(t)
	conn := newTestDB(t).connect(t)

	steps := []struct {
		name        string
		act         func() ([]migrations.Migration, error)
		wantChanged []int
		wantApplied []bool // per version 1..3
		wantTags    bool   // whether table tags (from 0003) exists
	}{
		{"fresh database", nil, nil, []bool{false, false, false}, false},
		{"up all", func() ([]migrations.Migration, error) { return m.Up(ctx, conn, migrations.UpOptions{}) }, []int{1, 2, 3}, []bool{true, true, true}, true},
		{"down one", func() ([]migrations.Migration, error) { return m.Down(ctx, conn, 1) }, []int{3}, []bool{true, true, false}, false},
		{"up again applies only the reverted one", func() ([]migrations.Migration, error) { return m.Up(ctx, conn, migrations.UpOptions{}) }, []int{3}, []bool{true, true, true}, true},
		{"down two", func() ([]migrations.Migration, error) { return m.Down(ctx, conn, 2) }, []int{3, 2}, []bool{true, false, false}, false},
		{"down more than applied", func() ([]migrations.Migration, error) { return m.Down(ctx, conn, 5) }, []int{1}, []bool{false, false, false}, false},
		{"down with nothing applied", func() ([]migrations.Migration, error) { return m.Down(ctx, conn, 0) }, nil, []bool{false, false, false}, false},
	}
	for _, step := range steps {
		if step.act != nil {
			changed, err := step.act()
			if err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			if got := versions(changed); !slices.Equal(got, step.wantChanged) {
				t.Fatalf("%s: got versions %v changed, want %v", step.name, got, step.wantChanged)
			}
		}
		statuses, err := m.Status(ctx, conn)
		if err != nil {
			t.Fatalf("%s: Status: %v", step.name, err)
		}
		if len(statuses) != 3 {
			t.Fatalf("%s: got %d statuses, want 3", step.name, len(statuses))
		}
		for i, s := range statuses {
			if s.Migration.Version != i+1 {
				t.Errorf("%s: status %d is of version %d, want %d", step.name, i, s.Migration.Version, i+1)
			}
			if s.Applied != step.wantApplied[i] {
				t.Errorf("%s: %s got Applied %v, want %v", step.name, s.Migration, s.Applied, step.wantApplied[i])
			}
			if got, want := !s.AppliedAt.IsZero(), s.Applied; got != want {
				t.Errorf("%s: %s got AppliedAt set %v, want %v", step.name, s.Migration, got, want)
			}
			if s.ChecksumMismatch {
				t.Errorf("%s: %s got ChecksumMismatch true, want false", step.name, s.Migration)
			}
		}
		var tags bool
		if err := conn.QueryRow(ctx, "SELECT to_regclass('public.tags') IS NOT NULL").Scan(&tags); err != nil {
			t.Fatalf("%s: look for table tags: %v", step.name, err)
		}
		if tags != step.wantTags {
			t.Errorf("%s: got table tags present %v, want %v", step.name, tags, step.wantTags)
		}
	}
}

// TestStatusCreatesNothing checks that reading the state of a database
// nobody migrated leaves it untouched.
func TestStatusCreatesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := newTestDB(t).connect(t)
	if _, err := fixtures(t).Status(ctx, conn); err != nil {
		t.Fatalf("Status: %v", err)
	}
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('public.schema_migrations') IS NOT NULL").Scan(&exists); err != nil {
		t.Fatalf("look for schema_migrations: %v", err)
	}
	if exists {
		t.Errorf("got schema_migrations created by Status, want no table")
	}
}
