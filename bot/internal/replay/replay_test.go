package replay

import (
	"testing"
	"time"
)

func TestAKeyIsNewOnceWithinItsTimeAndAgainAfter(t *testing.T) {
	c := New(10*time.Minute, 100)
	t0 := time.Date(2025, 3, 4, 8, 0, 0, 0, time.UTC)
	if !c.First("sig-a", t0) || c.First("sig-a", t0.Add(9*time.Minute)) {
		t.Fatal("a key seen 9 minutes ago was accepted again")
	}
	if !c.First("sig-b", t0.Add(9*time.Minute)) {
		t.Fatal("a new key was refused")
	}
	if !c.First("sig-a", t0.Add(11*time.Minute)) {
		t.Error("a key older than its time is still remembered")
	}
	if len(c.seen) != 2 {
		t.Errorf("the cache holds %d keys, want 2 (old ones dropped)", len(c.seen))
	}
}

func TestAFullCacheRefusesNewKeysRatherThanForgetLiveOnes(t *testing.T) {
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	c := New(10*time.Minute, 2)
	if !c.First("a", now) || c.First("a", now) {
		t.Fatal("a key must be new once, then seen")
	}
	now = now.Add(9 * time.Minute)
	if c.First("a", now) {
		t.Error("a key was forgotten before its time")
	}
	if !c.First("b", now) {
		t.Error("a second key was refused")
	}
	if c.First("c", now) {
		t.Error("a full cache of live keys accepted a third instead of refusing it")
	}
	now = now.Add(2 * time.Minute) // "a" has expired, "b" has not
	if !c.First("a", now) {
		t.Error("an expired key is still refused")
	}
	if c.First("b", now) {
		t.Error("a live key was forgotten when room was made")
	}
}

func TestAKeyRecordedAgainOutlivesItsFirstRecord(t *testing.T) {
	c := New(10*time.Minute, 100)
	t0 := time.Date(2025, 3, 4, 8, 0, 0, 0, time.UTC)
	c.First("k", t0)
	c.First("k", t0.Add(11*time.Minute)) // new again: the first record has expired
	if c.First("k", t0.Add(20*time.Minute)) {
		t.Error("the expiry of a key's first record forgot its second")
	}
}

func BenchmarkFirst(b *testing.B) {
	c := New(10*time.Minute, 100_000)
	now := time.Date(2025, 3, 4, 8, 0, 0, 0, time.UTC)
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = string(rune('a'+i%26)) + time.Duration(i).String()
	}
	b.ResetTimer()
	for i := range b.N {
		c.First(keys[i%len(keys)], now.Add(time.Duration(i)*time.Millisecond))
	}
}
