package daemon_test

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
)

// fakeClock is a bot.Clock whose time moves only when the test says: Advance fires the timers
// that fall due.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers map[*fakeTimer]struct{}
}

type fakeTimer struct {
	c  *fakeClock
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, timers: map[*fakeTimer]struct{}{}}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) bot.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.ch <- c.now
		return t
	}
	c.timers[t] = struct{}{}
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	_, pending := t.c.timers[t]
	delete(t.c.timers, t)
	return pending
}

// Advance moves the clock forward by d and fires the timers due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for t := range c.timers {
		if !t.at.After(c.now) {
			delete(c.timers, t)
			t.ch <- c.now
		}
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use that tells when it is written to.
type syncBuffer struct {
	mu      sync.Mutex
	buf     []byte
	changed chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return len(p), nil
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// waitChange waits until the buffer is written to, or d passes.
func (b *syncBuffer) waitChange(d time.Duration) {
	b.mu.Lock()
	if b.changed == nil {
		b.changed = make(chan struct{})
	}
	ch := b.changed
	b.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(d):
	}
}

// leakedGoroutines returns the stacks of goroutines still running code of briefbot or of the
// chat libraries it drives (the fakes and the tests themselves aside).
func leakedGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var leaked []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		ours := strings.Contains(g, "github.com/briefbot/briefbot/") || strings.Contains(g, "github.com/bwmarrin/discordgo") ||
			strings.Contains(g, "github.com/slack-go/slack")
		if ours && !strings.Contains(g, "testing.tRunner") && !strings.Contains(g, "briefbot/internal/fake") {
			leaked = append(leaked, g)
		}
	}
	return leaked
}

// checkNoLeaks fails the test when goroutines of briefbot outlive its shutdown by 5 seconds.
func checkNoLeaks(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		leaked := leakedGoroutines()
		if len(leaked) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d goroutines still running after shutdown:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
			return
		}
		time.Sleep(50 * time.Millisecond) // goroutines end on their own schedule; nothing to wait on
	}
}
