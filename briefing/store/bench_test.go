package store_test

// Benchmarks of the store at scale, on the BBC corpus of the shared folder (skipped when it is
// absent). The corpus's 867 articles are repeated to BRIEFBOT_BENCH_ARTICLES articles (default
// 10,000), each copy made distinct: its own outlet, URL, published time and headline, a
// sentence of its own at the end and a word changed in its body, so that no copy is an exact
// duplicate. The articles are spread evenly over 30 days (a 24-hour window holds 3.3% of them),
// so copies of one corpus article published within three days of each other are near-duplicates
// of each other, and are linked into one story: every save takes the costliest path.
//
//	go test -run '^$' -bench Ingest -benchtime 1x ./briefing/store/            # 10,000 articles
//	go test -run '^$' -bench Query -benchtime 500x ./briefing/store/
//	BRIEFBOT_BENCH_ARTICLES=100000 go test -run '^$' -bench IngestSQLite -benchtime 1x -timeout 1h ./briefing/store/
//	BRIEFBOT_BENCH_ARTICLES=100000 go test -run '^$' -bench QuerySQLite -benchtime 500x -timeout 1h ./briefing/store/
//	BRIEFBOT_BENCH_ARTICLES=100000 BRIEFBOT_TEST_POSTGRES=postgres://… go test -run '^$' -bench QueryPostgres -benchtime 500x -timeout 2h ./briefing/store/

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// benchCorpus is the shared BBC corpus, relative to this package's directory.
var benchCorpus = filepath.Join("..", "..", "..", "shared", "corpus", "bbc")

// benchEnd is the published time of the newest benchmark article; benchSpan how far back the
// oldest goes.
var (
	benchEnd  = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	benchSpan = 30 * 24 * time.Hour
)

// briefingLimit is how many articles a briefing reads at most (bot.Briefer's default).
const briefingLimit = 500

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
// one word of its body changed (to a word of the same length, so that quote offsets into the
// base stay true) and a sentence of its own appended, under its own headline.
func benchCopy(corpus []*briefing.Article, i, n int) *briefing.Article {
	base := corpus[i%len(corpus)]
	outlet := i % 40
	c := *base
	c.ID, c.StoryID, c.Hash = 0, 0, ""
	c.Source = fmt.Sprintf("Outlet %d", outlet)
	c.URL = fmt.Sprintf("https://outlet%d.example/%d/%d", outlet, i%len(corpus), i)
	c.Headline = fmt.Sprintf("%s (%s)", base.Headline, c.Source)
	c.Text = varyWord(base.Text, base.BodyStart, i) + fmt.Sprintf("\n\nThis is report %d of the archive, filed by desk %d.", i, outlet)
	c.Published = benchEnd.Add(-time.Duration(n-1-i) * (benchSpan / time.Duration(n)))
	c.FirstSeen = c.Published.Add(time.Minute)
	return &c
}

// varyWord replaces the letters of one word of the body (chosen by i) with as many x's.
func varyWord(text string, bodyStart, i int) string {
	words := 0
	for j := bodyStart; j < len(text); j++ {
		if text[j] == ' ' {
			words++
		}
	}
	if words < 10 {
		return text
	}
	target := 5 + i%(words-5)
	for j, w := bodyStart, 0; j < len(text); j++ {
		if text[j] != ' ' {
			continue
		}
		if w++; w < target {
			continue
		}
		k := j + 1
		for k < len(text) && ('a' <= text[k] && text[k] <= 'z') {
			k++
		}
		return text[:j+1] + strings.Repeat("x", k-j-1) + text[k:]
	}
	return text
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

// writtenBytes returns how many bytes the process has written to files so far (wchar of
// /proc/self/io: what it handed the kernel, cached or not), 0 when unknown.
func writtenBytes() int64 {
	f, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(f)) {
		if rest, ok := strings.CutPrefix(line, "wchar:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			return n
		}
	}
	return 0
}

// cpuTime returns the CPU time (user and system) the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage returns the machine's load average over the last minute, 0 when unknown: the
// machine's other work slows the wall-clock figures down.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
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
		workers.Go(func() {
			for i := range jobs {
				a := benchCopy(corpus, i, n)
				if analyze {
					a.Quotes, a.Speakers, a.Lede = nil, nil, ""
					briefing.Analyze(a, briefing.AnalyzeOptions{})
				}
				done <- a
			}
		})
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
// second, CPU time per article (steadier than the wall clock on a busy machine), the process's
// peak memory and the machine's load average when the import began.
func BenchmarkIngestSQLite(b *testing.B) {
	benchIngest(b, func(b *testing.B) string { return filepath.Join(b.TempDir(), "bench.db") })
}

// BenchmarkIngestPostgres is BenchmarkIngestSQLite into PostgreSQL (the CPU time is briefbot's
// only, not the server's).
func BenchmarkIngestPostgres(b *testing.B) {
	base := os.Getenv("BRIEFBOT_TEST_POSTGRES")
	if base == "" {
		b.Skip("BRIEFBOT_TEST_POSTGRES not set: skipping the PostgreSQL benchmark")
	}
	benchIngest(b, func(b *testing.B) string { return newPostgresSchema(b, base) })
}

