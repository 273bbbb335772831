package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/pgtest"
)

// seedOrg registers a user with an organization, an invitation and an API
// key through the org-bound handle, and returns the organization id.
func seedOrg(t *testing.T, s *Store, name string) (org, user uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	u := domain.User{ID: uuid.Must(uuid.NewV7()), Email: strings.ToLower(name) + "." + uuid.NewString()[:8] + "@example.com", Name: name, CreatedAt: now}
	o := domain.Organization{ID: uuid.Must(uuid.NewV7()), Name: name, CreatedAt: now}
	if err := s.Register(ctx, u, "x", o); err != nil {
		t.Fatal(err)
	}
	inv := domain.Invitation{ID: uuid.Must(uuid.NewV7()), Email: "guest@example.com", Role: domain.RoleViewer, InvitedBy: u.ID, ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	if err := s.Org(o.ID).CreateInvitation(ctx, inv, "hash-"+uuid.NewString()); err != nil {
		t.Fatal(err)
	}
	k := domain.APIKey{ID: uuid.Must(uuid.NewV7()), Name: "k", Prefix: uuid.NewString()[:12], Scopes: []domain.Scope{domain.ScopeRead}, CreatedBy: u.ID, CreatedAt: now}
	if err := s.Org(o.ID).CreateAPIKey(ctx, k, "secret-hash"); err != nil {
		t.Fatal(err)
	}
	return o.ID, u.ID
}

// TestRowLevelSecurityWithoutWhere runs queries with no WHERE clause at all
// under organization A's setting: row-level security alone must hide every
// row of organization B, and refuse writes into B.
func TestRowLevelSecurityWithoutWhere(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.Pool(t)
	s := NewStore(pool)
	orgA, _ := seedOrg(t, s, "Alpha")
	orgB, userB := seedOrg(t, s, "Beta")

	tables := []string{"organizations", "memberships", "invitations", "api_keys", "idempotency_keys"}
	for _, table := range tables {
		t.Run(table, func(t *testing.T) {
			err := s.Org(orgA).tx(ctx, func(tx pgx.Tx) error {
				col := "organization_id"
				if table == "organizations" {
					col = "id"
				}
				var leaked int
				if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE "+col+" = $1", orgB).Scan(&leaked); err != nil {
					return err
				}
				if leaked != 0 {
					t.Errorf("got %d rows of organization B in %s under A's scope, want 0", leaked, table)
				}
				var foreign int
				if err := tx.QueryRow(ctx, "SELECT count(*) FROM (SELECT "+col+" FROM "+table+") x WHERE "+col+" IS DISTINCT FROM $1", orgA).Scan(&foreign); err != nil {
					return err
				}
				if foreign != 0 {
					t.Errorf("got %d rows not of organization A in %s, want 0", foreign, table)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}

	// With no scope at all, nothing is visible.
	err := s.tx(ctx, rlsScope{}, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT (SELECT count(*) FROM organizations) + (SELECT count(*) FROM memberships) + (SELECT count(*) FROM api_keys) + (SELECT count(*) FROM invitations)").Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("got %d organization-owned rows with no scope set, want 0", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Writes into B from A's scope are refused or touch nothing.
	err = s.Org(orgA).tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE organizations SET name = 'hacked'")
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			t.Errorf("got %d organizations updated under A's scope, want only A", tag.RowsAffected())
		}
		tag, err = tx.Exec(ctx, "DELETE FROM memberships WHERE user_id = $1", userB)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 0 {
			t.Errorf("got %d memberships of B deleted from A's scope, want 0", tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Org(orgA).tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO memberships (organization_id, user_id, role) VALUES ($1, $2, 'owner')", orgB, userB)
		return err
	})
	if code := domain.ErrorCode(err); code != domain.CodeInternal || err == nil {
		t.Errorf("got %v inserting into B from A's scope, want a row-level-security refusal", err)
	}
	org, err := s.Org(orgB).Organization(ctx)
	if err != nil || org.Name != "Beta" {
		t.Errorf("got organization B %+v, %v; want it untouched", org, err)
	}
}

// TestApplicationRoleIsSubjectToRLS: the test pool connects as the
// application role, which RoleCheck accepts; the owner role is refused.
func TestApplicationRoleIsSubjectToRLS(t *testing.T) {
	ctx := context.Background()
	if err := RoleCheck(ctx, pgtest.Pool(t)); err != nil {
		t.Errorf("got %v for the application role, want nil", err)
	}
	owner, err := pgxpool.New(ctx, pgtest.OwnerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if err := RoleCheck(ctx, owner); err == nil || !strings.Contains(err.Error(), "owns") {
		t.Errorf("got %v for the owner role, want a refusal saying it owns tables", err)
	}
}

// TestPipelinedReadKeepsTheScope checks the one-round-trip read path: the
// transaction-local settings sent in the same batch bind the query.
func TestPipelinedReadKeepsTheScope(t *testing.T) {
	ctx := context.Background()
	s := NewStore(pgtest.Pool(t))
	orgA, _ := seedOrg(t, s, "Gamma")
	seedOrg(t, s, "Delta")
	count := func(scope rlsScope) int {
		var n int
		if err := s.read(ctx, scope, scanOne(&n), `SELECT count(*) FROM memberships`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := count(rlsScope{org: orgA}); got != 1 {
		t.Errorf("got %d memberships visible under A's scope, want A's 1", got)
	}
	if got := count(rlsScope{}); got != 0 {
		t.Errorf("got %d memberships visible with no scope, want 0", got)
	}
	// The setting does not leak to the next use of the connection.
	var setting *string
	if err := s.pool.QueryRow(ctx, `SELECT NULLIF(current_setting('smm.organization_id', true), '')`).Scan(&setting); err != nil {
		t.Fatal(err)
	}
	if setting != nil {
		t.Errorf("got smm.organization_id %q outside the batch, want it unset", *setting)
	}
}
