package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/encryption"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/socialaccounts"
)

// The publishing fixture: organizations named publishOrgName, each with one
// account per network, and one video content per publication whose title
// and body carry captionMarker and the publication's id.
const (
	publishOrgName = "smmbench publish"
	captionMarker  = "smmbench publication "
	// publishTokenTTL is the minted tokens' lifetime: no refresh during a
	// run.
	publishTokenTTL = 30 * 24 * time.Hour
	// publishMediaBytes is the sample video's size (YouTube uploads it).
	publishMediaBytes = 1024
	// publishFixtureWriters write organizations concurrently.
	publishFixtureWriters = 16
	// publishParking is how far ahead the publications are written, out of
	// every sweep's reach, before the window is set.
	publishParking = 24 * time.Hour
)

// publishProviders are an organization's accounts, in order.
var publishProviders = []domain.Provider{domain.ProviderInstagram, domain.ProviderTikTok, domain.ProviderYouTube}

// fixturePub is one publication of the fixture.
type fixturePub struct {
	id, org, content uuid.UUID
	slot             int // the organization's account, index in publishProviders
	offset           time.Duration
}

// publishFixture is the plan of a run's organizations and publications;
// publish times are start + offset once the window is set.
type publishFixture struct {
	orgs     []uuid.UUID
	accounts map[uuid.UUID][]uuid.UUID
	pubs     []fixturePub
	byOrg    map[uuid.UUID][]int
	window   time.Duration
	start    time.Time
}

// planPublishFixture spreads count publications over orgs organizations
// (publication i to organization i mod orgs, its accounts in turn), due at
// offsets drawn uniformly within window from a fixed seed, to the
// microsecond PostgreSQL keeps.
func planPublishFixture(orgs, count int, window time.Duration, seed uint64) *publishFixture {
	fx := &publishFixture{accounts: map[uuid.UUID][]uuid.UUID{}, byOrg: map[uuid.UUID][]int{}, window: window}
	for range orgs {
		org := uuid.Must(uuid.NewV7())
		fx.orgs = append(fx.orgs, org)
		for range publishProviders {
			fx.accounts[org] = append(fx.accounts[org], uuid.Must(uuid.NewV7()))
		}
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	for i := range count {
		org := fx.orgs[i%orgs]
		p := fixturePub{id: uuid.Must(uuid.NewV7()), org: org, content: uuid.Must(uuid.NewV7()),
			slot:   (i / orgs) % len(publishProviders),
			offset: time.Duration(rng.Int64N(int64(window))).Truncate(time.Microsecond)}
		fx.byOrg[org] = append(fx.byOrg[org], len(fx.pubs))
		fx.pubs = append(fx.pubs, p)
	}
	return fx
}

// at is publication p's publish time once the window starts at start.
func (p fixturePub) at(start time.Time) time.Time { return start.Add(p.offset) }

// ids lists the publications' ids.
func (fx *publishFixture) ids() []uuid.UUID {
	out := make([]uuid.UUID, len(fx.pubs))
	for i, p := range fx.pubs {
		out[i] = p.id
	}
	return out
}

// maxPerAccount is the most publications one account gets.
func (fx *publishFixture) maxPerAccount() int {
	per := map[[2]uuid.UUID]int{}
	most := 0
	for _, p := range fx.pubs {
		k := [2]uuid.UUID{p.org, fx.accounts[p.org][p.slot]}
		per[k]++
		most = max(most, per[k])
	}
	return most
}

// orgsByFirstDue lists the organizations by their earliest publication, so
// that those due first are woken first.
func (fx *publishFixture) orgsByFirstDue() []uuid.UUID {
	first := map[uuid.UUID]time.Duration{}
	for _, org := range fx.orgs {
		first[org] = fx.window
		for _, i := range fx.byOrg[org] {
			first[org] = min(first[org], fx.pubs[i].offset)
		}
	}
	out := slices.Clone(fx.orgs)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return int(first[a] - first[b]) })
	return out
}

// forEachOrg runs fn for each organization, workers at a time, and
// returns the first error.
func forEachOrg(ctx context.Context, orgs []uuid.UUID, workers int, fn func(ctx context.Context, org uuid.UUID) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(orgs) || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, orgs[i]); err != nil {
					errs[w] = fmt.Errorf("organization %s: %w", orgs[i], err)
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(append(errs, ctx.Err())...)
}

