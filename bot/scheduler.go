package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/internal/metrics"
)

// Defaults of SchedulerOptions.
const (
	DefaultGrace           = 6 * time.Hour
	DefaultCatchUpLookback = 7 * 24 * time.Hour
	DefaultMaxWindow       = 24 * time.Hour
	DefaultLease           = 2 * time.Minute
	DefaultSlotDeadline    = 10 * time.Minute
	DefaultShutdownTimeout = 10 * time.Second
	DefaultWorkers         = 16
	DefaultReloadEvery     = 30 * time.Second
)

const (
	// lateAfter: a slot started more than this after its time is delivered marked late.
	lateAfter = time.Minute
	// ledgerPeek is how many of its newest ledger rows are read when a subscription is first
	// seen, to find where its timetable stands and the claims left unfinished.
	ledgerPeek = 32
	// storeRetry is how soon a slot is looked at again after the store failed.
	storeRetry = 10 * time.Second
	// loadConcurrency bounds the ledger reads of first-seen subscriptions.
	loadConcurrency = 8
)

// ErrSchedulerClosed is returned by Run and Tick once the scheduler is closed.
var ErrSchedulerClosed = errors.New("bot: scheduler closed")

// LedgerStore is what the scheduler needs of the store; store.Store satisfies it.
type LedgerStore interface {
	Subscriptions(ctx context.Context) ([]store.Subscription, error)
	ClaimSlot(ctx context.Context, key store.SlotKey, owner string, now time.Time, lease time.Duration) (store.Slot, error)
	FinishSlot(ctx context.Context, key store.SlotKey, owner string, outcome store.SlotOutcome) error
	ReleaseSlot(ctx context.Context, key store.SlotKey, owner string) error
	ClaimSlots(ctx context.Context, keys []store.SlotKey, owner string, now time.Time, lease time.Duration) ([]store.SlotClaim, error)
	FinishSlots(ctx context.Context, owner string, finishes []store.SlotFinish) ([]error, error)
	LastDelivered(ctx context.Context, subscriptionID int64) (store.Slot, error)
	Slots(ctx context.Context, subscriptionID int64, limit int) ([]store.Slot, error)
}

// SlotBriefMaker makes the briefing of a scheduled slot (see SlotWindow); *Briefer is the real
// one.
type SlotBriefMaker interface {
	BriefSlot(ctx context.Context, topic string, w SlotWindow, stories int) (briefing.Briefing, error)
}

// SchedulerOptions configure a Scheduler. Store, Briefer and Posters are required; zero
// durations take the defaults above, except Grace, where zero turns catch-up off (as the config
// key schedule.grace does).
type SchedulerOptions struct {
	Store   LedgerStore
	Briefer SlotBriefMaker
	// Posters by platform name ("slack", "discord", "console").
	Posters map[string]Poster
	// ReplicaID names this process in the ledger; it must differ between processes sharing a
	// store. Default: hostname-pid.
	ReplicaID string
	Clock     Clock // default SystemClock()

	// Grace is how late a slot missed during downtime is still delivered (marked late); older
	// ones are recorded as skipped. Zero: only slots at most a minute late are delivered.
	Grace time.Duration
	// CatchUpLookback bounds how far back missed slots are looked for (and recorded) when a
	// subscription is first seen; default DefaultCatchUpLookback.
	CatchUpLookback time.Duration
	// MaxWindow caps the time a briefing covers: the window runs from the previous delivery's
	// end, but no further back than MaxWindow before the slot; and no article published more
	// than MaxWindow before the slot is in it (see SlotWindow).
	MaxWindow time.Duration
	// Lease is how long a claim holds before another replica may take the slot over. It is
	// renewed while a slot is being delivered.
	Lease time.Duration
	// SlotDeadline is how long a slot is retried (429s, 5xx, network errors) before it is
	// recorded as failed.
	SlotDeadline time.Duration
	// ShutdownTimeout bounds how long posts in flight may finish once Run's context ends.
	ShutdownTimeout time.Duration
	// Workers is the number of concurrent posts per platform (the platforms' clients pace the
	// posts themselves).
	Workers int
	// ReloadEvery is how often subscriptions are re-read; Reload asks for it at once.
	ReloadEvery time.Duration

	Logger  *slog.Logger
	Metrics *metrics.Metrics
	// Admin is where failed slots and broken channels are reported (through Health).
	Admin AdminChannel
	// Health receives post outcomes and reports trouble once; nil makes one for Admin.
	Health *Health
}

