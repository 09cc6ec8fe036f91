package config_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
)

func TestDurationsAcceptDays(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		out  string
	}{
		{"90s", 90 * time.Second, "1m30s"},
		{"10m", 10 * time.Minute, "10m"},
		{"1h30m", 90 * time.Minute, "1h30m"},
		{"24h", 24 * time.Hour, "24h"},
		{"7d", 7 * 24 * time.Hour, "7d"},
		{"1d12h", 36 * time.Hour, "36h"},
		{"2d1h", 49 * time.Hour, "2d1h"},
		{"0", 0, "0s"},
		{"1.5s", 1500 * time.Millisecond, "1.5s"},
		{"250ms", 250 * time.Millisecond, "250ms"},
		{"-1h", -time.Hour, "-1h"},
	}
	for _, tt := range tests {
		got, err := config.ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if s := config.FormatDuration(tt.want); s != tt.out {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.want, s, tt.out)
		}
		if back, err := config.ParseDuration(tt.out); err != nil || back != tt.want {
			t.Errorf("ParseDuration(FormatDuration(%v)) = %v, %v", tt.want, back, err)
		}
	}
	for _, bad := range []string{"", "d", "7 days", "1.5d", "-1d", "1d-1h", "1h2d", "99999999999999d", "10"} {
		if got, err := config.ParseDuration(bad); err == nil && bad != "10" {
			t.Errorf("ParseDuration(%q) = %v, want an error", bad, got)
		}
	}
}

func TestSizesAreBinary(t *testing.T) {
	tests := []struct {
		in   string
		want config.ByteSize
		out  string
	}{
		{"100", 100, "100"},
		{"512KB", 512 << 10, "512KB"},
		{"5MB", 5 << 20, "5MB"},
		{"5 MiB", 5 << 20, "5MB"},
		{"1g", 1 << 30, "1GB"},
		{"1536KB", 1536 << 10, "1536KB"},
		{"0", 0, "0"},
	}
	for _, tt := range tests {
		got, err := config.ParseByteSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
		if s := tt.want.String(); s != tt.out {
			t.Errorf("ByteSize(%d).String() = %q, want %q", tt.want, s, tt.out)
		}
	}
	for _, bad := range []string{"", "MB", "5 megs", "-5MB", "1.5MB", "99999999999GB"} {
		if got, err := config.ParseByteSize(bad); err == nil {
			t.Errorf("ParseByteSize(%q) = %d, want an error", bad, got)
		}
	}
}

func TestAnchorsAndMergeKeysShareSettings(t *testing.T) {
	cfg := mustParse(t, `
x-morning: &morning
  schedule: "08:00"
  timezone: Asia/Seoul
  stories: 3
topics:
  korea: {query: korea}
  china: {query: china}
channels:
  - <<: *morning
    platform: console
    id: a
    topics: [korea]
  - <<: *morning
    platform: console
    id: b
    topics: [china]
    stories: 7
`, nil)
	for i, want := range []int{3, 7} {
		ch := cfg.Channels[i]
		if ch.Schedule != "08:00" || ch.Timezone != "Asia/Seoul" || ch.Stories != want {
			t.Errorf("channels[%d] = schedule %q, zone %q, stories %d; want 08:00, Asia/Seoul, %d", i, ch.Schedule, ch.Timezone, ch.Stories, want)
		}
	}
}

