package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/encryption"
	"github.com/socialmediamanager/smm/keyrotation"
	"github.com/socialmediamanager/smm/persistence/postgres"
)

// keysRotateHelp is `smm keys rotate --help`: what is re-sealed, what is
// not, and the order of an operator's steps.
const keysRotateHelp = `usage: smm keys rotate [--dry-run]

Re-seals every stored secret under the primary encryption key (the first of
SMM_ENCRYPTION_KEYS, or of SMM_DATA_DIR/encryption-keys in development):
social accounts' OAuth tokens and users' TOTP secrets. Each row is re-sealed
in its own transaction and only if nothing changed it meanwhile, so the
service can keep running, and an interrupted run is resumed by running the
command again. Rows that do not open (unknown key, tampered) are listed and
left as they are, and the command then exits 1.

Idempotency-Key response bodies are not re-sealed: they expire within a day,
so wait a day after the new primary key is in service before dropping the
old one.

To rotate: put a new key first in SMM_ENCRYPTION_KEYS and keep the old ones,
restart the service, run "smm keys rotate", then remove the old key.

flags:
  --dry-run   open and count what would be re-sealed, write nothing
`

// keysCommand runs the encryption key tasks; rotate is the only one.
func keysCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return usageError{errors.New("keys needs rotate [--dry-run]")}
	}
	fl := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	dryRun := fl.Bool("dry-run", false, "open and count what would be re-sealed, write nothing")
	if err := fl.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, keysRotateHelp)
			return nil
		}
		return usageError{fmt.Errorf("keys rotate: %w", err)}
	}
	if fl.NArg() > 0 {
		return usageError{fmt.Errorf("keys rotate: unexpected argument %q", fl.Arg(0))}
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	ring, err := rotationKeyring(cfg)
	if err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, 2)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	if *dryRun {
		fmt.Fprintf(stdout, "dry run: counting the secrets to re-seal under primary key %q, writing nothing\n", ring.PrimaryID())
	} else {
		fmt.Fprintf(stdout, "re-sealing secrets under primary key %q\n", ring.PrimaryID())
	}
	report, err := keyrotation.Rotate(ctx, postgres.NewStore(pool), ring, keyrotation.Options{DryRun: *dryRun, Progress: stdout})
	report.WriteSummary(stdout)
	if err != nil {
		return fmt.Errorf("keys rotate (run it again to continue): %w", err)
	}
	if n := len(report.Failures()); n > 0 {
		return fmt.Errorf("keys rotate: %d secret(s) did not open and were left under their old key; see the list above", n)
	}
	return nil
}

// rotationKeyring reads the keyring the service uses: SMM_ENCRYPTION_KEYS,
// or outside production the development key file in SMM_DATA_DIR. Unlike
// the service it never generates a key, since a fresh key could open
// nothing that is stored.
func rotationKeyring(cfg config.Config) (*encryption.Keyring, error) {
	spec := cfg.EncryptionKeys
	if spec == "" {
		path := filepath.Join(cfg.DataDir, "encryption-keys")
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usageError{fmt.Errorf("keys rotate: no encryption keys: set SMM_ENCRYPTION_KEYS (or SMM_DATA_DIR to the folder holding the development key file)")}
		}
		if err != nil {
			return nil, fmt.Errorf("read development encryption key: %w", err)
		}
		spec = strings.TrimSpace(string(b))
	}
	ring, err := encryption.ParseKeys(spec)
	if err != nil {
		return nil, usageError{fmt.Errorf("SMM_ENCRYPTION_KEYS: %w", err)}
	}
	return ring, nil
}
