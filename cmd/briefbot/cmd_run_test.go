package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
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
				"ok    store: SQLite " + filepath.Join(dir, "briefbot.db") + " does not exist yet", "The check passed."}, ""},
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

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRunServesUntilItsContextEndsThenExitsZero(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "briefbot.yaml")
	yaml := "store: briefbot.db\ntopics:\n  ports: {query: port}\nchannels:\n  - {platform: console, topics: [ports], schedule: \"@hourly\"}\n"
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr lockedBuffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, env, []string{"run", "--config", path, "--listen", "127.0.0.1:0", "--replica-id", "test-1"})
	}()

	addr := regexp.MustCompile(`msg="briefbot running" http_addr=(\S+)`)
	deadline := time.Now().Add(20 * time.Second)
	var m []string
	for m = addr.FindStringSubmatch(stderr.String()); m == nil; m = addr.FindStringSubmatch(stderr.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("briefbot run did not start within 20s:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond) // the log is the only sign of readiness a user has too
	}
	resp, err := http.Get("http://" + m[1] + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"replica": "test-1"`) {
		t.Errorf("/healthz: %d %s", resp.StatusCode, body)
	}

	cancel() // as SIGTERM does
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit %d after a clean stop:\n%s", c, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("briefbot run did not stop within 20s of its context ending")
	}
	if !strings.Contains(stderr.String(), `msg="briefbot stopped"`) {
		t.Errorf("no 'briefbot stopped' in the log:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "briefbot.db")); err != nil {
		t.Errorf("the store is not next to the config file: %v", err)
	}
}

// Without --config and $BRIEFBOT_CONFIG, run, check, brief and topics read ./briefbot.yaml; the
// flag and the variable still come first.
func TestCommandsReadBriefbotYAMLInTheWorkingDirectory(t *testing.T) {
	work := t.TempDir()
	t.Chdir(work)
	bad := "store: briefbot.db\nlog: {level: loud}\n"
	if err := os.WriteFile("briefbot.yaml", []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"run"}, nil, {"check"}, {"topics"}, {"brief", "--topic", "ports"}} {
		name := "briefbot"
		if len(args) > 0 {
			name = args[0]
		}
		t.Run(name, func(t *testing.T) {
			code, _, errOut := runWith(t, "", nil, args...)
			if code != 1 || !strings.Contains(errOut, `briefbot.yaml:2: log.level: "loud" is not one of`) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 with the problem of ./briefbot.yaml", code, errOut)
			}
		})
	}

	good := "store: briefbot.db\ntopics:\n  ports: {query: port}\nchannels:\n  - {platform: console, topics: [ports]}\n"
	if err := os.WriteFile("briefbot.yaml", []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runWith(t, "", nil, "check", "--offline")
	if code != 0 || !strings.Contains(out, "briefbot.yaml") || !strings.Contains(out, "port") {
		t.Errorf("check of ./briefbot.yaml: exit %d\n%s\n%s", code, out, errOut)
	}
	// The flag and the environment win over ./briefbot.yaml.
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"--config", nil, []string{"check", "--config", missing}},
		{"$BRIEFBOT_CONFIG", map[string]string{"BRIEFBOT_CONFIG": missing}, []string{"check"}},
		{"$BRIEFBOT_CONFIG for run", map[string]string{"BRIEFBOT_CONFIG": missing}, []string{"run"}},
	} {
		code, _, errOut := runWith(t, "", tt.env, tt.args...)
		if code != 1 || !strings.Contains(errOut, "missing.yaml does not exist") {
			t.Errorf("%s naming a missing file, with ./briefbot.yaml present: exit %d, %s", tt.name, code, errOut)
		}
	}

	// run reads it and says so.
	var stdout, stderr lockedBuffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code2 := make(chan int, 1)
	go func() { code2 <- run(ctx, env, []string{"run", "--listen", "127.0.0.1:0"}) }()
	waitLog(t, &stderr, `msg="briefbot running"`)
	cancel()
	if c := <-code2; c != 0 {
		t.Errorf("run exited %d:\n%s", c, stderr.String())
	}
	want := `msg="configuration read" file=` + filepath.Join(work, "briefbot.yaml")
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("the log lacks %q:\n%s", want, stderr.String())
	}
	if strings.Contains(stdout.String(), "demo") {
		t.Errorf("run started the demo:\n%s", stdout.String())
	}
	if _, err := os.Stat(filepath.Join(work, "briefbot.db")); err != nil {
		t.Errorf("the store of ./briefbot.yaml was not made: %v", err)
	}
}

// waitLog waits until the log holds s: the log is the only sign of readiness a user has too.
func waitLog(t *testing.T, log *lockedBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(log.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s in the log within 20s:\n%s", s, log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
