package totp

import (
	"regexp"
	"strings"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(10)
	if err != nil {
		t.Fatalf("NewRecoveryCodes(10): got error %v, want nil", err)
	}
	if len(codes) != 10 || len(hashes) != 10 {
		t.Fatalf("got %d codes and %d hashes, want 10 and 10", len(codes), len(hashes))
	}
	format := regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{2}$`)
	seenCodes := make(map[string]bool)
	seenHashes := make(map[string]bool)
	for i, code := range codes {
		if !format.MatchString(code) {
			t.Errorf("code %d: got %q, want the form xxxx-xxxx-xx in lower-case Crockford base32", i, code)
		}
		if seenCodes[code] {
			t.Errorf("code %d: got duplicate %q, want distinct codes", i, code)
		}
		seenCodes[code] = true
		if got := HashRecoveryCode(code); got != hashes[i] {
			t.Errorf("hash %d: got %q, want HashRecoveryCode(%q) = %q", i, hashes[i], code, got)
		}
		if seenHashes[hashes[i]] {
			t.Errorf("hash %d: got duplicate %q, want distinct hashes", i, hashes[i])
		}
		seenHashes[hashes[i]] = true
		if !LooksLikeRecoveryCode(code) {
			t.Errorf("LooksLikeRecoveryCode(%q): got false, want true", code)
		}
		if strings.Contains(hashes[i], strings.ReplaceAll(code, "-", "")) {
			t.Errorf("hash %d %q contains its code", i, hashes[i])
		}
	}
}

func TestNewRecoveryCodesBadN(t *testing.T) {
	for _, n := range []int{-1, 0, 101} {
		if codes, hashes, err := NewRecoveryCodes(n); err == nil {
			t.Errorf("NewRecoveryCodes(%d): got (%v, %v, nil), want an error", n, codes, hashes)
		}
	}
}

func TestRecoveryCodeSymbolsSpread(t *testing.T) {
	// 100 codes × 10 symbols: every one of the 32 symbols should appear
	// (missing one has probability about 32 × (31/32)^1000 ≈ 5e-13).
	codes, _, err := NewRecoveryCodes(100)
	if err != nil {
		t.Fatal(err)
	}
	counts := make(map[rune]int)
	for _, c := range codes {
		for _, r := range strings.ReplaceAll(c, "-", "") {
			counts[r]++
		}
	}
	if got, want := len(counts), len(recoveryAlphabet); got != want {
		t.Errorf("distinct symbols: got %d, want %d", got, want)
	}
}

func TestHashRecoveryCodeNormalisation(t *testing.T) {
	want := HashRecoveryCode("abcdefghjk")
	tests := []string{
		"ABCD-EFGH-JK",
		"abcd-efgh-jk",
		"abcdefghjk",
		" abcd efgh jk ",
		"AbCd-EfGh-Jk\n",
		"a-b-c-d-e-f-g-h-j-k",
	}
	for _, in := range tests {
		if got := HashRecoveryCode(in); got != want {
			t.Errorf("HashRecoveryCode(%q): got %q, want %q (same as \"abcdefghjk\")", in, got, want)
		}
	}
	// Crockford look-alikes fold: o→0, i and l→1.
	if got, want := HashRecoveryCode("oo11-abcd-ef"), HashRecoveryCode("OoiL-abcd-ef"); got != want {
		t.Errorf("look-alikes: got %q, want %q", got, want)
	}
	if got := HashRecoveryCode("abcdefghjm"); got == want {
		t.Errorf("different code: got the same hash %q, want a different one", got)
	}
	if got := len(want); got != 64 {
		t.Errorf("hash length: got %d, want 64 hex characters", got)
	}
}

func TestLooksLikeRecoveryCode(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"abcd-efgh-jk", true},
		{"ABCD-EFGH-JK", true},
		{"abcdefghjk", true},
		{" abcd efgh jk ", true},
		{"0123-4567-89", true},
		{"oil0-abcd-ef", true}, // look-alikes fold to 0 and 1
		{"123456", false},
		{"", false},
		{"abcd-efgh-j", false},
		{"abcd-efgh-jkm", false},
		{"abcd-efgh-j!", false},
		{"abcd-efgh-ju", false}, // u is not in the alphabet
		{"abcd_efgh_jk", false},
	}
	for _, tt := range tests {
		if got := LooksLikeRecoveryCode(tt.in); got != tt.want {
			t.Errorf("LooksLikeRecoveryCode(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}
