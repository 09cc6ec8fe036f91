package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/config"
)

// ErrCheckFailed is returned by Check when a check failed; what failed was printed.
var ErrCheckFailed = errors.New("check failed")

// DefaultCheckTimeout bounds each check that reaches the network or the database.
const DefaultCheckTimeout = 15 * time.Second

// CheckOptions adjust Check.
type CheckOptions struct {
	// Now is the clock the next firing times are computed from (default time.Now).
	Now func() time.Time
	// HTTPClient makes the Slack and Discord calls (default: the adapters' own).
	HTTPClient *http.Client
	// Timeout bounds each network or database check (default DefaultCheckTimeout).
	Timeout time.Duration
	// Offline skips the checks that reach Slack, Discord and the database.
	Offline bool
}

// Check describes what cfg would run — the effective configuration with secrets redacted, the
// store, sources, topics, channels with their next firing times, platforms and HTTP endpoints —
// and checks what can be checked: the store opens and its schema is one this binary knows (the
// store is neither created nor migrated), folder sources exist, and the Slack and Discord tokens
// given work (auth.test, GET /users/@me). It returns ErrCheckFailed when a check failed; a
// check that passed with something to know (a schema `briefbot run` will migrate) is a note.
func Check(ctx context.Context, cfg *config.Config, w io.Writer, opts CheckOptions) error {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultCheckTimeout
	}
	name := cfg.File
	if name == "" {
		name = "(no file: defaults and environment)"
	}
	fmt.Fprintf(w, "Configuration %s is valid.\n\n", name)
	fmt.Fprintln(w, "# Effective configuration (secrets redacted)")
	w.Write(cfg.Redacted().YAML())
	fmt.Fprintln(w)
	describe(w, cfg, opts.Now())

	fmt.Fprintln(w, "\nChecks:")
	c := &checker{w: w}
	c.folders(cfg)
	if opts.Offline {
		c.skip("store, Slack and Discord not checked (--offline)")
	} else {
		c.store(ctx, cfg, opts.Timeout)
		c.slack(ctx, cfg, opts)
		c.discord(ctx, cfg, opts)
	}
	return c.summary()
}

// describe prints what would run.
func describe(w io.Writer, cfg *config.Config, now time.Time) {
	fmt.Fprintln(w, "# What `briefbot run` would do")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }

	row("store", storeLabel(cfg.Store))
	replica := cfg.Schedule.ReplicaID
	if host, _ := os.Hostname(); replica == fmt.Sprintf("%s-%d", host, os.Getpid()) {
		replica = "hostname-pid of each process (set schedule.replica_id or --replica-id to fix it)"
	}
	row("replica", replica)
	if cfg.HTTP.Listen == "" {
		row("http", "off (http.listen is empty)")
	} else {
		row("http", "listen on "+cfg.HTTP.Listen)
		for _, ep := range Endpoints(cfg) {
			row("", ep.Method+" "+ep.Path, ep.What)
		}
	}

	var platforms []string
	if cfg.SlackEnabled() {
		platforms = append(platforms, "slack ("+cfg.Slack.Mode+" mode, api "+cfg.Slack.APIURL+")")
	}
	if cfg.DiscordEnabled() {
		p := "discord (" + cfg.Discord.Mode + " mode, application " + cfg.Discord.ApplicationID
		if cfg.Discord.GuildID != "" {
			p += ", /brief in guild " + cfg.Discord.GuildID
		} else {
			p += ", /brief registered globally"
		}
		platforms = append(platforms, p+")")
	}
	if needsConsole(cfg) {
		platforms = append(platforms, "console (standard output)")
	}
	for i, p := range platforms {
		row(label(i, "platforms"), p)
	}

	if len(cfg.Sources) == 0 {
		row("sources", "none (articles arrive only through POST /api/articles)")
	}
	for i, s := range cfg.Sources {
		what := "feed " + s.Feed
		if !s.IsFeed() {
			what = "folder " + s.Path
		}
		row(label(i, "sources"), s.Name, what, "every "+config.FormatDuration(s.Every))
	}

	if len(cfg.Topics) == 0 {
		row("topics", "none (/brief searches the words it is given)")
	}
	for i, name := range cfg.TopicNames() {
		row(label(i, "topics"), name, cfg.Topics[name].Query)
	}

	if len(cfg.Channels) == 0 {
		row("channels", "none (subscriptions come from /brief subscribe)")
	}
	for i, ch := range cfg.Channels {
		row(label(i, "channels"), channelLabel(ch), strings.Join(ch.Topics, ", "), nextFiring(ch, now))
	}
	if a := cfg.AdminChannel; a.IsSet() {
		row("admin", a.Platform+" "+a.ID)
	}
	row("schedule", fmt.Sprintf("grace %s, max window %s, lease %s", config.FormatDuration(cfg.Schedule.Grace),
		config.FormatDuration(cfg.Schedule.MaxWindow), config.FormatDuration(cfg.Schedule.Lease)))
	row(retentionRow(cfg.Retention)...)
	row("log", cfg.Log.Level+", "+cfg.Log.Format)
}

