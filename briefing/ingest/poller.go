package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

// Defaults of PollerOptions fields left zero.
const (
	DefaultFailingAfter = time.Hour
	DefaultMaxBackoff   = 6 * time.Hour
	DefaultConcurrency  = 4
)

// PollerOptions configure a Poller. Every field may be left zero.
type PollerOptions struct {
	// FailingAfter is how long a source may fail before OnHealth hears of it.
	FailingAfter time.Duration
	// MaxBackoff caps the wait before retrying a failing source (never below its Every).
	MaxBackoff time.Duration
	// Concurrency is how many sources are fetched at the same time.
	Concurrency int
	// OnHealth hears when a source has been failing for FailingAfter, and when such a source
	// recovers. It is called from the polling goroutine of the source and should not block.
	OnHealth func(HealthEvent)
	// OnPoll hears of every poll, with its result.
	OnPoll func(src Source, res PollResult, err error)
	// Rand returns a number in [0, 1) for jitter; math/rand/v2 when nil.
	Rand func() float64
}

// HealthEvent reports a source crossing into or out of the failing state.
type HealthEvent struct {
	Source string
	// Failing is true when the source has been failing for longer than FailingAfter, false when
	// such a source has recovered.
	Failing bool
	// Since is when the failures began; For how long they lasted until now.
	Since time.Time
	For   time.Duration
	// Failures counts the failed polls; LastError is the latest one's reason.
	Failures  int
	LastError string
}

// Poller polls each configured source on its interval: feeds with conditional GET, backoff with
// jitter while a feed fails, and folders for new or changed files.
type Poller struct {
	in      *Ingester
	sources []Source
	opts    PollerOptions

	mu    sync.Mutex
	files map[string]map[string]fileStamp // per folder source: the files already ingested
}

// fileStamp tells whether a file changed since it was ingested.
type fileStamp struct {
	size    int64
	modTime time.Time
}

// NewPoller returns a Poller of sources, which must have unique names.
func NewPoller(in *Ingester, sources []Source, opts PollerOptions) (*Poller, error) {
	names := map[string]bool{}
	for _, s := range sources {
		if err := s.Validate(); err != nil {
			return nil, err
		}
		if names[s.Name] {
			return nil, fmt.Errorf("ingest: two sources are named %q", s.Name)
		}
		names[s.Name] = true
	}
	if opts.FailingAfter <= 0 {
		opts.FailingAfter = DefaultFailingAfter
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	p := &Poller{in: in, opts: opts, files: map[string]map[string]fileStamp{}}
	for _, s := range sources {
		p.sources = append(p.sources, in.withDefaults(s))
	}
	return p, nil
}

// Run polls every source until ctx is done, each on its own schedule: a source polled before
// (by this or an earlier process) is next polled Every after its last poll, or after its backoff
// while it fails; a new source is polled at once. Run returns when ctx is done and the polls in
// flight have finished.
func (p *Poller) Run(ctx context.Context) error {
	sem := make(chan struct{}, p.opts.Concurrency)
	var wg sync.WaitGroup
	for _, src := range p.sources {
		wg.Go(func() { p.loop(ctx, src, sem) })
	}
	wg.Wait()
	<-ctx.Done() // with no sources, there is nothing to wait for but the end
	return nil
}

func (p *Poller) loop(ctx context.Context, src Source, sem chan struct{}) {
	due := p.firstDue(ctx, src)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		timer.Reset(max(due.Sub(p.in.now()), 0))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		select {
		case <-ctx.Done():
			return
		case sem <- struct{}{}:
		}
		res, err := p.Poll(ctx, src)
		<-sem
		if ctx.Err() != nil {
			return
		}
		if err != nil && res.State.LastPoll.IsZero() {
			// The state could not be read: try again after the usual interval.
			p.in.log.Error("ingest: poll failed", "source", src.Name, "err", err.Error())
			due = p.in.now().Add(p.jitter(src.Every, false))
			continue
		}
		due = res.State.LastPoll.Add(p.jitter(Backoff(res.State.Failures, src.Every, p.opts.MaxBackoff), res.State.Failures > 0))
	}
}

// firstDue is when a source is first polled after start-up: when its saved state says, so a
// restart does not poll every feed at once; a source never polled is polled within a few
// seconds (spread so that many new sources do not start together).
func (p *Poller) firstDue(ctx context.Context, src Source) time.Time {
	now := p.in.now()
	st, err := p.in.st.FeedState(ctx, src.Name)
	if err != nil || st.LastPoll.IsZero() || st.URL != location(src) || st.LastPoll.After(now) {
		return now.Add(time.Duration(p.opts.Rand() * float64(min(src.Every, 5*time.Second))))
	}
	return st.LastPoll.Add(p.jitter(Backoff(st.Failures, src.Every, p.opts.MaxBackoff), st.Failures > 0))
}

