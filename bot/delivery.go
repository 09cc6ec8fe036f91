package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// DeliveryKey returns the key of a slot's delivery, for the platforms' duplicate guards: "bb",
// the subscription id and the slot's Unix time, both in base 36 ("bb2s.sxk7a0"). It is at most
// 23 characters, within the 25 of a Discord nonce.
func DeliveryKey(k store.SlotKey) string {
	return "bb" + strconv.FormatInt(k.SubscriptionID, 36) + "." + strconv.FormatInt(k.At.Unix(), 36)
}

// errSuperseded: a later briefing of the subscription already covered the slot's window.
var errSuperseded = errors.New("superseded")

// claim is a slot this replica holds in the ledger.
type claim struct {
	key        store.SlotKey
	lane       *lane
	job        *slotJob
	sub        store.Subscription
	loc        *time.Location
	log        *slog.Logger
	claimedAt  time.Time
	leaseUntil time.Time
	// retry: an earlier attempt (by a replica that crashed or lost its lease) may have posted.
	retry bool
	late  bool
	// lastTo is where the subscription's last delivered briefing ended, once prepare knows
	// (lastKnown); from is the start of the slot's window.
	lastTo    time.Time
	lastKnown bool
	from      time.Time
}

// runJob claims a slot and delivers it, skips it or fails it. It returns the outcome and, for
// outWatch and outRetry, when to look at the slot again.
func (s *Scheduler) runJob(ctx context.Context, l *lane, j *slotJob) (outcome, time.Time) {
	sub, loc, ok := s.subscription(j.key.SubscriptionID)
	if !ok {
		return outDropped, time.Time{} // unsubscribed meanwhile
	}
	log := s.log.With(append(subAttrs(sub), slog.Time("slot", j.key.At))...)
	now := s.clock.Now()
	claimed := s.claims.do(ctx, claimCall{key: j.key, now: now})
	row, err := claimed.row, claimed.err
	switch {
	case errors.Is(err, store.ErrAlreadyDelivered):
		return outElsewhere, time.Time{}
	case errors.Is(err, store.ErrClaimed):
		return outWatch, now.Add(s.lease)
	case errors.Is(err, store.ErrNotFound):
		return outDropped, time.Time{} // the subscription was deleted meanwhile
	case err != nil:
		if ctx.Err() != nil {
			return outDropped, time.Time{}
		}
		log.Warn("claim slot failed; trying again later", slog.Any("error", err))
		return outRetry, now.Add(storeRetry)
	}
	c := &claim{key: j.key, lane: l, job: j, sub: sub, loc: loc, log: log, claimedAt: now,
		leaseUntil: leaseEnd(row, now, s.lease), retry: row.Attempts > 1}
	switch {
	case j.kind == jobSkip:
		log.Info("slot skipped", slog.String("reason", j.reason))
		return s.finish(c, store.SlotOutcome{State: store.SlotSkipped, Reason: j.reason})
	case j.recheck && now.Sub(j.key.At) > s.catchUp():
		reason := "missed: older than grace"
		if c.retry {
			reason += " (an earlier attempt did not finish)"
		}
		log.Info("slot skipped", slog.String("reason", reason))
		return s.finish(c, store.SlotOutcome{State: store.SlotSkipped, Reason: reason})
	case l.poster == nil:
		reason := fmt.Sprintf("no poster for platform %q: is it configured?", sub.Platform)
		log.Error("slot failed", slog.String("reason", reason))
		return s.finish(c, store.SlotOutcome{State: store.SlotFailed, Reason: reason})
	}
	c.late = j.late
	return s.deliver(ctx, l.poster, c)
}

// leaseEnd is when a claim made at now expires, as the store recorded it.
func leaseEnd(row store.Slot, now time.Time, lease time.Duration) time.Time {
	if !row.LeaseUntil.IsZero() {
		return row.LeaseUntil
	}
	return now.Add(lease)
}

