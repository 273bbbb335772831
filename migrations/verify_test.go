package migrations_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/socialmediamanager/smm/migrations"
)

// TestVerify checks that Verify passes only while every migration is applied.
func TestVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := fixtures(t)
	conn := newTestDB(t).connect(t)

	steps := []struct {
		name        string
		act         func() error
		wantPending []int // nil means Verify must pass
	}{
		{"before Up", nil, []int{1, 2, 3}},
		{"after Up", func() error { _, err := m.Up(ctx, conn, migrations.UpOptions{}); return err }, nil},
		{"after Down one", func() error { _, err := m.Down(ctx, conn, 1); return err }, []int{3}},
		{"after Down all", func() error { _, err := m.Down(ctx, conn, 0); return err }, []int{1, 2, 3}},
	}
	for _, step := range steps {
		if step.act != nil {
			if err := step.act(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
		}
		err := m.Verify(ctx, conn)
		var pending *migrations.PendingError
		switch {
		case step.wantPending == nil && err != nil:
			t.Errorf("%s: got %v, want nil", step.name, err)
		case step.wantPending != nil && !errors.As(err, &pending):
			t.Errorf("%s: got %v, want a *PendingError for %v", step.name, err, step.wantPending)
		case step.wantPending != nil && !slices.Equal(versions(pending.Pending), step.wantPending):
			t.Errorf("%s: got pending %v, want %v", step.name, versions(pending.Pending), step.wantPending)
		}
	}
}
