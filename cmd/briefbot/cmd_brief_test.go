package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/internal/demo"
	"github.com/briefbot/briefbot/internal/fakediscord"
	"github.com/briefbot/briefbot/internal/fakeslack"
	"github.com/briefbot/briefbot/internal/golden"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// briefNow is the tests' clock: the demo's articles are dated from it, the newest an hour before.
var briefNow = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// runBrief runs briefbot with args on the tests' clock and returns the exit status, stdout and
// stderr.
func runAt(t *testing.T, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		Now: func() time.Time { return now }}
	code := run(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

// demoStore ingests the demo's nine articles (written for briefbot: invented outlets, people and
// places), dated from briefNow, into a new SQLite store with the demo's topics (ports, economy);
// it returns the store's path and the articles' folder.
func demoStore(t *testing.T) (dsn, dir string) {
	t.Helper()
	root := t.TempDir()
	dsn, dir = filepath.Join(root, "briefbot.db"), filepath.Join(root, "articles")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := demo.Files(briefNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, stderr := runAt(t, briefNow, "ingest", "--store", dsn, dir); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tp := range demo.Topics {
		if err := st.PutTopic(context.Background(), store.Topic{Name: tp.Name, Query: tp.Query}); err != nil {
			t.Fatal(err)
		}
	}
	return dsn, dir
}

func TestBriefPrintsAStoredTopicInEveryFormat(t *testing.T) {
	dsn, _ := demoStore(t)
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"a topic as the console shows it", []string{"--topic", "ports", "--format", "text", "--width", "80"}, "ports.txt"},
		{"text is the default format", []string{"--topic", "ports", "--width", "80"}, "ports.txt"},
		{"a topic as the briefing's JSON", []string{"--topic", "ports", "--format", "json"}, "ports.json"},
		{"a topic as the bodies the Slack poster sends, in Berlin time",
			[]string{"--topic", "ports", "--format", "slack", "--timezone", "Europe/Berlin", "--channel", "C0NEWSDESK"}, "ports.slack.json"},
		{"a topic as the bodies the Discord poster sends", []string{"--topic", "ports", "--format", "discord"}, "ports.discord.json"},
		{"search words over three days, two stories at most",
			[]string{"--topic", `"central bank" OR drought`, "--since", "3d", "--stories", "2", "--format", "json", "--timezone", "Asia/Seoul"},
			"search.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runAt(t, briefNow, append([]string{"brief", "--store", dsn}, tt.args...)...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			golden.Compare(t, filepath.Join("testdata", "brief", tt.golden), []byte(stdout), *updateGolden)
		})
	}

	t.Run("the JSON keeps the briefing contract", func(t *testing.T) {
		_, stdout, _ := runAt(t, briefNow, "brief", "--store", dsn, "--topic", "ports", "--format", "json")
		var b struct {
			Topic   string    `json:"topic"`
			From    time.Time `json:"from"`
			To      time.Time `json:"to"`
			Stories []struct {
				Headline string                `json:"headline"`
				Lede     string                `json:"lede"`
				Sources  []briefing.SourceRef  `json:"sources"`
				Quotes   []briefing.StoryQuote `json:"quotes"`
			} `json:"stories"`
			More *int `json:"more"`
		}
		if err := json.Unmarshal([]byte(stdout), &b); err != nil {
			t.Fatal(err)
		}
		if b.Topic != "ports" || !b.To.Equal(briefNow) || !b.From.Equal(briefNow.Add(-24*time.Hour)) || b.More == nil || len(b.Stories) == 0 {
			t.Fatalf("briefing %q from %s to %s with %d stories (more %v)", b.Topic, b.From, b.To, len(b.Stories), b.More)
		}
		strike := b.Stories[0]
		if !strings.Contains(strike.Headline, "Valmora") || len(strike.Sources) < 2 || len(strike.Quotes) == 0 {
			t.Errorf("first story = %+v, want the Valmora strike from several outlets, with quotes", strike)
		}
		for _, q := range strike.Quotes {
			if q.Text == "" || q.URL == "" {
				t.Errorf("quote %+v lacks its text or link", q)
			}
		}
	})
}

