package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

// Several replicas share one store; 50 subscriptions fall due in the same minute while the
// platform answers with 429s, 5xx and dropped connections: every slot is posted exactly once.
func TestSchedulerReplicasDeliverEachSlotExactlyOnce(t *testing.T) {
	for _, backend := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", schedSQLite}, {"postgres", schedPostgres}} {
		t.Run(backend.name, func(t *testing.T) {
			const subs, replicas = 50, 3
			slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
			e := newSchedEnv(t, backend.dsn(t), slot.Add(-time.Hour), true)
			var ids []int64
			for i := range subs {
				sub := e.subscribe(t, store.Subscription{ChannelID: fmt.Sprintf("C%02d", i), Schedule: "08:00"})
				ids = append(ids, sub.ID)
			}
			e.poster.failEvery = func(call int, d Delivery) error {
				switch {
				case call%4 == 0:
					return &PostError{Temporary: true, Status: 429, RetryAfter: time.Second, Err: errors.New("ratelimited")}
				case call%5 == 0:
					return &PostError{Temporary: true, Status: 503, Err: errors.New("service unavailable")}
				case call%7 == 0:
					return errDropAfterPost
				}
				return nil
			}

			var scheds []*Scheduler
			for r := range replicas {
				scheds = append(scheds, e.scheduler(t, SchedulerOptions{
					Store:     schedOpen(t, e.dsn, e.clock.Now), // each replica its own connections
					ReplicaID: fmt.Sprintf("replica-%d", r),
					Workers:   4, Lease: 10 * time.Minute, SlotDeadline: time.Hour,
				}))
			}
			for _, s := range scheds {
				tick(t, s, slot.Add(-time.Minute)) // load the subscriptions
			}
			e.clock.Set(slot)

			results := make([]TickResult, replicas)
			var wg sync.WaitGroup
			for r, s := range scheds {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[r] = tick(t, s, slot)
				}()
			}
			wg.Wait()

			delivered := 0
			for _, res := range results {
				delivered += res.Delivered
				if res.Failed+res.Deferred > 0 {
					t.Errorf("a replica ended with %+v", res)
				}
			}
			if delivered != subs {
				t.Errorf("the replicas delivered %d slots between them (%+v), want %d", delivered, results, subs)
			}
			perChannel := map[string]int{}
			for _, m := range e.poster.Messages() {
				perChannel[m.ChannelID]++
			}
			if len(perChannel) != subs {
				t.Errorf("%d channels got a message, want %d", len(perChannel), subs)
			}
			for ch, n := range perChannel {
				if n != 1 {
					t.Errorf("channel %s got %d messages, want exactly 1", ch, n)
				}
			}
			owners := map[string]int{}
			for _, id := range ids {
				rows := ledger(t, e.store, id)
				if len(rows) != 1 || rows[0].State != store.SlotDelivered || rows[0].MessageID == "" {
					t.Fatalf("ledger of subscription %d = %+v", id, rows)
				}
				owners[rows[0].Owner]++
			}
			t.Logf("slots per replica: %v; post attempts: %d", owners, len(e.poster.Calls()))

			// Later passes of every replica find nothing left to do.
			e.clock.Set(slot.Add(20 * time.Minute))
			for _, s := range scheds {
				if res := tick(t, s, e.clock.Now()); res.Delivered+res.Failed+res.Skipped != 0 {
					t.Errorf("a later pass did %+v", res)
				}
			}
			if n := len(e.poster.Messages()); n != subs {
				t.Errorf("%d messages in all, want %d", n, subs)
			}
		})
	}
}

// A replica that dies mid-post (its claim never finished) is taken over by a live one once the
// lease expires, and the platform's duplicate guard keeps the channel at one message.
func TestSchedulerReplicaTakesOverACrashedReplicasSlots(t *testing.T) {
	for _, backend := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", schedSQLite}, {"postgres", schedPostgres}} {
		t.Run(backend.name, func(t *testing.T) {
			slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
			e := newSchedEnv(t, backend.dsn(t), slot.Add(-time.Hour), true)
			const subs = 10
			for i := range subs {
				e.subscribe(t, store.Subscription{ChannelID: fmt.Sprintf("C%02d", i), Schedule: "08:00"})
			}
			// The crashing replica posts half of its slots, and then the process is gone: its posts
			// never return, it finishes and releases nothing (as with SIGKILL).
			dying := &dyingPoster{inner: e.poster, after: subs / 2, hang: make(chan struct{}), started: make(chan struct{}, subs)}
			crashed := NewScheduler(SchedulerOptions{Store: schedOpen(t, e.dsn, e.clock.Now), Briefer: e.briefer,
				Posters: map[string]Poster{"slack": dying}, Clock: e.clock, ReplicaID: "dies",
				Grace: DefaultGrace, Lease: 2 * time.Minute, Workers: subs})
			ctx, kill := context.WithCancel(context.Background())
			t.Cleanup(func() { close(dying.hang); crashed.Close() })
			go crashed.Tick(ctx, slot)
			for range subs {
				await(t, dying.started, "the crashing replica did not start its posts")
			}
			kill()

			live := e.scheduler(t, SchedulerOptions{ReplicaID: "lives", Lease: 2 * time.Minute})
			e.clock.Set(slot.Add(3 * time.Minute))
			if res := tick(t, live, e.clock.Now()); res.Delivered != subs {
				t.Fatalf("the live replica's pass = %+v, want all %d slots taken over", res, subs)
			}
			if n := len(e.poster.Messages()); n != subs {
				t.Errorf("%d messages, want exactly %d", n, subs)
			}
		})
	}
}

// dyingPoster posts its first `after` deliveries and then hangs on every call until hang is
// closed, as a process killed mid-post.
type dyingPoster struct {
	inner   *schedPoster
	mu      sync.Mutex
	after   int
	hang    chan struct{}
	started chan struct{}
}

func (p *dyingPoster) Platform() string { return p.inner.Platform() }

func (p *dyingPoster) Post(ctx context.Context, d Delivery) (string, error) {
	p.mu.Lock()
	n := p.after
	p.after--
	p.mu.Unlock()
	if n > 0 {
		if _, err := p.inner.Post(ctx, d); err != nil {
			return "", err
		}
	}
	p.started <- struct{}{}
	<-p.hang
	return "", &PostError{Temporary: true, Err: errors.New("killed")}
}
