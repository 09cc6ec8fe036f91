package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"

	"github.com/briefbot/briefbot/config"
)

// ReloadReport says what Reload did.
type ReloadReport struct {
	// Synced counts the topics and subscriptions synced to the store, as at start.
	Synced SyncReport
	// LogLevel is the new log.level when it changed and was applied, else "".
	LogLevel string
	// Restart names the sections that differ from the running configuration but take effect
	// only at a restart ("sources", "slack", "log.format"…), in the order of the file's keys.
	Restart []string
	// Skipped labels the channels left out because they are on a platform this process did
	// not start (a console channel added to a Slack-only configuration): a restart adds them.
	Skipped []string
}

// restartSections are the parts of the configuration that the running App read once, at New:
// a change to one of them applies at the next start.
var restartSections = []struct {
	name  string
	value func(*config.Config) any
}{
	{"store", func(c *config.Config) any { return c.Store }},
	{"http", func(c *config.Config) any { return c.HTTP }},
	{"slack", func(c *config.Config) any { return []any{c.Slack, c.SlackEnabled()} }},
	{"discord", func(c *config.Config) any { return []any{c.Discord, c.DiscordEnabled()} }},
	{"sources", func(c *config.Config) any { return c.Sources }},
	{"admin_channel", func(c *config.Config) any { return c.AdminChannel }},
	{"schedule", func(c *config.Config) any { return c.Schedule }},
	{"retention", func(c *config.Config) any { return c.Retention }},
	{"health", func(c *config.Config) any { return c.Health }},
	{"ingest", func(c *config.Config) any { return c.Ingest }},
}

// Reload applies cfg, the configuration read again while the App runs, as far as it can be
// applied live:
//
//   - the topics and channel subscriptions are synced to the store as New syncs them
//     (SyncConfig), and the scheduler re-reads the subscriptions at once;
//   - log.level changes, when Options.LogLevel is the level of the App's logger.
//
// The other sections are read only at start: each that differs from the configuration the App
// started with is logged as a warning ("sources changed: restart briefbot to apply") and named
// in the report, and the App goes on with the old one. A channel on a platform this App did not
// start is left out, with a warning, until a restart.
//
// Reload may be called while Run runs; calls take turns. On error (the store failed) nothing
// but part of the sync was applied, and a later Reload may complete it.
func (a *App) Reload(ctx context.Context, cfg *config.Config) (ReloadReport, error) {
	if cfg == nil {
		return ReloadReport{}, fmt.Errorf("daemon: reload: no configuration")
	}
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	var rep ReloadReport

	// Channels on a platform that has no poster here could not be delivered to.
	live := *cfg
	live.Channels = nil
	for _, ch := range cfg.Channels {
		if _, ok := a.posters[ch.Platform]; !ok {
			rep.Skipped = append(rep.Skipped, ch.Label())
			a.log.Warn(fmt.Sprintf("channel %s is on %s, which this briefbot did not start: restart briefbot to apply", ch.Label(), ch.Platform),
				slog.String("channel", ch.Label()), slog.String("platform", ch.Platform))
			continue
		}
		live.Channels = append(live.Channels, ch)
	}
	synced, err := SyncConfig(ctx, a.store, &live, a.clock.Now())
	if err != nil {
		return rep, err
	}
	rep.Synced = synced

	for _, s := range restartSections {
		if !reflect.DeepEqual(s.value(cfg), s.value(a.cfg)) {
			rep.Restart = append(rep.Restart, s.name)
		}
	}
	// The level first, so that the scheduler logs its reload at the new one.
	switch level := cfg.Log.SlogLevel(); {
	case a.opts.LogLevel != nil:
		if a.opts.LogLevel.Level() != level {
			a.opts.LogLevel.Set(level)
			rep.LogLevel = cfg.Log.Level
		}
	case cfg.Log.Level != a.cfg.Log.Level:
		rep.Restart = append(rep.Restart, "log.level")
	}
	if cfg.Log.Format != a.cfg.Log.Format {
		rep.Restart = append(rep.Restart, "log.format")
	}
	a.scheduler.Reload()
	for _, name := range rep.Restart {
		a.log.Warn(name+" changed: restart briefbot to apply", slog.String("section", name))
	}

	// The file as an absolute path, as briefbot run logs it when it reads the file.
	file := cfg.File
	if abs, err := filepath.Abs(file); err == nil && file != "" {
		file = abs
	}
	attrs := []any{slog.String("file", file),
		slog.Int("topics", synced.Topics), slog.Int("topics_removed", synced.TopicsRemoved),
		slog.Int("subscriptions", synced.Subscriptions), slog.Int("subscriptions_removed", synced.SubscriptionsRemoved)}
	if rep.LogLevel != "" {
		attrs = append(attrs, slog.String("log_level", rep.LogLevel))
	}
	if len(rep.Restart) > 0 {
		attrs = append(attrs, slog.Any("restart_needed", rep.Restart))
	}
	a.log.Info("configuration reloaded", attrs...)
	return rep, nil
}
