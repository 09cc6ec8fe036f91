package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefing"
)

// Near-duplicates: an article is a copy of a stored one when their fingerprints are within
// briefing.NearDuplicateDistance bits, their published times within NearDuplicateWindow, and
// their bodies at least briefing.NearDuplicateSimilarity alike.
//
// Candidates are the stored articles of the window that share one of the fingerprint's eight
// 8-bit bands (fingerprintBands). They are found one of two ways, with the same result:
//
//   - by article: eight lookups in the band indexes, for an article saved on its own or apart
//     in time from the rest of its batch;
//   - by batch: the articles of a batch that were published close together (a feed's latest
//     items, a bulk import) share most of their window, so the fingerprints of the whole window
//     are read once from the published index and the bands matched in memory. This reads a
//     few dozen index entries per article instead of hundreds.

// fingerprintBands splits a fingerprint into the eight 8-bit bands it is indexed under. Two
// fingerprints within 7 bits of each other share at least one band, and those a few bits further
// apart nearly always do (99% of edited copies in the BBC corpus).
func fingerprintBands(fp uint64) [8]any {
	var b [8]any
	if fp == 0 {
		return b // NULLs: no fingerprint
	}
	for i := range b {
		b[i] = int64(fp >> (8 * i) & 0xff)
	}
	return b
}

// nearIndex holds the fingerprints of the time spans a batch's articles were published in, for
// near-duplicate lookups in memory. Articles whose window lies outside every span are looked up
// in the database.
type nearIndex struct {
	spans []nearSpan
	// The articles stored before the batch, read when it began; read-only afterwards (the
	// prefetcher reads them alongside the transaction).
	stored []nearEntry
	// bands[i][v] lists the stored entries whose band i is v.
	bands [8][256][]int32
	// The articles saved in the batch so far (their latest version), which replace any stored
	// entry of the same id.
	batch    []nearEntry
	batchIDs map[int64]bool
}

// nearSpan is a published window, in unix microseconds, inclusive.
type nearSpan struct{ from, to int64 }

type nearEntry struct {
	id          int64
	published   int64 // unix microseconds
	fingerprint uint64
}

// The batch lookup reads every article of a span; the lookups by article read, each, the
// articles of its window sharing a band with it, about 8/256 of them. A cluster of n articles
// spread over d is read as a span when n*8/256 exceeds (d+2w)/(2w) by a safe margin.
const (
	nearClusterSpan    = 48 * time.Hour // the widest cluster of a batch read as one span
	nearSpanMinPerWide = 48             // articles a cluster needs per window width it spans
)

// newNearIndex plans the near-duplicate lookups of a batch of articles published at times (unix
// microseconds): it reads the spans of its clusters of articles (see nearSpanMinPerWide) into
// memory.
func (s *sqlStore) newNearIndex(ctx context.Context, w *batchTx, times []int64) (*nearIndex, error) {
	ix := &nearIndex{batchIDs: map[int64]bool{}}
	slices.Sort(times)
	window := NearDuplicateWindow.Microseconds()
	for i := 0; i < len(times); {
		j := i
		for j < len(times) && times[j]-times[i] <= nearClusterSpan.Microseconds() {
			j++
		}
		span := nearSpan{from: times[i] - window, to: times[j-1] + window}
		if int64(j-i)*2*window >= nearSpanMinPerWide*(span.to-span.from) {
			if n := len(ix.spans); n > 0 && ix.spans[n-1].to >= span.from {
				ix.spans[n-1].to = span.to
			} else {
				ix.spans = append(ix.spans, span)
			}
		}
		i = j
	}
	for _, sp := range ix.spans {
		if err := ix.read(ctx, s, w, sp); err != nil {
			return nil, err
		}
	}
	return ix, nil
}

// read loads the fingerprints of the articles published in sp.
func (ix *nearIndex) read(ctx context.Context, s *sqlStore, w *batchTx, sp nearSpan) error {
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
		i := int32(len(ix.stored))
		ix.stored = append(ix.stored, e)
		for b := range ix.bands {
			v := byte(e.fingerprint >> (8 * b))
			ix.bands[b][v] = append(ix.bands[b][v], i)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read fingerprints: %w", err)
	}
	return nil
}

// covers reports whether the whole window of an article published at t (unix microseconds) is
// in memory.
func (ix *nearIndex) covers(t int64) bool {
	w := NearDuplicateWindow.Microseconds()
	for _, sp := range ix.spans {
		if sp.from <= t-w && t+w <= sp.to {
			return true
		}
	}
	return false
}

// add records an article just inserted or updated in the batch.
func (ix *nearIndex) add(id int64, row *articleRow) {
	if len(ix.spans) == 0 {
		return
	}
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

// candidates returns the in-memory candidates of an article published at t with fingerprint fp,
// as the band indexes would: sharing a band, published within the window, within
// briefing.NearDuplicateDistance bits; closest first.
func (ix *nearIndex) candidates(t int64, fp uint64) []nearCandidate {
	out := ix.storedCandidates(t, fp)
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

// storedCandidates returns the candidates among the articles stored before the batch.
func (ix *nearIndex) storedCandidates(t int64, fp uint64) []nearCandidate {
	w := NearDuplicateWindow.Microseconds()
	var out []nearCandidate
	for b := range ix.bands {
		v := byte(fp >> (8 * b))
		for _, i := range ix.bands[b][v] {
			e := ix.stored[i]
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
		cands := ix.storedCandidates(row.published.UnixMicro(), row.fingerprint)
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
	var cands []nearCandidate
	if t := row.published.UnixMicro(); ix.covers(t) {
		cands = ix.candidates(t, row.fingerprint)
	} else {
		var err error
		if cands, err = s.bandCandidates(ctx, w, row); err != nil {
			return sql.NullInt64{}, err
		}
	}
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

// bandCandidates looks an article's candidates up in the band indexes.
func (s *sqlStore) bandCandidates(ctx context.Context, w *batchTx, row *articleRow) ([]nearCandidate, error) {
	bands := fingerprintBands(row.fingerprint)
	var q strings.Builder
	args := make([]any, 0, 10)
	for i, b := range bands {
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		args = append(args, b)
		// Each branch reads only its band's index, which holds the fingerprint.
		fmt.Fprintf(&q, "SELECT id, fingerprint FROM articles WHERE band%d = $%d AND published BETWEEN $9 AND $10", i, len(args))
	}
	args = append(args, s.ts(row.published.Add(-NearDuplicateWindow)), s.ts(row.published.Add(NearDuplicateWindow)))
	rows, err := w.query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("look up near-duplicates: %w", err)
	}
	defer rows.Close()
	var cands []nearCandidate
	seen := map[int64]bool{}
	for rows.Next() {
		var (
			id, fp int64
		)
		if err := rows.Scan(&id, &fp); err != nil {
			return nil, fmt.Errorf("look up near-duplicates: %w", err)
		}
		d := briefing.FingerprintDistance(row.fingerprint, uint64(fp))
		if d <= briefing.NearDuplicateDistance && !seen[id] {
			seen[id] = true
			cands = append(cands, nearCandidate{id: id, dist: d})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up near-duplicates: %w", err)
	}
	sortCandidates(cands)
	return cands, nil
}
