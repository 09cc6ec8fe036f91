package bot_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/config"
)

func TestParseText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bot.Request
	}{
		{"an empty command briefs the channel's topics", "", bot.Request{Command: bot.CommandChannel}},
		{"blanks alone brief the channel's topics", "  \t ", bot.Request{Command: bot.CommandChannel}},
		{"a window alone briefs the channel's topics over it", "3d", bot.Request{Command: bot.CommandChannel, Window: "3d"}},
		{"a topic is briefed now", "korea", bot.Request{Command: bot.CommandNow, Topic: "korea"}},
		{"a topic takes a window", "korea 24h", bot.Request{Command: bot.CommandNow, Topic: "korea", Window: "24h"}},
		{"a window's unit may be upper case", "korea 1W", bot.Request{Command: bot.CommandNow, Topic: "korea", Window: "1w"}},
		{"a quoted topic stays a phrase", `"north korea" 3d`, bot.Request{Command: bot.CommandNow, Topic: `"north korea"`, Window: "3d"}},
		{"curly quotes work like straight ones", "“north korea” 1w", bot.Request{Command: bot.CommandNow, Topic: `"north korea"`, Window: "1w"}},
		{"single quotes work like double ones", "‘north korea’ lavrov", bot.Request{Command: bot.CommandNow, Topic: `"north korea" lavrov`}},
		{"unquoted words before a window are one topic", "north korea 2d", bot.Request{Command: bot.CommandNow, Topic: "north korea", Window: "2d"}},
		{"search words are a topic", "lavrov", bot.Request{Command: bot.CommandNow, Topic: "lavrov"}},
		{"an apostrophe inside a word is text", "xi's speech", bot.Request{Command: bot.CommandNow, Topic: "xi's speech"}},
		{"a lone apostrophe at a word's start is text", "'90s", bot.Request{Command: bot.CommandNow, Topic: "'90s"}},
		{"a quoted window is a topic", `korea "3d"`, bot.Request{Command: bot.CommandNow, Topic: `korea "3d"`}},
		{"now is the Discord spelling of a brief", "now korea 2d", bot.Request{Command: bot.CommandNow, Topic: "korea", Window: "2d"}},
		{"now alone briefs the channel", "now", bot.Request{Command: bot.CommandChannel}},
		{"a quoted command name is a topic", `"topics"`, bot.Request{Command: bot.CommandNow, Topic: `"topics"`}},
		{"empty quotes are nothing", `"" korea`, bot.Request{Command: bot.CommandNow, Topic: "korea"}},
		{"topics lists topics", "topics", bot.Request{Command: bot.CommandTopics}},
		{"command names ignore case", "TOPICS", bot.Request{Command: bot.CommandTopics}},
		{"schedule shows the schedule", "schedule", bot.Request{Command: bot.CommandSchedule}},
		{"help shows help", "help", bot.Request{Command: bot.CommandHelp}},
		{"help takes a command name", "help Subscribe", bot.Request{Command: bot.CommandHelp, Topic: "subscribe"}},
		{"help takes another name of a command", "help unsub", bot.Request{Command: bot.CommandHelp, Topic: "unsubscribe"}},
		{"schedules shows the schedule", "Schedules", bot.Request{Command: bot.CommandSchedule}},
		{"? shows help", "?", bot.Request{Command: bot.CommandHelp}},
		{"unsub is short for unsubscribe", "unsub korea", bot.Request{Command: bot.CommandUnsubscribe, Topic: "korea"}},
		{"a quoted short command name is a topic", `"sub"`, bot.Request{Command: bot.CommandNow, Topic: `"sub"`}},
		{"subscribe takes a topic alone", "subscribe korea", bot.Request{Command: bot.CommandSubscribe, Topic: "korea"}},
		{"subscribe takes an unquoted cron spec and a time zone", "subscribe korea 0 8 * * 1-5 Asia/Seoul",
			bot.Request{Command: bot.CommandSubscribe, Topic: "korea", Schedule: "0 8 * * 1-5", Timezone: "Asia/Seoul"}},
		{"subscribe takes a quoted cron spec", `subscribe korea "0 8 * * 1-5"`,
			bot.Request{Command: bot.CommandSubscribe, Topic: "korea", Schedule: "0 8 * * 1-5"}},
		{"subscribe takes a cron spec with day names", "subscribe korea 30 7 * * MON-FRI UTC",
			bot.Request{Command: bot.CommandSubscribe, Topic: "korea", Schedule: "30 7 * * MON-FRI", Timezone: "UTC"}},
		{"subscribe takes a descriptor", "subscribe korea @daily",
			bot.Request{Command: bot.CommandSubscribe, Topic: "korea", Schedule: "@daily"}},
		{"subscribe takes @every with its duration", "subscribe korea @every 6h Europe/Berlin",
			bot.Request{Command: bot.CommandSubscribe, Topic: "korea", Schedule: "@every 6h", Timezone: "Europe/Berlin"}},
		{"subscribe takes a clock time", "subscribe korea 08:00 Europe/Berlin",
			bot.Request{Command: bot.CommandSubscribe, Topic: "korea", Schedule: "08:00", Timezone: "Europe/Berlin"}},
		{"subscribe takes a topic of several words", "subscribe north korea 7:30",
			bot.Request{Command: bot.CommandSubscribe, Topic: "north korea", Schedule: "7:30"}},
		{"subscribe takes a time zone without a schedule", "subscribe korea Asia/Seoul",
			bot.Request{Command: bot.CommandSubscribe, Topic: "korea", Timezone: "Asia/Seoul"}},
		{"sub is short for subscribe", "sub korea 9:00",
			bot.Request{Command: bot.CommandSubscribe, Topic: "korea", Schedule: "9:00"}},
		{"unsubscribe takes a topic", "unsubscribe korea", bot.Request{Command: bot.CommandUnsubscribe, Topic: "korea"}},
		{"unsubscribe takes a topic of several words", `unsubscribe "north korea"`,
			bot.Request{Command: bot.CommandUnsubscribe, Topic: `"north korea"`}},
		{"invalid UTF-8 is read, not refused", "kor\xffea", bot.Request{Command: bot.CommandNow, Topic: "kor\uFFFDea"}},
		{"control characters separate words", "korea\x003d", bot.Request{Command: bot.CommandNow, Topic: "korea", Window: "3d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bot.ParseText(tt.text)
			if err != nil {
				t.Fatalf("ParseText(%q): %v", tt.text, err)
			}
			if got != tt.want {
				t.Errorf("ParseText(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
			}
		})
	}
}

