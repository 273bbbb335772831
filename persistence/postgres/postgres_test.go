package postgres

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestClassifyBySQLState provokes real errors in PostgreSQL and checks each
// lands on its stable domain code.
func TestClassifyBySQLState(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.Pool(t)
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE c (id int primary key, n int not null check (n >= 0)); INSERT INTO c VALUES (1, 1)`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		sql  string
		want domain.Code
	}{
		{"unique violation", `INSERT INTO c VALUES (1, 1)`, domain.CodeConflict},
		{"check violation", `INSERT INTO c VALUES (2, -1)`, domain.CodeInvalid},
		{"not null violation", `INSERT INTO c VALUES (3, NULL)`, domain.CodeInvalid},
		{"bad input syntax", `SELECT 'abc'::int`, domain.CodeInvalid},
		{"division by zero", `SELECT 1/0`, domain.CodeInvalid},
		{"no rows", `SELECT n FROM c WHERE id = 999`, domain.CodeNotFound},
		{"permission denied", `CREATE TABLE public.nope (id int)`, domain.CodeInternal},
		{"canceled by timeout", `SELECT pg_sleep(1)`, domain.CodeUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n int
			var err error
			if tt.name == "no rows" {
				err = conn.QueryRow(ctx, tt.sql).Scan(&n)
			} else if tt.name == "canceled by timeout" {
				tx, terr := conn.Begin(ctx)
				if terr != nil {
					t.Fatal(terr)
				}
				_, err = tx.Exec(ctx, "SET LOCAL statement_timeout = 1")
				if err == nil {
					_, err = tx.Exec(ctx, tt.sql)
				}
				_ = tx.Rollback(ctx)
			} else {
				_, err = conn.Exec(ctx, tt.sql)
			}
			if err == nil {
				t.Fatalf("got no error, want one")
			}
			got := Classify(err)
			if code := domain.ErrorCode(got); code != tt.want {
				t.Errorf("got code %s for %v, want %s", code, err, tt.want)
			}
			if !errors.Is(got, err) {
				t.Errorf("got a classified error that lost its cause")
			}
		})
	}
}

// TestUnreachableDatabaseIsUnavailable points a pool at a port where nothing
// listens: the failure is unavailable (503), never internal.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pool, err := Open(ctx, "postgres://smm_app:smm_app@"+addr+"/smm?sslmode=disable", 2)
	if err != nil {
		t.Fatalf("got %v opening a pool to a closed port, want a lazy pool", err)
	}
	defer pool.Close()
	err = Ping(ctx, pool)
	if code := domain.ErrorCode(err); code != domain.CodeUnavailable {
		t.Errorf("got %s (%v), want unavailable", code, err)
	}
}

func TestPingHealthyDatabase(t *testing.T) {
	if err := Ping(context.Background(), pgtest.Pool(t)); err != nil {
		t.Errorf("got %v, want nil", err)
	}
}
