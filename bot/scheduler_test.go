package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/internal/metrics"
)

func TestSchedulerDeliversASlotOnceAtItsTime(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	start := time.Date(2025, 6, 2, 7, 0, 0, 0, berlin)
	e := newSchedEnv(t, schedSQLite(t), start, true)
	sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "08:00", Timezone: "Europe/Berlin"})
	s := e.scheduler(t, SchedulerOptions{})

	slot := time.Date(2025, 6, 2, 8, 0, 0, 0, berlin)
	steps := []struct {
		at   time.Time
		want TickResult
	}{
		{slot.Add(-time.Second), TickResult{}},
		{slot, TickResult{Delivered: 1}},
		{slot.Add(30 * time.Second), TickResult{}},
		{slot.Add(24 * time.Hour), TickResult{Delivered: 1}},
	}
	for _, st := range steps {
		e.clock.Set(st.at)
		if got := tick(t, s, st.at); got != st.want {
			t.Errorf("Tick(%s) = %+v, want %+v", st.at, got, st.want)
		}
	}

	msgs := e.poster.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	d := msgs[0]
	if d.ChannelID != "C1" || d.Briefing.Topic != "korea" || d.Retry || d.Late || d.Location.String() != "Europe/Berlin" {
		t.Errorf("first delivery = %+v", d)
	}
	if want := DeliveryKey(store.SlotKey{SubscriptionID: sub.ID, At: slot}); d.Key != want {
		t.Errorf("key %q, want %q", d.Key, want)
	}
	rows := ledger(t, e.store, sub.ID)
	if len(rows) != 2 || rows[0].State != store.SlotDelivered || rows[0].MessageID != "slack-m1" || rows[0].Late {
		t.Fatalf("ledger = %+v", rows)
	}
	if !rows[0].Key.At.Equal(slot) {
		t.Errorf("slot recorded at %s, want %s", rows[0].Key.At, slot.UTC())
	}
}

func TestSchedulerWindowsFollowOneAnother(t *testing.T) {
	start := time.Date(2025, 6, 2, 5, 30, 0, 0, time.UTC)
	e := newSchedEnv(t, schedSQLite(t), start, true)
	sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "0 6,9,18 * * *", CreatedAt: start})
	s := e.scheduler(t, SchedulerOptions{MaxWindow: 10 * time.Hour})

	at := func(day, hour int) time.Time { return time.Date(2025, 6, day, hour, 0, 0, 0, time.UTC) }
	for _, slot := range []time.Time{at(2, 6), at(2, 9), at(2, 18), at(3, 6), at(3, 9)} {
		e.clock.Set(slot)
		if got := tick(t, s, slot); got.Delivered != 1 {
			t.Fatalf("Tick(%s) = %+v, want one delivery", slot, got)
		}
	}
	want := [][2]time.Time{
		{at(1, 20), at(2, 6)}, // the first briefing looks back MaxWindow
		{at(2, 6), at(2, 9)},
		{at(2, 9), at(2, 18)},
		{at(2, 20), at(3, 6)}, // 12h since the last: capped at MaxWindow
		{at(3, 6), at(3, 9)},
	}
	asked := e.briefer.Asked()
	rows := ledger(t, e.store, sub.ID)
	if len(asked) != len(want) || len(rows) != len(want) {
		t.Fatalf("%d briefings, %d ledger rows; want %d", len(asked), len(rows), len(want))
	}
	for i, w := range want {
		if !asked[i].From.Equal(w[0]) || !asked[i].To.Equal(w[1]) {
			t.Errorf("briefing %d covers [%s, %s], want [%s, %s]", i, asked[i].From, asked[i].To, w[0], w[1])
		}
		if !rows[i].WindowFrom.Equal(w[0]) || !rows[i].WindowTo.Equal(w[1]) {
			t.Errorf("ledger row %d records [%s, %s], want [%s, %s]", i, rows[i].WindowFrom, rows[i].WindowTo, w[0], w[1])
		}
	}
}

