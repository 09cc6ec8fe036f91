package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunAndCheckReportEveryConfigProblemOnItsOwnLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "briefbot.yaml")
	bad := "store: briefbot.db\nchannels:\n  - platform: slak\n    topics: [ports]\n    timezone: Europe/Berln\nlog: {level: loud}\n"
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"run", "check"} {
		t.Run(cmd, func(t *testing.T) {
			code, _, errOut := runWith(t, "", nil, cmd, "--config", path)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			want := []string{
				"briefbot " + cmd + ": the configuration has 4 problems:",
				path + `:3: channels[0].platform: "slak" is not one of slack, discord, console`,
				path + `:4: channels[0].topics[0]: unknown topic "ports"`,
				path + `:5: channels[0].timezone: unknown time zone "Europe/Berln" — did you mean "Europe/Berlin"?`,
				path + `:6: log.level: "loud" is not one of debug, info, warn, error`,
			}
			if len(lines) != len(want) {
				t.Fatalf("stderr has %d lines, want %d:\n%s", len(lines), len(want), errOut)
			}
			for i := range want {
				if !strings.HasPrefix(lines[i], want[i]) {
					t.Errorf("line %d: %q, want it to start with %q", i+1, lines[i], want[i])
				}
			}
		})
	}
}

func TestRunFindsItsConfigInTheEnvironment(t *testing.T) {
	code, _, errOut := runWith(t, "", map[string]string{"BRIEFBOT_CONFIG": filepath.Join(t.TempDir(), "missing.yaml")}, "run")
	if code != 1 || !strings.Contains(errOut, "missing.yaml does not exist") {
		t.Errorf("run with BRIEFBOT_CONFIG naming a missing file: exit %d, %s", code, errOut)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "briefbot.yaml")
	yaml := "store: briefbot.db\nhttp: {listen: \"127.0.0.1:8080\"}\ntopics:\n  ports: {query: 'port OR harbour'}\n" +
		"channels:\n  - {platform: console, topics: [ports], schedule: \"07:30\", timezone: Europe/Berlin}\n"
	if err := os.WriteFile(good, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"a valid file is described and checked", []string{"check", "--config", good}, 0,
			[]string{"is valid", "console (standard output)", "ports", "port OR harbour", "07:30", "Europe/Berlin",
				"ok    store: SQLite " + filepath.Join(dir, "briefbot.db") + " does not exist yet", "All 1 checks passed."}, ""},
		{"offline skips the store", []string{"check", "--offline", "--config", good}, 0,
			[]string{"skip  store, Slack and Discord not checked"}, ""},
		{"no config file is an error", []string{"check"}, 1, nil, "no config file to check"},
		{"arguments are a usage error", []string{"check", "extra"}, 2, nil, "Usage: briefbot check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runWith(t, "", nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr lacks %q: %s", tt.stderr, errOut)
			}
		})
	}
}
