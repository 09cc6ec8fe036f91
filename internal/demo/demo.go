package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/daemon"
)

// Options adjust the demo; every field may be left zero.
type Options struct {
	// Stdin is the terminal the demo prompts for commands on when Interactive.
	Stdin io.Reader
	// Stdout receives the briefings and answers (default os.Stdout).
	Stdout io.Writer
	// Interactive prompts for /brief commands on Stdin (a terminal) once the briefings are
	// shown, until quit or the end of the input. Without it (and without Commands) the demo ends
	// once the briefings are shown, and Stdin is not read.
	Interactive bool
	// Commands holds /brief commands, one a line, answered (each echoed) once the briefings are
	// shown, until quit or the end of the input; the demo then ends. It takes the place of the
	// prompt.
	Commands io.Reader
	// Now is the clock the sample articles are dated from and briefings are made at.
	Now func() time.Time
	// Dir is where the database (demo.db) and the sample article files go; it is emptied of
	// them first. "" makes a temporary folder, removed when the demo ends.
	Dir string
	// Logger receives warnings (default: none).
	Logger *slog.Logger
	// Width is the terminal's width in columns (0: 80).
	Width int
}

// The console channel the demo briefs, answers and subscribes.
const consoleChannel = "console"

// Run runs the demo: it writes the sample articles (dated from now) as files, ingests them into
// a new SQLite database through the same folder source and ingest path as `briefbot run`, shows
// a briefing for each demo topic on the console, answers the /brief commands of Commands or
// typed at the prompt when Interactive (the same router as Slack and Discord), and ends with how
// to run briefbot for real.
func Run(ctx context.Context, opts Options) (err error) {
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	dir := opts.Dir
	if dir == "" {
		dir, err = os.MkdirTemp("", "briefbot-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(dir)
	}
	cfg, err := prepare(dir, opts.Now())
	if err != nil {
		return err
	}
	app, err := daemon.New(cfg, daemon.Options{
		Clock:        clockFunc(opts.Now),
		Logger:       opts.Logger,
		Console:      opts.Stdout,
		ConsoleWidth: opts.Width,
	})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer func() { err = errors.Join(err, app.Close()) }()

	out := &printer{w: opts.Stdout}
	out.line("briefbot demo: nine sample articles from three made-up outlets (Coastal Herald, Northwind Press, Daily Ledger),")
	out.line("dated within the last day, ingested into a temporary SQLite database and briefed right here.")
	report := app.ScanFolders(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	out.linef("Ingested %d articles: %s.", report.Total(), report)
	for _, f := range report.Failures {
		out.linef("  could not ingest %s: %s", filepath.Base(f.Item), f.Reason)
	}

	s := &session{app: app, out: out}
	for _, t := range Topics {
		out.line("")
		out.linef("$ /brief %s        (topic %s = %s)", t.Name, t.Name, t.Query)
		s.answer(ctx, "/brief "+t.Name)
	}
	out.line("")
	out.line("Type /brief help for every command, or try: /brief drought · /brief \"central bank\" 3d · /brief topics · /brief Kowalczyk.")

	switch {
	case opts.Commands != nil:
		if err := s.loop(ctx, opts.Commands, false); err != nil {
			return err
		}
	case opts.Interactive && opts.Stdin != nil:
		out.line("Type quit (or press Ctrl-D) to leave.")
		if err := s.loop(ctx, opts.Stdin, true); err != nil {
			return err
		}
	}
	out.line("")
	out.line(nextSteps)
	return out.err
}

// nextSteps says how to point briefbot at real feeds and chats.
const nextSteps = `To run briefbot for real, copy examples/briefbot.yaml, set its sources (RSS, Atom or JSON feeds or
folders), topics and channels, then:
  briefbot check --config briefbot.yaml   validate it and test the tokens
  briefbot run --config briefbot.yaml     (or set BRIEFBOT_CONFIG; in the file's folder, briefbot run is enough)
Slack:   SLACK_BOT_TOKEN=xoxb-…  SLACK_APP_TOKEN=xapp-…  (socket mode, no public URL needed)
Discord: DISCORD_TOKEN=…  and discord.application_id in the file (gateway mode)`

// prepare writes the sample articles to dir/articles and returns the demo's configuration: a
// SQLite store in dir, the articles as a folder source, the demo topics, and the console
// channel subscribed to them (without a schedule: the demo briefs on demand).
func prepare(dir string, now time.Time) (*config.Config, error) {
	articles := filepath.Join(dir, "articles")
	db := filepath.Join(dir, "demo.db")
	for _, name := range []string{db, db + "-wal", db + "-shm"} {
		if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	if err := os.RemoveAll(articles); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if err := os.MkdirAll(articles, 0o755); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	files, err := Files(now)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(articles, f.Name), f.Data, 0o644); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "store: %q\nhttp: {listen: \"\"}\n", db)
	fmt.Fprintf(&b, "sources:\n  - {name: samples, path: %q, every: 1h}\n", articles)
	b.WriteString("topics:\n")
	var names []string
	for _, t := range Topics {
		fmt.Fprintf(&b, "  %s: {query: %q}\n", t.Name, t.Query)
		names = append(names, t.Name)
	}
	// A morning schedule, so that /brief schedule has something to show; the demo runs no
	// scheduler, so it never fires.
	fmt.Fprintf(&b, "channels:\n  - {platform: console, id: %s, topics: [%s], schedule: \"08:00\"}\n", consoleChannel, strings.Join(names, ", "))
	b.WriteString("schedule: {replica_id: demo}\nlog: {level: warn}\n")
	// The demo ignores the environment: a SLACK_BOT_TOKEN set for `briefbot run` must not turn
	// Slack on here.
	cfg, err := config.Parse([]byte(b.String()), func(string) string { return "" })
	if err != nil {
		return nil, fmt.Errorf("demo: configuration: %w", err)
	}
	return cfg, nil
}

// session answers commands typed at the console, as a chat platform would.
type session struct {
	app *daemon.App
	out *printer
}

// loop answers the commands read from in until "quit", the end of the input, or ctx ends.
func (s *session) loop(ctx context.Context, in io.Reader, interactive bool) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	stop := make(chan struct{})
	defer close(stop)
	// The reader may stay blocked in a terminal's Read after the loop ends; it exits with the
	// process. Input that ends (a pipe, a buffer) ends it.
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 0, 4096), 64<<10)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-stop:
				return
			}
		}
		readErr <- sc.Err()
		close(lines)
	}()
	for {
		if interactive {
			s.out.raw("\nbrief> ")
		}
		var line string
		select {
		case <-ctx.Done():
			s.out.line("")
			return nil
		case l, ok := <-lines:
			if !ok {
				if interactive {
					s.out.line("")
				}
				if err := <-readErr; err != nil {
					return fmt.Errorf("demo: read commands: %w", err)
				}
				return nil
			}
			line = strings.TrimSpace(l)
		}
		switch strings.ToLower(line) {
		case "":
			continue
		case "quit", "exit", "q", "/quit", "/exit":
			return nil
		}
		if !interactive {
			s.out.line("")
			s.out.linef("$ %s", line)
		}
		s.answer(ctx, line)
	}
}

