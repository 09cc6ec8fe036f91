package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/daemon"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "briefbot.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestSyncConfigReplacesConfigOwnedTopicsAndSubscriptionsAndKeepsCommandMadeOnes(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

	first := parseConfig(t, `
topics:
  korea: {query: 'korea OR pyongyang'}
  ukraine: {query: 'ukraine OR kyiv'}
channels:
  - {platform: console, topics: [korea, ukraine], schedule: "08:30", timezone: Asia/Seoul}
`)
	rep, err := daemon.SyncConfig(ctx, st, first, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep != (daemon.SyncReport{Topics: 2, Subscriptions: 2}) {
		t.Errorf("first sync: %+v, want 2 topics and 2 subscriptions", rep)
	}
	// What slash commands made: a subscription and a topic of their own.
	if err := st.PutTopic(ctx, store.Topic{Name: "lavrov", Query: "lavrov"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutSubscription(ctx, store.Subscription{Platform: "console", ChannelID: "console", Topic: "lavrov",
		Schedule: "0 9 * * *", Timezone: "UTC", Stories: 5, CreatedBy: "U0ADMIN"}); err != nil {
		t.Fatal(err)
	}
	korea := findSub(t, st, "korea")
	if korea.Schedule != "30 8 * * *" || korea.Timezone != "Asia/Seoul" || !korea.FromConfig {
		t.Errorf("config subscription stored as %+v, want schedule 30 8 * * * in Asia/Seoul from the config", korea)
	}

	// The file drops ukraine and moves korea to 07:00.
	second := parseConfig(t, `
topics:
  korea: {query: 'korea OR pyongyang OR "north korea"'}
channels:
  - {platform: console, topics: [korea], schedule: "07:00", timezone: Asia/Seoul}
`)
	rep, err = daemon.SyncConfig(ctx, st, second, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rep != (daemon.SyncReport{Topics: 1, TopicsRemoved: 1, Subscriptions: 1, SubscriptionsRemoved: 1}) {
		t.Errorf("second sync: %+v, want 1 topic and 1 subscription kept, 1 of each removed", rep)
	}
	topics, _ := st.Topics(ctx)
	var names []string
	for _, tp := range topics {
		names = append(names, fmt.Sprintf("%s=%s", tp.Name, tp.Query))
	}
	if got, want := strings.Join(names, " "), `korea=korea OR pyongyang OR "north korea" lavrov=lavrov`; got != want {
		t.Errorf("topics after the second sync: %s, want %s", got, want)
	}
	subs, _ := st.Subscriptions(ctx)
	if len(subs) != 2 {
		t.Fatalf("%d subscriptions after the second sync, want korea (config) and lavrov (command): %+v", len(subs), subs)
	}
	again := findSub(t, st, "korea")
	if again.ID != korea.ID {
		t.Errorf("the korea subscription got a new id (%d, was %d): its delivery ledger would be lost", again.ID, korea.ID)
	}
	if again.Schedule != "0 7 * * *" {
		t.Errorf("korea's schedule is %q after the file changed it to 07:00", again.Schedule)
	}
	if lavrov := findSub(t, st, "lavrov"); lavrov.FromConfig || lavrov.CreatedBy != "U0ADMIN" {
		t.Errorf("the command-made subscription changed: %+v", lavrov)
	}
}

func findSub(t *testing.T, st store.Store, topic string) store.Subscription {
	t.Helper()
	subs, err := st.Subscriptions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if s.Topic == topic {
			return s
		}
	}
	t.Fatalf("no subscription to %q in %+v", topic, subs)
	return store.Subscription{}
}

// consoleConfig is a minimal configuration: SQLite in dir, the console as the only platform.
func consoleConfig(t *testing.T, dir string) *config.Config {
	return parseConfig(t, fmt.Sprintf(`
store: %q
http: {listen: "127.0.0.1:0", ingest_token: %s}
topics:
  ports: {query: 'port OR dockworkers OR harbour'}
channels:
  - {platform: console, topics: [ports]}
`, filepath.Join(dir, "briefbot.db"), testIngestToken))
}

func TestHealthzIs503WhenTheStoreDoesNotAnswer(t *testing.T) {
	var console bytes.Buffer
	app, err := daemon.New(consoleConfig(t, t.TempDir()), daemon.Options{Logger: testLogger(t), Console: &console})
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, app)
	if code, body := r.get(t, "/healthz"); code != http.StatusOK || !strings.Contains(body, `"status": "ok"`) {
		t.Fatalf("/healthz with a working store: %d %s", code, body)
	}
	app.Store().Close()
	code, body := r.get(t, "/healthz")
	var h daemon.Health
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("/healthz is not JSON: %s", body)
	}
	if code != http.StatusServiceUnavailable || h.Status != "unavailable" || h.Store == "ok" {
		t.Errorf("/healthz with a closed store: %d %+v, want 503, unavailable and the store's error", code, h)
	}
}

func TestTheHTTPServerRefusesBodiesOverTheCapAndUnknownPaths(t *testing.T) {
	cfg := consoleConfig(t, t.TempDir())
	cfg.Ingest.MaxBytes = 2 * config.MB
	app, err := daemon.New(cfg, daemon.Options{Logger: testLogger(t), Console: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, app)
	big := bytes.Repeat([]byte("x"), 3<<20)
	req, _ := http.NewRequest(http.MethodPost, r.url+"/api/articles", bytes.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testIngestToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 3 MB body with a 2 MB cap: %d, want 413", resp.StatusCode)
	}
	for _, path := range []string{"/", "/slack/commands", "/discord/interactions", "/admin"} {
		if code, _ := r.get(t, path); code != http.StatusNotFound {
			t.Errorf("GET %s without Slack or Discord in http mode: %d, want 404", path, code)
		}
	}
}

func TestCloseWithoutRunReleasesEverythingAndMayBeRepeated(t *testing.T) {
	dir := t.TempDir()
	app, err := daemon.New(consoleConfig(t, dir), daemon.Options{Logger: testLogger(t), Console: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	addr := app.Addr()
	for i := range 2 {
		if err := app.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
	// The port and the database are free again: a second App can have both.
	cfg := consoleConfig(t, dir)
	again, err := daemon.New(cfg, daemon.Options{Logger: testLogger(t), Console: &bytes.Buffer{}, Listen: addr})
	if err != nil {
		t.Fatalf("a new App on the closed one's port and database: %v", err)
	}
	again.Close()
}

func TestNewFailsClearlyWhenThePortIsTaken(t *testing.T) {
	first, err := daemon.New(consoleConfig(t, t.TempDir()), daemon.Options{Logger: testLogger(t), Console: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	_, err = daemon.New(consoleConfig(t, t.TempDir()), daemon.Options{Logger: testLogger(t), Console: &bytes.Buffer{}, Listen: first.Addr()})
	if err == nil || !strings.Contains(err.Error(), "http.listen") {
		t.Errorf("New on a port in use: %v, want an error naming http.listen", err)
	}
}

func TestAConsoleChannelGetsItsScheduledBriefingOnTheConsole(t *testing.T) {
	var console syncBuffer
	clock := newFakeClock(time.Date(2026, 12, 1, 5, 59, 55, 0, time.UTC))
	cfg := parseConfig(t, fmt.Sprintf(`
store: %q
http: {listen: "127.0.0.1:0", ingest_token: %s}
topics:
  economy: {query: '"central bank" OR inflation OR rates'}
channels:
  - {platform: console, topics: [economy], schedule: "06:00"}
`, filepath.Join(t.TempDir(), "briefbot.db"), testIngestToken))
	app, err := daemon.New(cfg, daemon.Options{Clock: clock, Logger: testLogger(t), Console: &console})
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, app)
	if code, body := r.postArticles(t, clock.Now(), testIngestToken); code != http.StatusOK {
		t.Fatalf("POST /api/articles: %d %s", code, body)
	}
	for step := 0; step < 60 && !strings.Contains(console.String(), "Briefing: economy"); step++ {
		clock.Advance(5 * time.Second)
		console.waitChange(250 * time.Millisecond)
	}
	out := console.String()
	for _, want := range []string{"Bank of Arland holds rates", "Ilse Brandt", "Coastal Herald"} {
		if !strings.Contains(out, want) {
			t.Errorf("the console briefing lacks %q:\n%s", want, out)
		}
	}
}

func TestRunStopsWithTheErrorOfAPlatformThatRefusesItsToken(t *testing.T) {
	fs := fakeslack.New(t)
	fs.FailNextError("apps.connections.open", "invalid_auth", 100)
	cfg := parseConfig(t, fmt.Sprintf(`
store: %q
http: {listen: "127.0.0.1:0"}
slack:
  mode: socket
  bot_token: %s
  app_token: xapp-1-A0BRIEFBOT-123-revoked
  api_url: %s
`, filepath.Join(t.TempDir(), "briefbot.db"), testBotToken, fs.URL()))
	app, err := daemon.New(cfg, daemon.Options{Logger: testLogger(t), HTTPClient: fs.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	done := make(chan error, 1)
	go func() { done <- app.Run(context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "slack") || !strings.Contains(err.Error(), "invalid_auth") {
			t.Errorf("Run with a refused app token returned %v, want the slack error", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Run went on with a refused token")
	}
}
