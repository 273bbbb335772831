package keyrotation

import (
	"fmt"
	"io"

	"github.com/google/uuid"
)

// Kinds of secret the job rotates, as named in its report and output.
const (
	KindSocialTokens = "social tokens"
	KindTOTPSecrets  = "totp secrets"
)

// Failure is a row whose secret did not open, so it was left as it is: the
// operator must look at it (restore the key it was sealed with, or have the
// account reconnected / 2FA set up again) before dropping old keys.
type Failure struct {
	Kind string
	// ID is the social account's id, or the user's.
	ID uuid.UUID
	// Org is the account's organization; uuid.Nil for a user.
	Org uuid.UUID
	// Reason says why it did not open (unknown key id, failed
	// authentication, malformed), never the secret.
	Reason string
}

// String names the row and the reason, for progress and summaries.
func (f Failure) String() string {
	if f.Org != uuid.Nil {
		return fmt.Sprintf("%s: social account %s (organization %s): %s", f.Kind, f.ID, f.Org, f.Reason)
	}
	return fmt.Sprintf("%s: user %s: %s", f.Kind, f.ID, f.Reason)
}

// Counts is the outcome for one kind of secret, so an operator sees both
// what moved and what is left.
type Counts struct {
	// Rotated rows were re-sealed under the primary key (in a dry run:
	// would have been, and do open).
	Rotated int
	// Current rows were already under the primary key. For social tokens
	// these are counted in the organizations that had rows to rotate, the
	// only ones the job visits.
	Current int
	// Changed rows were rewritten by someone else between the job's read
	// and its write (a token refresh, 2FA set up again); the job left them,
	// and a later run re-seals them if they are still under an old key.
	Changed int
	// Failed rows did not open and were left as they are.
	Failed []Failure
}

// Report is what a run did, per kind of secret.
type Report struct {
	PrimaryKeyID string
	DryRun       bool
	SocialTokens Counts
	TOTPSecrets  Counts
}

// Failures returns every row that did not open, social tokens first, so the
// caller can list them and exit non-zero.
func (r Report) Failures() []Failure {
	out := make([]Failure, 0, len(r.SocialTokens.Failed)+len(r.TOTPSecrets.Failed))
	out = append(out, r.SocialTokens.Failed...)
	return append(out, r.TOTPSecrets.Failed...)
}

// WriteSummary writes one line per kind of secret and one per failure, the
// end of the command's output.
func (r Report) WriteSummary(w io.Writer) {
	verb := "rotated"
	if r.DryRun {
		verb = "to rotate (dry run, nothing written)"
	}
	for _, k := range []struct {
		kind string
		c    Counts
	}{{KindSocialTokens, r.SocialTokens}, {KindTOTPSecrets, r.TOTPSecrets}} {
		fmt.Fprintf(w, "%s: %d %s, %d already under key %q, %d changed concurrently, %d failed\n",
			k.kind, k.c.Rotated, verb, k.c.Current, r.PrimaryKeyID, k.c.Changed, len(k.c.Failed))
	}
	for _, f := range r.Failures() {
		fmt.Fprintf(w, "failed: %s\n", f)
	}
}