// Every word config.CommandWord names a command for (the words no topic may be named) is parsed
// as that command, never as a topic.
func TestParseTextTakesEveryCommandWordAsItsCommand(t *testing.T) {
	args := map[string]string{ // what makes each command complete
		bot.CommandHelp: "", bot.CommandTopics: "", bot.CommandSchedule: "",
		bot.CommandNow: " korea", bot.CommandSubscribe: " korea", bot.CommandUnsubscribe: " korea",
	}
	words := config.CommandWords()
	if len(words) < len(args) {
		t.Fatalf("config.CommandWords() = %q", words)
	}
	for _, w := range words {
		command, ok := config.CommandWord(w)
		arg, known := args[command]
		if !ok || !known {
			t.Errorf("config.CommandWord(%q) = %q, %v: not a command of the router", w, command, ok)
			continue
		}
		got, err := bot.ParseText(w + arg)
		if err != nil || got.Command != command {
			t.Errorf("ParseText(%q) = %+v, %v; want command %q", w+arg, got, err, command)
		}
	}
}

func TestParseTextRefusesMalformedCommands(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		wantInErr string
		wantUsage string
	}{
		{"an unclosed quotation mark", `"north korea 3d`, "not closed", ""},
		{"a zero window", "korea 0h", "at least", "/brief [topic] [window]"},
		{"a window over a year", "korea 400d", "longer than a year", "/brief [topic] [window]"},
		{"topics with arguments", "topics korea", "takes no arguments", "/brief topics"},
		{"schedule with arguments", "schedule 08:00", "takes no arguments", "/brief schedule"},
		{"subscribe without a topic", "subscribe", "Name the topic", "/brief subscribe"},
		{"unsubscribe without a topic", "unsubscribe", "Name the topic", "/brief unsubscribe"},
		{"words after the time zone", "subscribe korea 0 8 * * 1-5 Asia/Seoul please", "at most a time zone", "/brief subscribe"},
		{"help about two commands", "help subscribe topics", "at most one", "/brief help"},
		{"a command too long", "korea " + strings.Repeat("x", 2000), "too long", ""},
		{"a topic too long", strings.Repeat("korea ", 40), "too long", "/brief [topic] [window]"},
	}
	for _, tt := range tests {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			_, err := bot.ParseText(tt.text)
			if err == nil {
				t.Fatalf("ParseText(%q) = nil error", tt.text)
			}
			if !errors.Is(err, bot.ErrUsage) {
				t.Errorf("error %v does not match ErrUsage", err)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("error %q lacks %q", err, tt.wantInErr)
			}
			if tt.wantUsage != "" && !strings.Contains(err.Error(), "Usage: `"+tt.wantUsage) {
				t.Errorf("error %q lacks the usage line %q", err, tt.wantUsage)
			}
		})
	}
}

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"90m", 90 * time.Minute}, {"5min", 5 * time.Minute}, {"24h", 24 * time.Hour},
		{"3d", 72 * time.Hour}, {"1w", 7 * 24 * time.Hour}, {"366d", 366 * 24 * time.Hour}, {" 2D ", 48 * time.Hour},
	}
	for _, tt := range tests {
		got, err := bot.ParseWindow(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseWindow(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "0d", "53w", "367d", "1y", "d", "-1h", "1.5h", "999999w", "24"} {
		if d, err := bot.ParseWindow(bad); err == nil {
			t.Errorf("ParseWindow(%q) = %v, want an error", bad, d)
		}
	}
}

// FuzzParseText checks that no input panics, every failure is a usage error with a message, and
// every success parses into a request the router knows, with a valid window and bounded text.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"", "korea 24h", `"north korea" 3d`, "subscribe korea 0 8 * * 1-5 Asia/Seoul",
		`subscribe korea "0 8 * * 1-5"`, "subscribe korea @every 6h UTC", "unsubscribe «korea»", "help help",
		"„x“", "‘a b’ 3d", `"`, "'", "subscribe a 1 2 3 4 5 6", "now 99999w", "kor\xffea"} {
		f.Add(s)
	}
	known := map[string]bool{}
	for _, c := range bot.CommandSpecs() {
		known[c.Name] = true
	}
	known[bot.CommandChannel] = true
	f.Fuzz(func(t *testing.T, text string) {
		req, err := bot.ParseText(text)
		if err != nil {
			if !errors.Is(err, bot.ErrUsage) || err.Error() == "" {
				t.Fatalf("ParseText(%q): error %v is not a usage error with a message", text, err)
			}
			return
		}
		if !known[req.Command] {
			t.Fatalf("ParseText(%q): unknown command %q", text, req.Command)
		}
		if req.Window != "" {
			if _, err := bot.ParseWindow(req.Window); err != nil {
				t.Fatalf("ParseText(%q) accepted window %q: %v", text, req.Window, err)
			}
		}
		for _, s := range []string{req.Topic, req.Schedule, req.Timezone} {
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 1000 {
				t.Fatalf("ParseText(%q): field %q is not bounded valid UTF-8", text, s)
			}
		}
		if req.Command == bot.CommandNow && strings.TrimSpace(req.Topic) == "" {
			t.Fatalf("ParseText(%q): now without a topic", text)
		}
	})
}
