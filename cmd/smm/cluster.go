package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/socialmediamanager/smm/cluster"
)

// clusterCommand prints the actor cluster as a member sees it: the same
// view as GET /api/v1/admin/cluster, asked over the cluster's remoting.
func clusterCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "status" {
		return usageError{fmt.Errorf("cluster needs status [--addr HOST:PORT] [--json]")}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	fl := flag.NewFlagSet("cluster status", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	addr := cfg.Cluster.AdvertisedAddr
	if addr == "" {
		addr = cfg.Cluster.Addr
	}
	fl.StringVar(&addr, "addr", addr, "remoting address of a member (default: SMM_CLUSTER_ADVERTISED_ADDR or SMM_CLUSTER_ADDR)")
	asJSON := fl.Bool("json", false, "print JSON, as the API answers")
	timeout := fl.Duration("timeout", 5*time.Second, "how long to wait for the member")
	if err := fl.Parse(args[1:]); err != nil {
		return usageError{fmt.Errorf("cluster status: %w", err)}
	}
	if strings.HasSuffix(addr, ":0") {
		return usageError{fmt.Errorf("cluster status: %s has no fixed port; pass --addr with the member's remoting address", addr)}
	}
	view, err := cluster.RemoteStatus(ctx, addr, *timeout)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(view)
	}
	fmt.Fprintf(stdout, "answered by %s; %d member(s)\n", view.AnsweredBy, len(view.Members))
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "MEMBER\tADDRESS\tSTATUS\tKINDS\tACTIVE GRAINS\tACTIVATIONS\tPASSIVATIONS\tCHILD RESTARTS\tFAILED CHILDREN\tUPTIME")
	for _, m := range view.Members {
		uptime := "-"
		if m.StartedAt != nil {
			uptime = (time.Duration(m.UptimeSeconds) * time.Second).String()
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", m.ID, m.Address, m.Status,
			strings.Join(m.Kinds, ","), m.ActiveGrains, m.Activations, m.Passivations, m.ChildRestarts, len(m.FailedChildren), uptime)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, m := range view.Members {
		if m.Error != "" {
			fmt.Fprintf(stdout, "%s: %s\n", m.ID, m.Error)
		}
		for _, f := range m.FailedChildren {
			fmt.Fprintf(stdout, "%s: stopped %s child of account %s (organization %s) after %d failures: %s\n",
				m.ID, f.Kind, f.AccountID, f.OrganizationID, f.Failures, f.Reason)
		}
	}
	return nil
}
