// Package config reads the service's configuration from SMM_* environment
// variables into one validated struct. Nothing reads the environment
// elsewhere, so every knob is listed here and in the README's table.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/encryption"
	"github.com/socialmediamanager/smm/http/ratelimit"
)

// Environments the service knows. Production refuses development defaults
// for secrets.
const (
	EnvDevelopment = "development"
	EnvTest        = "test"
	EnvProduction  = "production"
)

// DevCursorSecret signs pagination cursors outside production when
// SMM_CURSOR_SECRET is unset; production refuses to start with it.
const DevCursorSecret = "development-only-cursor-secret-change-me"

// Config is the whole configuration of one smm process.
type Config struct {
	Env string

	HTTPAddr         string
	HTTPBodyLimit    int
	HTTPReadTimeout  time.Duration
	HTTPWriteTimeout time.Duration
	HTTPIdleTimeout  time.Duration
	ShutdownTimeout  time.Duration
	CORSOrigins      []string

	DatabaseURL      string
	DatabaseOwnerURL string
	DatabaseMaxConns int32

	RedisURL string

	LogLevel  slog.Level
	LogFormat string

	CursorSecret string

	DataDir string

	JWTPrivateKeyFiles []string
	JWTIssuer          string
	JWTAudience        string
	AccessTokenTTL     time.Duration
	RefreshTokenTTL    time.Duration
	BcryptCost         int
	EncryptionKeys     string

	TrustedProxies ratelimit.TrustedProxies
	RateLimits     RateLimits

	Cluster Cluster

	Providers Providers
	// Publishing configures scheduled publishing.
	Publishing Publishing
}

// Providers configures the social networks' clients and the simulators.
type Providers struct {
	// Mode is sandbox (the simulators) or live (the real APIs).
	Mode string
	// SimulatorURL is an external simulator (`smm simulate`) to use in
	// sandbox mode; empty: the service runs one in-process on
	// SimulatorAddr.
	SimulatorURL  string
	SimulatorAddr string
	// PublicURL is the base URL providers send browsers back to.
	PublicURL string
	// OAuthReturnURL, when set, is where the OAuth callback redirects.
	OAuthReturnURL string
	Timeout        time.Duration
	RefreshMargin  time.Duration
	HealthInterval time.Duration
	SweepInterval  time.Duration

	InstagramClientID     string
	InstagramClientSecret string
	InstagramAPIVersion   string
	TikTokClientKey       string
	TikTokClientSecret    string
	GoogleClientID        string
	GoogleClientSecret    string
}

// Publishing configures the publishing engine of the organization grains.
type Publishing struct {
	// SweepEvery is how often the node wakes grains with publications due
	// within the next period (and at every cluster topology change).
	SweepEvery time.Duration
	// Lease bounds a claim on a publication while its provider call runs.
	Lease time.Duration
	// YouTubeDailyQuota is the project's YouTube Data API quota per day,
	// shared by every organization; YouTubeUploadCost is one upload's units.
	YouTubeDailyQuota int
	YouTubeUploadCost int
	// RetryDelays are the waits before each retry of a retryable failure.
	RetryDelays []time.Duration
	// Concurrency bounds the publish attempts a node runs at once.
	Concurrency int
}

// Provider modes.
const (
	ProvidersSandbox = "sandbox"
	ProvidersLive    = "live"
)

// Cluster configures this node's place in the actor cluster (see cluster/).
type Cluster struct {
	Name string
	// Provider is single, seeds or etcd.
	Provider string
	// Addr is the host:port remoting listens on (port 0: any free port).
	Addr string
	// AdvertisedAddr is the host:port other members dial, when Addr is not
	// reachable as it is (a wildcard host, NAT).
	AdvertisedAddr string
	// Seeds are the membership endpoints (host:port) of every member, for
	// the seeds provider; SeedPort is this node's own.
	Seeds         []string
	SeedPort      int
	EtcdEndpoints []string
	// RequestTimeout bounds one edge-to-grain call.
	RequestTimeout time.Duration
	// OrgIdleTimeout passivates an organization grain that got no message
	// for that long.
	OrgIdleTimeout time.Duration
}

// Cluster providers.
const (
	ClusterSingle = "single"
	ClusterSeeds  = "seeds"
	ClusterEtcd   = "etcd"
)

