package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

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

func serve(ctx context.Context, logOut io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	logger := telemetry.NewLogger(logOut, cfg.LogFormat, cfg.LogLevel)
	logger.Info("starting smm", slog.String("version", versionString()), slog.Any("config", cfg))
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}
