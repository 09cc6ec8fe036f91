package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runWith runs briefbot with stdin and an environment, and returns the exit status, stdout and
// stderr.
func runWith(t *testing.T, stdin string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &Env{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := run(ctx, e, args)
	return code, stdout.String(), stderr.String()
}

func TestDemo(t *testing.T) {
	// What every run of the demo shows: both demo topics briefed, with their stories and speakers,
	// the help hint, and how to go on.
	always := []string{
		"Ingested 9 articles: 9 new",
		"Briefing: ports", "Port of Valmora", "Marta Kowalczyk", "Daniel Osei",
		"Coastal Herald", "Northwind Press", "Daily Ledger",
		"Briefing: economy", "Bank of Arland holds rates", "Ilse Brandt",
		"Type /brief help",
		"briefbot run --config briefbot.yaml", "SLACK_BOT_TOKEN", "DISCORD_TOKEN",
	}
	tests := []struct {
		name  string
		args  []string
		stdin string
		env   map[string]string
		want  []string
		not   []string
	}{
		{
			name: "a command given on standard input is answered with the drought story and its speakers",
			args: []string{"demo", "--commands", "-"}, stdin: "/brief drought\n",
			want: []string{"$ /brief drought", "Briefing: drought", "Drought: Eastern Arland to ration tap water from Monday",
				"Tomas Reyes, environment minister", "Helena Varga"},
		},
		{
			name: "help, topics and a search work as in chat, and quit ends the session",
			args: []string{"demo", "--commands", "-"}, stdin: "help\n/brief topics\n/brief Kowalczyk 3d\nquit\n/brief drought\n",
			want: []string{"briefbot sends key-quote news briefings", "/brief subscribe", "• economy", "• ports",
				"Briefing: Kowalczyk"},
			not: []string{"$ /brief drought"},
		},
		{
			name: "a malformed command gets its usage, not a failure",
			args: []string{"demo", "--commands", "-"}, stdin: "/brief subscribe\n/weather\n",
			want: []string{"Name the topic to subscribe this channel to.", "Only /brief works here"},
		},
		{
			name: "without input it briefs and ends",
			args: []string{"demo"}, stdin: "",
		},
		{
			name: "standard input that is no terminal is not read",
			args: []string{"demo"}, stdin: "/brief drought\n",
			not: []string{"$ /brief drought", "Helena Varga", "Type quit"},
		},
		{
			name: "run without a config file is the demo",
			args: []string{"run"}, stdin: "/brief drought\n",
			not: []string{"$ /brief drought"},
		},
		{
			name: "a bare briefbot is the demo",
			args: nil, stdin: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runWith(t, tt.stdin, tt.env, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, errOut)
			}
			for _, want := range append(always, tt.want...) {
				if !strings.Contains(out, want) {
					t.Errorf("the demo's output lacks %q", want)
				}
			}
			for _, not := range tt.not {
				if strings.Contains(out, not) {
					t.Errorf("the demo's output holds %q", not)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s\nstderr:\n%s", out, errOut)
			}
		})
	}
}

func TestDemoKeepsItsFilesInDir(t *testing.T) {
	dir := t.TempDir()
	for range 2 { // a second run starts afresh
		code, out, errOut := runWith(t, "", nil, "demo", "--dir", dir)
		if code != 0 || !strings.Contains(out, "Ingested 9 articles: 9 new") {
			t.Fatalf("demo --dir: exit %d\n%s\n%s", code, out, errOut)
		}
	}
}

func TestDemoAnswersTheCommandsOfAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "commands.txt")
	if err := os.WriteFile(file, []byte("/brief drought\n/brief topics\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runWith(t, "/brief Kowalczyk\n", nil, "demo", "--commands", file)
	if code != 0 || !strings.Contains(out, "$ /brief drought") || !strings.Contains(out, "Helena Varga") ||
		!strings.Contains(out, "$ /brief topics") || strings.Contains(out, "Kowalczyk\n$") || strings.Contains(out, "$ /brief Kowalczyk") {
		t.Errorf("demo --commands FILE: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = runWith(t, "", nil, "demo", "--commands", filepath.Join(t.TempDir(), "missing.txt"))
	if code != 1 || !strings.Contains(errOut, "briefbot demo: commands: open ") {
		t.Errorf("demo --commands naming a missing file: exit %d, %s", code, errOut)
	}
}

// A pipe that stays open (sleep 15 | briefbot demo, docker run -i) does not keep the demo
// waiting: without a terminal it ends once the briefings are shown.
func TestDemoWithAnOpenPipeForInputEndsOnceTheBriefingsAreShown(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	var stdout, stderr lockedBuffer
	env := &Env{Stdin: r, Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	for _, args := range [][]string{{"demo"}, {"run"}} {
		code := make(chan int, 1)
		go func() { code <- run(context.Background(), env, args) }()
		select {
		case c := <-code:
			if c != 0 {
				t.Errorf("%s: exit %d\n%s", args[0], c, stderr.String())
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("briefbot %s kept reading a pipe that stays open", args[0])
		}
	}
	if n := strings.Count(stdout.String(), "Briefing: ports"); n != 2 {
		t.Errorf("%d briefings of ports, want one per demo:\n%s", n, stdout.String())
	}
}
