package briefing_test

import (
	"bufio"
	"bytes"
	"fmt"
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

// adversarial returns texts of about n bytes built to hit slow paths: unbalanced marks, long
// runs of capitals, many short quotes, sentences without spaces, many speakers and pronouns, one
// sentence of titles in apposition.
func adversarial(n int) map[string][]byte {
	const head = "A headline above the adversarial text\n\n"
	rep := func(unit string) []byte {
		b := make([]byte, 0, n+len(unit))
		b = append(b, head...)
		for len(b) < n {
			b = append(b, unit...)
		}
		return b
	}
	marks := []byte(head)
	seed := uint32(1)
	for len(marks) < n {
		seed = seed*1664525 + 1013904223
		marks = append(marks, "\"'’‘“” a.\n"[seed>>24%14])
	}
	names := []byte(head)
	for i := 0; len(names) < n; i++ {
		names = append(names, fmt.Sprintf("Zed%d Quux%d met Ann%d. \"Fine,\" he said. ", i, i*7, i)...)
	}
	return map[string][]byte{
		"marks":        marks,
		"quote-runs":   rep(`"'"'"'"'`),
		"open-marks":   rep(`“a ‘b «c `),
		"apostrophes":  rep(`players’ fault’ s’ `),
		"capitals":     rep("Minister Foreign Deputy Chief Mr "),
		"sentences":    rep("Perhaps. Building. Zorro. "),
		"short-quotes": rep(`the "green deal" and `),
		"no-spaces":    rep("a.b.c.d.e."),
		"speakers":     names,
		"pronouns":     rep(`"We will win," she said. "It is over," he added. `),
		"paragraph":    rep(`"A," she said, "B." `),
		"paragraphs":   rep("\"Quote that goes on\n\n\"and on, said Ann Lee.\n\n"),
		"appositions":  rep("Acme Corp said its chief executive of the Dock Workers' Union of the Port, Jo Lee, who chairs the Ann Lee Trust, a hydrologist at the University of Kent, and "),
	}
}

// BenchmarkAdversarial runs the engine over 1 MB inputs built to be slow; each must take time
// linear in its size (about that of ordinary text of the same size), never quadratic.
func BenchmarkAdversarial(b *testing.B) {
	for name, text := range adversarial(1 << 20) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				a, err := briefing.ReadArticle("a.txt", text, briefing.ReadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				briefing.Analyze(a, briefing.AnalyzeOptions{})
			}
		})
	}
}
