package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Retention: deleting old articles and old ledger rows, a batch at a time.
//
// Each batch is one short transaction of at most PruneBatch rows, so that neither backend holds
// its locks long (SQLite has one writer: a long delete would hold up every save and every ledger
// write) nor writes a huge log. Deletes are idempotent, and several stores may prune the same
// database at once: with PostgreSQL each batch skips the rows another one has locked, and with
// SQLite the batches take turns.
//
// An article's quotes live in its row, and so do PostgreSQL's speaker keys and search entry;
// SQLite's speakers follow through ON DELETE CASCADE (SQLite checks foreign keys on every
// connection the store opens) and its search index entry through the articles_fts_delete
// trigger.
//
// A near-duplicate copy stores the id of its story's first article as its story_id, and keeps
// it when that article is deleted: the remaining copies still share one story id, and a copy
// saved later takes the story of the stored copy it matches, the same id. That id is never
// given to another article: PostgreSQL never reuses an identity value, and SQLite gives a new
// row the highest id in the table plus one, which is higher than the id of every stored copy,
// itself higher than its story's id.

// PruneBatch is the most rows one transaction of PruneArticles or PruneSlots deletes.
const PruneBatch = 1000

func (s *sqlStore) PruneArticles(ctx context.Context, before time.Time) (int64, error) {
	query := `DELETE FROM articles WHERE id IN (
		SELECT id FROM articles WHERE first_seen < $1 ORDER BY first_seen LIMIT ` + fmt.Sprint(PruneBatch) + s.skipLocked() + `)
		RETURNING id`
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("store: prune articles: %w", err)
		}
		var ids []int64
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			ids = ids[:0]
			rows, err := tx.QueryContext(ctx, query, s.ts(before))
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return rows.Err()
		})
		if err != nil {
			return total, fmt.Errorf("store: prune articles: %w", err)
		}
		total += int64(len(ids))
		s.recent.forget(ids)
		if s.ckpt != nil && len(ids) > 0 {
			s.ckpt.request()
		}
		if len(ids) < PruneBatch {
			return total, nil
		}
	}
}

func (s *sqlStore) PruneSlots(ctx context.Context, before time.Time) (int64, error) {
	subs, err := s.subscriptionIDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: prune ledger: %w", err)
	}
	// The slots of a subscription before the cut that are neither claimed, nor its latest, nor
	// its latest delivered (the one LastDelivered returns, where its next briefing's window
	// starts). The subscription's rows are read through its primary key (subscription, slot
	// time), newest or oldest first.
	const prunable = `SELECT slot_at FROM slots
		WHERE subscription_id = $1 AND slot_at < $2 AND state <> 'claimed'
			AND slot_at < (SELECT slot_at FROM slots WHERE subscription_id = $1 ORDER BY slot_at DESC LIMIT 1)
			AND slot_at <> coalesce((SELECT slot_at FROM slots WHERE subscription_id = $1 AND state = 'delivered'
				ORDER BY slot_at DESC LIMIT 1), $2)
		ORDER BY slot_at`
	probe := prunable + ` LIMIT 1`
	del := `DELETE FROM slots WHERE subscription_id = $1 AND slot_at IN (` + prunable + ` LIMIT ` + fmt.Sprint(PruneBatch) + s.skipLocked() + `)`
	var total int64
	for _, sub := range subs {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("store: prune ledger: %w", err)
		}
		// Most subscriptions have nothing to prune at a given hour: a read says so without a
		// write transaction.
		var at timeCol
		var t time.Time
		at.t = &t
		err := s.r.QueryRowContext(ctx, probe, sub, s.ts(before)).Scan(at)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return total, fmt.Errorf("store: prune ledger of subscription %d: %w", sub, err)
		}
		for {
			if err := ctx.Err(); err != nil {
				return total, fmt.Errorf("store: prune ledger: %w", err)
			}
			res, err := s.w.ExecContext(ctx, del, sub, s.ts(before))
			if err != nil {
				return total, fmt.Errorf("store: prune ledger of subscription %d: %w", sub, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return total, fmt.Errorf("store: prune ledger of subscription %d: %w", sub, err)
			}
			total += n
			if n < PruneBatch {
				break
			}
		}
	}
	if s.ckpt != nil && total > 0 {
		s.ckpt.request()
	}
	return total, nil
}

// skipLocked ends a PostgreSQL query that picks the rows to delete: rows another transaction has
// locked (another store pruning them, or a save updating them) are left for the next batch.
func (s *sqlStore) skipLocked() string {
	if s.pg {
		return ` FOR UPDATE SKIP LOCKED`
	}
	return ``
}

// subscriptionIDs lists the ids of every subscription, in order.
func (s *sqlStore) subscriptionIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM subscriptions ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// forget drops deleted articles from the cache.
func (c *recentCache) forget(ids []int64) {
	if len(ids) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		delete(c.byID, id)
	}
}
