package config

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

func env(kv map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("got error %v with no variables set, want the local defaults", err)
	}
	if c.HTTPAddr != ":8080" || c.HTTPBodyLimit != 1<<20 || c.ShutdownTimeout != 15*time.Second || c.Env != EnvDevelopment {
		t.Errorf("got %+v, want :8080, 1MiB, 15s, development", c)
	}
	if len(c.CORSOrigins) != 0 {
		t.Errorf("got CORS origins %v by default, want none", c.CORSOrigins)
	}
}

func TestValuesAreParsed(t *testing.T) {
	c, err := Load(env(map[string]string{
		"SMM_HTTP_ADDR":        "127.0.0.1:9999",
		"SMM_HTTP_BODY_LIMIT":  "512KiB",
		"SMM_SHUTDOWN_TIMEOUT": "3s",
		"SMM_CORS_ORIGINS":     "https://a.example.com, http://localhost:3000",
		"SMM_LOG_LEVEL":        "debug",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:9999" || c.HTTPBodyLimit != 512<<10 || c.ShutdownTimeout != 3*time.Second || c.LogLevel != slog.LevelDebug {
		t.Errorf("got %+v", c)
	}
	if got, want := strings.Join(c.CORSOrigins, " "), "https://a.example.com http://localhost:3000"; got != want {
		t.Errorf("got origins %q, want %q", got, want)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	tests := []struct {
		name, value string
	}{
		{"SMM_ENV", "staging"},
		{"SMM_HTTP_BODY_LIMIT", "lots"},
		{"SMM_HTTP_BODY_LIMIT", "-1"},
		{"SMM_SHUTDOWN_TIMEOUT", "soon"},
		{"SMM_SHUTDOWN_TIMEOUT", "-5s"},
		{"SMM_CORS_ORIGINS", "*"},
		{"SMM_CORS_ORIGINS", "https://a.example.com/path"},
		{"SMM_DATABASE_URL", "mysql://x@y/z"},
		{"SMM_DATABASE_MAX_CONNS", "0"},
		{"SMM_REDIS_URL", "http://127.0.0.1:6379"},
		{"SMM_LOG_LEVEL", "loud"},
		{"SMM_LOG_FORMAT", "xml"},
		{"SMM_CURSOR_SECRET", "short"},
		{"SMM_BCRYPT_COST", "4"},
		{"SMM_ACCESS_TOKEN_TTL", "forever"},
		{"SMM_ENCRYPTION_KEYS", "k1:not-base64"},
		{"SMM_TRUSTED_PROXIES", "10.0.0.0/99"},
		{"SMM_RATE_LIMIT_IP", "lots"},
		{"SMM_RATE_LIMIT_LOGIN", "5/fortnight"},
		{"SMM_PROVIDERS_MODE", "production"},
		{"SMM_PUBLIC_URL", "localhost:8080"},
		{"SMM_OAUTH_RETURN_URL", "/connected"},
		{"SMM_SIMULATOR_ADDR", "nowhere"},
		{"SMM_TOKEN_REFRESH_MARGIN", "early"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := Load(env(map[string]string{tt.name: tt.value}))
			if err == nil || !strings.Contains(err.Error(), tt.name) {
				t.Errorf("got error %v, want one naming %s", err, tt.name)
			}
		})
	}
}

func TestProductionRefusesDevelopmentSecrets(t *testing.T) {
	_, err := Load(env(map[string]string{"SMM_ENV": "production"}))
	if err == nil || !strings.Contains(err.Error(), "SMM_CURSOR_SECRET") {
		t.Errorf("got %v, want production to refuse the development cursor secret", err)
	}
	for _, name := range []string{"SMM_JWT_PRIVATE_KEY_FILE", "SMM_ENCRYPTION_KEYS"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("got %v, want production to require %s", err, name)
		}
	}
	_, err = Load(env(map[string]string{
		"SMM_ENV": "production", "SMM_CURSOR_SECRET": strings.Repeat("z", 40),
		"SMM_JWT_PRIVATE_KEY_FILE": "/etc/smm/jwt.pem",
		"SMM_ENCRYPTION_KEYS":      "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
	}))
	if err != nil {
		t.Errorf("got %v, want production to start with its own secrets", err)
	}
}

func TestLogValueMasksSecrets(t *testing.T) {
	c, err := Load(env(map[string]string{
		"SMM_DATABASE_URL":    "postgres://app:pa55word@db:5432/smm",
		"SMM_REDIS_URL":       "redis://:redispass@cache:6379",
		"SMM_CURSOR_SECRET":   "cursor-secret-cursor-secret-cursor-secret",
		"SMM_ENCRYPTION_KEYS": "k1:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("cfg", "config", c)
	out := b.String()
	for _, secret := range []string{"pa55word", "redispass", "cursor-secret", "smm_owner:smm_owner", "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE"} {
		if strings.Contains(out, secret) {
			t.Errorf("got %q in the logged config, want it masked: %s", secret, out)
		}
	}
	if !strings.Contains(out, "postgres://app:xxxxx@db:5432/smm") {
		t.Errorf("got %s, want the database URL with its password masked", out)
	}
}

// TestREADMEListsEveryVariable keeps the README's configuration table and
// the variables the code reads in step.
func TestREADMEListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatalf("read README: %v", err)
	}
	for _, v := range Variables {
		if !strings.Contains(string(readme), "`"+v.Name+"`") {
			t.Errorf("got README without `%s`, want every variable in its configuration table", v.Name)
		}
	}
	src, err := os.ReadFile("config.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(src), "\n") {
		if i := strings.Index(line, `r.`); i >= 0 && strings.Contains(line, `("SMM_`) {
			name := line[strings.Index(line, `"SMM_`)+1:]
			name = name[:strings.Index(name, `"`)]
			found := false
			for _, v := range Variables {
				found = found || v.Name == name
			}
			if !found {
				t.Errorf("got %s read by Load but missing from Variables", name)
			}
		}
	}
}

// Live mode does not start without the providers' credentials, and says
// which are missing.
func TestLiveProvidersNeedCredentials(t *testing.T) {
	_, err := Load(env(map[string]string{"SMM_PROVIDERS_MODE": "live", "SMM_TIKTOK_CLIENT_KEY": "k"}))
	if err == nil {
		t.Fatal("got no error, want the missing credentials named")
	}
	for _, name := range []string{"SMM_INSTAGRAM_CLIENT_ID", "SMM_INSTAGRAM_CLIENT_SECRET", "SMM_TIKTOK_CLIENT_SECRET", "SMM_GOOGLE_CLIENT_ID", "SMM_GOOGLE_CLIENT_SECRET"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("got %v, want it to name %s", err, name)
		}
	}
	if strings.Contains(err.Error(), "SMM_TIKTOK_CLIENT_KEY") {
		t.Errorf("got %v, which names SMM_TIKTOK_CLIENT_KEY although it is set", err)
	}
	all := map[string]string{"SMM_PROVIDERS_MODE": "live"}
	for _, name := range []string{"SMM_INSTAGRAM_CLIENT_ID", "SMM_INSTAGRAM_CLIENT_SECRET", "SMM_TIKTOK_CLIENT_KEY", "SMM_TIKTOK_CLIENT_SECRET", "SMM_GOOGLE_CLIENT_ID", "SMM_GOOGLE_CLIENT_SECRET"} {
		all[name] = "x"
	}
	if _, err := Load(env(all)); err != nil {
		t.Errorf("with every credential: got %v, want no error", err)
	}
}
