package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/daemon"
)

const pruneLog = "retention: old records deleted"

// retentionApp builds an App on dsn whose configuration ends with retention, logging to logs
// (and the test's log) and counting in reg.
func retentionApp(t *testing.T, dsn, retention string, clock *fakeClock, logs *syncBuffer, reg *prometheus.Registry) *daemon.App {
	t.Helper()
	cfg := parseConfig(t, fmt.Sprintf(`
store: %q
http: {listen: "127.0.0.1:0"}
topics:
  ports: {query: harbour}
channels:
  - {platform: console, topics: [ports]}
%s
`, dsn, retention))
	logger := slog.New(slog.NewTextHandler(io.MultiWriter(testWriter{t}, logs), &slog.HandlerOptions{Level: slog.LevelDebug}))
	app, err := daemon.New(cfg, daemon.Options{Clock: clock, Logger: logger, Registry: reg, Console: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// storeOld stores, through st, an article first seen at each of seen and a delivered slot of
// the ports subscription at each of slots.
func storeOld(t *testing.T, st store.Store, seen, slots []time.Time) {
	t.Helper()
	ctx := context.Background()
	for i, at := range seen {
		a := &briefing.Article{Source: "Harbour Log", URL: fmt.Sprintf("https://harbourlog.example/%d", i),
			Headline: fmt.Sprintf("Berth %d reopens", i), Text: fmt.Sprintf("The harbour board reopened berth %d.", i),
			Published: at, FirstSeen: at}
		if _, err := st.SaveArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	sub := findSub(t, st, "ports")
	for _, at := range slots {
		key := store.SlotKey{SubscriptionID: sub.ID, At: at}
		if _, err := st.ClaimSlot(ctx, key, "old-replica", at, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishSlot(ctx, key, "old-replica", store.SlotOutcome{State: store.SlotDelivered, At: at}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRunPrunesAMinuteAfterStartThenEveryHour(t *testing.T) {
	backends := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"SQLite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "briefbot.db") }},
		{"PostgreSQL", postgresSchema},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			started := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
			day := 24 * time.Hour
			clock := newFakeClock(started)
			var logs syncBuffer
			reg := prometheus.NewRegistry()
			app := retentionApp(t, b.dsn(t), "retention: {articles: 30d, ledger: 8d}", clock, &logs, reg)
			st := app.Store()
			// Articles: one too old at the first run, one at the second, one kept; slots: the
			// two before the latest delivered one go at the first run.
			storeOld(t, st, []time.Time{started.Add(-31 * day), started.Add(-30*day + 30*time.Minute), started.Add(-day)},
				[]time.Time{started.Add(-20 * day), started.Add(-19 * day), started.Add(-18 * day)})
			start(t, app)

			// The clock moves in small steps (the loop's timer is set when its goroutine
			// starts), up to a bound that leaves the second article's first-seen time inside
			// the retention at the first run; then the run is awaited.
			runs := func() int { return strings.Count(logs.String(), pruneLog) }
			awaitRun := func(n int, step, bound time.Duration) {
				t.Helper()
				for end := clock.Now().Add(bound); runs() < n && clock.Now().Before(end); {
					clock.Advance(step)
					logs.waitChange(100 * time.Millisecond)
				}
				for deadline := time.Now().Add(10 * time.Second); runs() < n && time.Now().Before(deadline); {
					logs.waitChange(250 * time.Millisecond)
				}
				if runs() < n {
					t.Fatalf("pruning run %d did not happen:\n%s", n, logs.String())
				}
			}
			awaitRun(1, 5*time.Second, 20*time.Minute)
			if after := clock.Now().Sub(started); after < time.Minute {
				t.Errorf("the first pruning ran %s after start, want a minute", after)
			}
			if out := logs.String(); !strings.Contains(out, "articles=1 ") || !strings.Contains(out, "slots=2 ") {
				t.Errorf("the first run's log does not say 1 article and 2 slots:\n%s", out)
			}
			if n, err := st.Count(context.Background(), store.Query{}); err != nil || n != 2 {
				t.Errorf("%d articles after the first run (%v), want 2", n, err)
			}

			first := clock.Now()
			awaitRun(2, 5*time.Minute, 3*time.Hour)
			if after := clock.Now().Sub(first); after < time.Hour {
				t.Errorf("the second pruning ran %s after the first, want an hour", after)
			}
			if n, err := st.Count(context.Background(), store.Query{}); err != nil || n != 1 {
				t.Errorf("%d articles after the second run (%v), want 1", n, err)
			}
			rows, err := st.Slots(context.Background(), findSub(t, st, "ports").ID, 0)
			if err != nil || len(rows) != 1 || !rows[0].Key.At.Equal(started.Add(-18*day)) {
				t.Errorf("ledger = %+v (%v), want the latest delivered slot", rows, err)
			}
			want := `
# HELP briefbot_pruned_total Rows deleted by retention, by kind (articles, slots).
# TYPE briefbot_pruned_total counter
briefbot_pruned_total{kind="articles"} 2
briefbot_pruned_total{kind="slots"} 2
`
			if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "briefbot_pruned_total"); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestRunKeepsEverythingWhenRetentionIsOff(t *testing.T) {
	started := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := newFakeClock(started)
	var logs syncBuffer
	app := retentionApp(t, filepath.Join(t.TempDir(), "briefbot.db"), "retention: {articles: 0, ledger: 0}", clock, &logs, prometheus.NewRegistry())
	st := app.Store()
	storeOld(t, st, []time.Time{started.Add(-400 * 24 * time.Hour)},
		[]time.Time{started.Add(-400 * 24 * time.Hour), started.Add(-399 * 24 * time.Hour)})
	start(t, app)
	for step := 0; step < 40 && !strings.Contains(logs.String(), "kept for ever"); step++ {
		logs.waitChange(250 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "retention: articles and ledger are kept for ever") {
		t.Fatalf("retention did not say it is off:\n%s", logs.String())
	}
	clock.Advance(2 * time.Hour)
	if n, err := st.Count(context.Background(), store.Query{}); err != nil || n != 1 {
		t.Errorf("%d articles (%v), want the 1 stored", n, err)
	}
	if rows, err := st.Slots(context.Background(), findSub(t, st, "ports").ID, 0); err != nil || len(rows) != 2 {
		t.Errorf("%d ledger rows (%v), want the 2 stored", len(rows), err)
	}
	if strings.Contains(logs.String(), pruneLog) {
		t.Errorf("retention ran while off:\n%s", logs.String())
	}
}

func TestCheckShowsTheRetention(t *testing.T) {
	for _, c := range []struct{ retention, want string }{
		{"", "articles kept for ever, ledger 90d  older ones deleted every hour"},
		{"retention: {articles: 30d, ledger: 8d}", "articles 30d, ledger 8d  older ones deleted every hour"},
		{"retention: {ledger: 0}", "articles kept for ever, ledger kept for ever\n"},
	} {
		cfg := parseConfig(t, "store: briefbot.db\n"+c.retention)
		var out bytes.Buffer
		if err := daemon.Check(context.Background(), cfg, &out, daemon.CheckOptions{Offline: true}); err != nil {
			t.Fatalf("Check: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), "retention  "+c.want) {
			t.Errorf("check with %q does not show %q:\n%s", c.retention, c.want, out.String())
		}
	}
}

// The shortest ledger retention keeps every slot catch-up may look at.
func TestTheShortestLedgerRetentionOutlastsCatchUp(t *testing.T) {
	if config.MinLedgerRetention <= bot.DefaultCatchUpLookback {
		t.Errorf("config.MinLedgerRetention %v is not longer than the scheduler's catch-up lookback %v",
			config.MinLedgerRetention, bot.DefaultCatchUpLookback)
	}
}
