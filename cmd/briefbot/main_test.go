package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/briefbot/briefbot/briefing/store"
)

// envRunMain makes the test binary run main instead of the tests, so that a test can start
// briefbot as a process of its own (os.Args[1:] are briefbot's arguments) and signal it.
const envRunMain = "BRIEFBOT_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) == "1" {
		main()
	}
	os.Exit(m.Run())
}

func TestParseArgsTakesFlagsAnywhereUntilDoubleDash(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		positional []string
		store      string
		json       bool
		err        error
	}{
		{"flags first", []string{"--store", "x.db", "a", "b"}, []string{"a", "b"}, "x.db", false, nil},
		{"flags after the arguments", []string{"a", "--store", "x.db"}, []string{"a"}, "x.db", false, nil},
		{"flags between the arguments", []string{"a", "--json", "b", "-store=y.db", "c"}, []string{"a", "b", "c"}, "y.db", true, nil},
		{"a flag given twice: the last wins", []string{"--store", "x.db", "a", "--store", "y.db"}, []string{"a"}, "y.db", false, nil},
		{"-- ends the flags", []string{"--json", "--", "-x", "--store", "z.db"}, []string{"-x", "--store", "z.db"}, "briefbot.db", true, nil},
		{"-- after an argument", []string{"a", "--", "-x"}, []string{"a", "-x"}, "briefbot.db", false, nil},
		{"-- as a flag's value is no end", []string{"--store", "--", "a", "--json"}, []string{"a"}, "--", true, nil},
		{"a boolean flag before --", []string{"a", "--json", "--", "--json"}, []string{"a", "--json"}, "briefbot.db", true, nil},
		{"- (standard input) is an argument", []string{"-", "--json"}, []string{"-"}, "briefbot.db", true, nil},
		{"no arguments", nil, []string{}, "briefbot.db", false, nil},
		{"an unknown flag after an argument", []string{"a", "--colour"}, nil, "", false, errUsage},
		{"help after an argument", []string{"a", "--help"}, nil, "", false, flag.ErrHelp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			dsn := fs.String("store", "briefbot.db", "")
			asJSON := fs.Bool("json", false, "")
			got, err := parseArgs(fs, tt.args)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.positional) || *dsn != tt.store || *asJSON != tt.json {
				t.Errorf("arguments %q, --store %q, --json %v; want %q, %q, %v", got, *dsn, *asJSON, tt.positional, tt.store, tt.json)
			}
		})
	}
}

