package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

// briefbotProcess is `briefbot ARGS…` running as a process of its own in dir.
type briefbotProcess struct {
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer
	done           chan error
}

// startBriefbot starts briefbot with args in dir, stdin its standard input (nil: none).
func startBriefbot(t *testing.T, dir string, stdin *os.File, args ...string) *briefbotProcess {
	t.Helper()
	p := &briefbotProcess{done: make(chan error, 1)}
	p.cmd = exec.Command(os.Args[0], args...)
	p.cmd.Dir = dir
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "BRIEFBOT_CONFIG=") || strings.HasPrefix(kv, "SLACK_") || strings.HasPrefix(kv, "DISCORD_")
	})
	p.cmd.Env = append(env, envRunMain+"=1")
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if stdin != nil {
		p.cmd.Stdin = stdin
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case err := <-p.done:
			p.done <- err
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("briefbot's log:\n%s", p.stderr.String())
		}
	})
	return p
}

func (p *briefbotProcess) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("%v: %v", sig, err)
	}
}

const reloadBase = `store: briefbot.db
http: {listen: "127.0.0.1:0"}
topics:
  ports: {query: 'port OR dockworkers OR harbour'}
channels:
  - {platform: console, topics: [ports], schedule: "07:00"}
`

// reloadChanged adds a topic and a channel subscribed to it, turns debug logging on and changes
// the retention, which applies only at a restart.
const reloadChanged = `store: briefbot.db
http: {listen: "127.0.0.1:0"}
topics:
  economy: {query: '"central bank" OR inflation'}
  ports: {query: 'port OR dockworkers OR harbour'}
channels:
  - {platform: console, topics: [ports], schedule: "07:00"}
  - {platform: console, id: desk, topics: [economy], schedule: "06:00"}
retention: {ledger: 30d}
log: {level: debug}
`

// SIGHUP makes briefbot run read its file again: a new topic and subscription reach the store
// and the scheduler, a section read only at start is named, and a file with problems is
// reported and leaves briefbot running on what it had.
func TestRunReloadsItsConfigurationOnSIGHUP(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "briefbot.yaml")
	write := func(yaml string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(reloadBase)
	p := startBriefbot(t, dir, nil, "run") // ./briefbot.yaml, found without --config
	waitLog(t, &p.stderr, `msg="briefbot running"`)
	if want := `msg="configuration read" file=` + file; !strings.Contains(p.stderr.String(), want) {
		t.Errorf("the log lacks %s", want)
	}
	addr := regexp.MustCompile(`msg="briefbot running" http_addr=(\S+)`).FindStringSubmatch(p.stderr.String())[1]

	write(reloadChanged)
	p.signal(t, syscall.SIGHUP)
	waitLog(t, &p.stderr, `msg="configuration reloaded"`)
	waitLog(t, &p.stderr, "subscriptions=2 new=1") // msg="subscriptions loaded" component=scheduler …
	log := p.stderr.String()
	for _, want := range []string{
		`msg="SIGHUP: reloading the configuration" file=` + file,
		`msg="configuration reloaded" file=` + file + ` topics=2`, // the same absolute path
		`topics=2 topics_removed=0 subscriptions=2 subscriptions_removed=0 log_level=debug restart_needed=[retention]`,
		`msg="retention changed: restart briefbot to apply" section=retention`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %s", want)
		}
	}
	checkStore := func(when string) {
		t.Helper()
		st, err := store.Open(context.Background(), filepath.Join(dir, "briefbot.db"), store.Options{NoMigrate: true})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		topics, err := st.Topics(context.Background())
		if err != nil || len(topics) != 2 || topics[0].Name != "economy" {
			t.Errorf("%s: the store's topics are %+v (%v), want economy and ports", when, topics, err)
		}
		subs, err := st.Subscriptions(context.Background())
		if err != nil || len(subs) != 2 {
			t.Fatalf("%s: the store's subscriptions are %+v (%v), want two", when, subs, err)
		}
		found := false
		for _, s := range subs {
			found = found || s.Topic == "economy" && s.ChannelID == "desk" && s.Schedule == "0 6 * * *"
		}
		if !found {
			t.Errorf("%s: no subscription of desk to economy at 06:00 in %+v", when, subs)
		}
	}
	checkStore("after the reload")

	// A file with problems changes nothing: each problem is logged, briefbot goes on.
	write(reloadBase + "log: {level: loud}\nschedule: {grace: soon}\n")
	p.signal(t, syscall.SIGHUP)
	waitLog(t, &p.stderr, `configuration not reloaded: it has 2 problems; still running on the previous one`)
	// As briefbot check prints them: the file as it was found (./briefbot.yaml), line, field.
	waitLog(t, &p.stderr, `msg="briefbot.yaml:7: log.level: \"loud\" is not one of debug, info, warn, error"`)
	waitLog(t, &p.stderr, `msg="briefbot.yaml:8: schedule.grace: \"soon\" is not a duration`)
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("briefbot stopped after a bad reload: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz after a bad reload: %d", resp.StatusCode)
	}
	checkStore("after a bad file")

	p.signal(t, syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Errorf("briefbot run exited with %v after SIGTERM", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("briefbot run did not stop within 30s of SIGTERM")
	}
	if !strings.Contains(p.stderr.String(), `msg="briefbot stopped"`) {
		t.Error(`no "briefbot stopped" in the log`)
	}
}

// Other commands still stop cleanly on SIGHUP: the demo reading commands from a terminal that
// goes away ends with its closing words and status 0.
func TestSIGHUPStopsTheOtherCommands(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close() // the input never ends: only the signal can stop the demo
	p := startBriefbot(t, t.TempDir(), r, "demo", "--commands", "-")
	r.Close()
	waitLog(t, &p.stdout, "Type /brief help")
	p.signal(t, syscall.SIGHUP)
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Errorf("briefbot demo ended with %v on SIGHUP, want a clean exit", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("briefbot demo did not stop within 30s of SIGHUP")
	}
	if !strings.Contains(p.stdout.String(), "To run briefbot for real") {
		t.Errorf("the demo did not end with its closing words:\n%s", p.stdout.String())
	}
}
