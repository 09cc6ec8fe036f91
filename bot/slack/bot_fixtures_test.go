package slack_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// now is the tests' clock: Monday 2 June 2025, 09:00 UTC.
var now = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// The fixture articles were written for these tests; people and outlets are invented.

// prankArticle is about Korea (/brief korea finds it) and carries text that would ping a whole
// channel or a user if it reached Slack unescaped: the rendering must show it as text.
const prankArticle = `Border talks resume as Koreas swap fishing crews

Seoul, June 2 - North Korea and South Korea swapped the crews of two fishing boats on Monday as talks on their sea border resumed, officials said.

"Tell <!channel> and @here that every crew goes home this week, <@U0TEAM> included," said Min Ha-eun, the South's maritime envoy, reading from a message that had circulated online.

The delegation from Pyongyang did not speak to reporters. A second meeting is planned for July.`

// grainArticle is found by /brief velkov (not a topic) and not by korea.
const grainArticle = `Velkov calls for calm in grain dispute

Sofia, June 2 - Foreign Minister Ivan Velkov on Monday called on both sides of a dispute over grain exports to return to the table.

"Nobody wins a trade war fought with empty trucks," Velkov said.`

// openStore opens a real SQLite store with the topic korea and the fixture articles.
func openStore(t testing.TB) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "briefbot.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.PutTopic(ctx, store.Topic{Name: "korea", Query: `korea OR pyongyang`}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []*briefing.Article{
		article("Harbour Times", "https://harbourtimes.example/2025/06/02/crews", prankArticle, now.Add(-2*time.Hour)),
		article("Balkan Wire", "https://balkanwire.example/velkov-grain", grainArticle, now.Add(-1*time.Hour)),
	} {
		if _, err := st.SaveArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func article(source, url, text string, published time.Time) *briefing.Article {
	a := &briefing.Article{Source: source, URL: url, Headline: strings.SplitN(text, "\n", 2)[0], Text: text,
		BodyStart: strings.Index(text, "\n\n") + 2, Published: published, FirstSeen: published}
	briefing.Analyze(a, briefing.AnalyzeOptions{})
	return a
}

// newRouter returns the real router over a real store.
func newRouter(t testing.TB) *bot.Router {
	t.Helper()
	st := openStore(t)
	r, err := bot.NewRouter(bot.RouterConfig{Store: st, Briefer: &bot.Briefer{Store: st}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// gatedHandler holds every command until the test opens the gate: a handler slower than the
// ack budget, without sleeping.
type gatedHandler struct {
	next    *bot.Router
	gate    chan struct{}
	started chan bot.Request
}

func newGatedHandler(next *bot.Router) *gatedHandler {
	return &gatedHandler{next: next, gate: make(chan struct{}), started: make(chan bot.Request, 10)}
}

func (h *gatedHandler) Handle(ctx context.Context, req bot.Request) bot.Reply {
	h.started <- req
	select {
	case <-h.gate:
	case <-ctx.Done():
	}
	return h.next.Handle(ctx, req)
}

// recordingHandler remembers the requests it answers.
type recordingHandler struct {
	next *bot.Router
	mu   sync.Mutex
	reqs []bot.Request
}

func (h *recordingHandler) Handle(ctx context.Context, req bot.Request) bot.Reply {
	h.mu.Lock()
	h.reqs = append(h.reqs, req)
	h.mu.Unlock()
	return h.next.Handle(ctx, req)
}

func (h *recordingHandler) requests() []bot.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]bot.Request(nil), h.reqs...)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// liveMentions are what Slack turns into notifications; no text we send may hold them.
var liveMentions = []string{"<!channel", "<!here", "<!everyone", "<@", "<!subteam"}

func checkNoLiveMentions(t *testing.T, texts []string) {
	t.Helper()
	for _, s := range texts {
		for _, m := range liveMentions {
			if strings.Contains(s, m) {
				t.Errorf("text holds a live mention %q: %q", m, s)
			}
		}
	}
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}
