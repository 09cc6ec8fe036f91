package daemon_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/internal/daemon"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

// waitFor waits until s is in b; the deadline only bounds a hang.
func waitFor(t *testing.T, b *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(b.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q within 20s in:\n%s", s, b.String())
		}
		b.waitChange(250 * time.Millisecond)
	}
}

func TestReloadSyncsTopicsAndChannelsTheSchedulerPicksUpAtOnceAndNamesWhatNeedsARestart(t *testing.T) {
	var console, logs syncBuffer
	// The scheduler re-reads subscriptions every 30 s of its clock on its own; this clock is
	// never moved that far, so only Reload can show it the new subscription.
	clock := newFakeClock(time.Date(2026, 12, 1, 5, 59, 55, 0, time.UTC))
	db := filepath.Join(t.TempDir(), "briefbot.db")
	cfg := parseConfig(t, fmt.Sprintf(`
store: %q
http: {listen: "127.0.0.1:0", ingest_token: %s}
topics:
  ports: {query: 'port OR dockworkers OR harbour'}
channels:
  - {platform: console, topics: [ports], schedule: "07:00"}
`, db, testIngestToken))
	var level slog.LevelVar
	level.Set(cfg.Log.SlogLevel())
	app, err := daemon.New(cfg, daemon.Options{Clock: clock, Logger: cfg.Log.NewLoggerAt(&logs, &level), LogLevel: &level, Console: &console})
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, app)
	if code, body := r.postArticles(t, clock.Now(), testIngestToken); code != http.StatusOK {
		t.Fatalf("POST /api/articles: %d %s", code, body)
	}
	ctx := context.Background()

	// The same file again changes nothing and needs no restart.
	rep, err := app.Reload(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Restart != nil || rep.Skipped != nil || rep.LogLevel != "" || rep.Synced != (daemon.SyncReport{Topics: 1, Subscriptions: 1}) {
		t.Errorf("reload of the same configuration: %+v", rep)
	}

	// A topic and a subscription to it at 06:00, a debug log, and sections read only at start.
	changed := parseConfig(t, fmt.Sprintf(`
store: %q
http: {listen: "127.0.0.1:0", ingest_token: %s}
topics:
  ports: {query: 'port OR dockworkers OR harbour'}
  economy: {query: '"central bank" OR inflation OR rates'}
channels:
  - {platform: console, topics: [ports], schedule: "07:00"}
  - {platform: console, id: desk, topics: [economy], schedule: "06:00"}
retention: {ledger: 30d}
health: {source_failing_after: 2h}
log: {level: debug, format: json}
`, db, testIngestToken))
	rep, err = app.Reload(ctx, changed)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"retention", "health", "log.format"}; !reflect.DeepEqual(rep.Restart, want) {
		t.Errorf("sections needing a restart: %q, want %q", rep.Restart, want)
	}
	if rep.LogLevel != "debug" || rep.Skipped != nil || rep.Synced != (daemon.SyncReport{Topics: 2, Subscriptions: 2}) {
		t.Errorf("reload: %+v", rep)
	}
	for _, want := range []string{
		`msg="retention changed: restart briefbot to apply" section=retention`,
		`msg="health changed: restart briefbot to apply" section=health`,
		`msg="log.format changed: restart briefbot to apply" section=log.format`,
		`msg="configuration reloaded" file="" topics=2 topics_removed=0 subscriptions=2 subscriptions_removed=0 log_level=debug restart_needed="[retention health log.format]"`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %s:\n%s", want, logs.String())
		}
	}
	// The store has them, and the scheduler has read the new subscription (logged at debug).
	topics, err := app.Store().Topics(ctx)
	if err != nil || len(topics) != 2 {
		t.Errorf("the store's topics after the reload: %+v %v", topics, err)
	}
	sub := findSub(t, app.Store(), "economy")
	if sub.ChannelID != "desk" || sub.Schedule != "0 6 * * *" || !sub.FromConfig {
		t.Errorf("the new subscription: %+v", sub)
	}
	// msg="subscriptions loaded" component=scheduler … subscriptions=2 new=1, then 06:00.
	waitFor(t, &logs, `subscriptions=2 new=1`)
	clock.Advance(5 * time.Second)
	waitFor(t, &console, "Briefing: economy")
	if out := console.String(); !strings.Contains(out, "Ilse Brandt") || strings.Contains(out, "Briefing: ports") {
		t.Errorf("the console at 06:00:\n%s", out)
	}
}

func TestReloadLeavesOutAChannelOnAPlatformThatIsNotRunning(t *testing.T) {
	fs := fakeslack.New(t)
	db := filepath.Join(t.TempDir(), "briefbot.db")
	base := fmt.Sprintf(`
store: %q
http: {listen: "127.0.0.1:0"}
slack: {mode: socket, bot_token: %s, app_token: xapp-1-A0BRIEFBOT-123-abc, api_url: %s}
topics:
  ports: {query: port}
channels:
  - {platform: slack, id: C0123456789, topics: [ports]}
`, db, testBotToken, fs.URL())
	var logs syncBuffer
	app, err := daemon.New(parseConfig(t, base), daemon.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), HTTPClient: fs.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if app.Poster("console") != nil {
		t.Fatal("a Slack-only configuration has a console")
	}
	rep, err := app.Reload(context.Background(), parseConfig(t, base+"  - {name: terminal, platform: console, topics: [ports]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep.Skipped, []string{"terminal"}) || rep.Restart != nil || rep.Synced.Subscriptions != 1 {
		t.Errorf("reload adding a console channel to a Slack-only briefbot: %+v", rep)
	}
	if want := `msg="channel terminal is on console, which this briefbot did not start: restart briefbot to apply"`; !strings.Contains(logs.String(), want) {
		t.Errorf("the log lacks %s:\n%s", want, logs.String())
	}
	subs, err := app.Store().Subscriptions(context.Background())
	if err != nil || len(subs) != 1 || subs[0].Platform != "slack" {
		t.Errorf("subscriptions after the reload: %+v %v, want the Slack one alone", subs, err)
	}
}