func TestSchedulerEmptyWindows(t *testing.T) {
	for _, skip := range []bool{false, true} {
		t.Run(fmt.Sprintf("skip_empty=%v", skip), func(t *testing.T) {
			start := time.Date(2025, 6, 2, 7, 0, 0, 0, time.UTC)
			e := newSchedEnv(t, schedSQLite(t), start, true)
			e.briefer.empty["quiet"] = true
			sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Topic: "quiet", Schedule: "08:00", SkipEmpty: skip})
			s := e.scheduler(t, SchedulerOptions{})
			slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
			e.clock.Set(slot)
			res := tick(t, s, slot)
			rows := ledger(t, e.store, sub.ID)
			if len(rows) != 1 {
				t.Fatalf("ledger = %+v", rows)
			}
			if skip {
				if res.Skipped != 1 || len(e.poster.Messages()) != 0 {
					t.Fatalf("Tick = %+v with %d messages: want the slot skipped, nothing posted", res, len(e.poster.Messages()))
				}
				if rows[0].State != store.SlotSkipped || rows[0].Reason != "empty" || rows[0].WindowTo.IsZero() {
					t.Errorf("ledger row = %+v, want skipped, reason empty, with its window", rows[0])
				}
				return
			}
			msgs := e.poster.Messages()
			if res.Delivered != 1 || len(msgs) != 1 || !msgs[0].Briefing.Empty() {
				t.Fatalf("Tick = %+v, messages %+v: want the empty briefing posted", res, msgs)
			}
			if rows[0].State != store.SlotDelivered {
				t.Errorf("ledger row = %+v, want delivered", rows[0])
			}
		})
	}
}