func TestAMergeKeyBringsItsUnknownKeysToLight(t *testing.T) {
	got := problemsOf(t, `
x-base: &base {tz: UTC}
topics: {korea: {query: korea}}
channels:
  - {<<: *base, platform: console, topics: [korea]}
`, nil)
	want := []string{`channels[0].tz: unknown key — did you mean "timezone"?`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAliasExpansionIsBounded(t *testing.T) {
	// Each level merges ten aliases of the one before: 10^8 merges if expanded.
	var b strings.Builder
	b.WriteString("x-0: &a0 {stories: 3}\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "x-%d: &a%d {<<: [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]}\n")
	}
	b.WriteString("topics: {korea: {query: korea}}\nchannels:\n  - {<<: *a8, platform: console, topics: [korea]}\n")
	done := make(chan error, 1)
	go func() {
		_, err := config.Parse([]byte(b.String()), nil)
		done <- err
	}()
	select {
	case err := <-done:
		var cerr *config.Error
		if !errors.As(err, &cerr) {
			t.Fatalf("Parse: %v, want a problem", err)
		}
		found := false
		for _, p := range cerr.Problems {
			found = found || strings.Contains(p.Message, "expands to more than 100000 values")
		}
		if !found {
			t.Errorf("no problem about the expansion in:\n%v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Parse of an alias bomb did not return")
	}
}

func TestLogSettingsMakeALogger(t *testing.T) {
	var buf bytes.Buffer
	logger := config.Log{Level: "warn", Format: config.LogJSON}.NewLogger(&buf)
	logger.Info("hidden")
	logger.Warn("shown", "channel_id", "C1")
	out := buf.String()
	if strings.Contains(out, "hidden") || !strings.Contains(out, `"msg":"shown"`) || !strings.Contains(out, `"channel_id":"C1"`) {
		t.Errorf("log output = %q", out)
	}
	if got := (config.Log{Level: "debug"}).SlogLevel(); got != slog.LevelDebug {
		t.Errorf("SlogLevel(debug) = %v", got)
	}
}

func TestALoggerAtALevelVarFollowsIt(t *testing.T) {
	var buf bytes.Buffer
	var level slog.LevelVar
	level.Set(slog.LevelWarn)
	logger := config.Log{Format: config.LogText}.NewLoggerAt(&buf, &level)
	logger.Info("before")
	level.Set(slog.LevelInfo)
	logger.Info("after")
	out := buf.String()
	if strings.Contains(out, "before") || !strings.Contains(out, "msg=after") {
		t.Errorf("log output = %q, want only the line logged after the level went down to info", out)
	}
}

func TestLoggingAConfigShowsNoSecret(t *testing.T) {
	cfg, err := config.Load(exampleFile, env(fakeSecrets))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store = "postgres://bb:pw-in-url@db/bb"
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config loaded", "config", cfg)
	out := buf.String()
	for name, secret := range fakeSecrets {
		if strings.Contains(out, secret) {
			t.Errorf("%s appears in the log line %q", name, out)
		}
	}
	if strings.Contains(out, "pw-in-url") || !strings.Contains(out, "config.channels=2") || !strings.Contains(out, "config.slack=true") {
		t.Errorf("log line = %q", out)
	}
	if s := fmt.Sprintf("%v", cfg); strings.Contains(s, fakeSecrets["SLACK_BOT_TOKEN"]) || !strings.Contains(s, "xoxb-…(redacted)") {
		t.Errorf("fmt of a *Config shows a secret or no redaction:\n%s", s)
	}
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		"store: briefbot.db\n",
		"topics: {korea: {query: korea}}\nchannels:\n  - {platform: console, topics: [korea], schedule: '08:00'}\n",
		"slack: {bot_token: ${SLACK_BOT_TOKEN}}\n",
		"sources:\n  - {name: a, feed: 'https://example.com/f', every: 7d}\n",
		"x-a: &a {timezone: UTC}\nchannels:\n  - <<: *a\n",
		"a: &a [*a]\n",
		"store: ${\n",
		"channels: [[[]]]\n",
		"topics: {? [a]: b}\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	getenv := env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1-2", "X": "${X}"})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := config.Parse(data, getenv)
		if err != nil {
			var cerr *config.Error
			if !errors.As(err, &cerr) || len(cerr.Problems) == 0 {
				t.Fatalf("Parse error %v is not a *config.Error with problems", err)
			}
			return
		}
		// A valid config dumps to YAML that parses back to the same dump.
		again, err := config.Parse(cfg.YAML(), getenv)
		if err != nil {
			t.Fatalf("Parse(YAML()) of a valid config: %v\n%s", err, cfg.YAML())
		}
		if a, b := cfg.YAML(), again.YAML(); !bytes.Equal(a, b) {
			t.Fatalf("round trip differs:\n%s\nvs\n%s", a, b)
		}
	})
}
