package briefing_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/briefing"
)

// loadCorpus reads the BBC corpus, or skips when it is absent.
func loadCorpus(b *testing.B) (texts [][]byte, size int64) {
	dir := sharedDir(b, "corpus", "bbc")
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, data)
		size += int64(len(data))
	}
	if len(texts) == 0 {
		b.Skip("no articles in the corpus")
	}
	return texts, size
}

// BenchmarkAnalyze measures the whole engine (reading, extraction, attribution, ranking) over
// the BBC corpus: MB/s, articles/s and allocations per article. Run it on one core:
//
//	go test -run '^$' -bench . -benchmem -cpu 1 ./briefing/
func BenchmarkAnalyze(b *testing.B) {
	texts, size := loadCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, data := range texts {
			a, err := briefing.ReadArticle("a.txt", data, briefing.ReadOptions{})
			if err != nil {
				b.Fatal(err)
			}
			briefing.Analyze(a, briefing.AnalyzeOptions{})
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(texts))/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkScanWords is the baseline: only splitting the same texts into words with
// bufio.ScanWords. Analyze's MB/s divided by this one's is the engine's cost relative to reading
// the words once.
func BenchmarkScanWords(b *testing.B) {
	texts, size := loadCorpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	words := 0
	for b.Loop() {
		for _, data := range texts {
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Split(bufio.ScanWords)
			for sc.Scan() {
				words++
			}
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(texts))/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(0, "ns/op")
	if words == 0 {
		b.Fatal("no words")
	}
}
