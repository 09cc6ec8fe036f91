// Package daemon wires briefbot together: the store, ingestion, the briefing engine, the
// scheduler, the chat platforms and the HTTP server, as one App that `briefbot run` starts and an
// end-to-end test can boot on a random port with a temporary database.
//
//	app, err := daemon.New(cfg, daemon.Options{})
//	if err != nil { … }
//	defer app.Close()
//	err = app.Run(ctx) // until ctx ends (SIGTERM), then a clean shutdown
//
// While it runs, Reload applies a configuration read again (SIGHUP): topics, channel
// subscriptions and the log level change live; the rest waits for a restart.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/briefing/ingest"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/metrics"
)

// DefaultShutdownTimeout bounds how long posts and commands in flight may finish once Run's
// context ends.
const DefaultShutdownTimeout = 10 * time.Second

// Options adjust an App; every field may be left zero. Tests use them to inject a clock, a
// random port, their own registry and HTTP clients that reach fake servers.
type Options struct {
	// Clock drives everything that reads the time: schedules, leases, briefing windows, ingest
	// dates, signature freshness. Default: the system clock.
	Clock bot.Clock
	// Logger receives the App's logs; default: config log.level and log.format on os.Stderr.
	Logger *slog.Logger
	// Listen overrides http.listen ("127.0.0.1:0" picks a free port; Addr tells which).
	Listen string
	// Registry collects the App's metrics, served at /metrics; default: a new registry. The Go
	// runtime, process and build-info collectors are added unless it holds them; it must not
	// hold another App's briefbot metrics.
	Registry *prometheus.Registry
	// HTTPClient makes the calls to Slack and Discord; default: each adapter's own.
	HTTPClient *http.Client
	// FeedClient fetches feeds and article pages; default: ingest's own, which refuses
	// private-network addresses for sources that do not allow them.
	FeedClient *http.Client
	// Console is where briefings for console channels are written; default os.Stdout.
	Console io.Writer
	// ConsoleWidth is the width console briefings are wrapped at (0: 80 columns).
	ConsoleWidth int
	// ReplicaID overrides schedule.replica_id.
	ReplicaID string
	// NoPoll leaves the sources alone (no folder scans, no feed polls): for replicas that only
	// deliver and answer commands while another one ingests.
	NoPoll bool
	// ShutdownTimeout bounds how long posts in flight may finish at shutdown (default
	// DefaultShutdownTimeout).
	ShutdownTimeout time.Duration
	// Version is reported by /healthz and the briefbot_build_info metric.
	Version string
	// LogLevel, when set, is the level of Logger: Reload sets it to the new log.level.
	LogLevel *slog.LevelVar
}

// App is one running briefbot: built by New, run by Run, released by Close.
type App struct {
	cfg     *config.Config
	opts    Options
	log     *slog.Logger
	clock   bot.Clock
	started time.Time

	registry *prometheus.Registry
	metrics  *metrics.Metrics

	store     store.Store
	ingester  *ingest.Ingester
	poller    *ingest.Poller
	folders   []ingest.Source // folder sources, scanned once at start
	briefer   *bot.Briefer
	router    *bot.Router
	health    *bot.Health
	scheduler *bot.Scheduler
	posters   map[string]bot.Poster
	slack     *slack.Bot
	discord   *discord.Bot

	listener net.Listener
	server   *http.Server

	running  atomic.Bool // Run has been called
	reloadMu sync.Mutex  // Reload calls take turns

	closeOnce sync.Once
	closeErr  error
}