func benchIngest(b *testing.B, newDSN func(b *testing.B) string) {
	corpus := readCorpus(b)
	n := benchSize(b)
	load := loadAverage()
	for b.Loop() {
		b.StopTimer()
		s, err := store.Open(context.Background(), newDSN(b), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu, written := time.Now(), cpuTime(), writtenBytes()
		ingest(b, s, corpus, n, true)
		elapsed, cpu, written := time.Since(start), cpuTime()-cpu, writtenBytes()-written
		b.StopTimer()
		b.ReportMetric(float64(n)/elapsed.Seconds(), "articles/s")
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/article")
		b.ReportMetric(float64(written)/1024/float64(n), "written-kB/article")
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(peakRSS(), "peak-RSS-MB")
	b.ReportMetric(float64(n), "articles")
	b.ReportMetric(load, "load-avg")
}

// BenchmarkQuerySQLite and BenchmarkQueryPostgres measure the query of a topic briefing over
// the stored articles: Search for a topic in a 24-hour and in a 7-day window, briefingLimit
// articles at most, with their quotes and without their text, as bot.Briefer searches. They
// report the median and the 99th percentile, after a warm-up.
func BenchmarkQuerySQLite(b *testing.B) {
	corpus := readCorpus(b)
	s, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchQueries(b, s, corpus, nil)
}

func BenchmarkQueryPostgres(b *testing.B) {
	corpus := readCorpus(b)
	base := os.Getenv("BRIEFBOT_TEST_POSTGRES")
	if base == "" {
		b.Skip("BRIEFBOT_TEST_POSTGRES not set: skipping the PostgreSQL benchmark")
	}
	dsn := newPostgresSchema(b, base)
	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchQueries(b, s, corpus, func() {
		// What autovacuum does soon after a bulk import: the planner needs the statistics of
		// the new rows to choose between the time index and the full-text index.
		db, err := sql.Open("pgx", withoutPoolParams(dsn))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	})
}

// withoutPoolParams removes pgxpool's own parameters from a DSN, for a plain connection.
func withoutPoolParams(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// benchTopics are topic queries a newsroom reading this corpus might subscribe to: a few
// alternatives and a phrase, some with an exclusion or a filter.
var benchTopics = []string{
	`election OR labour OR tories OR "general election" -sport`,
	`"prime minister" OR blair OR downing`,
	`economy OR growth OR inflation OR "interest rates"`,
	`film OR oscar OR actor OR "box office"`,
	`football OR rugby OR "six nations"`,
	`mobile OR broadband OR "high definition"`,
	`iraq OR troops OR "united nations"`,
	`oil OR fuel OR "energy prices"`,
	`music OR album OR "number one" -film`,
	`(china OR india) "economic growth"`,
	`games OR console OR "video games" -football`,
	`speaker:blair election`,
}

func benchQueries(b *testing.B, s store.Store, corpus []*briefing.Article, afterLoad func()) {
	n := benchSize(b)
	// Load the articles once, analysed once per corpus article (copies share the analysis).
	for _, a := range corpus {
		briefing.Analyze(a, briefing.AnalyzeOptions{})
	}
	load := time.Now()
	ingest(b, s, corpus, n, false)
	b.Logf("loaded %d articles in %v", n, time.Since(load).Round(time.Millisecond))
	if afterLoad != nil {
		afterLoad()
	}
	measureQueries(b, s, corpus, n)
	measureSingleSaves(b, s, corpus, n)
}

// measureSingleSaves saves articles one at a time (SaveArticle), each a new copy published at
// another point of the stored span: the near-duplicate check of each reads its window.
func measureSingleSaves(b *testing.B, s store.Store, corpus []*briefing.Article, n int) {
	b.Run("save-one", func(b *testing.B) {
		ctx := context.Background()
		lat := make([]time.Duration, 0, b.N)
		i := 0
		for b.Loop() {
			// Copy i*7919 of a store twice as large, renamed: new, between the stored ones.
			a := benchCopy(corpus, (i*7919)%(2*n), 2*n)
			a.URL += "/single"
			a.Text += " Filed again." // not a stored copy's exact text: a near-duplicate of them
			start := time.Now()
			r, err := s.SaveArticle(ctx, a)
			lat = append(lat, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			if r.Status != store.Saved || r.StoryID == r.ID {
				b.Fatalf("a single copy was %s, story %d of %d: want a new article linked to its copies", r.Status, r.StoryID, r.ID)
			}
			i++
		}
		slices.Sort(lat)
		pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.99), "p99-ms")
	})
}

// measureQueries runs the topic queries over a store holding n benchmark articles.
func measureQueries(b *testing.B, s store.Store, corpus []*briefing.Article, n int) {
	ctx := context.Background()
	oldest := benchCopy(corpus, 0, n).Published
	for _, window := range []time.Duration{24 * time.Hour, 7 * 24 * time.Hour} {
		// The i-th query: a topic, and a window ending somewhere in the stored span.
		query := func(i int) store.Query {
			room := benchEnd.Sub(oldest) - window
			until := benchEnd.Add(-time.Duration(i*7919%1000) * room / 1000)
			return store.Query{Text: benchTopics[i%len(benchTopics)], Since: until.Add(-window), Until: until, Limit: briefingLimit, WithoutText: true}
		}
		name := fmt.Sprintf("%dh", int(window.Hours()))
		b.Run(name, func(b *testing.B) {
			for i := range 3 * len(benchTopics) { // warm-up
				if _, err := s.Search(ctx, query(i+500)); err != nil {
					b.Fatal(err)
				}
			}
			load := loadAverage()
			lat := make([]time.Duration, 0, b.N)
			found := 0
			i := 0
			for b.Loop() {
				q := query(i)
				start := time.Now()
				arts, err := s.Search(ctx, q)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				for j, a := range arts {
					if a.Published.Before(q.Since) || !a.Published.Before(q.Until) || (j > 0 && a.Published.After(arts[j-1].Published)) {
						b.Fatalf("%q: article %d published %v is out of the window or out of order", q.Text, j, a.Published)
					}
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
			b.ReportMetric(load, "load-avg")
		})
	}
}
