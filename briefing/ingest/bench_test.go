package ingest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

// corpusDir returns ../shared/corpus/NAME next to the repository, skipping when it is absent.
func corpusDir(tb testing.TB, name string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("repository root not found")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus", name)
	if _, err := os.Stat(corpus); err != nil {
		tb.Skipf("corpus %s not present: %v", corpus, err)
	}
	return corpus
}

// BenchmarkIngestFilesBBC measures the files ingest path on the BBC corpus: read, extract
// quotes, hash and store every article into a new SQLite database.
func BenchmarkIngestFilesBBC(b *testing.B) {
	files, _ := ListFiles([]string{corpusDir(b, "bbc")}, "bbc")
	var articles int
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		st, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		in := New(st, Options{})
		start := time.Now()
		b.StartTimer()
		rep := in.IngestFileList(b.Context(), files, nil)
		b.StopTimer()
		elapsed += time.Since(start)
		articles += rep.New + rep.Duplicates
		if rep.Failed > 0 {
			b.Fatalf("%d failed: %+v", rep.Failed, rep.Failures[0])
		}
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(articles)/elapsed.Seconds(), "articles/s")
}

// BenchmarkReingestFilesBBC measures a second run over files already stored (all duplicates).
func BenchmarkReingestFilesBBC(b *testing.B) {
	files, _ := ListFiles([]string{corpusDir(b, "bbc")}, "bbc")
	st, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	in := New(st, Options{})
	in.IngestFileList(b.Context(), files, nil)
	b.ResetTimer()
	start := time.Now()
	var articles int
	for b.Loop() {
		articles += in.IngestFileList(b.Context(), files, nil).Duplicates
	}
	b.ReportMetric(float64(articles)/time.Since(start).Seconds(), "articles/s")
}