// New builds an App from a validated configuration: it opens (and migrates) the store, makes the
// config file's topics and channel subscriptions the store's, prepares ingestion, the scheduler
// and the platforms, and binds the HTTP listener, so that Addr is known before Run. Nothing is
// polled, scheduled or posted until Run. On error everything opened is closed again.
func New(cfg *config.Config, opts Options) (_ *App, err error) {
	if cfg == nil {
		return nil, errors.New("daemon: no configuration")
	}
	a := &App{cfg: cfg, opts: opts, clock: opts.Clock, posters: map[string]bot.Poster{}}
	if a.clock == nil {
		a.clock = bot.SystemClock()
	}
	a.started = a.clock.Now()
	a.log = opts.Logger
	if a.log == nil {
		a.log = cfg.Log.NewLogger(os.Stderr)
	}
	if a.opts.ShutdownTimeout <= 0 {
		a.opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if a.opts.Console == nil {
		a.opts.Console = os.Stdout
	}
	if a.opts.ReplicaID == "" {
		a.opts.ReplicaID = cfg.Schedule.ReplicaID
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()

	a.registry = opts.Registry
	if a.registry == nil {
		a.registry = prometheus.NewRegistry()
	}
	registerRuntimeCollectors(a.registry, opts.Version)
	a.metrics = metrics.New(a.registry)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a.store, err = store.Open(ctx, cfg.Store, store.Options{Now: a.clock.Now, Logger: a.log})
	if err != nil {
		return nil, fmt.Errorf("daemon: %w", err)
	}
	synced, err := SyncConfig(ctx, a.store, cfg, a.clock.Now())
	if err != nil {
		return nil, err
	}
	a.log.Info("configuration synced to the store", slog.Int("topics", synced.Topics),
		slog.Int("topics_removed", synced.TopicsRemoved), slog.Int("subscriptions", synced.Subscriptions),
		slog.Int("subscriptions_removed", synced.SubscriptionsRemoved))

	if err := a.buildIngest(); err != nil {
		return nil, err
	}
	if err := a.buildBot(); err != nil {
		return nil, err
	}
	if err := a.buildHTTP(); err != nil {
		return nil, err
	}
	return a, nil
}

// registerRuntimeCollectors adds the Go runtime, process and build-info collectors to reg,
// leaving alone those it holds already.
func registerRuntimeCollectors(reg *prometheus.Registry, version string) {
	if version == "" {
		version = "dev"
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "briefbot_build_info",
		Help:        "Always 1; the version label says which briefbot runs.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	info.Set(1)
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		info,
	} {
		// A registry given in Options may hold these already: it keeps its own.
		_ = reg.Register(c)
	}
}

// buildIngest prepares the ingester and the poller of the configured sources.
func (a *App) buildIngest() error {
	a.ingester = ingest.New(a.store, ingest.Options{
		Now:        a.clock.Now,
		Logger:     a.log.With(slog.String("component", "ingest")),
		Metrics:    a.metrics,
		HTTPClient: a.opts.FeedClient,
		MaxBytes:   int64(a.cfg.Ingest.MaxBytes),
	})
	sources := ingestSources(a.cfg.Sources)
	for _, s := range sources {
		if s.Path != "" {
			a.folders = append(a.folders, s)
		}
	}
	var err error
	a.poller, err = ingest.NewPoller(a.ingester, sources, ingest.PollerOptions{
		FailingAfter: a.cfg.Health.SourceFailingAfter,
	})
	if err != nil {
		return fmt.Errorf("daemon: sources: %w", err)
	}
	return nil
}

// ingestSources turns the config's sources into ingest's.
func ingestSources(srcs []config.Source) []ingest.Source {
	out := make([]ingest.Source, 0, len(srcs))
	for _, s := range srcs {
		out = append(out, ingest.Source{
			Name: s.Name, Feed: s.Feed, Path: s.Path, Every: s.Every,
			FetchPage: ingest.FetchPage(s.FetchPage), AllowPrivate: s.AllowPrivate,
			Timeout: s.Timeout, MaxBytes: int64(s.MaxBytes),
		})
	}
	return out
}

// buildBot prepares the briefer, the router, the platforms, the health monitor and the
// scheduler.
func (a *App) buildBot() error {
	a.briefer = &bot.Briefer{Store: a.store, Now: a.clock.Now}
	router, err := bot.NewRouter(bot.RouterConfig{
		Store:   a.store,
		Briefer: a.briefer,
		Logger:  a.log,
		Metrics: a.metrics,
		Now:     a.clock.Now,
		// A subscription changed by a command is scheduled at once on this replica; the others
		// see it at their next reload.
		OnChange: func() {
			if a.scheduler != nil {
				a.scheduler.Reload()
			}
		},
	})
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	a.router = router

	if err := a.buildPlatforms(); err != nil {
		return err
	}

	var sources []string
	for _, s := range a.cfg.Sources {
		sources = append(sources, s.Name)
	}
	a.health = bot.NewHealth(bot.HealthOptions{
		Feeds:              a.store,
		Sources:            sources,
		SourceFailingAfter: a.cfg.Health.SourceFailingAfter,
		Admin:              bot.AdminChannel{Platform: a.cfg.AdminChannel.Platform, ChannelID: a.cfg.AdminChannel.ID},
		Posters:            a.posters,
		Clock:              a.clock,
		Logger:             a.log,
	})
	a.scheduler = bot.NewScheduler(bot.SchedulerOptions{
		Store:           a.store,
		Briefer:         a.briefer,
		Posters:         a.posters,
		ReplicaID:       a.opts.ReplicaID,
		Clock:           a.clock,
		Grace:           a.cfg.Schedule.Grace,
		MaxWindow:       a.cfg.Schedule.MaxWindow,
		Lease:           a.cfg.Schedule.Lease,
		ShutdownTimeout: a.opts.ShutdownTimeout,
		Logger:          a.log,
		Metrics:         a.metrics,
		Health:          a.health,
	})
	return nil
}

// buildPlatforms makes the Slack and Discord adapters the config enables, and the console poster
// when a channel is on the console or no chat platform is configured.
func (a *App) buildPlatforms() error {
	cfg := a.cfg
	if cfg.SlackEnabled() {
		sc := slackConfig(cfg.Slack, a.opts.HTTPClient)
		sc.Logger, sc.Metrics, sc.Now = a.log, a.metrics, a.clock.Now
		b, err := slack.New(sc, a.router)
		if err != nil {
			return fmt.Errorf("daemon: %w", err)
		}
		a.slack = b
		a.posters[config.PlatformSlack] = b
	}
	if cfg.DiscordEnabled() {
		dc := discordConfig(cfg.Discord, a.opts.HTTPClient)
		dc.Logger, dc.Metrics, dc.Now = a.log, a.metrics, a.clock.Now
		b, err := discord.New(dc, a.router)
		if err != nil {
			return fmt.Errorf("daemon: %w", err)
		}
		a.discord = b
		a.posters[config.PlatformDiscord] = b
	}
	if needsConsole(cfg) {
		a.posters[config.PlatformConsole] = newConsolePlatform(a.opts.Console, a.opts.ConsoleWidth)
	}
	return nil
}

// slackConfig is the Slack adapter's config from the config file's slack section, calling the
// API through client (nil: the adapter's default). `briefbot run` adds its logger, metrics and
// clock; `briefbot check` uses it as it is.
func slackConfig(c config.Slack, client *http.Client) slack.Config {
	return slack.Config{
		Mode:          c.Mode,
		BotToken:      c.BotToken,
		AppToken:      c.AppToken,
		SigningSecret: c.SigningSecret,
		APIURL:        c.APIURL,
		Admins:        c.Admins,
		HTTPClient:    client,
	}
}

// discordConfig is the Discord adapter's config from the config file's discord section, as
// slackConfig is Slack's.
func discordConfig(c config.Discord, client *http.Client) discord.Config {
	return discord.Config{
		Mode:          c.Mode,
		Token:         c.Token,
		ApplicationID: c.ApplicationID,
		PublicKey:     c.PublicKey,
		APIURL:        c.APIURL,
		GuildID:       c.GuildID,
		ShardID:       c.ShardID,
		ShardCount:    c.ShardCount,
		HTTPClient:    client,
	}
}

// needsConsole reports whether briefings go to the terminal: a channel (or the admin channel)
// is on the console, or neither Slack nor Discord is configured.
func needsConsole(cfg *config.Config) bool {
	if cfg.AdminChannel.Platform == config.PlatformConsole {
		return true
	}
	for _, ch := range cfg.Channels {
		if ch.Platform == config.PlatformConsole {
			return true
		}
	}
	return !cfg.SlackEnabled() && !cfg.DiscordEnabled()
}

// Addr returns the address the HTTP server listens on ("" when it is off).
func (a *App) Addr() string {
	if a.listener == nil {
		return ""
	}
	return a.listener.Addr().String()
}

// Store returns the App's store (for tests and tools that inspect what it holds).
func (a *App) Store() store.Store { return a.store }

// Run serves until ctx ends, then shuts down cleanly: the HTTP server stops taking requests,
// the scheduler starts no new slot, posts and commands in flight get ShutdownTimeout to finish
// (unfinished claims are released for another replica), and every goroutine has returned when
// Run does. It starts the HTTP server, scans the folder sources once (so that a slot due at
// start-up sees their files), then starts the poller (feeds, and folders on their intervals),
// the scheduler, the platforms and retention (see runPruning).
//
// A component that cannot go on (a token the platform refuses, a port that cannot be served)
// stops the others, and Run returns its error. Run may be called once; Close releases what New
// opened.
func (a *App) Run(ctx context.Context) error {
	if !a.running.CompareAndSwap(false, true) {
		return errors.New("daemon: Run called twice")
	}

	a.log.Info("briefbot starting", slog.Any("config", a.cfg), slog.String("http_addr", a.Addr()),
		slog.String("replica_id", a.opts.ReplicaID), slog.Any("platforms", platformNames(a.posters)))

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	run := func(name string, fn func(context.Context) error) {
		wg.Go(func() {
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("component failed; shutting down", slog.String("component", name), slog.Any("error", err))
				cancel(fmt.Errorf("daemon: %w", err))
			}
		})
	}
	// HTTP first, so that /healthz answers while a large folder is scanned.
	if a.server != nil {
		run("http", a.serveHTTP)
	}
	if !a.opts.NoPoll {
		a.ScanFolders(ctx)
		run("poller", a.poller.Run)
	}
	run("health", a.health.Run)
	run("scheduler", a.scheduler.Run)
	run("retention", a.runPruning)
	if a.slack != nil {
		run("slack", a.slack.Run)
	}
	if a.discord != nil {
		run("discord", a.discord.Run)
	}
	a.log.Info("briefbot running", slog.String("http_addr", a.Addr()))

	<-ctx.Done()
	cause := context.Cause(ctx)
	a.log.Info("briefbot stopping")
	wg.Wait()
	a.log.Info("briefbot stopped")
	var failed error
	if cause != nil && !errors.Is(cause, context.Canceled) && !errors.Is(cause, context.DeadlineExceeded) {
		failed = cause
	}
	return failed
}

// ScanFolders ingests the folder sources' new and changed files now, and returns what it did.
// Run calls it once before anything else starts, so that a slot due at start-up sees the files
// already there; the poller then re-scans each folder on its interval.
func (a *App) ScanFolders(ctx context.Context) ingest.Report {
	var total ingest.Report
	for _, src := range a.folders {
		if ctx.Err() != nil {
			break
		}
		res, err := a.poller.Poll(ctx, src)
		total.Merge(res.Report)
		if err != nil {
			a.log.Warn("scan of a folder source failed; it is retried on its interval",
				slog.String("source", src.Name), slog.String("path", src.Path), slog.Any("error", err))
			continue
		}
		a.log.Info("folder source scanned", slog.String("source", src.Name), slog.String("path", src.Path),
			slog.Int("new", res.New), slog.Int("updated", res.Updated), slog.Int("duplicates", res.Duplicates),
			slog.Int("failed", res.Failed))
	}
	return total
}

// Router returns the App's /brief router, which every platform's commands go through.
func (a *App) Router() *bot.Router { return a.router }

// Poster returns the poster of a platform ("slack", "discord", "console"), nil when the
// platform is not configured.
func (a *App) Poster(platform string) bot.Poster { return a.posters[platform] }

// Close releases what New opened: the listener, the platforms' background work and the store.
// Call it after Run has returned (or instead of Run). It is safe to call more than once.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		var errs []error
		if a.listener != nil {
			if err := a.listener.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, fmt.Errorf("daemon: close listener: %w", err))
			}
		}
		if a.scheduler != nil {
			errs = append(errs, a.scheduler.Close())
		}
		if a.slack != nil {
			errs = append(errs, a.slack.Close())
		}
		if a.store != nil {
			errs = append(errs, a.store.Close())
		}
		a.closeErr = errors.Join(errs...)
	})
	return a.closeErr
}

func platformNames(posters map[string]bot.Poster) []string {
	var names []string
	for _, p := range []string{config.PlatformSlack, config.PlatformDiscord, config.PlatformConsole} {
		if _, ok := posters[p]; ok {
			names = append(names, p)
		}
	}
	return names
}