// orgBatch runs queue's statements in one round trip and one implicit
// transaction under org's row-level-security scope, as the store's reads
// do: the scope is set transaction-locally by the first statement.
func orgBatch(ctx context.Context, pool *pgxpool.Pool, org uuid.UUID, queue func(b *pgx.Batch)) error {
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('smm.organization_id', $1, true)`, org.String())
	queue(b)
	return pool.SendBatch(ctx, b).Close()
}

// writePublishFixture writes the organizations, their accounts (a token
// minted by sim for each, sealed with ring exactly as socialaccounts seals
// a connection's), one content per publication and the publications,
// scheduled at parked + offset, far beyond any sweep.
func writePublishFixture(ctx context.Context, pool *pgxpool.Pool, sim *simulator.Server, ring *encryption.Keyring, fx *publishFixture, parked time.Time) error {
	media, err := json.Marshal([]domain.MediaRef{{URL: sim.URL + fmt.Sprintf("/_sim/media/clip.mp4?bytes=%d", publishMediaBytes), Kind: domain.MediaVideo}})
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	expires := now.Add(publishTokenTTL)
	return forEachOrg(ctx, fx.orgs, publishFixtureWriters, func(ctx context.Context, org uuid.UUID) error {
		type account struct {
			id                 uuid.UUID
			provider           domain.Provider
			externalID, sealed any
		}
		var accounts []account
		for slot, p := range publishProviders {
			id := fx.accounts[org][slot]
			ext, token := sim.IssueAccessToken(string(p), "smmbench-"+id.String()[:8], publishTokenTTL)
			sealed, err := ring.Seal([]byte(token), socialaccounts.TokenAAD(org, id, p, socialaccounts.AccessToken))
			if err != nil {
				return fmt.Errorf("seal access token: %w", err)
			}
			accounts = append(accounts, account{id: id, provider: p, externalID: ext, sealed: sealed})
		}
		n := len(fx.byOrg[org])
		ids, contents, accountIDs := make([]uuid.UUID, 0, n), make([]uuid.UUID, 0, n), make([]uuid.UUID, 0, n)
		providers, titles, bodies := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		ats := make([]time.Time, 0, n)
		for _, i := range fx.byOrg[org] {
			p := fx.pubs[i]
			ids, contents = append(ids, p.id), append(contents, p.content)
			accountIDs, providers = append(accountIDs, fx.accounts[org][p.slot]), append(providers, string(publishProviders[p.slot]))
			titles = append(titles, captionMarker+p.id.String())
			bodies = append(bodies, captionMarker+p.id.String()+" — scheduled by the publishing benchmark")
			ats = append(ats, p.at(parked))
		}
		return orgBatch(ctx, pool, org, func(b *pgx.Batch) {
			b.Queue(`INSERT INTO organizations (id, name) VALUES ($1, $2)`, org, publishOrgName)
			for _, a := range accounts {
				b.Queue(`INSERT INTO social_accounts (id, organization_id, provider, external_id, username, display_name, status,
					scopes, access_token, token_key_id, expires_at, connected_at, last_health_check_at)
					VALUES ($1, $2, $3, $4, 'smmbench', 'smmbench', 'connected', '{}', $5, $6, $7, $8, $8)`,
					a.id, org, string(a.provider), a.externalID, a.sealed, ring.PrimaryID(), expires, now)
			}
			b.Queue(`INSERT INTO contents (id, organization_id, title, body, media)
				SELECT c.id, $1, c.title, c.body, $5::jsonb FROM unnest($2::uuid[], $3::text[], $4::text[]) AS c(id, title, body)`,
				org, contents, titles, bodies, string(media))
			b.Queue(`INSERT INTO publications (id, organization_id, content_id, social_account_id, provider, status, publish_at, due_at)
				SELECT p.id, $1, p.content_id, p.account_id, p.provider, 'scheduled', p.at, p.at
				FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[]) AS p(id, content_id, account_id, provider, at)`,
				org, ids, contents, accountIDs, providers, ats)
			b.Queue(`INSERT INTO publication_transitions (organization_id, publication_id, from_status, to_status, reason)
				SELECT $1, id, NULL, 'scheduled', 'scheduled' FROM unnest($2::uuid[]) AS id`, org, ids)
		})
	})
}

// setWindow moves every publication of the fixture from parked + offset to
// start + offset: the window begins at start.
func setWindow(ctx context.Context, pool *pgxpool.Pool, fx *publishFixture, parked, start time.Time) error {
	shift := parked.Sub(start).Microseconds()
	err := forEachOrg(ctx, fx.orgs, publishFixtureWriters, func(ctx context.Context, org uuid.UUID) error {
		return orgBatch(ctx, pool, org, func(b *pgx.Batch) {
			b.Queue(`UPDATE publications SET publish_at = publish_at - $2 * interval '1 microsecond',
				due_at = due_at - $2 * interval '1 microsecond' WHERE organization_id = $1 AND status = 'scheduled'`, org, shift)
		})
	})
	if err == nil {
		fx.start = start
	}
	return err
}

// pubState is what PostgreSQL says of one publication at the end.
type pubState struct {
	status       string
	publishAt    time.Time
	publishedAt  *time.Time
	externalID   string
	firstAttempt *time.Time
	firstMember  string
	attempts     int
	// lastError is the last attempt's error (class, code, message), "" when
	// there was none.
	lastError string
}

// readPublishStates reads every publication of orgs with its first
// attempt, one round trip per organization.
func readPublishStates(ctx context.Context, pool *pgxpool.Pool, orgs []uuid.UUID) (map[uuid.UUID]pubState, error) {
	var mu sync.Mutex
	out := map[uuid.UUID]pubState{}
	err := forEachOrg(ctx, orgs, publishFixtureWriters, func(ctx context.Context, org uuid.UUID) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT set_config('smm.organization_id', $1, true)`, org.String())
		b.Queue(`SELECT p.id, p.status, p.publish_at, p.published_at, COALESCE(p.external_id, ''), a.started_at, COALESCE(a.member, ''),
				(SELECT count(*) FROM publication_attempts c WHERE c.organization_id = p.organization_id AND c.publication_id = p.id),
				CASE WHEN p.last_error_class = '' THEN '' ELSE p.last_error_class || ' ' || p.last_error_code || ': ' || left(p.last_error_message, 120) END
			FROM publications p LEFT JOIN publication_attempts a
				ON a.organization_id = p.organization_id AND a.publication_id = p.id AND a.number = 1
			WHERE p.organization_id = $1`, org)
		br := pool.SendBatch(ctx, b)
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return err
		}
		rows, _ := br.Query()
		states := map[uuid.UUID]pubState{}
		var id uuid.UUID
		var s pubState
		_, err := pgx.ForEachRow(rows, []any{&id, &s.status, &s.publishAt, &s.publishedAt, &s.externalID, &s.firstAttempt, &s.firstMember, &s.attempts, &s.lastError}, func() error {
			states[id] = s
			return nil
		})
		if err = errors.Join(err, br.Close()); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for k, v := range states {
			out[k] = v
		}
		return nil
	})
	return out, err
}

