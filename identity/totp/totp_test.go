package totp

import (
	"encoding/base32"
	"errors"
	"net/url"
	"testing"
	"time"

	libtotp "github.com/pquerna/otp/totp"
)

// fixedUnix is the test clock (2026-01-01T00:00:17Z, 17 s into a step), so
// tests do not depend on the wall clock.
const fixedUnix = 1_767_225_617

// mustCode generates the library's code for secret at t.
func mustCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := libtotp.GenerateCode(secret, at)
	if err != nil {
		t.Fatalf("GenerateCode: %v", err)
	}
	return code
}

func mustSecret(t *testing.T) Secret {
	t.Helper()
	s, err := NewSecret("Social Media Manager", "alice@example.com")
	if err != nil {
		t.Fatalf("NewSecret: %v", err)
	}
	return s
}

// fixedSecret is the RFC 6238 test secret ("12345678901234567890") in
// base32: with it and fixedUnix every code below is fixed, so no test can
// meet a random coincidence of codes.
const fixedSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestCheckWindow(t *testing.T) {
	fixedNow := time.Unix(fixedUnix, 0)
	sec := Secret{Base32: fixedSecret}
	step := fixedNow.Unix() / 30
	tests := []struct {
		name     string
		offset   time.Duration
		wantStep int64
		wantErr  error
	}{
		{"current step", 0, step, nil},
		{"previous step (skew)", -30 * time.Second, step - 1, nil},
		{"next step (skew)", 30 * time.Second, step + 1, nil},
		{"two steps before", -60 * time.Second, 0, ErrInvalidCode},
		{"two steps after", 60 * time.Second, 0, ErrInvalidCode},
		{"ten minutes before", -10 * time.Minute, 0, ErrInvalidCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := mustCode(t, sec.Base32, fixedNow.Add(tt.offset))
			got, err := Check(sec.Base32, code, fixedNow, 0)
			if !errors.Is(err, tt.wantErr) || got != tt.wantStep {
				t.Errorf("Check: got (%d, %v), want (%d, %v)", got, err, tt.wantStep, tt.wantErr)
			}
		})
	}
}

func TestCheckReplay(t *testing.T) {
	fixedNow := time.Unix(fixedUnix, 0)
	sec := Secret{Base32: fixedSecret}
	code := mustCode(t, sec.Base32, fixedNow)
	step, err := Check(sec.Base32, code, fixedNow, 0)
	if err != nil {
		t.Fatalf("first use: got error %v, want nil", err)
	}
	if got, err := Check(sec.Base32, code, fixedNow, step); !errors.Is(err, ErrReplayed) {
		t.Errorf("same code again with lastStep=%d: got (%d, %v), want ErrReplayed", step, got, err)
	}
	// Still refused 20 seconds later, while the code is inside the window.
	if got, err := Check(sec.Base32, code, fixedNow.Add(20*time.Second), step); !errors.Is(err, ErrReplayed) {
		t.Errorf("same code 20 s later: got (%d, %v), want ErrReplayed", got, err)
	}

	// A newer code (next step, accepted thanks to skew) then an older one.
	newer := mustCode(t, sec.Base32, fixedNow.Add(30*time.Second))
	newStep, err := Check(sec.Base32, newer, fixedNow, 0)
	if err != nil {
		t.Fatalf("newer code: got error %v, want nil", err)
	}
	older := mustCode(t, sec.Base32, fixedNow)
	if older == newer {
		t.Fatalf("fixture: older and newer codes coincide (%s); pick another fixedUnix", older)
	}
	if got, err := Check(sec.Base32, older, fixedNow, newStep); !errors.Is(err, ErrReplayed) {
		t.Errorf("older code after newer (lastStep=%d): got (%d, %v), want ErrReplayed", newStep, got, err)
	}
	// The next step's code is fine after the current one.
	if got, err := Check(sec.Base32, newer, fixedNow, step); err != nil || got != step+1 {
		t.Errorf("newer code after current: got (%d, %v), want (%d, nil)", got, err, step+1)
	}
}

func TestCheckMalformed(t *testing.T) {
	fixedNow := time.Unix(fixedUnix, 0)
	sec := mustSecret(t)
	good := mustCode(t, sec.Base32, fixedNow)
	tests := []struct {
		name string
		code string
	}{
		{"empty", ""},
		{"five digits", good[:5]},
		{"seven digits", good + "0"},
		{"letters", "abcdef"},
		{"space inside", good[:3] + " " + good[3:5]},
		{"padded with spaces", " " + good + " "},
		{"full-width digits", "１２３４５６"},
		{"sign", "+12345"},
		{"recovery code", "abcd-efgh-jk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := Check(sec.Base32, tt.code, fixedNow, 0); !errors.Is(err, ErrInvalidCode) {
				t.Errorf("Check(%q): got (%d, %v), want ErrInvalidCode", tt.code, got, err)
			}
		})
	}
}