// Scheduler delivers scheduled briefings: each subscription's slots, exactly once across
// restarts and replicas, through the store's delivery ledger.
//
// Every replica plans every slot; a slot is posted by the replica that claims it in the ledger,
// and only when one of its posting workers is free, so claims never pile up unposted and slots
// flow to the replicas with spare workers. See the README's "Scheduled briefings" for the
// guarantees.
type Scheduler struct {
	store   LedgerStore
	briefer SlotBriefMaker
	posters map[string]Poster
	replica string
	clock   Clock
	log     *slog.Logger
	metrics *metrics.Metrics
	health  *Health
	briefs  *briefCache

	grace, lookback, maxWindow, lease time.Duration
	slotDeadline, shutdownTimeout     time.Duration
	reloadEvery                       time.Duration
	workers                           int

	// claims and finishQ batch the workers' ledger writes.
	claims  batcher[claimCall, claimResult]
	finishQ finishQueue

	kick   chan struct{} // wakes Run's loop
	stopCh chan struct{} // closed when shutdown begins

	loadMu sync.Mutex // one subscription load at a time

	mu           sync.Mutex
	subs         map[int64]*subState
	jobs         map[store.SlotKey]*slotJob // the slots this replica is working on or watching
	lanes        map[string]*lane
	busy         map[int64]bool // subscriptions with a slot being worked on here
	queued       map[int64]int  // subscriptions' queued slots
	nextLoad     time.Time
	reloadWanted bool
	started      bool
	stopping     bool
	runCancel    context.CancelFunc
	runDone      chan struct{}
	workCtx      context.Context
	cancelWork   context.CancelFunc
	workersWG    sync.WaitGroup

	shutdownOnce sync.Once
	closeOnce    sync.Once
}

// subState is what the scheduler knows of one subscription.
type subState struct {
	sub   store.Subscription
	sched *Schedule // nil when the schedule does not parse: it never fires
	// after: the slots up to this time have been planned; next is the first slot after it.
	after time.Time
	next  time.Time
	// knownAt and lastTo: as of the slot knownAt, which this replica finished, the last
	// delivered briefing ended at lastTo. For the slot right after knownAt that saves reading
	// the ledger (see Scheduler.lastWindowEnd).
	knownAt, lastTo time.Time
}

func (st *subState) setAfter(t time.Time) {
	st.after = t
	st.next = time.Time{}
	if st.sched != nil {
		st.next = st.sched.Next(t)
	}
}

// A slotJob is one slot this replica will claim and deliver, or watches because another replica
// holds its claim.
type slotJob struct {
	key      store.SlotKey
	platform string
	kind     jobKind
	reason   string // why a jobSkip slot is skipped
	// late: the slot was more than a minute old when it was planned (catch-up, or a takeover);
	// a slot planned on time is not late however long it waits for a free worker.
	late bool
	// recheck: the slot was claimed elsewhere (or left unfinished) and is looked at again.
	recheck bool
	state   jobState
	retryAt time.Time // jobWatching: when to look again
	pass    *pass     // the Tick waiting for it, if any
}

type jobKind int

const (
	jobDeliver jobKind = iota // post the slot's briefing
	jobSkip                   // record the slot as skipped
)

type jobState int

const (
	jobQueued jobState = iota
	jobRunning
	jobWatching
)

// A lane is one platform's queue of slots and its posting workers.
type lane struct {
	platform string
	poster   Poster // nil: no poster for the platform (its slots fail)
	queue    []*slotJob
	cond     *sync.Cond // on Scheduler.mu
}

