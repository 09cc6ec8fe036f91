package store

import (
	"context"
	"database/sql"
	"sync"
)

// checkpointer runs SQLite's passive checkpoints (copying the pages the write-ahead log holds
// into the database file) on its own connection and goroutine, when asked. A passive checkpoint
// never waits for the writer or the readers: it copies what it can, and the next one the rest.
type checkpointer struct {
	db     *sql.DB
	wake   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}

	closeOnce sync.Once
	closeErr  error
}

func newCheckpointer(db *sql.DB) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go c.run(ctx)
	return c
}

// request asks for a checkpoint soon; requests made while one runs are served by one more.
func (c *checkpointer) request() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run(ctx context.Context) {
	defer close(c.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
		}
		// A failure (the disk is full, say) is left to the writer's own checkpoints, which
		// report it with the next write.
		c.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
	}
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	c.closeOnce.Do(func() {
		c.cancel()
		<-c.done
		c.closeErr = c.db.Close()
	})
	return c.closeErr
}