// retentionRow says how long articles and ledger rows are kept.
func retentionRow(r config.Retention) []string {
	keep := func(what string, d time.Duration) string {
		if d <= 0 {
			return what + " kept for ever"
		}
		return what + " " + config.FormatDuration(d)
	}
	cells := []string{"retention", keep("articles", r.Articles) + ", " + keep("ledger", r.Ledger)}
	if r.Articles > 0 || r.Ledger > 0 {
		cells = append(cells, "older ones deleted every hour")
	}
	return cells
}

func label(i int, name string) string {
	if i == 0 {
		return name
	}
	return ""
}

func storeLabel(dsn string) string {
	if strings.Contains(dsn, "://") {
		return "PostgreSQL " + redactedDSN(dsn)
	}
	return "SQLite " + dsn
}

// redactedDSN hides a database URL's password the way the config's redaction does.
func redactedDSN(dsn string) string {
	c := &config.Config{Store: dsn}
	return c.Redacted().Store
}

func channelLabel(ch config.Channel) string {
	id := ch.Platform + " " + ch.ID
	if ch.Name != "" {
		return ch.Name + " (" + id + ")"
	}
	return id
}

// nextFiring says when a channel's schedule fires next, in the channel's zone.
func nextFiring(ch config.Channel, now time.Time) string {
	if ch.Schedule == "" {
		return "no schedule (answers /brief only)"
	}
	sched, err := bot.ParseSchedule(ch.Schedule, ch.Location().String())
	if err != nil {
		return "schedule " + ch.Schedule + ": " + err.Error()
	}
	next := sched.Next(now)
	if next.IsZero() {
		return sched.String() + ", never fires"
	}
	return fmt.Sprintf("%s, next %s", sched.String(), next.In(ch.Location()).Format("Mon 2 Jan 2006 15:04 MST"))
}

// checker runs checks and prints their results.
type checker struct {
	w                  io.Writer
	run, failed, notes int
}

// summary prints how many checks passed and failed, and returns ErrCheckFailed when one failed.
func (c *checker) summary() error {
	switch {
	case c.failed > 0:
		fmt.Fprintf(c.w, "\n%d of %d checks failed.\n", c.failed, c.run)
		return fmt.Errorf("%w: %d of %d checks failed", ErrCheckFailed, c.failed, c.run)
	case c.run == 0:
		fmt.Fprintln(c.w, "\nNothing to check.")
	default:
		passed := fmt.Sprintf("All %d checks passed", c.run)
		if c.run == 1 {
			passed = "The check passed"
		}
		if c.notes > 0 {
			passed += fmt.Sprintf(" (%d with a note)", c.notes)
		}
		fmt.Fprintf(c.w, "\n%s.\n", passed)
	}
	return nil
}

func (c *checker) ok(format string, args ...any) {
	c.run++
	fmt.Fprintf(c.w, "  ok    %s\n", fmt.Sprintf(format, args...))
}

func (c *checker) fail(format string, args ...any) {
	c.run++
	c.failed++
	fmt.Fprintf(c.w, "  FAIL  %s\n", fmt.Sprintf(format, args...))
}

// note reports a check that passed with something the operator should know.
func (c *checker) note(format string, args ...any) {
	c.run++
	c.notes++
	fmt.Fprintf(c.w, "  note  %s\n", fmt.Sprintf(format, args...))
}

func (c *checker) skip(format string, args ...any) {
	fmt.Fprintf(c.w, "  skip  %s\n", fmt.Sprintf(format, args...))
}