// RateLimits are the GCRA limits of the edge (see http/ratelimit).
type RateLimits struct {
	IP          ratelimit.Limit
	Token       ratelimit.Limit
	Login       ratelimit.Limit
	TwoFactor   ratelimit.Limit
	Invitations ratelimit.Limit
}

// Variable describes one SMM_* variable: its name, default and meaning. The
// README's configuration table is checked against this list by a test.
type Variable struct {
	Name string
	// Default is the value used when the variable is unset; Load reads it
	// from here, so each default is written once.
	Default string
	// Shown, when set, is what the documentation shows instead of Default
	// (a generated or secret value).
	Shown  string
	Secret bool
	Help   string
}

// Variables lists every variable the service reads, with its default.
var Variables = []Variable{
	{Name: "SMM_ENV", Default: EnvDevelopment, Help: "development, test or production; production refuses development secrets"},
	{Name: "SMM_HTTP_ADDR", Default: ":8080", Help: "address the HTTP edge listens on"},
	{Name: "SMM_HTTP_BODY_LIMIT", Default: "1MiB", Help: "largest request body accepted (bytes, or with KiB/MiB suffix); larger answers 413"},
	{Name: "SMM_HTTP_READ_TIMEOUT", Default: "15s", Help: "time allowed to read a whole request"},
	{Name: "SMM_HTTP_WRITE_TIMEOUT", Default: "30s", Help: "time allowed to write a response"},
	{Name: "SMM_HTTP_IDLE_TIMEOUT", Default: "60s", Help: "keep-alive idle timeout"},
	{Name: "SMM_SHUTDOWN_TIMEOUT", Default: "15s", Help: "time in-flight requests get to finish on SIGTERM/SIGINT"},
	{Name: "SMM_CORS_ORIGINS", Default: "", Help: "comma-separated allowed browser origins (scheme://host[:port]); empty allows none"},
	{Name: "SMM_DATABASE_URL", Default: "postgres://smm_app:smm_app@127.0.0.1:5432/smm?sslmode=disable", Secret: true, Help: "PostgreSQL URL of the application role (not owner, not superuser, not BYPASSRLS)"},
	{Name: "SMM_DATABASE_OWNER_URL", Default: "postgres://smm_owner:smm_owner@127.0.0.1:5432/smm?sslmode=disable", Secret: true, Help: "PostgreSQL URL of the schema owner; used only by migrations"},
	{Name: "SMM_DATABASE_MAX_CONNS", Default: "20", Help: "largest size of the application's connection pool"},
	{Name: "SMM_REDIS_URL", Default: "redis://127.0.0.1:6379", Secret: true, Help: "Redis base URL; the database number is set per use (0 cache, 1 queues, 2 rate limits, 3 tokens)"},
	{Name: "SMM_LOG_LEVEL", Default: "info", Help: "debug, info, warn or error"},
	{Name: "SMM_LOG_FORMAT", Default: "json", Help: "json or text"},
	{Name: "SMM_CURSOR_SECRET", Default: DevCursorSecret, Shown: "(development value)", Secret: true, Help: "key that signs pagination cursors; at least 32 bytes; required in production"},
	{Name: "SMM_DATA_DIR", Default: "data", Help: "folder for generated development keys (JWT signing key, encryption keys); unused in production"},
	{Name: "SMM_JWT_PRIVATE_KEY_FILE", Shown: "(DATA_DIR/jwt-signing-key.pem, generated)", Help: "PEM RSA private key(s), comma-separated: the first signs, all verify (rotation); required in production"},
	{Name: "SMM_JWT_ISSUER", Default: "smm", Help: "iss claim of access tokens"},
	{Name: "SMM_JWT_AUDIENCE", Default: "smm-api", Help: "aud claim of access tokens"},
	{Name: "SMM_ACCESS_TOKEN_TTL", Default: "15m", Help: "lifetime of access tokens"},
	{Name: "SMM_REFRESH_TOKEN_TTL", Default: "720h", Help: "lifetime of an unused refresh token (rotated on every use)"},
	{Name: "SMM_BCRYPT_COST", Default: "12", Help: "bcrypt cost of password hashes (12 to 16)"},
	{Name: "SMM_ENCRYPTION_KEYS", Shown: "(DATA_DIR/encryption-keys, generated)", Secret: true, Help: "AES-256-GCM keys as keyid:base64 (32 bytes), comma-separated, the first encrypts; required in production"},
	{Name: "SMM_TRUSTED_PROXIES", Default: "", Help: "CIDRs of proxies whose X-Forwarded-For is believed; empty trusts none"},
	{Name: "SMM_RATE_LIMIT_IP", Default: "600/m:burst=120", Help: "per client IP, every API request"},
	{Name: "SMM_RATE_LIMIT_TOKEN", Default: "300/m:burst=60", Help: "per user (all of a user's access tokens together) or per API key, authenticated requests"},
	{Name: "SMM_RATE_LIMIT_LOGIN", Default: "5/m:burst=20", Help: "per client IP on register, login and invitation acceptance; fails closed (503) without Redis"},
	{Name: "SMM_RATE_LIMIT_2FA", Default: "10/h:burst=5", Help: "per user on 2FA setup, enable and disable; fails closed without Redis"},
	{Name: "SMM_CLUSTER_NAME", Default: "smm", Help: "name of the actor cluster; nodes with another name never join it"},
	{Name: "SMM_CLUSTER_PROVIDER", Default: ClusterSingle, Help: "membership: single (one node, no dependency), seeds (static SMM_CLUSTER_SEEDS) or etcd (SMM_ETCD_ENDPOINTS)"},
	{Name: "SMM_CLUSTER_ADDR", Default: "127.0.0.1:8090", Help: "host:port of this node's actor remoting (port 0: any free port); `smm cluster status` asks this address"},
	{Name: "SMM_CLUSTER_ADVERTISED_ADDR", Default: "", Help: "host:port other members dial when SMM_CLUSTER_ADDR is not reachable as it is; empty: the bound address"},
	{Name: "SMM_CLUSTER_SEEDS", Default: "", Help: "seeds provider: comma-separated host:port membership endpoints of all members (each member's SMM_CLUSTER_SEED_PORT)"},
	{Name: "SMM_CLUSTER_SEED_PORT", Default: "6330", Help: "seeds provider: port of this node's membership endpoint"},
	{Name: "SMM_ETCD_ENDPOINTS", Default: "http://127.0.0.1:2379", Help: "etcd provider: comma-separated etcd client URLs"},
	{Name: "SMM_CLUSTER_REQUEST_TIMEOUT", Default: "5s", Help: "time one HTTP-edge command to an organization grain may take; past it the request answers 503 unavailable"},
	{Name: "SMM_ORG_IDLE_TIMEOUT", Default: "10m", Help: "an organization grain without messages for this long is passivated (re-activated on the next message)"},
	{Name: "SMM_RATE_LIMIT_INVITATIONS", Default: "30/h:burst=10", Help: "per organization on sending invitations"},
	{Name: "SMM_PROVIDERS_MODE", Default: ProvidersSandbox, Help: "sandbox (the Instagram, TikTok and YouTube simulators; works offline) or live (the real APIs; their credentials below are then required)"},
	{Name: "SMM_SIMULATOR_URL", Default: "", Help: "sandbox mode: base URL of a running `smm simulate`; empty: the service runs the simulators in-process on SMM_SIMULATOR_ADDR"},
	{Name: "SMM_SIMULATOR_ADDR", Default: "127.0.0.1:8070", Help: "sandbox mode: host:port of the in-process simulators (the authorize pages a browser opens)"},
	{Name: "SMM_PUBLIC_URL", Default: "http://localhost:8080", Help: "public base URL of this API; OAuth redirect URIs are SMM_PUBLIC_URL/api/v1/oauth/{provider}/callback (register them with the providers)"},
	{Name: "SMM_OAUTH_RETURN_URL", Default: "", Help: "where the OAuth callback sends the browser back (with status, provider, account_id or error in the query); empty: a small page"},
	{Name: "SMM_PROVIDER_TIMEOUT", Default: "30s", Help: "time one HTTP exchange with a provider may take"},
	{Name: "SMM_TOKEN_REFRESH_MARGIN", Default: "15m", Help: "a social account's access token is refreshed this long before it expires"},
	{Name: "SMM_ACCOUNT_HEALTH_INTERVAL", Default: "6h", Help: "how often each social account's connection is checked"},
	{Name: "SMM_TOKEN_SWEEP_INTERVAL", Default: "1m", Help: "how often the node looks for accounts whose token is due for refresh and wakes their organizations"},
	{Name: "SMM_SCHEDULE_SWEEP", Default: "1m", Help: "how often the node wakes the organization grains with publications due within the next period (also at every cluster topology change); grains fire on time by themselves, this is the safety net"},
	{Name: "SMM_PUBLISH_RETRY_DELAYS", Default: "60s,300s,900s", Help: "waits before each retry of a publication that failed for a transient reason; after the last it fails (the dead letter, re-drivable with POST /publications/{id}/retry)"},
	{Name: "SMM_PUBLISH_CONCURRENCY", Default: "128", Help: "publish attempts a node runs at once (claimed and calling the provider); more wait for a free slot before they claim"},
	{Name: "SMM_PUBLISH_LEASE", Default: "5m", Help: "how long a claim on a publication lasts while its provider call runs; a claim left by a dead node is taken over (and reconciled) after it, or at once when the node is seen leaving the cluster"},
	{Name: "SMM_YOUTUBE_DAILY_QUOTA", Default: "10000", Help: "the YouTube Data API project quota per day (units, reset at midnight Pacific), shared by every organization and counted in Redis db2 across nodes"},
	{Name: "SMM_YOUTUBE_UPLOAD_COST", Default: "1600", Help: "quota units one YouTube upload (videos.insert) takes"},
	{Name: "SMM_INSTAGRAM_CLIENT_ID", Default: "", Help: "live mode: the Instagram app's id"},
	{Name: "SMM_INSTAGRAM_CLIENT_SECRET", Default: "", Secret: true, Help: "live mode: the Instagram app's secret"},
	{Name: "SMM_INSTAGRAM_API_VERSION", Default: "v23.0", Help: "Graph API version of Instagram calls"},
	{Name: "SMM_TIKTOK_CLIENT_KEY", Default: "", Help: "live mode: the TikTok app's client key"},
	{Name: "SMM_TIKTOK_CLIENT_SECRET", Default: "", Secret: true, Help: "live mode: the TikTok app's client secret"},
	{Name: "SMM_GOOGLE_CLIENT_ID", Default: "", Help: "live mode: the Google OAuth client id (YouTube)"},
	{Name: "SMM_GOOGLE_CLIENT_SECRET", Default: "", Secret: true, Help: "live mode: the Google OAuth client secret (YouTube)"},
}

