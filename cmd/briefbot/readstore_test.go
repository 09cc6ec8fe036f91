package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing"
	"github.com/briefbot/briefbot/briefing/store"
	"github.com/briefbot/briefbot/config"
)

// runWithEnv runs briefbot with args on the tests' clock and the environment vars, and returns
// the exit status, stdout and stderr.
func runWithEnv(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return vars[k] },
		Now: func() time.Time { return briefNow }}
	code := run(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

// configStore ingests the demo's articles into briefbot.db, without the config file's topics
// (briefbot run has not synced them); the store holds a topic made by /brief topic (harbour) and
// one an earlier config file declared (bygone). Next to it is briefbot.yaml, whose store it is, with
// the topics waterfront and drought. It returns the config file, the store and the articles'
// folder.
func configStore(t *testing.T) (cfgFile, dsn, dir string) {
	t.Helper()
	dsn, dir = demoStore(t)
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tp := range []store.Topic{{Name: "ports"}, {Name: "economy"}} {
		if err := st.DeleteTopic(context.Background(), tp.Name); err != nil {
			t.Fatal(err)
		}
	}
	for _, tp := range []store.Topic{
		{Name: "harbour", Query: "harbour"},
		{Name: "bygone", Query: "strike", FromConfig: true},
		{Name: "drought", Query: "zanzibar"}, // the file's query replaces this one
	} {
		if err := st.PutTopic(context.Background(), tp); err != nil {
			t.Fatal(err)
		}
	}
	cfgFile = filepath.Join(filepath.Dir(dsn), "briefbot.yaml")
	yaml := "store: briefbot.db\ntopics:\n  waterfront: {query: 'port OR dockworkers OR harbour'}\n  drought: {query: 'drought OR rain'}\n"
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfgFile, dsn, dir
}

func TestTopicsKnowsTheConfigFilesTopics(t *testing.T) {
	cfgFile, dsn, _ := configStore(t)
	withConfig := []string{"TOPIC ARTICLES QUERY", "drought 1 drought OR rain", "harbour 3 harbour", "waterfront 4 port OR dockworkers OR harbour"}
	missing := filepath.Join(filepath.Dir(dsn), "other.db")
	tests := []struct {
		name string
		vars map[string]string
		args []string
		want []string
	}{
		{"the store's topics alone", nil, []string{"--store", dsn},
			[]string{"TOPIC ARTICLES QUERY", "bygone 4 strike", "drought 0 zanzibar", "harbour 3 harbour"}},
		{"--config: the file's store and its topics", nil, []string{"--config", cfgFile}, withConfig},
		{"$BRIEFBOT_CONFIG names the file", map[string]string{config.EnvConfig: cfgFile}, nil, withConfig},
		{"--config wins over $BRIEFBOT_CONFIG", map[string]string{config.EnvConfig: missing}, []string{"--config", cfgFile}, withConfig},
		{"--store with --config", nil, []string{"--config", cfgFile, "--store", dsn}, withConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runWithEnv(t, tt.vars, append([]string{"topics"}, tt.args...)...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got, want := fields(stdout), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("output:\n%s\nwant:\n%s", got, want)
			}
		})
	}

	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	topics, err := st.Topics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(topics) != 3 || topics[1].Name != "drought" || topics[1].Query != "zanzibar" {
		t.Errorf("the store's topics are now %+v: reading with --config wrote the store", topics)
	}
}

