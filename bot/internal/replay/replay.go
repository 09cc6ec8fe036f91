// Package replay remembers the keys of requests already served — request signatures, Socket
// Mode envelope ids — for a while, so that a captured or redelivered request is served once.
package replay

import (
	"sync"
	"time"
)

// Cache remembers keys for ttl, at most max at once. It is safe for concurrent use.
type Cache struct {
	ttl time.Duration
	max int

	mu    sync.Mutex
	seen  map[string]time.Time // key → when it was last recorded
	order []entry              // the records, oldest first
}

type entry struct {
	key string
	at  time.Time
}

// New returns a Cache that remembers a key for ttl and holds at most max keys.
func New(ttl time.Duration, max int) *Cache {
	return &Cache{ttl: ttl, max: max, seen: map[string]time.Time{}}
}

// First records key at now and reports whether it is new: not recorded within ttl before now.
// Keys older than ttl are forgotten as time passes. When max keys within ttl are held, it
// refuses new ones rather than forget a live one, so a flood cannot make room for a replay.
func (c *Cache) First(key string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	horizon := now.Add(-c.ttl)
	for len(c.order) > 0 && c.order[0].at.Before(horizon) {
		old := c.order[0]
		if c.seen[old.key].Equal(old.at) { // not recorded again since
			delete(c.seen, old.key)
		}
		c.order = c.order[1:]
	}
	if at, ok := c.seen[key]; ok && !at.Before(horizon) {
		return false
	}
	if len(c.seen) >= c.max {
		return false
	}
	c.seen[key] = now
	c.order = append(c.order, entry{key: key, at: now})
	return true
}