func TestBriefOfAnEmptyWindowSaysNothingIsNew(t *testing.T) {
	dsn, _ := demoStore(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a topic, as text", []string{"--topic", "ports", "--since", "30m"}, "Nothing new on ports since Fri 27 Nov 07:30 UTC.\n"},
		{"in the channel's time zone", []string{"--topic", "ports", "--since", "30m", "--timezone", "Asia/Seoul"},
			"Nothing new on ports since Fri 27 Nov 16:30 KST.\n"},
		{"search words that matched before the window", []string{"--topic", "dockworkers", "--since", "10m"},
			"Nothing new on dockworkers since Fri 27 Nov 07:50 UTC.\n"},
		{"as JSON, with an empty story list", []string{"--topic", "economy", "--since", "30m", "--format", "json"},
			"{\n  \"topic\": \"economy\",\n  \"query\": \"\\\"central bank\\\" OR inflation OR rates\",\n" +
				"  \"from\": \"2026-11-27T07:30:00Z\",\n  \"to\": \"2026-11-27T08:00:00Z\",\n  \"stories\": [],\n  \"more\": 0\n}\n"},
		{"as the Discord body", []string{"--topic", "ports", "--since", "30m", "--format", "discord"},
			"[\n  {\n    \"content\": \"Nothing new on **ports** since <t:1795764600:f>.\",\n" +
				"    \"allowed_mentions\": {\n      \"parse\": [],\n      \"replied_user\": false\n    }\n  }\n]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runAt(t, briefNow, append([]string{"brief", "--store", dsn}, tt.args...)...)
			if code != 0 || stderr != "" || stdout != tt.want {
				t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, stderr, stdout, tt.want)
			}
		})
	}
	t.Run("as the Slack body", func(t *testing.T) {
		_, stdout, _ := runAt(t, briefNow, "brief", "--store", dsn, "--topic", "ports", "--since", "30m", "--format", "slack",
			"--timezone", "Europe/Berlin")
		var bodies []struct{ Text string }
		if err := json.Unmarshal([]byte(stdout), &bodies); err != nil {
			t.Fatal(err)
		}
		if want := "Nothing new on ports since Fri 27 Nov 08:30 CET."; len(bodies) != 1 || bodies[0].Text != want {
			t.Errorf("bodies = %+v, want one with text %q", bodies, want)
		}
	})
}