// jitter spreads a wait: ±10% around an interval, or between half and all of a backoff ("equal
// jitter"), so that sources set up together, or failing together, do not poll in lockstep.
func (p *Poller) jitter(d time.Duration, backoff bool) time.Duration {
	r := p.opts.Rand()
	if backoff {
		return d/2 + time.Duration(r*float64(d/2))
	}
	return d + time.Duration((r*2-1)*float64(d/10))
}

// Backoff is how long to wait before polling a source again after failures failed polls in a
// row: every, doubled with each further failure, up to max (or every, when that is longer).
// Poller adds jitter to it.
func Backoff(failures int, every, max time.Duration) time.Duration {
	if failures <= 1 {
		return every
	}
	limit := max
	if every > limit {
		limit = every
	}
	d := every
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// Poll polls one source now: a feed (PollFeed) or a folder (its new and changed files), and
// reports to OnHealth and OnPoll.
func (p *Poller) Poll(ctx context.Context, src Source) (PollResult, error) {
	src = p.in.withDefaults(src)
	var (
		res PollResult
		err error
	)
	if src.Feed != "" {
		res, err = p.in.PollFeed(ctx, src)
	} else {
		res, err = p.pollFolder(ctx, src)
	}
	p.logPoll(ctx, src, res, err)
	if ctx.Err() == nil && !res.State.LastPoll.IsZero() {
		p.health(src, res, err)
	}
	if p.opts.OnPoll != nil {
		p.opts.OnPoll(src, res, err)
	}
	return res, err
}

func (p *Poller) logPoll(ctx context.Context, src Source, res PollResult, err error) {
	attrs := []slog.Attr{slog.String("source", src.Name),
		slog.Int("new", res.New), slog.Int("updated", res.Updated), slog.Int("duplicates", res.Duplicates),
		slog.Int("backlog", res.Backlog), slog.Int("failed", res.Failed), slog.Bool("not_modified", res.NotModified)}
	switch {
	case err != nil && ctx.Err() == nil:
		attrs = append(attrs, slog.Int("failures", res.State.Failures), slog.String("err", err.Error()))
		p.in.log.LogAttrs(ctx, slog.LevelWarn, "ingest: poll failed", attrs...)
	case err == nil && src.Feed != "" && res.New+res.Updated+res.Backlog > 0:
		// A feed poll that stored something is news at the default level, as a folder scan is;
		// a quiet poll, every few minutes per feed, is not.
		p.in.log.LogAttrs(ctx, slog.LevelInfo, "feed polled", attrs...)
	case err == nil:
		p.in.log.LogAttrs(ctx, slog.LevelDebug, "ingest: polled", attrs...)
	}
}

// health reports a source crossing FailingAfter, or recovering after it had. It needs no memory
// of its own: the failing time at the previous poll says whether that poll had crossed already.
func (p *Poller) health(src Source, res PollResult, err error) {
	if p.opts.OnHealth == nil {
		return
	}
	now := res.State.LastPoll
	prev := res.Previous
	prevReported := prev.Failures > 0 && prev.LastPoll.Sub(prev.FailingSince) >= p.opts.FailingAfter
	st := res.State
	switch {
	case err != nil && st.Failures > 0 && !prevReported && now.Sub(st.FailingSince) >= p.opts.FailingAfter:
		p.opts.OnHealth(HealthEvent{Source: src.Name, Failing: true, Since: st.FailingSince,
			For: now.Sub(st.FailingSince), Failures: st.Failures, LastError: st.LastError})
	case err == nil && prevReported:
		p.opts.OnHealth(HealthEvent{Source: src.Name, Failing: false, Since: prev.FailingSince,
			For: now.Sub(prev.FailingSince), Failures: prev.Failures, LastError: prev.LastError})
	}
}

// Failing returns the saved state of the sources that have been failing for at least threshold
// (for /healthz and the admin channel), in the order the sources were configured.
func (p *Poller) Failing(ctx context.Context, threshold time.Duration) ([]store.FeedState, error) {
	now := p.in.now()
	var out []store.FeedState
	for _, src := range p.sources {
		st, err := p.in.st.FeedState(ctx, src.Name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("ingest: failing sources: %w", err)
		}
		if st.Failures > 0 && !st.FailingSince.IsZero() && now.Sub(st.FailingSince) >= threshold {
			out = append(out, st)
		}
	}
	return out, nil
}

// Sources returns the sources the poller polls, with their defaults filled in.
func (p *Poller) Sources() []Source { return append([]Source(nil), p.sources...) }

// location is what a source's state records as its URL: the feed URL or the folder's path.
func location(src Source) string {
	if src.Feed != "" {
		return src.Feed
	}
	return src.Path
}
