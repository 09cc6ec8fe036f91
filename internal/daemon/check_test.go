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
		"articles kept for ever, ledger 90d",
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

// Check reports the store's schema, on SQLite and PostgreSQL, and never creates or migrates it:
// a newer briefbot's binary may not change a schema that running replicas still use.
func TestCheckReportsTheStoresSchemaAndChangesNothing(t *testing.T) {
	backends := []struct {
		name   string
		driver string
		dsn    func(t *testing.T) string
		tables string // the query listing the database's tables
	}{
		{"SQLite", "sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "briefbot.db") },
			`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`},
		{"PostgreSQL", "pgx", postgresSchema,
			`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`},
	}
	states := []struct {
		name  string
		setup func(t *testing.T, driver, dsn string, raw *sql.DB)
		want  string // the store's check line, after the store's label
		fail  bool
	}{
		{"an empty database", func(t *testing.T, driver, dsn string, raw *sql.DB) {
			if driver == "sqlite" { // an empty file is an empty SQLite database
				if err := os.WriteFile(dsn, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}, "ok    store: %s has no briefbot schema yet; `briefbot run` creates it (schema version ", false},
		{"a schema table that records no version", func(t *testing.T, driver, dsn string, raw *sql.DB) {
			ddl := `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`
			if driver == "pgx" {
				ddl = `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`
			}
			if _, err := raw.Exec(ddl); err != nil {
				t.Fatal(err)
			}
		}, "ok    store: %s has no briefbot schema yet; `briefbot run` creates it (schema version ", false},
		{"the current schema", func(t *testing.T, driver, dsn string, raw *sql.DB) {
			st, err := store.Open(context.Background(), dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
		}, "ok    store: %s opens and its schema is current", false},
		{"a schema migrated by a newer briefbot", func(t *testing.T, driver, dsn string, raw *sql.DB) {
			st, err := store.Open(context.Background(), dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at)
				SELECT 999, 'from_the_future', applied_at FROM schema_migrations WHERE version = 1`); err != nil {
				t.Fatal(err)
			}
		}, "FAIL  store: %s: store: database schema is newer than this binary: the database is at schema version 999 " +
			"but this briefbot knows versions up to", true},
	}
	for _, b := range backends {
		for _, st := range states {
			t.Run(b.name+"/"+st.name, func(t *testing.T) {
				dsn := b.dsn(t)
				raw, err := sql.Open(b.driver, dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer raw.Close()
				st.setup(t, b.driver, dsn, raw)
				tables := func() string {
					var names []string
					rows, err := raw.Query(b.tables)
					if err != nil {
						t.Fatal(err)
					}
					defer rows.Close()
					for rows.Next() {
						var n string
						if err := rows.Scan(&n); err != nil {
							t.Fatal(err)
						}
						names = append(names, n)
					}
					return strings.Join(names, " ")
				}
				before := tables()
				cfg := parseConfig(t, fmt.Sprintf("store: %q\n", dsn))
				var out bytes.Buffer
				err = daemon.Check(context.Background(), cfg, &out, daemon.CheckOptions{})
				if failed := errors.Is(err, daemon.ErrCheckFailed); failed != st.fail || (err != nil && !failed) {
					t.Errorf("Check: %v, want a failure: %v", err, st.fail)
				}
				label := "SQLite " + dsn
				if b.driver == "pgx" {
					label = "PostgreSQL " + dsn
				}
				if want := "  " + fmt.Sprintf(st.want, label); !strings.Contains(out.String(), want) {
					t.Errorf("check output lacks\n%s\n%s", want, out.String())
				}
				if after := tables(); after != before {
					t.Errorf("Check changed the tables: %q before, %q after", before, after)
				}
			})
		}
	}
}

// A SQLite store named with parameters is the file before them: an existing one is checked,
// not reported as missing.
func TestCheckReadsASQLiteStoreNamedWithParameters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "briefbot.db")
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	dsn := path + "?_pragma=busy_timeout(5000)"
	cfg := parseConfig(t, fmt.Sprintf("store: %q\n", dsn))
	var out bytes.Buffer
	if err := daemon.Check(context.Background(), cfg, &out, daemon.CheckOptions{}); err != nil {
		t.Fatalf("Check: %v\n%s", err, out.String())
	}
	if want := "  ok    store: SQLite " + dsn + " opens and its schema is current"; !strings.Contains(out.String(), want) {
		t.Errorf("check output lacks\n%s\n%s", want, out.String())
	}
}
