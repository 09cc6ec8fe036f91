package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
)

func TestTopicsListsEachTopicWithItsArticleCount(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "briefbot.db")
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
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
			Text: a.headline + ".", Published: now.Add(-a.age)}
		if _, err := st.SaveArticle(ctx, art); err != nil {
			t.Fatal(err)
		}
	}
	for _, tp := range []store.Topic{{Name: "korea", Query: `korea OR pyongyang -football`}, {Name: "bread", Query: `bread*`}} {
		if err := st.PutTopic(ctx, tp); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	cases := []struct {
		name string
		args []string
		want []string // lines, fields separated by single spaces
	}{
		{"all articles", []string{"--store", dsn}, []string{"TOPIC ARTICLES QUERY", "bread 1 bread*", "korea 2 korea OR pyongyang -football"}},
		{"the last two hours", []string{"--store", dsn, "--since", "150m"}, []string{"TOPIC LAST 2h30m0s QUERY", "bread 1 bread*", "korea 1 korea OR pyongyang -football"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			env := &Env{Stdout: &out, Stderr: &errOut}
			if code := run(ctx, env, append([]string{"topics"}, c.args...)); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				got = append(got, strings.Join(strings.Fields(line), " "))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestTopicsRefusesADatabaseItCannotOpen(t *testing.T) {
	var out, errOut bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errOut}
	if code := run(context.Background(), env, []string{"topics", "--store", "mysql://nowhere/db"}); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), "unsupported DSN scheme") {
		t.Errorf("stderr = %q", errOut.String())
	}
}