// NewScheduler returns a scheduler; Run starts it.
func NewScheduler(opts SchedulerOptions) *Scheduler {
	s := &Scheduler{
		store:           opts.Store,
		briefer:         opts.Briefer,
		posters:         opts.Posters,
		replica:         opts.ReplicaID,
		clock:           opts.Clock,
		log:             opts.Logger,
		metrics:         opts.Metrics,
		health:          opts.Health,
		grace:           max(opts.Grace, 0),
		lookback:        orDefault(opts.CatchUpLookback, DefaultCatchUpLookback),
		maxWindow:       orDefault(opts.MaxWindow, DefaultMaxWindow),
		lease:           orDefault(opts.Lease, DefaultLease),
		slotDeadline:    orDefault(opts.SlotDeadline, DefaultSlotDeadline),
		shutdownTimeout: orDefault(opts.ShutdownTimeout, DefaultShutdownTimeout),
		reloadEvery:     orDefault(opts.ReloadEvery, DefaultReloadEvery),
		workers:         opts.Workers,
		kick:            make(chan struct{}, 1),
		stopCh:          make(chan struct{}),
		subs:            map[int64]*subState{},
		jobs:            map[store.SlotKey]*slotJob{},
		lanes:           map[string]*lane{},
		busy:            map[int64]bool{},
		queued:          map[int64]int{},
	}
	if s.replica == "" {
		host, _ := os.Hostname()
		s.replica = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if s.clock == nil {
		s.clock = SystemClock()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With(slog.String("component", "scheduler"), slog.String("replica", s.replica))
	if s.workers <= 0 {
		s.workers = DefaultWorkers
	}
	if s.lookback < s.grace {
		s.lookback = s.grace
	}
	if s.health == nil {
		s.health = NewHealth(HealthOptions{Admin: opts.Admin, Posters: opts.Posters, Clock: s.clock, Logger: opts.Logger})
	}
	s.briefs = newBriefCache(s.clock)
	s.claims.run = s.claimBatch
	s.finishQ.cond = sync.NewCond(&s.finishQ.mu)
	return s
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Run plans and delivers slots until ctx ends, then shuts down: it stops starting slots, lets
// posts in flight finish within ShutdownTimeout, and releases the claims of slots it did not
// finish. It returns nil after a shutdown and ErrSchedulerClosed when the scheduler was closed
// already. Store errors are logged and retried, never fatal.
func (s *Scheduler) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return ErrSchedulerClosed
	}
	if s.runDone != nil {
		s.mu.Unlock()
		return errors.New("bot: scheduler: Run called twice")
	}
	s.runCancel = cancel
	done := make(chan struct{})
	s.runDone = done
	s.mu.Unlock()
	defer close(done)

	if err := s.start(); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "scheduler started", slog.Duration("grace", s.grace),
		slog.Duration("lease", s.lease), slog.Int("workers", s.workers))
	for {
		now := s.clock.Now()
		if s.loadDue(now) {
			if err := s.loadSubscriptions(ctx, now); err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "load subscriptions", slog.Any("error", err))
			}
		}
		s.plan(now, nil)
		timer := s.clock.NewTimer(s.untilWake(now))
		select {
		case <-ctx.Done():
			timer.Stop()
			s.shutdown()
			s.log.Info("scheduler stopped")
			return nil
		case <-timer.C():
		case <-s.kick:
			timer.Stop()
		}
	}
}

// Tick runs one scheduling pass at now, as Run does when it wakes: it re-reads subscriptions
// when due, finds the slots due at now (and the watched slots whose claims may have expired),
// and waits until each has been delivered, skipped or failed here, found finished or claimed
// elsewhere, or put off (store trouble, shutdown). Tests and benchmarks drive the scheduler
// with it; mixing it with Run is allowed but rarely useful.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) (TickResult, error) {
	if err := s.start(); err != nil {
		return TickResult{}, err
	}
	if s.loadDue(now) {
		if err := s.loadSubscriptions(ctx, now); err != nil {
			return TickResult{}, err
		}
	}
	p := &pass{}
	s.plan(now, p)
	return p.wait(ctx)
}

// Reload asks for the subscriptions to be re-read now (after /brief subscribe, for example)
// instead of at the next ReloadEvery.
func (s *Scheduler) Reload() {
	s.mu.Lock()
	s.reloadWanted = true
	s.mu.Unlock()
	s.wake()
}

// Close stops the scheduler as the end of Run's context does and waits for the shutdown. It is
// safe to call more than once, and without Run.
func (s *Scheduler) Close() error {
	s.closeOnce.Do(func() {
		s.shutdown()
		s.mu.Lock()
		done := s.runDone
		s.mu.Unlock()
		if done != nil {
			<-done
		}
	})
	return nil
}