// folders checks that folder sources exist and are folders.
func (c *checker) folders(cfg *config.Config) {
	for _, s := range cfg.Sources {
		if s.IsFeed() {
			continue
		}
		info, err := os.Stat(s.Path)
		switch {
		case err != nil:
			c.fail("source %s: folder %s: %v", s.Name, s.Path, errors.Unwrap(err))
		case !info.IsDir():
			c.ok("source %s: %s is a file (read as one article)", s.Name, s.Path)
		default:
			c.ok("source %s: folder %s exists", s.Name, s.Path)
		}
	}
}

// store checks that the store opens and its schema is one this binary knows. Neither is changed:
// a SQLite file that does not exist yet is not created (its folder must be writable), and a
// schema older than this binary's is not migrated — other briefbots sharing the database may
// still need it as it is.
func (c *checker) store(ctx context.Context, cfg *config.Config, timeout time.Duration) {
	label := storeLabel(cfg.Store)
	if !strings.Contains(cfg.Store, "://") && !strings.HasPrefix(cfg.Store, "file:") && cfg.Store != ":memory:" {
		path, _, _ := strings.Cut(cfg.Store, "?") // without its parameters (briefbot.db?_pragma=…)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			dir := filepath.Dir(path)
			if err := writableDir(dir); err != nil {
				c.fail("store: %s does not exist and cannot be created: %v", label, err)
				return
			}
			c.ok("store: %s does not exist yet; `briefbot run` creates it (folder %s is writable)", label, dir)
			return
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	st, err := store.Open(ctx, cfg.Store, store.Options{Logger: slog.New(slog.DiscardHandler), NoMigrate: true})
	if err != nil {
		c.schema(label, err)
		return
	}
	defer st.Close()
	if err := st.Ping(ctx); err != nil {
		c.fail("store: %s does not answer: %v", label, err)
		return
	}
	c.ok("store: %s opens and its schema is current", label)
}

// schema reports why the store did not open: its schema (absent, older or newer than this
// binary's), or another error.
func (c *checker) schema(label string, err error) {
	var old *store.SchemaOutdatedError
	switch {
	case errors.Is(err, store.ErrSchemaTooNew):
		c.fail("store: %s: %v", label, err)
	case errors.As(err, &old) && old.Missing != "":
		c.ok("store: %s does not exist yet; `briefbot run` creates it", label)
	case errors.As(err, &old) && old.Found == 0:
		c.ok("store: %s has no briefbot schema yet; `briefbot run` creates it (schema version %d)", label, old.Need)
	case errors.As(err, &old):
		c.note("store: %s is at schema version %d and this briefbot needs version %d: `briefbot run` (or `briefbot ingest`) "+
			"migrates it, after which briefbots older than this one refuse the database", label, old.Found, old.Need)
	default:
		c.fail("store: %s does not open: %v", label, err)
	}
}

// writableDir reports whether a file can be created in dir.
func writableDir(dir string) error {
	f, err := os.CreateTemp(dir, ".briefbot-check-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func (c *checker) slack(ctx context.Context, cfg *config.Config, opts CheckOptions) {
	if !cfg.SlackEnabled() {
		return
	}
	b, err := slack.New(slackConfig(cfg.Slack, opts.HTTPClient), nil)
	if err != nil {
		c.fail("%v", err)
		return
	}
	defer b.Close()
	c.platform(ctx, opts.Timeout, b.Check)
}

func (c *checker) discord(ctx context.Context, cfg *config.Config, opts CheckOptions) {
	if !cfg.DiscordEnabled() {
		return
	}
	b, err := discord.New(discordConfig(cfg.Discord, opts.HTTPClient), noCommands{})
	if err != nil {
		c.fail("%v", err)
		return
	}
	c.platform(ctx, opts.Timeout, b.Check)
}

// platform reports what a platform's Check says of its tokens, given at most timeout.
func (c *checker) platform(ctx context.Context, timeout time.Duration, check func(context.Context) (string, error)) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	msg, err := check(ctx)
	if err != nil {
		c.fail("%v", err)
		return
	}
	c.ok("%s", msg)
}

// noCommands is the command handler of the Discord adapter Check makes: it only calls the API,
// and never serves a command.
type noCommands struct{}

func (noCommands) Handle(context.Context, bot.Request) bot.Reply { return bot.Reply{} }
func (noCommands) Commands() []bot.CommandSpec                   { return bot.CommandSpecs() }
func (noCommands) Complete(context.Context, string) []string     { return nil }