// deliver makes the slot's briefing and posts it, retrying temporary failures with backoff until
// the slot's deadline, and records the outcome.
func (s *Scheduler) deliver(ctx context.Context, poster Poster, c *claim) (outcome, time.Time) {
	deadline := c.claimedAt.Add(s.slotDeadline)
	platform := poster.Platform()
	var (
		b        briefing.Briefing
		prepared bool
		posts    int
	)
	for attempt := 1; ; attempt++ {
		if out, retryAt, ok := s.keepLease(ctx, c); !ok {
			return out, retryAt
		}
		var err error
		if !prepared {
			b, err = s.prepare(ctx, c)
			switch {
			case errors.Is(err, errSuperseded):
				c.log.Info("slot skipped", slog.String("reason", err.Error()))
				return s.finish(c, store.SlotOutcome{State: store.SlotSkipped, Reason: err.Error()})
			case errors.Is(err, store.ErrBadQuery):
				return s.fail(ctx, c, platform, err, true)
			case err == nil:
				prepared = true
				if b.Empty() && c.sub.SkipEmpty {
					c.log.Info("slot skipped", slog.String("reason", "empty"))
					return s.finish(c, store.SlotOutcome{State: store.SlotSkipped, Reason: "empty",
						WindowFrom: c.from, WindowTo: c.key.At})
				}
			}
		}
		if prepared {
			d := Delivery{ChannelID: c.sub.ChannelID, Briefing: b, Key: DeliveryKey(c.key),
				Retry: c.retry || posts > 0, Thread: c.sub.Thread, Late: c.late, Scheduled: c.key.At, Location: c.loc}
			posts++
			var id string
			id, err = s.post(ctx, poster, d)
			if err == nil {
				return s.delivered(ctx, c, platform, id)
			}
			s.metrics.PostFailed(platform, failureReason(err))
		}
		if ctx.Err() != nil {
			return s.release(c)
		}
		temporary, retryAfter := IsTemporary(err)
		if !temporary {
			return s.fail(ctx, c, platform, err, true)
		}
		wait := backoff(attempt, retryAfter)
		if s.clock.Now().Add(wait).After(deadline) {
			return s.fail(ctx, c, platform, fmt.Errorf("gave up after %d attempts in %s: %w",
				attempt, s.clock.Now().Sub(c.claimedAt).Round(time.Second), err), false)
		}
		c.log.Warn("delivery attempt failed; retrying", slog.Int("attempt", attempt),
			slog.Duration("wait", wait), slog.Any("error", err))
		if !s.sleep(ctx, wait) {
			return s.release(c)
		}
	}
}

// prepare computes the slot's window and makes its briefing. The window holds the articles first
// seen since the end of the subscription's last delivered briefing (but no further back than
// MaxWindow) and published at most MaxWindow before the slot.
func (s *Scheduler) prepare(ctx context.Context, c *claim) (briefing.Briefing, error) {
	lastTo, err := s.lastWindowEnd(ctx, c)
	if err != nil {
		return briefing.Briefing{}, err
	}
	if !lastTo.Before(c.key.At) {
		return briefing.Briefing{}, fmt.Errorf("%w by the briefing that ended %s", errSuperseded,
			lastTo.UTC().Format(time.RFC3339))
	}
	c.lastTo, c.lastKnown = lastTo, true
	c.from = later(lastTo, c.key.At.Add(-s.maxWindow))
	k := briefKey{topic: c.sub.Topic, from: c.from.UnixNano(), to: c.key.At.UnixNano(), stories: c.sub.Stories}
	return s.briefs.get(ctx, k, func(ctx context.Context) (briefing.Briefing, error) {
		w := SlotWindow{SeenFrom: c.from, To: c.key.At, PublishedFrom: c.key.At.Add(-s.maxWindow)}
		return s.briefer.BriefSlot(ctx, c.sub.Topic, w, c.sub.Stories)
	})
}

// lastWindowEnd returns where the subscription's last delivered briefing ended (zero when none).
// It reads the ledger, unless this replica finished the slot right before this one itself and
// the slot is on time and a first attempt (a late or retried slot may have been overtaken).
func (s *Scheduler) lastWindowEnd(ctx context.Context, c *claim) (time.Time, error) {
	if !c.retry && !c.late {
		s.mu.Lock()
		st := s.subs[c.sub.ID]
		known := st != nil && st.sched != nil && !st.knownAt.IsZero() && st.sched.Next(st.knownAt).Equal(c.key.At)
		var lastTo time.Time
		if known {
			lastTo = st.lastTo
		}
		s.mu.Unlock()
		if known {
			return lastTo, nil
		}
	}
	last, err := s.store.LastDelivered(ctx, c.sub.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return time.Time{}, fmt.Errorf("bot: last delivered slot: %w", err)
	}
	return windowEnd(last), nil
}