// TickResult counts what became of the slots one Tick found due.
type TickResult struct {
	Delivered int // posted, on time or late
	Skipped   int // recorded as skipped (missed, superseded, empty)
	Failed    int // recorded as failed
	Elsewhere int // finished already, or claimed by another replica
	Deferred  int // left for later: store trouble, a lost claim, shutdown
}

// pass tracks the slots of one Tick.
type pass struct {
	wg  sync.WaitGroup
	mu  sync.Mutex
	res TickResult
}

func (p *pass) done(o outcome) {
	p.mu.Lock()
	switch o {
	case outDelivered:
		p.res.Delivered++
	case outSkipped:
		p.res.Skipped++
	case outFailed:
		p.res.Failed++
	case outElsewhere, outWatch:
		p.res.Elsewhere++
	default:
		p.res.Deferred++
	}
	p.mu.Unlock()
	p.wg.Done()
}

func (p *pass) wait(ctx context.Context) (TickResult, error) {
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return TickResult{}, fmt.Errorf("bot: scheduler: tick: %w", ctx.Err())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.res, nil
}

// outcome is what became of one slot job.
type outcome int

const (
	outDelivered outcome = iota
	outSkipped
	outFailed
	outElsewhere // finished already, or the claim was lost to another replica
	outWatch     // claimed by another replica: look again when its lease may have expired
	outRetry     // store trouble: look again soon
	outReleased  // shutdown: the claim was given back
	outDropped   // not claimed: shutdown, or the subscription is gone
	outPending   // the outcome is being recorded: the job is settled once it is (see finishQueue)
)

// start starts the posting workers, once.
func (s *Scheduler) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return ErrSchedulerClosed
	}
	if s.started {
		return nil
	}
	if s.store == nil || s.briefer == nil {
		return errors.New("bot: scheduler needs a store and a briefer")
	}
	s.started = true
	s.workCtx, s.cancelWork = context.WithCancel(context.Background())
	for platform, p := range s.posters {
		s.newLane(platform, p, s.workers)
	}
	return nil
}

// newLane adds a platform's lane and starts its workers; s.mu is held.
func (s *Scheduler) newLane(platform string, p Poster, workers int) *lane {
	l := &lane{platform: platform, poster: p, cond: sync.NewCond(&s.mu)}
	s.lanes[platform] = l
	for range workers {
		s.workersWG.Add(1)
		go s.work(l)
	}
	return l
}

// shutdown stops the scheduler: no new slots; posts in flight get ShutdownTimeout to finish,
// then are cancelled (their claims released). Safe to call more than once.
func (s *Scheduler) shutdown() {
	s.shutdownOnce.Do(func() {
		s.mu.Lock()
		s.stopping = true
		close(s.stopCh)
		if s.runCancel != nil {
			s.runCancel()
		}
		var dropped []*pass
		for _, l := range s.lanes {
			for _, j := range l.queue {
				delete(s.jobs, j.key)
				if j.pass != nil {
					dropped = append(dropped, j.pass)
				}
			}
			l.queue = nil
			l.cond.Broadcast()
		}
		running := len(s.busy)
		started := s.started
		s.mu.Unlock()
		for _, p := range dropped {
			p.done(outDropped)
		}
		if !started {
			return
		}
		done := make(chan struct{})
		go func() { s.workersWG.Wait(); close(done) }()
		if running > 0 {
			s.log.Info("shutdown: waiting for posts in flight", slog.Int("posts", running),
				slog.Duration("timeout", s.shutdownTimeout))
		}
		timer := s.clock.NewTimer(s.shutdownTimeout)
		select {
		case <-done:
			timer.Stop()
		case <-timer.C():
			s.log.Warn("shutdown: posts still in flight after the timeout; cancelling them",
				slog.Duration("timeout", s.shutdownTimeout))
			s.cancelWork()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				s.log.Error("shutdown: a poster ignores cancellation; leaving it behind")
			}
		}
		s.cancelWork()
		s.finishQ.wait() // the outcomes handed over by the workers are in the ledger
	})
}

