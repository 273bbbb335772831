package accesstoken

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// The keys under testdata/ are throwaway keys made for these tests only
// (committed so that the fuzz corpus can hold tokens they signed); they
// protect nothing and must never be configured in a deployment.
const (
	testKeyA = "testdata/test-only-key-a.pem"
	testKeyB = "testdata/test-only-key-b.pem"

	testIssuer   = "https://api.smm.test"
	testAudience = "smm-api"
	testJTI      = "01954c5e-8a00-7000-8000-000000000001"
)

// fixture is an Issuer on test key A with a settable clock, plus what the
// attack helpers need to forge tokens.
type fixture struct {
	keyA, keyB *rsa.PrivateKey
	kidA, kidB string
	keys       *Keys
	issuer     *Issuer
	now        time.Time
	user, org  uuid.UUID
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	fx := &fixture{
		now:  time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		user: uuid.MustParse("01954c5e-8a00-7000-8000-00000000a11c"),
		org:  uuid.MustParse("01954c5e-8a00-7000-8000-0000000000c0"),
	}
	var err error
	if fx.keyA, err = readPrivateKey(testKeyA); err != nil {
		tb.Fatal(err)
	}
	if fx.keyB, err = readPrivateKey(testKeyB); err != nil {
		tb.Fatal(err)
	}
	if fx.kidA, err = keyID(&fx.keyA.PublicKey); err != nil {
		tb.Fatal(err)
	}
	if fx.kidB, err = keyID(&fx.keyB.PublicKey); err != nil {
		tb.Fatal(err)
	}
	if fx.keys, err = LoadKeys(testKeyA); err != nil {
		tb.Fatal(err)
	}
	fx.issuer = NewIssuer(fx.keys, Options{Issuer: testIssuer, Audience: testAudience, Now: func() time.Time { return fx.now }})
	return fx
}

// deterministic makes the fixture's Issuer reproducible (fixed jti), so
// that the tokens it issues can be committed as fuzz seeds.
func (fx *fixture) deterministic() *fixture {
	fx.issuer.newID = func() (uuid.UUID, error) { return uuid.MustParse(testJTI), nil }
	return fx
}

// issue issues a genuine token for the fixture's user and organization.
func (fx *fixture) issue(tb testing.TB) string {
	tb.Helper()
	tok, _, err := fx.issuer.Issue(fx.user, fx.org)
	if err != nil {
		tb.Fatalf("Issue: got error %v, want nil", err)
	}
	return tok
}

// payload is the payload of a valid access token at the fixture's clock.
func (fx *fixture) payload() map[string]any {
	return map[string]any{
		"iss": testIssuer,
		"aud": []string{testAudience},
		"sub": fx.user.String(),
		"org": fx.org.String(),
		"jti": testJTI,
		"typ": "access",
		"iat": fx.now.Unix(),
		"exp": fx.now.Add(DefaultTTL).Unix(),
	}
}

// header is the header of a valid access token signed by key id kid.
func header(alg, kid string) map[string]any {
	return map[string]any{"alg": alg, "typ": "at+jwt", "kid": kid}
}

