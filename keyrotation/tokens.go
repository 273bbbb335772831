package keyrotation

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/socialaccounts"
)

// rotateSocialTokens visits, one at a time, the organizations that still
// hold tokens under another key than the primary, each under its own
// row-level-security scope.
func (j *job) rotateSocialTokens(ctx context.Context) error {
	orgs, err := j.store.OrganizationsWithSealedTokens(ctx, j.primary)
	if err != nil {
		return err
	}
	j.progress("%s: %d organization(s) with tokens under another key than %q", KindSocialTokens, len(orgs), j.primary)
	for _, org := range orgs {
		if err := j.rotateOrganization(ctx, org); err != nil {
			return fmt.Errorf("organization %s: %w", org, err)
		}
	}
	return nil
}

// rotateOrganization re-seals one organization's tokens, a batch of rows
// listed at a time and each row written in its own transaction. Listing
// after the last id seen, rather than from the start, steps over the rows
// that failed (they stay under their old key).
func (j *job) rotateOrganization(ctx context.Context, org uuid.UUID) error {
	current, err := j.store.CountSealedTokensUnderKey(ctx, org, j.primary)
	if err != nil {
		return err
	}
	c := &j.report.SocialTokens
	c.Current += current
	before := *c
	after := uuid.Nil
	for {
		rows, err := j.store.SealedTokensNotUnderKey(ctx, org, j.primary, after, j.opts.BatchSize)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := j.rotateAccount(ctx, org, row); err != nil {
				return fmt.Errorf("social account %s: %w", row.AccountID, err)
			}
			after = row.AccountID
		}
		if len(rows) < j.opts.BatchSize {
			break
		}
	}
	j.progress("%s: organization %s: %d %s, %d already current, %d changed concurrently, %d failed", KindSocialTokens, org,
		c.Rotated-before.Rotated, j.rotated(), current, c.Changed-before.Changed, len(c.Failed)-len(before.Failed))
	return nil
}

// rotateAccount opens both tokens of one account with their associated
// data, seals them again under the primary key and writes them back if the
// row is still what was read. A token that does not open fails the whole
// row, which is left as it is: both columns share one key id.
func (j *job) rotateAccount(ctx context.Context, org uuid.UUID, row postgres.SealedTokenRow) error {
	c := &j.report.SocialTokens
	fail := func(what string, err error) {
		f := Failure{Kind: KindSocialTokens, ID: row.AccountID, Org: org, Reason: what + ": " + err.Error()}
		c.Failed = append(c.Failed, f)
		j.progress("failed: %s", f)
	}
	accessAAD := socialaccounts.TokenAAD(org, row.AccountID, row.Provider, socialaccounts.AccessToken)
	access, err := j.ring.Open(row.Access, accessAAD)
	if err != nil {
		fail("access token", err)
		return nil
	}
	defer clear(access)
	refreshAAD := socialaccounts.TokenAAD(org, row.AccountID, row.Provider, socialaccounts.RefreshToken)
	var refresh []byte
	if row.Refresh != nil {
		if refresh, err = j.ring.Open(row.Refresh, refreshAAD); err != nil {
			fail("refresh token", err)
			return nil
		}
		defer clear(refresh)
	}
	if j.opts.DryRun {
		c.Rotated++
		return nil
	}
	newAccess, err := j.ring.Seal(access, accessAAD)
	if err != nil {
		return fmt.Errorf("seal access token: %w", err)
	}
	var newRefresh []byte
	if row.Refresh != nil {
		if newRefresh, err = j.ring.Seal(refresh, refreshAAD); err != nil {
			return fmt.Errorf("seal refresh token: %w", err)
		}
	}
	updated, err := j.store.ResealTokens(ctx, org, row, newAccess, newRefresh, j.primary)
	if err != nil {
		return err
	}
	if updated {
		c.Rotated++
	} else {
		c.Changed++
	}
	return nil
}