// learn remembers, after this replica finished a prepared slot, where the last delivered
// briefing ends as of that slot.
func (s *Scheduler) learn(c *claim, o store.SlotOutcome) {
	if !c.lastKnown {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.subs[c.sub.ID]
	if st == nil || st.knownAt.After(c.key.At) {
		return
	}
	st.knownAt, st.lastTo = c.key.At, c.lastTo
	if o.State == store.SlotDelivered {
		st.lastTo = o.WindowTo
	}
}

// post makes one post attempt, bounded so that it cannot outlive the claim's lease.
func (s *Scheduler) post(ctx context.Context, p Poster, d Delivery) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.lease/2)
	defer cancel()
	return p.Post(ctx, d)
}

// keepLease renews the claim once half of its lease has passed. ok is false when the slot must
// be left alone: another replica took it over, or the store cannot renew the claim in time.
func (s *Scheduler) keepLease(ctx context.Context, c *claim) (out outcome, retryAt time.Time, ok bool) {
	now := s.clock.Now()
	if now.Before(c.leaseUntil.Add(-s.lease / 2)) {
		return 0, time.Time{}, true
	}
	row, err := s.store.ClaimSlot(ctx, c.key, s.replica, now, s.lease)
	switch {
	case err == nil:
		c.leaseUntil = leaseEnd(row, now, s.lease)
		return 0, time.Time{}, true
	case errors.Is(err, store.ErrClaimed), errors.Is(err, store.ErrAlreadyDelivered):
		c.log.Warn("lost the claim to another replica; leaving the slot to it", slog.Any("error", err))
		return outElsewhere, time.Time{}, false
	case ctx.Err() != nil:
		out, _ := s.release(c)
		return out, time.Time{}, false
	case now.Before(c.leaseUntil.Add(-s.lease / 4)):
		c.log.Warn("renew claim failed; carrying on while the lease lasts", slog.Any("error", err))
		return 0, time.Time{}, true
	default:
		c.log.Error("renew claim failed; leaving the slot for a later attempt", slog.Any("error", err))
		return outRetry, c.leaseUntil, false
	}
}

// delivered records a posted slot.
func (s *Scheduler) delivered(ctx context.Context, c *claim, platform, messageID string) (outcome, time.Time) {
	now := s.clock.Now()
	kind := "scheduled"
	if c.late {
		kind = "late"
	}
	c.log.Info("briefing delivered", slog.String("message_id", messageID), slog.Bool("late", c.late),
		slog.Time("window_from", c.from), slog.Duration("lag", now.Sub(c.key.At)))
	s.metrics.BriefingPosted(platform, kind)
	s.health.posted(ctx, platform, c.sub.ChannelID, c.sub.Topic)
	return s.finish(c, store.SlotOutcome{State: store.SlotDelivered, MessageID: messageID, Late: c.late,
		WindowFrom: c.from, WindowTo: c.key.At})
}

// fail records a slot that cannot be delivered and reports it.
func (s *Scheduler) fail(ctx context.Context, c *claim, platform string, err error, permanent bool) (outcome, time.Time) {
	c.log.Error("slot failed", slog.Any("error", err), slog.Bool("permanent", permanent))
	s.health.postFailed(ctx, c.sub, c.key.At, err, permanent)
	return s.finish(c, store.SlotOutcome{State: store.SlotFailed, Reason: err.Error()})
}

// finish hands a claimed slot's outcome over to be recorded in the ledger (see finishQueue)
// and returns outPending: the worker moves on, and the slot's job is settled once its outcome
// is recorded. The record survives the cancellation of the worker's context (a forced shutdown
// must still record a post that went out).
func (s *Scheduler) finish(c *claim, o store.SlotOutcome) (outcome, time.Time) {
	o.At = s.clock.Now()
	s.finishQ.add(s, finishCall{claim: c, outcome: o})
	return outPending, time.Time{}
}

// finished concludes a slot once the ledger write of its outcome is over, err being what the
// write (with its retries) ended with.
func (s *Scheduler) finished(c *claim, o store.SlotOutcome, err error) (outcome, time.Time) {
	switch {
	case err == nil:
	case errors.Is(err, store.ErrClaimed), errors.Is(err, store.ErrAlreadyDelivered):
		c.log.Warn("finish slot: the claim was taken over meanwhile", slog.String("state", string(o.State)),
			slog.Any("error", err))
		return outElsewhere, time.Time{}
	default:
		// The claim stays in the ledger and expires; the slot is then retried with the
		// platform's duplicate guard, which finds a post that went out.
		c.log.Error("finish slot failed; the slot will be retried once its lease expires",
			slog.String("state", string(o.State)), slog.Any("error", err))
		return outRetry, c.leaseUntil
	}
	s.learn(c, o)
	switch o.State {
	case store.SlotDelivered:
		result := "delivered"
		if o.Late {
			result = "late"
		}
		s.metrics.SlotFinished(result, o.At.Sub(c.key.At))
		return outDelivered, time.Time{}
	case store.SlotSkipped:
		s.metrics.SlotFinished("skipped", 0)
		return outSkipped, time.Time{}
	default:
		s.metrics.SlotFinished("failed", 0)
		return outFailed, time.Time{}
	}
}