// with returns a copy of m with the changes applied; a nil value deletes.
func with(m map[string]any, changes map[string]any) map[string]any {
	out := maps.Clone(m)
	for k, v := range changes {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// sign forges a token with any header, payload, method and key.
func sign(tb testing.TB, method jwt.SigningMethod, key any, hdr, payload map[string]any) string {
	tb.Helper()
	tok := &jwt.Token{Method: method, Header: hdr, Claims: jwt.MapClaims(payload)}
	s, err := tok.SignedString(key)
	if err != nil {
		tb.Fatalf("forge %s token: %v", method.Alg(), err)
	}
	return s
}

func b64JSON(tb testing.TB, v any) string {
	tb.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(data)
}

func uuid7(tb testing.TB) uuid.UUID {
	tb.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// attack is a token that Verify must reject, and why.
type attack struct {
	name  string
	token string
	// wantIs, when set, must be in the error chain besides ErrInvalidToken,
	// and wantMsg, when set, in the message: both make sure the token was
	// refused for the intended reason and not by accident.
	wantIs  error
	wantMsg string
}

// attacks builds every hostile token of the test plan against fx (at its
// current clock). They are also the seeds of FuzzVerify.
func attacks(tb testing.TB, fx *fixture) []attack {
	tb.Helper()
	valid := fx.issue(tb)
	parts := strings.Split(valid, ".")
	hdrA := header("RS256", fx.kidA)
	pl := fx.payload()

	publicPEM := func() []byte {
		der, err := x509.MarshalPKIXPublicKey(&fx.keyA.PublicKey)
		if err != nil {
			tb.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}()

	tamperedPayload := func() string {
		other := with(pl, map[string]any{"org": "01954c5e-8a00-7000-8000-0000000000c1"})
		return parts[0] + "." + b64JSON(tb, other) + "." + parts[2]
	}()
	tamperedSig := func() string {
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		if err != nil {
			tb.Fatal(err)
		}
		sig[len(sig)/2] ^= 0x01
		return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	}()
	// A 256-byte signature takes 342 base64 characters whose last one has
	// four unused low bits: flipping one leaves the decoded signature
	// unchanged, so only strict decoding refuses this copy of a valid token.
	malleable := func() string {
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		last := parts[2][len(parts[2])-1]
		flipped := alphabet[strings.IndexByte(alphabet, last)^1]
		return parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-1] + string(flipped)
	}()
	rs256 := func(key *rsa.PrivateKey, hdr, payload map[string]any) string {
		return sign(tb, jwt.SigningMethodRS256, key, hdr, payload)
	}

	return []attack{
		{name: "alg none", wantIs: jwt.ErrTokenSignatureInvalid, wantMsg: "signing method none is invalid",
			token: b64JSON(tb, map[string]any{"alg": "none", "typ": "at+jwt", "kid": fx.kidA}) + "." + b64JSON(tb, pl) + "."},
		{name: "alg None with signature", wantIs: jwt.ErrTokenUnverifiable, wantMsg: "unavailable",
			token: b64JSON(tb, map[string]any{"alg": "None", "typ": "at+jwt", "kid": fx.kidA}) + "." + b64JSON(tb, pl) + "." + parts[2]},
		{name: "HS256 with the public key PEM as secret", wantIs: jwt.ErrTokenSignatureInvalid, wantMsg: "signing method HS256 is invalid",
			token: sign(tb, jwt.SigningMethodHS256, publicPEM, header("HS256", fx.kidA), pl)},
		{name: "RS512 with our key", wantIs: jwt.ErrTokenSignatureInvalid, wantMsg: "signing method RS512 is invalid",
			token: sign(tb, jwt.SigningMethodRS512, fx.keyA, header("RS512", fx.kidA), pl)},
		{name: "PS256 with our key", wantIs: jwt.ErrTokenSignatureInvalid, wantMsg: "signing method PS256 is invalid",
			token: sign(tb, jwt.SigningMethodPS256, fx.keyA, header("PS256", fx.kidA), pl)},
		{name: "RS512 signature labelled RS256", wantIs: jwt.ErrTokenSignatureInvalid,
			token: sign(tb, jwt.SigningMethodRS512, fx.keyA, hdrA, pl)},
		{name: "wrong aud", wantIs: jwt.ErrTokenInvalidAudience,
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"aud": []string{"another-api"}}))},
		{name: "missing aud", wantIs: jwt.ErrTokenRequiredClaimMissing, wantMsg: "aud",
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"aud": nil}))},
		{name: "wrong iss", wantIs: jwt.ErrTokenInvalidIssuer,
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"iss": "https://evil.test"}))},
		{name: "missing iss", wantIs: jwt.ErrTokenRequiredClaimMissing, wantMsg: "iss",
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"iss": nil}))},
		{name: "missing exp", wantIs: jwt.ErrTokenRequiredClaimMissing, wantMsg: "exp",
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"exp": nil}))},
		{name: "expired", wantIs: jwt.ErrTokenExpired,
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{
				"iat": fx.now.Add(-time.Hour).Unix(), "exp": fx.now.Add(-time.Hour + DefaultTTL).Unix()}))},
		// (A numeric string such as "4102444800" is accepted by golang-jwt,
		// harmlessly: only our key can sign it.)
		{name: "exp not a number", wantIs: jwt.ErrTokenMalformed,
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"exp": "tomorrow"}))},
		{name: "iat far in the future", wantIs: jwt.ErrTokenUsedBeforeIssued,
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{
				"iat": fx.now.Add(24 * time.Hour).Unix(), "exp": fx.now.Add(25 * time.Hour).Unix()}))},
		{name: "missing iat", wantMsg: "iat claim is missing",
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"iat": nil}))},
		{name: "nbf in the future", wantIs: jwt.ErrTokenNotValidYet,
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"nbf": fx.now.Add(time.Hour).Unix()}))},
		{name: "tampered payload (other org)", wantIs: jwt.ErrTokenSignatureInvalid, token: tamperedPayload},
		{name: "tampered signature", wantIs: jwt.ErrTokenSignatureInvalid, token: tamperedSig},
		{name: "signature with non-zero padding bits", wantIs: jwt.ErrTokenMalformed, token: malleable},
		{name: "signature stripped", wantIs: jwt.ErrTokenSignatureInvalid, token: parts[0] + "." + parts[1] + "."},
		{name: "unknown kid (another key)", wantIs: jwt.ErrTokenUnverifiable, wantMsg: "unknown kid",
			token: rs256(fx.keyB, header("RS256", fx.kidB), pl)},
		{name: "no kid", wantIs: jwt.ErrTokenUnverifiable, wantMsg: "kid is missing",
			token: rs256(fx.keyA, with(hdrA, map[string]any{"kid": nil}), pl)},
		{name: "kid not a string", wantIs: jwt.ErrTokenUnverifiable, wantMsg: "kid is missing",
			token: rs256(fx.keyA, with(hdrA, map[string]any{"kid": 7}), pl)},
		{name: "another key with our kid", wantIs: jwt.ErrTokenSignatureInvalid,
			token: rs256(fx.keyB, hdrA, pl)},
		{name: "refresh-typed token", wantMsg: `claim typ is "refresh"`,
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"typ": "refresh"}))},
		{name: "typ header JWT, typ claim missing", wantIs: jwt.ErrTokenUnverifiable, wantMsg: "header typ",
			token: rs256(fx.keyA, with(hdrA, map[string]any{"typ": "JWT"}), with(pl, map[string]any{"typ": nil}))},
		{name: "typ header at+jwt, typ claim missing", wantMsg: `claim typ is ""`,
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"typ": nil}))},
		{name: "no typ header", wantIs: jwt.ErrTokenUnverifiable, wantMsg: "header typ",
			token: rs256(fx.keyA, with(hdrA, map[string]any{"typ": nil}), pl)},
		{name: "crit header", wantIs: jwt.ErrTokenUnverifiable, wantMsg: "crit",
			token: rs256(fx.keyA, with(hdrA, map[string]any{"crit": []string{"exp"}}), pl)},
		{name: "sub not a UUID", wantMsg: "sub claim",
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"sub": "admin"}))},
		{name: "sub not canonical", wantMsg: "canonical",
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"sub": "urn:uuid:" + fx.user.String()}))},
		{name: "sub nil UUID", wantMsg: "nil UUID",
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"sub": uuid.Nil.String()}))},
		{name: "missing org", wantMsg: "org claim",
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"org": nil}))},
		{name: "missing jti", wantMsg: "jti claim is missing",
			token: rs256(fx.keyA, hdrA, with(pl, map[string]any{"jti": nil}))},
		{name: "empty string", wantIs: jwt.ErrTokenMalformed, token: ""},
		{name: "two parts", wantIs: jwt.ErrTokenMalformed, token: parts[0] + "." + parts[1]},
		{name: "four parts", wantIs: jwt.ErrTokenMalformed, token: valid + "." + parts[2]},
		{name: "bad base64", wantIs: jwt.ErrTokenMalformed, token: "!!!.###.$$$"},
		{name: "padded base64", wantIs: jwt.ErrTokenMalformed, token: parts[0] + "=." + parts[1] + "." + parts[2]},
		{name: "header not JSON", wantIs: jwt.ErrTokenMalformed,
			token: base64.RawURLEncoding.EncodeToString([]byte("RS256")) + "." + parts[1] + "." + parts[2]},
		{name: "Bearer prefix left on", wantIs: jwt.ErrTokenMalformed, token: "Bearer " + valid},
		{name: "huge input", wantMsg: "limit", token: valid + strings.Repeat("A", 1<<20)},
	}
}
