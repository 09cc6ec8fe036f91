package bot

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make a schema per test

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// schedClock is a Clock for tests. In manual mode time moves only with Advance and Set; in auto
// mode every timer fires at once, moving the clock to its deadline (backoff without waiting).
type schedClock struct {
	mu      sync.Mutex
	now     time.Time
	auto    bool
	timers  map[*schedTimer]struct{}
	changed chan struct{} // closed and replaced whenever the set of timers changes
}

type schedTimer struct {
	c  *schedClock
	at time.Time
	ch chan time.Time
}

func newSchedClock(now time.Time, auto bool) *schedClock {
	return &schedClock{now: now, auto: auto, timers: map[*schedTimer]struct{}{}, changed: make(chan struct{})}
}

func (c *schedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *schedClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &schedTimer{c: c, at: c.now.Add(d), ch: make(chan time.Time, 1)}
	if c.auto || d <= 0 {
		if t.at.After(c.now) {
			c.now = t.at
		}
		t.ch <- c.now
		return t
	}
	c.timers[t] = struct{}{}
	c.signal()
	return t
}

func (t *schedTimer) C() <-chan time.Time { return t.ch }

func (t *schedTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if _, ok := t.c.timers[t]; !ok {
		return false
	}
	delete(t.c.timers, t)
	t.c.signal()
	return true
}

// signal wakes BlockUntil; c.mu is held.
func (c *schedClock) signal() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Advance moves the clock forward, firing the timers due.
func (c *schedClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards), firing the timers due.
func (c *schedClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
	for tm := range c.timers {
		if !tm.at.After(c.now) {
			delete(c.timers, tm)
			tm.ch <- c.now
		}
	}
	c.signal()
}

// BlockUntil waits until at least n timers are pending: the goroutines under test are asleep.
func (c *schedClock) BlockUntil(tb testing.TB, n int) {
	tb.Helper()
	hung, stop := hangTimer(tb)
	defer stop()
	for {
		c.mu.Lock()
		have, changed := len(c.timers), c.changed
		c.mu.Unlock()
		if have >= n {
			return
		}
		select {
		case <-changed:
		case <-hung:
			tb.Fatalf("clock: %d timers pending, want %d (still waiting as the test run's timeout nears)", have, n)
		}
	}
}

// BlockUntilAt waits until a timer due at `at` is pending.
func (c *schedClock) BlockUntilAt(tb testing.TB, at time.Time) {
	tb.Helper()
	hung, stop := hangTimer(tb)
	defer stop()
	for {
		c.mu.Lock()
		found, changed := false, c.changed
		for tm := range c.timers {
			found = found || tm.at.Equal(at)
		}
		c.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-hung:
			tb.Fatalf("clock: no timer due at %s (still waiting as the test run's timeout nears)", at)
		}
	}
}

// The tests wait for events (a post starting, a timer being set, Run returning), never for
// time to pass, so their waits have no timeouts of their own: however slow the machine, a wait
// ends when its event comes. A test still waiting when go test's -timeout is near is taken to
// hang and fails saying what it waited for, instead of the binary's panic; without a -timeout
// it waits for ever.

// hangDeadline is when a test still waiting is taken to hang: 95% of the way from now to the
// test run's deadline.
func hangDeadline(tb testing.TB) (time.Time, bool) {
	d, ok := tb.(interface{ Deadline() (time.Time, bool) })
	if !ok {
		return time.Time{}, false
	}
	deadline, ok := d.Deadline()
	if !ok {
		return time.Time{}, false
	}
	return time.Now().Add(time.Until(deadline) * 19 / 20), true
}

// hangTimer fires at hangDeadline (never without one); stop releases it.
func hangTimer(tb testing.TB) (<-chan time.Time, func() bool) {
	at, ok := hangDeadline(tb)
	if !ok {
		return nil, func() bool { return false }
	}
	t := time.NewTimer(time.Until(at))
	return t.C, t.Stop
}

// hangContext is a context that ends at hangDeadline (never without one).
func hangContext(tb testing.TB) (context.Context, context.CancelFunc) {
	if at, ok := hangDeadline(tb); ok {
		return context.WithDeadline(context.Background(), at)
	}
	return context.WithCancel(context.Background())
}

