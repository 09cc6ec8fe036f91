package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/metrics"
)

// The commands of /brief. CommandChannel (the empty name) briefs the channel's own topics.
const (
	CommandChannel     = ""
	CommandNow         = "now"
	CommandTopics      = "topics"
	CommandSubscribe   = "subscribe"
	CommandUnsubscribe = "unsubscribe"
	CommandSchedule    = "schedule"
	CommandHelp        = "help"
)

// Request is one /brief command, whatever the platform it came from. Slack and the console fill
// it with ParseText; Discord from its typed options. The platform adapter sets who asked, where,
// and whether they may change the channel's subscriptions.
type Request struct {
	Platform  string // slack | discord | console
	ChannelID string
	UserID    string
	UserName  string
	// IsAdmin: the user may change subscriptions (Slack: allow-list or workspace admin; Discord:
	// Manage Channels). Adapters need only work it out for commands where AdminOnly is true.
	IsAdmin bool
	// Command is one of the Command* constants.
	Command string
	// Topic is a topic name or search words (now, subscribe, unsubscribe), or for help the command
	// to explain.
	Topic string
	// Window is how far back a briefing looks ("24h", "3d", "1w"); "" for the default.
	Window string
	// Schedule (cron, descriptor or HH:MM) and Timezone (IANA) for subscribe; "" for defaults.
	Schedule string
	Timezone string
}

// Reply is the router's answer. Text is for help, confirmations and errors; a Briefing is for the
// platform to render with its renderer. Ephemeral replies are shown to the asker only.
type Reply struct {
	Ephemeral bool
	Text      string
	Briefing  *briefing.Briefing
}

// CommandSpec declares one command: the help text is generated from these, and Discord registers
// its /brief subcommands from them.
type CommandSpec struct {
	// Name is the subcommand's name (Discord) and first word (Slack); "now" is also what Slack
	// runs for "/brief <topic>".
	Name string
	// Usage is the text form (Slack, console).
	Usage       string
	Description string // one line, at most 100 characters (Discord's limit)
	Examples    []string
	Options     []OptionSpec
	// Admin: only users who may manage the channel can run it.
	Admin bool
}

// OptionSpec is a typed option of a command (Discord), in the order the text form takes them.
type OptionSpec struct {
	Name        string
	Description string // at most 100 characters
	Required    bool
	// Autocomplete: the platform may ask Router.Complete (topics) or CompleteTimezone.
	Autocomplete bool
	// Kind is the option's type; all current options are "string".
	Kind string
}

// CommandSpecs returns the commands of /brief, in the order help lists them.
func CommandSpecs() []CommandSpec {
	topic := func(desc string, required bool) OptionSpec {
		return OptionSpec{Name: "topic", Description: desc, Required: required, Autocomplete: true, Kind: "string"}
	}
	return []CommandSpec{{
		Name:        CommandNow,
		Usage:       "/brief [topic] [window]",
		Description: "Brief a topic, or any search words, over a window (default 24h); no topic: this channel's topics.",
		Examples:    []string{"/brief korea", `/brief "north korea" 3d`, "/brief lavrov 1w", "/brief"},
		Options: []OptionSpec{
			topic("A topic name or search words (default: this channel's topics)", false),
			{Name: "window", Description: "How far back to look: 90m, 24h, 3d, 1w (default 24h)", Kind: "string"},
		},
	}, {
		Name:        CommandTopics,
		Usage:       "/brief topics",
		Description: "List the topics you can brief and subscribe to.",
	}, {
		Name:        CommandSubscribe,
		Usage:       "/brief subscribe <topic> [cron|HH:MM] [timezone]",
		Description: "Deliver a topic to this channel on a schedule (admins).",
		Examples: []string{"/brief subscribe korea 08:00 Asia/Seoul", `/brief subscribe korea "0 8 * * 1-5" Asia/Seoul`,
			"/brief subscribe korea @daily"},
		Options: []OptionSpec{
			topic("The topic to deliver", true),
			{Name: "schedule", Description: "HH:MM, a 5-field cron spec or @daily (default 08:00)", Kind: "string"},
			{Name: "timezone", Description: "IANA time zone such as Europe/Berlin (default: the channel's or UTC)", Autocomplete: true, Kind: "string"},
		},
		Admin: true,
	}, {
		Name:        CommandUnsubscribe,
		Usage:       "/brief unsubscribe <topic>",
		Description: "Stop delivering a topic to this channel (admins).",
		Examples:    []string{"/brief unsubscribe korea"},
		Options:     []OptionSpec{topic("The topic to stop delivering", true)},
		Admin:       true,
	}, {
		Name:        CommandSchedule,
		Usage:       "/brief schedule",
		Description: "Show this channel's scheduled briefings and when the next ones are due.",
	}, {
		Name:        CommandHelp,
		Usage:       "/brief help",
		Description: "Show how to use /brief.",
	}}
}