// FromEnv reads the configuration from the process environment.
func FromEnv() (Config, error) { return Load(os.LookupEnv) }

// Load reads the configuration through lookup (os.LookupEnv in production, a
// map in tests) and validates it. Every problem is reported, each naming its
// variable.
func Load(lookup func(string) (string, bool)) (Config, error) {
	r := reader{lookup: lookup, defaults: make(map[string]string, len(Variables))}
	for _, v := range Variables {
		r.defaults[v.Name] = v.Default
	}
	c := Config{
		Env:              r.oneOf("SMM_ENV", EnvDevelopment, EnvTest, EnvProduction),
		HTTPAddr:         r.str("SMM_HTTP_ADDR"),
		HTTPBodyLimit:    r.size("SMM_HTTP_BODY_LIMIT"),
		HTTPReadTimeout:  r.duration("SMM_HTTP_READ_TIMEOUT"),
		HTTPWriteTimeout: r.duration("SMM_HTTP_WRITE_TIMEOUT"),
		HTTPIdleTimeout:  r.duration("SMM_HTTP_IDLE_TIMEOUT"),
		ShutdownTimeout:  r.duration("SMM_SHUTDOWN_TIMEOUT"),
		CORSOrigins:      r.origins("SMM_CORS_ORIGINS"),
		DatabaseURL:      r.dbURL("SMM_DATABASE_URL"),
		DatabaseOwnerURL: r.dbURL("SMM_DATABASE_OWNER_URL"),
		DatabaseMaxConns: int32(r.intRange("SMM_DATABASE_MAX_CONNS", 1, 1000)),
		RedisURL:         r.redisURL("SMM_REDIS_URL"),
		LogLevel:         r.level("SMM_LOG_LEVEL"),
		LogFormat:        r.oneOf("SMM_LOG_FORMAT", "json", "text"),
		CursorSecret:     r.str("SMM_CURSOR_SECRET"),
		DataDir:          r.str("SMM_DATA_DIR"),
		JWTIssuer:        r.str("SMM_JWT_ISSUER"),
		JWTAudience:      r.str("SMM_JWT_AUDIENCE"),
		AccessTokenTTL:   r.duration("SMM_ACCESS_TOKEN_TTL"),
		RefreshTokenTTL:  r.duration("SMM_REFRESH_TOKEN_TTL"),
		BcryptCost:       r.intRange("SMM_BCRYPT_COST", 12, 16),
		EncryptionKeys:   r.str("SMM_ENCRYPTION_KEYS"),
		TrustedProxies:   r.proxies("SMM_TRUSTED_PROXIES"),
		RateLimits: RateLimits{
			IP:          r.limit("SMM_RATE_LIMIT_IP", "ip"),
			Token:       r.limit("SMM_RATE_LIMIT_TOKEN", "token"),
			Login:       r.limit("SMM_RATE_LIMIT_LOGIN", "login"),
			TwoFactor:   r.limit("SMM_RATE_LIMIT_2FA", "2fa"),
			Invitations: r.limit("SMM_RATE_LIMIT_INVITATIONS", "invitations"),
		},
	}
	c.Cluster = Cluster{
		Name:           r.str("SMM_CLUSTER_NAME"),
		Provider:       r.oneOf("SMM_CLUSTER_PROVIDER", ClusterSingle, ClusterSeeds, ClusterEtcd),
		Addr:           r.hostPort("SMM_CLUSTER_ADDR"),
		AdvertisedAddr: r.str("SMM_CLUSTER_ADVERTISED_ADDR"),
		Seeds:          r.list("SMM_CLUSTER_SEEDS"),
		SeedPort:       r.intRange("SMM_CLUSTER_SEED_PORT", 1, 65535),
		EtcdEndpoints:  r.list("SMM_ETCD_ENDPOINTS"),
		RequestTimeout: r.duration("SMM_CLUSTER_REQUEST_TIMEOUT"),
		OrgIdleTimeout: r.duration("SMM_ORG_IDLE_TIMEOUT"),
	}
	c.Providers = Providers{
		Mode:                  r.oneOf("SMM_PROVIDERS_MODE", ProvidersSandbox, ProvidersLive),
		SimulatorURL:          r.str("SMM_SIMULATOR_URL"),
		SimulatorAddr:         r.hostPort("SMM_SIMULATOR_ADDR"),
		PublicURL:             strings.TrimRight(r.str("SMM_PUBLIC_URL"), "/"),
		OAuthReturnURL:        r.str("SMM_OAUTH_RETURN_URL"),
		Timeout:               r.duration("SMM_PROVIDER_TIMEOUT"),
		RefreshMargin:         r.duration("SMM_TOKEN_REFRESH_MARGIN"),
		HealthInterval:        r.duration("SMM_ACCOUNT_HEALTH_INTERVAL"),
		SweepInterval:         r.duration("SMM_TOKEN_SWEEP_INTERVAL"),
		InstagramClientID:     r.str("SMM_INSTAGRAM_CLIENT_ID"),
		InstagramClientSecret: r.str("SMM_INSTAGRAM_CLIENT_SECRET"),
		InstagramAPIVersion:   r.str("SMM_INSTAGRAM_API_VERSION"),
		TikTokClientKey:       r.str("SMM_TIKTOK_CLIENT_KEY"),
		TikTokClientSecret:    r.str("SMM_TIKTOK_CLIENT_SECRET"),
		GoogleClientID:        r.str("SMM_GOOGLE_CLIENT_ID"),
		GoogleClientSecret:    r.str("SMM_GOOGLE_CLIENT_SECRET"),
	}
	c.Publishing = Publishing{
		SweepEvery:        r.duration("SMM_SCHEDULE_SWEEP"),
		Lease:             r.duration("SMM_PUBLISH_LEASE"),
		YouTubeDailyQuota: r.intRange("SMM_YOUTUBE_DAILY_QUOTA", 1, 1<<40),
		YouTubeUploadCost: r.intRange("SMM_YOUTUBE_UPLOAD_COST", 1, 1<<20),
		Concurrency:       r.intRange("SMM_PUBLISH_CONCURRENCY", 1, 100000),
	}
	for _, d := range r.list("SMM_PUBLISH_RETRY_DELAYS") {
		v, err := time.ParseDuration(d)
		if err != nil || v <= 0 {
			r.fail("SMM_PUBLISH_RETRY_DELAYS", "must be a comma-separated list of positive durations, such as 60s,300s,900s")
			break
		}
		c.Publishing.RetryDelays = append(c.Publishing.RetryDelays, v)
	}
	if c.Publishing.Lease > 0 && c.Publishing.Lease < 30*time.Second {
		r.fail("SMM_PUBLISH_LEASE", "must be at least 30s (a provider call must fit in it)")
	}
	if u, err := url.Parse(c.Providers.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail("SMM_PUBLIC_URL", "must be an absolute http(s) URL")
	}
	if c.Providers.OAuthReturnURL != "" {
		if u, err := url.Parse(c.Providers.OAuthReturnURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.fail("SMM_OAUTH_RETURN_URL", "must be an absolute http(s) URL")
		}
	}
	if c.Providers.Mode == ProvidersLive {
		// Live mode cannot start without what the providers require.
		for _, name := range []string{"SMM_INSTAGRAM_CLIENT_ID", "SMM_INSTAGRAM_CLIENT_SECRET", "SMM_TIKTOK_CLIENT_KEY",
			"SMM_TIKTOK_CLIENT_SECRET", "SMM_GOOGLE_CLIENT_ID", "SMM_GOOGLE_CLIENT_SECRET"} {
			if r.str(name) == "" {
				r.fail(name, "must be set when SMM_PROVIDERS_MODE=live")
			}
		}
	}
	if c.Cluster.AdvertisedAddr != "" {
		c.Cluster.AdvertisedAddr = r.hostPort("SMM_CLUSTER_ADVERTISED_ADDR")
	}
	if c.Cluster.Provider == ClusterSeeds && len(c.Cluster.Seeds) == 0 {
		r.fail("SMM_CLUSTER_SEEDS", "must list the members' membership endpoints when SMM_CLUSTER_PROVIDER=seeds")
	}
	if c.Cluster.Provider == ClusterEtcd && len(c.Cluster.EtcdEndpoints) == 0 {
		r.fail("SMM_ETCD_ENDPOINTS", "must list etcd endpoints when SMM_CLUSTER_PROVIDER=etcd")
	}
	if c.Cluster.Name == "" {
		r.fail("SMM_CLUSTER_NAME", "must not be empty")
	}
	if v := r.str("SMM_JWT_PRIVATE_KEY_FILE"); v != "" {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				c.JWTPrivateKeyFiles = append(c.JWTPrivateKeyFiles, f)
			}
		}
	}
	if c.Env == EnvProduction && len(c.JWTPrivateKeyFiles) == 0 {
		r.fail("SMM_JWT_PRIVATE_KEY_FILE", "must be set in production (the service never generates its signing key there)")
	}
	if c.Env == EnvProduction && c.EncryptionKeys == "" {
		r.fail("SMM_ENCRYPTION_KEYS", "must be set in production")
	}
	if c.EncryptionKeys != "" {
		if _, err := encryption.ParseKeys(c.EncryptionKeys); err != nil {
			r.fail("SMM_ENCRYPTION_KEYS", "%s", err)
		}
	}
	if len(c.CursorSecret) < 32 {
		r.fail("SMM_CURSOR_SECRET", "must be at least 32 bytes")
	}
	if c.Env == EnvProduction && c.CursorSecret == DevCursorSecret {
		r.fail("SMM_CURSOR_SECRET", "must be set in production")
	}
	if c.DatabaseURL != "" && c.DatabaseURL == c.DatabaseOwnerURL {
		r.fail("SMM_DATABASE_URL", "must name the application role, not the owner of SMM_DATABASE_OWNER_URL")
	}
	if len(r.errs) > 0 {
		return Config{}, errors.Join(r.errs...)
	}
	return c, nil
}

