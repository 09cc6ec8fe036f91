package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/console"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// The output formats of briefbot brief.
const (
	formatArticles = "articles" // files only: each article's headline, lede and key quotes
	formatText     = "text"     // the story layout of the console
	formatSlack    = "slack"    // the chat.postMessage bodies, as a JSON array
	formatDiscord  = "discord"  // the create-message bodies, as a JSON array
	formatJSON     = "json"     // the Briefing itself
)

func briefCommand() command {
	return command{
		Name: "brief",
		Usage: "--topic TOPIC [--store DSN] [--config FILE] [--since 24h] [--stories 5] [--format text|slack|discord|json] [--timezone ZONE]\n" +
			"       briefbot brief [--format articles|text|slack|discord|json] [--topic NAME] [--max-key N] FILE...",
		Summary: "print a topic's briefing from the store as the bot would post it (text, Slack, Discord or JSON), " +
			"or a briefing of article files",
		Run: runBrief,
	}
}

// briefFlags are briefbot brief's flags.
type briefFlags struct {
	dsn, config, topic, since, format, zone, channel string
	stories, width, maxKey, maxBytes                 int
	set                                              map[string]bool // the flags given
}

func runBrief(ctx context.Context, env *Env, args []string) error {
	c := briefCommand()
	fset := newFlagSet(env, c)
	var f briefFlags
	fset.StringVar(&f.dsn, "store", "", storeFlagUsage)
	fset.StringVar(&f.config, "config", "", configFlagUsage)
	fset.StringVar(&f.topic, "topic", "", "brief the store's articles on `TOPIC`: a topic name (the store's or the config file's), or a query in the store's syntax "+
		"(korea OR pyongyang -football); with files, the briefing's name, which also ranks the stories that mention it first")
	fset.StringVar(&f.since, "since", "24h", "the window: how far back from now to look (`DURATION` such as 90m, 24h, 3d, 1w; at most a year)")
	fset.IntVar(&f.stories, "stories", 5, "show at most `N` stories; the briefing counts the others")
	fset.StringVar(&f.format, "format", "", "the output `FORMAT`: text (the default with --topic), slack, discord or json; "+
		"with files also articles (the default without --topic: each file's headline, lede and key quotes)")
	fset.StringVar(&f.zone, "timezone", "UTC", "write times in the IANA time `ZONE` (Europe/Berlin), as a channel with that timezone sees them")
	fset.StringVar(&f.channel, "channel", "", "the Slack channel `ID` the slack bodies are addressed to (optional)")
	fset.IntVar(&f.width, "width", 0, "wrap text at `N` columns (default: the terminal's width, else 80)")
	fset.IntVar(&f.maxKey, "max-key", 3, "files: mark at most `N` key quotes per article")
	fset.IntVar(&f.maxBytes, "max-bytes", briefing.DefaultMaxBytes, "files: refuse articles larger than `N` bytes")
	files, err := parseArgs(fset, args)
	if err != nil {
		return err
	}
	f.set = map[string]bool{}
	fset.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })

	if len(args) == 0 {
		fset.Usage()
		return errUsage
	}
	if problem := f.check(len(files) > 0); problem != "" {
		fmt.Fprintf(env.Stderr, "briefbot brief: %s (briefbot brief --help lists the flags)\n", problem)
		return errUsage
	}
	loc, err := timeZone(f.zone)
	if err != nil {
		return err
	}
	if len(files) > 0 {
		return briefFiles(ctx, env, f, loc, files)
	}
	window, err := parseSince(f.since)
	if err != nil {
		return err
	}
	// The window runs in whole seconds, so times read "09:00:00", not "09:00:00.943552626": it
	// starts at the second now is in, less the window, and ends at the next whole second (now
	// itself when now is one), so an article stored a moment ago is in it, as topics counts it.
	now := env.now()
	to := now.Truncate(time.Second)
	if to.Before(now) {
		to = to.Add(time.Second)
	}
	b, err := briefStore(ctx, env, f, now.Truncate(time.Second).Add(-window), to)
	if err != nil {
		return err
	}
	return writeBriefing(env, f, b, loc)
}