func TestReadingCommandsWithAConfigFile(t *testing.T) {
	cfgFile, dsn, dir := configStore(t)
	missing := filepath.Join(dir, "missing.db")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("topics:\n  Water Front: {query: port}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(empty, []byte("store: "+dsn+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	emptyStore := filepath.Join(dir, "empty.db")
	if code, _, stderr := runWithEnv(t, nil, "ingest", "--store", emptyStore, filepath.Join(dir, "06-daily-ledger-drought.json")); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	tests := []struct {
		name   string
		vars   map[string]string
		args   []string
		code   int
		stdout string // stdout, whole
		stderr string // stderr, whole
	}{
		{"brief: a topic of the file is unknown without it", nil, []string{"brief", "--store", dsn, "--topic", "waterfront"}, 1, "",
			`briefbot brief: "waterfront" is not a topic and matches no stored article; the topics are bygone, drought, harbour` + "\n"},
		{"brief: a mistyped topic of the file", nil, []string{"brief", "--config", cfgFile, "--topic", "waterfornt"}, 1, "",
			`briefbot brief: "waterfornt" is not a topic and matches no stored article; did you mean waterfront?` + "\n"},
		{"brief: a topic the file no longer declares", map[string]string{config.EnvConfig: cfgFile}, []string{"brief", "--topic", "bygone"}, 1, "",
			`briefbot brief: "bygone" is not a topic and matches no stored article; the topics are drought, harbour, waterfront` + "\n"},
		{"brief: --store wins over the file's store", nil, []string{"brief", "--config", cfgFile, "--store", missing, "--topic", "drought"}, 1, "",
			"briefbot brief: there is no store at " + missing + ": ingest articles first (briefbot ingest --store " + missing +
				" PATH|URL…) or name the store with --store\n"},
		{"brief: --store with the file's topics", nil, []string{"brief", "--config", cfgFile, "--store", emptyStore, "--topic", "waterfront", "--since", "30m"}, 0,
			"Nothing new on waterfront since Fri 27 Nov 07:30 UTC.\n", ""},
		{"brief: --config does not go with files", nil, []string{"brief", "--config", cfgFile, dir}, 2, "",
			"briefbot brief: --config briefs the store; it does not go with files (briefbot brief --help lists the flags)\n"},
		{"brief: files leave $BRIEFBOT_CONFIG alone", map[string]string{config.EnvConfig: missing}, []string{"brief", "--format", "json", dir}, 0, "", ""},
		{"brief: a config file that does not exist", nil, []string{"brief", "--config", missing, "--topic", "drought"}, 1, "",
			"briefbot brief: config: " + missing + " does not exist (give --config PATH or set BRIEFBOT_CONFIG; examples/briefbot.yaml is a start): file does not exist\n"},
		{"topics: a config file with a problem", nil, []string{"topics", "--config", bad}, 1, "",
			"briefbot topics: the configuration has 1 problem:\n"},
		{"topics: a config file without topics", nil, []string{"topics", "--config", empty, "--store", emptyStore}, 0,
			"No topics yet: declare them under topics: in " + empty + ".\n", ""},
		{"topics: a store without topics, and no config file", nil, []string{"topics", "--store", emptyStore}, 0,
			"No topics in the store yet: declare them under topics: in the config file, and name it with --config FILE (briefbot run copies them into the store).\n", ""},
		{"topics: a SQLite store named with parameters", nil, []string{"topics", "--store", emptyStore + "?_pragma=busy_timeout(5000)"}, 0,
			"No topics in the store yet: declare them under topics: in the config file, and name it with --config FILE (briefbot run copies them into the store).\n", ""},
		{"topics: a SQLite file with parameters that does not exist", nil, []string{"topics", "--store", missing + "?_pragma=busy_timeout(5000)"}, 1, "",
			"briefbot topics: there is no store at " + missing + "?_pragma=busy_timeout(5000): ingest articles first (briefbot ingest --store " + missing +
				"?_pragma=busy_timeout(5000) PATH|URL…) or name the store with --store\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runWithEnv(t, tt.vars, tt.args...)
			okOut := stdout == tt.stdout || (tt.stdout == "" && tt.code == 0 && stdout != "")
			okErr := stderr == tt.stderr || (strings.HasSuffix(tt.stderr, ":\n") && strings.HasPrefix(stderr, tt.stderr))
			if code != tt.code || !okOut || !okErr {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestBriefOfATopicOfTheConfigFile(t *testing.T) {
	cfgFile, _, _ := configStore(t)
	code, stdout, stderr := runWithEnv(t, nil, "brief", "--config", cfgFile, "--topic", "Waterfront", "--format", "json")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var b briefing.Briefing
	if err := json.Unmarshal([]byte(stdout), &b); err != nil {
		t.Fatal(err)
	}
	if b.Topic != "waterfront" || b.Query != "port OR dockworkers OR harbour" || len(b.Stories) == 0 ||
		!strings.Contains(b.Stories[0].Headline, "Valmora") {
		t.Errorf("briefing %q (query %q) of %d stories, want waterfront's query and the port strike first", b.Topic, b.Query, len(b.Stories))
	}
}
