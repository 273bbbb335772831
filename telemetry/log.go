package telemetry

import (
	"context"
	"io"
	"log/slog"
)

// NewLogger builds the process logger: JSON (or text) to w, at level, with
// every record enriched by the ids found in its context.
func NewLogger(w io.Writer, format string, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if format == "text" {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(contextHandler{h})
}

// contextHandler adds the request ids of the record's context to each
// record, so code only has to log with the context to be traceable.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ids := IDsFrom(ctx); ids != nil {
		add := func(k, v string) {
			if v != "" {
				r.AddAttrs(slog.String(k, v))
			}
		}
		add("request_id", ids.RequestID)
		add("correlation_id", ids.CorrelationID)
		add("trace_id", ids.TraceID)
		add("organization_id", ids.OrganizationID)
		add("user_id", ids.UserID)
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(as)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
