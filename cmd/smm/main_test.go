package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/domain"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// The test binary re-executes itself as the smm command when this variable
// is set, so the tests exercise main's real exit codes and signal handling.
const beMain = "SMM_TEST_BE_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(beMain) != "" {
		main()
		return
	}
	os.Exit(pgtest.Main(m))
}

func smmCommand(t *testing.T, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), beMain+"=1"), env...)
	return cmd
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		env      []string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"no command", nil, nil, 2, "usage: smm"},
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"bad config names the variable", []string{"SMM_HTTP_BODY_LIMIT=huge"}, []string{"serve"}, 2, "SMM_HTTP_BODY_LIMIT"},
		{"bad migrate command", nil, []string{"migrate", "sideways"}, 2, "sideways"},
		{"version", nil, []string{"version"}, 0, "smm "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			cmd := smmCommand(t, tt.env, tt.args...)
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode {
				t.Errorf("got exit code %d, want %d: %s", code, tt.wantCode, out.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("got output %q, want it to contain %q", out.String(), tt.wantOut)
			}
		})
	}
}

func TestMigrateStatusAndUpAreIdempotent(t *testing.T) {
	env := []string{"SMM_DATABASE_URL=" + pgtest.AppURL(t), "SMM_DATABASE_OWNER_URL=" + pgtest.OwnerURL(t)}
	for _, args := range [][]string{{"migrate", "up"}, {"migrate", "status"}} {
		out, err := smmCommand(t, env, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("smm %v: %v: %s", args, err, out)
		}
		if args[1] == "up" && !strings.Contains(string(out), "up to date") {
			t.Errorf("got %q from migrate up on a migrated database, want up to date", out)
		}
		if args[1] == "status" && (!strings.Contains(string(out), "applied") || strings.Contains(string(out), "pending")) {
			t.Errorf("got status %q, want every migration applied", out)
		}
	}
}

// TestServeStopsCleanlyOnSIGTERM runs `smm serve`, waits for it to answer,
// sends SIGTERM and expects exit code 0.
func TestServeStopsCleanlyOnSIGTERM(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	clusterAddr := freeAddr(t)
	var logs bytes.Buffer
	cmd := smmCommand(t, []string{
		"SMM_HTTP_ADDR=" + addr,
		"SMM_DATABASE_URL=" + pgtest.AppURL(t),
		"SMM_DATABASE_OWNER_URL=" + pgtest.OwnerURL(t),
		"SMM_DATA_DIR=" + t.TempDir(),
		"SMM_CLUSTER_ADDR=" + clusterAddr,
		"SMM_SIMULATOR_ADDR=127.0.0.1:0",
	}, "serve")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("smm serve not ready in 15s: %s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// While it runs, the command line reads the cluster from its remoting.
	status := smmCommand(t, nil, "cluster", "status", "--addr", clusterAddr, "--json")
	out, err := status.CombinedOutput()
	if err != nil {
		t.Fatalf("smm cluster status: %v\n%s", err, out)
	}
	var view domain.ClusterView
	if err := json.Unmarshal(out, &view); err != nil {
		t.Fatalf("smm cluster status --json: %v\n%s", err, out)
	}
	if got := len(view.Members); got != 1 {
		t.Fatalf("got %d members, want 1: %s", got, out)
	}
	if m := view.Members[0]; m.Status != "up" || m.Address != clusterAddr || m.Provider != "single" || m.StartedAt == nil {
		t.Errorf("got member %+v, want up at %s with provider single and a start time", m, clusterAddr)
	}
	table, err := smmCommand(t, nil, "cluster", "status", "--addr", clusterAddr).CombinedOutput()
	if err != nil || !strings.Contains(string(table), clusterAddr) || !strings.Contains(string(table), "ACTIVE GRAINS") {
		t.Errorf("got smm cluster status %v:\n%s\nwant a table naming %s", err, table, clusterAddr)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("got %v after SIGTERM, want exit code 0: %s", err, logs.String())
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("smm serve did not exit within 20s of SIGTERM")
	}
	logText := logs.String()
	for _, want := range []string{`"msg":"starting smm"`, `"msg":"shutting down"`, `"msg":"http stopped"`} {
		if !strings.Contains(logText, want) {
			t.Errorf("got logs without %s:\n%s", want, logText)
		}
	}
	// The start-up log shows the configuration with every password masked.
	if strings.Contains(logText, "smm_app:smm_app@") || strings.Contains(logText, "smm_owner:smm_owner@") || !strings.Contains(logText, "xxxxx") {
		t.Errorf("got start-up log with a database password, want it masked:\n%s", logText)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestAdminPlatformAdmin grants and withdraws the platform-admin flag from
// the command line, and names an unknown user.
func TestAdminPlatformAdmin(t *testing.T) {
	ctx := context.Background()
	store := postgres.NewStore(pgtest.Pool(t))
	now := time.Now()
	email := fmt.Sprintf("operator-%s@example.test", uuid.NewString()[:8])
	user := domain.User{ID: uuid.New(), Email: email, Name: "Operator", CreatedAt: now}
	org := domain.Organization{ID: uuid.New(), Name: "Ops", Settings: map[string]any{}, CreatedAt: now, UpdatedAt: now}
	if err := store.Register(ctx, user, "not-a-real-hash", org); err != nil {
		t.Fatal(err)
	}
	env := []string{"SMM_DATABASE_URL=" + pgtest.AppURL(t), "SMM_DATABASE_OWNER_URL=" + pgtest.OwnerURL(t)}
	tests := []struct {
		args      []string
		wantCode  int
		wantOut   string
		wantAdmin bool
	}{
		{[]string{"admin", "grant-platform-admin", strings.ToUpper(email)}, 0, "is a platform admin", true},
		{[]string{"admin", "grant-platform-admin", email}, 0, "is a platform admin", true},
		{[]string{"admin", "revoke-platform-admin", email}, 0, "no longer a platform admin", false},
		{[]string{"admin", "grant-platform-admin", "nobody-" + email}, 1, "not_found", false},
		{[]string{"admin", "grant-platform-admin"}, 2, "grant-platform-admin EMAIL", false},
	}
	for _, tt := range tests {
		out, err := smmCommand(t, env, tt.args...).CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.wantCode || !strings.Contains(string(out), tt.wantOut) {
			t.Errorf("smm %v: got exit %d and %q, want exit %d and %q", tt.args, code, out, tt.wantCode, tt.wantOut)
		}
		u, err := store.UserByID(ctx, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.IsPlatformAdmin != tt.wantAdmin {
			t.Errorf("after smm %v: got is_platform_admin %v, want %v", tt.args, u.IsPlatformAdmin, tt.wantAdmin)
		}
	}
}
