package app

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/encryption"
	"github.com/socialmediamanager/smm/identity/accesstoken"
)

// loadSigningKeys reads the JWT signing keys. Outside production, with no
// SMM_JWT_PRIVATE_KEY_FILE, a key is generated once into SMM_DATA_DIR and
// reused, so local tokens survive restarts; production never generates one
// (configuration validation already refused to start without the variable).
func loadSigningKeys(cfg config.Config, logger *slog.Logger) (*accesstoken.Keys, error) {
	files := cfg.JWTPrivateKeyFiles
	if len(files) == 0 {
		path := filepath.Join(cfg.DataDir, "jwt-signing-key.pem")
		err := accesstoken.GenerateKeyFile(path)
		switch {
		case err == nil:
			logger.Warn("generated a development JWT signing key; set SMM_JWT_PRIVATE_KEY_FILE in production", slog.String("path", path))
		case errors.Is(err, fs.ErrExist):
		default:
			return nil, fmt.Errorf("generate development JWT signing key: %w", err)
		}
		files = []string{path}
	}
	keys, err := accesstoken.LoadKeys(files...)
	if err != nil {
		return nil, fmt.Errorf("SMM_JWT_PRIVATE_KEY_FILE: %w", err)
	}
	return keys, nil
}

// loadKeyring reads the encryption keys; outside production, with no
// SMM_ENCRYPTION_KEYS, a key is generated once into SMM_DATA_DIR and reused,
// since data sealed with it must stay readable across restarts.
func loadKeyring(cfg config.Config, logger *slog.Logger) (*encryption.Keyring, error) {
	spec := cfg.EncryptionKeys
	if spec == "" {
		path := filepath.Join(cfg.DataDir, "encryption-keys")
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			spec = strings.TrimSpace(string(b))
		case errors.Is(err, fs.ErrNotExist):
			if spec, err = encryption.GenerateKeySpec("dev1"); err != nil {
				return nil, err
			}
			if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
				return nil, fmt.Errorf("create data folder: %w", err)
			}
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return nil, fmt.Errorf("write development encryption key: %w", err)
			}
			_, werr := f.WriteString(spec + "\n")
			if err := errors.Join(werr, f.Close()); err != nil {
				return nil, fmt.Errorf("write development encryption key: %w", err)
			}
			logger.Warn("generated a development encryption key; set SMM_ENCRYPTION_KEYS in production", slog.String("path", path))
		default:
			return nil, fmt.Errorf("read development encryption key: %w", err)
		}
	}
	ring, err := encryption.ParseKeys(spec)
	if err != nil {
		return nil, fmt.Errorf("SMM_ENCRYPTION_KEYS: %w", err)
	}
	return ring, nil
}
