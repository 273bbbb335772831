package migrations_test

import (
	"context"
	"slices"
	"testing"

	"github.com/socialmediamanager/smm/migrations"
)

// TestUpDownUpIsExact proves every down file undoes its up file exactly: after
// down all the schema is the pristine one, and a second up yields the same
// catalog as the first.
func TestUpDownUpIsExact(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		migrator func(t testing.TB) *migrations.Migrator
	}{
		{"fixtures", fixtures},
		{"embedded", func(testing.TB) *migrations.Migrator { return migrations.Embedded() }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			m := tc.migrator(t)
			conn := newTestDB(t).connect(t)
			pristine := dumpSchema(t, conn)

			applied, err := m.Up(ctx, conn, migrations.UpOptions{})
			if err != nil {
				t.Fatalf("first Up: %v", err)
			}
			if got, want := versions(applied), versions(m.Migrations()); !slices.Equal(got, want) {
				t.Fatalf("first Up applied %v, want %v", got, want)
			}
			first := dumpSchema(t, conn)
			if slices.Equal(first, pristine) {
				t.Fatalf("first Up left the catalog unchanged, want the migrations' objects")
			}

			reverted, err := m.Down(ctx, conn, 0)
			if err != nil {
				t.Fatalf("Down all: %v", err)
			}
			wantReverted := versions(m.Migrations())
			slices.Reverse(wantReverted)
			if got := versions(reverted); !slices.Equal(got, wantReverted) {
				t.Fatalf("Down all reverted %v, want %v", got, wantReverted)
			}
			if got := dumpSchema(t, conn); !slices.Equal(got, pristine) {
				t.Fatalf("catalog after Down all differs from the pristine one:%s", diffLines(got, pristine))
			}

			if _, err := m.Up(ctx, conn, migrations.UpOptions{}); err != nil {
				t.Fatalf("second Up: %v", err)
			}
			if second := dumpSchema(t, conn); !slices.Equal(second, first) {
				t.Fatalf("catalog after the second Up differs from the first:%s", diffLines(second, first))
			}
		})
	}
}

// versions lists the versions of a set, for comparisons and messages.
func versions(ms []migrations.Migration) []int {
	out := make([]int, len(ms))
	for i, m := range ms {
		out[i] = m.Version
	}
	return out
}
