package daemon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/internal/daemon"
	"github.com/briefbot/briefbot/internal/demo"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

const (
	testIngestToken   = "test-ingest-token-0123456789abcdef"
	testSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5"
	testBotToken      = "xoxb-1234-5678-testtoken"
	// The fake Slack's slash commands come from this channel (fakeslack.SlashCommand).
	newsdesk = "C0NEWSDESK"
)

// berlin loads Europe/Berlin or skips the test.
func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data for Europe/Berlin: %v", err)
	}
	return loc
}

// parseConfig parses a test configuration, with no environment.
func parseConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), func(string) string { return "" })
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			t.Fatalf("test config:\n%s", strings.Join(ce.Lines(), "\n"))
		}
		t.Fatal(err)
	}
	return cfg
}

// testLogger logs to the test's output.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// running is an App started by start; stop ends it and checks it shut down cleanly.
type running struct {
	app  *daemon.App
	url  string
	errc chan error
	stop func()
}

// start boots app in the background and returns how to reach and stop it. The test fails if
// Run does not return within 20 seconds of the stop (a deadlock at shutdown).
func start(t *testing.T, app *daemon.App) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{app: app, url: "http://" + app.Addr(), errc: make(chan error, 1)}
	go func() { r.errc <- app.Run(ctx) }()
	stopped := false
	r.stop = func() {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-r.errc:
			if err != nil {
				t.Errorf("Run returned %v after a clean stop", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Run did not return within 20s of its context ending: a shutdown deadlock")
		}
		if err := app.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := app.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	}
	t.Cleanup(r.stop)
	return r
}