// await returns what ch delivers, failing the test with what it waited for if it hangs.
func await[T any](tb testing.TB, ch <-chan T, what string) T {
	tb.Helper()
	hung, stop := hangTimer(tb)
	defer stop()
	select {
	case v := <-ch:
		return v
	case <-hung:
		tb.Fatalf("%s (still waiting as the test run's timeout nears)", what)
		panic("unreachable")
	}
}

// SetAuto switches auto mode on or off.
func (c *schedClock) SetAuto(auto bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.auto = auto
}

// schedPoster is a chat platform in memory: it records the messages it holds, has the duplicate
// guard of the real posters (with Delivery.Retry, a message posted under the same key is
// returned instead of posting again), and injects failures.
type schedPoster struct {
	platform string

	mu       sync.Mutex
	messages []Delivery        // what the channel shows
	byKey    map[string]string // delivery key → message id
	calls    []Delivery
	// fail is returned by the next calls, in order.
	fail []error
	// failEvery makes every call fail with the error it returns (nil: post).
	failEvery func(call int, d Delivery) error
	// dropAfterPost: the next calls post, then answer with a network error.
	dropAfterPost int
	// block, when set, holds each call until it is closed or the call's context ends.
	block chan struct{}
	// started hears of each call.
	started chan Delivery
	// onPost, when set, runs in each call (a slow platform moves the test clock).
	onPost  func()
	notices []string
}

// errDropAfterPost, returned by failEvery, makes the call post and then fail as if the
// connection dropped before the answer came.
var errDropAfterPost = errors.New("drop the connection after posting")

func newSchedPoster(platform string) *schedPoster {
	return &schedPoster{platform: platform, byKey: map[string]string{}}
}

func (p *schedPoster) Platform() string { return p.platform }

func (p *schedPoster) Post(ctx context.Context, d Delivery) (string, error) {
	p.mu.Lock()
	started, block, onPost := p.started, p.block, p.onPost
	p.mu.Unlock()
	if onPost != nil {
		onPost()
	}
	if started != nil {
		started <- d
	}
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return "", &PostError{Temporary: true, Err: ctx.Err()}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, d)
	if len(p.fail) > 0 {
		err := p.fail[0]
		p.fail = p.fail[1:]
		return "", err
	}
	drop := false
	if p.failEvery != nil {
		switch err := p.failEvery(len(p.calls), d); {
		case errors.Is(err, errDropAfterPost):
			drop = true
		case err != nil:
			return "", err
		}
	}
	if id, ok := p.byKey[d.Key]; ok && d.Retry && d.Key != "" {
		return id, nil
	}
	id := fmt.Sprintf("%s-m%d", p.platform, len(p.messages)+1)
	p.messages = append(p.messages, d)
	if d.Key != "" {
		p.byKey[d.Key] = id
	}
	if p.dropAfterPost > 0 || drop {
		p.dropAfterPost = max(p.dropAfterPost-1, 0)
		return "", &PostError{Temporary: true, Err: errors.New("read: connection reset by peer")}
	}
	return id, nil
}

func (p *schedPoster) Notify(ctx context.Context, channelID, text string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notices = append(p.notices, channelID+": "+text)
	return nil
}

func (p *schedPoster) Messages() []Delivery {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.messages)
}

func (p *schedPoster) Calls() []Delivery {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

func (p *schedPoster) Notices() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.notices)
}

// schedBriefer makes a one-story briefing for any topic (none for the topics in empty) and
// records what it was asked for.
type schedBriefer struct {
	mu    sync.Mutex
	asked []briefing.Briefing
	empty map[string]bool
}

func (b *schedBriefer) BriefSlot(ctx context.Context, topic string, w SlotWindow, stories int) (briefing.Briefing, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	from, to := w.SeenFrom, w.To
	br := briefing.Briefing{Topic: topic, From: from, To: to}
	b.asked = append(b.asked, br)
	if !b.empty[topic] {
		br.Stories = []briefing.Story{{Headline: topic + " news up to " + to.UTC().Format(time.RFC3339)}}
	}
	return br, nil
}

func (b *schedBriefer) Asked() []briefing.Briefing {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.asked)
}