// AdminOnly reports whether a command changes the channel's subscriptions and so needs IsAdmin.
// Adapters use it to skip an admin look-up for everything else.
func AdminOnly(command string) bool {
	for _, c := range CommandSpecs() {
		if c.Name == command {
			return c.Admin
		}
	}
	return false
}

func usageOf(command string) string {
	if command == CommandChannel {
		command = CommandNow
	}
	for _, c := range CommandSpecs() {
		if c.Name == command {
			return c.Usage
		}
	}
	return "/brief help"
}

// RouterStore is what the router needs of the store; store.Store satisfies it.
type RouterStore interface {
	Topics(ctx context.Context) ([]store.Topic, error)
	Subscriptions(ctx context.Context) ([]store.Subscription, error)
	PutSubscription(ctx context.Context, s store.Subscription) (store.Subscription, error)
	DeleteSubscription(ctx context.Context, platform, channelID, topic string) error
}

// BriefMaker makes a briefing for a topic name or search words; *Briefer is the real one.
type BriefMaker interface {
	Brief(ctx context.Context, topic string, from, to time.Time, stories int) (briefing.Briefing, error)
}

// RouterConfig configures a Router. Store and Briefer are required; the rest have defaults.
type RouterConfig struct {
	Store   RouterStore
	Briefer BriefMaker
	Logger  *slog.Logger
	Metrics *metrics.Metrics
	Now     func() time.Time
	// DefaultWindow is the window of "/brief korea" (default 24h).
	DefaultWindow time.Duration
	// Stories is how many stories an on-demand briefing shows (default 5).
	Stories int
	// DefaultSchedule and DefaultTimezone apply to "subscribe <topic>" without them (default
	// "0 8 * * *" and, unless the channel has subscriptions already, "UTC").
	DefaultSchedule string
	DefaultTimezone string
	// MinInterval is the shortest gap allowed between two deliveries of a subscription (default 1h).
	MinInterval time.Duration
	// OnChange, when set, is called after a subscription was added, changed or removed.
	OnChange func()
}

// Router answers /brief commands for every platform.
type Router struct {
	cfg RouterConfig
	log *slog.Logger
}

