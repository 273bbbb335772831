package accesstoken

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

func TestIssueVerifyRoundTrip(t *testing.T) {
	fx := newFixture(t)
	tok, issued, err := fx.issuer.Issue(fx.user, fx.org)
	if err != nil {
		t.Fatalf("Issue: got error %v, want nil", err)
	}
	got, err := fx.issuer.Verify(tok)
	if err != nil {
		t.Fatalf("Verify: got error %v, want nil", err)
	}

	if got.UserID != fx.user {
		t.Errorf("UserID: got %v, want %v", got.UserID, fx.user)
	}
	if got.OrganizationID != fx.org {
		t.Errorf("OrganizationID: got %v, want %v", got.OrganizationID, fx.org)
	}
	if got.ID != issued.ID {
		t.Errorf("ID: got %q, want %q (as issued)", got.ID, issued.ID)
	}
	if id, err := uuid.Parse(got.ID); err != nil || id.Version() != 7 {
		t.Errorf("ID: got %q (parse error %v), want a UUIDv7", got.ID, err)
	}
	if !got.IssuedAt.Equal(fx.now) || !issued.IssuedAt.Equal(fx.now) {
		t.Errorf("IssuedAt: got %v verified and %v issued, want %v", got.IssuedAt, issued.IssuedAt, fx.now)
	}
	if want := fx.now.Add(15 * time.Minute); !got.ExpiresAt.Equal(want) || !issued.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt: got %v verified and %v issued, want %v", got.ExpiresAt, issued.ExpiresAt, want)
	}
	if got != issued {
		t.Errorf("Verify claims: got %+v, want exactly the issued %+v", got, issued)
	}

	// The wire format is the contract with other services: check it raw.
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token: got %d parts, want 3", len(parts))
	}
	var hdr map[string]any
	decodeSegment(t, parts[0], &hdr)
	wantHdr := map[string]any{"alg": "RS256", "typ": "at+jwt", "kid": fx.kidA}
	for k, want := range wantHdr {
		if hdr[k] != want {
			t.Errorf("header %s: got %v, want %v", k, hdr[k], want)
		}
	}
	var pl map[string]any
	decodeSegment(t, parts[1], &pl)
	wantPl := map[string]any{
		"iss": testIssuer, "sub": fx.user.String(), "org": fx.org.String(), "typ": "access", "jti": issued.ID,
		"iat": float64(fx.now.Unix()), "exp": float64(fx.now.Add(15 * time.Minute).Unix()),
	}
	for k, want := range wantPl {
		if pl[k] != want {
			t.Errorf("claim %s: got %v (%T), want %v", k, pl[k], pl[k], want)
		}
	}
	if aud, _ := pl["aud"].([]any); len(aud) != 1 || aud[0] != testAudience {
		t.Errorf("claim aud: got %v, want [%s]", pl["aud"], testAudience)
	}
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	data, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("decode segment: %v", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("unmarshal segment %s: %v", data, err)
	}
}

func TestIssueRejectsNilIDs(t *testing.T) {
	fx := newFixture(t)
	tests := []struct {
		name      string
		user, org uuid.UUID
	}{
		{"nil user", uuid.Nil, fx.org},
		{"nil org", fx.user, uuid.Nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, _, err := fx.issuer.Issue(tt.user, tt.org)
			if err == nil {
				t.Fatalf("Issue: got token %q, want an error", tok)
			}
		})
	}
}

func TestIssueCustomTTL(t *testing.T) {
	fx := newFixture(t)
	iss := NewIssuer(fx.keys, Options{Issuer: testIssuer, Audience: testAudience, TTL: 5 * time.Minute, Now: func() time.Time { return fx.now }})
	_, c, err := iss.Issue(fx.user, fx.org)
	if err != nil {
		t.Fatalf("Issue: got error %v, want nil", err)
	}
	if got := c.ExpiresAt.Sub(c.IssuedAt); got != 5*time.Minute {
		t.Errorf("lifetime: got %v, want 5m", got)
	}
}

