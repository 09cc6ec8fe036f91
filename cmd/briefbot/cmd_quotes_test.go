package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCmd runs briefbot with args and returns the exit status, stdout and stderr.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	code := run(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

// writeArticles writes small articles of our own into a temporary directory.
func writeArticles(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"a.txt":     "Home\n\nCouncil approves the new river bridge\n\nThe city council approved the new bridge on Monday.\n\n\"This bridge will serve the town for a century,\" Mayor Lena Vos said. \"Work starts in May.\"\n",
		"b.md":      "# Strike ends at the port\n\nDock workers returned on Tuesday.\n\n\"We won what we asked for,\" said union leader Omar Haddad.\n",
		"c.json":    `{"title":"Rain closes the main road","body":"Police closed the road on Sunday.\n\n\"The road will reopen on Wednesday morning,\" said Inspector Mark Hale.","source":"wire","url":"https://example.org/rain"}`,
		"notes.csv": "not an article",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestQuotesCommand(t *testing.T) {
	dir := writeArticles(t)
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.md")
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    []string // substrings stdout must hold
		stderr    string   // substring stderr must hold
		jsonLines int      // lines of JSON expected (with --json)
		firstFile string
	}{
		{"json writes one line per file in argument order", []string{"quotes", "--json", b, a}, 0, []string{`"speaker":"Omar Haddad"`, `"speaker":"Lena Vos"`}, "", 2, b},
		{"a directory stands for its articles, sorted", []string{"quotes", "--json", dir}, 0, []string{`"title":"Rain closes the main road"`}, "", 3, filepath.Join(dir, "a.txt")},
		{"the listing shows speaker, title, cue and quote", []string{"quotes", a}, 0, []string{"Lena Vos, Mayor [said]", "“This bridge will serve the town for a century,”", "★"}, "", 0, ""},
		{"a missing file is reported and the others still printed", []string{"quotes", "--json", filepath.Join(dir, "nope.txt"), a}, 1, []string{`"Lena Vos"`}, "nope.txt", 1, a},
		{"no arguments is a usage error", []string{"quotes"}, 2, nil, "Usage: briefbot quotes", 0, ""},
		{"help exits zero", []string{"quotes", "--help"}, 0, nil, "Usage: briefbot quotes", 0, ""},
		{"a file over the size limit is refused", []string{"quotes", "--max-bytes", "10", a}, 1, nil, "too large", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			if tt.stderr != "" && !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.stderr)
			}
			if tt.jsonLines == 0 {
				return
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if len(lines) != tt.jsonLines {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), tt.jsonLines, stdout)
			}
			for i, l := range lines {
				var v quotesLine
				if err := json.Unmarshal([]byte(l), &v); err != nil {
					t.Fatalf("line %d is not JSON: %v", i, err)
				}
				if i == 0 && v.File != tt.firstFile {
					t.Errorf("first line is %q, want %q", v.File, tt.firstFile)
				}
				for _, q := range v.Quotes {
					if q.End <= q.Start {
						t.Errorf("quote %q has offsets [%d,%d)", q.Text, q.Start, q.End)
					}
				}
			}
		})
	}
}

func TestQuotesJSONOffsetsIndexTheFile(t *testing.T) {
	dir := writeArticles(t)
	a := filepath.Join(dir, "a.txt")
	code, stdout, _ := runCmd(t, "quotes", "--json", a)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	data, _ := os.ReadFile(a)
	var v quotesLine
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Quotes) != 2 {
		t.Fatalf("quotes = %+v", v.Quotes)
	}
	for _, q := range v.Quotes {
		if string(data[q.Start:q.End]) != q.Text {
			t.Errorf("file[%d:%d] = %q, want %q", q.Start, q.End, data[q.Start:q.End], q.Text)
		}
	}
}

func TestBriefCommand(t *testing.T) {
	dir := writeArticles(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"prints headline, lede, key quotes and source", []string{"brief", filepath.Join(dir, "c.json")}, 0,
			[]string{"■ Rain closes the main road", "Police closed the road on Sunday.", "“The road will reopen on Wednesday morning,”", "— Mark Hale", "Source: wire · https://example.org/rain"}, ""},
		{"several files one after another", []string{"brief", filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.md")}, 0,
			[]string{"■ Council approves the new river bridge", "■ Strike ends at the port", "— Omar Haddad"}, ""},
		{"no files is a usage error", []string{"brief"}, 2, nil, "Usage: briefbot brief"},
		{"an unsupported file is reported", []string{"brief", filepath.Join(dir, "notes.csv")}, 1, nil, "unsupported article format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			if tt.stderr != "" && !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.stderr)
			}
		})
	}
}
