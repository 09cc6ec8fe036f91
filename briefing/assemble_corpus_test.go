package briefing_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
)

// bbcArticles reads and analyses the BBC corpus (../shared/corpus/bbc), giving the articles the
// outlet, URL and publication time (spread over one day) that the corpus lacks.
func bbcArticles(tb testing.TB) []briefing.Article {
	tb.Helper()
	dir := sharedDir(tb, "corpus", "bbc")
	names, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(names) == 0 {
		tb.Skipf("no articles in %s", dir)
	}
	start := time.Date(2005, 3, 1, 0, 0, 0, 0, time.UTC)
	arts := make([]briefing.Article, 0, len(names))
	for i, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		a, err := briefing.ReadArticle(name, data, briefing.ReadOptions{})
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		briefing.Analyze(a, briefing.AnalyzeOptions{})
		base := strings.TrimSuffix(filepath.Base(name), ".txt")
		a.Source = "BBC News"
		a.URL = "https://bbc.example/news/" + base
		a.Published = start.Add(time.Duration(i) * 24 * time.Hour / time.Duration(len(names)))
		a.FirstSeen = a.Published
		arts = append(arts, *a)
	}
	return arts
}

// BenchmarkAssembleBBC assembles a briefing from the 867 analysed BBC articles (analysed once,
// outside the timer).
func BenchmarkAssembleBBC(b *testing.B) {
	arts := bbcArticles(b)
	opts := briefing.AssembleOptions{Topic: "economy", Query: "economy OR growth OR shares", From: arts[0].Published, To: arts[len(arts)-1].Published}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := briefing.ProcessCPUTime()
	for b.Loop() {
		if br := briefing.Assemble(arts, opts); len(br.Stories) == 0 {
			b.Fatal("no stories")
		}
	}
	briefing.ReportCPUPerOp(b, cpu)
}

// The BBC corpus holds some articles twice (the same headline and text under two names), many
// follow-ups of one story, and mostly different events. Put in one day, the copies must be
// joined, and most articles must stay apart; what was joined is logged for a reader to judge.
func TestAssembleJoinsTheBBCsCopiesAndKeepsMostEventsApart(t *testing.T) {
	arts := bbcArticles(t)
	for i := range arts {
		arts[i].Source = arts[i].URL // one outlet per article, so each story lists all of its articles
	}
	b := briefing.Assemble(arts, briefing.AssembleOptions{Stories: len(arts), QuotesPerStory: 1})
	storyOf := make(map[string]int) // article URL → story
	for i, s := range b.Stories {
		for _, src := range s.Sources {
			storyOf[src.URL] = i
		}
	}
	byHeadline := make(map[string][]string)
	for _, a := range arts {
		byHeadline[a.Headline] = append(byHeadline[a.Headline], a.URL)
	}
	for headline, urls := range byHeadline {
		if len(urls) > 1 && storyOf[urls[0]] != storyOf[urls[1]] {
			t.Errorf("the two copies of %q are in different stories", headline)
		}
	}
	joined := len(arts) - len(b.Stories)
	t.Logf("%d articles → %d stories (%d articles joined an earlier one)", len(arts), len(b.Stories), joined)
	if joined > len(arts)*15/100 {
		t.Errorf("%d of %d articles were joined to another story; want at most 15%%", joined, len(arts))
	}
}
