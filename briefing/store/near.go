package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefing"
)

// Near-duplicates: an article is a copy of a stored one when their fingerprints are within
// briefing.NearDuplicateDistance bits, their published times within NearDuplicateWindow, and
// their bodies at least briefing.NearDuplicateSimilarity alike.
//
// Candidates are the stored articles of the window that share one of the fingerprint's eight
// 8-bit bands. The fingerprints of a window are read from the published index (which holds
// them), and the bands matched in memory:
//
//   - the articles of a batch that were published close together (a feed's latest items, a bulk
//     import) share most of their window: the fingerprints of the cluster's window are read
//     once, when the batch begins, and shared by all;
//   - an article apart from the others, in time, has its window (with those of its neighbours
//     in the batch) read when it first needs it: never when every article of the batch is a
//     duplicate of a stored one, the usual case of a feed read again.
//
// No index of bands is kept: at every save it cost more than all the lookups it served.

// nearIndex holds the fingerprints of the time spans a batch's articles were published in, for
// near-duplicate lookups in memory.
type nearIndex struct {
	// spans are read when the batch begins: stored, read-only afterwards (the prefetcher reads
	// it alongside the transaction).
	spans  []nearSpan
	stored nearTable
	// lazy are the spans of the articles apart from the others, read into late when an article
	// of theirs needs it (by the transaction only).
	lazy       []nearSpan
	lazyLoaded []bool
	late       nearTable
	// The articles saved in the batch so far (their latest version), which replace any stored
	// entry of the same id.
	batch    []nearEntry
	batchIDs map[int64]bool
}

// nearTable is the fingerprints of stored articles, with their bands.
type nearTable struct {
	entries []nearEntry
	// bands[i][v] lists the entries whose band i is v.
	bands [8][256][]int32
}

// nearSpan is a published window, in unix microseconds, inclusive.
type nearSpan struct{ from, to int64 }

type nearEntry struct {
	id          int64
	published   int64 // unix microseconds
	fingerprint uint64
}

// A cluster of n articles of a batch spread over d is read when the batch begins when it is
// dense, n*8/256 exceeding (d+2w)/(2w) by a safe margin: a bulk import, whose articles the
// prefetcher then works ahead on. A sparse one (a feed's few new items among many it had) is
// read when one of its articles first needs it.
const (
	nearClusterSpan    = 48 * time.Hour // the widest cluster of a batch read as one span
	nearSpanMinPerWide = 48             // articles a cluster needs per window width it spans
)

