package actors

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
)

// Metadata keys of a grain error response.
const (
	metaField      = "field"
	metaRetryAfter = "retry_after_ms"
	metaViolations = "violations"
)

type violation struct {
	Code    domain.Code `json:"code"`
	Field   string      `json:"field,omitempty"`
	Network string      `json:"network,omitempty"`
	Message string      `json:"message"`
}

// reasonOf is the ErrorReason spelling of a domain code; an unknown code
// crosses as INTERNAL.
func reasonOf(code domain.Code) string {
	name := strings.ToUpper(string(code))
	if _, ok := actorpb.ErrorReason_value[name]; !ok {
		return actorpb.ErrorReason_INTERNAL.String()
	}
	return name
}

// codeOf is the domain code of an ErrorReason name; anything unknown (a
// reason protoactor itself answered with) is internal.
func codeOf(reason string) domain.Code {
	if _, ok := actorpb.ErrorReason_value[reason]; !ok {
		return domain.CodeInternal
	}
	return domain.Code(strings.ToLower(reason))
}

// toGrainError turns an error inside the grain into the typed reason it
// crosses the cluster with. The message of an internal error stays on this
// node (it is logged here); the caller sees only that it was internal.
func toGrainError(err error) *cluster.GrainErrorResponse {
	if err == nil {
		return nil
	}
	var list domain.Errors
	if errors.As(err, &list) && len(list) > 0 {
		vs := make([]violation, len(list))
		for i, e := range list {
			vs[i] = violation{Code: e.Code, Field: e.Field, Network: e.Network, Message: e.Message}
		}
		b, _ := json.Marshal(vs)
		return cluster.NewGrainErrorResponse(reasonOf(list[0].Code), list[0].Message).
			WithMetadata(map[string]string{metaViolations: string(b)})
	}
	var e *domain.Error
	if !errors.As(err, &e) || e.Code == domain.CodeInternal {
		return cluster.NewGrainErrorResponse(actorpb.ErrorReason_INTERNAL.String(), "internal error")
	}
	meta := map[string]string{}
	if e.Field != "" {
		meta[metaField] = e.Field
	}
	if e.RetryAfter > 0 {
		meta[metaRetryAfter] = strconv.FormatInt(e.RetryAfter.Milliseconds(), 10)
	}
	return cluster.NewGrainErrorResponse(reasonOf(e.Code), e.Message).WithMetadata(meta)
}

// fromCallError turns what a grain call returned into a domain error: a
// typed reason becomes the same code; anything else (a timeout, no member
// hosting the kind, a dead node) is unavailable, because trying again later
// can succeed.
func fromCallError(err error) error {
	if err == nil {
		return nil
	}
	var g *cluster.GrainErrorResponse
	if !errors.As(err, &g) {
		return domain.Unavailable("the organization's actor", err)
	}
	code := codeOf(g.Reason)
	if v := g.Metadata[metaViolations]; v != "" {
		var vs []violation
		if json.Unmarshal([]byte(v), &vs) == nil && len(vs) > 0 {
			list := make(domain.Errors, len(vs))
			for i, x := range vs {
				list[i] = &domain.Error{Code: x.Code, Field: x.Field, Network: x.Network, Message: x.Message}
			}
			return list
		}
	}
	if code == domain.CodeInternal {
		return domain.Internal(g)
	}
	out := &domain.Error{Code: code, Message: g.Message, Field: g.Metadata[metaField], Err: g}
	if ms, err := strconv.ParseInt(g.Metadata[metaRetryAfter], 10, 64); err == nil && ms > 0 {
		out.RetryAfter = time.Duration(ms) * time.Millisecond
	}
	return out
}
