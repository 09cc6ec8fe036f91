package discord_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/internal/fakediscord"
	"github.com/briefbot/briefbot/internal/metrics"
)

// testHandler is a CommandHandler with canned replies. It records the requests it gets; when
// release is set, Handle waits for it (a slow command).
type testHandler struct {
	mu       sync.Mutex
	requests []bot.Request
	replies  map[string]bot.Reply // by command
	started  chan bot.Request     // when set, receives each request as Handle starts
	release  chan struct{}        // when set, Handle waits for it to close
	topics   []string
}

func newTestHandler() *testHandler {
	b := sampleBriefing()
	return &testHandler{
		replies: map[string]bot.Reply{
			bot.CommandNow:    {Briefing: &b},
			bot.CommandTopics: {Ephemeral: true, Text: "Topics: korea, iran"},
			bot.CommandHelp:   {Ephemeral: true, Text: "Use /brief now topic:korea"},
		},
		topics: []string{"korea", "kosovo", "iran"},
	}
}

func (h *testHandler) Handle(ctx context.Context, req bot.Request) bot.Reply {
	h.mu.Lock()
	h.requests = append(h.requests, req)
	reply, ok := h.replies[req.Command]
	started, release := h.started, h.release
	h.mu.Unlock()
	if started != nil {
		started <- req
	}
	if release != nil {
		select {
		case <-release:
		case <-ctx.Done():
		}
	}
	if !ok {
		return bot.Reply{Ephemeral: true, Text: "ok: " + req.Command}
	}
	return reply
}

func (h *testHandler) Commands() []bot.CommandSpec { return bot.CommandSpecs() }

func (h *testHandler) Complete(_ context.Context, prefix string) []string {
	var out []string
	for _, t := range h.topics {
		if strings.HasPrefix(t, prefix) {
			out = append(out, t)
		}
	}
	return out
}

func (h *testHandler) CompleteTimezone(prefix string) []string {
	return slices.DeleteFunc([]string{"Asia/Seoul", "Asia/Tokyo", "Europe/Berlin"}, func(z string) bool {
		return !strings.HasPrefix(z, prefix)
	})
}

func (h *testHandler) setReply(command string, r bot.Reply) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.replies[command] = r
}

func (h *testHandler) setRelease(ch chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.release = ch
}

func (h *testHandler) got() []bot.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.requests)
}

// sampleBriefing is a briefing whose article text tries to ping everyone.
func sampleBriefing() briefing.Briefing {
	at := time.Date(2025, 3, 4, 8, 0, 0, 0, time.UTC)
	return briefing.Briefing{
		Topic: "korea", From: at.Add(-24 * time.Hour), To: at,
		Stories: []briefing.Story{{
			Headline: "Talks resume in Panmunjom",
			Lede:     "Delegations met for the first time in a year; @everyone was watching, said <@123456789012345678>.",
			URL:      "https://news.example/panmunjom", Published: at.Add(-3 * time.Hour),
			Sources: []briefing.SourceRef{{Name: "Example Wire", URL: "https://news.example/panmunjom"}},
			Quotes: []briefing.StoryQuote{{
				Text: "We are ready to talk @here and now", Speaker: "Kim Min-jae", SpeakerTitle: "Envoy",
				URL: "https://news.example/panmunjom#:~:text=ready",
			}},
		}, {
			Headline: "Rail link survey begins",
			Lede:     "Engineers started surveying the northern line.",
			URL:      "https://news.example/rail", Published: at.Add(-5 * time.Hour),
			Sources: []briefing.SourceRef{{Name: "Example Post", URL: "https://news.example/rail"}},
		}},
	}
}

// bigBriefing has enough stories to need several messages.
func bigBriefing(stories int) briefing.Briefing {
	b := sampleBriefing()
	b.Stories = nil
	for i := range stories {
		b.Stories = append(b.Stories, briefing.Story{
			Headline: fmt.Sprintf("Story %d about the peninsula", i+1),
			Lede:     strings.Repeat(fmt.Sprintf("Paragraph %d of a long lede with many words. ", i), 40),
			URL:      fmt.Sprintf("https://news.example/%d", i),
			Sources:  []briefing.SourceRef{{Name: "Example Wire", URL: fmt.Sprintf("https://news.example/%d", i)}},
			Quotes: []briefing.StoryQuote{{
				Text: strings.Repeat("A long quote that goes on. ", 20), Speaker: "Speaker", URL: "https://news.example/q",
			}},
		})
	}
	return b
}

