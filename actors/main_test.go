package actors_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors"
	"github.com/socialmediamanager/smm/cluster"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/encryption"
	"github.com/socialmediamanager/smm/identity"
	"github.com/socialmediamanager/smm/identity/accesstoken"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/persistence/postgres"
	"github.com/socialmediamanager/smm/persistence/redisdb"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// env is what a test of the grains works with: the real store on the
// package database, the real identity service as the grains' writer, and
// one cluster member hosting the organization kind.
type env struct {
	t       *testing.T
	store   *postgres.Store
	writer  *identity.Service
	node    *cluster.Node
	runtime *actors.Runtime
}

// setup holds what a test changes of a node before it starts.
type setup struct {
	opts           actors.Options
	requestTimeout time.Duration
	// writer, when set, wraps the identity service as the grains' writer.
	writer func(actors.OrganizationWriter) actors.OrganizationWriter
}

// newEnv starts a single-member cluster on a free port, closed when the
// test ends. The options' Store and Writer default to the real ones.
func newEnv(t *testing.T, s setup) *env {
	t.Helper()
	e := &env{t: t, store: postgres.NewStore(pgtest.Pool(t))}
	e.writer = identityService(t, e.store)
	opts := s.opts
	if opts.Store == nil {
		opts.Store = func(org uuid.UUID) actors.OrgStore { return e.store.Org(org) }
	}
	if opts.Writer == nil {
		opts.Writer = e.writer
		if s.writer != nil {
			opts.Writer = s.writer(e.writer)
		}
	}
	if s.requestTimeout <= 0 {
		s.requestTimeout = 5 * time.Second
	}
	e.runtime = actors.NewRuntime(opts)
	node, err := cluster.Start(cluster.Options{
		Config: config.Cluster{
			Name: "actors-test-" + uuid.NewString()[:8], Provider: config.ClusterSingle,
			Addr: "127.0.0.1:0", RequestTimeout: s.requestTimeout,
		},
		Runtime: e.runtime,
	})
	if err != nil {
		t.Fatalf("start cluster member: %v", err)
	}
	t.Cleanup(func() { _ = node.Close() })
	e.node = node
	return e
}

// signing keys and the encryption keyring cost an RSA key generation: made
// once for the test binary.
var identityKeys = sync.OnceValues(func() (*accesstoken.Keys, *encryption.Keyring) {
	keys, err := accesstoken.EphemeralKeys()
	if err != nil {
		panic(err)
	}
	spec, err := encryption.GenerateKeySpec("test1")
	if err != nil {
		panic(err)
	}
	ring, err := encryption.ParseKeys(spec)
	if err != nil {
		panic(err)
	}
	return keys, ring
})

// identityService builds the identity use cases the service gives its
// grains as their writer, with the cheapest bcrypt cost. Without an
// invalidation bus, updating an organization does not touch Redis.
func identityService(t *testing.T, store *postgres.Store) *identity.Service {
	t.Helper()
	redisURL := os.Getenv("SMM_REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379"
	}
	clients, err := redisdb.Open(redisURL)
	if err != nil {
		t.Fatalf("open redis clients: %v", err)
	}
	t.Cleanup(func() { _ = clients.Close() })
	keys, ring := identityKeys()
	issuer := accesstoken.NewIssuer(keys, accesstoken.Options{Issuer: "smm-test", Audience: "smm-test"})
	svc, err := identity.New(store, clients, issuer, ring, identity.Config{BcryptCost: 4}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("identity service: %v", err)
	}
	return svc
}

// tenant is an organization registered in PostgreSQL with its owner.
type tenant struct {
	org      domain.Organization
	owner    domain.Principal
	accounts []domain.SocialAccount
}

// newTenant registers a user and their organization, then connects n
// social accounts to it.
func (e *env) newTenant(name string, n int) tenant {
	e.t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := domain.User{ID: uuid.Must(uuid.NewV7()), Email: "owner." + uuid.NewString()[:12] + "@example.com", Name: "Owner", CreatedAt: now}
	o := domain.Organization{ID: uuid.Must(uuid.NewV7()), Name: name, Settings: map[string]any{}, CreatedAt: now}
	if err := e.store.Register(ctx, u, "not-a-real-hash", o); err != nil {
		e.t.Fatalf("register: %v", err)
	}
	tn := tenant{org: o, owner: domain.Principal{UserID: u.ID, OrganizationID: o.ID, Role: domain.RoleOwner}}
	for range n {
		tn.accounts = append(tn.accounts, e.addAccount(o.ID))
	}
	return tn
}

// addAccount connects one more social account to org.
func (e *env) addAccount(org uuid.UUID) domain.SocialAccount {
	e.t.Helper()
	a := domain.SocialAccount{
		ID: uuid.Must(uuid.NewV7()), OrganizationID: org, Provider: domain.ProviderInstagram,
		ExternalID: "ext-" + uuid.NewString()[:12], Username: "acct", Status: domain.AccountConnected,
		CreatedAt: time.Now().UTC(),
	}
	if err := e.store.Org(org).CreateSocialAccount(context.Background(), a); err != nil {
		e.t.Fatalf("create social account: %v", err)
	}
	return a
}

// describe asks the grain of org what it holds, failing the test on error.
func (e *env) describe(org uuid.UUID) domain.GrainActivation {
	e.t.Helper()
	act, err := e.node.Organizations().Describe(context.Background(), org)
	if err != nil {
		e.t.Fatalf("describe %s: %v", org, err)
	}
	return act
}

// eventually polls cond every 10ms until it holds or the deadline passes;
// cond returns a description of what it saw for the failure message.
func eventually(t *testing.T, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, saw := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s: got %s", within, what, saw)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// children maps "kind/account" to the child's status in an activation.
func children(act domain.GrainActivation) map[string]domain.GrainChild {
	out := make(map[string]domain.GrainChild, len(act.Children))
	for _, c := range act.Children {
		out[c.Kind+"/"+c.AccountID] = c
	}
	return out
}

// wantChildren is the set of children a grain supervising accounts has.
func wantChildren(accounts ...domain.SocialAccount) map[string]bool {
	out := make(map[string]bool, 2*len(accounts))
	for _, a := range accounts {
		out[actors.ChildAccount+"/"+a.ID.String()] = true
		out[actors.ChildSync+"/"+a.ID.String()] = true
	}
	return out
}

func sameKeys(got map[string]domain.GrainChild, want map[string]bool) bool {
	if len(got) != len(want) {
		return false
	}
	for k := range got {
		if !want[k] {
			return false
		}
	}
	return true
}

// logBuffer is a log destination safe to read while grains write to it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the JSON records written so far whose message is msg.
func (b *logBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	text := b.buf.String()
	b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, sc.Text())
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// field renders a log record's attribute for comparisons.
func field(rec map[string]any, key string) string {
	v, ok := rec[key]
	if !ok {
		return "<absent>"
	}
	return fmt.Sprint(v)
}
