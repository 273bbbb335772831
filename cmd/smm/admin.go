package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/socialmediamanager/smm/persistence/postgres"
)

// admin runs the platform-admin tasks. Platform rights are granted only
// here, by someone with the database credentials, never through the API.
func admin(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 2 || (args[0] != "grant-platform-admin" && args[0] != "revoke-platform-admin") {
		return usageError{fmt.Errorf("admin needs grant-platform-admin EMAIL or revoke-platform-admin EMAIL")}
	}
	grant := args[0] == "grant-platform-admin"
	email := strings.ToLower(strings.TrimSpace(args[1]))
	if email == "" {
		return usageError{fmt.Errorf("admin %s needs an email", args[0])}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, 1)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	u, err := postgres.NewStore(pool).SetPlatformAdmin(ctx, email, grant)
	if err != nil {
		return fmt.Errorf("%s %s: %w", args[0], email, err)
	}
	if grant {
		fmt.Fprintf(stdout, "%s (%s) is a platform admin\n", u.Email, u.ID)
	} else {
		fmt.Fprintf(stdout, "%s (%s) is no longer a platform admin\n", u.Email, u.ID)
	}
	return nil
}