func TestSchedulerCatchesUpAfterDowntime(t *testing.T) {
	day := func(h, m int) time.Time { return time.Date(2025, 6, 2, h, m, 0, 0, time.UTC) }
	type row struct {
		at     time.Time
		state  store.SlotState
		late   bool
		reason string // prefix
	}
	tests := []struct {
		name     string
		schedule string
		created  time.Time
		grace    time.Duration
		lastRow  time.Time // a delivered slot before the downtime, if any
		restart  time.Time
		want     []row
	}{
		{
			name: "a daily slot missed by two hours is delivered late", schedule: "08:00",
			created: day(0, 0).Add(-72 * time.Hour), lastRow: day(8, 0).Add(-24 * time.Hour), restart: day(10, 0),
			want: []row{{at: day(8, 0), state: store.SlotDelivered, late: true}},
		},
		{
			name: "a daily slot missed by more than grace is recorded as skipped", schedule: "08:00",
			created: day(0, 0).Add(-72 * time.Hour), lastRow: day(8, 0).Add(-24 * time.Hour), restart: day(15, 0),
			want: []row{{at: day(8, 0), state: store.SlotSkipped, reason: "missed: older than grace"}},
		},
		{
			name: "several missed hourly slots: the newest is delivered, the rest recorded in one row", schedule: "0 * * * *",
			created: day(0, 0), lastRow: day(7, 0), restart: day(10, 10),
			want: []row{
				{at: day(9, 0), state: store.SlotSkipped, reason: "missed: covered by the late briefing of 2025-06-02T10:00:00Z (2 slots from 2025-06-02T08:00:00Z"},
				{at: day(10, 0), state: store.SlotDelivered, late: true},
			},
		},
		{
			name: "a long outage: one row for the slots older than grace, one for those covered", schedule: "0 */2 * * *",
			created: day(0, 0).Add(-72 * time.Hour), lastRow: day(0, 0).Add(-24 * time.Hour), restart: day(12, 30),
			want: []row{
				{at: day(6, 0), state: store.SlotSkipped, reason: "missed: older than grace (15 slots from 2025-06-01T02:00:00Z"},
				{at: day(10, 0), state: store.SlotSkipped, reason: "missed: covered by the late briefing of 2025-06-02T12:00:00Z (2 slots"},
				{at: day(12, 0), state: store.SlotDelivered, late: true},
			},
		},
		{
			name: "a slot before the subscription existed is never delivered", schedule: "08:00",
			created: day(8, 30), restart: day(9, 0),
		},
		{
			name: "with grace 0 a slot a few minutes late is skipped", schedule: "08:00", grace: -1,
			created: day(0, 0).Add(-72 * time.Hour), lastRow: day(8, 0).Add(-24 * time.Hour), restart: day(8, 5),
			want: []row{{at: day(8, 0), state: store.SlotSkipped, reason: "missed: older than grace"}},
		},
		{
			name: "with grace 0 a slot seconds late is still on time", schedule: "08:00", grace: -1,
			created: day(0, 0).Add(-72 * time.Hour), lastRow: day(8, 0).Add(-24 * time.Hour), restart: day(8, 0).Add(30 * time.Second),
			want: []row{{at: day(8, 0), state: store.SlotDelivered}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSchedEnv(t, schedSQLite(t), tt.created, true)
			sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: tt.schedule, CreatedAt: tt.created})
			if !tt.lastRow.IsZero() {
				key := store.SlotKey{SubscriptionID: sub.ID, At: tt.lastRow}
				if _, err := e.store.ClaimSlot(context.Background(), key, "earlier", tt.lastRow, time.Minute); err != nil {
					t.Fatal(err)
				}
				if err := e.store.FinishSlot(context.Background(), key, "earlier", store.SlotOutcome{State: store.SlotDelivered,
					MessageID: "old", WindowFrom: tt.lastRow.Add(-time.Hour), WindowTo: tt.lastRow, At: tt.lastRow}); err != nil {
					t.Fatal(err)
				}
			}
			e.clock.Set(tt.restart)
			s := e.scheduler(t, SchedulerOptions{})
			if tt.grace < 0 {
				s.grace = 0 // catch-up off (the helper turns a zero Grace into the default)
			}
			tick(t, s, tt.restart)

			var got []row
			for _, r := range ledger(t, e.store, sub.ID) {
				if r.Key.At.Equal(tt.lastRow) {
					continue
				}
				got = append(got, row{r.Key.At, r.State, r.Late, r.Reason})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ledger:\n%s\nwant:\n%s", fmtRows(got), fmtRows(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if !g.at.Equal(w.at) || g.state != w.state || g.late != w.late || !strings.HasPrefix(g.reason, w.reason) {
					t.Errorf("row %d = %+v, want %+v", i, g, w)
				}
			}
			delivered := 0
			for _, w := range tt.want {
				if w.state == store.SlotDelivered {
					delivered++
				}
			}
			if msgs := e.poster.Messages(); len(msgs) != delivered {
				t.Fatalf("%d messages, want %d", len(msgs), delivered)
			} else if delivered == 1 {
				if last := tt.want[len(tt.want)-1]; msgs[0].Late != last.late || !msgs[0].Scheduled.Equal(last.at) {
					t.Errorf("the message's Late = %v, Scheduled = %v; want %v, %v", msgs[0].Late, msgs[0].Scheduled, last.late, last.at)
				}
			}

			// A restart right after changes nothing: the ledger says where the timetable stands.
			again := e.scheduler(t, SchedulerOptions{ReplicaID: "replica-b"})
			if res := tick(t, again, tt.restart.Add(time.Minute)); res != (TickResult{}) {
				t.Errorf("a second start did %+v", res)
			}
		})
	}
}

func fmtRows[T any](rows []T) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "  %+v\n", r)
	}
	return b.String()
}

