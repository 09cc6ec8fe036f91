package main

import (
	"context"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/daemon"
)

func checkCommand() command {
	return command{
		Name:    "check",
		Usage:   "[--config FILE] [--offline] [--timeout D]",
		Summary: "validate the config, show what would run, and test the store and the Slack and Discord tokens",
		Run:     runCheck,
	}
}

func runCheck(ctx context.Context, env *Env, args []string) error {
	c := checkCommand()
	fs := newFlagSet(env, c)
	configFlag := fs.String("config", "", "the config `FILE` (default $"+config.EnvConfig+", else ./"+config.DefaultFile+")")
	offline := fs.Bool("offline", false, "check the file only: do not open the store or call Slack and Discord")
	timeout := fs.Duration("timeout", daemon.DefaultCheckTimeout, "give each network or database check at most `D`")
	extra, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		fs.Usage()
		return errUsage
	}
	path := config.PathFrom(*configFlag, env.Getenv)
	if path == "" {
		return fmt.Errorf("no config file to check: give --config FILE, set %s or put a %s in the working directory (without one, briefbot run runs the demo)",
			config.EnvConfig, config.DefaultFile)
	}
	cfg, err := config.Load(path, env.Getenv)
	if err != nil {
		return err
	}
	return daemon.Check(ctx, cfg, env.Stdout, daemon.CheckOptions{Now: time.Now, Offline: *offline, Timeout: *timeout})
}
