package pgtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestCreatedAt checks that the creation time is read back from the names
// newDatabaseName makes, and that other names are left alone.
func TestCreatedAt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		want   int64
		wantOK bool
	}{
		{"smm_test_pgtest_1700000000_0a1b2c3d", 1700000000, true},
		{"smm_test_with_underscores_1700000001_0a1b2c3d", 1700000001, true},
		{newDatabaseName(time.Unix(1700000002, 0)), 1700000002, true},
		{"smm_test_template", 0, false},
		{"smm_test_handmade", 0, false},
		{"smm_test_x_notatime_0a1b2c3d", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := createdAt(tc.name)
			if ok != tc.wantOK || (ok && got.Unix() != tc.want) {
				t.Errorf("got %v, %v, want %v, %v", got.Unix(), ok, tc.want, tc.wantOK)
			}
		})
	}
}

// TestDropLeftovers creates one database as old as a killed run's and one
// as recent as a concurrent run's: the sweep must drop only the old one.
func TestDropLeftovers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := loadSettings()
	if err != nil {
		t.Fatalf("settings: %v", err)
	}
	conn, err := pgx.Connect(ctx, s.ownerURL)
	if err != nil {
		t.Fatalf("connect as owner: %v", err)
	}
	defer conn.Close(ctx)

	now := time.Now()
	probe := newDatabaseName(now)
	handmade := "smm_test_handmade_" + probe[strings.LastIndex(probe, "_")+1:]
	cases := []struct {
		name        string
		db          string
		wantDropped bool
	}{
		{"older than leftoverAge", newDatabaseName(now.Add(-leftoverAge - time.Minute)), true},
		{"younger than leftoverAge", newDatabaseName(now.Add(-leftoverAge + time.Minute)), false},
		{"no time in the name", handmade, false},
	}
	for _, tc := range cases {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident(tc.db)+" TEMPLATE template0"); err != nil {
			t.Fatalf("create %s: %v", tc.db, err)
		}
		t.Cleanup(func() { _ = dropDatabase(s.ownerURL, tc.db) })
	}
	if err := dropLeftovers(ctx, s.ownerURL, now); err != nil {
		t.Fatalf("dropLeftovers: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var exists bool
			if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", tc.db).Scan(&exists); err != nil {
				t.Fatalf("look for %s: %v", tc.db, err)
			}
			if exists == tc.wantDropped {
				t.Errorf("got %s present %v, want %v", tc.db, exists, !tc.wantDropped)
			}
		})
	}
}
