// Package accesstoken issues and verifies the API's access tokens: short
// lived JWTs signed with RS256, so that any node (or another service, via
// the JWKS) can authenticate a request without a database round trip.
//
// An access token carries the user ("sub"), the active organization
// ("org"), its own id ("jti", which logout puts on a blacklist) and the
// usual "iss", "aud", "iat" and "exp"; its header names the signing key
// ("kid") and its type ("typ": "at+jwt", RFC 9068). Refresh tokens are not
// JWTs and are handled elsewhere; a "typ" claim of "access" makes sure no
// other token we might ever sign is accepted as an access token.
package accesstoken

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// ErrInvalidToken is wrapped by every error of Verify, so that callers can
// answer 401 with errors.Is without caring which check failed; the wrapped
// detail (expired, bad signature, wrong audience…) is for logs, and the
// golang-jwt sentinel errors (such as jwt.ErrTokenExpired) are wrapped too.
var ErrInvalidToken = errors.New("invalid access token")

const (
	// DefaultTTL is the lifetime of an access token when Options.TTL is
	// zero: short enough that a stolen token is useful only briefly, long
	// enough that clients refresh only a few times an hour.
	DefaultTTL = 15 * time.Minute

	// leeway tolerates clock skew between nodes when checking exp and iat.
	leeway = 30 * time.Second

	// maxTokenBytes bounds the input of Verify before any decoding, so a
	// huge Authorization header costs nothing; our tokens are under 1 KiB.
	maxTokenBytes = 8 << 10

	// headerType is the JOSE "typ" of an access token (RFC 9068 §2.1).
	headerType = "at+jwt"

	// accessType is the value of the "typ" claim of an access token.
	accessType = "access"
)

// Claims is what a verified access token says: who acts (UserID), in which
// organization (OrganizationID), and the token's own id and validity, which
// logout needs to blacklist the token until it expires.
type Claims struct {
	UserID         uuid.UUID
	OrganizationID uuid.UUID
	// ID is the token id (jti), a UUIDv7 string.
	ID string
	// IssuedAt and ExpiresAt are in UTC, whole seconds (JWT NumericDate).
	IssuedAt, ExpiresAt time.Time
}

// Options configures an Issuer. Issuer and Audience are required: they are
// checked on every token, so that a token minted for another environment or
// another service is refused even when it is signed by a key we trust.
type Options struct {
	// Issuer is the "iss" claim, usually the public base URL of the API.
	Issuer string
	// Audience is the "aud" claim, naming the API that accepts the token.
	Audience string
	// TTL is the token lifetime; zero means DefaultTTL (15 minutes).
	TTL time.Duration
	// Now is the clock; nil means time.Now. Tests set it to move time.
	Now func() time.Time
}

// Issuer signs and verifies access tokens with one set of keys and one
// configuration, so that Issue and Verify cannot disagree on issuer,
// audience or clock. It is safe for concurrent use.
type Issuer struct {
	keys   *Keys
	opts   Options
	parser *jwt.Parser
	// newID makes token ids; tests replace it to get reproducible tokens.
	newID func() (uuid.UUID, error)
}

// NewIssuer builds an Issuer from keys and options. Missing keys, issuer or
// audience, or a negative TTL, are configuration errors found at startup,
// so it panics on them rather than run a service that would accept tokens
// without checking "iss" or "aud".
func NewIssuer(keys *Keys, opts Options) *Issuer {
	switch {
	case keys == nil || keys.signing == nil:
		panic("accesstoken.NewIssuer: keys are required (use LoadKeys or EphemeralKeys)")
	case opts.Issuer == "":
		panic("accesstoken.NewIssuer: Options.Issuer is required")
	case opts.Audience == "":
		panic("accesstoken.NewIssuer: Options.Audience is required")
	case opts.TTL < 0:
		panic(fmt.Sprintf("accesstoken.NewIssuer: negative Options.TTL %v", opts.TTL))
	}
	if opts.TTL == 0 {
		opts.TTL = DefaultTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	i := &Issuer{keys: keys, opts: opts, newID: uuid.NewV7}
	// A jwt.Parser only reads its options once built, so one is shared by
	// all calls. Strict decoding refuses base64 with non-zero padding bits:
	// without it, several distinct strings carry the same valid signature
	// (the last signature character has four unused bits).
	i.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(opts.Issuer),
		jwt.WithAudience(opts.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(opts.Now),
		jwt.WithStrictDecoding(),
	)
	return i
}

// tokenClaims is the JSON payload of an access token.
type tokenClaims struct {
	jwt.RegisteredClaims
	Org string `json:"org"`
	Typ string `json:"typ"`
}

// Issue signs an access token for userID acting in orgID, valid for the
// configured TTL, and returns it with its claims (the caller stores the
// token id next to the refresh token, so that logout can revoke both).
// The header carries "kid" and "typ": "at+jwt" (RFC 9068) and the payload a
// "typ": "access" claim, so the token cannot pass for any other kind.
func (i *Issuer) Issue(userID, orgID uuid.UUID) (string, Claims, error) {
	if userID == uuid.Nil {
		return "", Claims{}, errors.New("issue access token: nil user id")
	}
	if orgID == uuid.Nil {
		return "", Claims{}, errors.New("issue access token: nil organization id")
	}
	id, err := i.newID()
	if err != nil {
		return "", Claims{}, fmt.Errorf("issue access token: token id: %w", err)
	}
	// NumericDate has whole seconds; truncating here makes the returned
	// claims equal to what Verify reads back.
	now := i.opts.Now().UTC().Truncate(time.Second)
	c := Claims{
		UserID:         userID,
		OrganizationID: orgID,
		ID:             id.String(),
		IssuedAt:       now,
		ExpiresAt:      now.Add(i.opts.TTL).Truncate(time.Second),
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.opts.Issuer,
			Subject:   userID.String(),
			Audience:  jwt.ClaimStrings{i.opts.Audience},
			ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
			IssuedAt:  jwt.NewNumericDate(c.IssuedAt),
			ID:        c.ID,
		},
		Org: orgID.String(),
		Typ: accessType,
	})
	tok.Header["kid"] = i.keys.signingKID
	tok.Header["typ"] = headerType
	signed, err := tok.SignedString(i.keys.signing)
	if err != nil {
		return "", Claims{}, fmt.Errorf("issue access token: sign: %w", err)
	}
	return signed, c, nil
}

