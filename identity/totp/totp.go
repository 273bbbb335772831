// Package totp implements the second factor of sign-in (DESIGN.md §5):
// RFC 6238 time-based one-time passwords with the settings every
// authenticator app understands (SHA1, 6 digits, 30-second steps, one step
// of clock skew either way), protection against replaying a code, and
// single-use recovery codes.
//
// The package holds no state: callers keep the secret (sealed with the
// encryption package, bound to the user by its associated data), the last
// accepted time step and the recovery code hashes, and pass them in. The
// code arithmetic is github.com/pquerna/otp's, a widely used implementation.
package totp

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	libtotp "github.com/pquerna/otp/totp"
)

const (
	// period is the length of one time step in seconds (RFC 6238's X).
	period = 30
	// skew is how many steps before and after the current one are accepted,
	// to allow for clock drift and the time a person takes to type.
	skew = 1
	// digits is the code length authenticator apps show.
	digits = 6
	// secretSize is the secret length in bytes: 160 bits, as RFC 4226
	// recommends for HMAC-SHA1.
	secretSize = 20
)

// ErrInvalidCode is returned by Check when a code is malformed or matches no
// step in the accepted window, so the caller can answer "code is not valid"
// without telling a wrong code from a badly typed one.
var ErrInvalidCode = errors.New("totp: invalid code")

// ErrReplayed is returned by Check when a code is right but its time step is
// not after the last accepted one: a code is good once, and an older code is
// refused after a newer one, so an observed code cannot be reused.
var ErrReplayed = errors.New("totp: code already used")

// Secret is a new TOTP secret and its provisioning URI, which the user adds
// to an authenticator app (as a QR code or by typing Base32). Only Base32
// needs storing, encrypted; the URI can be rebuilt but is shown once at setup.
type Secret struct {
	// Base32 is the shared secret, RFC 4648 base32 without padding.
	Base32 string
	// URI is otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30.
	URI string
}

// NewSecret returns a fresh random 160-bit secret and its otpauth:// URI for
// issuer (the service name shown in the app) and account (usually the
// user's email). Neither may be empty or contain a colon, because the URI
// label is "issuer:account" and apps would split it wrongly.
func NewSecret(issuer, account string) (Secret, error) {
	if issuer == "" || account == "" {
		return Secret{}, fmt.Errorf("totp: new secret: issuer and account must not be empty")
	}
	if strings.Contains(issuer, ":") || strings.Contains(account, ":") {
		return Secret{}, fmt.Errorf("totp: new secret: issuer and account must not contain ':'")
	}
	key, err := libtotp.Generate(libtotp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      period,
		SecretSize:  secretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return Secret{}, fmt.Errorf("totp: new secret for issuer %q: %w", issuer, err)
	}
	return Secret{Base32: key.Secret(), URI: key.URL()}, nil
}

// Check validates code against secretBase32 at time now and returns the time
// step (unix seconds / 30) that matched, looking at the current step and one
// on either side. The caller stores that step and passes it back as lastStep
// next time (0 before any code was accepted): a right code whose step is
// <= lastStep returns ErrReplayed, so each code works once and an older code
// cannot follow a newer one. To stay safe with concurrent requests the caller
// must store the step conditionally (only if it is still greater than the
// stored one).
//
// A code that is not exactly 6 ASCII digits, or matches no step in the
// window, returns ErrInvalidCode. Any other error (an undecodable secret) is
// a server-side fault, not the user's. When a code happens to match more
// than one step of the window, the latest is returned, which is the stricter
// choice for replay protection.
func Check(secretBase32, code string, now time.Time, lastStep int64) (step int64, err error) {
	if !isSixDigits(code) {
		return 0, ErrInvalidCode
	}
	current := floorDiv(now.Unix(), period)
	opts := libtotp.ValidateOpts{
		Period:    period,
		Skew:      0, // each step is checked on its own, to learn which one matched
		Digits:    otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1,
	}
	matched := int64(-1)
	// Every step of the window is checked, even after a match, so the time
	// taken does not depend on which step matched.
	for s := current - skew; s <= current+skew; s++ {
		if s < 0 {
			continue
		}
		ok, err := libtotp.ValidateCustom(code, secretBase32, time.Unix(s*period, 0), opts)
		if err != nil {
			return 0, fmt.Errorf("totp: check code at step %d: %w", s, err)
		}
		if ok {
			matched = s
		}
	}
	if matched < 0 {
		return 0, ErrInvalidCode
	}
	if matched <= lastStep {
		return 0, ErrReplayed
	}
	return matched, nil
}

// isSixDigits reports whether s is exactly six ASCII digits, checked before
// any library call so malformed input never reaches the HMAC code.
func isSixDigits(s string) bool {
	if len(s) != digits {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// floorDiv divides rounding toward negative infinity, so times before 1970
// fall in the right (negative) step instead of step 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