// wake nudges Run's loop to recompute when it next has work.
func (s *Scheduler) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *Scheduler) loadDue(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reloadWanted || s.nextLoad.IsZero() || !now.Before(s.nextLoad)
}

// untilWake returns how long Run may sleep: until the next slot, watched claim, or reload.
func (s *Scheduler) untilWake(now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	wake := s.nextLoad
	for _, st := range s.subs {
		if !st.next.IsZero() && st.next.Before(wake) {
			wake = st.next
		}
	}
	for _, j := range s.jobs {
		if j.state == jobWatching && j.retryAt.Before(wake) {
			wake = j.retryAt
		}
	}
	return min(max(wake.Sub(now), 0), s.reloadEvery)
}

// loadSubscriptions re-reads the subscriptions. A new one is placed on its timetable after its
// newest ledger row (or the last change of its timetable, or the catch-up lookback, whichever is
// latest), and its unfinished claims are watched; a changed schedule starts afresh at now; a
// deleted one is forgotten.
func (s *Scheduler) loadSubscriptions(ctx context.Context, now time.Time) error {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	subs, err := s.store.Subscriptions(ctx)
	if err != nil {
		s.mu.Lock()
		s.nextLoad = now.Add(min(storeRetry, s.reloadEvery))
		s.mu.Unlock()
		return fmt.Errorf("bot: scheduler: load subscriptions: %w", err)
	}

	var fresh []*subState
	s.mu.Lock()
	seen := make(map[int64]bool, len(subs))
	for _, sub := range subs {
		seen[sub.ID] = true
		st, ok := s.subs[sub.ID]
		switch {
		case !ok:
			fresh = append(fresh, &subState{sub: sub})
		case st.sub.Schedule != sub.Schedule || st.sub.Timezone != sub.Timezone:
			st.sub = sub
			st.sched = s.parse(sub)
			st.setAfter(now) // the new timetable starts now: nothing of it was missed
			st.knownAt = time.Time{}
			s.log.Info("subscription rescheduled", subAttrs(sub)...)
		default:
			st.sub = sub
		}
	}
	for id := range s.subs {
		if !seen[id] {
			delete(s.subs, id)
		}
	}
	s.reloadWanted = false
	s.nextLoad = now.Add(s.reloadEvery)
	s.mu.Unlock()

	// First sight: read each new subscription's newest ledger rows.
	type placed struct {
		st      *subState
		watched []*slotJob
	}
	results := make([]*placed, len(fresh))
	sem := make(chan struct{}, loadConcurrency)
	var wg sync.WaitGroup
	for i, st := range fresh {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			rows, err := s.store.Slots(ctx, st.sub.ID, ledgerPeek)
			if err != nil {
				s.log.Warn("read ledger of subscription; trying again at the next reload",
					append(subAttrs(st.sub), slog.Any("error", err))...)
				return
			}
			watched := s.place(st, rows, now)
			results[i] = &placed{st, watched}
		}()
	}
	wg.Wait()

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range results {
		if r == nil {
			continue
		}
		if _, ok := s.subs[r.st.sub.ID]; ok {
			continue
		}
		s.subs[r.st.sub.ID] = r.st
		for _, j := range r.watched {
			if _, tracked := s.jobs[j.key]; !tracked {
				s.jobs[j.key] = j
			}
		}
	}
	if len(fresh) > 0 {
		s.log.Debug("subscriptions loaded", slog.Int("subscriptions", len(s.subs)), slog.Int("new", len(fresh)))
	}
	return nil
}

