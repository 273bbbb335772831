package totp

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

const (
	// recoveryAlphabet is Crockford's base32 in lower case: 32 symbols, no
	// i, l, o or u, so no two symbols look alike. Each symbol carries 5 bits.
	recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	// recoveryLen is the number of symbols in a code: 10 × 5 = 50 bits.
	recoveryLen = 10
	// maxRecoveryCodes bounds NewRecoveryCodes' n against mistakes.
	maxRecoveryCodes = 100
)

// NewRecoveryCodes returns n single-use recovery codes for a user who loses
// their authenticator, and the hashes to store (same order). Codes look like
// "7k2m-9qxd-4f": 10 symbols of lower-case Crockford base32 (no i, l, o or
// u) drawn from crypto/rand, 50 bits each, grouped 4-4-2 to be easy to copy.
// They are shown once and never stored in clear. n must be 1 to 100; the
// codes are all distinct.
func NewRecoveryCodes(n int) (codes []string, hashes []string, err error) {
	if n < 1 || n > maxRecoveryCodes {
		return nil, nil, fmt.Errorf("totp: new recovery codes: n is %d, want 1 to %d", n, maxRecoveryCodes)
	}
	codes = make([]string, 0, n)
	hashes = make([]string, 0, n)
	seen := make(map[string]struct{}, n)
	buf := make([]byte, recoveryLen)
	for len(codes) < n {
		if _, err := rand.Read(buf); err != nil {
			return nil, nil, fmt.Errorf("totp: new recovery codes: read random bytes: %w", err)
		}
		var sym [recoveryLen]byte
		for i, b := range buf {
			sym[i] = recoveryAlphabet[b&31] // 256 is a multiple of 32: no bias
		}
		raw := string(sym[:])
		if _, dup := seen[raw]; dup {
			continue // a 2^-50 event, but distinct codes are promised
		}
		seen[raw] = struct{}{}
		codes = append(codes, raw[:4]+"-"+raw[4:8]+"-"+raw[8:])
		hashes = append(hashes, hashNormalised(raw))
	}
	return codes, hashes, nil
}

// HashRecoveryCode normalises a code as typed (lower case; spaces, tabs and
// dashes removed; o read as 0, i and l as 1, as Crockford base32 decodes
// them) and returns the hex SHA-256 to look it up among stored hashes. A
// plain fast hash is adequate, unlike for passwords, because each code
// carries 50 bits of crypto/rand entropy: an offline search of 2^50 codes per
// stolen hash is out of reach, and lookups by hash stay a single indexed query.
func HashRecoveryCode(code string) string {
	return hashNormalised(normaliseRecoveryCode(code))
}

// LooksLikeRecoveryCode reports whether s, once normalised, has the shape of
// a recovery code (10 base32 symbols), so one input field can take either a
// recovery code or a 6-digit TOTP code and route it to the right check.
func LooksLikeRecoveryCode(s string) bool {
	n := normaliseRecoveryCode(s)
	if len(n) != recoveryLen {
		return false
	}
	for i := 0; i < len(n); i++ {
		if strings.IndexByte(recoveryAlphabet, n[i]) < 0 {
			return false
		}
	}
	return true
}

// normaliseRecoveryCode maps the ways a person may type a code to its
// canonical form: lower case, no separators, Crockford's look-alikes folded.
func normaliseRecoveryCode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		switch r {
		case ' ', '\t', '\n', '\r', '-':
			continue
		case 'o':
			r = '0'
		case 'i', 'l':
			r = '1'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hashNormalised is the stored form of a normalised code: hex SHA-256.
func hashNormalised(normalised string) string {
	sum := sha256.Sum256([]byte(normalised))
	return hex.EncodeToString(sum[:])
}
