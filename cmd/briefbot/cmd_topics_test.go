package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

// topicsStore makes a SQLite store of four articles, dated from briefNow, with the topics korea
// and bread, and returns its path.
func topicsStore(t *testing.T) string {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "briefbot.db")
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i, a := range []struct {
		headline string
		age      time.Duration
	}{
		{"Koreas agree to resume talks at the border", time.Hour},
		{"Pyongyang fires a missile into the sea", 3 * time.Hour},
		{"South Korea wins the football final", 72 * time.Hour},
		{"Village bakery wins a bread prize", 2 * time.Hour},
	} {
		art := &briefing.Article{Source: "test", URL: "https://test.example/" + string(rune('a'+i)), Headline: a.headline,
			Text: a.headline + ".", Published: briefNow.Add(-a.age)}
		if _, err := st.SaveArticle(ctx, art); err != nil {
			t.Fatal(err)
		}
	}
	for _, tp := range []store.Topic{{Name: "korea", Query: `korea OR pyongyang -football`}, {Name: "bread", Query: `bread*`}} {
		if err := st.PutTopic(ctx, tp); err != nil {
			t.Fatal(err)
		}
	}
	return dsn
}

// fields returns out's lines with their fields separated by single spaces.
func fields(out string) string {
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		lines = append(lines, strings.Join(strings.Fields(line), " "))
	}
	return strings.Join(lines, "\n")
}

func TestTopicsListsEachTopicWithItsArticleCount(t *testing.T) {
	dsn := topicsStore(t)
	cases := []struct {
		name string
		args []string
		want []string // lines, fields separated by single spaces
	}{
		{"all articles", []string{"--store", dsn}, []string{"TOPIC ARTICLES QUERY", "bread 1 bread*", "korea 2 korea OR pyongyang -football"}},
		{"--since 0 counts all", []string{"--store", dsn, "--since", "0"}, []string{"TOPIC ARTICLES QUERY", "bread 1 bread*", "korea 2 korea OR pyongyang -football"}},
		{"the last two and a half hours", []string{"--store", dsn, "--since", "150m"},
			[]string{"Articles published since Fri 27 Nov 05:30 UTC:", "TOPIC ARTICLES QUERY", "bread 1 bread*", "korea 1 korea OR pyongyang -football"}},
		{"a window in days, as brief takes it", []string{"--store", dsn, "--since", "3d"},
			[]string{"Articles published since Tue 24 Nov 08:00 UTC:", "TOPIC ARTICLES QUERY", "bread 1 bread*", "korea 2 korea OR pyongyang -football"}},
		{"a Go duration", []string{"--store", dsn, "--since", "1h30m"},
			[]string{"Articles published since Fri 27 Nov 06:30 UTC:", "TOPIC ARTICLES QUERY", "bread 0 bread*", "korea 1 korea OR pyongyang -football"}},
		{"the window's start in a time zone", []string{"--since", "1w", "--timezone", "Asia/Seoul", "--store", dsn},
			[]string{"Articles published since Fri 20 Nov 17:00 KST:", "TOPIC ARTICLES QUERY", "bread 1 bread*", "korea 2 korea OR pyongyang -football"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runAt(t, briefNow, append([]string{"topics"}, c.args...)...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got, want := fields(stdout), strings.Join(c.want, "\n"); got != want {
				t.Errorf("output:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestTopicsErrorsAreOneLine(t *testing.T) {
	dsn := topicsStore(t)
	missing := filepath.Join(filepath.Dir(dsn), "missing.db")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a window that is no duration", []string{"--store", dsn, "--since", "yesterday"}, 1,
			`--since "yesterday": want how far back to look, such as 90m, 24h, 3d or 1w`},
		{"a window over a year", []string{"--store", dsn, "--since", "10000h"}, 1,
			`--since: window "10000h" is longer than a year`},
		{"a mistyped time zone", []string{"--store", dsn, "--since", "1d", "--timezone", "Europe/Moskow"}, 1,
			`--timezone "Europe/Moskow" is not a time zone; did you mean Europe/Moscow?`},
		{"a store that does not exist is not created", []string{"--store", missing}, 1,
			"there is no store at " + missing + ": ingest articles first (briefbot ingest --store " + missing +
				" PATH|URL…) or name the store with --store"},
		{"a database it cannot open", []string{"--store", "mysql://nowhere/db"}, 1,
			`store: open: unsupported DSN scheme "mysql": use a file path (SQLite) or postgres://`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runAt(t, briefNow, append([]string{"topics"}, tt.args...)...)
			if want := "briefbot topics: " + tt.want + "\n"; code != tt.code || stdout != "" || stderr != want {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d and:\n%s", code, stdout, stderr, tt.code, want)
			}
		})
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("listing the topics of a store that does not exist created it")
	}
}
