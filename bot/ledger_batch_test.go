package bot

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

// Calls made at once from many goroutines each get their own result, whatever batches they
// end up in, and no batch runs while another is in flight.
func TestBatcherGivesEachCallItsResult(t *testing.T) {
	var (
		mu       sync.Mutex
		inflight int
		overlap  bool
		calls    int
	)
	b := &batcher[int, int]{run: func(_ context.Context, in []int) []int {
		mu.Lock()
		inflight++
		overlap = overlap || inflight > 1
		calls += len(in)
		mu.Unlock()
		out := make([]int, len(in))
		for i, v := range in {
			out[i] = v * 3
		}
		mu.Lock()
		inflight--
		mu.Unlock()
		return out
	}}
	const n = 500
	got := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = b.do(context.Background(), i)
		}()
	}
	wg.Wait()
	for i, v := range got {
		if v != i*3 {
			t.Fatalf("call %d got %d, want %d", i, v, i*3)
		}
	}
	if calls != n || overlap {
		t.Errorf("%d calls run (want %d); batches overlapped: %v", calls, n, overlap)
	}
	if b.busy || len(b.pending) > 0 {
		t.Errorf("batcher left busy=%v with %d calls pending", b.busy, len(b.pending))
	}
}

// gatedStore holds the first single-slot claim and the first outcome write until the test
// opens their gates, and records the batches.
type gatedStore struct {
	store.Store
	claimGate, finishGate chan struct{}
	claimOnce, finishOnce sync.Once

	mu       sync.Mutex
	claims   [][]store.SlotKey
	finishes [][]store.SlotFinish
	held     int // outcomes in the write held at the gate
}

// hold holds the first outcome write, of n slots, at the gate.
func (g *gatedStore) hold(n int) {
	g.finishOnce.Do(func() {
		g.mu.Lock()
		g.held = n
		g.mu.Unlock()
		<-g.finishGate
	})
}

func (g *gatedStore) ClaimSlot(ctx context.Context, key store.SlotKey, owner string, now time.Time, lease time.Duration) (store.Slot, error) {
	g.claimOnce.Do(func() { <-g.claimGate })
	return g.Store.ClaimSlot(ctx, key, owner, now, lease)
}

func (g *gatedStore) ClaimSlots(ctx context.Context, keys []store.SlotKey, owner string, now time.Time, lease time.Duration) ([]store.SlotClaim, error) {
	g.mu.Lock()
	g.claims = append(g.claims, slices.Clone(keys))
	g.mu.Unlock()
	return g.Store.ClaimSlots(ctx, keys, owner, now, lease)
}

func (g *gatedStore) FinishSlot(ctx context.Context, key store.SlotKey, owner string, o store.SlotOutcome) error {
	g.hold(1)
	return g.Store.FinishSlot(ctx, key, owner, o)
}

func (g *gatedStore) FinishSlots(ctx context.Context, owner string, fs []store.SlotFinish) ([]error, error) {
	g.hold(len(fs))
	g.mu.Lock()
	g.finishes = append(g.finishes, slices.Clone(fs))
	g.mu.Unlock()
	return g.Store.FinishSlots(ctx, owner, fs)
}

// waitFor waits until cond holds, failing the test with what it waited for if it hangs.
func waitFor(tb testing.TB, cond func() bool, what string) {
	tb.Helper()
	hung, stop := hangTimer(tb)
	defer stop()
	for !cond() {
		select {
		case <-hung:
			tb.Fatalf("%s (still waiting as the test run's timeout nears)", what)
		case <-time.After(time.Millisecond):
		}
	}
}

