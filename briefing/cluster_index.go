package briefing

import "math/bits"

// hashIndex maps 64-bit hashes (of words, shingles, names) to int32 values by open addressing:
// no allocation per entry and no hashing of the key again, which makes it several times faster
// than a Go map on the paths every candidate article takes. Key 0 marks a free slot, so a key of
// 0 is stored as 1; with 64-bit hashes the two meeting does not happen in practice.
type hashIndex struct {
	keys  []uint64
	vals  []int32
	n     int
	shift uint // 64 - log2(len(keys))
}

// The index grows when more than maxLoad of its slots would be taken: with linear probing and
// Fibonacci hashing, a lookup then reads about two slots when the key is there, four when not.
const maxLoadNum, maxLoadDen = 3, 4

// newHashIndex returns an index sized for about n keys.
func newHashIndex(n int) *hashIndex {
	x := &hashIndex{}
	x.alloc(max(16, n*maxLoadDen/maxLoadNum+1))
	return x
}

// alloc makes room for size slots, rounded up to a power of two.
func (x *hashIndex) alloc(size int) {
	logSize := bits.Len(uint(size - 1))
	x.keys = make([]uint64, 1<<logSize)
	x.vals = make([]int32, 1<<logSize)
	x.shift = uint(64 - logSize)
}

// slot returns where key k is, or the free slot where it would go.
func (x *hashIndex) slot(k uint64) int {
	mask := len(x.keys) - 1
	// Fibonacci hashing takes the high bits of the product, which every bit of k reaches.
	i := int((k * 0x9E3779B97F4A7C15) >> x.shift)
	for x.keys[i] != k && x.keys[i] != 0 {
		i = (i + 1) & mask
	}
	return i
}

func fixKey(k uint64) uint64 {
	if k == 0 {
		return 1
	}
	return k
}

// get returns the value of key k.
func (x *hashIndex) get(k uint64) (int32, bool) {
	i := x.slot(fixKey(k))
	return x.vals[i], x.keys[i] != 0
}

// put sets the value of key k.
func (x *hashIndex) put(k uint64, v int32) {
	k = fixKey(k)
	i := x.slot(k)
	if x.keys[i] == 0 {
		if (x.n+1)*maxLoadDen > len(x.keys)*maxLoadNum {
			x.grow()
			i = x.slot(k)
		}
		x.keys[i] = k
		x.n++
	}
	x.vals[i] = v
}

// grow doubles the table.
func (x *hashIndex) grow() {
	keys, vals := x.keys, x.vals
	x.alloc(2 * len(keys))
	for j, k := range keys {
		if k != 0 {
			i := x.slot(k)
			x.keys[i], x.vals[i] = k, vals[j]
		}
	}
}

// reset removes every key.
func (x *hashIndex) reset() {
	clear(x.keys)
	x.n = 0
}

// resetFor removes every key and sizes the index for about n keys: it keeps its slots unless they
// are too few, or more than eight times too many (clearing them would cost more than allocating).
func (x *hashIndex) resetFor(n int) {
	need := max(16, n*maxLoadDen/maxLoadNum+1)
	if len(x.keys) < need || len(x.keys) > 8*need {
		x.alloc(need)
		x.n = 0
		return
	}
	x.reset()
}

// len returns the number of keys.
func (x *hashIndex) len() int { return x.n }