func TestBriefErrorsAreOneLine(t *testing.T) {
	dsn, dir := demoStore(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a mistyped topic gets the closest topic", []string{"--store", dsn, "--topic", "prots"}, 1,
			`"prots" is not a topic and matches no stored article; did you mean ports?`},
		{"words that match nothing get the topics", []string{"--store", dsn, "--topic", "zanzibar"}, 1,
			`"zanzibar" is not a topic and matches no stored article; the topics are economy, ports`},
		{"a query that does not parse gets the parser's reason", []string{"--store", dsn, "--topic", "strike OR"}, 1,
			`"strike OR" is not a topic, nor a valid query: at character 8, OR needs a term on each side`},
		{"a mistyped time zone gets the zone meant", []string{"--store", dsn, "--topic", "ports", "--timezone", "Europe/Moskow"}, 1,
			`--timezone "Europe/Moskow" is not a time zone; did you mean Europe/Moscow?`},
		{"a window that is no duration", []string{"--store", dsn, "--topic", "ports", "--since", "yesterday"}, 1,
			`--since "yesterday": want how far back to look, such as 90m, 24h, 3d or 1w`},
		{"a window over a year", []string{"--store", dsn, "--topic", "ports", "--since", "400d"}, 1,
			`--since: window "400d" is longer than a year`},
		{"a window over a year in hours", []string{"--store", dsn, "--topic", "ports", "--since", "10000h"}, 1,
			`--since: window "10000h" is longer than a year`},
		{"a window over a year as a Go duration", []string{"--store", dsn, "--topic", "ports", "--since", "8784h0m1s"}, 1,
			`--since: window "8784h0m1s" is longer than a year`},
		{"a store that does not exist is not created", []string{"--store", filepath.Join(dir, "none.db"), "--topic", "ports"}, 1,
			"there is no store at " + filepath.Join(dir, "none.db") + ": ingest articles first (briefbot ingest --store " +
				filepath.Join(dir, "none.db") + " PATH|URL…) or name the store with --store"},
		{"an unknown format", []string{"--store", dsn, "--topic", "ports", "--format", "xml"}, 2,
			`--format "xml": want text, slack, discord or json (briefbot brief --help lists the flags)`},
		{"no topic and no files", []string{"--store", dsn}, 2,
			"name a topic with --topic, or give article files (briefbot brief --help lists the flags)"},
		{"no stories", []string{"--store", dsn, "--topic", "ports", "--stories", "0"}, 2,
			"--stories must be at least 1 (briefbot brief --help lists the flags)"},
		{"a channel for Discord", []string{"--store", dsn, "--topic", "ports", "--format", "discord", "--channel", "C1"}, 2,
			"--channel goes with --format slack (briefbot brief --help lists the flags)"},
		{"the file listing of stored articles", []string{"--store", dsn, "--topic", "ports", "--format", "articles"}, 2,
			"--format articles lists article files; with --topic use text, slack, discord or json (briefbot brief --help lists the flags)"},
		{"a window with files", []string{"--since", "3d", dir}, 2,
			"--since briefs the store; it does not go with files (briefbot brief --help lists the flags)"},
		{"a topic for the file listing", []string{"--topic", "ports", "--format", "articles", dir}, 2,
			"--topic names a briefing assembled from the files; --format articles lists each file on its own: drop --topic, or use --format text, slack, discord or json (briefbot brief --help lists the flags)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runAt(t, briefNow, append([]string{"brief"}, tt.args...)...)
			if want := "briefbot brief: " + tt.want + "\n"; code != tt.code || stdout != "" || stderr != want {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d and:\n%s", code, stdout, stderr, tt.code, want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Error("briefing a store that does not exist created it")
	}
}

func TestParseSinceTakesWindowsAndGoDurationsUpToAYear(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"90m", 90 * time.Minute, ""},
		{"24h", 24 * time.Hour, ""},
		{"3D", 72 * time.Hour, ""},
		{"1w", 7 * 24 * time.Hour, ""},
		{"366d", 366 * 24 * time.Hour, ""},
		{"8784h", 366 * 24 * time.Hour, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"45s", 45 * time.Second, ""},
		{"8783h59m59s", 366*24*time.Hour - time.Second, ""},
		{"367d", 0, `--since: window "367d" is longer than a year`},
		{"53w", 0, `--since: window "53w" is longer than a year`},
		{"10000h", 0, `--since: window "10000h" is longer than a year`},
		{"1000000h", 0, `--since: window "1000000h" is longer than a year`},
		{"8784h0m1s", 0, `--since: window "8784h0m1s" is longer than a year`},
		{"0h", 0, `--since: window "0h" must be at least 1m`},
		{"-5h", 0, `--since "-5h": want how far back to look, such as 90m, 24h, 3d or 1w`},
		{"yesterday", 0, `--since "yesterday": want how far back to look, such as 90m, 24h, 3d or 1w`},
	}
	for _, tt := range tests {
		d, err := parseSince(tt.in)
		switch {
		case tt.err == "" && (err != nil || d != tt.want):
			t.Errorf("parseSince(%q) = %s, %v; want %s", tt.in, d, err, tt.want)
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("parseSince(%q) = %s, %v; want the error %q", tt.in, d, err, tt.err)
		}
	}
}

