package cluster_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
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

// memberEnv, when set to a JSON memberSpec, makes the test binary one
// cluster member and nothing else. Every member of the multi-node proof
// runs in its own process: a member can then be killed for real, and no
// two protoactor members share a process (their remotes race on gRPC's
// global logger, which the race detector rightly reports).
const memberEnv = "SMM_CLUSTER_TEST_MEMBER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(memberEnv); spec != "" {
		os.Exit(runMember(spec, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(pgtest.Main(m))
}

// memberSpec is what a member process is told.
type memberSpec struct {
	Cluster     config.Cluster
	DatabaseURL string
	RedisURL    string
	// Members is how many members it waits to see before it is ready.
	Members int
}

// The member answers on standard output, one line per request, prefixed
// so that what protoactor prints there is told apart.
const (
	replyPrefix = "@@ "
	readyPrefix = "@@ready "
)

// reply is a member's answer to one request.
type reply struct {
	Error       string   `json:"error,omitempty"`
	Code        string   `json:"code,omitempty"`
	Member      string   `json:"member,omitempty"`
	Address     string   `json:"address,omitempty"`
	ActivatedAt int64    `json:"activated_at,omitempty"`
	Loads       int64    `json:"loads,omitempty"`
	Name        string   `json:"name,omitempty"`
	Children    int      `json:"children,omitempty"`
	Hosted      []string `json:"hosted,omitempty"`
	Members     int      `json:"members,omitempty"`
}

// runMember joins the cluster with the real store and identity service,
// prints "@@ready ID ADDRESS" once it sees spec.Members members, then
// serves requests read from stdin ("N VERB ARGS…", answered "@@ N JSON")
// until stdin closes:
//
//	describe ORG             the grain's activation
//	rename ORG OWNER NAME    UpdateOrganization as that owner
//	hosted                   the organizations active on this member
//	members                  how many members this one sees
func runMember(raw string, stdin io.Reader, stdout, stderr io.Writer) int {
	var spec memberSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		fmt.Fprintf(stderr, "member: %s: %v\n", memberEnv, err)
		return 2
	}
	ctx := context.Background()
	pool, err := postgres.Open(ctx, spec.DatabaseURL, 8)
	if err != nil {
		fmt.Fprintf(stderr, "member: %v\n", err)
		return 1
	}
	defer pool.Close()
	store := postgres.NewStore(pool)
	clients, err := redisdb.Open(spec.RedisURL)
	if err != nil {
		fmt.Fprintf(stderr, "member: %v\n", err)
		return 1
	}
	defer clients.Close()
	keys, err := accesstoken.EphemeralKeys()
	if err != nil {
		fmt.Fprintf(stderr, "member: %v\n", err)
		return 1
	}
	keySpec, err := encryption.GenerateKeySpec("proof")
	if err != nil {
		fmt.Fprintf(stderr, "member: %v\n", err)
		return 1
	}
	ring, err := encryption.ParseKeys(keySpec)
	if err != nil {
		fmt.Fprintf(stderr, "member: %v\n", err)
		return 1
	}
	issuer := accesstoken.NewIssuer(keys, accesstoken.Options{Issuer: "smm-test", Audience: "smm-test"})
	writer, err := identity.New(store, clients, issuer, ring, identity.Config{BcryptCost: 4}, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Fprintf(stderr, "member: %v\n", err)
		return 1
	}
	rt := actors.NewRuntime(actors.Options{
		Store:  func(org uuid.UUID) actors.OrgStore { return store.Org(org) },
		Writer: writer,
		Logger: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	node, err := cluster.Start(cluster.Options{Config: spec.Cluster, Runtime: rt,
		Logger: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
	if err != nil {
		fmt.Fprintf(stderr, "member: %v\n", err)
		return 1
	}
	defer node.Close()
	for node.Members() < spec.Members {
		time.Sleep(20 * time.Millisecond)
	}
	var mu sync.Mutex
	answer := func(id string, r reply) {
		b, _ := json.Marshal(r)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stdout, "%s%s %s\n", replyPrefix, id, b)
	}
	fmt.Fprintf(stdout, "%s%s %s\n", readyPrefix, node.ID(), node.Address())
	var wg sync.WaitGroup
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		wg.Go(func() { answer(f[0], serve(node, rt, f[1], f[2:])) })
	}
	wg.Wait()
	return 0
}

// serve runs one request of runMember.
func serve(node *cluster.Node, rt *actors.Runtime, verb string, args []string) reply {
	ctx := context.Background()
	failed := func(err error) reply {
		return reply{Error: err.Error(), Code: string(domain.ErrorCode(err))}
	}
	switch verb {
	case "describe":
		org, err := uuid.Parse(args[0])
		if err != nil {
			return failed(err)
		}
		act, err := node.Organizations().Describe(ctx, org)
		if err != nil {
			return failed(err)
		}
		return reply{Member: act.MemberID, Address: act.Address, ActivatedAt: act.ActivatedAt.UnixMicro(),
			Loads: act.Loads, Name: act.Name, Children: len(act.Children)}
	case "rename":
		org, err := uuid.Parse(args[0])
		if err != nil {
			return failed(err)
		}
		owner, err := uuid.Parse(args[1])
		if err != nil {
			return failed(err)
		}
		name := strings.Join(args[2:], " ")
		o, err := node.Organizations().UpdateOrganization(ctx,
			domain.Principal{UserID: owner, OrganizationID: org, Role: domain.RoleOwner},
			domain.OrganizationPatch{Name: &name})
		if err != nil {
			return failed(err)
		}
		return reply{Name: o.Name}
	case "hosted":
		return reply{Hosted: rt.Hosted()}
	case "members":
		return reply{Members: node.Members()}
	}
	return reply{Error: "unknown request " + verb}
}

// member is a member process seen from the test.
type member struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *tailBuffer
	id     string
	addr   string
	exited chan struct{}

	mu      sync.Mutex
	next    int
	pending map[string]chan reply
}

// startMember starts a member process and returns once it sees
// spec.Members members. The process is stopped when the test ends.
func startMember(t *testing.T, spec memberSpec) *member {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), memberEnv+"="+string(raw))
	m := &member{t: t, cmd: cmd, stderr: &tailBuffer{max: 64 << 10}, exited: make(chan struct{}), pending: map[string]chan reply{}}
	cmd.Stderr = m.stderr
	if m.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start member: %v", err)
	}
	ready := make(chan string, 1)
	go m.read(stdout, ready)
	go func() { _ = cmd.Wait(); close(m.exited) }()
	t.Cleanup(m.stop)
	select {
	case line := <-ready:
		f := strings.Fields(strings.TrimPrefix(line, readyPrefix))
		if len(f) != 2 {
			t.Fatalf("member: ready line %q", line)
		}
		m.id, m.addr = f[0], f[1]
	case <-m.exited:
		t.Fatalf("member exited before it was ready: %s", m.stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("member not ready within 60s: %s", m.stderr)
	}
	return m
}