// place puts a first-seen subscription on its timetable and returns the jobs that watch the
// claims its ledger shows unfinished.
func (s *Scheduler) place(st *subState, rows []store.Slot, now time.Time) []*slotJob {
	st.sched = s.parse(st.sub)
	floor := now.Add(-s.lookback)
	// No slot from before the subscription existed, or from before its timetable last changed.
	after := later(st.sub.CreatedAt, st.sub.UpdatedAt)
	if len(rows) > 0 && rows[0].Key.At.After(after) {
		after = rows[0].Key.At
	}
	if after.Before(floor) {
		if st.sched != nil {
			if n := st.sched.Next(after); !n.IsZero() && !n.After(floor) {
				s.log.Warn("slots missed before the catch-up lookback are not recorded",
					append(subAttrs(st.sub), slog.Time("since", after), slog.Duration("lookback", s.lookback))...)
			}
		}
		after = floor
	}
	st.setAfter(after)

	var watched []*slotJob
	for _, r := range rows {
		if r.State != store.SlotClaimed {
			continue
		}
		retryAt := now
		if r.Owner != s.replica && r.LeaseUntil.After(now) {
			retryAt = r.LeaseUntil
		}
		watched = append(watched, &slotJob{key: r.Key, platform: st.sub.Platform, kind: jobDeliver,
			state: jobWatching, retryAt: retryAt})
	}

	// Where the last delivered briefing ended, when the rows tell for sure: every row down to
	// the newest delivered one is finished (or all of the ledger is read and none is delivered).
	if len(rows) == 0 {
		st.knownAt, st.lastTo = after, time.Time{}
	}
	for i, r := range rows {
		if r.State == store.SlotClaimed {
			break
		}
		if r.State == store.SlotDelivered {
			st.knownAt, st.lastTo = rows[0].Key.At, windowEnd(r)
			break
		}
		if i == len(rows)-1 && len(rows) < ledgerPeek {
			st.knownAt, st.lastTo = rows[0].Key.At, time.Time{}
		}
	}
	return watched
}

// windowEnd is where a delivered slot's briefing ended.
func windowEnd(r store.Slot) time.Time {
	if r.WindowTo.IsZero() {
		return r.Key.At
	}
	return r.WindowTo
}

// parse reads a subscription's schedule; a bad one is logged and never fires. An empty one is no
// schedule: the channel is briefed on demand only (a config channel without schedule:).
func (s *Scheduler) parse(sub store.Subscription) *Schedule {
	if strings.TrimSpace(sub.Schedule) == "" {
		s.log.Debug("subscription has no schedule; it is briefed on demand only", subAttrs(sub)...)
		return nil
	}
	sched, err := ParseSchedule(sub.Schedule, sub.Timezone)
	if err != nil {
		s.log.Error("subscription has a bad schedule; it will not fire",
			append(subAttrs(sub), slog.Any("error", err))...)
		return nil
	}
	return sched
}

// plan queues the slots due at now, oldest first, and the watched slots due for another look.
func (s *Scheduler) plan(now time.Time, p *pass) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return
	}
	var due []*slotJob
	for _, st := range s.subs {
		if !st.next.IsZero() && !st.next.After(now) {
			due = append(due, s.dueJobs(st, now)...)
		}
	}
	for _, j := range s.jobs {
		if j.state == jobWatching && !j.retryAt.After(now) {
			j.recheck, j.late = true, now.Sub(j.key.At) > lateAfter
			due = append(due, j)
		}
	}
	slices.SortFunc(due, func(a, b *slotJob) int { return a.key.At.Compare(b.key.At) })
	for _, j := range due {
		if t, tracked := s.jobs[j.key]; tracked && t != j {
			continue // being worked on already
		}
		j.state = jobQueued
		j.pass = p
		if p != nil {
			p.wg.Add(1)
		}
		s.jobs[j.key] = j
		s.queued[j.key.SubscriptionID]++
		l := s.lanes[j.platform]
		if l == nil {
			l = s.newLane(j.platform, nil, 1)
		}
		l.queue = append(l.queue, j)
		l.cond.Signal()
	}
}

