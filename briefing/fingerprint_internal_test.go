package briefing

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// sortHashes must order any set of hashes as a comparison sort does: short and long, uniform
// and with bytes every hash shares (a byte pass that moves nothing is skipped).
func TestSortHashesMatchesComparisonSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name string
		gen  func(n int) []uint64
	}{
		{"uniform", func(n int) []uint64 {
			hs := make([]uint64, n)
			for i := range hs {
				hs[i] = r.Uint64()
			}
			return hs
		}},
		{"low bytes shared", func(n int) []uint64 {
			hs := make([]uint64, n)
			for i := range hs {
				hs[i] = r.Uint64()&^0xffff | 0xab12
			}
			return hs
		}},
		{"few distinct values", func(n int) []uint64 {
			hs := make([]uint64, n)
			for i := range hs {
				hs[i] = uint64(r.IntN(5)) << 60
			}
			return hs
		}},
		{"all equal", func(n int) []uint64 { return slices.Repeat([]uint64{42}, n) }},
	}
	for _, c := range cases {
		for _, n := range []int{0, 1, 63, 64, 65, 500, 4096} {
			hs := c.gen(n)
			want := slices.Clone(hs)
			slices.Sort(want)
			sortHashes(hs)
			if !slices.Equal(hs, want) {
				t.Errorf("%s, %d hashes: sortHashes disagrees with slices.Sort", c.name, n)
			}
		}
	}
}

func BenchmarkSortHashes(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	src := make([]uint64, 600)
	for i := range src {
		src[i] = r.Uint64()
	}
	hs := make([]uint64, len(src))
	for b.Loop() {
		copy(hs, src)
		sortHashes(hs)
	}
}