type botOptions struct {
	mode       string
	guildID    string
	deferAfter time.Duration
	now        func() time.Time
	metrics    *metrics.Metrics
	shardID    int
	shardCount int
}

// newBot returns a Bot talking to srv.
func newBot(t *testing.T, srv *fakediscord.Server, h discord.CommandHandler, o botOptions) *discord.Bot {
	t.Helper()
	b, err := discord.New(discord.Config{
		Mode: o.mode, Token: "test-token", ApplicationID: srv.ApplicationID(), PublicKey: srv.PublicKey(),
		APIURL: srv.APIURL(), GuildID: o.guildID, DeferAfter: o.deferAfter, Now: o.now, Metrics: o.metrics,
		ShardID: o.shardID, ShardCount: o.shardCount, Logger: testLogger(t),
	}, h)
	if err != nil {
		t.Fatalf("discord.New: %v", err)
	}
	return b
}

// run runs b until the test ends and checks that Run returns cleanly.
func run(t *testing.T, b *discord.Bot) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("Run did not return after its context ended")
		}
	})
}

// runGateway runs b and waits for its gateway session and command registration.
func runGateway(t *testing.T, srv *fakediscord.Server, b *discord.Bot) {
	t.Helper()
	run(t, b)
	srv.WaitFor(t, "a ready gateway session and /brief registered", func() bool {
		return srv.Connected() == 1 && len(srv.Commands()) == 1
	})
}

// serveHTTP serves b's interactions endpoint and returns its URL.
func serveHTTP(t *testing.T, b *discord.Bot) string {
	t.Helper()
	hs := httptest.NewServer(b.InteractionsHandler())
	t.Cleanup(hs.Close)
	return hs.URL + "/discord/interactions"
}

// answered waits until the interaction has its first answer, and returns the reply.
func answered(t *testing.T, srv *fakediscord.Server, id string, cond func(fakediscord.InteractionReply) bool) fakediscord.InteractionReply {
	t.Helper()
	var r fakediscord.InteractionReply
	srv.WaitFor(t, "the answer to interaction "+id, func() bool {
		r = srv.Reply(id)
		return r.CallbackType != 0 && (cond == nil || cond(r))
	})
	return r
}

// checkNoLiveMentions fails when a message could ping someone.
func checkNoLiveMentions(t *testing.T, m fakediscord.Message) {
	t.Helper()
	if !m.MentionsSuppressed() {
		t.Errorf("message %s (%s) allows mentions: %+v; want allowed_mentions {\"parse\":[]}", m.ID, m.Via, m.AllowedMentions)
	}
	if !strings.Contains(string(m.Body), `"allowed_mentions":{"parse":[]`) {
		t.Errorf("message %s body lacks allowed_mentions {\"parse\":[]}: %s", m.ID, m.Body)
	}
}

// embedText is all the text of a message's embeds.
func embedText(embeds []*discordgo.MessageEmbed) string {
	var sb strings.Builder
	for _, e := range embeds {
		sb.WriteString(e.Title + "\n" + e.Description + "\n")
		for _, f := range e.Fields {
			sb.WriteString(f.Name + "\n" + f.Value + "\n")
		}
	}
	return sb.String()
}

// counter reads a counter of reg by name and labels.
func counter(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metric:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					continue metric
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func newMetrics() (*metrics.Metrics, *prometheus.Registry) {
	reg := prometheus.NewRegistry()
	return metrics.New(reg), reg
}

func renderMessages(b briefing.Briefing) []discord.Message {
	return discord.Render(b, discord.RenderOptions{})
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// eventually polls cond every 10 ms for up to 10 s, for state that announces no change.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// testLogger logs to the test (shown when it fails) until the test ends.
func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.done = true
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}
