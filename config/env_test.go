package config_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEnvironmentReferencesAreExpandedInValues(t *testing.T) {
	tests := []struct {
		name  string
		store string
		env   map[string]string
		want  string
	}{
		{"a whole value", "${DB}", map[string]string{"DB": "news.db"}, "news.db"},
		{"part of a value", "postgres://bb:${PW}@${HOST}:5432/bb", map[string]string{"PW": "pw", "HOST": "db"}, "postgres://bb:pw@db:5432/bb"},
		{"a default when unset", "${DB:-fallback.db}", nil, "fallback.db"},
		{"a default when empty", "${DB:-fallback.db}", map[string]string{"DB": ""}, "fallback.db"},
		{"the variable over its default", "${DB:-fallback.db}", map[string]string{"DB": "set.db"}, "set.db"},
		{"$$ is a literal $", "pa$$word.db", nil, "pa$word.db"},
		{"$$ before a brace is not a reference", "$${DB}.db", map[string]string{"DB": "x"}, "${DB}.db"},
		{"a lone $ stays", "$5 and $HOME.db", nil, "$5 and $HOME.db"},
		{"a value from the environment is not expanded again", "${DB}", map[string]string{"DB": "${OTHER}"}, "${OTHER}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustParse(t, "store: '"+tt.store+"'\n", tt.env)
			if cfg.Store != tt.want {
				t.Errorf("store = %q, want %q", cfg.Store, tt.want)
			}
		})
	}
}

func TestEnvironmentReferencesWorkForNumbersBooleansAndDurations(t *testing.T) {
	cfg := mustParse(t, `
topics: {korea: {query: korea}}
channels:
  - platform: console
    topics: [korea]
    stories: ${STORIES}
    skip_empty: ${SKIP}
    schedule: ${WHEN:-08:00}
schedule: {grace: "${GRACE}"}
`, map[string]string{"STORIES": "7", "SKIP": "true", "GRACE": "2d"})
	ch := cfg.Channels[0]
	if ch.Stories != 7 || !ch.SkipEmpty || ch.Schedule != "08:00" || cfg.Schedule.Grace != 48*time.Hour {
		t.Errorf("stories %d, skip_empty %v, schedule %q, grace %v", ch.Stories, ch.SkipEmpty, ch.Schedule, cfg.Schedule.Grace)
	}
}

