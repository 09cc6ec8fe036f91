package store

import (
	"context"
	"fmt"
	"math"
	"time"
)

// SQLite's full-text index keys each article by its time key: the article's published second
// times 2^timeKeyBits, plus a sequence number among the articles of that second. Keys go up
// with the published time, so the index's order is the published order (to the second): the
// articles of a published window are a range of keys, which the index reads newest first and
// stops reading once it has enough.
const timeKeyBits = 24

// The seconds a time key can hold: from about 6700 BC to 10700 AD. Times beyond are clamped,
// which keeps keys in order, if not exact to the second.
const (
	minKeySecond = -(1 << (62 - timeKeyBits))
	maxKeySecond = 1<<(62-timeKeyBits) - 1
)

// timeKeyBase returns the lowest time key of t's second.
func timeKeyBase(t time.Time) int64 {
	sec := t.Unix()
	return min(max(sec, minKeySecond), maxKeySecond) << timeKeyBits
}

// timeKeyFloor returns the lowest time key of the second of key.
func timeKeyFloor(key int64) int64 { return key >> timeKeyBits << timeKeyBits }

// timeKeyRange returns the keys, lo to hi inclusive, of the articles published in [since,
// until); zero times are unbounded. The range may hold a few articles of the seconds at its ends
// that are outside the window: queries check the published time too.
func timeKeyRange(since, until time.Time) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if !since.IsZero() {
		lo = timeKeyBase(since)
	}
	if !until.IsZero() {
		hi = timeKeyBase(until) + 1<<timeKeyBits - 1
	}
	return lo, hi
}

// nextTimeKey returns the time key of an article published at t: the next one free in its
// second.
func nextTimeKey(ctx context.Context, w *batchTx, t time.Time) (int64, error) {
	base := timeKeyBase(t)
	last := base + 1<<timeKeyBits - 1
	var key int64
	err := w.queryRow(ctx, `SELECT coalesce(max(time_key) + 1, $1) FROM articles WHERE time_key BETWEEN $1 AND $2`, base, last).Scan(&key)
	if err != nil {
		return 0, fmt.Errorf("time key: %w", err)
	}
	if key > last {
		return 0, fmt.Errorf("time key: more than %d articles were published in the second of %v", 1<<timeKeyBits, t.UTC())
	}
	return key, nil
}
