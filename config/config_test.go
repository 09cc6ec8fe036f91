package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
)

// env returns a getenv over a map.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// fakeSecrets are well-formed, made-up values for every secret.
var fakeSecrets = map[string]string{
	"SLACK_BOT_TOKEN":       "xoxb-1111-2222-abcdefghijkl",
	"SLACK_APP_TOKEN":       "xapp-1-A111-2222-abcdef",
	"SLACK_SIGNING_SECRET":  "8f742231b10e8888abcd99yyyzzz85a5",
	"DISCORD_TOKEN":         "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB",
	"DISCORD_PUBLIC_KEY":    strings.Repeat("ab12", 16),
	"BRIEFBOT_INGEST_TOKEN": "0123456789abcdef0123456789abcdef",
}

// problemsOf parses data and returns its problems as "field: message" lines; it fails the
// test when the configuration is valid.
func problemsOf(t *testing.T, data string, vars map[string]string) []string {
	t.Helper()
	_, err := config.Parse([]byte(data), env(vars))
	if err == nil {
		t.Fatalf("Parse succeeded, want problems; config:\n%s", data)
	}
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Parse error is %T (%v), want *config.Error", err, err)
	}
	if !errors.Is(err, config.ErrInvalid) {
		t.Errorf("errors.Is(err, ErrInvalid) = false")
	}
	var got []string
	for _, p := range cerr.Problems {
		got = append(got, p.String())
	}
	return got
}

func mustParse(t *testing.T, data string, vars map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(data), env(vars))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

func TestParseOfNothingGivesTheDefaults(t *testing.T) {
	for _, data := range []string{"", "# only a comment\n", "---\n"} {
		cfg := mustParse(t, data, nil)
		want := config.Default()
		want.Schedule.ReplicaID = cfg.Schedule.ReplicaID
		if !reflect.DeepEqual(cfg, want) {
			t.Errorf("Parse(%q) =\n%s\nwant the defaults:\n%s", data, cfg.YAML(), want.YAML())
		}
	}
}

func TestDefaultsAreTheDocumentedOnes(t *testing.T) {
	cfg := mustParse(t, `
sources:
  - {name: a, feed: "https://example.com/feed.xml"}
topics:
  korea: {query: korea}
channels:
  - {platform: console, topics: [korea]}
`, nil)
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"store", cfg.Store, "briefbot.db"},
		{"http.listen", cfg.HTTP.Listen, "127.0.0.1:8080"},
		{"slack.mode", cfg.Slack.Mode, "socket"},
		{"slack.api_url", cfg.Slack.APIURL, "https://slack.com/api/"},
		{"discord.mode", cfg.Discord.Mode, "gateway"},
		{"discord.api_url", cfg.Discord.APIURL, "https://discord.com/api/"},
		{"sources[0].every", cfg.Sources[0].Every, 10 * time.Minute},
		{"sources[0].fetch_page", cfg.Sources[0].FetchPage, "auto"},
		{"sources[0].timeout", cfg.Sources[0].Timeout, 30 * time.Second},
		{"sources[0].max_bytes", cfg.Sources[0].MaxBytes, 10 * config.MB},
		{"sources[0].allow_private", cfg.Sources[0].AllowPrivate, false},
		{"channels[0].id", cfg.Channels[0].ID, "console"},
		{"channels[0].stories", cfg.Channels[0].Stories, 5},
		{"channels[0].timezone", cfg.Channels[0].Timezone, "UTC"},
		{"channels[0].skip_empty", cfg.Channels[0].SkipEmpty, false},
		{"channels[0].schedule", cfg.Channels[0].Schedule, ""},
		{"schedule.grace", cfg.Schedule.Grace, 6 * time.Hour},
		{"schedule.max_window", cfg.Schedule.MaxWindow, 24 * time.Hour},
		{"schedule.lease", cfg.Schedule.Lease, 2 * time.Minute},
		{"retention.articles", cfg.Retention.Articles, time.Duration(0)},
		{"retention.ledger", cfg.Retention.Ledger, 90 * 24 * time.Hour},
		{"health.source_failing_after", cfg.Health.SourceFailingAfter, time.Hour},
		{"ingest.max_bytes", cfg.Ingest.MaxBytes, config.ByteSize(5 << 20)},
		{"log.level", cfg.Log.Level, "info"},
		{"log.format", cfg.Log.Format, "text"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	host, _ := os.Hostname()
	if want := host + "-"; !strings.HasPrefix(cfg.Schedule.ReplicaID, want) || len(cfg.Schedule.ReplicaID) == len(want) {
		t.Errorf("schedule.replica_id = %q, want %spid", cfg.Schedule.ReplicaID, want)
	}
	if cfg.SlackEnabled() || cfg.DiscordEnabled() {
		t.Errorf("SlackEnabled/DiscordEnabled = %v/%v for a console-only config", cfg.SlackEnabled(), cfg.DiscordEnabled())
	}
	if got := cfg.Channels[0].Location(); got != time.UTC {
		t.Errorf("Location() = %v, want UTC", got)
	}
}