// Slots falling due together while the store is busy are claimed in one batch and their
// outcomes recorded in another, with the same results as one at a time: a slot claimed by
// another replica or delivered already is left alone, the others are posted once each.
func TestSchedulerBatchesTheLedgerWritesOfSlotsDueTogether(t *testing.T) {
	for _, backend := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", schedSQLite}, {"postgres", schedPostgres}} {
		t.Run(backend.name, func(t *testing.T) {
			const subs = 8
			slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
			e := newSchedEnv(t, backend.dsn(t), slot.Add(-time.Hour), true)
			var ids []int64
			for i := range subs {
				ids = append(ids, e.subscribe(t, store.Subscription{ChannelID: fmt.Sprintf("C%d", i), Schedule: "08:00"}).ID)
			}
			g := &gatedStore{Store: e.store, claimGate: make(chan struct{}), finishGate: make(chan struct{})}
			s := e.scheduler(t, SchedulerOptions{Store: g, Workers: subs})
			e.clock.Set(slot.Add(-time.Minute))
			tick(t, s, e.clock.Now()) // load the subscriptions

			// Another replica holds the slot of the first subscription, and has delivered the
			// second's.
			held := store.SlotKey{SubscriptionID: ids[0], At: slot}
			done := store.SlotKey{SubscriptionID: ids[1], At: slot}
			for _, k := range []store.SlotKey{held, done} {
				if _, err := e.store.ClaimSlot(context.Background(), k, "other", slot, time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.store.FinishSlot(context.Background(), done, "other", store.SlotOutcome{State: store.SlotDelivered, MessageID: "theirs"}); err != nil {
				t.Fatal(err)
			}

			e.clock.Set(slot)
			res := make(chan TickResult, 1)
			go func() { res <- tick(t, s, slot) }()

			pending := func(b *batcher[claimCall, claimResult]) int {
				b.mu.Lock()
				defer b.mu.Unlock()
				return len(b.pending)
			}
			waitFor(t, func() bool { return pending(&s.claims) == subs-1 }, "the other workers' claims did not queue behind the first")
			close(g.claimGate)
			// The first outcome write is held: the others queue behind it.
			waitFor(t, func() bool {
				s.finishQ.mu.Lock()
				queued := len(s.finishQ.pending)
				s.finishQ.mu.Unlock()
				g.mu.Lock()
				defer g.mu.Unlock()
				return g.held > 0 && g.held+queued == subs-2
			}, "the outcomes of the posted slots did not queue")
			close(g.finishGate)
			if got := await(t, res, "the pass did not end"); got != (TickResult{Delivered: subs - 2, Elsewhere: 2}) {
				t.Fatalf("Tick = %+v, want %d delivered and 2 left to the other replica", got, subs-2)
			}

			g.mu.Lock()
			claims, finishes := g.claims, g.finishes
			g.mu.Unlock()
			if len(claims) != 1 || len(claims[0]) != subs-1 {
				t.Errorf("claim batches %v, want one of %d slots", claims, subs-1)
			}
			if len(finishes) == 0 || len(finishes[len(finishes)-1]) < 2 {
				t.Errorf("outcome batches %v, want the outcomes that queued recorded together", finishes)
			}
			perChannel := map[string]int{}
			for _, m := range e.poster.Messages() {
				perChannel[m.ChannelID]++
			}
			for i, id := range ids {
				rows := ledger(t, e.store, id)
				switch {
				case len(rows) != 1:
					t.Errorf("subscription %d: ledger %+v", i, rows)
				case i == 0:
					if rows[0].State != store.SlotClaimed || rows[0].Owner != "other" || rows[0].Attempts != 1 {
						t.Errorf("the other replica's claim changed: %+v", rows[0])
					}
				case i == 1:
					if rows[0].MessageID != "theirs" {
						t.Errorf("the delivered slot changed: %+v", rows[0])
					}
				default:
					if rows[0].State != store.SlotDelivered || rows[0].Owner != "replica-a" || rows[0].MessageID == "" ||
						perChannel[fmt.Sprintf("C%d", i)] != 1 {
						t.Errorf("subscription %d: ledger %+v, %d messages; want delivered once", i, rows[0], perChannel[fmt.Sprintf("C%d", i)])
					}
				}
			}
		})
	}
}