func TestVerifyClock(t *testing.T) {
	fx := newFixture(t)
	issuedAt := fx.now
	tok := fx.issue(t)
	tests := []struct {
		name   string
		offset time.Duration // from issuance to verification
		wantOK bool
		wantIs error
	}{
		{"at issuance", 0, true, nil},
		{"14 minutes later", 14 * time.Minute, true, nil},
		{"at exp, within leeway", 15 * time.Minute, true, nil},
		{"29 s after exp, within leeway", 15*time.Minute + 29*time.Second, true, nil},
		{"30 s after exp, leeway spent", 15*time.Minute + 30*time.Second, false, jwt.ErrTokenExpired},
		{"an hour later", time.Hour, false, jwt.ErrTokenExpired},
		{"verifier clock 29 s behind", -29 * time.Second, true, nil},
		{"verifier clock 31 s behind", -31 * time.Second, false, jwt.ErrTokenUsedBeforeIssued},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx.now = issuedAt.Add(tt.offset)
			_, err := fx.issuer.Verify(tok)
			if tt.wantOK {
				if err != nil {
					t.Fatalf("Verify: got error %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidToken) || !errors.Is(err, tt.wantIs) {
				t.Fatalf("Verify: got error %v, want ErrInvalidToken and %v", err, tt.wantIs)
			}
		})
	}
}

func TestVerifyRejectsAttacks(t *testing.T) {
	fx := newFixture(t)

	// Control: the forging helpers make acceptable tokens when nothing is
	// wrong, so each attack below fails for its own reason only.
	control := sign(t, jwt.SigningMethodRS256, fx.keyA, header("RS256", fx.kidA), fx.payload())
	if _, err := fx.issuer.Verify(control); err != nil {
		t.Fatalf("control token: got error %v, want nil", err)
	}

	for _, tt := range attacks(t, fx) {
		t.Run(tt.name, func(t *testing.T) {
			claims, err := fx.issuer.Verify(tt.token)
			if err == nil {
				t.Fatalf("Verify: got claims %+v, want an error", claims)
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify: got error %v, want it to wrap ErrInvalidToken", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Verify: got error %v, want it to wrap %v", err, tt.wantIs)
			}
			if tt.wantMsg != "" && !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Verify: got error %q, want it to mention %q", err, tt.wantMsg)
			}
			if claims != (Claims{}) {
				t.Errorf("Verify: got claims %+v with the error, want zero claims", claims)
			}
		})
	}
}

func TestVerifyOtherConfiguration(t *testing.T) {
	// A token from another environment (same key, other iss or aud) is
	// refused: the configuration, not only the key, scopes tokens.
	fx := newFixture(t)
	tok := fx.issue(t)
	tests := []struct {
		name   string
		opts   Options
		wantIs error
	}{
		{"other issuer", Options{Issuer: "https://staging.smm.test", Audience: testAudience}, jwt.ErrTokenInvalidIssuer},
		{"other audience", Options{Issuer: testIssuer, Audience: "smm-admin"}, jwt.ErrTokenInvalidAudience},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = func() time.Time { return fx.now }
			_, err := NewIssuer(fx.keys, tt.opts).Verify(tok)
			if !errors.Is(err, ErrInvalidToken) || !errors.Is(err, tt.wantIs) {
				t.Fatalf("Verify: got error %v, want ErrInvalidToken and %v", err, tt.wantIs)
			}
		})
	}
}

func TestNewIssuerPanicsOnBadConfig(t *testing.T) {
	fx := newFixture(t)
	tests := []struct {
		name string
		keys *Keys
		opts Options
	}{
		{"nil keys", nil, Options{Issuer: testIssuer, Audience: testAudience}},
		{"empty keys", &Keys{}, Options{Issuer: testIssuer, Audience: testAudience}},
		{"no issuer", fx.keys, Options{Audience: testAudience}},
		{"no audience", fx.keys, Options{Issuer: testIssuer}},
		{"negative TTL", fx.keys, Options{Issuer: testIssuer, Audience: testAudience, TTL: -time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("NewIssuer: got no panic, want one")
				}
			}()
			NewIssuer(tt.keys, tt.opts)
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	fx := newFixture(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 5 {
				tok, _, err := fx.issuer.Issue(fx.user, fx.org)
				if err != nil {
					errs <- err
					return
				}
				if _, err := fx.issuer.Verify(tok); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Issue/Verify: got error %v, want nil", err)
	}
}

func BenchmarkVerify(b *testing.B) {
	fx := newFixture(b)
	tok := fx.issue(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fx.issuer.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyRejectForged(b *testing.B) {
	fx := newFixture(b)
	tok := sign(b, jwt.SigningMethodRS256, fx.keyB, header("RS256", fx.kidA), fx.payload())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fx.issuer.Verify(tok); err == nil {
			b.Fatal("forged token accepted")
		}
	}
}

func BenchmarkIssue(b *testing.B) {
	fx := newFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := fx.issuer.Issue(fx.user, fx.org); err != nil {
			b.Fatal(err)
		}
	}
}
