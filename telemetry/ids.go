// Package telemetry carries the request-scoped identifiers (request,
// correlation and trace ids, and the organization and user once known)
// through context.Context, and puts them on every log line written with that
// context.
package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// IDs are the identifiers that tie log lines, jobs and responses of one
// request together.
type IDs struct {
	RequestID      string
	CorrelationID  string
	TraceID        string
	SpanID         string
	OrganizationID string
	UserID         string
}

type idsKey struct{}

// WithIDs returns a context carrying ids. The value is a pointer so that
// middleware further down (authentication) can fill in the organization and
// user for the lines that the access log writes afterwards.
func WithIDs(ctx context.Context, ids *IDs) context.Context {
	return context.WithValue(ctx, idsKey{}, ids)
}

// IDsFrom returns the ids in ctx, or nil when there are none.
func IDsFrom(ctx context.Context) *IDs {
	ids, _ := ctx.Value(idsKey{}).(*IDs)
	return ids
}

// NewID returns 16 random bytes as 32 hex digits, the size of a W3C trace id.
func NewID() string { return randomHex(16) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// TraceParent is a parsed W3C traceparent header (version 00).
type TraceParent struct {
	TraceID  string
	ParentID string
	Flags    string
}

// ParseTraceParent parses a W3C traceparent header. It reports false for
// anything malformed, including the all-zero ids the standard forbids, so
// callers start a new trace instead.
func ParseTraceParent(h string) (TraceParent, bool) {
	parts := strings.Split(strings.TrimSpace(h), "-")
	if len(parts) < 4 || len(parts[0]) != 2 || parts[0] == "ff" {
		return TraceParent{}, false
	}
	if parts[0] == "00" && len(parts) != 4 {
		return TraceParent{}, false
	}
	tp := TraceParent{TraceID: parts[1], ParentID: parts[2], Flags: parts[3]}
	if !isLowerHex(parts[0], 2) || !isLowerHex(tp.TraceID, 32) || !isLowerHex(tp.ParentID, 16) || !isLowerHex(tp.Flags, 2) {
		return TraceParent{}, false
	}
	if tp.TraceID == strings.Repeat("0", 32) || tp.ParentID == strings.Repeat("0", 16) {
		return TraceParent{}, false
	}
	return tp, true
}

// NewSpanID returns a fresh 8-byte span id in hex.
func NewSpanID() string { return randomHex(8) }

// String renders the traceparent header for this hop.
func (tp TraceParent) String() string {
	return "00-" + tp.TraceID + "-" + tp.ParentID + "-" + tp.Flags
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