// remainingOrgs counts the organizations of fx that still have publishing
// work (a publication neither published, failed nor cancelled), through
// the sweep's own query.
func remainingOrgs(ctx context.Context, store *postgres.Store, fx *publishFixture) (int, error) {
	due, err := store.OrgsWithDuePublications(ctx, time.Now().Add(100*365*24*time.Hour), true)
	if err != nil {
		return 0, err
	}
	ours := map[uuid.UUID]bool{}
	for _, org := range fx.orgs {
		ours[org] = true
	}
	n := 0
	for _, org := range due {
		if ours[org] {
			n++
		}
	}
	return n, nil
}

// retirePublishFixture cancels the unfinished publications of orgs (none
// when the run finished), so that no later sweep wakes them. The rows stay:
// deleting a run's publications costs minutes at full scale, because the
// foreign key from publication_transitions.publication_id has no index of
// its own, so every deleted publication scans that whole table.
func retirePublishFixture(ctx context.Context, store *postgres.Store, pool *pgxpool.Pool, orgs []uuid.UUID) error {
	due, err := store.OrgsWithDuePublications(ctx, time.Now().Add(100*365*24*time.Hour), true)
	if err != nil {
		return err
	}
	ours := make(map[uuid.UUID]bool, len(orgs))
	for _, org := range orgs {
		ours[org] = true
	}
	var left []uuid.UUID
	for _, org := range due {
		if ours[org] {
			left = append(left, org)
		}
	}
	return forEachOrg(ctx, left, publishFixtureWriters, func(ctx context.Context, org uuid.UUID) error {
		return cancelPublications(ctx, pool, org)
	})
}

// cancelPublications cancels org's unfinished publications.
func cancelPublications(ctx context.Context, pool *pgxpool.Pool, org uuid.UUID) error {
	return orgBatch(ctx, pool, org, func(b *pgx.Batch) {
		b.Queue(`UPDATE publications SET status = 'cancelled', due_at = NULL WHERE organization_id = $1 AND due_at IS NOT NULL`, org)
	})
}

// cancelStalePublishFixtures cancels the unfinished publications an
// interrupted earlier run left (organizations named publishOrgName with
// work due), so that this run's sweeps do not wake them.
func cancelStalePublishFixtures(ctx context.Context, pool *pgxpool.Pool, store *postgres.Store, progress io.Writer) error {
	due, err := store.OrgsWithDuePublications(ctx, time.Now().Add(100*365*24*time.Hour), true)
	if err != nil {
		return err
	}
	var stale []uuid.UUID
	for _, org := range due {
		o, err := store.Org(org).Organization(ctx)
		if err == nil && o.Name == publishOrgName {
			stale = append(stale, org)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	progressf(progress, "cancelling the publications of %d organizations an interrupted publishing run left", len(stale))
	return retirePublishFixture(ctx, store, pool, stale)
}
