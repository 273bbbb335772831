package migrations_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/migrations"
)

// TestFoundationFunctions checks the behaviour later migrations rely on: the
// organization setting is transaction-local and empty means none, and the
// touch trigger moves updated_at.
func TestFoundationFunctions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conn := newTestDB(t).connect(t)
	if _, err := migrations.Embedded().Up(ctx, conn, migrations.UpOptions{}); err != nil {
		t.Fatalf("Up: %v", err)
	}

	const org = "0190a5d8-0000-7000-8000-00000000000a"
	cases := []struct {
		name    string
		setting *string // nil: not set in the transaction
		want    *string
	}{
		{"never set", nil, nil},
		{"set in the transaction", ptr(org), ptr(org)},
		{"set to empty", ptr(""), nil},
		{"set in an earlier transaction", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got *string
			err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				if tc.setting != nil {
					if _, err := tx.Exec(ctx, "SELECT set_config('smm.organization_id', $1, true)", *tc.setting); err != nil {
						return err
					}
				}
				return tx.QueryRow(ctx, "SELECT smm_current_organization_id()::text").Scan(&got)
			})
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("got %v, want %v", deref(got), deref(tc.want))
			}
		})
	}

	t.Run("touch trigger", func(t *testing.T) {
		var before, after bool
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `CREATE TEMP TABLE touched (id int, updated_at timestamptz NOT NULL DEFAULT '2000-01-01');
				CREATE TRIGGER touched_updated_at BEFORE UPDATE ON touched FOR EACH ROW EXECUTE FUNCTION smm_touch_updated_at();
				INSERT INTO touched (id) VALUES (1)`); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, "SELECT updated_at = now() FROM touched").Scan(&before); err != nil {
				return err
			}
			return tx.QueryRow(ctx, "UPDATE touched SET id = 2 RETURNING updated_at = now()").Scan(&after)
		})
		if err != nil {
			t.Fatalf("exercise trigger: %v", err)
		}
		if before || !after {
			t.Errorf("got updated_at = now() before %v and after the update %v, want false then true", before, after)
		}
	})
}

// ptr returns a pointer to s, for optional values in table tests.
func ptr(s string) *string { return &s }

// deref shows an optional value in messages.
func deref(s *string) string {
	if s == nil {
		return "NULL"
	}
	return *s
}