// check returns what is wrong with the flags' combination, "" when nothing is.
func (f *briefFlags) check(withFiles bool) string {
	formats := []string{formatText, formatSlack, formatDiscord, formatJSON}
	if withFiles {
		formats = append([]string{formatArticles}, formats...)
		if f.format == "" {
			// With --topic, the files' briefing under that name; else each file on its own.
			f.format = formatArticles
			if strings.TrimSpace(f.topic) != "" {
				f.format = formatText
			}
		}
		for _, name := range []string{"store", "config", "since"} {
			if f.set[name] {
				return fmt.Sprintf("--%s briefs the store; it does not go with files", name)
			}
		}
		if f.format == formatArticles && f.topic != "" {
			return "--topic names a briefing assembled from the files; --format articles lists each file on its own: drop --topic, or use --format text, slack, discord or json"
		}
	} else {
		if f.format == "" {
			f.format = formatText
		}
		switch {
		case strings.TrimSpace(f.topic) == "":
			return "name a topic with --topic, or give article files"
		case f.format == formatArticles:
			return "--format articles lists article files; with --topic use text, slack, discord or json"
		case f.set["max-key"] || f.set["max-bytes"]:
			return "--max-key and --max-bytes apply to article files; stored articles were analysed when ingested"
		}
	}
	switch {
	case !slices.Contains(formats, f.format):
		return fmt.Sprintf("--format %q: want %s", f.format, orList(formats))
	case f.stories < 1:
		return "--stories must be at least 1"
	case f.width < 0:
		return "--width must not be negative"
	case f.channel != "" && f.format != formatSlack:
		return "--channel goes with --format slack"
	}
	return ""
}

// briefStore makes the briefing of f.topic over the window [from, now], as the bot makes it for
// /brief and for its scheduled posts (bot.Briefer).
func briefStore(ctx context.Context, env *Env, f briefFlags, from, now time.Time) (briefing.Briefing, error) {
	st, err := openToRead(ctx, env, f.dsn, f.config)
	if err != nil {
		return briefing.Briefing{}, err
	}
	defer st.Close()

	topics, err := st.Topics(ctx)
	if err != nil {
		return briefing.Briefing{}, err
	}
	topic := strings.TrimSpace(f.topic)
	configured, isTopic := findTopic(topics, topic)
	briefer := &bot.Briefer{Store: st, Now: func() time.Time { return now }}
	b, err := briefer.Brief(ctx, topic, from, now, f.stories)
	var qe *store.QueryError
	switch {
	case errors.As(err, &qe) && isTopic:
		return b, fmt.Errorf("the query of topic %s, %q, is not valid: %s", configured.Name, configured.Query, queryProblem(qe))
	case errors.As(err, &qe):
		return b, fmt.Errorf("%q is not a topic, nor a valid query: %s", topic, queryProblem(qe))
	case err != nil:
		return b, err
	case !b.Empty() || isTopic:
		return b, nil
	}
	// Nothing in the window for words that are not a topic: a briefing that says "nothing new"
	// if they matched articles before, else a typing mistake to point out.
	n, err := st.Count(ctx, store.Query{Text: topic})
	if err != nil {
		return b, err
	}
	if n > 0 {
		return b, nil
	}
	return b, fmt.Errorf("%q is not a topic and matches no stored article; %s", topic, topicHint(topics, topic))
}

