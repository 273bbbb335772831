package accesstoken

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestKeyIDIsHashOfPublicKey(t *testing.T) {
	fx := newFixture(t)
	der, err := x509.MarshalPKIXPublicKey(&fx.keyA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	want := base64.RawURLEncoding.EncodeToString(sum[:])[:16]
	if fx.kidA != want || fx.keys.signingKID != want {
		t.Errorf("kid: got %q (helper) and %q (keys), want %q", fx.kidA, fx.keys.signingKID, want)
	}
}

func TestRotation(t *testing.T) {
	fx := newFixture(t)
	opts := Options{Issuer: testIssuer, Audience: testAudience, Now: func() time.Time { return fx.now }}
	newIssuer := func(paths ...string) *Issuer {
		t.Helper()
		keys, err := LoadKeys(paths...)
		if err != nil {
			t.Fatalf("LoadKeys(%v): got error %v, want nil", paths, err)
		}
		return NewIssuer(keys, opts)
	}
	oldOnly := newIssuer(testKeyB)           // before rotation
	rotated := newIssuer(testKeyA, testKeyB) // new key A signs, old key B still verifies
	newOnly := newIssuer(testKeyA)           // after the old tokens expired
	oldTok, _, err := oldOnly.Issue(fx.user, fx.org)
	if err != nil {
		t.Fatal(err)
	}
	newTok, _, err := rotated.Issue(fx.user, fx.org)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		verifier *Issuer
		token    string
		wantOK   bool
	}{
		{"rotated keys accept old-key token", rotated, oldTok, true},
		{"rotated keys accept new-key token", rotated, newTok, true},
		{"new key alone accepts rotated token", newOnly, newTok, true},
		{"old key alone rejects rotated token", oldOnly, newTok, false},
		{"new key alone rejects old-key token", newOnly, oldTok, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.verifier.Verify(tt.token)
			if tt.wantOK && err != nil {
				t.Fatalf("Verify: got error %v, want nil", err)
			}
			if !tt.wantOK && !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify: got error %v, want ErrInvalidToken", err)
			}
		})
	}

	// The first key signs.
	var hdr map[string]any
	decodeSegment(t, strings.Split(newTok, ".")[0], &hdr)
	if hdr["kid"] != fx.kidA {
		t.Errorf("signing kid after rotation: got %v, want %s (the first key)", hdr["kid"], fx.kidA)
	}

	// The JWKS lists both keys, signing key first, with n and e that give
	// back the public keys.
	var set struct {
		Keys []struct {
			Kty, Use, Alg, Kid, N, E string
		} `json:"keys"`
	}
	if err := json.Unmarshal(rotated.keys.JWKS(), &set); err != nil {
		t.Fatalf("JWKS: got invalid JSON: %v", err)
	}
	want := []struct {
		kid string
		pub *rsa.PublicKey
	}{{fx.kidA, &fx.keyA.PublicKey}, {fx.kidB, &fx.keyB.PublicKey}}
	if len(set.Keys) != len(want) {
		t.Fatalf("JWKS: got %d keys, want %d", len(set.Keys), len(want))
	}
	for n, k := range set.Keys {
		if k.Kty != "RSA" || k.Use != "sig" || k.Alg != "RS256" {
			t.Errorf("JWKS key %d: got kty=%q use=%q alg=%q, want RSA sig RS256", n, k.Kty, k.Use, k.Alg)
		}
		if k.Kid != want[n].kid {
			t.Errorf("JWKS key %d: got kid %q, want %q", n, k.Kid, want[n].kid)
		}
		nb, errN := base64.RawURLEncoding.DecodeString(k.N)
		eb, errE := base64.RawURLEncoding.DecodeString(k.E)
		if errN != nil || errE != nil {
			t.Fatalf("JWKS key %d: got undecodable n/e (%v, %v), want base64url", n, errN, errE)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(new(big.Int).SetBytes(eb).Int64())}
		if !pub.Equal(want[n].pub) {
			t.Errorf("JWKS key %d: got public key (e=%d, %d bits), want the loaded key", n, pub.E, pub.N.BitLen())
		}
		if k.E != "AQAB" {
			t.Errorf("JWKS key %d: got e %q, want AQAB (65537)", n, k.E)
		}
	}

	// JWKS hands out copies.
	doc := rotated.keys.JWKS()
	doc[0] = 'X'
	if got := rotated.keys.JWKS(); got[0] != '{' {
		t.Errorf("JWKS after a caller modified its copy: got %q…, want it unchanged", got[:1])
	}
}

func TestLoadKeysPKCS1(t *testing.T) {
	fx := newFixture(t)
	path := filepath.Join(t.TempDir(), "pkcs1.pem")
	writePEM(t, path, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(fx.keyA))
	keys, err := LoadKeys(path)
	if err != nil {
		t.Fatalf("LoadKeys(PKCS#1): got error %v, want nil", err)
	}
	if keys.signingKID != fx.kidA {
		t.Errorf("kid of PKCS#1 copy: got %q, want %q (same key, same id)", keys.signingKID, fx.kidA)
	}
}

