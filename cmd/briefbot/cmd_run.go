package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime/debug"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/daemon"
)

func runCommand() command {
	return command{
		Name:  "run",
		Usage: "[--config FILE] [--replica-id ID] [--listen ADDR] [--no-poll]",
		Summary: "run briefbot: ingest sources, deliver scheduled briefings, answer /brief, serve HTTP " +
			"(without a config file: the demo)",
		Run: runRun,
	}
}

func runRun(ctx context.Context, env *Env, args []string) error {
	c := runCommand()
	fs := newFlagSet(env, c)
	configFlag := fs.String("config", "", "the config `FILE` (default $"+config.EnvConfig+", else ./"+config.DefaultFile+"; none: run the demo)")
	replica := fs.String("replica-id", "", "name this process in the delivery ledger (default schedule.replica_id, else hostname-pid)")
	listen := fs.String("listen", "", "serve HTTP on `ADDR` instead of http.listen (host:port; port 0 picks a free one)")
	noPoll := fs.Bool("no-poll", false, "leave the sources alone: this replica delivers and answers, another one ingests")
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
		fmt.Fprintf(env.Stderr, "briefbot run: no config file (--config FILE, $%s or ./%s): running the demo.\n", config.EnvConfig, config.DefaultFile)
		return runDemoWith(ctx, env, "", "")
	}
	cfg, err := config.Load(path, env.Getenv)
	if err != nil {
		return err
	}
	log := cfg.Log.NewLogger(env.Stderr)
	log.Info("configuration read", slog.String("file", absPath(path)))
	app, err := daemon.New(cfg, daemon.Options{
		Logger:       log,
		Listen:       *listen,
		ReplicaID:    *replica,
		NoPoll:       *noPoll,
		Console:      env.Stdout,
		Version:      version(),
		ConsoleWidth: terminalWidth(env),
	})
	if err != nil {
		log.Error("briefbot cannot start", slog.Any("error", err))
		return err
	}
	runErr := app.Run(ctx)
	if err := app.Close(); err != nil {
		log.Warn("close", slog.Any("error", err))
	}
	return runErr
}

// absPath is path made absolute for the log, or path itself when that fails.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// buildVersion is set at build time: go build -ldflags "-X main.buildVersion=v1.2.3".
var buildVersion string

// version is the version briefbot was built as: buildVersion when set, else the module version
// with the VCS revision when the build recorded one, else "dev".
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "dev"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
	}
	return v
}