// newNearIndex plans the near-duplicate lookups of a batch of articles published at times (unix
// microseconds): it reads the spans of its dense clusters of articles (see nearSpanMinPerWide)
// into memory and notes the others' for later.
func (s *sqlStore) newNearIndex(ctx context.Context, w *batchTx, times []int64) (*nearIndex, error) {
	ix := &nearIndex{batchIDs: map[int64]bool{}}
	slices.Sort(times)
	window := NearDuplicateWindow.Microseconds()
	add := func(spans []nearSpan, sp nearSpan) []nearSpan {
		if n := len(spans); n > 0 && spans[n-1].to >= sp.from {
			spans[n-1].to = max(spans[n-1].to, sp.to)
			return spans
		}
		return append(spans, sp)
	}
	for i := 0; i < len(times); {
		j := i
		for j < len(times) && times[j]-times[i] <= nearClusterSpan.Microseconds() {
			j++
		}
		span := nearSpan{from: times[i] - window, to: times[j-1] + window}
		if int64(j-i)*2*window >= nearSpanMinPerWide*(span.to-span.from) {
			ix.spans = add(ix.spans, span)
		} else {
			ix.lazy = add(ix.lazy, span)
		}
		i = j
	}
	ix.lazyLoaded = make([]bool, len(ix.lazy))
	for _, sp := range ix.spans {
		if err := ix.stored.read(ctx, s, w, sp); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

// read loads the fingerprints of the articles published in sp.
func (tb *nearTable) read(ctx context.Context, s *sqlStore, w *batchTx, sp nearSpan) error {
	rows, err := w.query(ctx, `SELECT id, published, fingerprint FROM articles WHERE published BETWEEN $1 AND $2 AND fingerprint <> 0`,
		s.ts(time.UnixMicro(sp.from)), s.ts(time.UnixMicro(sp.to)))
	if err != nil {
		return fmt.Errorf("read fingerprints: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e         nearEntry
			published time.Time
			fp        int64
		)
		if err := rows.Scan(&e.id, timeCol{&published}, &fp); err != nil {
			return fmt.Errorf("read fingerprints: %w", err)
		}
		e.published, e.fingerprint = published.UnixMicro(), uint64(fp)
		i := int32(len(tb.entries))
		tb.entries = append(tb.entries, e)
		for b := range tb.bands {
			v := byte(e.fingerprint >> (8 * b))
			tb.bands[b][v] = append(tb.bands[b][v], i)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read fingerprints: %w", err)
	}
	return nil
}

// covers reports whether the whole window of an article published at t (unix microseconds) was
// read when the batch began.
func (ix *nearIndex) covers(t int64) bool { return spansCover(ix.spans, t) }

func spansCover(spans []nearSpan, t int64) bool {
	w := NearDuplicateWindow.Microseconds()
	for _, sp := range spans {
		if sp.from <= t-w && t+w <= sp.to {
			return true
		}
	}
	return false
}

// table returns the fingerprints that hold the whole window of an article published at t,
// reading its span now if it was left for later (or, for a time the batch's plan did not
// foresee, its window).
func (ix *nearIndex) table(ctx context.Context, s *sqlStore, w *batchTx, t int64) (*nearTable, error) {
	if ix.covers(t) {
		return &ix.stored, nil
	}
	win := NearDuplicateWindow.Microseconds()
	i := slices.IndexFunc(ix.lazy, func(sp nearSpan) bool { return sp.from <= t-win && t+win <= sp.to })
	if i < 0 {
		ix.lazy = append(ix.lazy, nearSpan{from: t - win, to: t + win})
		ix.lazyLoaded = append(ix.lazyLoaded, false)
		i = len(ix.lazy) - 1
	}
	if !ix.lazyLoaded[i] {
		if err := ix.late.read(ctx, s, w, ix.lazy[i]); err != nil {
			return nil, err
		}
		ix.lazyLoaded[i] = true
	}
	return &ix.late, nil
}

// add records an article just inserted or updated in the batch.
func (ix *nearIndex) add(id int64, row *articleRow) {
	e := nearEntry{id: id, published: row.published.UnixMicro(), fingerprint: row.fingerprint}
	if ix.batchIDs[id] {
		for i := range ix.batch {
			if ix.batch[i].id == id {
				ix.batch[i] = e
			}
		}
		return
	}
	ix.batchIDs[id] = true
	ix.batch = append(ix.batch, e)
}

// nearCandidate is a stored article whose fingerprint is close to an article's.
type nearCandidate struct {
	id   int64
	dist int
}

// candidates returns the candidates of an article published at t with fingerprint fp, among the
// stored articles of tb and those saved in the batch: sharing a band, published within the
// window, within briefing.NearDuplicateDistance bits; closest first.
func (ix *nearIndex) candidates(tb *nearTable, t int64, fp uint64) []nearCandidate {
	out := tb.candidates(t, fp)
	out = slices.DeleteFunc(out, func(c nearCandidate) bool { return ix.batchIDs[c.id] })
	w := NearDuplicateWindow.Microseconds()
	for _, e := range ix.batch {
		if e.fingerprint == 0 || !shareBand(e.fingerprint, fp) || e.published < t-w || e.published > t+w {
			continue
		}
		if d := briefing.FingerprintDistance(fp, e.fingerprint); d <= briefing.NearDuplicateDistance {
			out = append(out, nearCandidate{id: e.id, dist: d})
		}
	}
	sortCandidates(out)
	return out
}

// candidates returns the candidates among the table's articles.
func (tb *nearTable) candidates(t int64, fp uint64) []nearCandidate {
	w := NearDuplicateWindow.Microseconds()
	var out []nearCandidate
	for b := range tb.bands {
		v := byte(fp >> (8 * b))
		for _, i := range tb.bands[b][v] {
			e := tb.entries[i]
			if e.published < t-w || e.published > t+w {
				continue
			}
			d := briefing.FingerprintDistance(fp, e.fingerprint)
			if d > briefing.NearDuplicateDistance || slices.ContainsFunc(out, func(c nearCandidate) bool { return c.id == e.id }) {
				continue
			}
			out = append(out, nearCandidate{id: e.id, dist: d})
		}
	}
	sortCandidates(out)
	return out
}

// shareBand reports whether two fingerprints have one of their eight bytes in common.
func shareBand(a, b uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := a ^ b
	return (x-ones)&^x&highs != 0 // some byte of x is zero
}

// sortCandidates orders candidates closest first, then by id.
func sortCandidates(cs []nearCandidate) {
	slices.SortFunc(cs, func(a, b nearCandidate) int { return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.id, b.id)) })
}

// prefetched are the shingles of stored articles, computed ahead of the transaction's loop.
type prefetched struct {
	mu sync.Mutex
	m  map[int64]recentArticle
}

func (p *prefetched) get(id int64) (recentArticle, bool) {
	if p == nil {
		return recentArticle{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.m[id]
	return r, ok
}

// prefetch reads and shingles, on another core, the closest stored candidate of each article of
// the batch as it is prepared, unless the store's cache has it: the check of the article in the
// transaction then finds it ready. It reads from the store's readers, which see what the
// transaction sees of the articles stored before it; it returns when done or ctx ends.
func (s *sqlStore) prefetch(ctx context.Context, ix *nearIndex, rows []*articleRow, prepared []chan struct{}, into *prefetched) {
	for i := range rows {
		select {
		case <-prepared[i]:
		case <-ctx.Done():
			return
		}
		row := rows[i]
		if row == nil || row.fingerprint == 0 || !ix.covers(row.published.UnixMicro()) {
			continue
		}
		cands := ix.stored.candidates(row.published.UnixMicro(), row.fingerprint)
		if len(cands) == 0 {
			continue
		}
		id := cands[0].id
		if _, _, ok := s.recent.get(id); ok {
			continue
		}
		if _, ok := into.get(id); ok {
			continue
		}
		r, err := s.readShingles(ctx, s.r, id)
		if err != nil {
			continue // the transaction reads it itself
		}
		into.mu.Lock()
		into.m[id] = r
		into.mu.Unlock()
	}
}

// readShingles reads a stored article's story and computes its body's shingles.
func (s *sqlStore) readShingles(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, id int64) (recentArticle, error) {
	var (
		story, start int64
		text         string
	)
	if err := q.QueryRowContext(ctx, `SELECT coalesce(story_id, id), body_start, text FROM articles WHERE id = $1`, id).Scan(&story, &start, &text); err != nil {
		return recentArticle{}, fmt.Errorf("look up near-duplicate %d: %w", id, err)
	}
	if start < 0 || start > int64(len(text)) {
		start = 0
	}
	return recentArticle{id: id, story: story, shingles: briefing.Shingles(text[start:])}, nil
}

// nearDuplicate returns the story of a stored copy of row's text, if any: among the candidates,
// closest first, the first whose body is at least briefing.NearDuplicateSimilarity alike.
func (s *sqlStore) nearDuplicate(ctx context.Context, w *batchTx, ix *nearIndex, pre *prefetched, row *articleRow) (sql.NullInt64, error) {
	if row.fingerprint == 0 {
		return sql.NullInt64{}, nil
	}
	t := row.published.UnixMicro()
	tb, err := ix.table(ctx, s, w, t)
	if err != nil {
		return sql.NullInt64{}, err
	}
	cands := ix.candidates(tb, t, row.fingerprint)
	for _, c := range cands[:min(len(cands), 5)] {
		// The article's shingles: saved in this batch, prefetched, cached, or read now.
		shingles, story, ok := w.shingles(c.id)
		if !ok {
			var r recentArticle
			if r, ok = pre.get(c.id); !ok {
				r.shingles, r.story, ok = s.recent.get(c.id)
			}
			if !ok {
				var err error
				if r, err = s.readShingles(ctx, w.tx, c.id); err != nil {
					return sql.NullInt64{}, err
				}
			}
			shingles, story = r.shingles, r.story
		}
		if sim := briefing.Similarity(row.shingles, shingles); sim >= briefing.NearDuplicateSimilarity {
			s.log.Debug("store: near-duplicate", "story_id", story, "of_article", c.id, "distance", c.dist, "similarity", sim)
			return sql.NullInt64{Int64: story, Valid: true}, nil
		}
	}
	return sql.NullInt64{}, nil
}