// read dispatches the member's answers to their callers.
func (m *member) read(stdout io.Reader, ready chan<- string) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, readyPrefix):
			ready <- line
		case strings.HasPrefix(line, replyPrefix):
			id, body, _ := strings.Cut(strings.TrimPrefix(line, replyPrefix), " ")
			var r reply
			if err := json.Unmarshal([]byte(body), &r); err != nil {
				r = reply{Error: fmt.Sprintf("bad answer %q: %v", body, err)}
			}
			m.mu.Lock()
			ch := m.pending[id]
			delete(m.pending, id)
			m.mu.Unlock()
			if ch != nil {
				ch <- r
			}
		}
	}
}

// errMemberGone is the answer of a member that exited.
var errMemberGone = errors.New("member process exited")

// call sends one request and waits for its answer (at most 30 s).
func (m *member) call(verb string, args ...string) (reply, error) {
	ch := make(chan reply, 1)
	m.mu.Lock()
	m.next++
	id := strconv.Itoa(m.next)
	m.pending[id] = ch
	_, err := fmt.Fprintf(m.stdin, "%s %s %s\n", id, verb, strings.Join(args, " "))
	m.mu.Unlock()
	if err != nil {
		return reply{}, fmt.Errorf("%w: %v", errMemberGone, err)
	}
	select {
	case r := <-ch:
		if r.Error != "" {
			return r, fmt.Errorf("%s %s: %s (%s)", verb, strings.Join(args, " "), r.Error, r.Code)
		}
		return r, nil
	case <-m.exited:
		return reply{}, errMemberGone
	case <-time.After(30 * time.Second):
		return reply{}, fmt.Errorf("%s: no answer within 30s", verb)
	}
}

