// Command smm is the one binary of Social Media Manager: it serves the API
// and runs the operator tasks (migrations, platform admins, cluster status,
// version). Configuration comes
// from SMM_* environment variables; see the README's table.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// exitUsage is the exit code for bad configuration or arguments.
const exitUsage = 2

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError marks errors caused by arguments or configuration, which exit 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

const usage = `usage: smm <command> [arguments]

commands:
  serve                 run the service (HTTP edge) until SIGTERM/SIGINT
  migrate up            apply pending database migrations
  migrate down [N]      revert the newest N migrations (default 1; "all" for every one)
  migrate status        list migrations and whether each is applied
  admin grant-platform-admin EMAIL
                        make a user a platform admin (GET /api/v1/admin/...)
  admin revoke-platform-admin EMAIL
                        withdraw it
  cluster status [--addr HOST:PORT] [--json]
                        members of the actor cluster, their grains and failed
                        children, asked of the member at SMM_CLUSTER_ADDR
  simulate [--addr HOST:PORT] [flags]
                        serve the Instagram, TikTok and YouTube simulators
                        (sandbox mode; SMM_SIMULATOR_URL points the service
                        at them); faults: POST /_sim/faults/{provider}
  keys rotate [--dry-run]
                        re-seal stored secrets under the primary encryption
                        key; resumable (see smm keys rotate --help)
  version               print the version
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, stderr)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, stderr)
	case "admin":
		err = admin(ctx, args[1:], stdout)
	case "cluster":
		err = clusterCommand(ctx, args[1:], stdout)
	case "simulate":
		err = simulate(ctx, args[1:], stdout)
	case "keys":
		err = keysCommand(ctx, args[1:], stdout)
	case "version":
		fmt.Fprintln(stdout, versionString())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		err = usageError{fmt.Errorf("unknown command %q", args[0])}
	}
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "smm:", err)
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprint(stderr, "\n"+usage)
		return exitUsage
	}
	return 1
}
