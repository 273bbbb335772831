package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/redis/go-redis/v9"
	"github.com/socialmediamanager/smm/cmd/app"
	"github.com/socialmediamanager/smm/config"
	"github.com/socialmediamanager/smm/telemetry"
)

func loadConfig() (config.Config, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return cfg, usageError{fmt.Errorf("configuration:\n%w", err)}
	}
	return cfg, nil
}

// redisLog adapts the structured logger to the Redis client's hook.
type redisLog struct{ l *slog.Logger }

func (r redisLog) Printf(ctx context.Context, format string, v ...any) {
	r.l.WarnContext(ctx, "redis client", slog.String("detail", fmt.Sprintf(format, v...)))
}

func serve(ctx context.Context, logOut io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	logger := telemetry.NewLogger(logOut, cfg.LogFormat, cfg.LogLevel)
	// The Redis client logs its own connection troubles through a
	// process-wide hook: send them to the structured log, not stderr.
	redis.SetLogger(redisLog{logger})
	logger.Info("starting smm", slog.String("version", versionString()), slog.Any("config", cfg))
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}
