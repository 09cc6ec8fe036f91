package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

// The posting workers' ledger writes go through batchers: when many slots fall due at once,
// the claims (and the outcomes) of the workers waiting on the store are written together, in
// one round trip and one commit, instead of one each. There is no waiting for a batch to fill:
// a write that finds none in flight goes at once (alone, it is the single-slot write); those
// that come while a batch is in flight go together in the next.

// maxLedgerBatch bounds the slots of one batched ledger write.
const maxLedgerBatch = 256

// batcher runs the calls of many goroutines in batches, one batch at a time: a call that finds
// none in flight runs at once, alone; the calls that come while a batch is in flight wait, and
// when it ends they go, as the next batch, run by the first of them. (More batches at a time
// make each slower: the database's commits, not the round trips, are then what waits.)
type batcher[In, Out any] struct {
	run func(ctx context.Context, in []In) []Out // len(out) == len(in)

	mu      sync.Mutex
	busy    bool                  // a batch is in flight
	pending []*batchCall[In, Out] // the calls waiting for the next batch
}

type batchCall[In, Out any] struct {
	in    In
	out   Out
	batch []*batchCall[In, Out] // the batch this call is to run, when it is handed one
	done  chan struct{}         // closed when out is set, or batch
}

// do runs in as part of a batch and returns its result. ctx is the batch's context when this
// call is the one that runs it.
func (b *batcher[In, Out]) do(ctx context.Context, in In) Out {
	c := &batchCall[In, Out]{in: in, done: make(chan struct{})}
	b.mu.Lock()
	var batch []*batchCall[In, Out]
	if !b.busy {
		b.busy = true
		batch = []*batchCall[In, Out]{c}
		b.mu.Unlock()
	} else {
		b.pending = append(b.pending, c)
		b.mu.Unlock()
		<-c.done
		if c.batch == nil {
			return c.out
		}
		batch = c.batch
	}

	ins := make([]In, len(batch))
	for i, bc := range batch {
		ins[i] = bc.in
	}
	outs := b.run(ctx, ins)
	for i, bc := range batch {
		bc.out = outs[i]
		if bc != c {
			close(bc.done)
		}
	}

	b.mu.Lock()
	if len(b.pending) > 0 {
		n := min(len(b.pending), maxLedgerBatch)
		next := make([]*batchCall[In, Out], n)
		copy(next, b.pending)
		b.pending = append(b.pending[:0], b.pending[n:]...)
		next[0].batch = next
		close(next[0].done)
	} else {
		b.busy = false
	}
	b.mu.Unlock()
	return c.out
}

// claimCall is one slot to claim; claimResult what became of it.
type claimCall struct {
	key store.SlotKey
	now time.Time
}

type claimResult struct {
	row store.Slot
	err error
}

// claimBatch claims slots for this replica: one with ClaimSlot, several with ClaimSlots, as of
// the latest of their times.
func (s *Scheduler) claimBatch(ctx context.Context, calls []claimCall) []claimResult {
	out := make([]claimResult, len(calls))
	if len(calls) == 1 {
		out[0].row, out[0].err = s.store.ClaimSlot(ctx, calls[0].key, s.replica, calls[0].now, s.lease)
		return out
	}
	keys := make([]store.SlotKey, len(calls))
	var now time.Time
	for i, c := range calls {
		keys[i] = c.key
		now = later(now, c.now)
	}
	claims, err := s.store.ClaimSlots(ctx, keys, s.replica, now, s.lease)
	for i := range out {
		if err != nil {
			out[i].err = err
			continue
		}
		out[i].row, out[i].err = claims[i].Slot, claims[i].Err
	}
	return out
}

// finishCall is one claimed slot's outcome to record.
type finishCall struct {
	claim   *claim
	outcome store.SlotOutcome
}

// finishQueue records the outcomes the workers hand over (see Scheduler.finish) in batches, on
// a goroutine that runs while there are outcomes to record: a worker does not wait for the
// ledger write of one slot before it takes the next. The slot's job is settled (its
// subscription's next slot may start, its Tick hears of it) once its outcome is recorded. At
// most maxLedgerBatch outcomes wait; a worker with another waits for room.
type finishQueue struct {
	mu      sync.Mutex
	cond    *sync.Cond // broadcast when outcomes are taken, and when the goroutine ends
	pending []finishCall
	running bool
}

// add queues an outcome, starting the goroutine that records them if it is not running.
func (q *finishQueue) add(s *Scheduler, f finishCall) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.pending) >= maxLedgerBatch {
		q.cond.Wait()
	}
	q.pending = append(q.pending, f)
	if !q.running {
		q.running = true
		go q.flush(s)
	}
}

// flush records the queued outcomes, a batch at a time, until none is left.
func (q *finishQueue) flush(s *Scheduler) {
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.running = false
			q.cond.Broadcast()
			q.mu.Unlock()
			return
		}
		n := min(len(q.pending), maxLedgerBatch)
		batch := make([]finishCall, n)
		copy(batch, q.pending)
		q.pending = append(q.pending[:0], q.pending[n:]...)
		q.cond.Broadcast()
		q.mu.Unlock()
		s.recordFinishes(batch)
	}
}

// wait waits until every outcome queued has been recorded.
func (q *finishQueue) wait() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.running {
		q.cond.Wait()
	}
}

// recordFinishes writes a batch of outcomes to the ledger, trying a few times those the store
// failed to write, and settles their jobs.
func (s *Scheduler) recordFinishes(batch []finishCall) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make([]error, len(batch))
	todo := make([]int, len(batch))
	for i := range todo {
		todo[i] = i
	}
	for try := 0; ; try++ {
		calls := make([]finishCall, len(todo))
		for k, i := range todo {
			calls[k] = batch[i]
		}
		res := s.finishBatch(ctx, calls)
		var again []int
		for k, i := range todo {
			errs[i] = res[k]
			if err := res[k]; err != nil && !errors.Is(err, store.ErrClaimed) && !errors.Is(err, store.ErrAlreadyDelivered) &&
				!errors.Is(err, store.ErrNotFound) {
				again = append(again, i)
			}
		}
		if len(again) == 0 || try == 2 || !s.sleep(ctx, time.Duration(try+1)*time.Second) {
			break
		}
		todo = again
	}
	for i, f := range batch {
		out, retryAt := s.finished(f.claim, f.outcome, errs[i])
		s.settle(f.claim.lane, f.claim.job, out, retryAt)
	}
}

// finishBatch records outcomes of this replica's slots: one with FinishSlot, several with
// FinishSlots.
func (s *Scheduler) finishBatch(ctx context.Context, calls []finishCall) []error {
	if len(calls) == 1 {
		return []error{s.store.FinishSlot(ctx, calls[0].claim.key, s.replica, calls[0].outcome)}
	}
	fs := make([]store.SlotFinish, len(calls))
	for i, c := range calls {
		fs[i] = store.SlotFinish{Key: c.claim.key, Outcome: c.outcome}
	}
	errs, err := s.store.FinishSlots(ctx, s.replica, fs)
	if err != nil {
		errs = make([]error, len(calls))
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}
