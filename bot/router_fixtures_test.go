package bot_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// now is the tests' clock: Monday 2 June 2025, 09:00 UTC (18:00 in Seoul).
var now = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

// The fixture articles were written for these tests; people, places and outlets are invented.
// Beside each: which briefings must show it.

// talksArticle: /brief korea (24h and longer), /brief "north korea"; quotes Min Ha-eun.
const talksArticle = `Talks on fishing boats resume between the Koreas

Seoul, June 2 - North Korea and South Korea resumed talks on Monday about fishing boats that drift across their sea border, officials said, after a pause of eight months.

"We have agreed to return every crew within a week, whatever the weather," said Min Ha-eun, the South's maritime envoy, after the meeting in the border village.

The delegation from Pyongyang did not speak to reporters. A second meeting is planned for July.`

// harbourArticle: /brief korea over a week, not over 24 hours (published four days earlier).
const harbourArticle = `Korean harbour reopens after storm repairs

Busan, May 29 - The harbour of a fishing town on the coast of South Korea reopened on Thursday after two months of repairs to its storm wall.

"The boats can come home again, and that is what matters to this town," the harbour master, Kang Do-yun, told local radio.`

// envoyArticle: /brief velkov (an ad-hoc search, no topic); quotes the invented minister Ivan
// Velkov. Not korea.
const envoyArticle = `Velkov calls for calm in grain dispute

Sofia, June 2 - Foreign Minister Ivan Velkov on Monday called on both sides of a dispute over grain exports to return to the table.

"Nobody wins a trade war fought with empty trucks," Velkov said. "We offer our capital for the talks and we ask for nothing in return."`

// fixtureArticles returns the articles, analysed by the real quote engine.
func fixtureArticles(t *testing.T) []*briefing.Article {
	t.Helper()
	mk := func(source, url, text string, published time.Time) *briefing.Article {
		a := &briefing.Article{Source: source, URL: url, Headline: strings.SplitN(text, "\n", 2)[0], Text: text,
			BodyStart: strings.Index(text, "\n\n") + 2, Published: published, FirstSeen: published}
		briefing.Analyze(a, briefing.AnalyzeOptions{})
		return a
	}
	return []*briefing.Article{
		mk("Harbour Times", "https://harbourtimes.example/2025/06/02/fishing-talks", talksArticle, now.Add(-3*time.Hour)),
		mk("Coast Radio", "https://coastradio.example/harbour-reopens", harbourArticle, now.Add(-4*24*time.Hour)),
		mk("Balkan Wire", "https://balkanwire.example/velkov-grain", envoyArticle, now.Add(-2*time.Hour)),
	}
}

// testTopics are the configured topics of the tests.
var testTopics = []store.Topic{
	{Name: "korea", Query: `korea OR pyongyang OR "north korea"`, FromConfig: true},
	{Name: "football", Query: "football OR soccer", FromConfig: true},
	{Name: "north korea", Query: `"north korea"`},
}

// openStore opens a real SQLite store in a temporary directory, with the topics and articles.
func openStore(t *testing.T) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "briefbot.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	for _, tp := range testTopics {
		if err := st.PutTopic(ctx, tp); err != nil {
			t.Fatalf("put topic: %v", err)
		}
	}
	for _, a := range fixtureArticles(t) {
		if _, err := st.SaveArticle(ctx, a); err != nil {
			t.Fatalf("save article %q: %v", a.Headline, err)
		}
	}
	return st
}

// changes counts OnChange calls.
type changes struct {
	mu sync.Mutex
	n  int
}

func (c *changes) inc() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *changes) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