func TestSchedulerTakesOverAnExpiredClaimWithTheDuplicateGuard(t *testing.T) {
	for _, posted := range []bool{false, true} {
		name := "the crashed replica had not posted: the takeover posts"
		if posted {
			name = "the crashed replica had posted: the takeover finds its message"
		}
		t.Run(name, func(t *testing.T) {
			slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
			e := newSchedEnv(t, schedSQLite(t), slot, true)
			sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "08:00", CreatedAt: slot.Add(-time.Hour)})
			key := store.SlotKey{SubscriptionID: sub.ID, At: slot}

			s := e.scheduler(t, SchedulerOptions{Lease: 2 * time.Minute})
			tick(t, s, slot.Add(-time.Minute))

			// Another replica claimed the slot and died mid-post.
			if _, err := e.store.ClaimSlot(context.Background(), key, "crashed", slot, 2*time.Minute); err != nil {
				t.Fatal(err)
			}
			if posted {
				if _, err := e.poster.Post(context.Background(), Delivery{ChannelID: "C1", Key: DeliveryKey(key)}); err != nil {
					t.Fatal(err)
				}
			}

			e.clock.Set(slot.Add(5 * time.Second))
			if res := tick(t, s, e.clock.Now()); res.Elsewhere != 1 || res.Delivered != 0 {
				t.Fatalf("while the lease holds: Tick = %+v, want the slot left to its claimer", res)
			}
			e.clock.Set(slot.Add(90 * time.Second))
			if res := tick(t, s, e.clock.Now()); res != (TickResult{}) {
				t.Fatalf("before the lease expires: Tick = %+v, want nothing", res)
			}
			e.clock.Set(slot.Add(2*time.Minute + 5*time.Second))
			if res := tick(t, s, e.clock.Now()); res.Delivered != 1 {
				t.Fatalf("after the lease expired: Tick = %+v, want the slot delivered", res)
			}

			calls := e.poster.Calls()
			last := calls[len(calls)-1]
			if !last.Retry || last.Key != DeliveryKey(key) || !last.Late {
				t.Errorf("takeover post = %+v, want Retry, the slot's key, Late", last)
			}
			if n := len(e.poster.Messages()); n != 1 {
				t.Errorf("%d messages in the channel, want exactly 1", n)
			}
			rows := ledger(t, e.store, sub.ID)
			if len(rows) != 1 || rows[0].State != store.SlotDelivered || rows[0].MessageID != "slack-m1" || rows[0].Attempts != 2 {
				t.Errorf("ledger = %+v, want delivered as slack-m1 on the second attempt", rows)
			}
		})
	}
}

func TestSchedulerRetriesTemporaryFailures(t *testing.T) {
	const delivered = `
# HELP briefbot_briefings_posted_total Briefings posted, by platform and kind (scheduled, late, command).
# TYPE briefbot_briefings_posted_total counter
briefbot_briefings_posted_total{kind="scheduled",platform="slack"} 1
# HELP briefbot_slots_total Scheduled slots finished, by outcome (delivered, late, skipped, failed).
# TYPE briefbot_slots_total counter
briefbot_slots_total{outcome="delivered"} 1
# HELP briefbot_post_failures_total Failed post attempts, by platform and reason (rate_limited, server_error, network, forbidden, other).
# TYPE briefbot_post_failures_total counter
`
	tests := []struct {
		name    string
		errs    []error
		metrics string
	}{
		{"a 429 is waited out", []error{&PostError{Temporary: true, Status: 429, RetryAfter: 30 * time.Second, Err: errors.New("ratelimited")}},
			delivered + `briefbot_post_failures_total{platform="slack",reason="rate_limited"} 1` + "\n"},
		{"5xx and network errors are retried", []error{
			&PostError{Temporary: true, Status: 503, Err: errors.New("service unavailable")},
			&PostError{Temporary: true, Err: errors.New("dial tcp: connection refused")},
			&PostError{Temporary: true, Status: 502, Err: errors.New("bad gateway")},
		}, delivered + `briefbot_post_failures_total{platform="slack",reason="network"} 1` + "\n" +
			`briefbot_post_failures_total{platform="slack",reason="server_error"} 2` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
			e := newSchedEnv(t, schedSQLite(t), slot, true)
			sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "08:00", CreatedAt: slot.Add(-time.Hour)})
			e.poster.fail = tt.errs
			reg := prometheus.NewRegistry()
			s := e.scheduler(t, SchedulerOptions{Metrics: metrics.New(reg)})
			if res := tick(t, s, slot); res.Delivered != 1 {
				t.Fatalf("Tick = %+v, want the slot delivered", res)
			}
			if err := testutil.GatherAndCompare(reg, strings.NewReader(tt.metrics),
				"briefbot_post_failures_total", "briefbot_slots_total", "briefbot_briefings_posted_total"); err != nil {
				t.Error(err)
			}
			calls := e.poster.Calls()
			if len(calls) != len(tt.errs)+1 {
				t.Fatalf("%d post attempts, want %d", len(calls), len(tt.errs)+1)
			}
			for i, c := range calls {
				if c.Retry != (i > 0) {
					t.Errorf("attempt %d: Retry = %v", i+1, c.Retry)
				}
			}
			if pe := new(PostError); errors.As(tt.errs[0], &pe) && pe.RetryAfter > 0 {
				if waited := e.clock.Now().Sub(slot); waited < pe.RetryAfter {
					t.Errorf("retried after %s, before the Retry-After of %s", waited, pe.RetryAfter)
				}
			}
			if n := len(e.poster.Messages()); n != 1 {
				t.Errorf("%d messages, want 1", n)
			}
			if rows := ledger(t, e.store, sub.ID); rows[0].State != store.SlotDelivered {
				t.Errorf("ledger = %+v", rows)
			}
		})
	}
}

