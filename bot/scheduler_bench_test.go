package bot

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// BenchmarkSchedulerDueSlots measures how fast slots falling due in the same minute are claimed
// in the ledger and handed to the posters: BRIEFBOT_BENCH_SUBS subscriptions (default 10,000),
// all hourly at :00, one pass per hour; the poster only counts (the platforms' rate limits, not
// the scheduler, pace real posting). With PostgreSQL (BRIEFBOT_TEST_POSTGRES) it also runs 2
// and 3 replicas sharing the work. One op is one minute's worth of slots.
//
//	go test -run '^$' -bench SchedulerDueSlots -benchtime 3x ./bot/
func BenchmarkSchedulerDueSlots(b *testing.B) {
	subs := 10_000
	if v, err := strconv.Atoi(os.Getenv("BRIEFBOT_BENCH_SUBS")); err == nil && v > 0 {
		subs = v
	}
	for _, c := range []struct {
		backend  string
		dsn      func(testing.TB) string
		replicas int
	}{
		{"sqlite", schedSQLite, 1},
		{"postgres", schedPostgres, 1},
		{"postgres", schedPostgres, 2},
		{"postgres", schedPostgres, 3},
	} {
		b.Run(fmt.Sprintf("%s/replicas=%d", c.backend, c.replicas), func(b *testing.B) {
			benchDueSlots(b, c.dsn(b), subs, c.replicas)
		})
	}
}

func benchDueSlots(b *testing.B, dsn string, subs, replicas int) {
	t0 := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	clock := newSchedClock(t0.Add(-time.Minute), false)
	st := schedOpen(b, dsn, clock.Now)
	ctx := context.Background()
	for i := range subs {
		_, err := st.PutSubscription(ctx, store.Subscription{Platform: "slack", ChannelID: fmt.Sprintf("C%06d", i),
			Topic: fmt.Sprintf("topic%d", i%20), Schedule: "0 * * * *", Timezone: "UTC", Stories: 5, CreatedAt: t0.Add(-time.Minute)})
		if err != nil {
			b.Fatal(err)
		}
	}
	poster := &countingPoster{}
	var scheds []*Scheduler
	for r := range replicas {
		s := NewScheduler(SchedulerOptions{Store: schedOpen(b, dsn, clock.Now), Briefer: benchBriefer{},
			Posters: map[string]Poster{"slack": poster}, Clock: clock, ReplicaID: fmt.Sprintf("bench-%d", r),
			Grace: DefaultGrace})
		b.Cleanup(func() { s.Close() })
		if _, err := s.Tick(ctx, t0.Add(-time.Minute)); err != nil { // load the subscriptions
			b.Fatal(err)
		}
		scheds = append(scheds, s)
	}

	hour := 0
	var elapsed, cpu time.Duration
	for b.Loop() {
		slot := t0.Add(time.Duration(hour) * time.Hour)
		hour++
		clock.Set(slot)
		before := poster.posts.Load()
		start, cpu0 := time.Now(), processCPU()
		var wg sync.WaitGroup
		results := make([]TickResult, len(scheds))
		for i, s := range scheds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := s.Tick(ctx, slot)
				if err != nil {
					b.Error(err)
				}
				results[i] = res
			}()
		}
		wg.Wait()
		elapsed += time.Since(start)
		cpu += processCPU() - cpu0
		if n := poster.posts.Load() - before; n != int64(subs) {
			b.Fatalf("%d slots posted, want %d (%+v)", n, subs, results)
		}
	}
	slots := float64(subs) * float64(hour)
	b.ReportMetric(slots/elapsed.Seconds(), "slots/s")
	if cpu > 0 {
		// The scheduler's and (with SQLite) the database's CPU time; PostgreSQL's own is not in it.
		b.ReportMetric(float64(cpu.Microseconds())/slots, "cpu-µs/slot")
	}
}

// countingPoster hands each delivery over and counts it.
type countingPoster struct{ posts atomic.Int64 }

func (p *countingPoster) Platform() string { return "slack" }

func (p *countingPoster) Post(ctx context.Context, d Delivery) (string, error) {
	return "m" + strconv.FormatInt(p.posts.Add(1), 10), nil
}

// benchBriefer makes a one-story briefing without touching the store.
type benchBriefer struct{}

func (benchBriefer) BriefSlot(ctx context.Context, topic string, w SlotWindow, stories int) (briefing.Briefing, error) {
	return briefing.Briefing{Topic: topic, From: w.SeenFrom, To: w.To, Stories: []briefing.Story{{Headline: topic}}}, nil
}