// answer runs one command line: "/brief …", or the text after /brief on its own.
func (s *session) answer(ctx context.Context, line string) {
	text, ok := commandText(line)
	if !ok {
		s.out.line("Only /brief works here: try /brief help.")
		return
	}
	req, err := bot.ParseText(text)
	if err != nil {
		s.out.line(plain(err.Error()))
		return
	}
	req.Platform, req.ChannelID = config.PlatformConsole, consoleChannel
	req.UserID, req.UserName, req.IsAdmin = "you", "you", true
	reply := s.app.Router().Handle(ctx, req)
	if reply.Text != "" {
		s.out.line(plain(reply.Text))
	}
	if reply.Briefing != nil {
		_, err := s.app.Poster(config.PlatformConsole).Post(ctx, bot.Delivery{ChannelID: consoleChannel, Briefing: *reply.Briefing})
		if err != nil {
			s.out.linef("could not show the briefing: %v", err)
		}
	}
}

// commandText returns what follows /brief in a line; a line not starting with / is taken as
// that text.
func commandText(line string) (string, bool) {
	if !strings.HasPrefix(line, "/") {
		return line, true
	}
	cmd, rest, _ := strings.Cut(line, " ")
	if !strings.EqualFold(cmd, "/brief") {
		return "", false
	}
	return rest, true
}

// plain drops the code marks of a chat reply for the terminal.
func plain(s string) string { return strings.ReplaceAll(s, "`", "") }

// printer writes lines, keeping the first error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) raw(s string) {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, s)
	}
}

func (p *printer) line(s string)                 { p.raw(s + "\n") }
func (p *printer) linef(format string, a ...any) { p.line(fmt.Sprintf(format, a...)) }

// clockFunc is a bot.Clock telling the time of a function and waiting in real time.
type clockFunc func() time.Time

func (c clockFunc) Now() time.Time { return c() }

func (c clockFunc) NewTimer(d time.Duration) bot.Timer { return bot.SystemClock().NewTimer(d) }