func TestSchedulerDeliversOnceWhenTheConnectionDropsAfterThePost(t *testing.T) {
	slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	e := newSchedEnv(t, schedSQLite(t), slot, true)
	sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "08:00", CreatedAt: slot.Add(-time.Hour)})
	e.poster.dropAfterPost = 1
	s := e.scheduler(t, SchedulerOptions{})
	if res := tick(t, s, slot); res.Delivered != 1 {
		t.Fatalf("Tick = %+v", res)
	}
	calls, msgs := e.poster.Calls(), e.poster.Messages()
	if len(calls) != 2 || len(msgs) != 1 {
		t.Fatalf("%d attempts and %d messages, want 2 attempts and exactly 1 message", len(calls), len(msgs))
	}
	if !calls[1].Retry || calls[1].Key != calls[0].Key {
		t.Errorf("the second attempt = %+v, want Retry with the same key", calls[1])
	}
	if rows := ledger(t, e.store, sub.ID); rows[0].MessageID != "slack-m1" {
		t.Errorf("ledger = %+v, want the message id of the first post", rows)
	}
}

func TestSchedulerFailsAForbiddenChannelAtOnceAndReportsItOnce(t *testing.T) {
	slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	e := newSchedEnv(t, schedSQLite(t), slot, true)
	sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "0 * * * *", CreatedAt: slot.Add(-time.Minute)})
	admin := newSchedPoster("discord")
	forbidden := &PostError{Status: 403, Err: errors.New("not_in_channel")}
	e.poster.fail = []error{forbidden, forbidden}
	s := e.scheduler(t, SchedulerOptions{
		Posters: map[string]Poster{"slack": e.poster, "discord": admin},
		Admin:   AdminChannel{Platform: "discord", ChannelID: "ADMIN"},
	})

	for i, at := range []time.Time{slot, slot.Add(time.Hour)} {
		e.clock.Set(at)
		if res := tick(t, s, at); res.Failed != 1 {
			t.Fatalf("slot %d: Tick = %+v, want failed", i, res)
		}
	}
	if calls := e.poster.Calls(); len(calls) != 2 {
		t.Fatalf("%d post attempts for two slots, want 2: a 403 is never retried", len(calls))
	}
	rows := ledger(t, e.store, sub.ID)
	if rows[0].State != store.SlotFailed || !strings.Contains(rows[0].Reason, "403") {
		t.Errorf("ledger = %+v, want failed with the 403", rows)
	}
	notices := admin.Notices()
	if len(notices) != 1 || !strings.Contains(notices[0], "cannot post to slack channel C1") {
		t.Fatalf("admin notices = %q, want one about the channel", notices)
	}
	if p := s.health.Problems(); len(p) != 1 || p[0].Kind != "channel" || p[0].Count != 2 {
		t.Errorf("problems = %+v", p)
	}

	// The bot is invited back: the next slot goes through and the admin hears so, once.
	e.clock.Set(slot.Add(2 * time.Hour))
	if res := tick(t, s, e.clock.Now()); res.Delivered != 1 {
		t.Fatalf("Tick = %+v", res)
	}
	notices = admin.Notices()
	if len(notices) != 2 || !strings.Contains(notices[1], "works again") {
		t.Errorf("admin notices = %q, want the recovery", notices)
	}
}

