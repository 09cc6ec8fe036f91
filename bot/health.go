package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

// Defaults of HealthOptions.
const (
	DefaultSourceFailingAfter = time.Hour
	DefaultHealthCheckEvery   = time.Minute
)

const (
	// noticeRetry is how soon a notice that could not be posted is tried again.
	noticeRetry = 5 * time.Minute
	// noticeTimeout bounds the posting of one notice.
	noticeTimeout = 10 * time.Second
)

// AdminChannel is where briefbot reports trouble: failing sources, channels it can no longer post
// to, scheduled briefings that failed.
type AdminChannel struct {
	Platform  string
	ChannelID string
}

// IsSet reports whether an admin channel is configured.
func (a AdminChannel) IsSet() bool { return a.Platform != "" && a.ChannelID != "" }

// Notifier posts a short plain-text notice to a channel. A platform's Poster satisfies it when it
// can post text; the notice is escaped by the platform and mentions nobody.
type Notifier interface {
	Notify(ctx context.Context, channelID, text string) error
}

// FeedStateReader is what the health monitor reads of the store; store.Store satisfies it. A
// store that also has FeedStates(ctx) ([]store.FeedState, error) is asked for all feeds at once.
type FeedStateReader interface {
	FeedState(ctx context.Context, source string) (store.FeedState, error)
}

// feedLister is the optional listing of every feed's state.
type feedLister interface {
	FeedStates(ctx context.Context) ([]store.FeedState, error)
}

// HealthOptions configure a Health monitor. Every field is optional: without Feeds no sources
// are watched, without an admin channel (or a Notifier for its platform) notices are only logged.
type HealthOptions struct {
	Feeds FeedStateReader
	// Sources are the names of the feeds to watch (the config's sources).
	Sources []string
	// SourceFailingAfter is how long a source may fail before it is reported.
	SourceFailingAfter time.Duration
	// CheckEvery is how often Run looks at the sources.
	CheckEvery time.Duration
	Admin      AdminChannel
	// Posters by platform; the admin channel's must be a Notifier for notices to be posted.
	Posters map[string]Poster
	Clock   Clock
	Logger  *slog.Logger
}

// Health watches for trouble an operator must hear of — a source failing for longer than a
// threshold, a channel the bot can no longer post to, scheduled briefings that fail — and
// reports each problem once to the admin channel, and once more when it is over.
//
// What was reported is remembered in memory: a restarted process reports a problem that is still
// there once more, and each replica reports on its own.
type Health struct {
	feeds        FeedStateReader
	sources      []string
	failingAfter time.Duration
	every        time.Duration
	admin        AdminChannel
	notifier     Notifier
	clock        Clock
	log          *slog.Logger

	mu       sync.Mutex
	problems map[string]*problem
}

// HealthProblem is one problem Health knows of.
type HealthProblem struct {
	// Kind is "source" (a feed failing), "channel" (a channel that refuses the bot's posts),
	// "delivery" (scheduled briefings on a platform failing after all retries) or "topic" (a
	// topic whose query does not parse).
	Kind string
	// Name is the source name, "platform:channel_id", or the platform.
	Name  string
	Since time.Time
	// Detail is the latest error.
	Detail string
	// Count is how many failures were seen (slots failed, for channels and deliveries).
	Count int
	// Reported: the admin channel was told.
	Reported bool
}

type problem struct {
	HealthProblem
	lastTry time.Time
}

// NewHealth returns a health monitor; Run watches the sources, the scheduler reports posts.
func NewHealth(opts HealthOptions) *Health {
	h := &Health{
		feeds:        opts.Feeds,
		sources:      slices.Clone(opts.Sources),
		failingAfter: orDefault(opts.SourceFailingAfter, DefaultSourceFailingAfter),
		every:        orDefault(opts.CheckEvery, DefaultHealthCheckEvery),
		admin:        opts.Admin,
		clock:        opts.Clock,
		log:          opts.Logger,
		problems:     map[string]*problem{},
	}
	if h.clock == nil {
		h.clock = SystemClock()
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.log = h.log.With(slog.String("component", "health"))
	if h.admin.IsSet() {
		if n, ok := opts.Posters[h.admin.Platform].(Notifier); ok {
			h.notifier = n
		} else {
			h.log.Warn("the admin channel's platform cannot post notices; they are only logged",
				slog.String("platform", h.admin.Platform), slog.String("channel_id", h.admin.ChannelID))
		}
	}
	return h
}

// Problems returns the current problems, sorted by kind and name (for /healthz).
func (h *Health) Problems() []HealthProblem {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]HealthProblem, 0, len(h.problems))
	for _, p := range h.problems {
		out = append(out, p.HealthProblem)
	}
	slices.SortFunc(out, func(a, b HealthProblem) int {
		return strings.Compare(a.Kind+"\x00"+a.Name, b.Kind+"\x00"+b.Name)
	})
	return out
}

// Run checks the sources every CheckEvery until ctx ends; it returns nil then.
func (h *Health) Run(ctx context.Context) error {
	for {
		if err := h.CheckSources(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("check sources", slog.Any("error", err))
		}
		t := h.clock.NewTimer(h.every)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C():
		}
	}
}