// release gives the claim back (on shutdown) so another replica can take the slot at once.
func (s *Scheduler) release(c *claim) (outcome, time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.store.ReleaseSlot(ctx, c.key, s.replica); err != nil {
		c.log.Warn("release claim failed; it expires with its lease", slog.Any("error", err))
	} else {
		c.log.Info("claim released")
	}
	return outReleased, time.Time{}
}

// sleep waits d on the scheduler's clock; false when the wait was cut short by shutdown or ctx.
func (s *Scheduler) sleep(ctx context.Context, d time.Duration) bool {
	t := s.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-ctx.Done():
		return false
	case <-s.stopCh:
		return false
	}
}

// backoff is the wait before attempt+1: what the platform asked for (plus up to 10% so that
// workers do not all come back at once), else an exponential backoff from 1s to 2m with jitter.
func backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter + rand.N(retryAfter/10+1)
	}
	d := min(time.Second<<min(attempt-1, 8), 2*time.Minute)
	return d/2 + rand.N(d/2+1)
}

// failureReason names a failed post for the post-failures metric.
func failureReason(err error) string {
	var pe *PostError
	if !errors.As(err, &pe) {
		if errors.Is(err, context.DeadlineExceeded) {
			return "network"
		}
		return "other"
	}
	switch {
	case pe.Status == http.StatusTooManyRequests || pe.RetryAfter > 0:
		return "rate_limited"
	case pe.Status >= 500:
		return "server_error"
	case pe.Status == http.StatusUnauthorized || pe.Status == http.StatusForbidden:
		return "forbidden"
	case pe.Status == 0 && pe.Temporary:
		return "network"
	}
	return "other"
}

// briefCache shares the briefings of subscriptions with the same topic, window and size made
// within a minute of each other (10,000 channels subscribed to five topics at 08:00 need five
// briefings, not 10,000). Errors are not kept.
type briefCache struct {
	clock Clock
	mu    sync.Mutex
	calls map[briefKey]*briefCall
	swept time.Time
}

type briefKey struct {
	topic    string
	from, to int64
	stories  int
}

type briefCall struct {
	done chan struct{}
	made time.Time
	b    briefing.Briefing
	err  error
}

const briefTTL = time.Minute

func newBriefCache(c Clock) *briefCache {
	return &briefCache{clock: c, calls: map[briefKey]*briefCall{}}
}

func (c *briefCache) get(ctx context.Context, k briefKey, brief func(context.Context) (briefing.Briefing, error)) (briefing.Briefing, error) {
	now := c.clock.Now()
	c.mu.Lock()
	if now.Sub(c.swept) > briefTTL {
		for key, call := range c.calls {
			if now.Sub(call.made) > briefTTL {
				delete(c.calls, key)
			}
		}
		c.swept = now
	}
	call, ok := c.calls[k]
	if ok && now.Sub(call.made) > briefTTL {
		ok = false
	}
	if !ok {
		call = &briefCall{done: make(chan struct{}), made: now}
		c.calls[k] = call
		c.mu.Unlock()
		call.b, call.err = brief(ctx)
		if call.err != nil {
			c.mu.Lock()
			if c.calls[k] == call {
				delete(c.calls, k)
			}
			c.mu.Unlock()
		}
		close(call.done)
		return cloneBriefing(call.b), call.err
	}
	c.mu.Unlock()
	select {
	case <-call.done:
	case <-ctx.Done():
		return briefing.Briefing{}, ctx.Err()
	}
	if call.err != nil {
		return brief(ctx) // the shared attempt failed: try once on our own
	}
	return cloneBriefing(call.b), nil
}

// cloneBriefing copies a briefing's story list, so that one poster trimming it cannot change
// what another posts.
func cloneBriefing(b briefing.Briefing) briefing.Briefing {
	b.Stories = slices.Clone(b.Stories)
	return b
}
