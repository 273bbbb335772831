package domain

import (
	"testing"
	"time"
)

func TestAfterFailure(t *testing.T) {
	tests := []struct {
		name       string
		class      string
		used       int
		retryAfter time.Duration
		want       NextStep
	}{
		{"first retry", ClassRetryable, 0, 0, NextStep{Status: PublicationRetryScheduled, Delay: 60 * time.Second, SpendRetry: true, Outcome: AttemptRetry}},
		{"second retry", ClassRetryable, 1, 0, NextStep{Status: PublicationRetryScheduled, Delay: 300 * time.Second, SpendRetry: true, Outcome: AttemptRetry}},
		{"third retry", ClassRetryable, 2, 0, NextStep{Status: PublicationRetryScheduled, Delay: 900 * time.Second, SpendRetry: true, Outcome: AttemptRetry}},
		{"dead letter", ClassRetryable, 3, 0, NextStep{Status: PublicationFailed, Outcome: AttemptFailed}},
		{"rate limited waits as told", ClassRateLimited, 3, 42 * time.Second, NextStep{Status: PublicationRetryScheduled, Delay: 42 * time.Second, Outcome: AttemptDeferred}},
		{"rate limited default", ClassRateLimited, 0, 0, NextStep{Status: PublicationRetryScheduled, Delay: DefaultRateLimitWait, Outcome: AttemptDeferred}},
		{"quota default", ClassQuotaExhausted, 0, 0, NextStep{Status: PublicationRetryScheduled, Delay: DefaultQuotaWait, Outcome: AttemptDeferred}},
		{"breaker open", ClassCircuitOpen, 1, 30 * time.Second, NextStep{Status: PublicationRetryScheduled, Delay: 30 * time.Second, Outcome: AttemptDeferred}},
		{"auth expired", ClassAuthExpired, 0, 0, NextStep{Status: PublicationFailed, Outcome: AttemptFailed}},
		{"permanent", ClassPermanent, 0, time.Minute, NextStep{Status: PublicationFailed, Outcome: AttemptFailed}},
		{"unknown class fails", "weird", 0, 0, NextStep{Status: PublicationFailed, Outcome: AttemptFailed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AfterFailure(tt.class, tt.used, tt.retryAfter, "boom", RetryDelays)
			if got.Reason == "" {
				t.Errorf("got no reason, want one")
			}
			got.Reason = ""
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestClaimantGone(t *testing.T) {
	live := []string{"smm/a", "smm/b"}
	tests := []struct {
		claimant, member string
		live             []string
		want             bool
	}{
		{"smm/c", "smm/a", live, true},       // left our cluster
		{"smm/b", "smm/a", live, false},      // still a member
		{"other/c", "smm/a", live, false},    // another cluster: its lease decides
		{"smm/c", "smm/a", nil, false},       // membership unknown
		{"", "smm/a", live, false},           // no claimant
		{"c", "a", []string{"a", "b"}, true}, // no cluster name on either side
	}
	for _, tt := range tests {
		if got := ClaimantGone(tt.claimant, tt.member, tt.live); got != tt.want {
			t.Errorf("ClaimantGone(%q, %q, %v): got %v, want %v", tt.claimant, tt.member, tt.live, got, tt.want)
		}
	}
}