// Verify authenticates an access token and returns its claims. It accepts
// only an RS256 signature by a known key ("kid" required), the configured
// issuer and audience, a present and unexpired "exp", a present "iat" not
// in the future (both with 30 seconds of leeway for clock skew), the
// "at+jwt" header type and the "access" claim type, canonical non-nil
// UUIDs in "sub" and "org", and a "jti". Every failure returns an error
// wrapping ErrInvalidToken with the reason; it never panics, whatever the
// input, because the input comes straight from an HTTP header.
func (i *Issuer) Verify(token string) (Claims, error) {
	if len(token) > maxTokenBytes {
		return Claims{}, fmt.Errorf("%w: token is %d bytes, limit %d", ErrInvalidToken, len(token), maxTokenBytes)
	}
	var tc tokenClaims
	if _, err := i.parser.ParseWithClaims(token, &tc, i.key); err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	// The parser has checked signature, iss, aud, exp and iat (when set).
	if tc.Typ != accessType {
		return Claims{}, fmt.Errorf("%w: claim typ is %q, want %q", ErrInvalidToken, truncate(tc.Typ, 64), accessType)
	}
	if tc.IssuedAt == nil {
		return Claims{}, fmt.Errorf("%w: iat claim is missing", ErrInvalidToken)
	}
	if tc.ExpiresAt == nil { // already enforced by the parser; kept for safety
		return Claims{}, fmt.Errorf("%w: exp claim is missing", ErrInvalidToken)
	}
	if tc.ID == "" {
		return Claims{}, fmt.Errorf("%w: jti claim is missing", ErrInvalidToken)
	}
	user, err := parseID(tc.Subject)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: sub claim: %w", ErrInvalidToken, err)
	}
	org, err := parseID(tc.Org)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: org claim: %w", ErrInvalidToken, err)
	}
	return Claims{
		UserID:         user,
		OrganizationID: org,
		ID:             tc.ID,
		IssuedAt:       tc.IssuedAt.UTC(),
		ExpiresAt:      tc.ExpiresAt.UTC(),
	}, nil
}

// key is the jwt.Keyfunc of Verify: it checks the header (the parser has
// already restricted the algorithm to RS256) and picks the public key named
// by "kid". A missing or unknown kid is refused rather than tried against
// every key, so that a token names the one key that can verify it.
func (i *Issuer) key(t *jwt.Token) (any, error) {
	if _, ok := t.Header["crit"]; ok {
		// RFC 7515 §4.1.11: critical extensions we do not understand make
		// the token invalid, and we understand none.
		return nil, errors.New("header has crit extensions")
	}
	typ, _ := t.Header["typ"].(string)
	if !strings.EqualFold(typ, headerType) && !strings.EqualFold(typ, "application/"+headerType) {
		return nil, fmt.Errorf("header typ is %q, want %q", truncate(typ, 64), headerType)
	}
	kid, ok := t.Header["kid"].(string)
	if !ok || kid == "" {
		return nil, errors.New("header kid is missing")
	}
	pub, ok := i.keys.verify[kid]
	if !ok {
		return nil, fmt.Errorf("unknown kid %q", truncate(kid, 64))
	}
	return pub, nil
}

// parseID parses a UUID that must be in canonical form and not nil: we only
// ever write canonical ids, so anything else was not issued by us.
func parseID(s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, errors.New("missing")
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, fmt.Errorf("not a UUID: %w", err)
	}
	if id.String() != s {
		return uuid.Nil, fmt.Errorf("UUID %q is not in canonical form", truncate(s, 64))
	}
	if id == uuid.Nil {
		return uuid.Nil, errors.New("nil UUID")
	}
	return id, nil
}

// truncate shortens attacker-controlled text before it goes into an error
// message (and from there into logs).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