// hosted is the set of organizations active on the member.
func (m *member) hosted() map[string]bool {
	m.t.Helper()
	r, err := m.call("hosted")
	if err != nil {
		m.t.Fatalf("member %s: %v", m.addr, err)
	}
	out := make(map[string]bool, len(r.Hosted))
	for _, id := range r.Hosted {
		out[id] = true
	}
	return out
}

// kill sends SIGKILL: no graceful leave, no deregistration.
func (m *member) kill() {
	_ = m.cmd.Process.Kill()
	<-m.exited
}

// stop asks the member to leave (closing its stdin) and kills it if it has
// not within ten seconds.
func (m *member) stop() {
	_ = m.stdin.Close()
	select {
	case <-m.exited:
	case <-time.After(10 * time.Second):
		m.kill()
	}
	ours, theirs := m.stderr.races()
	for _, r := range ours {
		m.t.Errorf("member %s reported a data race in this module:\n%s", m.addr, r)
	}
	if len(theirs) > 0 {
		m.t.Logf("member %s: %d data race report(s) wholly inside protoactor-go (no frame of this module in the racing accesses); the first:\n%s", m.addr, len(theirs), theirs[0])
	}
}

// tailBuffer keeps the last max bytes written to it and every race
// report; it is safe for concurrent use.
type tailBuffer struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	partial string // the last line, until its newline arrives
	race    strings.Builder
	inRace  bool
}

const raceBanner = "=================="

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	text := b.partial + string(p)
	lines := strings.SplitAfter(text, "\n")
	b.partial = lines[len(lines)-1]
	for _, line := range lines[:len(lines)-1] {
		if strings.HasPrefix(line, "WARNING: DATA RACE") {
			b.inRace = true
		}
		if b.inRace {
			b.race.WriteString(line)
			if strings.HasPrefix(line, raceBanner) {
				b.inRace = false
			}
		}
	}
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = append(b.buf[:0], b.buf[over:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(string(b.buf))
}

// races splits the race reports into those where one of the two racing
// accesses is made by a function of this module, and those where both are
// made inside dependencies (whoever called them).
func (b *tailBuffer) races() (ours, theirs []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range strings.Split(b.race.String(), "WARNING: DATA RACE") {
		if strings.TrimSpace(r) == "" {
			continue
		}
		if accessedByUs(r) {
			ours = append(ours, r)
		} else {
			theirs = append(theirs, r)
		}
	}
	return ours, theirs
}

// accessedByUs reports whether the innermost frame of an access in a race
// report ("Write at …", "Previous read at …") is a function of this module.
func accessedByUs(report string) bool {
	lines := strings.Split(report, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if !strings.Contains(l, " at 0x") || strings.HasPrefix(l, "Goroutine") || i+1 >= len(lines) {
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(lines[i+1]), "github.com/socialmediamanager/smm/") {
			return true
		}
	}
	return false
}
