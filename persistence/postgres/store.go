package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is the PostgreSQL repository. Queries on organization-owned tables
// are reachable only through the handle returned by Org, which runs them in
// a transaction carrying the organization as a transaction-local setting:
// the code cannot forget the tenant, and row-level security (forced on every
// such table) refuses rows of any other organization even if a query did.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a store over pool, which must connect as the application
// role (never the owner, a superuser or a BYPASSRLS role).
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// rlsScope is what a transaction may see under row-level security.
type rlsScope struct {
	org            uuid.UUID
	user           uuid.UUID
	apiKeyPrefix   string
	invitationHash string
	refreshHash    string
}

// tx runs fn in a transaction whose row-level-security settings are scope.
// Every error leaves classified by SQLSTATE.
func (s *Store) tx(ctx context.Context, scope rlsScope, fn func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return Classify(fmt.Errorf("begin: %w", err))
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := applyScope(ctx, tx, scope); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return Classify(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return Classify(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// scopeSQL sets every row-level-security setting, transaction-locally.
const scopeSQL = `SELECT set_config('smm.organization_id', $1, true), set_config('smm.user_id', $2, true),
	set_config('smm.api_key_prefix', $3, true), set_config('smm.invitation_token_hash', $4, true),
	set_config('smm.refresh_token_hash', $5, true)`

func applyScope(ctx context.Context, tx pgx.Tx, scope rlsScope) error {
	str := func(id uuid.UUID) string {
		if id == uuid.Nil {
			return ""
		}
		return id.String()
	}
	_, err := tx.Exec(ctx, scopeSQL, str(scope.org), str(scope.user), scope.apiKeyPrefix, scope.invitationHash, scope.refreshHash)
	if err != nil {
		return Classify(fmt.Errorf("set row-level-security scope: %w", err))
	}
	return nil
}

// OrgStore is the organization-bound handle: every method runs under that
// organization's row-level-security scope.
type OrgStore struct {
	s   *Store
	org uuid.UUID
}

// Org returns the handle for organization id.
func (s *Store) Org(id uuid.UUID) *OrgStore { return &OrgStore{s: s, org: id} }

// ID is the organization the handle is bound to.
func (o *OrgStore) ID() uuid.UUID { return o.org }

func (o *OrgStore) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return o.s.tx(ctx, rlsScope{org: o.org}, fn)
}

// RoleCheck verifies the connection's role cannot bypass row-level
// security: the service refuses to start as an owner, a superuser or a
// BYPASSRLS role, because then RLS would silently not apply.
func RoleCheck(ctx context.Context, pool *pgxpool.Pool) error {
	var super, bypass bool
	var user string
	var owns int
	err := pool.QueryRow(ctx, `SELECT current_user, r.rolsuper, r.rolbypassrls,
		(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		  WHERE n.nspname = 'public' AND c.relowner = r.oid)
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&user, &super, &bypass, &owns)
	if err != nil {
		return Classify(fmt.Errorf("check database role: %w", err))
	}
	var problems []error
	if super {
		problems = append(problems, fmt.Errorf("role %q is a superuser", user))
	}
	if bypass {
		problems = append(problems, fmt.Errorf("role %q has BYPASSRLS", user))
	}
	if owns > 0 {
		problems = append(problems, fmt.Errorf("role %q owns %d tables", user, owns))
	}
	if len(problems) > 0 {
		return fmt.Errorf("SMM_DATABASE_URL must name the application role, to which row-level security applies: %w", errors.Join(problems...))
	}
	return nil
}

// read runs one query under scope in a single network round trip: the
// scope's set_config calls and the query are sent as one pipelined batch,
// which PostgreSQL runs as one implicit transaction (there is no Sync
// between them), so the transaction-local settings hold for the query.
// Writes and multi-step work use tx.
func (s *Store) read(ctx context.Context, scope rlsScope, scan func(pgx.Rows) error, sql string, args ...any) error {
	b := &pgx.Batch{}
	b.Queue(scopeSQL, idSetting(scope.org), idSetting(scope.user), scope.apiKeyPrefix, scope.invitationHash, scope.refreshHash)
	b.Queue(sql, args...)
	br := s.pool.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return Classify(fmt.Errorf("set row-level-security scope: %w", err))
	}
	rows, err := br.Query()
	if err == nil {
		err = scan(rows)
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return Classify(err)
}

func idSetting(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// firstRow hands the first row of a query to scan, not_found when there is
// none.
func firstRow(scan func(pgx.Row) error) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return pgx.ErrNoRows
		}
		return scan(rows)
	}
}

// scanOne scans the single row of a query into dest, not_found when there
// is none.
func scanOne(dest ...any) func(pgx.Rows) error {
	return firstRow(func(r pgx.Row) error { return r.Scan(dest...) })
}