// CheckSources reads the feeds' states and reports the sources failing for longer than
// SourceFailingAfter, and those that recovered.
func (h *Health) CheckSources(ctx context.Context) error {
	if h.feeds == nil {
		return nil
	}
	var states []store.FeedState
	if l, ok := h.feeds.(feedLister); ok && len(h.sources) == 0 {
		all, err := l.FeedStates(ctx)
		if err != nil {
			return fmt.Errorf("bot: health: feed states: %w", err)
		}
		states = all
	} else {
		for _, name := range h.sources {
			st, err := h.feeds.FeedState(ctx, name)
			if err != nil {
				return fmt.Errorf("bot: health: feed state of %q: %w", name, err)
			}
			if st.Source == "" {
				st.Source = name
			}
			states = append(states, st)
		}
	}
	now := h.clock.Now()
	for _, st := range states {
		switch failing := now.Sub(st.FailingSince); {
		case st.FailingSince.IsZero():
			h.clear(ctx, "source", st.Source, func(p HealthProblem) string {
				return fmt.Sprintf("briefbot: source %q works again (it failed for %s).", st.Source,
					roundDuration(now.Sub(p.Since)))
			})
		case failing >= h.failingAfter:
			h.raise(ctx, "source", st.Source, st.FailingSince, st.LastError, 0, fmt.Sprintf(
				"briefbot: source %q has been failing for %s (since %s, %d failed polls): %s",
				st.Source, roundDuration(failing), st.FailingSince.UTC().Format("2006-01-02 15:04 MST"),
				st.Failures, oneLine(st.LastError)))
		}
	}
	return nil
}

// posted tells Health a scheduled briefing of topic went through to a channel: the channel, its
// platform and the topic work.
func (h *Health) posted(ctx context.Context, platform, channelID, topic string) {
	h.clear(ctx, "topic", topic, func(p HealthProblem) string {
		return fmt.Sprintf("briefbot: the briefings of topic %q work again.", topic)
	})
	h.clear(ctx, "channel", platform+":"+channelID, func(p HealthProblem) string {
		return fmt.Sprintf("briefbot: posting to %s channel %s works again.", platform, channelID)
	})
	h.clear(ctx, "delivery", platform, func(p HealthProblem) string {
		return fmt.Sprintf("briefbot: scheduled briefings on %s are delivered again (%d failed since %s).",
			platform, p.Count, p.Since.UTC().Format("2006-01-02 15:04 MST"))
	})
}

// postFailed tells Health a scheduled briefing failed for good: permanently (the channel refuses
// the bot) or after retrying until the slot's deadline.
func (h *Health) postFailed(ctx context.Context, sub store.Subscription, slot time.Time, err error, permanent bool) {
	now := h.clock.Now()
	if errors.Is(err, store.ErrBadQuery) {
		h.raise(ctx, "topic", sub.Topic, now, err.Error(), 1, fmt.Sprintf(
			"briefbot: the query of topic %q does not parse, so its scheduled briefings fail: %s",
			sub.Topic, oneLine(err.Error())))
		return
	}
	if permanent {
		h.raise(ctx, "channel", sub.Platform+":"+sub.ChannelID, now, err.Error(), 1, fmt.Sprintf(
			"briefbot: cannot post to %s channel %s (topic %q): %s. Its scheduled briefings fail until this is fixed, for example by inviting the bot back.",
			sub.Platform, sub.ChannelID, sub.Topic, oneLine(err.Error())))
		return
	}
	h.raise(ctx, "delivery", sub.Platform, now, err.Error(), 1, fmt.Sprintf(
		"briefbot: the scheduled briefing %q for %s channel %s due %s failed: %s. Further failures on %s are not reported until a briefing gets through.",
		sub.Topic, sub.Platform, sub.ChannelID, slot.UTC().Format("2006-01-02 15:04 MST"), oneLine(err.Error()), sub.Platform))
}

// raise records a problem and reports it, unless it was reported already.
func (h *Health) raise(ctx context.Context, kind, name string, since time.Time, detail string, count int, notice string) {
	key := kind + "\x00" + name
	now := h.clock.Now()
	h.mu.Lock()
	p, known := h.problems[key]
	if !known {
		p = &problem{HealthProblem: HealthProblem{Kind: kind, Name: name, Since: since}}
		h.problems[key] = p
	}
	p.Detail = detail
	p.Count += count
	if p.Reported || (known && now.Sub(p.lastTry) < noticeRetry) {
		h.mu.Unlock()
		return
	}
	p.lastTry = now
	h.mu.Unlock()

	if !known {
		h.log.Warn("problem", slog.String("kind", kind), slog.String("name", name), slog.String("error", detail))
	}
	if h.notify(ctx, notice) {
		h.mu.Lock()
		p.Reported = true
		h.mu.Unlock()
	}
}

// clear forgets a problem and, if it was reported, reports that it is over.
func (h *Health) clear(ctx context.Context, kind, name string, notice func(HealthProblem) string) {
	key := kind + "\x00" + name
	h.mu.Lock()
	p, known := h.problems[key]
	var hp HealthProblem
	if known {
		hp = p.HealthProblem
		delete(h.problems, key)
	}
	h.mu.Unlock()
	if !known {
		return
	}
	h.log.Info("problem over", slog.String("kind", kind), slog.String("name", name))
	if hp.Reported {
		h.notify(ctx, notice(hp))
	}
}

// notify posts a notice to the admin channel; it reports whether the notice got there.
func (h *Health) notify(ctx context.Context, text string) bool {
	if h.notifier == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
	defer cancel()
	if err := h.notifier.Notify(ctx, h.admin.ChannelID, text); err != nil {
		h.log.Error("post notice to the admin channel", slog.String("platform", h.admin.Platform),
			slog.String("channel_id", h.admin.ChannelID), slog.Any("error", err))
		return false
	}
	return true
}

func roundDuration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return d.Round(time.Minute).String()
	default:
		return d.Round(time.Second).String()
	}
}

// oneLine shortens an error for a notice: its first line, at most 300 bytes.
func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 300 {
		cut := 300
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
