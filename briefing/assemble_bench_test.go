package briefing

import (
	"math/rand/v2"
	"testing"
	"time"
)

// The goal: a briefing from 1,000 candidate articles is assembled (and rendered, see the
// renderers' benchmarks) in well under 20 ms.

func benchmarkAssemble(b *testing.B, n int) {
	start := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	arts := generateArticles(rand.New(rand.NewPCG(7, uint64(n))), n, start)
	opts := AssembleOptions{Topic: "topic", Query: "topic", From: start, To: start.Add(24 * time.Hour)}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := ProcessCPUTime()
	for b.Loop() {
		br := Assemble(arts, opts)
		if len(br.Stories) == 0 {
			b.Fatal("no stories")
		}
	}
	ReportCPUPerOp(b, cpu)
}

// ReportCPUPerOp reports the CPU time per operation since cpu, when the platform measures it: on a
// shared machine it is steadier than the wall time.
func ReportCPUPerOp(b *testing.B, cpu time.Duration) {
	if cpu == 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(ProcessCPUTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

func BenchmarkAssemble100(b *testing.B)   { benchmarkAssemble(b, 100) }
func BenchmarkAssemble1000(b *testing.B)  { benchmarkAssemble(b, 1000) }
func BenchmarkAssemble10000(b *testing.B) { benchmarkAssemble(b, 10000) }
