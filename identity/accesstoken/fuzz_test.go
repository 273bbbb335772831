package accesstoken

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSeedsEnv, set to 1, makes TestWriteFuzzSeeds rewrite the committed
// seed corpus of FuzzVerify. Do it after changing the attacks or the test
// keys: the committed "valid" seed must be the token the deterministic
// fixture issues, or FuzzVerify reports it as accepted but not ours.
const writeSeedsEnv = "SMM_WRITE_FUZZ_SEEDS"

type seed struct{ name, token string }

// fuzzSeeds is the genuine token, every attack of the test plan (the 1 MB
// input shrunk to just over the limit, so the fuzzer stays fast) and junk.
func fuzzSeeds(tb testing.TB, fx *fixture) []seed {
	tb.Helper()
	valid := fx.issue(tb)
	seeds := []seed{{"valid", valid}}
	for _, a := range attacks(tb, fx) {
		tok := a.token
		if len(tok) > maxTokenBytes {
			tok = valid + strings.Repeat("A", maxTokenBytes-len(valid)+1)
		}
		seeds = append(seeds, seed{"attack-" + slug(a.name), tok})
	}
	for n, junk := range []string{".", "..", "a.b.c", "eyJ", "eyJhbGciOiJSUzI1NiJ9..", "\x00", "\xff\xfe.\xff.\xff", "{}.{}.{}", " " + valid} {
		seeds = append(seeds, seed{fmt.Sprintf("junk-%d", n+1), junk})
	}
	return seeds
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// FuzzVerify feeds Verify arbitrary strings, starting from a genuine token
// and the attacks. It checks that Verify never panics, that every failure
// wraps ErrInvalidToken, and that the only string it ever accepts is the
// genuine token itself, byte for byte: no mutation of a token we issued
// (padding bits, whitespace, re-encoding, header or payload edits) may pass.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f).deterministic()
	valid := fx.issue(f)
	for _, s := range fuzzSeeds(f, fx) {
		f.Add(s.token)
	}
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := fx.issuer.Verify(token)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify(%q): got error %v, want it to wrap ErrInvalidToken", token, err)
			}
			if claims != (Claims{}) {
				t.Fatalf("Verify(%q): got claims %+v with error, want zero claims", token, claims)
			}
			return
		}
		if token != valid {
			t.Fatalf("Verify(%q): got accepted, want only the issued token %q accepted", token, valid)
		}
		if claims.UserID != fx.user || claims.OrganizationID != fx.org || claims.ID != testJTI {
			t.Fatalf("Verify(valid): got claims %+v, want user %v org %v jti %s", claims, fx.user, fx.org, testJTI)
		}
	})
}

// TestWriteFuzzSeeds rewrites testdata/fuzz/FuzzVerify when
// SMM_WRITE_FUZZ_SEEDS=1; otherwise it only checks that the committed
// "valid" seed is still the token the fixture issues.
func TestWriteFuzzSeeds(t *testing.T) {
	fx := newFixture(t).deterministic()
	dir := filepath.Join("testdata", "fuzz", "FuzzVerify")
	if os.Getenv(writeSeedsEnv) != "1" {
		data, err := os.ReadFile(filepath.Join(dir, "valid"))
		if err != nil {
			t.Fatalf("committed seed: %v (run with %s=1 to write the corpus)", err, writeSeedsEnv)
		}
		if want := corpusFile(fx.issue(t)); string(data) != want {
			t.Fatalf("committed valid seed: got %q, want %q (run with %s=1 to rewrite the corpus)", data, want, writeSeedsEnv)
		}
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range fuzzSeeds(t, fx) {
		if err := os.WriteFile(filepath.Join(dir, s.name), []byte(corpusFile(s.token)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// corpusFile is a one-string seed in the "go test fuzz v1" format.
func corpusFile(token string) string {
	return fmt.Sprintf("go test fuzz v1\nstring(%q)\n", token)
}