func (r *running) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(r.url + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// postArticles sends the sample articles, dated from now, to POST /api/articles.
func (r *running) postArticles(t *testing.T, now time.Time, token string) (int, string) {
	t.Helper()
	body, err := demo.ArticlesJSON(now)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, r.url+"/api/articles", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /api/articles: %v", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func slackConfig(t *testing.T, dir, apiURL string) *config.Config {
	return parseConfig(t, fmt.Sprintf(`
store: %q
http:
  listen: 127.0.0.1:0
  ingest_token: %s
slack:
  mode: http
  bot_token: %s
  signing_secret: %s
  api_url: %s
topics:
  ports: {query: 'port OR dockworkers OR harbour'}
  economy: {query: '"central bank" OR inflation OR rates'}
channels:
  - name: newsdesk
    platform: slack
    id: %s
    topics: [ports]
    schedule: "08:00"
    timezone: Europe/Berlin
    stories: 3
`, filepath.Join(dir, "briefbot.db"), testIngestToken, testBotToken, testSigningSecret, apiURL, newsdesk))
}

func TestTheDaemonIngestsDeliversASlotAnswersBriefAndShutsDownCleanly(t *testing.T) {
	fs := fakeslack.New(t)
	clock := newFakeClock(time.Date(2026, 12, 1, 7, 59, 55, 0, berlin(t)))
	reg := prometheus.NewRegistry()
	app, err := daemon.New(slackConfig(t, t.TempDir(), fs.URL()), daemon.Options{
		Clock: clock, Logger: testLogger(t), Registry: reg, HTTPClient: fs.Client(), Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, app)

	// Ingest: the nine sample articles, the newest an hour old.
	if code, body := r.postArticles(t, clock.Now(), "wrong-token-0123456789abcdef"); code != http.StatusUnauthorized {
		t.Fatalf("POST /api/articles with a wrong token: %d %s, want 401", code, body)
	}
	code, body := r.postArticles(t, clock.Now(), testIngestToken)
	if code != http.StatusOK {
		t.Fatalf("POST /api/articles: %d %s", code, body)
	}
	var ingested struct {
		Summary map[string]int `json:"summary"`
	}
	if err := json.Unmarshal([]byte(body), &ingested); err != nil || ingested.Summary["new"] != 9 {
		t.Fatalf("POST /api/articles answered %s, want 9 new articles", body)
	}

	// The 08:00 Europe/Berlin slot: move the clock past it until the briefing is posted.
	posts := advanceUntilPosted(t, fs, clock, 1)
	scheduled := textsOf(posts)
	for _, want := range []string{
		"Port of Valmora",                    // the strike story…
		"Our members kept this port running", // …its key quote…
		"Marta Kowalczyk",                    // …with its speaker
		"Daniel Osei",
	} {
		if !strings.Contains(scheduled, want) {
			t.Errorf("the scheduled briefing does not show %q:\n%s", want, scheduled)
		}
	}
	for _, p := range posts {
		if p.Channel != newsdesk {
			t.Errorf("posted to %s, want %s", p.Channel, newsdesk)
		}
		if p.Metadata == nil || p.Metadata.EventType == "" {
			t.Errorf("a scheduled post carries no delivery metadata (the duplicate guard of a retry)")
		}
		checkNoLiveMentions(t, p.Form.Get("link_names"), p.Form.Get("parse"), p.Texts())
	}

	// /brief ports, signed as Slack signs it, answered within Slack's 3 seconds.
	answer := r.slashCommand(t, fs, "ports")
	for _, want := range []string{"Valmora", "Marta Kowalczyk"} {
		if !strings.Contains(answer, want) {
			t.Errorf("/brief ports answered without %q:\n%s", want, answer)
		}
	}

	// A forged command is refused.
	forged := fakeslack.NewCommandRequest(r.url+"/slack/commands", "not-the-secret", fs.SlashCommand("ports"), time.Now())
	forged.RequestURI = ""
	if resp, err := http.DefaultClient.Do(forged); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a command signed with the wrong secret: %v %v, want 401", resp.StatusCode, err)
	}

	// Metrics moved. The slot's outcome is recorded (and counted) just after its post, by the
	// scheduler's recorder: wait for it.
	r.waitMetric(t, `briefbot_slots_total{outcome="delivered"} 1`)
	code, metrics := r.get(t, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", code)
	}
	for _, want := range []string{
		`briefbot_articles_ingested_total{source="api",status="new"} 9`,
		`briefbot_briefings_posted_total{kind="scheduled",platform="slack"} 1`,
		`briefbot_briefings_posted_total{kind="command",platform="slack"} 1`,
		`briefbot_slots_total{outcome="delivered"} 1`,
		`briefbot_command_latency_seconds_count{command="now",platform="slack"} 1`,
		`briefbot_build_info{version="test"} 1`,
		`briefbot_slot_lag_seconds_count 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(metrics, `source="Coastal Herald"`) {
		t.Errorf("/metrics labels a series with an outlet the articles name, not the API source")
	}
	if !strings.Contains(metrics, "briefbot_quotes_extracted_total ") || strings.Contains(metrics, "briefbot_quotes_extracted_total 0") {
		t.Errorf("/metrics counts no extracted quotes")
	}

	// Healthy.
	code, health := r.get(t, "/healthz")
	var h daemon.Health
	if err := json.Unmarshal([]byte(health), &h); err != nil {
		t.Fatalf("/healthz is not JSON: %v\n%s", err, health)
	}
	if code != http.StatusOK || h.Status != "ok" || h.Store != "ok" || h.Platforms["slack"] != "http" {
		t.Errorf("/healthz: %d %+v, want 200, status ok, store ok, slack in http mode", code, h)
	}

	r.stop()
	checkNoLeaks(t)
	if n := len(fs.Posts()); n != len(posts) {
		t.Errorf("%d posts after shutdown, want the %d of the one scheduled briefing", n, len(posts))
	}
}

// waitMetric waits until /metrics shows line; the deadline only bounds a hang.
func (r *running) waitMetric(t *testing.T, line string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, metrics := r.get(t, "/metrics"); strings.Contains(metrics, line) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics does not show %s within 20s", line)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// advanceUntilPosted moves the clock 5 s at a time until the fake has n posts; the scheduler
// sleeps on the clock, and each step wakes it once its timer falls due.
func advanceUntilPosted(t *testing.T, fs *fakeslack.Server, clock *fakeClock, n int) []fakeslack.Post {
	t.Helper()
	for step := 0; step < 60; step++ {
		clock.Advance(5 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		posts, err := fs.WaitPosts(ctx, n)
		cancel()
		if err == nil {
			return posts
		}
	}
	t.Fatalf("no scheduled post after moving the clock 5 minutes to %s", clock.Now())
	return nil
}

// slashCommand sends /brief TEXT to /slack/commands as Slack would and returns what the user
// sees: the immediate answer and any follow-ups.
func (r *running) slashCommand(t *testing.T, fs *fakeslack.Server, text string) string {
	t.Helper()
	cmd := fs.SlashCommand(text)
	req := fakeslack.NewCommandRequest(r.url+"/slack/commands", testSigningSecret, cmd, time.Now())
	req.RequestURI = ""
	began := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /slack/commands: %v", err)
	}
	defer resp.Body.Close()
	if took := time.Since(began); took > 3*time.Second {
		t.Errorf("the slash command was answered after %s, beyond Slack's 3 seconds", took)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /slack/commands: %d", resp.StatusCode)
	}
	body, _ := io.ReadAll(resp.Body)
	var texts []string
	if len(bytes.TrimSpace(body)) > 0 {
		var msg struct {
			Text   string          `json:"text"`
			Blocks json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(body, &msg); err != nil {
			t.Fatalf("the command's answer is not JSON: %v\n%s", err, body)
		}
		texts = append(texts, msg.Text, string(msg.Blocks))
	}
	if !strings.Contains(strings.Join(texts, "\n"), "Valmora") {
		// Deferred: the briefing follows through the response URL.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resps, err := fs.WaitResponses(ctx, cmd.TriggerID, 1)
		if err != nil {
			t.Fatalf("no follow-up to the command: %v", err)
		}
		for _, r := range resps {
			texts = append(texts, r.Texts()...)
		}
	}
	return strings.Join(texts, "\n")
}

func textsOf(posts []fakeslack.Post) string {
	var all []string
	for _, p := range posts {
		all = append(all, p.Texts()...)
	}
	return strings.Join(all, "\n")
}

// checkNoLiveMentions fails when a message could notify anyone: mention syntax in its text, or
// the options that turn plain names into mentions.
func checkNoLiveMentions(t *testing.T, linkNames, parse string, texts []string) {
	t.Helper()
	if linkNames == "true" || linkNames == "1" || parse == "full" {
		t.Errorf("a briefing was posted with link_names=%q parse=%q, which turn names into mentions", linkNames, parse)
	}
	for _, s := range texts {
		for _, m := range []string{"<!channel>", "<!here>", "<!everyone>", "<@U", "<!subteam"} {
			if strings.Contains(s, m) {
				t.Errorf("a briefing holds the live mention %s: %q", m, s)
			}
		}
	}
}