func TestBriefOfFiles(t *testing.T) {
	_, dir := demoStore(t)
	t.Run("lists each article by default", func(t *testing.T) {
		code, stdout, stderr := runAt(t, briefNow, "brief", dir)
		if code != 0 || stderr != "" {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if n := strings.Count(stdout, "■ "); n != 9 {
			t.Errorf("%d articles listed, want the 9 files:\n%s", n, stdout)
		}
		for _, want := range []string{"■ Valmora dockworkers walk out as pay talks collapse", "— Marta Kowalczyk", "Source: Coastal Herald"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("the listing lacks %q", want)
			}
		}
	})
	t.Run("assembles the files into one briefing", func(t *testing.T) {
		code, stdout, stderr := runAt(t, briefNow, "brief", "--format", "json", "--stories", "3", dir)
		if code != 0 || stderr != "" {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var b briefing.Briefing
		if err := json.Unmarshal([]byte(stdout), &b); err != nil {
			t.Fatal(err)
		}
		if len(b.Stories) != 3 || b.More < 1 || b.Topic != "" {
			t.Errorf("briefing %q of %d stories and %d more, want 3 shown of the files' stories", b.Topic, len(b.Stories), b.More)
		}
		if s := b.Stories[0]; len(s.Sources) != 3 || !strings.Contains(s.Headline, "Valmora") {
			t.Errorf("the first story is %q from %d outlets, want the port strike, which three outlets carried", s.Headline, len(s.Sources))
		}
	})
	t.Run("names the briefing after --topic", func(t *testing.T) {
		code, stdout, stderr := runAt(t, briefNow, "brief", "--format", "text", "--topic", "drought", "--stories", "1", dir)
		if code != 0 || stderr != "" {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if first, _, _ := strings.Cut(stdout, "\n"); !strings.HasPrefix(first, "Briefing: drought · top 1 of ") {
			t.Errorf("first line %q", first)
		}
		if !strings.Contains(stdout, "1. ") || !strings.Contains(strings.ToLower(stdout), "drought") {
			t.Errorf("the drought story is not first:\n%s", stdout)
		}
	})
	t.Run("--topic makes text the default format", func(t *testing.T) {
		_, text, _ := runAt(t, briefNow, "brief", "--format", "text", "--topic", "drought", "--stories", "1", "--width", "80", dir)
		code, stdout, stderr := runAt(t, briefNow, "brief", "--topic", "drought", "--stories", "1", "--width", "80", dir)
		if code != 0 || stderr != "" {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if stdout != text || strings.Contains(stdout, "■ ") {
			t.Errorf("brief --topic drought FILES printed:\n%s\nwant the text briefing:\n%s", stdout, text)
		}
	})
	t.Run("reports unreadable files and briefs the others", func(t *testing.T) {
		missing := filepath.Join(dir, "missing.json")
		code, stdout, stderr := runAt(t, briefNow, "brief", "--format", "json", dir, missing)
		if code != 1 || !strings.Contains(stderr, "missing.json") || !strings.HasSuffix(stderr, "briefbot brief: 1 of 10 files could not be read\n") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
		if !strings.Contains(stdout, `"stories": [`) {
			t.Errorf("no briefing of the readable files:\n%s", stdout)
		}
	})
}

// posted briefs ports as bot.Briefer does for the CLI (the store's topic, the 24 hours up to
// briefNow, five stories).
func postedBriefing(t *testing.T, dsn string) briefing.Briefing {
	t.Helper()
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := (&bot.Briefer{Store: st, Now: func() time.Time { return briefNow }}).Brief(context.Background(), "ports",
		briefNow.Add(-24*time.Hour), briefNow, 5)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameJSONValue reports whether two JSON texts hold the same value.
func sameJSONValue(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(va, vb)
}

func TestBriefSlackBodiesAreWhatTheSlackPosterSends(t *testing.T) {
	dsn, _ := demoStore(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runAt(t, briefNow, "brief", "--store", dsn, "--topic", "ports", "--format", "slack",
		"--timezone", "Europe/Berlin", "--channel", "C0NEWSDESK")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var printed []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &printed); err != nil {
		t.Fatal(err)
	}

	fs := fakeslack.New(t)
	poster, err := slack.New(slack.Config{Mode: slack.ModeHTTP, BotToken: "xoxb-test", SigningSecret: "secret", APIURL: fs.URL()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer poster.Close()
	if _, err := poster.Post(context.Background(), bot.Delivery{ChannelID: "C0NEWSDESK", Briefing: postedBriefing(t, dsn), Location: berlin}); err != nil {
		t.Fatal(err)
	}
	posts := fs.Posts()
	if len(posts) != len(printed) || len(posts) == 0 {
		t.Fatalf("the poster sent %d messages, brief printed %d", len(posts), len(printed))
	}
	for i, p := range posts {
		for name, raw := range printed[i] {
			var s string
			switch got := p.Form.Get(name); {
			case json.Unmarshal(raw, &s) == nil:
				if got != s {
					t.Errorf("message %d: %s sent %q, printed %q", i, name, got, s)
				}
			case got == "" || !sameJSONValue(t, []byte(got), raw):
				t.Errorf("message %d: %s sent %.300s, printed %.300s", i, name, got, raw)
			}
		}
		for name := range p.Form {
			if _, ok := printed[i][name]; !ok && name != "token" {
				t.Errorf("message %d: the poster sent %s=%q, which brief does not print", i, name, p.Form.Get(name))
			}
		}
	}
}

func TestBriefDiscordBodiesAreWhatTheDiscordPosterSends(t *testing.T) {
	dsn, _ := demoStore(t)
	code, stdout, stderr := runAt(t, briefNow, "brief", "--store", dsn, "--topic", "ports", "--format", "discord")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var printed []json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &printed); err != nil {
		t.Fatal(err)
	}

	srv := fakediscord.New(t)
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	router, err := bot.NewRouter(bot.RouterConfig{Store: st, Briefer: bot.NewBriefer(st)})
	if err != nil {
		t.Fatal(err)
	}
	poster, err := discord.New(discord.Config{Token: "test-token", ApplicationID: srv.ApplicationID(), APIURL: srv.APIURL()}, router)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := poster.Post(context.Background(), bot.Delivery{ChannelID: fakediscord.DefaultChannelID, Briefing: postedBriefing(t, dsn)}); err != nil {
		t.Fatal(err)
	}
	sent := srv.Messages()[fakediscord.DefaultChannelID]
	if len(sent) != len(printed) || len(sent) == 0 {
		t.Fatalf("the poster sent %d messages, brief printed %d", len(sent), len(printed))
	}
	for i, m := range sent {
		// An on-demand post carries a random nonce, Discord's duplicate guard, which brief leaves out.
		var body map[string]any
		if err := json.Unmarshal(m.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body["nonce"] == nil || body["enforce_nonce"] != true {
			t.Errorf("message %d was sent without its nonce: %s", i, m.Body)
		}
		delete(body, "nonce")
		delete(body, "enforce_nonce")
		withoutNonce, _ := json.Marshal(body)
		if !sameJSONValue(t, withoutNonce, printed[i]) {
			t.Errorf("message %d sent\n%s\nprinted\n%s", i, withoutNonce, printed[i])
		}
	}
}

func TestUnescapeHTMLWritesOnlyThoseThreeEscapesAsCharacters(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":"\u003chttps://x.example|x\u003e \u0026amp;"}`, `{"a":"<https://x.example|x> &amp;"}`},
		{`{"a":"\\u003c is text","b":"\"\u003e\""}`, `{"a":"\\u003c is text","b":"\">\""}`},
		{`{"a":"\u00e9\n\u2028"}`, `{"a":"\u00e9\n\u2028"}`},
		{`["\\", "\u0026"]`, `["\\", "&"]`},
	}
	for _, tt := range tests {
		if got := string(unescapeHTML([]byte(tt.in))); got != tt.want {
			t.Errorf("unescapeHTML(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func FuzzUnescapeHTMLKeepsTheValue(f *testing.F) {
	for _, s := range []string{"<a href=\"x\">&amp;</a>", `\u003c`, "\\\"<>&\"\\", "\u2028<\x00>", "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data, err := json.Marshal(map[string]string{s: s})
		if err != nil {
			t.Skip()
		}
		var before, after any
		if err := json.Unmarshal(data, &before); err != nil {
			t.Fatal(err)
		}
		out := unescapeHTML(data)
		if err := json.Unmarshal(out, &after); err != nil {
			t.Fatalf("%s became invalid JSON %s: %v", data, out, err)
		}
		if !reflect.DeepEqual(before, after) {
			t.Fatalf("%s became %s", data, out)
		}
	})
}

// TestBriefIncludesAnArticleStoredThisSecond saves an article at the moment of briefing, as ingest
// does for an article without a date, and briefs it at once: topics counts it, and so must the
// briefing, whether now falls within a second or on one.
func TestBriefIncludesAnArticleStoredThisSecond(t *testing.T) {
	for _, tt := range []struct {
		name   string
		now    time.Time
		wantTo string
	}{
		{"within a second", time.Date(2026, 11, 27, 10, 11, 40, 890_000_000, time.UTC), "2026-11-27T10:11:41Z"},
		{"on a whole second", time.Date(2026, 11, 27, 10, 11, 40, 0, time.UTC), "2026-11-27T10:11:40Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "briefbot.db")
			st, err := store.Open(context.Background(), dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			a := &briefing.Article{
				Source: "Harbour Gazette", URL: "https://news.example/sea-wall", Headline: "Harbour council approves sea wall",
				Text:      "The harbour council approved a new sea wall on Monday.\n\n\"This wall will keep the water out of our homes,\" council leader Maria Okafor said.",
				Published: tt.now, FirstSeen: tt.now,
			}
			briefing.Analyze(a, briefing.AnalyzeOptions{})
			_, err = st.SaveArticle(context.Background(), a)
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runAt(t, tt.now, "brief", "--store", dsn, "--topic", "harbour", "--since", "1h", "--format", "json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var b struct {
				From, To string
				Stories  []briefing.Story
			}
			if err := json.Unmarshal([]byte(stdout), &b); err != nil {
				t.Fatal(err)
			}
			if len(b.Stories) != 1 || b.Stories[0].Headline != a.Headline {
				t.Errorf("the briefing has %d stories, want the article stored at %s:\n%s", len(b.Stories), tt.now.Format(time.RFC3339Nano), stdout)
			}
			if b.From != "2026-11-27T09:11:40Z" || b.To != tt.wantTo {
				t.Errorf("window %s to %s, want 2026-11-27T09:11:40Z to %s", b.From, b.To, tt.wantTo)
			}
		})
	}
}
