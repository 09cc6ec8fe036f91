package daemon_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/internal/daemon"
	"github.com/briefbot/briefbot/internal/fakediscord"
	"github.com/briefbot/briefbot/internal/fakeslack"
)

const testDiscordToken = "MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.discord-token"

// checkConfig is a configuration with Slack (socket mode) and Discord (gateway) on the fakes, a
// folder source, and channels on both.
func checkConfig(t *testing.T, dir, slackURL, discordURL, appID string) string {
	if err := os.MkdirAll(filepath.Join(dir, "articles"), 0o755); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`
store: %q
http: {listen: "127.0.0.1:8080"}
slack:
  mode: socket
  bot_token: %s
  app_token: xapp-1-A0BRIEFBOT-123-fake
  api_url: %s
discord:
  token: %s
  application_id: %q
  api_url: %s
sources:
  - {name: archive, path: %q, every: 5m}
  - {name: herald, feed: "https://coastalherald.example/rss.xml"}
topics:
  ports: {query: 'port OR dockworkers OR harbour'}
channels:
  - {name: desk, platform: slack, id: C0NEWSDESK, topics: [ports], schedule: "0 8 * * 1-5", timezone: Europe/Berlin}
  - {platform: discord, id: "234567890123456789", topics: [ports], schedule: "18:30", timezone: Asia/Seoul}
  - {platform: console, topics: [ports]}
`, filepath.Join(dir, "briefbot.db"), testBotToken, slackURL, testDiscordToken, appID, discordURL, filepath.Join(dir, "articles"))
}

func TestCheckDescribesWhatWouldRunAndPassesWithWorkingTokens(t *testing.T) {
	fs := fakeslack.New(t)
	fd := fakediscord.New(t, fakediscord.WithToken(testDiscordToken))
	dir := t.TempDir()
	cfg := parseConfig(t, checkConfig(t, dir, fs.URL(), fd.APIURL(), fd.ApplicationID()))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) // a Friday
	var out bytes.Buffer
	err := daemon.Check(context.Background(), cfg, &out, daemon.CheckOptions{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("Check: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"xoxb-…(redacted)", // the effective config, redacted
		"SQLite " + filepath.Join(dir, "briefbot.db"),
		"POST /api/articles", "GET /metrics", "GET /healthz",
		"slack (socket mode", "discord (gateway mode", "console (standard output)",
		"archive", "folder " + filepath.Join(dir, "articles"), "every 5m",
		"herald", "feed https://coastalherald.example/rss.xml", "every 10m",
		"ports", "port OR dockworkers OR harbour",
		"desk (slack C0NEWSDESK)", "next Mon 30 Nov 2026 08:00 CET", // Friday 10:00 UTC: Monday's 08:00 Berlin
		"next Sat 28 Nov 2026 18:30 KST",
		"no schedule (answers /brief only)",
		"ok    store:", "ok    source archive", "ok    slack: bot @briefbot", "socket mode: app token accepted",
		"ok    discord: signed in as", "All 4 checks passed.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("check output lacks %q", want)
		}
	}
	if strings.Contains(got, testBotToken) || strings.Contains(got, testDiscordToken) {
		t.Errorf("check printed a token:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "briefbot.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("check created the database: %v", err)
	}
	if t.Failed() {
		t.Log(got)
	}
}

func TestCheckFailsOnARefusedTokenAndAMissingFolder(t *testing.T) {
	fs := fakeslack.New(t)
	fs.FailNextError("auth.test", "invalid_auth", 1)
	fd := fakediscord.New(t, fakediscord.WithToken("another-token"))
	dir := t.TempDir()
	cfg := parseConfig(t, checkConfig(t, dir, fs.URL(), fd.APIURL(), fd.ApplicationID()))
	cfg.Sources[0].Path = filepath.Join(dir, "missing")
	var out bytes.Buffer
	err := daemon.Check(context.Background(), cfg, &out, daemon.CheckOptions{Timeout: 5 * time.Second})
	if !errors.Is(err, daemon.ErrCheckFailed) {
		t.Fatalf("Check: %v, want ErrCheckFailed\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"FAIL  source archive: folder " + filepath.Join(dir, "missing"),
		"FAIL  slack: auth.test: invalid_auth", "copy it again",
		"FAIL  discord:",
		"3 of 4 checks failed.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("check output lacks %q\n%s", want, got)
		}
	}
}

func TestCheckOfflineChecksTheFileOnly(t *testing.T) {
	dir := t.TempDir()
	cfg := parseConfig(t, checkConfig(t, dir, "http://127.0.0.1:1/api/", "http://127.0.0.1:1/api/", "123456789012345678"))
	var out bytes.Buffer
	if err := daemon.Check(context.Background(), cfg, &out, daemon.CheckOptions{Offline: true}); err != nil {
		t.Fatalf("Check --offline: %v\n%s", err, out.String())
	}
	if got := out.String(); !strings.Contains(got, "skip  store, Slack and Discord not checked") || strings.Contains(got, "slack: bot") {
		t.Errorf("offline check output:\n%s", got)
	}
}

func TestCheckFailsOnADatabaseMigratedByANewerBriefbot(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "briefbot.db")
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from_the_future', 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	cfg := parseConfig(t, fmt.Sprintf("store: %q\n", db))
	var out bytes.Buffer
	err = daemon.Check(context.Background(), cfg, &out, daemon.CheckOptions{})
	if !errors.Is(err, daemon.ErrCheckFailed) || !strings.Contains(out.String(), "FAIL  store:") ||
		!strings.Contains(out.String(), "newer") {
		t.Errorf("Check of a database from a newer briefbot: %v\n%s", err, out.String())
	}
}