func TestSchedulerGivesUpAtTheSlotDeadline(t *testing.T) {
	slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	e := newSchedEnv(t, schedSQLite(t), slot, true)
	sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "08:00", CreatedAt: slot.Add(-time.Hour)})
	e.poster.failEvery = func(int, Delivery) error {
		return &PostError{Temporary: true, Status: 500, Err: errors.New("internal_error")}
	}
	s := e.scheduler(t, SchedulerOptions{SlotDeadline: 5 * time.Minute, Admin: AdminChannel{Platform: "slack", ChannelID: "ADMIN"}})
	if res := tick(t, s, slot); res.Failed != 1 {
		t.Fatalf("Tick = %+v, want failed", res)
	}
	if d := e.clock.Now().Sub(slot); d > 5*time.Minute {
		t.Errorf("kept trying for %s, past the 5m deadline", d)
	}
	rows := ledger(t, e.store, sub.ID)
	if rows[0].State != store.SlotFailed || !strings.HasPrefix(rows[0].Reason, "gave up after") {
		t.Errorf("ledger = %+v", rows)
	}
	if n := len(e.poster.Calls()); n < 4 {
		t.Errorf("%d attempts in 5 minutes, want several", n)
	}
	if notices := e.poster.Notices(); len(notices) != 1 || !strings.Contains(notices[0], "failed") {
		t.Errorf("admin notices = %q", notices)
	}
}

func TestSchedulerReloadsSubscriptions(t *testing.T) {
	start := time.Date(2025, 6, 2, 7, 0, 0, 0, time.UTC)
	e := newSchedEnv(t, schedSQLite(t), start, true)
	a := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "08:00"})
	s := e.scheduler(t, SchedulerOptions{})
	tick(t, s, start)

	// Added, changed and removed subscriptions are seen after Reload, without a restart.
	e.subscribe(t, store.Subscription{ChannelID: "C2", Schedule: "08:00"})
	a.Schedule = "09:00"
	if _, err := e.store.PutSubscription(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	s.Reload()
	e.clock.Set(start.Add(time.Minute))
	tick(t, s, e.clock.Now())

	slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	e.clock.Set(slot)
	if res := tick(t, s, slot); res.Delivered != 1 {
		t.Fatalf("08:00: Tick = %+v, want only the new subscription", res)
	}
	if err := e.store.DeleteSubscription(context.Background(), "slack", "C2", "korea"); err != nil {
		t.Fatal(err)
	}
	s.Reload()
	e.clock.Set(slot.Add(time.Hour))
	if res := tick(t, s, e.clock.Now()); res.Delivered != 1 {
		t.Fatalf("09:00: Tick = %+v, want the rescheduled subscription", res)
	}
	e.clock.Set(slot.Add(24 * time.Hour))
	if res := tick(t, s, e.clock.Now()); res.Delivered != 0 {
		t.Fatalf("the next day at 08:00: Tick = %+v, want nothing (unsubscribed)", res)
	}
	got := map[string]int{}
	for _, m := range e.poster.Messages() {
		got[m.ChannelID]++
	}
	if got["C1"] != 1 || got["C2"] != 1 {
		t.Errorf("messages per channel = %v", got)
	}
}

