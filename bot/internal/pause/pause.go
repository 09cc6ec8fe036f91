// Package pause waits between the tries of a platform call, as long as its context lasts.
package pause

import (
	"context"
	"time"
)

// For waits d and reports true, or reports false as soon as ctx ends.
func For(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