func TestLoadKeysRejects(t *testing.T) {
	dir := t.TempDir()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fx := newFixture(t)

	file := func(name, typ string, der []byte) string {
		path := filepath.Join(dir, name)
		writePEM(t, path, typ, der)
		return path
	}
	pkcs8 := func(key any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	ecSEC1, err := x509.MarshalECPrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&fx.keyA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	twoBlocks := filepath.Join(dir, "two.pem")
	a, _ := os.ReadFile(testKeyA)
	b, _ := os.ReadFile(testKeyB)
	if err := os.WriteFile(twoBlocks, append(a, b...), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		paths   []string
		wantMsg string
		wantIs  error
	}{
		{"no path", nil, "no key file", nil},
		{"missing file", []string{filepath.Join(dir, "absent.pem")}, "read key file", fs.ErrNotExist},
		{"not PEM", []string{notPEM}, "no PEM block", nil},
		{"1024-bit PKCS#1", []string{file("small1.pem", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small))}, "1024 bits, want at least 2048", nil},
		{"1024-bit PKCS#8", []string{file("small8.pem", "PRIVATE KEY", pkcs8(small))}, "1024 bits, want at least 2048", nil},
		{"EC key, PKCS#8", []string{file("ec8.pem", "PRIVATE KEY", pkcs8(ec))}, "*ecdsa.PrivateKey, want an RSA private key", nil},
		{"EC key, SEC 1", []string{file("ec.pem", "EC PRIVATE KEY", ecSEC1)}, "EC private key, want an RSA private key", nil},
		{"public key", []string{file("pub.pem", "PUBLIC KEY", pubDER)}, `PEM block "PUBLIC KEY"`, nil},
		{"corrupt DER", []string{file("bad.pem", "PRIVATE KEY", []byte{0x30, 0x03, 0x02, 0x01})}, "parse PRIVATE KEY", nil},
		{"two keys in one file", []string{twoBlocks}, "more than one PEM block", nil},
		{"same key twice", []string{testKeyA, testKeyA}, "same key given twice", nil},
		{"good key then bad key", []string{testKeyA, notPEM}, "no PEM block", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := LoadKeys(tt.paths...)
			if err == nil {
				t.Fatalf("LoadKeys: got keys %v, want an error", keys.verify)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("LoadKeys: got error %q, want it to mention %q", err, tt.wantMsg)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("LoadKeys: got error %v, want it to wrap %v", err, tt.wantIs)
			}
		})
	}
}

func TestGenerateKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "keys")
	path := filepath.Join(dir, "jwt.pem")
	if err := GenerateKeyFile(path); err != nil {
		t.Fatalf("GenerateKeyFile: got error %v, want nil", err)
	}

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode: got %o, want 600", got)
	}
	dinfo, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := dinfo.Mode().Perm(); got != 0o700 {
		t.Errorf("key folder mode: got %o, want 700", got)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if block, _ := pem.Decode(data); block == nil || block.Type != "PRIVATE KEY" {
		t.Errorf("key file: got %q…, want a PKCS#8 \"PRIVATE KEY\" PEM block", data[:min(len(data), 40)])
	}

	err = GenerateKeyFile(path)
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("GenerateKeyFile over an existing file: got error %v, want fs.ErrExist", err)
	}
	after, err := os.ReadFile(path)
	if err != nil || string(after) != string(data) {
		t.Errorf("key file after refused overwrite: got changed content (read error %v), want unchanged", err)
	}

	keys, err := LoadKeys(path)
	if err != nil {
		t.Fatalf("LoadKeys(generated): got error %v, want nil", err)
	}
	if bits := keys.signing.N.BitLen(); bits != 2048 {
		t.Errorf("generated key: got %d bits, want 2048", bits)
	}
	iss := NewIssuer(keys, Options{Issuer: testIssuer, Audience: testAudience})
	tok, _, err := iss.Issue(uuid7(t), uuid7(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Verify(tok); err != nil {
		t.Errorf("Verify with generated key: got error %v, want nil", err)
	}
}

func TestGenerateKeyFileEmptyPath(t *testing.T) {
	if err := GenerateKeyFile(""); err == nil {
		t.Errorf("GenerateKeyFile(\"\"): got nil error, want one")
	}
}

func TestEphemeralKeys(t *testing.T) {
	k1, err := EphemeralKeys()
	if err != nil {
		t.Fatalf("EphemeralKeys: got error %v, want nil", err)
	}
	k2, err := EphemeralKeys()
	if err != nil {
		t.Fatalf("EphemeralKeys: got error %v, want nil", err)
	}
	if k1.signingKID == k2.signingKID {
		t.Errorf("EphemeralKeys twice: got the same kid %q, want fresh keys", k1.signingKID)
	}
	opts := Options{Issuer: testIssuer, Audience: testAudience}
	tok, _, err := NewIssuer(k1, opts).Issue(uuid7(t), uuid7(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewIssuer(k1, opts).Verify(tok); err != nil {
		t.Errorf("Verify with the same ephemeral keys: got error %v, want nil", err)
	}
	if _, err := NewIssuer(k2, opts).Verify(tok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Verify with other ephemeral keys: got error %v, want ErrInvalidToken", err)
	}
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
