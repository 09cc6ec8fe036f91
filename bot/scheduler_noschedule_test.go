package bot

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

func TestSchedulerLeavesAChannelWithoutScheduleToOnDemandBriefings(t *testing.T) {
	start := time.Date(2025, 6, 2, 7, 0, 0, 0, time.UTC)
	e := newSchedEnv(t, schedSQLite(t), start, true)
	var logs bytes.Buffer
	onDemand := e.subscribe(t, store.Subscription{ChannelID: "C1", Schedule: "", Timezone: "Europe/Berlin"})
	blank := e.subscribe(t, store.Subscription{ChannelID: "C2", Schedule: "  "})
	broken := e.subscribe(t, store.Subscription{ChannelID: "C3", Schedule: "25:00"})
	s := e.scheduler(t, SchedulerOptions{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})

	for at := start; !at.After(start.Add(48 * time.Hour)); at = at.Add(time.Hour) {
		e.clock.Set(at)
		if res := tick(t, s, at); res != (TickResult{}) {
			t.Fatalf("Tick(%s) = %+v, want nothing to do", at.Format(time.RFC3339), res)
		}
	}
	if n := len(e.poster.Calls()); n != 0 {
		t.Errorf("%d posts, want none", n)
	}
	for _, sub := range []store.Subscription{onDemand, blank, broken} {
		if rows := ledger(t, e.store, sub.ID); len(rows) != 0 {
			t.Errorf("channel %s: ledger = %+v, want empty", sub.ChannelID, rows)
		}
	}

	text := logs.String()
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		switch {
		case strings.Contains(line, "channel_id=C1"), strings.Contains(line, "channel_id=C2"):
			if !strings.Contains(line, "level=DEBUG") {
				t.Errorf("a subscription without schedule is logged above debug level: %s", line)
			}
		case strings.Contains(line, "channel_id=C3") && strings.Contains(line, "bad schedule"):
			if !strings.Contains(line, "level=ERROR") {
				t.Errorf("a broken schedule is not logged as an error: %s", line)
			}
		}
	}
	for _, want := range []string{"channel_id=C1", "channel_id=C2", "briefed on demand only"} {
		if !strings.Contains(text, want) {
			t.Errorf("the debug log lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "bad schedule") {
		t.Errorf("the broken schedule was not reported:\n%s", text)
	}

	// Given a schedule later (by /brief subscribe), the channel is delivered from then on.
	onDemand.Schedule = "0 9 * * *"
	if _, err := e.store.PutSubscription(context.Background(), onDemand); err != nil {
		t.Fatal(err)
	}
	s.Reload()
	now := e.clock.Now()
	tick(t, s, now)
	slot := time.Date(2025, 6, 5, 9, 0, 0, 0, mustZone(t, "Europe/Berlin"))
	e.clock.Set(slot)
	if res := tick(t, s, slot); res.Delivered != 1 {
		t.Fatalf("Tick at the new schedule's first slot = %+v, want one delivery", res)
	}
	if calls := e.poster.Calls(); len(calls) != 1 || calls[0].ChannelID != "C1" {
		t.Errorf("posts = %+v, want one to C1", calls)
	}
}