func TestCommandsTakeFlagsAfterTheirArguments(t *testing.T) {
	dir := writeArticles(t)
	a := filepath.Join(dir, "a.txt")
	db := filepath.Join(t.TempDir(), "x.db")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring of stdout
		stderr string // a substring of stderr ("" wants it empty)
	}{
		{"ingest stores into the --store given after the folder", []string{"ingest", dir, "--store", db}, 0,
			"3 new, 0 updated, 0 duplicates, 0 failed", ""},
		{"quotes --json after the file", []string{"quotes", a, "--json"}, 0, `{"file":"` + a + `"`, ""},
		{"quotes with a flag between the files", []string{"quotes", a, "--max-key", "1", filepath.Join(dir, "b.md")}, 0, "Omar Haddad", ""},
		{"brief --format after the folder", []string{"brief", dir, "--format", "json", "--stories", "1"}, 0, `"stories": [`, ""},
		{"brief knows a store flag after files", []string{"brief", dir, "--since", "3d"}, 2, "",
			"briefbot brief: --since briefs the store; it does not go with files"},
		{"topics takes no arguments, wherever they are", []string{"topics", "--store", db, "extra"}, 2, "", "Usage: briefbot topics"},
		{"check takes no arguments", []string{"check", "extra", "--offline"}, 2, "", "Usage: briefbot check"},
		{"demo takes no arguments", []string{"demo", "extra"}, 2, "", "Usage: briefbot demo"},
		{"run takes no arguments", []string{"run", "--no-poll", "extra"}, 2, "", "Usage: briefbot run"},
		{"a command's help tells that flags may follow the arguments", []string{"ingest", "--help"}, 0, "",
			"Flags may come before, between or after the arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || (tt.stderr == "" && stderr != "") || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout with %q, stderr with %q", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, err := st.Count(context.Background(), store.Query{}); err != nil || n != 3 {
		t.Errorf("the store given after the folder holds %d articles (%v), want 3", n, err)
	}
	if _, err := os.Stat(store.DefaultDSN); err == nil {
		t.Errorf("ingest created %s in the working directory", store.DefaultDSN)
	}
}

func TestDoubleDashLetsAFileStartWithADash(t *testing.T) {
	dir := writeArticles(t)
	data, err := os.ReadFile(filepath.Join(dir, "a.txt"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "-x"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"after --, -x is a file", []string{"quotes", "--json", "--", "-x"}, 0, `{"file":"-x"`, ""},
		{"after --, a flag's spelling is a file name too", []string{"quotes", "--", "-x", "--json"}, 1, "", "--json: no such file or directory"},
		{"without --, -x is a flag", []string{"quotes", "-x"}, 2, "", "flag provided but not defined: -x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || (tt.stderr == "" && stderr != "") || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout with %q, stderr with %q", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

// A bad flag gets one line naming it and one saying where the usage is, not the whole usage;
// --help still prints the usage in full.
func TestABadFlagPrintsOneLineAndWhereTheUsageIs(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		first string
	}{
		{"a value that does not parse", []string{"brief", "--stories", "x"},
			`briefbot brief: invalid value "x" for flag -stories: parse error`},
		{"an unknown flag", []string{"topics", "--colour"}, "briefbot topics: flag provided but not defined: -colour"},
		{"a flag without its value", []string{"brief", "--topic", "ports", "--since"}, "briefbot brief: flag needs an argument: -since"},
		{"a bad boolean", []string{"ingest", "--allow-private=maybe", "x"},
			`briefbot ingest: invalid boolean value "maybe" for -allow-private: parse error`},
		{"after an argument", []string{"quotes", "a.txt", "--max-key", "many"},
			`briefbot quotes: invalid value "many" for flag -max-key: parse error`},
		{"run", []string{"run", "--replica"}, "briefbot run: flag provided but not defined: -replica"},
		{"demo", []string{"demo", "--dir"}, "briefbot demo: flag needs an argument: -dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.args...)
			want := tt.first + "\nRun 'briefbot " + tt.args[0] + " --help' for usage.\n"
			if code != 2 || stdout != "" || stderr != want {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 2, no stdout, stderr:\n%s", code, stdout, stderr, want)
			}
		})
	}
	for _, help := range []string{"--help", "-h"} {
		code, stdout, stderr := runCmd(t, "brief", help)
		if code != 0 || stdout != "" || !strings.HasPrefix(stderr, "Usage: briefbot brief ") || !strings.Contains(stderr, "-stories N") {
			t.Errorf("brief %s: exit %d, stdout %q, stderr:\n%s\nwant exit 0 and the full usage", help, code, stdout, stderr)
		}
	}
}

// Ctrl-C, SIGTERM and SIGHUP each end the commands' context, so that a command shuts down
// cleanly whichever it gets (SIGHUP unless the command took it over).
func TestEachStopSignalEndsTheContext(t *testing.T) {
	tests := []struct {
		name string
		sig  syscall.Signal
	}{
		{"interrupt (Ctrl-C)", syscall.SIGINT},
		{"SIGTERM (systemctl stop, docker stop)", syscall.SIGTERM},
		{"SIGHUP (the terminal closed)", syscall.SIGHUP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, _, stop := notifyStop(t.Context())
			defer stop()
			if err := syscall.Kill(os.Getpid(), tt.sig); err != nil {
				t.Fatal(err)
			}
			<-ctx.Done() // the test's own timeout fails it if the signal is not caught
			cause := context.Cause(ctx)
			if cause == nil || !strings.Contains(cause.Error(), tt.sig.String()) {
				t.Errorf("context ended by %v, want %v", cause, tt.sig)
			}
			if !errors.Is(cause, context.Canceled) {
				t.Errorf("the cause %v is no context.Canceled: briefbot run would take the stop for a failure", cause)
			}
		})
	}
}

// A command that took SIGHUP over (briefbot run, to reload) gets it as a request and goes on;
// once it gives SIGHUP back, SIGHUP stops it again.
func TestSIGHUPTakenOverIsARequestNotAStop(t *testing.T) {
	ctx, hups, stop := notifyStop(t.Context())
	defer stop()
	requests, release := hups.take()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	<-requests // the test's own timeout fails it if the signal is not handed over
	if err := ctx.Err(); err != nil {
		t.Fatalf("SIGHUP taken over ended the context: %v", context.Cause(ctx))
	}
	release()
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	if cause := context.Cause(ctx); cause == nil || !strings.Contains(cause.Error(), "hangup") {
		t.Errorf("context ended by %v, want SIGHUP", cause)
	}
	// Without a hangups (a test's Env), nothing is ever requested.
	var none *hangups
	if requests, release := none.take(); requests != nil {
		t.Error("a nil hangups gave a channel")
	} else {
		release()
	}
}