// dueJobs returns the jobs of a subscription's slots in (st.after, now] and moves its timetable
// past now. The newest slot is delivered when it is within grace (late when more than a minute
// late); the ones before it are not posted one after another but recorded as skipped, at most
// two ledger rows per pass each standing for a run of slots: those within grace, whose news the
// newest slot's briefing covers, and those older than grace.
func (s *Scheduler) dueJobs(st *subState, now time.Time) []*slotJob {
	sched, from := st.sched, st.after
	st.setAfter(now)
	newest, ok := sched.lastIn(from, now)
	if !ok {
		return nil
	}
	job := func(at time.Time, kind jobKind, reason string) *slotJob {
		return &slotJob{key: store.SlotKey{SubscriptionID: st.sub.ID, At: at.UTC()},
			platform: st.sub.Platform, kind: kind, reason: reason}
	}
	edge := now.Add(-s.catchUp())
	if !newest.After(edge) {
		return []*slotJob{job(newest, jobSkip, missedReason("older than grace", sched, from, newest))}
	}
	jobs := []*slotJob{job(newest, jobDeliver, "")}
	jobs[0].late = now.Sub(newest) > lateAfter
	prev, ok := sched.lastIn(from, newest.Add(-time.Second))
	if !ok {
		return jobs
	}
	if !prev.After(edge) {
		return append(jobs, job(prev, jobSkip, missedReason("older than grace", sched, from, prev)))
	}
	covered := "covered by the late briefing of " + newest.UTC().Format(time.RFC3339)
	jobs = append(jobs, job(prev, jobSkip, missedReason(covered, sched, later(from, edge), prev)))
	if old, ok := sched.lastIn(from, edge); ok {
		jobs = append(jobs, job(old, jobSkip, missedReason("older than grace", sched, from, old)))
	}
	return jobs
}

// catchUp is how late a slot may still be delivered.
func (s *Scheduler) catchUp() time.Duration { return max(s.grace, lateAfter) }

// missedReason says why the slots in (from, last] were skipped; last carries the ledger row.
func missedReason(why string, sched *Schedule, from, last time.Time) string {
	const limit = 100
	switch n := sched.countIn(from, last, limit); {
	case n <= 1:
		return "missed: " + why
	case n >= limit:
		return fmt.Sprintf("missed: %s (%d or more slots from %s to %s)", why, limit,
			sched.Next(from).UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339))
	default:
		return fmt.Sprintf("missed: %s (%d slots from %s to %s)", why, n,
			sched.Next(from).UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339))
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// work is one posting worker of a lane.
func (s *Scheduler) work(l *lane) {
	defer s.workersWG.Done()
	for {
		j := s.take(l)
		if j == nil {
			return
		}
		if out, retryAt := s.runJob(s.workCtx, l, j); out != outPending {
			s.settle(l, j, out, retryAt)
		}
	}
}

// take returns the lane's oldest queued job whose subscription has no other slot being worked
// on here (so that a subscription's windows follow one another), or nil once stopping.
func (s *Scheduler) take(l *lane) *slotJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.stopping {
			return nil
		}
		for i, j := range l.queue {
			id := j.key.SubscriptionID
			if s.busy[id] {
				continue
			}
			if i == 0 {
				l.queue[0] = nil
				l.queue = l.queue[1:]
			} else {
				l.queue = slices.Delete(l.queue, i, i+1)
			}
			s.busy[id] = true
			if s.queued[id]--; s.queued[id] <= 0 {
				delete(s.queued, id)
			}
			j.state = jobRunning
			return j
		}
		l.cond.Wait()
	}
}

// settle records what became of a job: it is forgotten, or watched until retryAt.
func (s *Scheduler) settle(l *lane, j *slotJob, out outcome, retryAt time.Time) {
	s.mu.Lock()
	id := j.key.SubscriptionID
	delete(s.busy, id)
	p := j.pass
	j.pass = nil
	watch := (out == outWatch || out == outRetry) && !s.stopping
	if watch {
		j.state = jobWatching
		j.retryAt = retryAt
	} else {
		delete(s.jobs, j.key)
	}
	if s.queued[id] > 0 {
		l.cond.Broadcast() // a slot of the same subscription may wait for this one
	}
	s.mu.Unlock()
	if p != nil {
		p.done(out)
	}
	if watch {
		s.wake()
	}
}

// subscription returns a subscription as last loaded, and its time zone.
func (s *Scheduler) subscription(id int64) (store.Subscription, *time.Location, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.subs[id]
	if !ok {
		return store.Subscription{}, nil, false
	}
	loc := time.UTC
	if st.sched != nil {
		loc = st.sched.Location()
	}
	return st.sub, loc, true
}

func subAttrs(sub store.Subscription) []any {
	return []any{slog.Int64("subscription_id", sub.ID), slog.String("platform", sub.Platform),
		slog.String("channel_id", sub.ChannelID), slog.String("topic", sub.Topic),
		slog.String("schedule", sub.Schedule), slog.String("timezone", sub.Timezone)}
}