// schedSQLite returns the DSN of a new SQLite database in a temporary directory.
func schedSQLite(tb testing.TB) string {
	return filepath.Join(tb.TempDir(), "briefbot.db")
}

// schedPostgres returns the DSN of a new, empty schema in the PostgreSQL database named by
// BRIEFBOT_TEST_POSTGRES, dropped when the test ends; it skips the test when that is unset.
func schedPostgres(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("BRIEFBOT_TEST_POSTGRES")
	if base == "" {
		tb.Skip("BRIEFBOT_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable): skipping the PostgreSQL run")
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("postgres: BRIEFBOT_TEST_POSTGRES: %v", err)
	}
	admin := *u // without the pool settings, which only pgxpool reads
	q := admin.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	admin.RawQuery = q.Encode()
	db, err := sql.Open("pgx", admin.String())
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	defer db.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "bot_sched_" + hex.EncodeToString(b[:])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		tb.Fatalf("postgres: create schema: %v", err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("pgx", admin.String())
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	q = u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// schedOpen opens a store (one replica's connection) on dsn, closed when the test ends.
func schedOpen(tb testing.TB, dsn string, now func() time.Time) store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), dsn, store.Options{Now: now})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// schedEnv is one test's store, clock, platform and briefer.
type schedEnv struct {
	dsn     string
	store   store.Store
	clock   *schedClock
	poster  *schedPoster
	briefer *schedBriefer
}

func newSchedEnv(tb testing.TB, dsn string, start time.Time, auto bool) *schedEnv {
	tb.Helper()
	c := newSchedClock(start, auto)
	return &schedEnv{dsn: dsn, store: schedOpen(tb, dsn, c.Now), clock: c, poster: newSchedPoster("slack"),
		briefer: &schedBriefer{empty: map[string]bool{}}}
}

// subscribe stores a subscription created at created.
func (e *schedEnv) subscribe(tb testing.TB, sub store.Subscription) store.Subscription {
	tb.Helper()
	if sub.Platform == "" {
		sub.Platform = "slack"
	}
	if sub.Topic == "" {
		sub.Topic = "korea"
	}
	if sub.Stories == 0 {
		sub.Stories = 5
	}
	if sub.CreatedAt.IsZero() {
		sub.CreatedAt = e.clock.Now()
	}
	out, err := e.store.PutSubscription(context.Background(), sub)
	if err != nil {
		tb.Fatalf("PutSubscription: %v", err)
	}
	return out
}

// scheduler returns a scheduler on the env's store (or st, another replica's), closed when the
// test ends. Unset options get test values: grace 6h, lease 2m, one worker per platform.
func (e *schedEnv) scheduler(tb testing.TB, opts SchedulerOptions) *Scheduler {
	tb.Helper()
	if opts.Store == nil {
		opts.Store = e.store
	}
	if opts.Briefer == nil {
		opts.Briefer = e.briefer
	}
	if opts.Posters == nil {
		opts.Posters = map[string]Poster{"slack": e.poster}
	}
	if opts.Clock == nil {
		opts.Clock = e.clock
	}
	if opts.ReplicaID == "" {
		opts.ReplicaID = "replica-a"
	}
	if opts.Grace == 0 {
		opts.Grace = DefaultGrace
	}
	if opts.Workers == 0 {
		opts.Workers = 2
	}
	s := NewScheduler(opts)
	tb.Cleanup(func() { s.Close() })
	return s
}

// tick runs one pass at the clock's time and fails the test on error.
func tick(tb testing.TB, s *Scheduler, now time.Time) TickResult {
	tb.Helper()
	ctx, cancel := hangContext(tb)
	defer cancel()
	res, err := s.Tick(ctx, now)
	if err != nil {
		tb.Fatalf("Tick(%s): %v", now.Format(time.RFC3339), err)
	}
	return res
}

// ledger returns a subscription's ledger, oldest first.
func ledger(tb testing.TB, st store.Store, subID int64) []store.Slot {
	tb.Helper()
	rows, err := st.Slots(context.Background(), subID, 0)
	if err != nil {
		tb.Fatalf("Slots: %v", err)
	}
	slices.Reverse(rows)
	return rows
}

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}
