package actors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
	"google.golang.org/protobuf/proto"
)

// crossWire sends a grain error through what a remote call does to it:
// protobuf encoding and decoding.
func crossWire(t *testing.T, g *cluster.GrainErrorResponse) *cluster.GrainErrorResponse {
	t.Helper()
	b, err := proto.Marshal(g)
	if err != nil {
		t.Fatalf("marshal grain error: %v", err)
	}
	out := &cluster.GrainErrorResponse{}
	if err := proto.Unmarshal(b, out); err != nil {
		t.Fatalf("unmarshal grain error: %v", err)
	}
	return out
}

// TestDomainErrorsCrossTheClusterUnchanged proves every domain code, with
// its field, message and retry delay, comes back from a grain as the same
// domain error, locally and over the wire, and that an internal error
// leaves its detail on the grain's node.
func TestDomainErrorsCrossTheClusterUnchanged(t *testing.T) {
	for _, code := range domain.Codes {
		t.Run(string(code), func(t *testing.T) {
			in := &domain.Error{Code: code, Field: "name", Message: "secret detail of " + string(code), Err: errors.New("cause")}
			if code == domain.CodeRateLimited {
				in.RetryAfter = 1500 * time.Millisecond
			}
			ge := toGrainError(fmt.Errorf("use case: %w", in))
			for _, via := range []struct {
				name string
				err  *cluster.GrainErrorResponse
			}{{"local", ge}, {"remote", crossWire(t, ge)}} {
				got := domain.AsError(fromCallError(via.err))
				if got.Code != code {
					t.Errorf("%s: got code %q, want %q", via.name, got.Code, code)
				}
				if code == domain.CodeInternal {
					if got.Message != "internal error" || got.Field != "" {
						t.Errorf("%s: got message %q field %q, want %q and no field", via.name, got.Message, got.Field, "internal error")
					}
					if strings.Contains(got.Error(), "secret") || strings.Contains(got.Error(), "cause") {
						t.Errorf("%s: got %q, want no detail of the internal error", via.name, got.Error())
					}
					continue
				}
				if got.Field != in.Field || got.Message != in.Message || got.RetryAfter != in.RetryAfter {
					t.Errorf("%s: got field %q message %q retry after %v, want %q %q %v",
						via.name, got.Field, got.Message, got.RetryAfter, in.Field, in.Message, in.RetryAfter)
				}
			}
		})
	}
}

// TestViolationListsCrossTheCluster proves a list of violations (every
// invalid field of a request) comes back whole, in order.
func TestViolationListsCrossTheCluster(t *testing.T) {
	in := domain.Errors{
		domain.Invalid("name", "is required"),
		domain.Invalid("settings.timezone", "is not a time zone"),
		{Code: domain.CodeConflict, Field: "slug", Message: "is taken"},
	}
	ge := crossWire(t, toGrainError(in))
	if ge.Reason != actorpb.ErrorReason_INVALID.String() {
		t.Errorf("got reason %q, want the first violation's %q", ge.Reason, actorpb.ErrorReason_INVALID.String())
	}
	var got domain.Errors
	if !errors.As(fromCallError(ge), &got) {
		t.Fatalf("got %T, want domain.Errors", fromCallError(ge))
	}
	if len(got) != len(in) {
		t.Fatalf("got %d violations, want %d", len(got), len(in))
	}
	for i := range in {
		if got[i].Code != in[i].Code || got[i].Field != in[i].Field || got[i].Message != in[i].Message {
			t.Errorf("violation %d: got %s %q %q, want %s %q %q", i, got[i].Code, got[i].Field, got[i].Message, in[i].Code, in[i].Field, in[i].Message)
		}
	}
}

// TestCallFailuresMapToCodes proves what a call can fail with besides a
// grain's answer: no answer at all is unavailable (the cause kept for the
// logs), a reason protoactor itself answered with is internal, and an
// error that is not a domain error is internal without its text.
func TestCallFailuresMapToCodes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want domain.Code
	}{
		{"timeout", fmt.Errorf("error request: %w", fmt.Errorf("request failed: %w", context.DeadlineExceeded)), domain.CodeUnavailable},
		{"max retries", fmt.Errorf("error request: %w", errors.New("have reached max retries: 3")), domain.CodeUnavailable},
		{"protoactor reason", cluster.NewGrainErrorResponse(cluster.ErrorReason_INVALID_ARGUMENT, "proto: cannot parse"), domain.CodeInternal},
		{"lower-case reason", cluster.NewGrainErrorResponse("not_found", "x"), domain.CodeInternal},
		{"empty reason", cluster.NewGrainErrorResponse("", "x"), domain.CodeInternal},
		{"plain error in the grain", toGrainError(errors.New("pq: secret")), domain.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fromCallError(tt.err)
			if c := domain.ErrorCode(got); c != tt.want {
				t.Errorf("got %s (%v), want %s", c, got, tt.want)
			}
			if strings.Contains(got.Error(), "secret") {
				t.Errorf("got %q, want no detail of an internal error", got.Error())
			}
		})
	}
	if got := fromCallError(tests[0].err); !errors.Is(got, context.DeadlineExceeded) {
		t.Errorf("got %v, want the timeout kept as the cause", got)
	}
	if fromCallError(nil) != nil || toGrainError(nil) != nil {
		t.Errorf("got an error for nil, want nil")
	}
}

// TestErrorReasonsAndCodesMatch proves the enum and domain.Codes have no
// gap either way: each reason names one code and each code one reason.
func TestErrorReasonsAndCodesMatch(t *testing.T) {
	if len(actorpb.ErrorReason_name) != len(domain.Codes) {
		t.Errorf("got %d reasons, want one per domain code (%d)", len(actorpb.ErrorReason_name), len(domain.Codes))
	}
	for _, name := range actorpb.ErrorReason_name {
		code := codeOf(name)
		if !slices.Contains(domain.Codes, code) {
			t.Errorf("reason %s: got code %q, want a domain code", name, code)
		}
		if back := reasonOf(code); back != name {
			t.Errorf("reason %s: got %s back from code %q, want %s", name, back, code, name)
		}
	}
	for _, code := range domain.Codes {
		r := reasonOf(code)
		if code != domain.CodeInternal && r == actorpb.ErrorReason_INTERNAL.String() {
			t.Errorf("code %q: got reason INTERNAL, want its own reason", code)
		}
		if codeOf(r) != code {
			t.Errorf("code %q: got %q back from reason %s", code, codeOf(r), r)
		}
	}
	if got := reasonOf("no_such_code"); got != actorpb.ErrorReason_INTERNAL.String() {
		t.Errorf("unknown code: got reason %s, want INTERNAL", got)
	}
}
