package config_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
)

// topicsYAML declares the topics the cases below refer to.
const topicsYAML = `
topics:
  korea: {query: korea}
  china: {query: china}
`

func TestValidationNamesTheFieldTheValueAndTheFix(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want []string
	}{
		{
			name: "an hour out of range in a cron spec",
			yaml: topicsYAML + `
channels:
  - {platform: console, topics: [korea], schedule: "0 25 * * *"}`,
			want: []string{`channels[0].schedule: "0 25 * * *" is not a valid schedule (hour out of range): use a cron spec (minute hour day month weekday), a descriptor such as @daily, or HH:MM`},
		},
		{
			name: "a misspelt time zone gets the closest IANA name",
			yaml: topicsYAML + `
channels:
  - {platform: console, topics: [korea]}
  - {platform: console, id: two, topics: [korea]}
  - {platform: console, id: three, topics: [korea], timezone: Europe/Moskow}`,
			want: []string{`channels[2].timezone: unknown time zone "Europe/Moskow" — did you mean "Europe/Moscow"?`},
		},
		{
			name: "a city without its region, and an abbreviation, get a zone",
			yaml: topicsYAML + `
channels:
  - {platform: console, topics: [korea], timezone: Seoul}
  - {platform: console, id: b, topics: [korea], timezone: PST}
  - {platform: console, id: c, topics: [korea], timezone: Mars/Olympus_Mons}
  - {platform: console, id: d, topics: [korea], timezone: Local}`,
			want: []string{
				`channels[0].timezone: unknown time zone "Seoul" — did you mean "Asia/Seoul"?`,
				`channels[1].timezone: "PST" is an abbreviation, not a time zone name — did you mean "America/Los_Angeles"?`,
				`channels[2].timezone: unknown time zone "Mars/Olympus_Mons": use an IANA name such as Europe/Berlin, America/New_York or UTC`,
				`channels[3].timezone: "Local" depends on the host: name the zone, such as Europe/Berlin or UTC`,
			},
		},
		{
			name: "a misspelt topic gets the closest topic",
			yaml: topicsYAML + `
channels:
  - {platform: console, topics: [china]}
  - {platform: console, id: two, topics: [koera, weather]}`,
			want: []string{
				`channels[1].topics[0]: unknown topic "koera" — did you mean "korea"?`,
				`channels[1].topics[1]: unknown topic "weather": define it under topics:, or use one of china, korea`,
			},
		},
		{
			name: "a topic when no topics are defined",
			yaml: `
channels:
  - {platform: console, topics: [korea]}`,
			want: []string{`channels[0].topics[0]: unknown topic "korea": define it under topics: (korea: {query: '…'})`},
		},
		{
			name: "a Slack channel without tokens",
			yaml: topicsYAML + `
channels:
  - {platform: slack, id: C0123456789, topics: [korea]}`,
			want: []string{
				`slack.bot_token: required because channels[0] posts to Slack (set SLACK_BOT_TOKEN)`,
				`slack.app_token: required in socket mode (set SLACK_APP_TOKEN): an app-level token with the connections:write scope, from the app's Basic Information page`,
			},
		},
		{
			name: "a bot token from a variable of its own names that variable",
			yaml: topicsYAML + `
slack:
  bot_token: ${MY_SLACK_TOKEN:-}
  mode: http
channels:
  - {platform: slack, id: C0123456789, topics: [korea]}`,
			want: []string{
				`slack.signing_secret: required in http mode (set SLACK_SIGNING_SECRET): the Signing Secret from the app's Basic Information page`,
				`slack.bot_token: required because channels[0] posts to Slack (set MY_SLACK_TOKEN)`,
			},
		},
		{
			name: "a misspelt Slack mode",
			yaml: `slack: {mode: sockets}`,
			want: []string{`slack.mode: "sockets" is not one of socket, http`},
		},
		{
			name: "Slack tokens of the wrong kind",
			yaml: `
slack:
  bot_token: xoxp-1234-5678
  app_token: xoxb-1234-5678
admin_channel: {platform: slack, id: C0ADMIN0001}`,
			want: []string{
				`slack.bot_token: not a bot token: it starts with "xoxp-" where a bot token starts with "xoxb-": copy the Bot User OAuth Token from the app's OAuth & Permissions page`,
				`slack.app_token: not an app-level token: it starts with "xoxb-" where an app-level token starts with "xapp-": create one with the connections:write scope on the app's Basic Information page`,
			},
		},
		{
			name: "a token that is no Slack token at all, and one with a line break",
			env:  map[string]string{"SLACK_APP_TOKEN": "xapp-1-A\n2-b"},
			yaml: `
slack:
  bot_token: hunter2hunter2`,
			want: []string{
				// app_token comes from the environment: its line is that of slack:.
				`slack.app_token: holds spaces or line breaks: copy the value again, without them`,
				`slack.bot_token: does not look like a bot token (it should start with "xoxb-"): copy the Bot User OAuth Token from the app's OAuth & Permissions page`,
			},
		},
		{
			name: "an app-level token that is no Slack token at all",
			yaml: `
slack:
  bot_token: xoxb-1234-5678
  app_token: hunter2hunter2`,
			want: []string{
				`slack.app_token: does not look like an app-level token (it should start with "xapp-"): create one with the connections:write scope on the app's Basic Information page`,
			},
		},
		{
			name: "the admin channel alone makes Slack required",
			yaml: `admin_channel: {platform: slack, id: C0ADMIN0001}`,
			want: []string{
				`slack.bot_token: required because admin_channel is on Slack (set SLACK_BOT_TOKEN)`,
				`slack.app_token: required in socket mode (set SLACK_APP_TOKEN): an app-level token with the connections:write scope, from the app's Basic Information page`,
			},
		},
		{
			name: "Slack admins that are not member IDs",
			yaml: `slack: {admins: [U012ABCDEF, "@alice"]}`,
			want: []string{`slack.admins[1]: "@alice" is not a Slack user ID: use the member ID (like U012ABCDEF) from the user's profile, under "Copy member ID"`},
		},
		{
			name: "Discord in http mode with a bad public key",
			env:  map[string]string{"DISCORD_TOKEN": fakeSecrets["DISCORD_TOKEN"], "DISCORD_PUBLIC_KEY": "abc123"},
			yaml: `
discord: {mode: http, application_id: "123456789012345678"}`,
			want: []string{`discord.public_key: must be 64 hex characters (this one has 6 characters): copy the Public Key from the application's General Information page`},
		},
		{
			name: "a Discord channel without token, application ID, and with a short ID",
			yaml: topicsYAML + `
discord: {mode: gatway, guild_id: my-server}
channels:
  - {platform: discord, id: "12345", topics: [korea]}`,
			want: []string{
				`discord.mode: "gatway" is not one of gateway, http`,
				`discord.guild_id: "my-server" is not a Discord ID (17 to 20 digits): in Discord, turn on Developer Mode and use "Copy Server ID"`,
				`discord.token: required because channels[0] posts to Discord (set DISCORD_TOKEN)`,
				`discord.application_id: required because channels[0] posts to Discord: copy the Application ID from the application's General Information page`,
				`channels[0].id: "12345" is not a Discord channel ID (17 to 20 digits): turn on Developer Mode and use "Copy Channel ID"`,
			},
		},
		{
			name: "threads on a Discord channel (Slack only)",
			env:  map[string]string{"DISCORD_TOKEN": fakeSecrets["DISCORD_TOKEN"], "SLACK_BOT_TOKEN": fakeSecrets["SLACK_BOT_TOKEN"], "SLACK_APP_TOKEN": fakeSecrets["SLACK_APP_TOKEN"]},
			yaml: topicsYAML + `
discord: {application_id: "123456789012345678"}
channels:
  - {platform: slack, id: C0123456789, topics: [korea], thread: true}
  - {platform: discord, id: "123456789012345678", topics: [korea], thread: true}
  - {platform: discord, id: "123456789012345679", topics: [china], thread: true}`,
			want: []string{
				`channels[1].thread: thread is a Slack-only option (Discord briefings are posted as messages in the channel): remove thread from this channel`,
				`channels[2].thread: thread is a Slack-only option (Discord briefings are posted as messages in the channel): remove thread from this channel`,
			},
		},
		{
			name: "a Discord token that is not one, and shards out of range",
			yaml: `
discord:
  token: not-a-token
  application_id: 123456789012345678
  shard_id: 2
  shard_count: 2`,
			want: []string{
				`discord.token: does not look like a bot token (three parts separated by dots): copy it from the application's Bot page`,
				`discord.shard_id: 2 is out of range for shard_count 2: use 0 to 1`,
			},
		},
		{
			name: "sources with both, neither, a twice-used name, a bad URL and a private address",
			yaml: `
sources:
  - {name: tass, feed: "https://tass.com/rss/v2.xml", path: ./articles}
  - {name: empty}
  - {name: Tass, feed: "ftp://example.com/feed"}
  - {name: intranet, feed: "http://10.1.2.3/feed.xml"}
  - {name: allowed, feed: "http://localhost:8000/feed.xml", allow_private: true}
  - {feed: "https://example.com/a.xml", every: 30s, fetch_page: sometimes, timeout: 0s, max_bytes: 0}
  - {name: folder, path: ./in, every: 100ms}`,
			want: []string{
				`sources[0]: has both feed and path: a source is one feed or one folder; make two sources`,
				`sources[1]: set feed (the URL of an RSS, Atom or JSON Feed) or path (a folder of articles)`,
				`sources[2].name: "Tass" is already the name of sources[0]: give each source its own name`,
				`sources[2].feed: "ftp://example.com/feed" is not an http(s) URL`,
				`sources[3].feed: 10.1.2.3 is a private-network address: set allow_private: true on this source to fetch it`,
				`sources[5].name: required: a short label such as "tass", stored with each article`,
				`sources[5].every: 30s is too often: poll a feed at most once a minute (1m or more)`,
				`sources[5].fetch_page: "sometimes" is not one of auto, always, never`,
				`sources[5].timeout: must be more than 0, e.g. 30s`,
				`sources[5].max_bytes: must be more than 0, e.g. 10MB`,
				`sources[6].every: 100ms is too often: scan a folder at most once a second`,
			},
		},
		{
			name: "topics with bad names and empty queries",
			yaml: `
topics:
  North Korea: {query: korea}
  help: {query: help}
  empty: {query: "  "}
  nothing:`,
			want: []string{
				`topics.North Korea: a topic name is lower-case letters, digits, - and _, at most 32 characters (it is typed in /brief NAME): try "north-korea"`,
				`topics.help: "help" is a /brief command: choose another topic name`,
				`topics.empty.query: required: the words to search for, e.g. 'korea OR pyongyang'`,
				`topics.nothing.query: required: the words to search for, e.g. 'korea OR pyongyang'`,
			},
		},
		{
			name: "topics named for /brief's commands and the other words it takes for them",
			yaml: `
topics:
  "--help": {query: help}
  Sub: {query: submarine}
  now: {query: now}
  schedule: {query: schedule}
  schedules: {query: schedules}
  sub: {query: submarine}
  subscribe: {query: subscribe}
  topics: {query: topics}
  unsub: {query: unsub}
  unsubscribe: {query: unsubscribe}
  subs: {query: subs}
  nowcast: {query: nowcast}`,
			want: []string{
				`topics.--help: a topic name is lower-case letters, digits, - and _, at most 32 characters (it is typed in /brief NAME): try "help-news"`,
				`topics.Sub: a topic name is lower-case letters, digits, - and _, at most 32 characters (it is typed in /brief NAME): try "sub-news"`,
				`topics.now: "now" is a /brief command: choose another topic name`,
				`topics.schedule: "schedule" is a /brief command: choose another topic name`,
				`topics.schedules: "schedules" is a /brief command (another name for schedule): choose another topic name`,
				`topics.sub: "sub" is a /brief command (another name for subscribe): choose another topic name`,
				`topics.subscribe: "subscribe" is a /brief command: choose another topic name`,
				`topics.topics: "topics" is a /brief command: choose another topic name`,
				`topics.unsub: "unsub" is a /brief command (another name for unsubscribe): choose another topic name`,
				`topics.unsubscribe: "unsubscribe" is a /brief command: choose another topic name`,
			},
		},
		{
			name: "topic queries that do not parse name the position, the problem and the fix",
			yaml: `
topics:
  korea: {query: 'korea OR'}
  japan: {query: '"tokyo'}
  china: {query: 'china author:xi'}
  common: {query: 'the of'}
  fine: {query: 'korea or japan -sport'}`,
			want: []string{
				`topics.korea.query: "korea OR" is not a valid topic query (position 7: OR needs a term on each side): write words and "phrases" side by side (all must match), OR between alternatives and - before exclusions, e.g. 'korea OR pyongyang -sport'`,
				`topics.japan.query: "\"tokyo" is not a valid topic query (position 1: unclosed quote: a phrase ends with another "): write words and "phrases" side by side (all must match), OR between alternatives and - before exclusions, e.g. 'korea OR pyongyang -sport'`,
				`topics.china.query: "china author:xi" is not a valid topic query (position 7: unknown filter "author:": the filters are source: and speaker:): write words and "phrases" side by side (all must match), OR between alternatives and - before exclusions, e.g. 'korea OR pyongyang -sport'`,
				`topics.common.query: "the of" is not a valid topic query ("the of" has only very common words (the, of, and…), which are not indexed): write words and "phrases" side by side (all must match), OR between alternatives and - before exclusions, e.g. 'korea OR pyongyang -sport'`,
			},
		},
		{
			name: "a topic written as a string",
			yaml: `topics: {korea: "korea OR pyongyang"}`,
			want: []string{`topics.korea: expected a mapping with a query, got the value "korea OR pyongyang": write NAME: {query: 'words to search'}`},
		},
		{
			name: "channels with missing and wrong parts",
			yaml: topicsYAML + `
slack: {bot_token: xoxb-1-2-3, app_token: xapp-1-2-3}
channels:
  - {topics: [korea]}
  - {platform: teams, id: x, topics: [korea]}
  - {platform: slack, id: "#general", topics: [korea]}
  - {platform: slack, id: general, topics: []}
  - {platform: console, topics: [korea, korea], stories: 0, thread: true}
  - {platform: console, topics: [china, korea], stories: 21}`,
			want: []string{
				`channels[0].platform: required: one of slack, discord, console`,
				`channels[1].platform: "teams" is not one of slack, discord, console`,
				`channels[2].id: "#general" is a channel name: use the channel's ID (like C0123456789), at the bottom of its About tab`,
				`channels[3].id: "general" is not a Slack channel ID (like C0123456789): find it at the bottom of the channel's About tab`,
				`channels[3].topics: required: the topics to brief, e.g. [korea]`,
				`channels[4].topics[1]: "korea" is listed twice`,
				`channels[4].stories: 0 is out of range: use 1 to 20`,
				`channels[4].thread: the console has no threads: remove thread from this channel`,
				`channels[5].topics[1]: channels[4] already sends "korea" to this channel: a channel gets each topic once`,
				`channels[5].stories: 21 is out of range: use 1 to 20`,
			},
		},
		{
			name: "schedules of every kind of mistake",
			yaml: topicsYAML + `
channels:
  - {platform: console, id: a, topics: [korea], schedule: "@dialy"}
  - {platform: console, id: b, topics: [korea], schedule: "25:00"}
  - {platform: console, id: c, topics: [korea], schedule: "0 8 * *"}
  - {platform: console, id: d, topics: [korea], schedule: "0 0 8 * * *"}
  - {platform: console, id: e, topics: [korea], schedule: "0 8 * * 7"}
  - {platform: console, id: f, topics: [korea], schedule: "@every 1h"}
  - {platform: console, id: g, topics: [korea], schedule: "8am"}`,
			want: []string{
				`channels[0].schedule: "@dialy" is not a valid schedule (unknown descriptor, did you mean @daily?): use a cron spec (minute hour day month weekday), a descriptor such as @daily, or HH:MM`,
				`channels[1].schedule: "25:00" is not a valid schedule (hour out of range): use a cron spec (minute hour day month weekday), a descriptor such as @daily, or HH:MM`,
				`channels[2].schedule: "0 8 * *" is not a valid schedule (4 fields where 5 are expected): use a cron spec (minute hour day month weekday), a descriptor such as @daily, or HH:MM`,
				`channels[3].schedule: "0 0 8 * * *" is not a valid schedule (6 fields where 5 are expected: there is no seconds field): use a cron spec (minute hour day month weekday), a descriptor such as @daily, or HH:MM`,
				`channels[4].schedule: "0 8 * * 7" is not a valid schedule (weekday out of range: use 0-6 or SUN-SAT, Sunday is 0): use a cron spec (minute hour day month weekday), a descriptor such as @daily, or HH:MM`,
				`channels[5].schedule: "@every 1h" is not a valid schedule (@every is not supported: briefings fall on clock times, e.g. @hourly or */30 * * * *): use a cron spec (minute hour day month weekday), a descriptor such as @daily, or HH:MM`,
				`channels[6].schedule: "8am" is not a valid schedule (write a time of day as HH:MM, 24-hour, e.g. 08:00 or 17:30): use a cron spec (minute hour day month weekday), a descriptor such as @daily, or HH:MM`,
			},
		},
		{
			name: "the HTTP server off while something needs it, and a short ingest token",
			env:  map[string]string{"BRIEFBOT_INGEST_TOKEN": "short"},
			yaml: `http: {listen: ""}`,
			want: []string{
				`http.listen: required because http.ingest_token is set (POST /api/articles): set host:port, e.g. 0.0.0.0:8080`,
				`http.ingest_token: too short (5 characters): use at least 16 random characters, e.g. the output of: openssl rand -hex 32`,
			},
		},
		{
			name: "a listen address that is not host:port",
			yaml: `http: {listen: "8080"}`,
			want: []string{`http.listen: "8080" is not host:port: write e.g. 127.0.0.1:8080, or :8080 for every interface`},
		},
		{
			name: "stores that are not a file or a postgres URL",
			yaml: `store: mysql://root@db/briefbot`,
			want: []string{`store: unsupported database "mysql": use a file path (SQLite) or a postgres:// URL`},
		},
		{
			name: "a PostgreSQL keyword DSN",
			yaml: `store: "host=db user=briefbot password=hunter2 dbname=briefbot"`,
			want: []string{`store: looks like a PostgreSQL keyword DSN: write it as a URL, postgres://user:password@host:5432/dbname`},
		},
		{
			name: "scheduler, health, ingest and log settings out of range",
			yaml: `
schedule: {grace: -1h, max_window: 0s, lease: 5s, replica_id: "my replica"}
health: {source_failing_after: 0s}
ingest: {max_bytes: 0}
log: {level: verbose, format: logfmt}`,
			want: []string{
				`schedule.grace: must not be negative (0 turns catch-up off)`,
				`schedule.max_window: must be more than 0, e.g. 24h`,
				`schedule.lease: 5s is too short: a claim must outlast one post with its retries; use 10s or more`,
				`schedule.replica_id: "my replica" holds spaces: use letters, digits, - and _`,
				`health.source_failing_after: must be more than 0, e.g. 1h`,
				`ingest.max_bytes: must be more than 0, e.g. 5MB`,
				`log.level: "verbose" is not one of debug, info, warn, error`,
				`log.format: "logfmt" is not one of text, json`,
			},
		},
		{
			name: "retention shorter than a briefing needs, and negative",
			yaml: `retention: {articles: 36h, ledger: 7d}`,
			want: []string{
				`retention.articles: 36h is too short: a scheduled briefing covers the articles first seen up to schedule.max_window (24h) before its slot and may be posted up to schedule.grace (6h) late; use 0 (keep articles for ever) or 2d6h or more (max_window + grace + 1d)`,
				`retention.ledger: 7d is too short: catch-up after downtime looks back 7 days for missed briefings, and one whose record is gone could be posted twice; use 8d or more (0 keeps the ledger for ever)`,
			},
		},
		{
			name: "the shortest article retention follows the schedule settings",
			yaml: `
schedule: {max_window: 7d, grace: 0}
retention: {articles: 7d, ledger: -1h}`,
			want: []string{
				`retention.articles: 7d is too short: a scheduled briefing covers the articles first seen up to schedule.max_window (7d) before its slot and may be posted up to schedule.grace (0s) late; use 0 (keep articles for ever) or 8d or more (max_window + grace + 1d)`,
				`retention.ledger: must not be negative (0 keeps the ledger for ever)`,
			},
		},
		{
			name: "a negative article retention",
			yaml: `retention: {articles: -48h}`,
			want: []string{`retention.articles: must not be negative (0 keeps articles for ever)`},
		},
		{
			name: "values of the wrong type",
			yaml: topicsYAML + `
sources:
  - {name: a, path: ./a, every: 600, max_bytes: lots}
channels:
  - {platform: console, topics: korea, stories: five, skip_empty: maybe}
schedule: {grace: 6 hours}
slack: [socket]`,
			want: []string{
				`sources[0].every: "600" has no unit: write a duration such as 90s, 10m, 6h or 7d`,
				`sources[0].max_bytes: "lots" is not a size: write one such as 512KB, 5MB or 1GB`,
				`channels[0].topics: expected a list (- item lines, or [a, b]), got the value "korea"`,
				`channels[0].stories: "five" is not a whole number`,
				`channels[0].skip_empty: "maybe" is not true or false`,
				`schedule.grace: "6 hours" is not a duration: write one such as 90s, 10m, 6h or 7d`,
				`slack: expected a mapping (key: value lines), got a list`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problemsOf(t, tt.yaml, tt.env)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestUnknownKeysAreErrorsWithLinesAndSuggestions(t *testing.T) {
	data := `store: briefbot.db
sources:
  - name: tass
    feed: https://tass.com/rss/v2.xml
    intervall: 10m
topics:
  korea:
    querry: korea
channels:
  - platform: console
    topic: [korea]
    every: 1h
    colour: blue
Log: {level: info}
x-defaults: &defaults {timezone: UTC}
`
	_, err := config.Parse([]byte(data), nil)
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Parse: %v, want *config.Error", err)
	}
	want := []string{
		`line 5: sources[0].intervall: unknown key — did you mean "every"?`,
		`line 8: topics.korea.querry: unknown key — did you mean "query"?`,
		`line 11: channels[0].topic: unknown key — did you mean "topics"?`,
		`line 12: channels[0].every: unknown key — did you mean "schedule"?`,
		`line 13: channels[0].colour: unknown key: the keys here are name, platform, id, topics, schedule, timezone, stories, skip_empty, thread`,
		`line 14: Log: unknown key — did you mean "log"?`,
		// topics.korea has no query since querry was not read; channels[0] no topics.
		`line 7: topics.korea.query: required: the words to search for, e.g. 'korea OR pyongyang'`,
		`line 10: channels[0].topics: required: the topics to brief, e.g. [korea]`,
	}
	got := cerr.Lines()
	sortByLine := func(s []string) []string {
		out := append([]string(nil), s...)
		for i := range out {
			for j := i + 1; j < len(out); j++ {
				if out[j] < out[i] {
					out[i], out[j] = out[j], out[i]
				}
			}
		}
		return out
	}
	if !reflect.DeepEqual(sortByLine(got), sortByLine(want)) {
		t.Errorf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for i := 1; i < len(cerr.Problems); i++ {
		if cerr.Problems[i].Line < cerr.Problems[i-1].Line {
			t.Errorf("problems not in file order: %v", got)
		}
	}
}

func TestAKeyInTheWrongSectionSaysWhereItBelongs(t *testing.T) {
	got := problemsOf(t, "timezone: Asia/Seoul\nlisten: :8080\n", nil)
	want := []string{
		`timezone: unknown key here — timezone is a key of channels[]`,
		`listen: unknown key here — listen is a key of http`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAKeyWrittenTwiceIsAnError(t *testing.T) {
	got := problemsOf(t, "store: a.db\nlog: {level: info}\nstore: b.db\n", nil)
	want := []string{`store: written twice (also on line 1): keep one`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestBrokenYAMLIsReportedWithItsLineAndAHint(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"an unquoted cron spec", "topics: {}\nchannels:\n  - schedule: * * * * *\n",
			`line 3: not valid YAML: did not find expected alphabetic or numeric character (a value starting with * must be quoted, e.g. schedule: "*/30 * * * *")`},
		{"an unquoted descriptor", "channels:\n  - {platform: console}\n  - schedule: @daily\n",
			`line 3: not valid YAML: found character that cannot start any token (a value starting with @ must be quoted, e.g. schedule: "@daily")`},
		{"a tab", "log:\n\tlevel: info\n",
			`line 2: not valid YAML: found character that cannot start any token (indent with spaces: YAML does not allow tabs)`},
		{"two documents", "store: a.db\n---\nstore: b.db\n",
			`line 2: the file holds more than one YAML document (a --- line): keep one`},
		{"a list at the top", "- store\n", `line 1: expected a mapping (key: value lines), got a list`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse([]byte(tt.yaml), nil)
			var cerr *config.Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Parse: %v", err)
			}
			if got := cerr.Lines(); len(got) != 1 || got[0] != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestErrorTextNamesTheFileAndEveryProblem(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/briefbot.yaml"
	writeFile(t, path, "slack: {mode: sockets}\nlog: {format: xml}\n")
	_, err := config.Load(path, nil)
	want := "config: " + path + ": 2 problems:\n" +
		"  " + path + `:1: slack.mode: "sockets" is not one of socket, http` + "\n" +
		"  " + path + `:2: log.format: "xml" is not one of text, json`
	if err == nil || err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
	writeFile(t, path, "log: {format: xml}\n")
	_, err = config.Load(path, nil)
	if want := "config: " + path + `:1: log.format: "xml" is not one of text, json`; err == nil || err.Error() != want {
		t.Errorf("error: %v\nwant: %s", err, want)
	}
}

func TestSecretsNeverAppearInProblems(t *testing.T) {
	secret := "xoxp-999-supersecret-value"
	vars := map[string]string{
		"SLACK_BOT_TOKEN": secret,
		"SLACK_APP_TOKEN": "not an app token " + secret,
		"STORIES":         secret,
		"DISCORD_TOKEN":   secret + " with space",
		"PUBKEY":          secret,
	}
	_, err := config.Parse([]byte(`
topics: {korea: {query: korea}}
discord: {mode: http, public_key: "${PUBKEY}"}
channels:
  - {platform: console, topics: [korea], stories: "${STORIES}"}
`), env(vars))
	if err == nil {
		t.Fatal("Parse succeeded")
	}
	if strings.Contains(err.Error(), "supersecret") {
		t.Errorf("a secret leaked into the error:\n%v", err)
	}
	if !strings.Contains(err.Error(), `channels[0].stories: the value of ${STORIES} is not a whole number`) {
		t.Errorf("the stories problem should name the variable, not its value:\n%v", err)
	}
}

func TestATokenWrittenInTheWrongPlaceIsNotEchoed(t *testing.T) {
	got := problemsOf(t, "slack: xoxb-1234-5678-supersecret\n", nil)
	want := []string{`slack: expected a mapping (key: value lines), got a single value`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRetentionAtItsShortestIsAccepted(t *testing.T) {
	cfg := mustParse(t, `
schedule: {max_window: 12h, grace: 1h}
retention: {articles: 1d13h, ledger: 8d}`, nil)
	if got, want := cfg.Retention.Articles, cfg.Schedule.MinArticleRetention(); got != want || got != 37*time.Hour {
		t.Errorf("retention.articles = %v, want the shortest allowed, %v (37h)", got, want)
	}
	if cfg.Retention.Ledger != config.MinLedgerRetention {
		t.Errorf("retention.ledger = %v, want %v", cfg.Retention.Ledger, config.MinLedgerRetention)
	}
	if cfg := mustParse(t, `retention: {articles: 0, ledger: 0}`, nil); cfg.Retention != (config.Retention{}) {
		t.Errorf("0 and 0 = %+v, want both kept for ever (zero)", cfg.Retention)
	}
}