func TestAFolderSourceCapsItsFilesAtIngestMaxBytesUnlessItSetsMaxBytes(t *testing.T) {
	tests := []struct {
		name   string
		source string
		ingest string
		want   config.ByteSize
	}{
		{"a feed without max_bytes", `{name: a, feed: "https://example.com/feed.xml"}`, ``, 10 * config.MB},
		{"a folder without max_bytes", `{name: a, path: ./in}`, ``, 5 * config.MB},
		{"a folder without max_bytes and another ingest.max_bytes", `{name: a, path: ./in}`, `ingest: {max_bytes: 2MB}`, 2 * config.MB},
		{"a folder whose max_bytes has no value", `{name: a, path: ./in, max_bytes: }`, `ingest: {max_bytes: 2MB}`, 2 * config.MB},
		{"a folder with max_bytes", `{name: a, path: ./in, max_bytes: 20MB}`, `ingest: {max_bytes: 2MB}`, 20 * config.MB},
		{"a folder with the feed default written out", `{name: a, path: ./in, max_bytes: 10MB}`, ``, 10 * config.MB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustParse(t, "sources:\n  - "+tt.source+"\n"+tt.ingest+"\n", nil)
			if got := cfg.Sources[0].MaxBytes; got != tt.want {
				t.Errorf("sources[0].max_bytes = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAKeyWithNoValueKeepsItsDefault(t *testing.T) {
	cfg := mustParse(t, "store:\nhttp:\n  listen:\nlog:\n", nil)
	if cfg.Store != "briefbot.db" || cfg.HTTP.Listen != "127.0.0.1:8080" || cfg.Log.Level != "info" {
		t.Errorf("store, listen, level = %q, %q, %q; want the defaults", cfg.Store, cfg.HTTP.Listen, cfg.Log.Level)
	}
	off := mustParse(t, `http: {listen: ""}`, nil)
	if off.HTTP.Listen != "" {
		t.Errorf(`listen: "" gave %q, want "" (the server off)`, off.HTTP.Listen)
	}
}

func TestPathFromPrefersTheFlagThenTheEnvironmentThenBriefbotYAMLInTheWorkingDirectory(t *testing.T) {
	getenv := env(map[string]string{"BRIEFBOT_CONFIG": "/etc/briefbot.yaml"})
	tests := []struct {
		name    string
		flag    string
		getenv  func(string) string
		present bool // ./briefbot.yaml exists
		want    string
	}{
		{"the flag", "cli.yaml", getenv, true, "cli.yaml"},
		{"the environment", "", getenv, true, "/etc/briefbot.yaml"},
		{"./briefbot.yaml", "", env(nil), true, "briefbot.yaml"},
		{"./briefbot.yaml without an environment", "", nil, true, "briefbot.yaml"},
		{"none", "", env(nil), false, ""},
		{"none without an environment", "", nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			if tt.present {
				if err := os.WriteFile(config.DefaultFile, []byte("topics: {}\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := config.PathFrom(tt.flag, tt.getenv); got != tt.want {
				t.Errorf("PathFrom(%q) = %q, want %q", tt.flag, got, tt.want)
			}
		})
	}
	// A folder called briefbot.yaml is no config file.
	t.Chdir(t.TempDir())
	if err := os.Mkdir(config.DefaultFile, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := config.PathFrom("", env(nil)); got != "" {
		t.Errorf("with a folder called briefbot.yaml, PathFrom = %q, want \"\"", got)
	}
}

// exampleFile is the annotated example at the repository root.
const exampleFile = "../examples/briefbot.yaml"

func TestTheExampleFileLoadsAndValidates(t *testing.T) {
	cfg, err := config.Load(exampleFile, env(fakeSecrets))
	if err != nil {
		t.Fatalf("Load(%s): %v", exampleFile, err)
	}
	dir, _ := filepath.Abs(filepath.Dir(exampleFile))
	if cfg.File != exampleFile {
		t.Errorf("File = %q, want %q", cfg.File, exampleFile)
	}
	if got, want := cfg.Store, filepath.Join(filepath.Dir(exampleFile), "briefbot.db"); got != want {
		t.Errorf("store = %q, want %q (relative to the file)", got, want)
	}
	if p, _ := filepath.Abs(cfg.Sources[1].Path); p != filepath.Join(dir, "articles") {
		t.Errorf("sources[1].path = %q, want it under %s", cfg.Sources[1].Path, dir)
	}
	if cfg.Slack.BotToken != fakeSecrets["SLACK_BOT_TOKEN"] || cfg.Discord.Token != fakeSecrets["DISCORD_TOKEN"] {
		t.Errorf("tokens not expanded from the environment")
	}
	if !cfg.SlackEnabled() || !cfg.DiscordEnabled() {
		t.Errorf("the example should use both Slack and Discord")
	}
	if got := cfg.Channels[0].Location().String(); got != "Asia/Seoul" {
		t.Errorf("channels[0] location = %s, want Asia/Seoul", got)
	}
	if got := cfg.TopicNames(); !reflect.DeepEqual(got, []string{"korea", "ukraine"}) {
		t.Errorf("TopicNames() = %v", got)
	}
}

func TestTheExampleFileShowsEveryKey(t *testing.T) {
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range config.Keys() {
		name := key[strings.LastIndexAny(key, ".]")+1:]
		if !strings.Contains(string(data), name+":") {
			t.Errorf("%s is missing: %s should show every key (%s)", exampleFile, exampleFile, key)
		}
	}
}

func TestLoadSaysWhatToDoWhenTheFileIsMissing(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "give --config PATH or set BRIEFBOT_CONFIG") {
		t.Errorf("Load of a missing file: %v", err)
	}
	if errors.Is(err, config.ErrInvalid) {
		t.Errorf("a missing file is not an invalid configuration")
	}
}

func TestLoadOfNoPathGivesTheDefaultsWithSecretsFromTheEnvironment(t *testing.T) {
	cfg, err := config.Load("", env(map[string]string{
		"SLACK_BOT_TOKEN": fakeSecrets["SLACK_BOT_TOKEN"],
		"SLACK_APP_TOKEN": fakeSecrets["SLACK_APP_TOKEN"],
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.SlackEnabled() || cfg.Slack.AppToken != fakeSecrets["SLACK_APP_TOKEN"] || cfg.File != "" {
		t.Errorf("Load(\"\") = slack enabled %v, app token set %v, file %q", cfg.SlackEnabled(), cfg.Slack.AppToken != "", cfg.File)
	}
}

func TestLoadRefusesAHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte("# "+strings.Repeat("x", 5<<20)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Load(path, nil); err == nil || !strings.Contains(err.Error(), "larger than 4 MB") {
		t.Errorf("Load of a 5 MB file: %v", err)
	}
}

func TestYAMLOutputParsesBackToTheSameConfig(t *testing.T) {
	orig, err := config.Load(exampleFile, env(fakeSecrets))
	if err != nil {
		t.Fatal(err)
	}
	orig.Store = "postgres://briefbot:pa$$word@db:5432/briefbot"
	again, err := config.Parse(orig.YAML(), nil)
	if err != nil {
		t.Fatalf("Parse(YAML()): %v\n%s", err, orig.YAML())
	}
	again.File = orig.File
	// YAML shows every exported field, so equal output is an equal Config.
	if string(orig.YAML()) != string(again.YAML()) || again.Store != orig.Store {
		t.Errorf("round trip differs:\n%s\nvs\n%s", orig.YAML(), again.YAML())
	}
}

func TestRedactedHidesEverySecret(t *testing.T) {
	cfg, err := config.Load(exampleFile, env(fakeSecrets))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store = "postgres://briefbot:s3cret-pw@db:5432/briefbot?sslmode=disable&password=other-pw"
	r := cfg.Redacted()
	out := string(r.YAML())
	for name, secret := range fakeSecrets {
		if strings.Contains(out, secret) || strings.Contains(cfg.String(), secret) {
			t.Errorf("%s appears in the redacted dump", name)
		}
	}
	for _, pw := range []string{"s3cret-pw", "other-pw"} {
		if strings.Contains(out, pw) {
			t.Errorf("the store password %q appears in the redacted dump", pw)
		}
	}
	checks := []struct{ field, got, want string }{
		{"slack.bot_token", r.Slack.BotToken, "xoxb-…(redacted)"},
		{"slack.app_token", r.Slack.AppToken, "xapp-…(redacted)"},
		{"discord.token", r.Discord.Token, "…(redacted)"},
		{"http.ingest_token", r.HTTP.IngestToken, "…(redacted)"},
		{"discord.public_key", r.Discord.PublicKey, "…(redacted)"},
		{"slack.signing_secret", r.Slack.SigningSecret, "…(redacted)"},
		{"store", r.Store, "postgres://briefbot:xxxxx@db:5432/briefbot?sslmode=disable&password=xxxxx"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("redacted %s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if cfg.Slack.BotToken != fakeSecrets["SLACK_BOT_TOKEN"] {
		t.Errorf("Redacted changed the original")
	}
	r.Channels[0].Topics[0] = "changed"
	if cfg.Channels[0].Topics[0] == "changed" {
		t.Errorf("Redacted shares slices with the original")
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkLoadExample(b *testing.B) {
	getenv := env(fakeSecrets)
	for b.Loop() {
		if _, err := config.Load(exampleFile, getenv); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseWithTimezoneSuggestion(b *testing.B) {
	data := []byte("topics: {korea: {query: k}}\nchannels:\n  - {platform: console, topics: [korea], timezone: Europe/Moskow}\n")
	for b.Loop() {
		if _, err := config.Parse(data, nil); err == nil {
			b.Fatal("no error")
		}
	}
}
