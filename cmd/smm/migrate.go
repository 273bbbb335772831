package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/jackc/pgx/v5"
	"github.com/socialmediamanager/smm/migrations"
)

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf("migrate needs up, down [N] or status")}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, cfg.DatabaseOwnerURL)
	if err != nil {
		return fmt.Errorf("connect as the schema owner (SMM_DATABASE_OWNER_URL): %w", err)
	}
	defer conn.Close(context.Background())
	m := migrations.Embedded()

	switch args[0] {
	case "up":
		appCfg, err := pgx.ParseConfig(cfg.DatabaseURL)
		if err != nil {
			return usageError{fmt.Errorf("SMM_DATABASE_URL: %w", err)}
		}
		applied, err := m.Up(ctx, conn, migrations.UpOptions{GrantTo: appCfg.User})
		if err != nil {
			return err
		}
		for _, mg := range applied {
			fmt.Fprintf(stdout, "applied %04d_%s\n", mg.Version, mg.Name)
		}
		if len(applied) == 0 {
			fmt.Fprintln(stdout, "migrations: up to date")
		}
	case "down":
		n := 1
		if len(args) > 1 {
			if args[1] == "all" {
				n = 0
			} else if n, err = strconv.Atoi(args[1]); err != nil || n < 1 {
				return usageError{fmt.Errorf("migrate down takes a positive number or \"all\", not %q", args[1])}
			}
		}
		reverted, err := m.Down(ctx, conn, n)
		if err != nil {
			return err
		}
		for _, mg := range reverted {
			fmt.Fprintf(stdout, "reverted %04d_%s\n", mg.Version, mg.Name)
		}
	case "status":
		statuses, err := m.Status(ctx, conn)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tNAME\tSTATE\tAPPLIED AT")
		for _, s := range statuses {
			state, at := "pending", ""
			if s.Applied {
				state, at = "applied", s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			}
			if s.ChecksumMismatch {
				state = "CHANGED SINCE APPLIED"
			}
			fmt.Fprintf(tw, "%04d\t%s\t%s\t%s\n", s.Migration.Version, s.Migration.Name, state, at)
		}
		return tw.Flush()
	default:
		return usageError{fmt.Errorf("unknown migrate command %q", args[0])}
	}
	return nil
}
