package api

import (
	"io"
	"log/slog"

	"github.com/socialmediamanager/smm/telemetry"
)

// testContextHandler is the production logger's handler writing JSON to w,
// so tests see exactly the fields a real log line has.
func testContextHandler(w io.Writer) slog.Handler {
	return telemetry.NewLogger(w, "json", slog.LevelInfo).Handler()
}