// NewRouter returns a router; it fails when Store or Briefer is missing or a default is invalid.
func NewRouter(cfg RouterConfig) (*Router, error) {
	if cfg.Store == nil || cfg.Briefer == nil {
		return nil, errors.New("bot: router needs a store and a briefer")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultWindow <= 0 {
		cfg.DefaultWindow = 24 * time.Hour
	}
	if cfg.Stories <= 0 {
		cfg.Stories = 5
	}
	if cfg.MinInterval <= 0 {
		cfg.MinInterval = time.Hour
	}
	if cfg.DefaultSchedule == "" {
		cfg.DefaultSchedule = "0 8 * * *"
	}
	if _, err := NormalizeSchedule(cfg.DefaultSchedule); err != nil {
		return nil, fmt.Errorf("bot: router default schedule: %w", err)
	}
	tz, _, err := config.ResolveTimezone(cfg.DefaultTimezone) // "" is UTC
	if err != nil {
		return nil, fmt.Errorf("bot: router default time zone: %w", err)
	}
	cfg.DefaultTimezone = tz
	return &Router{cfg: cfg, log: cfg.Logger.With(slog.String("component", "router"))}, nil
}

// Commands returns the command list (see CommandSpecs).
func (r *Router) Commands() []CommandSpec { return CommandSpecs() }

// Handle answers one command. It never fails: problems become a short, private reply, and
// internal errors are logged with a reference the reply quotes.
func (r *Router) Handle(ctx context.Context, req Request) Reply {
	start := time.Now()
	reply := r.handle(ctx, req)
	label := req.Command
	switch {
	case label == CommandChannel:
		label = "channel"
	case !slices.ContainsFunc(CommandSpecs(), func(c CommandSpec) bool { return c.Name == label }):
		label = "unknown"
	}
	r.cfg.Metrics.CommandAnswered(req.Platform, label, time.Since(start))
	return reply
}

func (r *Router) handle(ctx context.Context, req Request) Reply {
	req.Topic = strings.TrimSpace(req.Topic)
	if AdminOnly(req.Command) && !req.IsAdmin {
		who := "workspace admins (or the admins listed in briefbot's config)"
		if req.Platform == "discord" {
			who = "members with the Manage Channels permission"
		}
		return private("Sorry, only " + who + " can change this channel's subscriptions. " +
			"`/brief schedule` shows what it receives.")
	}
	switch req.Command {
	case CommandChannel:
		return r.briefChannel(ctx, req)
	case CommandNow:
		if req.Topic == "" {
			return r.briefChannel(ctx, req)
		}
		return r.briefTopic(ctx, req)
	case CommandTopics:
		return r.listTopics(ctx, req)
	case CommandSubscribe:
		return r.subscribe(ctx, req)
	case CommandUnsubscribe:
		return r.unsubscribe(ctx, req)
	case CommandSchedule:
		return r.schedule(ctx, req)
	case CommandHelp:
		return private(HelpText(req.Platform, req.Topic))
	}
	return private(fmt.Sprintf("I don't know the command `%s`. %s", codeSafe(req.Command), "Try `/brief help`."))
}

// Complete returns topic names that start with (then contain) prefix, for autocompletion; at most
// 25, Discord's limit.
func (r *Router) Complete(ctx context.Context, prefix string) []string {
	topics, err := r.cfg.Store.Topics(ctx)
	if err != nil {
		r.log.ErrorContext(ctx, "complete topics", slog.Any("error", err))
		return nil
	}
	names := make([]string, 0, len(topics))
	for _, t := range topics {
		names = append(names, t.Name)
	}
	return completeFrom(names, prefix, 25)
}

// CompleteTimezone returns the time zone names /brief subscribe accepts (config.TimezoneNames)
// that start with (then contain) prefix, at most 25.
func (r *Router) CompleteTimezone(prefix string) []string {
	return completeFrom(config.TimezoneNames(), prefix, 25)
}

func completeFrom(names []string, prefix string, limit int) []string {
	p := strings.ToLower(strings.TrimSpace(prefix))
	var starts, contains []string
	for _, n := range names {
		l := strings.ToLower(n)
		switch {
		case strings.HasPrefix(l, p):
			starts = append(starts, n)
		case strings.Contains(l, p):
			contains = append(contains, n)
		}
	}
	sort.Strings(starts)
	sort.Strings(contains)
	out := append(starts, contains...)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// briefTopic answers "/brief <topic or words> [window]".
func (r *Router) briefTopic(ctx context.Context, req Request) Reply {
	from, to, reply, ok := r.window(req)
	if !ok {
		return reply
	}
	b, err := r.cfg.Briefer.Brief(ctx, req.Topic, from, to, r.cfg.Stories)
	if err != nil {
		return r.briefError(ctx, req, err)
	}
	if !b.Empty() {
		return Reply{Briefing: &b}
	}
	topics, err := r.cfg.Store.Topics(ctx)
	if err != nil {
		return r.internal(ctx, req, "list topics", err)
	}
	span := describeWindow(to.Sub(from))
	longer := longerWindow(to.Sub(from))
	if t, ok := findTopic(topics, req.Topic); ok {
		msg := fmt.Sprintf("Nothing on `%s` in the last %s.", codeSafe(t.Name), span)
		if longer != "" {
			msg += fmt.Sprintf(" Try a longer window: `/brief %s %s`.", codeSafe(quoteTopic(t.Name)), longer)
		}
		return private(msg)
	}
	msg := fmt.Sprintf("Nothing found for `%s` in the last %s.", codeSafe(req.Topic), span)
	switch {
	case len(topics) > 0:
		return private(msg + " " + suggestTopics(topics, req.Topic))
	case longer != "":
		return private(msg + fmt.Sprintf(" Try a longer window: `/brief %s %s`.", codeSafe(req.Topic), longer))
	}
	return private(msg)
}

// longerWindow is the window to suggest after nothing was found over d ("" when d is long
// already).
func longerWindow(d time.Duration) string {
	switch {
	case d < 7*24*time.Hour:
		return "1w"
	case d < 30*24*time.Hour:
		return "30d"
	}
	return ""
}

// briefChannel answers "/brief" and "/brief <window>": the channel's subscribed topics.
func (r *Router) briefChannel(ctx context.Context, req Request) Reply {
	from, to, reply, ok := r.window(req)
	if !ok {
		return reply
	}
	subs, err := r.channelSubscriptions(ctx, req)
	if err != nil {
		return r.internal(ctx, req, "list subscriptions", err)
	}
	if len(subs) == 0 {
		topics, err := r.cfg.Store.Topics(ctx)
		if err != nil {
			return r.internal(ctx, req, "list topics", err)
		}
		return private("This channel has no subscribed topics yet. Brief any topic with `/brief <topic>`. " +
			topicList(topics))
	}
	var briefs []briefing.Briefing
	for _, s := range subs {
		b, err := r.cfg.Briefer.Brief(ctx, s.Topic, from, to, r.cfg.Stories)
		if err != nil {
			return r.briefError(ctx, req, err)
		}
		briefs = append(briefs, b)
	}
	merged := mergeBriefings(briefs, r.cfg.Stories)
	if merged.Empty() {
		return private(fmt.Sprintf("Nothing on %s in the last %s.", topicNames(subs), describeWindow(to.Sub(from))))
	}
	return Reply{Briefing: &merged}
}

// window resolves req.Window against the clock; when it is invalid, reply is the answer.
func (r *Router) window(req Request) (from, to time.Time, reply Reply, ok bool) {
	d := r.cfg.DefaultWindow
	if req.Window != "" {
		var err error
		if d, err = ParseWindow(req.Window); err != nil {
			return from, to, private(usageError(CommandNow, "%s", sentence(err.Error())).Error()), false
		}
	}
	to = r.cfg.Now()
	return to.Add(-d), to, Reply{}, true
}

func (r *Router) briefError(ctx context.Context, req Request, err error) Reply {
	if errors.Is(err, store.ErrBadQuery) {
		why := "its syntax is not valid"
		var qe *store.QueryError
		if errors.As(err, &qe) {
			why = qe.Msg
			if qe.Pos > 0 {
				why = fmt.Sprintf("at character %d, %s", qe.Pos, qe.Msg)
			}
		}
		return private(fmt.Sprintf("I could not read `%s` as a search: %s Plain words work: `/brief lavrov`.",
			codeSafe(req.Topic), endSentence(why)))
	}
	if ctx.Err() != nil {
		return private("That took too long, sorry. Try a shorter window or a narrower topic.")
	}
	return r.internal(ctx, req, "make briefing", err)
}

// internal logs an unexpected error and returns a short reply that quotes its reference.
func (r *Router) internal(ctx context.Context, req Request, what string, err error) Reply {
	ref := newRef()
	r.log.ErrorContext(ctx, "command failed", slog.String("ref", ref), slog.String("step", what),
		slog.String("platform", req.Platform), slog.String("channel_id", req.ChannelID),
		slog.String("user_id", req.UserID), slog.String("command", req.Command),
		slog.String("topic", req.Topic), slog.Any("error", err))
	return private(fmt.Sprintf("Sorry, something went wrong on my side (reference `%s`). Please try again in a moment.", ref))
}

func newRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func private(text string) Reply { return Reply{Ephemeral: true, Text: text} }

// channelSubscriptions returns this channel's subscriptions, by topic name.
func (r *Router) channelSubscriptions(ctx context.Context, req Request) ([]store.Subscription, error) {
	all, err := r.cfg.Store.Subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	var subs []store.Subscription
	for _, s := range all {
		if s.Platform == req.Platform && s.ChannelID == req.ChannelID {
			subs = append(subs, s)
		}
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Topic < subs[j].Topic })
	return subs, nil
}

// mergeBriefings combines the briefings of several topics into one: stories by score, the same
// story (by URL or headline) once, at most n.
func mergeBriefings(bs []briefing.Briefing, n int) briefing.Briefing {
	if len(bs) == 1 {
		return bs[0]
	}
	var out briefing.Briefing
	names := make([]string, 0, len(bs))
	seen := map[string]bool{}
	var all []briefing.Story
	for i, b := range bs {
		names = append(names, b.Topic)
		if i == 0 || b.From.Before(out.From) {
			out.From = b.From
		}
		if b.To.After(out.To) {
			out.To = b.To
		}
		out.More += b.More
		for _, s := range b.Stories {
			k := s.URL
			if k == "" {
				k = strings.ToLower(s.Headline)
			}
			if seen[k] {
				continue
			}
			seen[k] = true
			all = append(all, s)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Score > all[j].Score })
	if len(all) > n {
		out.More += len(all) - n
		all = all[:n]
	}
	out.Topic = strings.Join(names, ", ")
	out.Stories = all
	return out
}

func findTopic(topics []store.Topic, name string) (store.Topic, bool) {
	for _, t := range topics {
		if strings.EqualFold(t.Name, unquote(name)) {
			return t, true
		}
	}
	return store.Topic{}, false
}

// quoteTopic writes a topic as ParseText reads it back.
func quoteTopic(name string) string {
	if strings.ContainsAny(name, " \t") {
		return `"` + name + `"`
	}
	return name
}

func topicNames(subs []store.Subscription) string {
	names := make([]string, 0, len(subs))
	for _, s := range subs {
		names = append(names, "`"+codeSafe(s.Topic)+"`")
	}
	return strings.Join(names, ", ")
}

// topicList is one sentence naming the configured topics.
func topicList(topics []store.Topic) string {
	if len(topics) == 0 {
		return "No topics are configured yet; any words work as a search: `/brief lavrov`."
	}
	names := make([]string, 0, len(topics))
	for _, t := range topics {
		names = append(names, "`"+codeSafe(t.Name)+"`")
	}
	sort.Strings(names)
	return "Topics: " + strings.Join(names, ", ") + "."
}

// describeWindow writes a duration as people say it after "in the last": "24 hours", "3 days",
// "week".
func describeWindow(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return unit // "in the last week"
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d%(7*24*time.Hour) == 0:
		return plural(int64(d/(7*24*time.Hour)), "week")
	case d%(24*time.Hour) == 0 && d > 24*time.Hour:
		return plural(int64(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	}
	return plural(int64(d/time.Minute), "minute")
}