func TestCheckWrongCode(t *testing.T) {
	fixedNow := time.Unix(fixedUnix, 0)
	sec := Secret{Base32: fixedSecret}
	good := mustCode(t, sec.Base32, fixedNow)
	wrong := []byte(good)
	wrong[5] = '0' + (wrong[5]-'0'+1)%10
	for s := fixedNow.Unix()/30 - 1; s <= fixedNow.Unix()/30+1; s++ {
		if mustCode(t, sec.Base32, time.Unix(s*30, 0)) == string(wrong) {
			t.Fatalf("fixture: the altered code %s is valid at step %d; pick another fixedUnix", wrong, s)
		}
	}
	if got, err := Check(sec.Base32, string(wrong), fixedNow, 0); !errors.Is(err, ErrInvalidCode) {
		t.Errorf("Check(wrong code): got (%d, %v), want ErrInvalidCode", got, err)
	}
}

func TestCheckBadSecret(t *testing.T) {
	fixedNow := time.Unix(fixedUnix, 0)
	got, err := Check("not base32 !!", "123456", fixedNow, 0)
	if err == nil || errors.Is(err, ErrInvalidCode) || errors.Is(err, ErrReplayed) {
		t.Errorf("Check with undecodable secret: got (%d, %v), want a server-side error (neither ErrInvalidCode nor ErrReplayed)", got, err)
	}
}

// TestRFC6238Vectors runs the SHA1 test vectors of RFC 6238 Appendix B
// through Check (last 6 of the 8 published digits), proving the codes match
// any conforming authenticator.
func TestRFC6238Vectors(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	if got, want := secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; got != want {
		t.Fatalf("base32 secret: got %q, want %q", got, want)
	}
	tests := []struct {
		unix int64
		code string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			step, err := Check(secret, tt.code, time.Unix(tt.unix, 0), 0)
			if err != nil || step != tt.unix/30 {
				t.Errorf("Check(%s at %d): got (%d, %v), want (%d, nil)", tt.code, tt.unix, step, err, tt.unix/30)
			}
		})
	}
}

func TestNewSecretURI(t *testing.T) {
	sec := mustSecret(t)
	if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(sec.Base32); err != nil {
		t.Fatalf("Base32 %q: got decode error %v, want nil", sec.Base32, err)
	}
	if got, want := len(sec.Base32), 32; got != want {
		t.Errorf("Base32 length: got %d, want %d (160 bits)", got, want)
	}
	u, err := url.Parse(sec.URI)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", sec.URI, err)
	}
	q := u.Query()
	checks := []struct {
		what, got, want string
	}{
		{"scheme", u.Scheme, "otpauth"},
		{"host", u.Host, "totp"},
		{"label", u.Path, "/Social Media Manager:alice@example.com"},
		{"secret", q.Get("secret"), sec.Base32},
		{"issuer", q.Get("issuer"), "Social Media Manager"},
		{"algorithm", q.Get("algorithm"), "SHA1"},
		{"digits", q.Get("digits"), "6"},
		{"period", q.Get("period"), "30"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("URI %s: got %q, want %q", c.what, c.got, c.want)
		}
	}
	other := mustSecret(t)
	if other.Base32 == sec.Base32 {
		t.Errorf("two secrets: got both %q, want different", sec.Base32)
	}
}

func TestNewSecretErrors(t *testing.T) {
	tests := []struct {
		name, issuer, account string
	}{
		{"empty issuer", "", "a@example.com"},
		{"empty account", "SMM", ""},
		{"colon in issuer", "S:MM", "a@example.com"},
		{"colon in account", "SMM", "a:b@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := NewSecret(tt.issuer, tt.account); err == nil {
				t.Errorf("NewSecret(%q, %q): got (%+v, nil), want an error", tt.issuer, tt.account, got)
			}
		})
	}
}

func TestFloorDiv(t *testing.T) {
	tests := []struct{ a, b, want int64 }{
		{59, 30, 1}, {60, 30, 2}, {0, 30, 0}, {-1, 30, -1}, {-30, 30, -1}, {-31, 30, -2},
	}
	for _, tt := range tests {
		if got := floorDiv(tt.a, tt.b); got != tt.want {
			t.Errorf("floorDiv(%d, %d): got %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCheckNearEpoch(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	// At unix 10 the window is steps -1, 0, 1; step -1 must be skipped, not
	// wrapped to a huge counter.
	code := mustCode(t, secret, time.Unix(10, 0))
	if got, err := Check(secret, code, time.Unix(10, 0), -1); err != nil || got != 0 {
		t.Errorf("Check at unix 10: got (%d, %v), want (0, nil)", got, err)
	}
	if got, err := Check(secret, "123456", time.Unix(-100, 0), -100); !errors.Is(err, ErrInvalidCode) {
		t.Errorf("Check before the epoch: got (%d, %v), want ErrInvalidCode", got, err)
	}
}
