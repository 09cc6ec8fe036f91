package briefing

import (
	"math/rand/v2"
	"testing"
)

func TestHashIndexKeepsEveryKeyAsItGrows(t *testing.T) {
	x := newHashIndex(4)
	rng := rand.New(rand.NewPCG(1, 2))
	want := make(map[uint64]int32)
	for i := range 5000 {
		k := rng.Uint64()
		if i%7 == 0 {
			k = uint64(i) // small, clustered keys too
		}
		want[k] = int32(i)
		x.put(k, int32(i))
	}
	if x.len() != len(want) {
		t.Fatalf("%d keys, want %d", x.len(), len(want))
	}
	for k, v := range want {
		if got, ok := x.get(k); !ok || got != v {
			t.Fatalf("get(%d) = %d, %v; want %d", k, got, ok, v)
		}
	}
	if _, ok := x.get(rng.Uint64()); ok {
		t.Error("a key never put was found")
	}
	if 4*x.len() > 3*len(x.keys) {
		t.Errorf("%d keys in %d slots: fuller than three quarters", x.len(), len(x.keys))
	}
}

func TestHashIndexStoresKeyZeroAndForgetsOnReset(t *testing.T) {
	x := newHashIndex(0)
	x.put(0, 7)
	x.put(0, 8) // overwrites
	if v, ok := x.get(0); !ok || v != 8 || x.len() != 1 {
		t.Fatalf("get(0) = %d, %v with %d keys; want 8, true, 1", v, ok, x.len())
	}
	x.reset()
	if _, ok := x.get(0); ok || x.len() != 0 {
		t.Errorf("the key survived reset")
	}
}