func TestSchedulerRunDeliversAndStopsCleanly(t *testing.T) {
	start := time.Date(2025, 6, 2, 7, 59, 0, 0, time.UTC)
	e := newSchedEnv(t, schedSQLite(t), start, false)
	e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "08:00"})
	e.poster.started = make(chan Delivery, 4)
	// Subscriptions are re-read hourly, so the one added below is seen through Reload alone, and
	// each slot Run sleeps until is a timer of its own. The clock moves only once Run sleeps on
	// the timer of the slot: moved while Run is between reading the time and setting its timer,
	// it would set the timer from the moved clock, past the slot.
	s := e.scheduler(t, SchedulerOptions{ReloadEvery: time.Hour})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	slot1 := start.Add(time.Minute)
	e.clock.BlockUntilAt(t, slot1) // Run sleeps until the slot
	e.clock.Set(slot1)
	if d := await(t, e.poster.started, "the slot was not posted"); d.ChannelID != "C1" {
		t.Errorf("posted to %s", d.ChannelID)
	}

	// A subscription added meanwhile is picked up on Reload, without a restart.
	e.subscribe(t, store.Subscription{ChannelID: "C2", Schedule: "08:05"})
	s.Reload()
	slot2 := slot1.Add(5 * time.Minute)
	e.clock.BlockUntilAt(t, slot2) // Run has read the subscriptions and sleeps until C2's slot
	e.clock.Set(slot2)
	if d := await(t, e.poster.started, "the new subscription's slot was not posted"); d.ChannelID != "C2" {
		t.Errorf("posted to %s", d.ChannelID)
	}

	cancel()
	if err := await(t, done, "Run did not return after its context ended"); err != nil {
		t.Errorf("Run = %v", err)
	}
	if err := s.Run(context.Background()); !errors.Is(err, ErrSchedulerClosed) {
		t.Errorf("Run after shutdown = %v, want ErrSchedulerClosed", err)
	}
	if n := len(e.poster.Messages()); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}

func TestSchedulerShutdownReleasesTheClaimOfAnUnfinishedPost(t *testing.T) {
	slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	e := newSchedEnv(t, schedSQLite(t), slot.Add(-time.Second), false)
	sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "08:00"})
	e.poster.started = make(chan Delivery, 1)
	e.poster.block = make(chan struct{}) // the platform hangs
	s := e.scheduler(t, SchedulerOptions{ShutdownTimeout: 10 * time.Second})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	e.clock.BlockUntilAt(t, slot) // Run sleeps until the slot
	e.clock.Set(slot)
	await(t, e.poster.started, "the post did not start")

	cancel()
	e.clock.BlockUntilAt(t, e.clock.Now().Add(10*time.Second)) // the shutdown bound
	select {
	case <-done:
		t.Fatal("Run returned while a post was in flight, before the shutdown timeout")
	default:
	}
	e.clock.Advance(10 * time.Second)
	await(t, done, "Run did not return after the shutdown timeout")
	rows := ledger(t, e.store, sub.ID)
	if len(rows) != 1 || rows[0].State != store.SlotClaimed || rows[0].Owner != "" {
		t.Fatalf("ledger = %+v, want the claim released", rows)
	}

	// Another replica takes the released slot at once, as a possible duplicate.
	e.poster.mu.Lock()
	e.poster.block, e.poster.started = nil, nil
	e.poster.mu.Unlock()
	e.clock.SetAuto(true)
	other := e.scheduler(t, SchedulerOptions{ReplicaID: "replica-b"})
	if res := tick(t, other, e.clock.Now()); res.Delivered != 1 {
		t.Fatalf("Tick of the other replica = %+v", res)
	}
	if calls := e.poster.Calls(); !calls[len(calls)-1].Retry {
		t.Errorf("the takeover did not set Retry")
	}
}

func TestSchedulerCloseIsIdempotent(t *testing.T) {
	e := newSchedEnv(t, schedSQLite(t), time.Date(2025, 6, 2, 7, 0, 0, 0, time.UTC), false)
	s := e.scheduler(t, SchedulerOptions{})
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() { defer wg.Done(); s.Close() }()
		}
		wg.Wait()
		s.Close()
		close(done)
	}()
	await(t, done, "Close deadlocked")
	if _, err := s.Tick(context.Background(), e.clock.Now()); !errors.Is(err, ErrSchedulerClosed) {
		t.Errorf("Tick after Close = %v", err)
	}
}