func TestBadEnvironmentReferencesNameTheFieldAndTheVariable(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want string
	}{
		{"an unset variable", "store: ${DATABASE_URL}", nil,
			`store: environment variable DATABASE_URL is not set: set it (or DATABASE_URL_FILE to a file holding the value), or give a default: ${DATABASE_URL:-default}`},
		{"an unclosed brace", "store: ${DATABASE_URL", nil,
			`store: "${" has no closing "}" (write $${ for a literal "${")`},
		{"a name that is not a name", "store: ${DATABASE-URL}", nil,
			`store: "${DATABASE-URL}" is not a variable reference: write ${NAME} or ${NAME:-default}, NAME being letters, digits and _ (and $$ for a literal $)`},
		{"an empty name", "store: ${}", nil,
			`store: "${}" is not a variable reference: write ${NAME} or ${NAME:-default}, NAME being letters, digits and _ (and $$ for a literal $)`},
		{"a variable and its file both set", "store: ${DB}", map[string]string{"DB": "a", "DB_FILE": "/run/secrets/db"},
			`store: both DB and DB_FILE are set: unset one of them`},
		{"an implicit secret with both set", "", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_BOT_TOKEN_FILE": "/x"},
			`slack.bot_token: both SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are set: unset one of them`},
		{"a reference inside a list", "topics: {korea: {query: korea}}\nchannels:\n  - {platform: console, topics: [korea, '${EXTRA}']}", nil,
			`channels[0].topics[1]: environment variable EXTRA is not set: set it (or EXTRA_FILE to a file holding the value), or give a default: ${EXTRA:-default}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problemsOf(t, tt.yaml, tt.env)
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSecretsComeFromTheirFileWhenTheVariableIsUnset(t *testing.T) {
	dir := t.TempDir()
	botFile := filepath.Join(dir, "slack_bot_token")
	writeFile(t, botFile, fakeSecrets["SLACK_BOT_TOKEN"]+"\n")
	appFile := filepath.Join(dir, "slack_app_token")
	writeFile(t, appFile, fakeSecrets["SLACK_APP_TOKEN"]+"\r\n")
	pwFile := filepath.Join(dir, "pg_password")
	writeFile(t, pwFile, "s3cret\n\n")

	cfg := mustParse(t, `
store: postgres://bb:${PGPASSWORD}@db:5432/bb
slack:
  bot_token: ${SLACK_BOT_TOKEN}
`, map[string]string{
		"SLACK_BOT_TOKEN_FILE": botFile, // through the file's ${SLACK_BOT_TOKEN}
		"SLACK_APP_TOKEN_FILE": appFile, // app_token is not in the file: its own variable
		"PGPASSWORD_FILE":      pwFile,  // any ${NAME} may come from NAME_FILE
	})
	if cfg.Slack.BotToken != fakeSecrets["SLACK_BOT_TOKEN"] {
		t.Errorf("bot_token = %q, want the file's content without its line break", cfg.Slack.BotToken)
	}
	if cfg.Slack.AppToken != fakeSecrets["SLACK_APP_TOKEN"] {
		t.Errorf("app_token = %q, want the file's content without its line break", cfg.Slack.AppToken)
	}
	if cfg.Store != "postgres://bb:s3cret@db:5432/bb" {
		t.Errorf("store = %q", cfg.Store)
	}
}

func TestSecretFileProblemsSayWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	writeFile(t, empty, "\n")
	huge := filepath.Join(dir, "huge")
	writeFile(t, huge, strings.Repeat("x", 70_000))
	missing := filepath.Join(dir, "missing")
	tests := []struct {
		name, file, want string
	}{
		{"an empty file", empty, "slack.bot_token: SLACK_BOT_TOKEN_FILE names an empty file (" + empty + "): write the value into it"},
		{"a missing file", missing, "slack.bot_token: SLACK_BOT_TOKEN_FILE: cannot read it: open " + missing + ": no such file or directory"},
		{"a huge file", huge, "slack.bot_token: SLACK_BOT_TOKEN_FILE: " + huge + " is larger than 65536 bytes: it should hold one secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problemsOf(t, "", map[string]string{"SLACK_BOT_TOKEN_FILE": tt.file})
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSecretsLeftOutOfTheFileComeFromTheirVariables(t *testing.T) {
	cfg := mustParse(t, `discord: {mode: http, application_id: "123456789012345678"}`, fakeSecrets)
	got := []string{cfg.HTTP.IngestToken, cfg.Slack.BotToken, cfg.Slack.AppToken, cfg.Slack.SigningSecret, cfg.Discord.Token, cfg.Discord.PublicKey}
	want := []string{fakeSecrets["BRIEFBOT_INGEST_TOKEN"], fakeSecrets["SLACK_BOT_TOKEN"], fakeSecrets["SLACK_APP_TOKEN"],
		fakeSecrets["SLACK_SIGNING_SECRET"], fakeSecrets["DISCORD_TOKEN"], fakeSecrets["DISCORD_PUBLIC_KEY"]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("secrets = %q\nwant %q", got, want)
	}
	if !cfg.SlackEnabled() || !cfg.DiscordEnabled() || !cfg.HTTPNeeded() {
		t.Errorf("SlackEnabled %v, DiscordEnabled %v, HTTPNeeded %v; want all true", cfg.SlackEnabled(), cfg.DiscordEnabled(), cfg.HTTPNeeded())
	}
}

func TestDiscordBotPrefixAndAPIURLSlashAreTidied(t *testing.T) {
	cfg := mustParse(t, `
slack: {api_url: "http://127.0.0.1:9999/api", mode: SOCKET}
discord: {token: "Bot `+fakeSecrets["DISCORD_TOKEN"]+`", application_id: "123456789012345678", api_url: "http://127.0.0.1:9998/api"}
log: {level: WARNING, format: JSON}
`, map[string]string{"SLACK_BOT_TOKEN": fakeSecrets["SLACK_BOT_TOKEN"], "SLACK_APP_TOKEN": fakeSecrets["SLACK_APP_TOKEN"]})
	if cfg.Discord.Token != fakeSecrets["DISCORD_TOKEN"] {
		t.Errorf("discord.token kept its Bot prefix")
	}
	if cfg.Slack.APIURL != "http://127.0.0.1:9999/api/" || cfg.Discord.APIURL != "http://127.0.0.1:9998/api/" {
		t.Errorf("api_url = %q, %q; want a trailing slash", cfg.Slack.APIURL, cfg.Discord.APIURL)
	}
	if cfg.Slack.Mode != "socket" || cfg.Log.Level != "warn" || cfg.Log.Format != "json" {
		t.Errorf("mode %q, level %q, format %q; want lower case", cfg.Slack.Mode, cfg.Log.Level, cfg.Log.Format)
	}
}
