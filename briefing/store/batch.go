package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// batchTx is the transaction that saves a batch of articles. It prepares each statement once (a
// batch runs the same few statements hundreds of times) and, with SQLite, holds back the
// full-text index writes for flushFTS to apply last.
type batchTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// The full-text index writes (SQLite): the keys to remove, then the texts to add by key.
	ftsRemove []int64
	ftsAdd    map[int64]string
	// recent are the articles saved, for the store's cache once the transaction commits.
	recent []recentArticle
}

// remember records an article saved in the batch, for the near-duplicate checks of the articles
// after it and for the store's cache.
func (c *batchTx) remember(r recentArticle) { c.recent = append(c.recent, r) }

// shingles returns the shingles of an article saved earlier in the batch.
func (c *batchTx) shingles(id int64) (shingles []uint64, story int64, ok bool) {
	for i := len(c.recent) - 1; i >= 0; i-- {
		if r := c.recent[i]; r.id == id {
			return r.shingles, r.story, true
		}
	}
	return nil, 0, false
}

func newBatchTx(tx *sql.Tx) *batchTx {
	return &batchTx{tx: tx, stmts: map[string]*sql.Stmt{}, ftsAdd: map[int64]string{}}
}

// indexText queues the indexing of row's search terms under key.
func (c *batchTx) indexText(key int64, row *articleRow) {
	c.ftsAdd[key] = row.terms
}

// unindexText queues the removal of what the index holds under key.
func (c *batchTx) unindexText(key int64) {
	if _, queued := c.ftsAdd[key]; queued {
		delete(c.ftsAdd, key) // added in this batch: never written
		return
	}
	c.ftsRemove = append(c.ftsRemove, key)
}

// flushFTS applies the held-back full-text index writes: removals, then additions in key order.
// FTS5 writes its pending terms to disk at every statement savepoint and whenever a key is
// lower than the one before; written after every other statement of the batch and in key
// order, they are written once.
func (c *batchTx) flushFTS(ctx context.Context) error {
	for _, key := range c.ftsRemove {
		if _, err := c.exec(ctx, `DELETE FROM articles_fts WHERE rowid = $1`, key); err != nil {
			return fmt.Errorf("update full-text index: %w", err)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(c.ftsAdd)) {
		if _, err := c.exec(ctx, `INSERT INTO articles_fts (rowid, terms) VALUES ($1, $2)`, key, c.ftsAdd[key]); err != nil {
			return fmt.Errorf("update full-text index: %w", err)
		}
	}
	c.ftsRemove, c.ftsAdd = nil, map[int64]string{}
	return nil
}

func (c *batchTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

func (c *batchTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (c *batchTx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow is QueryRow with the preparation error folded into the row's Scan.
func (c *batchTx) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

func (c *batchTx) close() {
	for _, st := range c.stmts {
		st.Close()
	}
}

type rowScanner interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// recentCache keeps the shingles of the articles this store saved last, so that a copy arriving
// soon after its original (the usual case for wire stories) is compared without reading and
// re-tokenising the original's text. It is only a cache: a miss reads the database.
type recentCache struct {
	mu    sync.Mutex
	byID  map[int64]recentArticle
	order []int64 // ring of ids, oldest at next
	next  int
}

type recentArticle struct {
	id, story int64
	shingles  []uint64
}

const recentCacheSize = 4096

func (c *recentCache) get(id int64) (shingles []uint64, story int64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.byID[id]
	return r.shingles, r.story, ok
}

func (c *recentCache) add(rs []recentArticle) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil {
		c.byID = make(map[int64]recentArticle, recentCacheSize)
		c.order = make([]int64, 0, recentCacheSize)
	}
	for _, r := range rs {
		if r.shingles == nil {
			delete(c.byID, r.id) // an article updated to a text without a fingerprint
			continue
		}
		if _, ok := c.byID[r.id]; ok {
			c.byID[r.id] = r
			continue
		}
		if len(c.order) < recentCacheSize {
			c.order = append(c.order, r.id)
		} else {
			delete(c.byID, c.order[c.next])
			c.order[c.next] = r.id
			c.next = (c.next + 1) % recentCacheSize
		}
		c.byID[r.id] = r
	}
}
