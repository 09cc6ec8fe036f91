package main

import (
	"context"
	"errors"
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
	level := new(slog.LevelVar) // log.level may change on SIGHUP
	level.Set(cfg.Log.SlogLevel())
	log := cfg.Log.NewLoggerAt(env.Stderr, level)
	log.Info("configuration read", slog.String("file", absPath(path)))
	app, err := daemon.New(cfg, daemon.Options{
		Logger:       log,
		LogLevel:     level,
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
	// From here on SIGHUP reloads the file instead of stopping briefbot.
	reloads, release := env.Hangups.take()
	defer release()
	done := make(chan error, 1)
	go func() { done <- app.Run(ctx) }()
	var runErr error
	for running := true; running; {
		select {
		case runErr = <-done:
			running = false
		case <-reloads:
			reloadConfig(ctx, log, app, path, env.Getenv)
		}
	}
	if err := app.Close(); err != nil {
		log.Warn("close", slog.Any("error", err))
	}
	return runErr
}

// reloadConfig reads the config file again and applies what can change while briefbot runs
// (daemon.App.Reload). A file that cannot be read, or has problems, changes nothing: the
// problems are logged, one line each as briefbot check prints them, and briefbot goes on with
// the configuration it has.
func reloadConfig(ctx context.Context, log *slog.Logger, app *daemon.App, path string, getenv func(string) string) {
	log.Info("SIGHUP: reloading the configuration", slog.String("file", absPath(path)))
	cfg, err := config.Load(path, getenv)
	var cfgErr *config.Error
	switch {
	case errors.As(err, &cfgErr):
		log.Error("configuration not reloaded: it has "+cfgErr.Count()+"; still running on the previous one",
			slog.Int("problems", len(cfgErr.Problems)))
		for _, l := range cfgErr.Lines() {
			log.Error(l)
		}
		return
	case err != nil:
		log.Error("configuration not reloaded: still running on the previous one", slog.Any("error", err))
		return
	}
	if _, err := app.Reload(ctx, cfg); err != nil {
		log.Error("configuration reload failed; send SIGHUP again to retry", slog.Any("error", err))
	}
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
