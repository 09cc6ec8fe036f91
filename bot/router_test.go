package bot_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/metrics"
)

// routerEnv is a router over a real SQLite store, with the fixtures loaded.
type routerEnv struct {
	router  *bot.Router
	store   store.Store
	changes *changes
	reg     *prometheus.Registry
	logs    *bytes.Buffer
}

func newRouter(t *testing.T) *routerEnv {
	t.Helper()
	st := openStore(t)
	e := &routerEnv{store: st, changes: &changes{}, reg: prometheus.NewRegistry(), logs: &bytes.Buffer{}}
	r, err := bot.NewRouter(bot.RouterConfig{
		Store:    st,
		Briefer:  &bot.Briefer{Store: st, Now: func() time.Time { return now }},
		Logger:   slog.New(slog.NewTextHandler(e.logs, nil)),
		Metrics:  metrics.New(e.reg),
		Now:      func() time.Time { return now },
		OnChange: e.changes.inc,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.router = r
	return e
}

// run parses text as Slack's /brief would and answers it in channel C1 for user U1.
func (e *routerEnv) run(t *testing.T, text string, admin bool) bot.Reply {
	t.Helper()
	req, err := bot.ParseText(text)
	if err != nil {
		t.Fatalf("ParseText(%q): %v", text, err)
	}
	req.Platform, req.ChannelID, req.UserID, req.UserName, req.IsAdmin = "slack", "C1", "U1", "ed", admin
	return e.router.Handle(context.Background(), req)
}

func (e *routerEnv) subscriptions(t *testing.T) []store.Subscription {
	t.Helper()
	subs, err := e.store.Subscriptions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return subs
}

func headlines(r bot.Reply) []string {
	if r.Briefing == nil {
		return nil
	}
	var out []string
	for _, s := range r.Briefing.Stories {
		out = append(out, s.Headline)
	}
	return out
}

func wantPrivate(t *testing.T, r bot.Reply, substrings ...string) {
	t.Helper()
	if !r.Ephemeral || r.Briefing != nil {
		t.Errorf("reply = %+v, want a private text reply", r)
	}
	for _, s := range substrings {
		if !strings.Contains(r.Text, s) {
			t.Errorf("reply %q lacks %q", r.Text, s)
		}
	}
}

func TestRouterBriefsTopicsAndSearches(t *testing.T) {
	e := newRouter(t)
	tests := []struct {
		name      string
		text      string
		topic     string
		query     string
		window    time.Duration
		headlines []string
	}{
		{"a topic is briefed over the last 24 hours", "korea", "korea", `korea OR pyongyang OR "north korea"`, 24 * time.Hour,
			[]string{"Talks on fishing boats resume between the Koreas"}},
		{"a window reaches further back", "korea 1w", "korea", `korea OR pyongyang OR "north korea"`, 7 * 24 * time.Hour,
			[]string{"Talks on fishing boats resume between the Koreas", "Korean harbour reopens after storm repairs"}},
		{"a topic name ignores case", "KOREA", "korea", `korea OR pyongyang OR "north korea"`, 24 * time.Hour,
			[]string{"Talks on fishing boats resume between the Koreas"}},
		{"a quoted topic name is its topic", `"north korea" 2d`, "north korea", `"north korea"`, 48 * time.Hour,
			[]string{"Talks on fishing boats resume between the Koreas"}},
		{"words that are not a topic are searched", "velkov", "velkov", "", 24 * time.Hour,
			[]string{"Velkov calls for calm in grain dispute"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.run(t, tt.text, false)
			if r.Ephemeral || r.Briefing == nil {
				t.Fatalf("reply = %+v, want a briefing in the channel", r)
			}
			b := r.Briefing
			if b.Topic != tt.topic || b.Query != tt.query {
				t.Errorf("topic, query = %q, %q; want %q, %q", b.Topic, b.Query, tt.topic, tt.query)
			}
			if !b.To.Equal(now) || !b.From.Equal(now.Add(-tt.window)) {
				t.Errorf("window = %v..%v, want the %v before %v", b.From, b.To, tt.window, now)
			}
			got := headlines(r)
			if strings.Join(sortedCopy(got), "|") != strings.Join(sortedCopy(tt.headlines), "|") {
				t.Errorf("headlines = %q, want %q", got, tt.headlines)
			}
		})
	}
	t.Run("a briefing carries the quotes the engine found", func(t *testing.T) {
		r := e.run(t, "velkov", false)
		if r.Briefing == nil || len(r.Briefing.Stories) != 1 || len(r.Briefing.Stories[0].Quotes) == 0 {
			t.Fatalf("briefing = %+v, want one story with quotes", r.Briefing)
		}
		q := r.Briefing.Stories[0].Quotes[0]
		if !strings.Contains(q.Text, "trade war") && !strings.Contains(q.Text, "our capital") {
			t.Errorf("first quote = %q", q.Text)
		}
		if q.Speaker != "Ivan Velkov" {
			t.Errorf("speaker = %q, want Ivan Velkov", q.Speaker)
		}
	})
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestRouterExplainsWhatItCannotBrief(t *testing.T) {
	e := newRouter(t)
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"a mistyped topic suggests the closest topic", "koera", []string{"Nothing found for `koera` in the last 24 hours", "Did you mean `korea`?"}},
		{"a search with no match and no close topic lists the topics", "zanzibar", []string{"Nothing found for `zanzibar`", "Topics: `football`, `korea`, `north korea`."}},
		{"a topic with nothing in the window suggests a longer one", "football", []string{"Nothing on `football` in the last 24 hours", "`/brief football 1w`"}},
		{"a query the store cannot parse is explained", "korea OR", []string{"I could not read `korea OR` as a search"}},
		{"a window out of range gets the usage line", "korea 0m", []string{"at least", "Usage: `/brief [topic] [window]`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r bot.Reply
			if req, err := bot.ParseText(tt.text); err != nil {
				r = bot.Reply{Ephemeral: true, Text: err.Error()} // what the adapters show
			} else {
				req.Platform, req.ChannelID = "slack", "C1"
				r = e.router.Handle(context.Background(), req)
			}
			wantPrivate(t, r, tt.want...)
		})
	}
}

func TestRouterBriefsTheChannelsTopics(t *testing.T) {
	e := newRouter(t)
	wantPrivate(t, e.run(t, "", false), "This channel has no subscribed topics yet", "`/brief <topic>`", "Topics:")

	for _, text := range []string{"subscribe korea 08:00", "subscribe football 09:00"} {
		if r := e.run(t, text, true); !strings.HasPrefix(r.Text, "Subscribed") {
			t.Fatalf("%s: %q", text, r.Text)
		}
	}
	r := e.run(t, "1w", false)
	if r.Briefing == nil || r.Ephemeral {
		t.Fatalf("reply = %+v, want a briefing", r)
	}
	if r.Briefing.Topic != "football, korea" || len(r.Briefing.Stories) != 2 {
		t.Errorf("briefing %q with %q, want korea's two stories (football has none)", r.Briefing.Topic, headlines(r))
	}
	wantPrivate(t, e.run(t, "30m", false), "Nothing on `football`, `korea` in the last 30 minutes.")
}

func TestRouterSubscriptions(t *testing.T) {
	t.Run("a member who is not an admin cannot subscribe", func(t *testing.T) {
		e := newRouter(t)
		wantPrivate(t, e.run(t, "subscribe korea 08:00", false), "only workspace admins")
		wantPrivate(t, e.run(t, "unsubscribe korea", false), "only workspace admins")
		if subs := e.subscriptions(t); len(subs) != 0 || e.changes.count() != 0 {
			t.Errorf("subscriptions = %+v, changes = %d; want none", subs, e.changes.count())
		}
	})

	t.Run("subscribe stores a normalised schedule and time zone and says when the next briefing comes", func(t *testing.T) {
		e := newRouter(t)
		r := e.run(t, "subscribe Korea 08:00 asia/seoul", true)
		wantPrivate(t, r, "Subscribed: this channel gets `korea` daily at 08:00 (Asia/Seoul). Next briefing: Tue 3 Jun 08:00 KST.")
		subs := e.subscriptions(t)
		if len(subs) != 1 {
			t.Fatalf("subscriptions = %+v", subs)
		}
		s := subs[0]
		if s.Platform != "slack" || s.ChannelID != "C1" || s.Topic != "korea" || s.Schedule != "0 8 * * *" ||
			s.Timezone != "Asia/Seoul" || s.CreatedBy != "U1" || s.Stories != 5 {
			t.Errorf("subscription = %+v", s)
		}
		if e.changes.count() != 1 {
			t.Errorf("OnChange called %d times, want 1", e.changes.count())
		}

		r = e.run(t, `subscribe korea "30 7 * * 1-5"`, true)
		wantPrivate(t, r, "Updated: this channel gets `korea` on weekdays at 07:30 (Asia/Seoul)")
		subs = e.subscriptions(t)
		if len(subs) != 1 || subs[0].Schedule != "30 7 * * 1-5" || subs[0].Timezone != "Asia/Seoul" {
			t.Errorf("after the update: %+v (the channel's time zone must be kept)", subs)
		}

		r = e.run(t, "subscribe football", true)
		wantPrivate(t, r, "daily at 08:00 (Asia/Seoul)")

		wantPrivate(t, e.run(t, "schedule", false), "This channel's scheduled briefings:",
			"• `football` — daily at 08:00 (Asia/Seoul), next Tue 3 Jun 08:00 KST",
			"• `korea` — on weekdays at 07:30 (Asia/Seoul), next Tue 3 Jun 07:30 KST")
		wantPrivate(t, e.run(t, "topics", false), "• `korea` — `korea OR pyongyang OR \"north korea\"` (this channel is subscribed)",
			"• `north korea` — `\"north korea\"`\n")
	})

	t.Run("bad subscriptions are refused with a reason", func(t *testing.T) {
		e := newRouter(t)
		tests := []struct{ text, want string }{
			{"subscribe korea 25:00", "Usage: `/brief subscribe"},
			{"subscribe korea 0 8 * * 8", "weekday out of range"},
			{"subscribe korea */10 * * * *", "more often than once every hour"},
			{"subscribe korea 0 0 30 2 *", "never fires"},
			{"subscribe korea @every 2h", "@every is not supported"},
			{"subscribe korea 8am", "HH:MM, 24-hour"},
			{"subscribe korea 08:00 Asia/Seol", "did you mean `Asia/Seoul`?"},
			{"subscribe korea 08:00 KST", "did you mean `Asia/Seoul`?"},
			{"subscribe korea 08:00 EST", "`EST` is an abbreviation, not a time zone name — did you mean `America/New_York`?"},
			{"subscribe korea 08:00 Local", "`Local` depends on the host"},
			{"subscribe koreaa 08:00", "`koreaa` is not a topic. Did you mean `korea`?"},
		}
		for _, tt := range tests {
			wantPrivate(t, e.run(t, tt.text, true), tt.want)
		}
		if subs := e.subscriptions(t); len(subs) != 0 || e.changes.count() != 0 {
			t.Errorf("subscriptions = %+v, changes = %d; want none", subs, e.changes.count())
		}
	})

	t.Run("unsubscribe removes a subscription and says what is left", func(t *testing.T) {
		e := newRouter(t)
		e.run(t, "subscribe korea 08:00 Europe/Berlin", true)
		e.run(t, "subscribe football 08:00", true)
		wantPrivate(t, e.run(t, "unsubscribe tennis", true), "not subscribed to `tennis`. It receives `football`, `korea`.")
		wantPrivate(t, e.run(t, "unsubscribe KOREA", true), "Unsubscribed: this channel no longer gets `korea`.")
		subs := e.subscriptions(t)
		if len(subs) != 1 || subs[0].Topic != "football" || subs[0].Timezone != "Europe/Berlin" {
			t.Errorf("subscriptions = %+v", subs)
		}
		if e.changes.count() != 3 {
			t.Errorf("OnChange called %d times, want 3", e.changes.count())
		}
	})

	t.Run("a subscription from the config file warns that the file wins", func(t *testing.T) {
		e := newRouter(t)
		_, err := e.store.PutSubscription(context.Background(), store.Subscription{Platform: "slack", ChannelID: "C1",
			Topic: "korea", Schedule: "0 8 * * *", Timezone: "UTC", FromConfig: true})
		if err != nil {
			t.Fatal(err)
		}
		wantPrivate(t, e.run(t, "subscribe korea 09:00", true), "Updated", "config file, which wins at the next restart")
		wantPrivate(t, e.run(t, "unsubscribe korea", true), "Unsubscribed", "comes back at the next restart")
	})
}

func TestRouterHelpListsEveryCommand(t *testing.T) {
	e := newRouter(t)
	r := e.run(t, "help", false)
	wantPrivate(t, r)
	for _, c := range e.router.Commands() {
		if !strings.Contains(r.Text, "`"+c.Usage+"` — "+c.Description) {
			t.Errorf("help lacks %s: %q", c.Name, c.Usage)
		}
	}
	wantPrivate(t, e.run(t, "help subscribe", false), "• timezone (optional)", "`/brief subscribe korea @daily`")

	req := bot.Request{Platform: "discord", Command: bot.CommandHelp}
	d := e.router.Handle(context.Background(), req)
	wantPrivate(t, d, "`/brief now [topic:…] [window:…]`", "`/brief subscribe topic:korea schedule:08:00 timezone:Asia/Seoul`")
}

func TestCommandSpecsFitDiscord(t *testing.T) {
	name := regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	seen := map[string]bool{}
	for _, c := range bot.CommandSpecs() {
		if !name.MatchString(c.Name) || seen[c.Name] {
			t.Errorf("command name %q is not a unique Discord name", c.Name)
		}
		seen[c.Name] = true
		if n := len([]rune(c.Description)); n == 0 || n > 100 {
			t.Errorf("%s: description of %d characters (Discord allows 1-100)", c.Name, n)
		}
		required := true
		for _, o := range c.Options {
			if !name.MatchString(o.Name) || o.Kind != "string" || len([]rune(o.Description)) > 100 || o.Description == "" {
				t.Errorf("%s: option %+v does not fit Discord", c.Name, o)
			}
			if o.Required && !required {
				t.Errorf("%s: required option %s after an optional one", c.Name, o.Name)
			}
			required = o.Required
		}
		if c.Admin != bot.AdminOnly(c.Name) {
			t.Errorf("AdminOnly(%s) disagrees with the spec", c.Name)
		}
	}
	for _, want := range []string{"now", "topics", "subscribe", "unsubscribe", "schedule", "help"} {
		if !seen[want] {
			t.Errorf("no %s command", want)
		}
	}
}

func TestRouterCompletesTopicNames(t *testing.T) {
	e := newRouter(t)
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{"football", "korea", "north korea"}},
		{"ko", []string{"korea", "north korea"}},
		{"NOR", []string{"north korea"}},
		{"xyz", nil},
	}
	for _, tt := range tests {
		got := e.router.Complete(context.Background(), tt.prefix)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Complete(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
	if got := e.router.CompleteTimezone("asia/se"); len(got) != 1 || got[0] != "Asia/Seoul" {
		t.Errorf("CompleteTimezone(asia/se) = %q", got)
	}
	// Completion offers what subscribe accepts: config's zone names, not the abbreviations.
	if got := e.router.CompleteTimezone("utc"); len(got) == 0 || got[0] != "UTC" {
		t.Errorf("CompleteTimezone(utc) = %q, want UTC first", got)
	}
	if got := e.router.CompleteTimezone("es"); slices.Contains(got, "EST") {
		t.Errorf("CompleteTimezone(es) = %q offers EST, which subscribe refuses", got)
	}
	if got := e.router.CompleteTimezone(""); len(got) != 25 || !slices.IsSorted(got) {
		t.Errorf("CompleteTimezone(\"\") = %d names, want the first 25 in order", len(got))
	}
	for _, name := range e.router.CompleteTimezone("america/") {
		if got, _, err := config.ResolveTimezone(name); err != nil || got != name {
			t.Errorf("completion %q resolves to %q, %v", name, got, err)
		}
	}
}

func TestRouterRecordsCommandLatency(t *testing.T) {
	e := newRouter(t)
	e.run(t, "korea", false)
	e.run(t, "help", false)
	e.run(t, "", false)
	families, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	for _, f := range families {
		if f.GetName() != "briefbot_command_latency_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			counts[labels["platform"]+"/"+labels["command"]] += m.GetHistogram().GetSampleCount()
		}
	}
	for _, k := range []string{"slack/now", "slack/help", "slack/channel"} {
		if counts[k] != 1 {
			t.Errorf("latency samples %s = %d, want 1 (all: %v)", k, counts[k], counts)
		}
	}
}

func TestRouterHidesInternalErrorsBehindAReference(t *testing.T) {
	e := newRouter(t)
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "topics", false)
	wantPrivate(t, r, "Sorry, something went wrong on my side (reference `")
	ref := regexp.MustCompile("reference `([0-9a-f]{8})`").FindStringSubmatch(r.Text)
	if ref == nil {
		t.Fatalf("no reference in %q", r.Text)
	}
	if strings.Contains(r.Text, "sql") || strings.Contains(r.Text, "store:") {
		t.Errorf("reply shows the internal error: %q", r.Text)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "ref="+ref[1]) || !strings.Contains(logs, "channel_id=C1") || !strings.Contains(logs, "error=") {
		t.Errorf("log lacks the reference or context: %s", logs)
	}
}

func TestNewRouterNeedsAStoreAndABriefer(t *testing.T) {
	if _, err := bot.NewRouter(bot.RouterConfig{}); err == nil {
		t.Error("NewRouter without a store succeeded")
	}
	st := openStore(t)
	if _, err := bot.NewRouter(bot.RouterConfig{Store: st, Briefer: bot.NewBriefer(st), DefaultTimezone: "Mars/Base"}); err == nil {
		t.Error("NewRouter with a bad default time zone succeeded")
	}
}