// LogValue renders the configuration for the start-up log with every secret
// masked: passwords in URLs become "xxxxx", secrets show only whether set.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("env", c.Env),
		slog.String("http_addr", c.HTTPAddr),
		slog.Int("http_body_limit", c.HTTPBodyLimit),
		slog.Duration("http_read_timeout", c.HTTPReadTimeout),
		slog.Duration("http_write_timeout", c.HTTPWriteTimeout),
		slog.Duration("http_idle_timeout", c.HTTPIdleTimeout),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.Any("cors_origins", c.CORSOrigins),
		slog.String("database_url", MaskURL(c.DatabaseURL)),
		slog.String("database_owner_url", MaskURL(c.DatabaseOwnerURL)),
		slog.Int("database_max_conns", int(c.DatabaseMaxConns)),
		slog.String("redis_url", MaskURL(c.RedisURL)),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("log_format", c.LogFormat),
		slog.String("cursor_secret", maskSecret(c.CursorSecret)),
		slog.String("data_dir", c.DataDir),
		slog.Any("jwt_private_key_files", c.JWTPrivateKeyFiles),
		slog.String("jwt_issuer", c.JWTIssuer),
		slog.String("jwt_audience", c.JWTAudience),
		slog.Duration("access_token_ttl", c.AccessTokenTTL),
		slog.Duration("refresh_token_ttl", c.RefreshTokenTTL),
		slog.Int("bcrypt_cost", c.BcryptCost),
		slog.String("encryption_keys", maskSecret(c.EncryptionKeys)),
		slog.String("trusted_proxies", c.TrustedProxies.String()),
		slog.String("rate_limit_ip", c.RateLimits.IP.String()),
		slog.String("rate_limit_token", c.RateLimits.Token.String()),
		slog.String("rate_limit_login", c.RateLimits.Login.String()),
		slog.String("rate_limit_2fa", c.RateLimits.TwoFactor.String()),
		slog.String("rate_limit_invitations", c.RateLimits.Invitations.String()),
	)
}