// findTopic returns the configured topic named name (without regard to case or quotes), as
// bot.Briefer finds it.
func findTopic(topics []store.Topic, name string) (store.Topic, bool) {
	name = strings.TrimSpace(strings.Trim(name, `"`))
	for _, t := range topics {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return store.Topic{}, false
}

// topicHint suggests the topics closest to text, or names them all.
func topicHint(topics []store.Topic, text string) string {
	if close := bot.ClosestTopics(topics, text); len(close) > 0 {
		return "did you mean " + orList(close) + "?"
	}
	if len(topics) == 0 {
		return "no topics are known yet (declare them under topics: in the config file, and name it with --config FILE)"
	}
	names := make([]string, len(topics))
	for i, t := range topics {
		names[i] = t.Name
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return "the topics are " + strings.Join(names, ", ")
}

func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// queryProblem is a query parser's complaint, with where it is.
func queryProblem(qe *store.QueryError) string {
	if qe.Pos > 0 {
		return fmt.Sprintf("at character %d, %s", qe.Pos, qe.Msg)
	}
	return qe.Msg
}

// parseSince reads --since: a window as /brief takes it (90m, 24h, 3d, 1w) or a Go duration
// (1h30m), at most a year whatever the spelling: bot.ParseWindow's cap, with its message.
func parseSince(s string) (time.Duration, error) {
	d, werr := bot.ParseWindow(s)
	if werr == nil {
		return d, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	switch {
	case err == nil && d > 0:
		// In whole days, rounded up, a Go duration is a window ParseWindow judges.
		const day = 24 * time.Hour
		if _, err := bot.ParseWindow(strconv.FormatInt(int64((d+day-1)/day), 10) + "d"); err != nil {
			return 0, fmt.Errorf("--since: window %q is longer than a year", strings.TrimSpace(s))
		}
		return d, nil
	case windowSpelling.MatchString(s):
		// A number and a window unit that ParseWindow refused (400d, 0h): its reason.
		return 0, fmt.Errorf("--since: %w", werr)
	}
	return 0, fmt.Errorf("--since %q: want how far back to look, such as 90m, 24h, 3d or 1w", s)
}

// windowSpelling is a number and one of the units of bot.ParseWindow.
var windowSpelling = regexp.MustCompile(`(?i)^\s*[0-9]+(m|min|h|d|w)\s*$`)

// timeZone resolves --timezone as /brief subscribe does (case forgiven, mistakes suggested).
func timeZone(name string) (*time.Location, error) {
	loc, err := bot.ResolveTimezone(name)
	var tze *bot.TimezoneError
	switch {
	case err == nil:
		return loc, nil
	case errors.As(err, &tze) && len(tze.Suggestions) > 0:
		return nil, fmt.Errorf("--timezone %q is not a time zone; did you mean %s?", name, orList(tze.Suggestions))
	}
	return nil, fmt.Errorf("--timezone %q is not a time zone: use an IANA name such as Europe/Berlin or America/New_York", name)
}

// briefFiles reads and analyses article files and prints them: each on its own (articles), or
// assembled into one briefing like stored articles.
func briefFiles(ctx context.Context, env *Env, f briefFlags, loc *time.Location, files []string) error {
	names, err := articleFiles(files)
	if err != nil {
		return err
	}
	var articles []*briefing.Article
	failed := 0
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		a, err := readArticleFile(name, briefing.ReadOptions{MaxBytes: f.maxBytes, Source: name})
		if err != nil {
			fmt.Fprintf(env.Stderr, "briefbot brief: %s\n", oneLine(err.Error()))
			failed++
			continue
		}
		briefing.Analyze(a, briefing.AnalyzeOptions{MaxKey: f.maxKey})
		articles = append(articles, a)
	}
	if f.format == formatArticles {
		err = printArticleBriefs(env.Stdout, articles)
	} else if len(articles) > 0 {
		all := make([]briefing.Article, len(articles))
		for i, a := range articles {
			all[i] = *a
		}
		topic := strings.TrimSpace(f.topic)
		err = writeBriefing(env, f, briefing.Assemble(all, briefing.AssembleOptions{Topic: topic, Query: topic, Stories: f.stories}), loc)
	}
	if err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be read", failed, len(names))
	}
	return nil
}

// writeBriefing prints a briefing in f.format with its times in loc: through the console's
// renderer, as the request bodies the Slack or Discord poster sends, or as JSON.
func writeBriefing(env *Env, f briefFlags, b briefing.Briefing, loc *time.Location) error {
	d := bot.Delivery{ChannelID: f.channel, Briefing: b, Location: loc}
	switch f.format {
	case formatText:
		width := f.width
		if width == 0 {
			width = terminalWidth(env)
		}
		_, err := io.WriteString(env.Stdout, console.Render(b, console.RenderOptions{Width: width, Location: loc}))
		return err
	case formatSlack:
		return writeJSON(env.Stdout, slack.PostBodies(d))
	case formatDiscord:
		return writeJSON(env.Stdout, discord.PostBodies(d))
	}
	return writeJSON(env.Stdout, briefingIn(b, loc))
}

// briefingIn returns b with its times in loc and its story list never null, for the JSON
// contract.
func briefingIn(b briefing.Briefing, loc *time.Location) briefing.Briefing {
	b.From, b.To = inZone(b.From, loc), inZone(b.To, loc)
	stories := make([]briefing.Story, len(b.Stories))
	for i, s := range b.Stories {
		s.Published = inZone(s.Published, loc)
		if s.Sources == nil {
			s.Sources = []briefing.SourceRef{}
		}
		if s.Quotes == nil {
			s.Quotes = []briefing.StoryQuote{}
		}
		stories[i] = s
	}
	b.Stories = stories
	return b
}

func inZone(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}

// writeJSON writes v as indented JSON with <, > and & written as themselves: Slack's links and
// escapes stay readable (json.Marshal, which the posters use, writes them as \u003c, \u003e and
// \u0026; the values are the same).
func writeJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(unescapeHTML(data), '\n'))
	return err
}

