package store_test

// Benchmarks of the store at scale, on the BBC corpus of the shared folder (skipped when it is
// absent). The corpus's 867 articles are repeated to BRIEFBOT_BENCH_ARTICLES articles (default
// 10,000), each copy made distinct: its own outlet, URL and published time, and a sentence of
// its own, so that no copy is an exact duplicate (copies of one article published within three
// days of each other are near-duplicates, and are linked into one story, the costliest path).
// The articles are spread over 100 days, 1,000 a day at 100,000.
//
//	go test -run '^$' -bench . -benchtime 1x ./briefing/store/                 # 10,000 articles
//	BRIEFBOT_BENCH_ARTICLES=100000 go test -run '^$' -bench Ingest -benchtime 1x ./briefing/store/
//	BRIEFBOT_BENCH_ARTICLES=100000 BRIEFBOT_TEST_POSTGRES=postgres://… go test -run '^$' -bench Query -benchtime 2000x ./briefing/store/

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// benchCorpus is the shared BBC corpus, relative to this package's directory.
var benchCorpus = filepath.Join("..", "..", "..", "shared", "corpus", "bbc")

// benchEnd is the published time of the newest benchmark article.
var benchEnd = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func benchSize(b *testing.B) int {
	n := 10_000
	if v := os.Getenv("BRIEFBOT_BENCH_ARTICLES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("BRIEFBOT_BENCH_ARTICLES=%q: want a positive number", v)
		}
	}
	return n
}

// readCorpus reads the corpus's articles (without analysing them).
func readCorpus(b *testing.B) []*briefing.Article {
	b.Helper()
	files, _ := filepath.Glob(filepath.Join(benchCorpus, "*.txt"))
	if len(files) == 0 {
		b.Skipf("the BBC corpus is not at %s: skipping the store benchmarks", benchCorpus)
	}
	slices.Sort(files)
	arts := make([]*briefing.Article, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		a, err := briefing.ReadArticle(f, data, briefing.ReadOptions{Source: "BBC News"})
		if err != nil {
			b.Fatalf("%s: %v", f, err)
		}
		arts = append(arts, a)
	}
	return arts
}

// benchCopy returns the i-th distinct copy of the corpus (of n), not analysed: base's text with
// a sentence of its own appended (so quote offsets into the base stay true).
func benchCopy(corpus []*briefing.Article, i, n int) *briefing.Article {
	base := corpus[i%len(corpus)]
	outlet := i % 40
	c := *base
	c.ID, c.StoryID, c.Hash = 0, 0, ""
	c.Source = fmt.Sprintf("Outlet %d", outlet)
	c.URL = fmt.Sprintf("https://outlet%d.example/%d/%d", outlet, i%len(corpus), i)
	c.Text = base.Text + fmt.Sprintf("\n\nThis is report %d of the archive, filed by desk %d.", i, outlet)
	spacing := 100 * 24 * time.Hour / time.Duration(max(n, 100_000))
	c.Published = benchEnd.Add(-time.Duration(n-1-i) * spacing)
	c.FirstSeen = c.Published.Add(time.Minute)
	return &c
}

// peakRSS returns the process's peak resident set size in MB (VmHWM), 0 when unknown.
func peakRSS() float64 {
	f, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(f))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// ingest analyses and saves n copies of the corpus, the way a bulk import does: analysis on
// every core, saves in batches of 500 in one transaction each.
func ingest(b *testing.B, s store.Store, corpus []*briefing.Article, n int, analyze bool) {
	const batch = 500
	ctx := context.Background()
	jobs := make(chan int)
	done := make(chan *briefing.Article, 2*batch)
	var workers sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := range jobs {
				a := benchCopy(corpus, i, n)
				if analyze {
					a.Quotes, a.Speakers, a.Lede = nil, nil, ""
					briefing.Analyze(a, briefing.AnalyzeOptions{})
				}
				done <- a
			}
		}()
	}
	go func() {
		for i := range n {
			jobs <- i
		}
		close(jobs)
		workers.Wait()
		close(done)
	}()
	buf := make([]*briefing.Article, 0, batch)
	flush := func() {
		rs, err := s.SaveArticles(ctx, buf)
		if err != nil {
			b.Fatalf("SaveArticles: %v", err)
		}
		for _, r := range rs {
			if r.Err != nil {
				b.Fatalf("SaveArticles: %v", r.Err)
			}
			if r.Status != store.Saved {
				b.Fatalf("a benchmark copy was a %s", r.Status)
			}
		}
		buf = buf[:0]
	}
	for a := range done {
		buf = append(buf, a)
		if len(buf) == batch {
			flush()
		}
	}
	if len(buf) > 0 {
		flush()
	}
}

// BenchmarkIngestSQLite measures a bulk import into SQLite, analysis included: articles per
// second and the process's peak memory.
func BenchmarkIngestSQLite(b *testing.B) {
	corpus := readCorpus(b)
	n := benchSize(b)
	for b.Loop() {
		b.StopTimer()
		s, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		ingest(b, s, corpus, n, true)
		elapsed := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(n)/elapsed.Seconds(), "articles/s")
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(peakRSS(), "peak-RSS-MB")
	b.ReportMetric(float64(n), "articles")
}

// BenchmarkQuerySQLite and BenchmarkQueryPostgres measure a topic briefing's query over the
// stored articles: Search for a topic in a 24-hour window, 20 articles at most, with their
// quotes. They report the median and the 99th percentile.
func BenchmarkQuerySQLite(b *testing.B) {
	corpus := readCorpus(b)
	s, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchQueries(b, s, corpus)
}

func BenchmarkQueryPostgres(b *testing.B) {
	corpus := readCorpus(b)
	base := os.Getenv("BRIEFBOT_TEST_POSTGRES")
	if base == "" {
		b.Skip("BRIEFBOT_TEST_POSTGRES not set: skipping the PostgreSQL benchmark")
	}
	s, err := store.Open(context.Background(), newPostgresSchema(b, base), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchQueries(b, s, corpus)
}

// benchTopics are topic queries a newsroom on this corpus might subscribe to.
var benchTopics = []string{
	`election OR labour OR tories -sport`,
	`"prime minister"`,
	`economy OR growth OR "interest rates"`,
	`film* OR oscar`,
	`football OR rugby OR tennis`,
	`mobile OR broadband OR internet`,
	`iraq OR war`,
	`oil OR fuel OR energy`,
	`music -film`,
	`speaker:blair`,
}

func benchQueries(b *testing.B, s store.Store, corpus []*briefing.Article) {
	n := benchSize(b)
	// Load the articles once, analysed once per corpus article (copies share the analysis).
	for _, a := range corpus {
		briefing.Analyze(a, briefing.AnalyzeOptions{})
	}
	load := time.Now()
	ingest(b, s, corpus, n, false)
	b.Logf("loaded %d articles in %v", n, time.Since(load).Round(time.Millisecond))

	ctx := context.Background()
	span := benchEnd.Sub(benchCopy(corpus, 0, n).Published)
	lat := make([]time.Duration, 0, b.N)
	found := 0
	i := 0
	for b.Loop() {
		until := benchEnd.Add(-time.Duration(i*7919%1000) * span / 1000)
		q := store.Query{Text: benchTopics[i%len(benchTopics)], Since: until.Add(-24 * time.Hour), Until: until, Limit: 20}
		start := time.Now()
		arts, err := s.Search(ctx, q)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		found += len(arts)
		i++
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(found)/float64(len(lat)), "articles/query")
	b.ReportMetric(float64(n), "stored")
}