// MaskURL hides the password of a URL, keeping the rest readable.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func maskSecret(s string) string {
	if s == "" {
		return "(unset)"
	}
	return "(set)"
}

type reader struct {
	lookup   func(string) (string, bool)
	defaults map[string]string
	errs     []error
}

func (r *reader) fail(name, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

// str reads a variable, or its default from Variables when unset.
func (r *reader) str(name string) string {
	if v, ok := r.lookup(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return r.defaults[name]
}

func (r *reader) oneOf(name string, allowed ...string) string {
	v := r.str(name)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, "%q is not one of %s", v, strings.Join(allowed, ", "))
	return r.defaults[name]
}

func (r *reader) duration(name string) time.Duration {
	v := r.str(name)
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, "%q is not a positive duration such as 15s or 2m", v)
		return 0
	}
	return d
}

func (r *reader) intRange(name string, lo, hi int) int {
	v := r.str(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(name, "%q is not a whole number from %d to %d", v, lo, hi)
		return lo
	}
	return n
}

func (r *reader) size(name string) int {
	v := r.str(name)
	n, err := ParseSize(v)
	if err != nil {
		r.fail(name, "%s", err)
		return 0
	}
	return n
}

// ParseSize reads a byte size: a whole number of bytes, or one with a KiB,
// MiB or GiB suffix (also KB/MB/GB, read as powers of 1024).
func ParseSize(v string) (int, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	mult := 1
	for _, suf := range []struct {
		s string
		m int
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(s, suf.s) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, suf.s)), suf.m
			break
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > (1<<31-1)/mult {
		return 0, fmt.Errorf("%q is not a positive size such as 1048576, 512KiB or 4MiB", v)
	}
	return n * mult, nil
}