func TestDeliveryKey(t *testing.T) {
	at := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	keys := map[string]bool{}
	for _, k := range []store.SlotKey{
		{SubscriptionID: 1, At: at},
		{SubscriptionID: 1, At: at.Add(time.Minute)},
		{SubscriptionID: 2, At: at},
		{SubscriptionID: 1<<63 - 1, At: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
	} {
		key := DeliveryKey(k)
		if len(key) > 25 {
			t.Errorf("DeliveryKey(%+v) = %q: %d characters, over Discord's 25", k, key, len(key))
		}
		if keys[key] {
			t.Errorf("DeliveryKey(%+v) = %q repeats another slot's key", k, key)
		}
		keys[key] = true
		if again := DeliveryKey(store.SlotKey{SubscriptionID: k.SubscriptionID, At: k.At.In(mustZone(t, "Asia/Seoul"))}); again != key {
			t.Errorf("the key depends on the time's zone: %q vs %q", again, key)
		}
	}
}

func TestBackoff(t *testing.T) {
	for attempt := 1; attempt < 20; attempt++ {
		d := backoff(attempt, 0)
		ceiling := min(time.Second<<min(attempt-1, 8), 2*time.Minute)
		if d < ceiling/2 || d > ceiling {
			t.Errorf("backoff(%d) = %s, want within [%s, %s]", attempt, d, ceiling/2, ceiling)
		}
	}
	if d := backoff(1, 30*time.Second); d < 30*time.Second || d > 33*time.Second {
		t.Errorf("backoff with Retry-After 30s = %s", d)
	}
}

func TestSchedulerWindowsFollowOneAnotherAcrossReplicas(t *testing.T) {
	start := time.Date(2025, 6, 2, 5, 30, 0, 0, time.UTC)
	e := newSchedEnv(t, schedSQLite(t), start, true)
	sub := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "0 * * * *", CreatedAt: start})
	a := e.scheduler(t, SchedulerOptions{ReplicaID: "a"})
	b := e.scheduler(t, SchedulerOptions{ReplicaID: "b", Store: schedOpen(t, e.dsn, e.clock.Now)})
	// The replicas take turns: a at 06:00 and 08:00, b at 07:00 and 09:00, a again at 10:00 and
	// 11:00. Each must start its window where the other's ended.
	for i, r := range []*Scheduler{a, b, a, b, a, a} {
		slot := time.Date(2025, 6, 2, 6+i, 0, 0, 0, time.UTC)
		e.clock.Set(slot)
		if res := tick(t, r, slot); res.Delivered != 1 {
			t.Fatalf("Tick(%s) = %+v", slot, res)
		}
	}
	rows := ledger(t, e.store, sub.ID)
	for i := 1; i < len(rows); i++ {
		if !rows[i].WindowFrom.Equal(rows[i-1].WindowTo) {
			t.Errorf("slot %s (by %s) starts at %s, but the one before ended at %s", rows[i].Key.At, rows[i].Owner,
				rows[i].WindowFrom, rows[i-1].WindowTo)
		}
	}
}

func TestSchedulerSlotWaitingForAFreeWorkerIsNotLate(t *testing.T) {
	slot := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	e := newSchedEnv(t, schedSQLite(t), slot.Add(-time.Hour), true)
	for _, ch := range []string{"C1", "C2", "C3"} {
		e.subscribe(t, store.Subscription{ChannelID: ch, Schedule: "08:00"})
	}
	e.poster.onPost = func() { e.clock.Advance(2 * time.Minute) } // a slow, rate-limited platform
	s := e.scheduler(t, SchedulerOptions{Workers: 1})
	tick(t, s, slot.Add(-time.Minute))
	e.clock.Set(slot)
	if res := tick(t, s, slot); res.Delivered != 3 {
		t.Fatalf("Tick = %+v", res)
	}
	if e.clock.Now().Sub(slot) < 6*time.Minute {
		t.Fatalf("the posts took %s, want the last one to wait", e.clock.Now().Sub(slot))
	}
	for _, m := range e.poster.Messages() {
		if m.Late {
			t.Errorf("%s: posted as late though it was planned on time", m.ChannelID)
		}
	}
}
