package daemon

import (
	"context"
	"log/slog"
	"time"

	"github.com/briefbot/briefbot/config"
)

// Retention: Run deletes the articles and ledger rows older than the retention section says, a
// minute after it starts (once start-up's own work is under way) and then every hour. Every
// replica sharing a database does so: the deletes are idempotent, and the store's batches
// leave each other's rows alone.
const (
	pruneFirstAfter = time.Minute
	pruneEvery      = time.Hour
)

// runPruning prunes on the retention timetable until ctx ends.
func (a *App) runPruning(ctx context.Context) error {
	r := a.cfg.Retention
	if r.Articles <= 0 && r.Ledger <= 0 {
		a.log.Debug("retention: articles and ledger are kept for ever")
		return nil
	}
	wait := pruneFirstAfter
	for {
		t := a.clock.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C():
		}
		a.prune(ctx, r)
		wait = pruneEvery
	}
}

// prune deletes the articles and ledger rows older than r says, logs and counts what it
// deleted. A failure is logged; the next run tries again.
func (a *App) prune(ctx context.Context, r config.Retention) {
	now := a.clock.Now()
	started := time.Now()
	var attrs []slog.Attr
	var deleted int64
	run := func(kind string, keep time.Duration, del func(context.Context, time.Time) (int64, error)) {
		if keep <= 0 || ctx.Err() != nil {
			return
		}
		before := now.Add(-keep)
		n, err := del(ctx, before)
		a.metrics.Pruned(kind, n)
		deleted += n
		attrs = append(attrs, slog.Int64(kind, n), slog.Time(kind+"_before", before))
		if err != nil && ctx.Err() == nil {
			a.log.Warn("retention: pruning failed; trying again at the next run", slog.String("kind", kind),
				slog.Int64("deleted", n), slog.Any("error", err))
		}
	}
	run("articles", r.Articles, a.store.PruneArticles)
	run("slots", r.Ledger, a.store.PruneSlots)
	if ctx.Err() != nil {
		return
	}
	attrs = append(attrs, slog.Duration("took", time.Since(started).Round(time.Millisecond)))
	level := slog.LevelInfo
	if deleted == 0 {
		level = slog.LevelDebug // nothing to tell, every hour
	}
	a.log.LogAttrs(ctx, level, "retention: old records deleted", attrs...)
}