func (r *reader) origins(name string) []string {
	v := r.str(name)
	if v == "" {
		return nil
	}
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			r.fail(name, "%q is not an origin such as https://app.example.com", o)
			continue
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out
}

func (r *reader) dbURL(name string) string {
	v := r.str(name)
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.User.Username() == "" {
		r.fail(name, "must be a postgres:// URL with a user name")
		return ""
	}
	return v
}

func (r *reader) redisURL(name string) string {
	v := r.str(name)
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		r.fail(name, "must be a redis:// or rediss:// URL")
		return ""
	}
	return v
}

func (r *reader) limit(name, policy string) ratelimit.Limit {
	l, err := ratelimit.ParseLimit(policy, r.str(name))
	if err != nil {
		r.fail(name, "%s", err)
	}
	return l
}

func (r *reader) proxies(name string) ratelimit.TrustedProxies {
	t, err := ratelimit.ParseTrustedProxies(r.str(name))
	if err != nil {
		r.fail(name, "%s", err)
	}
	return t
}

// list reads a comma-separated list, dropping empty items.
func (r *reader) list(name string) []string {
	var out []string
	for _, item := range strings.Split(r.str(name), ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// hostPort reads host:port with an explicit host (a member must advertise
// an address others can dial) and a port in 0..65535.
func (r *reader) hostPort(name string) string {
	v := r.str(name)
	host, port, err := net.SplitHostPort(v)
	if err != nil || host == "" {
		r.fail(name, "must be host:port with a host, got %q", v)
		return v
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		r.fail(name, "port must be 0..65535, got %q", port)
	}
	return v
}

func (r *reader) level(name string) slog.Level {
	v := r.str(name)
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		r.fail(name, "%q is not one of debug, info, warn, error", v)
	}
	return l
}