// unescapeHTML replaces the escapes \u003c, \u003e and \u0026 in the strings of a JSON document
// by the characters they stand for, leaving every other escape as it is.
func unescapeHTML(data []byte) []byte {
	out := make([]byte, 0, len(data))
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(data):
			if i+5 < len(data) && data[i+1] == 'u' {
				switch string(data[i+2 : i+6]) {
				case "003c":
					out, i = append(out, '<'), i+5
					continue
				case "003e":
					out, i = append(out, '>'), i+5
					continue
				case "0026":
					out, i = append(out, '&'), i+5
					continue
				}
			}
			out, i = append(out, c, data[i+1]), i+1 // any other escape, whole
			continue
		}
		out = append(out, c)
	}
	return out
}

// printArticleBriefs prints one block per analysed article: the headline, the lede, the key
// quotes with their speakers, and the source.
func printArticleBriefs(w io.Writer, articles []*briefing.Article) error {
	var b strings.Builder
	for i, a := range articles {
		if i > 0 {
			b.WriteString("\n")
		}
		headline := a.Headline
		if headline == "" {
			headline = "(no headline)"
		}
		fmt.Fprintf(&b, "■ %s\n", headline)
		if a.Lede != "" {
			fmt.Fprintf(&b, "  %s\n", a.Lede)
		}
		keys := 0
		for _, q := range a.Quotes {
			if !q.Key {
				continue
			}
			keys++
			fmt.Fprintf(&b, "\n  “%s”\n", oneLine(strings.ToValidUTF8(q.Text, "\uFFFD")))
			who := q.Speaker
			if who == "" {
				who = "unattributed"
			}
			if q.SpeakerTitle != "" {
				who += ", " + q.SpeakerTitle
			}
			fmt.Fprintf(&b, "    — %s\n", who)
		}
		if keys == 0 {
			b.WriteString("\n  (no key quotes)\n")
		}
		src := a.Source
		if a.URL != "" {
			if src != "" {
				src += " · "
			}
			src += a.URL
		}
		if src != "" {
			fmt.Fprintf(&b, "\n  Source: %s\n", src)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
